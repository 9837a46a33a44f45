#pragma once
// Spark Ads posts and their authorizations. A creator grants a post
// authorization code (POST /_sandbox/spark_codes makes one: a new creator
// account, a post, a code valid N days); /tt_video/authorize/ binds it to an
// advertiser (the post joins the advertiser's posts, its creator an AUTH_CODE
// identity); /tt_video/unbind/ ends it. Ads on a post whose authorization
// ended stop delivering.
#include <cstdint>
#include <string>

#include "world.hpp"

namespace sandbox {

// Statuses on the sandbox clock: NOT_USED | IN_USE | EXPIRED | DELETED. A
// code is NOT_USED until bound, IN_USE once bound, DELETED once unbound, and
// EXPIRED when its auth_end_time has passed while NOT_USED or IN_USE (an
// assumed reading of the documented statuses). auth_status reads a posts row
// (ad_auth_status), code_status a spark_codes row (status).
std::string auth_status(const json::object& post, std::int64_t now);
std::string code_status(const json::object& code, std::int64_t now);

// The /tt_video/list/ and /tt_video/info/ item for a bound post.
json::object post_json(const World& w, const json::object& post);
// The /tt_video/info/ item for a code that is not bound yet (a preview).
json::object code_preview_json(const json::object& code, std::int64_t now);

// A new creator (account), a post and its code valid `days` from now.
// Returns the spark_codes row.
json::object create_spark_code(World& w, Ids& ids, std::int64_t days, const std::string& text);

// Binds the code's post to the advertiser: posts and identities rows. The
// caller has checked that the code can be bound.
void bind_spark_code(World& w, json::object& code, const std::string& advertiser_id);

// Removes the advertiser's post; its ads lose their authorization now, its
// code reads DELETED, and an AUTH_CODE identity left without posts goes.
void unbind_post(World& w, const std::string& advertiser_id, const std::string& item_id);

// Whether the ad's post authorization is live now: the post is still bound,
// IN_USE (not EXPIRED, not DELETED). Ads without a post are not Spark Ads:
// true.
bool ad_authorization_live(const World& w, const json::object& ad, std::int64_t now);

}  // namespace sandbox

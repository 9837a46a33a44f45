#pragma once
// The TikTok response envelope {code, message, request_id, data} and what
// each error code means for ttlink (tiktok-api.md, "Envelope, errors").
#include <boost/json/object.hpp>

#include <string_view>

#include "core/util/result.hpp"

namespace ttlink::tiktok {

// Decodes one HTTP response from `path`. Success: the `data` object.
// Errors: kUpstream with TikTok's code and message; kTransient for transport
// trouble (5xx, 429, a body that is not the envelope, code 0 without data).
Result<boost::json::object> decode_envelope(int http_status, std::string_view body,
                                            std::string_view path);

// What ttlink does about an upstream error code.
enum class Reaction {
  kRetryLater,       // 40100, 40132, 50000, 50002, 51xxx, 60001: transient
  kBackOffLong,      // 61000: blocklisted, long back-off
  kRefreshToken,     // 40102: access token expired
  kReauthorize,      // 40001, 40003, 40103, 40105, 40107, 40114, 40130, 40131
  kPermission,       // 40301: the user lacks admin/operator role
  kAppForbidden,     // 40113: fatal for every account
  kAuthCodeInvalid,  // 40110: the link attempt must start again
  kNotFound,         // 40007, 40300
  kBug,              // 40000, 40002, 40104, 40108 and anything unknown
};

Reaction classify(long code);
// Codes some callers tell apart within their reaction.
inline constexpr long kAccessTokenInvalid = 40105;
// True for errors worth retrying as they are (transport trouble, rate limits).
bool is_transient(const Error& e);

}  // namespace ttlink::tiktok

#pragma once
// core/links: the life of a link (an Ads Manager account using a TikTok
// Business Account as its identity): starting and completing authorization,
// checking every prerequisite of the seed, refreshing, unlinking, and the
// control methods for them. Owns: which state follows from which facts.
// Must not touch: HTTP details (core/tiktok), SQL (core/store).
//
// link_checks.hpp: pure judgements, one per prerequisite. Each returns the
// state the link must take when the prerequisite fails, or nullopt when it
// holds.
#include <optional>
#include <string>
#include <vector>

#include "core/links/attention.hpp"
#include "core/tiktok/advertiser.hpp"
#include "core/tiktok/business.hpp"
#include "core/tiktok/identity.hpp"
#include "core/util/link_state.hpp"
#include "core/util/result.hpp"
#include "core/util/time.hpp"

namespace ttlink::links {

struct Verdict {
  LinkState state = LinkState::kActive;
  long code = 0;             // upstream code behind it, or 0
  std::string message;       // for a person: what is wrong and what to do
  std::string request_id{};  // upstream's, when an answer decided it
  Trouble trouble = Trouble::kChecks;  // which alert the state raises (attention.hpp)
};

// Scopes: every configured scope must be granted ("a,b,c" as upstream sends).
std::optional<Verdict> judge_scopes(const std::string& granted,
                                    const std::vector<std::string>& required);
std::optional<Verdict> judge_business(const tiktok::BusinessProfile& profile);
std::optional<Verdict> judge_advertiser(const tiktok::AdvertiserInfo& info);
// `role` is the user's advertiser_role in a Business Center ("" when no BC lists it).
std::optional<Verdict> judge_role(const std::string& role, const std::string& bc_name);
// The identity must exist and be AVAILABLE; ACTIVE when it is.
Verdict judge_identity(const std::optional<tiktok::Identity>& identity,
                       const std::string& advertiser_id, const std::string& username);
// An ACTIVE link whose refresh token ends within the warning window is EXPIRING.
Verdict judge_refresh_expiry(TimePoint refresh_expires_at, TimePoint now, Seconds warn_before);
// An upstream error: the state it implies, or nullopt when it is transient
// (the link keeps its state; the caller retries later).
std::optional<Verdict> judge_upstream_error(const Error& e);

}  // namespace ttlink::links

#include "core/links/link_checks.hpp"

#include <set>
#include <sstream>

#include "core/tiktok/envelope.hpp"

namespace ttlink::links {

namespace {

std::set<std::string> split_scopes(const std::string& csv) {
  std::set<std::string> out;
  std::istringstream in(csv);
  std::string s;
  while (std::getline(in, s, ','))
    if (!s.empty()) out.insert(s);
  return out;
}

}  // namespace

std::optional<Verdict> judge_scopes(const std::string& granted,
                                    const std::vector<std::string>& required) {
  auto have = split_scopes(granted);
  std::string missing;
  for (const auto& s : required)
    if (!have.count(s)) missing += (missing.empty() ? "" : ",") + s;
  if (missing.empty()) return std::nullopt;
  return Verdict{LinkState::kReauthRequired, 40130,
                 "scopes not granted: " + missing + "; reauthorize and approve them"};
}

std::optional<Verdict> judge_business(const tiktok::BusinessProfile& profile) {
  if (profile.is_business_account) return std::nullopt;
  return Verdict{LinkState::kNotBusiness, 0,
                 "@" + profile.username +
                     " is not a Business Account; switch it to a Business Account in the "
                     "TikTok app, then reauthorize"};
}

std::optional<Verdict> judge_advertiser(const tiktok::AdvertiserInfo& info) {
  if (info.status == "STATUS_ENABLE") return std::nullopt;
  std::string message = "advertiser " + info.advertiser_id + " is " + info.status + " (" +
                        tiktok::describe_advertiser_status(info.status) + ")";
  if (!info.rejection_reason.empty()) message += ": " + info.rejection_reason;
  return Verdict{LinkState::kAdvertiserInactive, 0, message + "; fix it in Ads Manager"};
}

std::optional<Verdict> judge_role(const std::string& role, const std::string& bc_name) {
  if (role.empty() || role == "ADMIN" || role == "OPERATOR") return std::nullopt;
  return Verdict{LinkState::kPermissionDenied, 40301,
                 "the authorizing user is " + role + " in Business Center \"" + bc_name +
                     "\"; grant Admin or Operator access, then reauthorize"};
}

Verdict judge_identity(const std::optional<tiktok::Identity>& identity,
                       const std::string& advertiser_id, const std::string& username) {
  if (!identity)
    return {LinkState::kReauthRequired, 0,
            "@" + username + " is not an identity of advertiser " + advertiser_id +
                "; reauthorize to link it"};
  const auto& s = identity->available_status;
  if (s == "AVAILABLE") return {LinkState::kActive, 0, "all checks passed"};
  if (s == "IS_PRIVATE_ACCOUNT" || s == "NOT_BUSINESS_ACCOUNT")
    return {LinkState::kNotBusiness, 0,
            "identity @" + username + " is " + s + "; make it a public Business Account"};
  // tiktok-api.md: NO_VALID_BIND_ACCOUNT (link lost) and SCOPE_UNAVAILABLE
  // (scopes missing) are fixed by reauthorizing. Any other status is not
  // documented: a person looks, and no reauthorization is asked for blindly.
  if (s == "NO_VALID_BIND_ACCOUNT" || s == "SCOPE_UNAVAILABLE")
    return {LinkState::kReauthRequired, 0,
            "identity @" + username + " of advertiser " + advertiser_id + " is " + s +
                "; reauthorize",
            "", Trouble::kIdentity};
  return {LinkState::kDegraded, 0,
          "identity @" + username + " of advertiser " + advertiser_id + " is " +
              (s.empty() ? "not available (no available_status)" : s) +
              "; check it in Ads Manager",
          "", Trouble::kIdentity};
}

Verdict judge_refresh_expiry(TimePoint refresh_expires_at, TimePoint now, Seconds warn_before) {
  if (refresh_expires_at - now > warn_before) return {LinkState::kActive, 0, "all checks passed"};
  return {LinkState::kExpiring, 0,
          "the refresh token expires at " + format_rfc3339(refresh_expires_at) +
              "; reauthorize before then"};
}

std::optional<Verdict> judge_upstream_error(const Error& e) {
  if (e.kind != ErrorKind::kUpstream) return std::nullopt;
  switch (tiktok::classify(e.upstream_code)) {
    case tiktok::Reaction::kReauthorize:
    case tiktok::Reaction::kRefreshToken:
      return Verdict{LinkState::kReauthRequired, e.upstream_code, e.message, e.request_id};
    case tiktok::Reaction::kPermission:
      return Verdict{LinkState::kPermissionDenied, e.upstream_code, e.message, e.request_id};
    default:
      return std::nullopt;
  }
}

}  // namespace ttlink::links

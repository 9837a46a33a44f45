#include "core/alerts/alert.hpp"

#include <array>

#include "core/util/random.hpp"

namespace ttlink::alerts {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
  }
  return "warning";
}

std::optional<Severity> parse_severity(std::string_view text) {
  for (auto s : {Severity::kInfo, Severity::kWarning, Severity::kCritical})
    if (to_string(s) == text) return s;
  return std::nullopt;
}

std::optional<KindSpec> kind_for_state(LinkState state, std::string_view reason_message) {
  switch (state) {
    case LinkState::kReauthRequired:
      return KindSpec{"reauth_required", Severity::kCritical, "Reauthorize the TikTok account"};
    case LinkState::kNotBusiness:
      return KindSpec{"not_business_account", Severity::kCritical,
                      "Switch the TikTok account to a Business Account, then reauthorize"};
    case LinkState::kAdvertiserInactive:
      return KindSpec{"advertiser_inactive", Severity::kCritical,
                      "Fix the advertiser's status in TikTok Ads Manager"};
    case LinkState::kPermissionDenied:
      return KindSpec{"permission_denied", Severity::kCritical,
                      "Grant the authorizing user admin or operator access, then reauthorize"};
    case LinkState::kExpiring:
      return KindSpec{"refresh_token_expiring", Severity::kWarning,
                      "Reauthorize the TikTok account before the refresh token expires"};
    case LinkState::kDegraded:
      if (reason_message.find("refresh") != std::string_view::npos)
        return KindSpec{"refresh_failing", Severity::kWarning,
                        "None needed yet: ttlink retries; check TikTok's status if it persists"};
      return KindSpec{"upstream_unreachable", Severity::kWarning,
                      "None needed yet: ttlink retries; check connectivity if it persists"};
    default:
      return std::nullopt;
  }
}

const std::vector<std::string_view>& link_state_kinds() {
  static const std::vector<std::string_view> kinds = {
      "reauth_required",        "not_business_account", "advertiser_inactive", "permission_denied",
      "refresh_token_expiring", "refresh_failing",      "upstream_unreachable"};
  return kinds;
}

std::string fingerprint(std::string_view kind, std::string_view link_id) {
  return std::string(kind) + "/" + std::string(link_id);
}

std::string new_alert_id(TimePoint now) {
  static constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  auto ms = static_cast<std::uint64_t>(to_unix(now)) * 1000u;
  std::string id(10, '0');
  for (int i = 9; i >= 0; --i, ms >>= 5) id[static_cast<std::size_t>(i)] = kAlphabet[ms & 31u];
  const std::string random = random_hex(16);
  for (std::size_t i = 0; i < 16; ++i)
    id.push_back(
        kAlphabet[static_cast<std::size_t>(std::stoi(random.substr(i * 2, 2), nullptr, 16) & 31)]);
  return id;
}

LinkFacts link_facts(store::Store& store, const store::LinkRecord& link) {
  LinkFacts f{link.id, link.advertiser_id, "", "", link.open_id};
  if (!link.advertiser_id.empty())
    if (auto a = store.get_advertiser(link.advertiser_id); a && a->has_value())
      f.advertiser_name = (*a)->name;
  if (!link.open_id.empty())
    if (auto a = store.get_account(link.open_id); a && a->has_value() && !(*a)->username.empty())
      f.account = "@" + (*a)->username;
  return f;
}

boost::json::object make_payload(const PayloadInput& in) {
  namespace json = boost::json;
  json::object link{{"id", in.link.id},
                    {"advertiser_id", in.link.advertiser_id},
                    {"advertiser_name", in.link.advertiser_name},
                    {"account", in.link.account},
                    {"open_id", in.link.open_id}};
  json::object action{{"text", in.action_text}};
  if (in.action_url)
    action["url"] = *in.action_url;
  else
    action["url"] = nullptr;
  json::object payload{
      {"id", in.id},
      {"fingerprint", fingerprint(in.kind, in.subject.empty() ? in.link.id : in.subject)},
      {"kind", in.kind},
      {"status", in.status},
      {"severity", to_string(in.severity)},
      {"since", format_rfc3339(in.since)},
      {"link", std::move(link)},
      {"reason", json::object{{"code", in.reason.code}, {"message", in.reason.message}}},
      {"action", std::move(action)},
      {"ctl", in.ctl}};
  for (const auto& [key, value] : in.details) payload[key] = value;
  return payload;
}

std::string payload_text(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

boost::json::object payload_object(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_object() ? v->get_object() : boost::json::object();
}

}  // namespace ttlink::alerts

#include "core/links/link_view.hpp"

namespace ttlink::links {
namespace json = boost::json;

namespace {

json::value time_or_null(const std::optional<TimePoint>& t) {
  if (!t) return nullptr;
  return json::value(format_rfc3339(*t));
}

json::value string_or_null(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return json::value(*s);
}

}  // namespace

json::object link_json(store::Store& store, const store::LinkRecord& link) {
  std::string advertiser_name, username;
  std::optional<TimePoint> refresh_expires;
  if (auto a = store.links().get_advertiser(link.advertiser_id); a && a->has_value())
    advertiser_name = (*a)->name;
  if (!link.open_id.empty()) {
    if (auto acc = store.links().get_account(link.open_id); acc && acc->has_value())
      username = (*acc)->username;
    if (link.state != LinkState::kUnlinked)
      if (auto t = store.tokens().account_refresh_expiry(link.open_id); t) refresh_expires = *t;
  }
  return json::object{
      {"id", link.id},
      {"advertiser_id", link.advertiser_id},
      {"advertiser_name", advertiser_name},
      {"open_id", link.open_id},
      {"username", username},
      {"state", to_string(link.state)},
      {"reason", json::object{{"code", link.reason_code}, {"message", link.reason_message}}},
      {"next_refresh_at", time_or_null(link.next_refresh_at)},
      {"refresh_token_expires_at", time_or_null(refresh_expires)},
      {"last_check_at", time_or_null(link.last_check_at)},
      {"next_check_at", time_or_null(link.next_check_at)},
      {"identity_id", link.identity_id},
      {"identity_type", link.identity_type},
      {"created_at", format_rfc3339(link.created_at)},
      {"updated_at", format_rfc3339(link.updated_at)},
  };
}

// The campaigns launched from the link (ttlinkctl campaign create).
json::array campaigns_json(store::Store& store, const store::LinkRecord& link) {
  json::array out;
  auto launches = store.ads().launches_of(link.id);
  if (!launches) return out;
  for (const auto& l : *launches)
    out.push_back(json::object{{"name", l.name},
                               {"objective", l.objective},
                               {"item_id", l.item_id},
                               {"identity_type", l.identity_type},
                               {"campaign_id", l.campaign_id},
                               {"adgroup_id", l.adgroup_id},
                               {"ad_id", l.ad_id},
                               {"complete", l.complete()},
                               {"created_at", format_rfc3339(l.created_at)}});
  return out;
}

json::object paid_json(const store::PaidFigures& f) {
  return {{"spend", static_cast<double>(f.spend_micros) / 1e6},
          {"impressions", f.impressions},
          {"clicks", f.clicks},
          {"likes", f.likes},
          {"comments", f.comments},
          {"shares", f.shares},
          {"follows", f.follows},
          {"video_views", f.video_views},
          {"profile_visits", f.profile_visits}};
}

namespace {

// What the link's Spark Ads were paid and brought, as stored by the poller.
json::value paid_of(store::Store& store, const store::LinkRecord& link) {
  auto total = store.ads().paid_total(link.id);
  if (!total) return nullptr;
  json::object paid = paid_json(*total);
  std::string currency;
  if (auto a = store.links().get_advertiser(link.advertiser_id); a && a->has_value())
    currency = (*a)->currency;
  paid["currency"] = currency;
  return paid;
}

}  // namespace

json::object consolidated_json(store::Store& store, const store::LinkRecord& link) {
  json::object organic;
  if (!link.open_id.empty())
    if (auto acc = store.links().get_account(link.open_id); acc && acc->has_value()) {
      const auto& o = (*acc)->organic;
      organic = {{"followers", o.followers},     {"videos", o.videos},
                 {"video_views", o.video_views}, {"likes", o.likes},
                 {"comments", o.comments},       {"shares", o.shares}};
    }
  std::int64_t posts = 0;
  if (!link.advertiser_id.empty())
    if (auto p = store.spark().list_posts(link.advertiser_id); p) posts = std::ssize(*p);
  store::CommentTotals totals;
  if (auto t = store.spark().totals(link.id); t) totals = *t;
  return {{"organic", organic.empty() ? json::value(nullptr) : json::value(std::move(organic))},
          {"promoted",
           {{"posts", posts},
            {"comments", totals.total},
            {"unanswered", totals.unanswered},
            {"hidden", totals.hidden}}},
          {"paid", paid_of(store, link)},
          {"campaigns", campaigns_json(store, link)}};
}

json::object urls_json(const AuthorizationUrls& urls) {
  return json::object{{"link_id", urls.link_id},
                      {"state", to_string(urls.state)},
                      {"advertiser_auth_url", string_or_null(urls.advertiser_auth_url)},
                      {"account_auth_url", string_or_null(urls.account_auth_url)},
                      {"expires_at", format_rfc3339(urls.expires_at)}};
}

json::object audit_json(const store::AuditEntry& e) {
  return json::object{
      {"at", format_rfc3339(e.at)},
      {"actor", e.actor},
      {"action", e.action},
      {"from_state", e.from_state},
      {"to_state", e.to_state},
      {"reason", json::object{{"code", e.reason_code}, {"message", e.reason_message}}}};
}

}  // namespace ttlink::links

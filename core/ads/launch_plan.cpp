#include "core/ads/launch_plan.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ttlink::ads {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxNameChars = 512;  // campaign_name, tiktok-api.md
constexpr Seconds kDay{86400};

json::value number_or_null(const std::optional<double>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::value time_or_null(const std::optional<TimePoint>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

std::size_t utf8_chars(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

Result<void> check_link(const store::LinkRecord& link) {
  if (link.state != LinkState::kActive)
    return Error::conflict("link " + link.id + " is " + std::string(to_string(link.state)) +
                           ": campaigns are launched only from an ACTIVE link (see ttlinkctl "
                           "link show " +
                           link.id + ")");
  if (link.identity_id.empty() || link.identity_type.empty())
    return Error::conflict("link " + link.id + " has no identity yet: run ttlinkctl check " +
                           link.id);
  return {};
}

Result<void> check_name(const std::string& name) {
  const std::size_t chars = utf8_chars(name);
  if (chars == 0 || chars > kMaxNameChars)
    return Error::invalid("--name must be 1 to 512 characters (it has " + std::to_string(chars) +
                          ")");
  return {};
}

// Whole days of the schedule, rounded up, as TikTok counts them for the
// minimum total budget *(assumed: the sandbox does the same)*.
std::int64_t schedule_days(TimePoint start, TimePoint end) {
  const auto seconds = std::chrono::duration_cast<Seconds>(end - start).count();
  return (seconds + kDay.count() - 1) / kDay.count();
}

Result<void> check_schedule(const LaunchSpec& spec, TimePoint start, TimePoint now) {
  if (start < now - tiktok::kMaxStartInPast)
    return Error::invalid("--start " + format_rfc3339(start) +
                          " is more than 12 hours in the past: TikTok refuses it");
  if (spec.total_budget && !spec.end) return Error::invalid("--total-budget needs --end DATE");
  if (spec.end && *spec.end <= start)
    return Error::invalid("--end " + format_rfc3339(*spec.end) + " is not after the start " +
                          format_rfc3339(start));
  return {};
}

Result<void> check_budget(const LaunchSpec& spec, TimePoint start, const std::string& currency) {
  if (spec.daily_budget.has_value() == spec.total_budget.has_value())
    return Error::invalid("give exactly one of --daily-budget AMOUNT and --total-budget AMOUNT");
  const double amount = spec.daily_budget ? *spec.daily_budget : *spec.total_budget;
  if (!std::isfinite(amount) || amount <= 0)
    return Error::invalid("the budget must be a positive amount");
  if (spec.daily_budget && amount < tiktok::kMinAdgroupDailyBudget)
    return Error::invalid("--daily-budget " + money(amount, currency) +
                          " is below TikTok's minimum daily budget of an ad group, " +
                          money(tiktok::kMinAdgroupDailyBudget, currency));
  if (!spec.total_budget) return {};
  const std::int64_t days = schedule_days(start, *spec.end);
  const double minimum = tiktok::kMinAdgroupDailyBudget * static_cast<double>(days);
  if (amount < minimum)
    return Error::invalid(
        "--total-budget " + money(amount, currency) + " is below TikTok's minimum for " +
        std::to_string(days) +
        " day(s) of an ad group: " + money(tiktok::kMinAdgroupDailyBudget, currency) + " x " +
        std::to_string(days) + " = " + money(minimum, currency));
  return {};
}

Result<void> check_landing(const LaunchSpec& spec) {
  if (spec.landing_url.empty()) {
    if (spec.objective == "TRAFFIC")
      return Error::invalid("a TRAFFIC campaign needs --landing-url https://...");
    return {};
  }
  auto parsed = boost::urls::parse_absolute_uri(spec.landing_url);
  if (!parsed || parsed->host().empty())
    return Error::invalid("--landing-url " + spec.landing_url.substr(0, 200) + " is not a URL");
  if (parsed->scheme() != "https")
    return Error::invalid("--landing-url must be https:// (TikTok refuses " +
                          std::string(parsed->scheme()) + " landing pages)");
  return {};
}

Result<void> check_cta(const std::string& cta) {
  const bool word = !cta.empty() && cta.size() <= 32 &&
                    cta.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == std::string::npos;
  if (!cta.empty() && !word)
    return Error::invalid("--cta must be a TikTok call to action such as LEARN_MORE or SHOP_NOW");
  return {};
}

Result<void> check_locations(const std::vector<std::string>& ids) {
  for (const auto& id : ids)
    if (id.empty() || id.size() > 19 || id.find_first_not_of("0123456789") != std::string::npos)
      return Error::invalid("--location must be a TikTok location id (digits), got \"" +
                            id.substr(0, 40) + "\"");
  return {};
}

// The post and the identity the ad shows it under: the link's identity for
// its own posts, the creator's AUTH_CODE identity for a post bound by code.
// Its authorization must be live.
Result<store::PostRecord> usable_post(const LaunchSpec& spec, const LaunchFacts& facts) {
  const store::LinkRecord& link = facts.link;
  for (const auto& p : facts.posts) {
    if (p.item_id != spec.item_id) continue;
    const bool own = p.identity_id == link.identity_id;
    if (!own && p.identity_type != "AUTH_CODE") break;
    const bool live =
        p.auth_code_status == "IN_USE" && p.auth_end_time && *p.auth_end_time > facts.now;
    if (!live)
      return Error::conflict("post " + p.item_id + "'s authorization is not live (" +
                             p.auth_code_status +
                             (p.auth_end_time ? ", ends " + format_rfc3339(*p.auth_end_time) : "") +
                             "): an ad on it would not deliver");
    return p;
  }
  return Error::conflict("post " + spec.item_id + " cannot be used by link " + link.id +
                         "'s identity: it is neither one of its own posts nor one bound to its "
                         "advertiser by code (ttlinkctl posts lists them; ttlinkctl sync " +
                         link.id + " reads them again)");
}

Result<void> check_all(const LaunchSpec& spec, const LaunchFacts& facts, TimePoint start) {
  const std::string currency = facts.advertiser ? facts.advertiser->currency : "";
  if (auto r = check_link(facts.link); !r) return r;
  if (auto r = check_name(spec.name); !r) return r;
  if (!tiktok::goal_for(spec.objective))
    return Error::invalid("--objective must be TRAFFIC, REACH or VIDEO_VIEWS");
  if (auto r = check_schedule(spec, start, facts.now); !r) return r;
  if (auto r = check_budget(spec, start, currency); !r) return r;
  if (auto r = check_landing(spec); !r) return r;
  if (auto r = check_cta(spec.call_to_action); !r) return r;
  return check_locations(spec.location_ids);
}

}  // namespace

std::string money(double amount, const std::string& currency) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", amount);
  return currency.empty() ? std::string(buf) : std::string(buf) + " " + currency;
}

std::string spec_json(const LaunchSpec& s) {
  json::array locations;
  for (const auto& l : s.location_ids) locations.emplace_back(l);
  return json::serialize(json::object{{"objective", s.objective},
                                      {"post", s.item_id},
                                      {"daily_budget", number_or_null(s.daily_budget)},
                                      {"total_budget", number_or_null(s.total_budget)},
                                      {"start", time_or_null(s.start)},
                                      {"end", time_or_null(s.end)},
                                      {"locations", std::move(locations)},
                                      {"landing_url", s.landing_url},
                                      {"cta", s.call_to_action}});
}

Result<LaunchPlan> plan_launch(const LaunchSpec& spec, const LaunchFacts& facts) {
  const TimePoint start = spec.start.value_or(facts.now);
  if (auto r = check_all(spec, facts, start); !r) return r.error();
  auto post = usable_post(spec, facts);
  if (!post) return post.error();
  const store::LinkRecord& link = facts.link;
  LaunchPlan plan;
  plan.campaign = {link.advertiser_id, spec.name, spec.objective, ""};
  tiktok::AdgroupRequest& g = plan.adgroup;
  g.advertiser_id = link.advertiser_id;
  g.name = spec.name;
  g.location_ids = spec.location_ids;
  if (g.location_ids.empty()) g.location_ids.emplace_back(kDefaultLocation);
  g.budget_mode = spec.daily_budget ? "BUDGET_MODE_DAY" : "BUDGET_MODE_TOTAL";
  g.budget = spec.daily_budget ? *spec.daily_budget : *spec.total_budget;
  g.start = start;
  g.end = spec.end;
  g.goal = *tiktok::goal_for(spec.objective);
  tiktok::SparkAdRequest& ad = plan.ad;
  ad.advertiser_id = link.advertiser_id;
  ad.name = spec.name;
  const bool own = post->identity_id == link.identity_id;
  ad.identity_type = own ? link.identity_type : "AUTH_CODE";
  ad.identity_id = own ? link.identity_id : post->identity_id;
  ad.item_id = post->item_id;
  ad.landing_page_url = spec.landing_url;
  ad.call_to_action = spec.call_to_action;
  if (ad.call_to_action.empty() && !spec.landing_url.empty()) ad.call_to_action = "LEARN_MORE";
  return plan;
}

}  // namespace ttlink::ads

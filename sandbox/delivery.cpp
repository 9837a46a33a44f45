#include "delivery.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "posts.hpp"

namespace sandbox {
namespace {

constexpr std::int64_t kDay = 86400;
// The daily budget of ads whose ad group and campaign set none (the demo's
// and generated worlds' ads): assumed, a campaign's minimum.
constexpr double kDefaultDailyBudget = 50;

// FNV-1a: stable across builds and platforms, unlike std::hash.
double unit_hash(const std::string& text, const char* salt) {
  std::uint64_t h = 1469598103934665603ull;
  for (const char* p = salt; *p != '\0'; ++p)
    h = (h ^ static_cast<unsigned char>(*p)) * 1099511628211ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return static_cast<double>(h >> 11) / static_cast<double>(1ull << 53);
}

double between(const std::string& ad_id, const char* salt, double low, double high) {
  return low + (high - low) * unit_hash(ad_id, salt);
}

std::optional<std::int64_t> time_field(const json::object& o, const char* key) {
  return parse_tiktok_time(str_field(o, key));
}

double number_field(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_number() ? v->to_number<double>() : 0;
}

const json::object* adgroup_of(const World& w, const json::object& ad) {
  return w.adgroups.find({str_field(ad, "advertiser_id"), str_field(ad, "adgroup_id")});
}

const json::object* campaign_of(const World& w, const json::object& ad,
                                const json::object* adgroup) {
  auto id = str_field(ad, "campaign_id");
  if (id.empty() && adgroup != nullptr) id = str_field(*adgroup, "campaign_id");
  return w.campaigns.find({str_field(ad, "advertiser_id"), id});
}

bool enabled(const json::object* row) {
  return row == nullptr || str_field(*row, "operation_status") != "DISABLE";
}

std::int64_t schedule_days(const json::object& adgroup) {
  auto start = time_field(adgroup, "schedule_start_time");
  auto end = time_field(adgroup, "schedule_end_time");
  if (!start || !end || *end <= *start) return 0;
  return (*end - *start + kDay - 1) / kDay;
}

// The daily budget the ad paces on: its ad group's, else its campaign's.
double daily_budget(const json::object* budget_owner, std::int64_t days) {
  if (budget_owner == nullptr) return 0;
  auto mode = str_field(*budget_owner, "budget_mode");
  double budget = number_field(*budget_owner, "budget");
  if (mode == "BUDGET_MODE_DAY") return budget;
  if (mode == "BUDGET_MODE_TOTAL")
    return days > 0 ? budget / static_cast<double>(days) : budget / 30;
  return 0;
}

std::string fixed2(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

Window delivery_window(const World& w, const json::object& ad, std::int64_t now) {
  const auto* adgroup = adgroup_of(w, ad);
  const auto* campaign = campaign_of(w, ad, adgroup);
  if (str_field(ad, "operation_status") == "DISABLE" || !enabled(adgroup) || !enabled(campaign))
    return {};
  Window win{time_field(ad, "create_time").value_or(0), now};
  auto narrow = [&](std::optional<std::int64_t> start, std::optional<std::int64_t> stop) {
    if (start) win.start = std::max(win.start, *start);
    if (stop) win.stop = std::min(win.stop, *stop);
  };
  if (adgroup != nullptr) {
    narrow(time_field(*adgroup, "schedule_start_time"), std::nullopt);
    if (str_field(*adgroup, "schedule_type") == "SCHEDULE_START_END")
      narrow(std::nullopt, time_field(*adgroup, "schedule_end_time"));
  }
  if (str_field(ad, "tiktok_item_id").empty()) return win;
  narrow(std::nullopt, time_field(ad, "authorization_lost_at"));
  const auto* post =
      w.posts.find({str_field(ad, "advertiser_id"), str_field(ad, "tiktok_item_id")});
  if (post == nullptr) {
    if (!ad.contains("authorization_lost_at")) return {};
    return win;
  }
  auto status = str_field(*post, "ad_auth_status");
  if (status != "IN_USE") return {};  // NOT_USED or DELETED set by hand: never authorized
  narrow(time_field(*post, "auth_start_time"), time_field(*post, "auth_end_time"));
  return win;
}

bool delivering(const World& w, const json::object& ad, std::int64_t now) {
  auto win = delivery_window(w, ad, now + 1);
  return !win.empty() && win.stop == now + 1;
}

std::string ad_secondary_status(const World& w, const json::object& ad, std::int64_t now) {
  if (str_field(ad, "operation_status") == "DISABLE") return "AD_STATUS_DISABLE";
  if (!ad_authorization_live(w, ad, now)) return "STATUS_ASSET_AUTHORIZATION_LOST";
  auto stored = str_field(ad, "secondary_status");
  return stored.empty() ? "AD_STATUS_DELIVERY_OK" : stored;
}

Rates rates_of(const World& w, const json::object& ad) {
  const auto* adgroup = adgroup_of(w, ad);
  const auto* campaign = campaign_of(w, ad, adgroup);
  auto days = adgroup ? schedule_days(*adgroup) : 0;
  double budget = daily_budget(adgroup, days);
  if (budget <= 0) budget = daily_budget(campaign, days);
  if (budget <= 0) budget = kDefaultDailyBudget;
  auto objective = campaign ? str_field(*campaign, "objective_type") : "";
  auto id = str_field(ad, "ad_id");
  Rates r;
  r.spend_per_day = budget * between(id, "pace", 0.55, 0.95);
  if (objective == "REACH") {
    r.cpm = between(id, "cpm", 2.5, 4.5);
  } else if (objective == "TRAFFIC") {
    r.cpm = between(id, "cpm", 5, 9);
  } else {
    r.cpm = between(id, "cpm", 3, 6);
  }
  r.ctr =
      objective == "TRAFFIC" ? between(id, "ctr", 0.012, 0.025) : between(id, "ctr", 0.004, 0.01);
  r.play =
      objective == "VIDEO_VIEWS" ? between(id, "play", 0.7, 0.85) : between(id, "play", 0.35, 0.55);
  r.like = between(id, "like", 0.03, 0.06);
  r.comment = between(id, "comment", 0.001, 0.003);
  r.share = between(id, "share", 0.0005, 0.0015);
  r.follow = between(id, "follow", 0.0005, 0.002);
  r.visit = between(id, "visit", 0.003, 0.008);
  return r;
}

Figures day_figures(const Rates& r, const Window& window, std::int64_t day_start) {
  auto from = std::max(window.start, day_start);
  auto to = std::min(window.stop, day_start + kDay);
  Figures f;
  if (to <= from) return f;
  auto seconds = static_cast<double>(to - from);
  f.spend_cents = static_cast<std::int64_t>(std::floor(r.spend_per_day * 100 * seconds / kDay));
  auto impressions = static_cast<double>(f.spend_cents) / 100 / r.cpm * 1000;
  auto count = [&](double rate) {
    return static_cast<std::int64_t>(std::floor(impressions * rate));
  };
  f.impressions = count(1);
  f.clicks = count(r.ctr);
  f.video_play_actions = count(r.play);
  f.likes = count(r.like);
  f.comments = count(r.comment);
  f.shares = count(r.share);
  f.follows = count(r.follow);
  f.profile_visits = count(r.visit);
  return f;
}

Figures& Figures::operator+=(const Figures& o) {
  spend_cents += o.spend_cents;
  impressions += o.impressions;
  clicks += o.clicks;
  likes += o.likes;
  comments += o.comments;
  shares += o.shares;
  follows += o.follows;
  video_play_actions += o.video_play_actions;
  profile_visits += o.profile_visits;
  return *this;
}

std::string Figures::metric(const std::string& name) const {
  if (name == "spend") return fixed2(static_cast<double>(spend_cents) / 100);
  if (name == "ctr")
    return fixed2(
        impressions ? 100.0 * static_cast<double>(clicks) / static_cast<double>(impressions) : 0);
  if (name == "cpc")
    return fixed2(clicks ? static_cast<double>(spend_cents) / 100 / static_cast<double>(clicks)
                         : 0);
  const std::pair<const char*, std::int64_t> counts[] = {{"impressions", impressions},
                                                         {"clicks", clicks},
                                                         {"likes", likes},
                                                         {"comments", comments},
                                                         {"shares", shares},
                                                         {"follows", follows},
                                                         {"video_play_actions", video_play_actions},
                                                         {"profile_visits", profile_visits}};
  for (const auto& [key, value] : counts)
    if (name == key) return std::to_string(value);
  return "";
}

bool known_metric(const std::string& name) {
  return !Figures{}.metric(name).empty();
}

}  // namespace sandbox

#include "campaign_rules.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cstdio>

namespace sandbox::rules {

const std::vector<std::string> kObjectives = {"REACH",           "TRAFFIC",       "VIDEO_VIEWS",
                                              "ENGAGEMENT",      "APP_PROMOTION", "WEB_CONVERSIONS",
                                              "LEAD_GENERATION", "PRODUCT_SALES", "RF_REACH"};
const std::vector<std::string> kSimulatedObjectives = {"REACH", "TRAFFIC", "VIDEO_VIEWS"};
const std::vector<std::string> kBudgetModes = {"BUDGET_MODE_INFINITE", "BUDGET_MODE_DAY",
                                               "BUDGET_MODE_TOTAL"};
// TikTok's call-to-action values that a website ad may carry.
const std::vector<std::string> kCallsToAction = {
    "LEARN_MORE", "SHOP_NOW",  "SIGN_UP",     "CONTACT_US", "APPLY_NOW",  "BOOK_NOW",
    "ORDER_NOW",  "WATCH_NOW", "READ_MORE",   "VIEW_NOW",   "GET_QUOTE",  "SUBSCRIBE",
    "DOWNLOAD",   "PLAY_GAME", "INSTALL_NOW", "INTERESTED", "VISIT_STORE"};

bool one_of(const std::string& value, const std::vector<std::string>& allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

std::string must_be_one_of(const std::string& field, const std::vector<std::string>& allowed) {
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return field + ": Must be one of " + list + ".";
}

std::size_t utf8_chars(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

namespace {

struct Goal {
  const char* objective;
  const char* goal;
  const char* billing;
  const char* promotion_type;  // "" when any
};

// tiktok-api.md: REACH -> REACH, TRAFFIC -> CLICK | TRAFFIC_LANDING_PAGE_VIEW
// (promotion_type WEBSITE), VIDEO_VIEWS -> ENGAGED_VIEW. The billing event of
// each goal is assumed there (CLICK->CPC, REACH->CPM, landing page view->OCPM,
// ENGAGED_VIEW->CPV); this table is the one place that holds it.
constexpr Goal kGoals[] = {
    {"REACH", "REACH", "CPM", ""},
    {"TRAFFIC", "CLICK", "CPC", "WEBSITE"},
    {"TRAFFIC", "TRAFFIC_LANDING_PAGE_VIEW", "OCPM", "WEBSITE"},
    {"VIDEO_VIEWS", "ENGAGED_VIEW", "CPV", ""},
};

std::string money(double amount, const std::string& currency) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", amount);
  return std::string(buf) + " " + currency;
}

}  // namespace

std::string check_goal(const std::string& objective, const std::string& goal,
                       const std::string& billing, const std::string& promotion_type) {
  std::vector<std::string> goals;
  for (const auto& g : kGoals) {
    if (objective != g.objective) continue;
    goals.emplace_back(g.goal);
    if (goal != g.goal) continue;
    if (billing != g.billing)
      return "billing_event: Must be " + std::string(g.billing) + " for optimization_goal " + goal +
             ".";
    if (*g.promotion_type != '\0' && promotion_type != g.promotion_type)
      return "promotion_type: Must be " + std::string(g.promotion_type) + " for objective_type " +
             objective + ".";
    return "";
  }
  return must_be_one_of("optimization_goal", goals) + " (objective_type " + objective + ")";
}

std::string check_campaign_budget(const std::string& mode, std::optional<double> budget,
                                  const std::string& currency) {
  if (!one_of(mode, kBudgetModes)) return must_be_one_of("budget_mode", kBudgetModes);
  if (mode == "BUDGET_MODE_INFINITE") return "";
  if (!budget) return "budget: Missing data for required field (budget_mode " + mode + ").";
  if (*budget < kMinCampaignBudget)
    return "budget: The campaign budget must be at least " + money(kMinCampaignBudget, currency) +
           " (given " + money(*budget, currency) + ").";
  return "";
}

std::string check_adgroup_budget(const std::string& mode, std::optional<double> budget,
                                 std::int64_t schedule_days, bool campaign_has_budget,
                                 const std::string& currency) {
  if (mode.empty() || mode == "BUDGET_MODE_INFINITE") {
    if (campaign_has_budget) return "";
    return "budget: The ad group needs a budget when its campaign has none.";
  }
  if (!one_of(mode, kBudgetModes)) return must_be_one_of("budget_mode", kBudgetModes);
  if (!budget) return "budget: Missing data for required field (budget_mode " + mode + ").";
  if (mode == "BUDGET_MODE_DAY" && *budget < kMinAdgroupDailyBudget)
    return "budget: The ad group daily budget must be at least " +
           money(kMinAdgroupDailyBudget, currency) + " (given " + money(*budget, currency) + ").";
  if (mode == "BUDGET_MODE_TOTAL") {
    if (schedule_days == 0) return "schedule_type: A total budget needs SCHEDULE_START_END.";
    double minimum = kMinAdgroupDailyBudget * static_cast<double>(schedule_days);
    if (*budget < minimum)
      return "budget: The ad group total budget must be at least " +
             money(kMinAdgroupDailyBudget, currency) + " x " + std::to_string(schedule_days) +
             " days = " + money(minimum, currency) + " (given " + money(*budget, currency) + ").";
  }
  return "";
}

std::string check_schedule(const std::string& type, std::optional<std::int64_t> start,
                           std::optional<std::int64_t> end, std::int64_t now) {
  if (type != "SCHEDULE_FROM_NOW" && type != "SCHEDULE_START_END")
    return must_be_one_of("schedule_type", {"SCHEDULE_FROM_NOW", "SCHEDULE_START_END"});
  if (!start) return "schedule_start_time: Not a valid time (YYYY-MM-DD HH:MM:SS).";
  if (*start < now - kMaxStartInPast)
    return "schedule_start_time: The start time cannot be more than 12 hours in the past.";
  if (type == "SCHEDULE_FROM_NOW") return "";
  if (!end) return "schedule_end_time: Not a valid time (YYYY-MM-DD HH:MM:SS).";
  if (*end <= *start) return "schedule_end_time: The end time must be after the start time.";
  return "";
}

std::string check_landing_page(const std::string& field, const std::string& url, bool need_https) {
  if (url.empty())
    return need_https ? field + ": Missing data for required field (an https URL)." : "";
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || parsed->host().empty()) return field + ": Not a valid URL.";
  if (parsed->scheme() == "https") return "";
  if (need_https || parsed->scheme() != "http")
    return field + ": The URL must start with https://.";
  return "";
}

}  // namespace sandbox::rules

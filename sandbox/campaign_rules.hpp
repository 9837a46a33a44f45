#pragma once
// What /campaign/create/, /adgroup/create/ and /ad/create/ accept, in one
// place: the enumerations, the objective -> goal -> billing combinations, the
// minimum budgets and the schedule rules of tiktok-api.md ("Campaigns, ad
// groups, ads, reports"). Each check returns "" or the 40002 message, which
// names the field.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sandbox::rules {

// TikTok's help centre, not the API docs (account currency units).
inline constexpr double kMinCampaignBudget = 50;
inline constexpr double kMinAdgroupDailyBudget = 20;
inline constexpr std::int64_t kMaxStartInPast = 12 * 3600;
inline constexpr std::size_t kMaxNameChars = 512;
inline constexpr std::size_t kMaxCreatives = 20;

bool one_of(const std::string& value, const std::vector<std::string>& allowed);
std::string must_be_one_of(const std::string& field, const std::vector<std::string>& allowed);
std::size_t utf8_chars(const std::string& text);

extern const std::vector<std::string> kObjectives;
// The objectives whose ad groups and ads the sandbox simulates.
extern const std::vector<std::string> kSimulatedObjectives;
extern const std::vector<std::string> kBudgetModes;
extern const std::vector<std::string> kCallsToAction;

// The ad group's optimization_goal / billing_event / promotion_type for the
// campaign's objective: "" or the message.
std::string check_goal(const std::string& objective, const std::string& goal,
                       const std::string& billing, const std::string& promotion_type);

// A campaign's budget for its mode (budget: nullopt when absent).
std::string check_campaign_budget(const std::string& mode, std::optional<double> budget,
                                  const std::string& currency);
// An ad group's budget. `schedule_days`: the START_END schedule's length in
// days (rounded up), 0 for SCHEDULE_FROM_NOW; `campaign_has_budget`: the
// campaign sets a budget, so the ad group may leave its own out.
std::string check_adgroup_budget(const std::string& mode, std::optional<double> budget,
                                 std::int64_t schedule_days, bool campaign_has_budget,
                                 const std::string& currency);
// schedule_type and times ("YYYY-MM-DD HH:MM:SS" UTC) against the clock.
std::string check_schedule(const std::string& type, std::optional<std::int64_t> start,
                           std::optional<std::int64_t> end, std::int64_t now);
// A landing page: an absolute URL; https when `need_https` (TRAFFIC).
std::string check_landing_page(const std::string& field, const std::string& url, bool need_https);

}  // namespace sandbox::rules

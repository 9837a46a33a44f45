#include "core/links/schedule_budget.hpp"

#include <algorithm>
#include <cmath>

namespace ttlink::links {

bool ScheduleBudget::update(const BudgetSample& s, Seconds interval, double max_qps) {
  if (s.checks > 0)
    requests_per_check_ = static_cast<double>(s.requests) / static_cast<double>(s.checks);
  double wanted = 1.0;
  if (max_qps > 0 && interval.count() > 0 && requests_per_check_ > 0) {
    const double needed_qps = static_cast<double>(s.checkable_links) * requests_per_check_ /
                              static_cast<double>(interval.count());
    wanted = std::max(1.0, needed_qps / (max_qps * kChecksShare));
  }
  // Hundredths: a stretch that wobbles with each minute's measure is not news.
  wanted = std::ceil(wanted * 100) / 100;
  if (wanted == stretch_) return false;
  stretch_ = wanted;
  return true;
}

// Whole minutes once past a minute: a person reads "101m", not "6003s".
Seconds ScheduleBudget::effective(Seconds interval) const {
  if (stretch_ <= 1.0) return interval;
  auto s = static_cast<long long>(std::ceil(static_cast<double>(interval.count()) * stretch_));
  if (s > 60) s = (s + 59) / 60 * 60;
  return Seconds{s};
}

std::string ScheduleBudget::message(Seconds interval) const {
  if (stretch_ <= 1.0) return "";
  return "checks run every " + format_duration(effective(interval)) + " instead of " +
         format_duration(interval) + ": raise poll.max_qps or poll.status_interval";
}

}  // namespace ttlink::links

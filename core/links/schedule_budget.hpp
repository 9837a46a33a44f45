#pragma once
// Whether the configured check interval fits in the request budget. Every
// minute it compares what the links need (checkable links x upstream
// requests per check, as measured over the last minute, per interval) with
// what poll.max_qps allows (90 % of it: refreshes and comments need room);
// when they do not fit, checks are stretched evenly to the interval that
// does (logged once per change) and `status` says so. The lag is how late
// the most overdue due work is now.
#include <optional>
#include <string>

#include "core/util/time.hpp"

namespace ttlink::links {

struct BudgetSample {
  std::int64_t checkable_links = 0;
  std::uint64_t checks = 0;    // checks completed since the last sample
  std::uint64_t requests = 0;  // upstream requests sent since the last sample
};

class ScheduleBudget {
 public:
  // The share of max_qps that routine checks may plan on.
  static constexpr double kChecksShare = 0.9;

  // Updates the stretch from one sample; true when it changed.
  bool update(const BudgetSample& s, Seconds interval, double max_qps);
  // The interval checks are planned at (>= the configured one).
  Seconds effective(Seconds interval) const;
  double stretch() const { return stretch_; }
  double requests_per_check() const { return requests_per_check_; }
  // "" when the interval fits, else what a person should do.
  std::string message(Seconds interval) const;

 private:
  double stretch_ = 1.0;
  double requests_per_check_ = 0;  // measured (0 until a check completed)
};

}  // namespace ttlink::links

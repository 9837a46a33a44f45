#include "core/spark/comment_window.hpp"

#include <algorithm>

namespace ttlink::spark {
namespace {

constexpr Seconds kDay{86400};
// Dates a new comment may still carry: yesterday, today and tomorrow,
// depending on the advertiser's time zone.
constexpr int kOverlapDates = 2;

TimePoint midnight_of(const std::string& date) {
  // Cursor dates are written by date_of(); an unreadable one is a damaged
  // row, read as the epoch: the windows then start over from far back, and
  // stored comments are not stored twice.
  return parse_tiktok_time(date + " 00:00:00").value_or(TimePoint{});
}

}  // namespace

std::string date_of(TimePoint t) {
  return format_tiktok_time(t).substr(0, 10);
}

CommentWindow comment_window(const std::string& start, TimePoint now) {
  const TimePoint first = midnight_of(start);
  const TimePoint last = first + (kCommentWindowDays - 1) * kDay;
  const std::string tomorrow = date_of(now + kDay);
  const std::string capped_end = date_of(last);
  if (capped_end < tomorrow) return {start, capped_end, true};
  return {start, std::max(tomorrow, start), false};
}

std::string next_window_start(const CommentWindow& w) {
  return date_of(midnight_of(w.end) - kOverlapDates * kDay);
}

}  // namespace ttlink::spark

#pragma once
// The date range /comment/list/ is asked for. Upstream refuses a range of
// more than 30 days (40002 "The time range cannot exceed 30 days."), so a
// cursor reads one window of at most 30 dates (inclusive) at a time, oldest
// first. A window reaches tomorrow (upstream dates may be in the
// advertiser's time zone, up to 14 h ahead of UTC) unless 30 dates do not
// get that far: such a window, once read in full, hands over to the next,
// which starts two dates before its end, so that comments still landing on
// its last dates (yesterday and today somewhere) are read there. Re-read
// comments are not stored twice (comment_id); no comment is skipped.
#include <string>

#include "core/util/time.hpp"

namespace ttlink::spark {

// *(assumed)* the limit's exact boundary: tiktok-api.md says "at most 30
// days"; read as 30 calendar dates, start and end included.
inline constexpr int kCommentWindowDays = 30;

struct CommentWindow {
  std::string start;    // YYYY-MM-DD
  std::string end;      // YYYY-MM-DD, at most kCommentWindowDays - 1 dates after start
  bool capped = false;  // ends before tomorrow: the next window takes over once read
};

// The window starting at `start` as of `now`.
CommentWindow comment_window(const std::string& start, TimePoint now);
// Where the window after `w` starts: two dates before w's end.
std::string next_window_start(const CommentWindow& w);
// YYYY-MM-DD of `t` in UTC.
std::string date_of(TimePoint t);

}  // namespace ttlink::spark

#pragma once
// Wall-clock time as whole seconds since the epoch, and the two text forms the
// project meets: RFC 3339 UTC (ours) and "YYYY-MM-DD HH:MM:SS" UTC (TikTok's).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ttlink {

using Seconds = std::chrono::seconds;
using TimePoint = std::chrono::sys_seconds;

TimePoint now_utc();
TimePoint from_unix(std::int64_t seconds);
std::int64_t to_unix(TimePoint t);

std::string format_rfc3339(TimePoint t);  // 2026-11-24T10:00:00Z
std::optional<TimePoint> parse_rfc3339(std::string_view text);
std::string format_tiktok_time(TimePoint t);  // 2026-11-24 10:00:00
std::optional<TimePoint> parse_tiktok_time(std::string_view text);

// "90s", "15m", "2h", "14d", "1w": a positive whole number and a unit.
std::optional<Seconds> parse_duration(std::string_view text);
std::string format_duration(Seconds d);

}  // namespace ttlink

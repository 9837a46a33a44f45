#include "core/util/time.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace ttlink {
namespace {

std::optional<TimePoint> parse_fields(std::string_view text, char date_time_sep, bool want_z) {
  // YYYY-MM-DD?HH:MM:SS[Z]
  const std::size_t expected = want_z ? 20 : 19;
  if (text.size() != expected) return std::nullopt;
  int f[6];
  const std::size_t pos[6] = {0, 5, 8, 11, 14, 17};
  const std::size_t len[6] = {4, 2, 2, 2, 2, 2};
  for (int i = 0; i < 6; ++i) {
    auto s = text.substr(pos[i], len[i]);
    auto r = std::from_chars(s.data(), s.data() + s.size(), f[i]);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
  }
  if (text[4] != '-' || text[7] != '-' || text[10] != date_time_sep || text[13] != ':' ||
      text[16] != ':' || (want_z && text[19] != 'Z'))
    return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year{f[0]}, month{static_cast<unsigned>(f[1])},
                     day{static_cast<unsigned>(f[2])}};
  if (!ymd.ok() || f[3] > 23 || f[4] > 59 || f[5] > 60) return std::nullopt;
  return sys_days{ymd} + hours{f[3]} + minutes{f[4]} + seconds{f[5]};
}

std::string format_fields(TimePoint t, const char* fmt) {
  std::time_t tt = static_cast<std::time_t>(t.time_since_epoch().count());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}

}  // namespace

TimePoint now_utc() {
  return std::chrono::time_point_cast<Seconds>(std::chrono::system_clock::now());
}
TimePoint from_unix(std::int64_t s) {
  return TimePoint{Seconds{s}};
}
std::int64_t to_unix(TimePoint t) {
  return t.time_since_epoch().count();
}

std::string format_rfc3339(TimePoint t) {
  return format_fields(t, "%Y-%m-%dT%H:%M:%SZ");
}
std::optional<TimePoint> parse_rfc3339(std::string_view text) {
  return parse_fields(text, 'T', true);
}
std::string format_tiktok_time(TimePoint t) {
  return format_fields(t, "%Y-%m-%d %H:%M:%S");
}
std::optional<TimePoint> parse_tiktok_time(std::string_view text) {
  return parse_fields(text, ' ', false);
}

std::optional<Seconds> parse_duration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  long long n = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size() - 1, n);
  if (r.ec != std::errc{} || r.ptr != text.data() + text.size() - 1 || n <= 0) return std::nullopt;
  long long unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    case 'w':
      unit = 7 * 86400;
      break;
    default:
      return std::nullopt;
  }
  if (n > (1LL << 40) / unit) return std::nullopt;
  return Seconds{n * unit};
}

std::string format_duration(Seconds d) {
  long long s = d.count();
  if (s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

}  // namespace ttlink

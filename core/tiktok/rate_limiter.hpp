#pragma once
// Client-side rate limits (tiktok-api.md: per app and per endpoint): a global
// token bucket and one per endpoint, plus back-off windows opened by 40100,
// 40132 (an endpoint) and 61000 (the whole app). Runs on the state thread.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ttlink::tiktok {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  // `rate` tokens per second (0 = unlimited); bursts of up to max(1, rate).
  explicit TokenBucket(double rate = 0);
  void set_rate(double rate);
  // Zero when a token is free now, else how long until one is.
  Clock::duration wait_time(Clock::time_point now);
  void take();  // after wait_time() returned zero

 private:
  double rate_;
  double tokens_;
  Clock::time_point last_{};
};

// A back-off window open now: the whole app ("app", endpoint "") or one
// endpoint ("endpoint").
struct OpenBackoff {
  std::string scope;
  std::string endpoint;
  double seconds_left = 0;
  long code = 0;         // the upstream code that opened it (app pauses)
  std::string reason{};  // upstream's message (app pauses)
};

// The limits of the app and of its endpoints (config [limits], poll.max_qps).
struct Limits {
  double app_qps = 0;          // the whole app; 0 = unlimited
  double endpoint_qps = 0;     // each endpoint unless overridden; 0 = unlimited
  std::int64_t daily_cap = 0;  // requests per endpoint per UTC day; 0 = none
  struct Override {
    std::optional<double> qps;
    std::optional<std::int64_t> daily_cap;
  };
  std::map<std::string, Override, std::less<>> endpoints;
};

struct RateLimiterStats {
  std::uint64_t waits = 0;    // acquisitions that had to wait
  double waited_seconds = 0;  // total time spent waiting
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(boost::asio::any_io_executor ex, double global_qps, double endpoint_qps);

  // Waits until both the global and the endpoint's bucket give a token and
  // no back-off window is open. Returns why the request may not go at all
  // (the endpoint's daily cap is used up), or "" when it may.
  boost::asio::awaitable<std::string> acquire(std::string_view endpoint);
  void set_limits(Limits limits);
  // Days are counted in UTC on this clock (tests move it).
  void count_days_with(std::function<std::int64_t()> unix_now) { unix_now_ = std::move(unix_now); }
  // Opens a back-off window for one endpoint, or for all when endpoint is "".
  void back_off(std::string_view endpoint, Clock::duration d);
  void set_rates(double global_qps, double endpoint_qps);
  const RateLimiterStats& stats() const { return stats_; }
  std::vector<OpenBackoff> open_backoffs() const;

 private:
  Clock::duration delay(std::string_view endpoint, Clock::time_point now);

  double qps_of(std::string_view endpoint) const;
  std::int64_t cap_of(std::string_view endpoint) const;
  // "" when the endpoint's daily cap allows one more request (counted).
  std::string take_daily(std::string_view endpoint);

  boost::asio::any_io_executor ex_;
  double endpoint_qps_;
  Limits limits_;
  std::function<std::int64_t()> unix_now_;
  struct Day {
    std::int64_t day = -1;  // unix day number
    std::int64_t used = 0;
  };
  std::map<std::string, Day, std::less<>> days_;
  TokenBucket global_;
  std::map<std::string, TokenBucket, std::less<>> endpoints_;
  Clock::time_point global_pause_until_{};
  std::map<std::string, Clock::time_point, std::less<>> pause_until_;
  RateLimiterStats stats_;
};

}  // namespace ttlink::tiktok

#include "core/tiktok/rate_limiter.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace ttlink::tiktok {
using boost::asio::awaitable;

TokenBucket::TokenBucket(double rate) : rate_(rate), tokens_(std::max(1.0, rate)) {}

void TokenBucket::set_rate(double rate) {
  rate_ = rate;
  tokens_ = std::min(tokens_, std::max(1.0, rate));
}

void TokenBucket::take() {
  if (rate_ > 0) tokens_ -= 1.0;
}

TokenBucket::Clock::duration TokenBucket::wait_time(Clock::time_point now) {
  if (rate_ <= 0) return Clock::duration::zero();
  const double capacity = std::max(1.0, rate_);
  if (last_ != Clock::time_point{}) {
    double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(capacity, tokens_ + elapsed * rate_);
  }
  last_ = now;
  if (tokens_ >= 1.0) return Clock::duration::zero();
  auto wait = std::chrono::duration<double>((1.0 - tokens_) / rate_);
  return std::chrono::duration_cast<Clock::duration>(wait) + Clock::duration(1);
}

RateLimiter::RateLimiter(boost::asio::any_io_executor ex, double global_qps, double endpoint_qps)
    : ex_(std::move(ex)), endpoint_qps_(endpoint_qps), global_(global_qps) {
  limits_.app_qps = global_qps;
  limits_.endpoint_qps = endpoint_qps;
  unix_now_ = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
}

void RateLimiter::set_rates(double global_qps, double endpoint_qps) {
  Limits l = limits_;
  l.app_qps = global_qps;
  l.endpoint_qps = endpoint_qps;
  set_limits(std::move(l));
}

void RateLimiter::set_limits(Limits limits) {
  limits_ = std::move(limits);
  global_.set_rate(limits_.app_qps);
  endpoint_qps_ = limits_.endpoint_qps;
  for (auto& [endpoint, bucket] : endpoints_) bucket.set_rate(qps_of(endpoint));
}

double RateLimiter::qps_of(std::string_view endpoint) const {
  if (auto it = limits_.endpoints.find(endpoint); it != limits_.endpoints.end() && it->second.qps)
    return *it->second.qps;
  return limits_.endpoint_qps;
}

std::int64_t RateLimiter::cap_of(std::string_view endpoint) const {
  if (auto it = limits_.endpoints.find(endpoint);
      it != limits_.endpoints.end() && it->second.daily_cap)
    return *it->second.daily_cap;
  return limits_.daily_cap;
}

std::string RateLimiter::take_daily(std::string_view endpoint) {
  const std::int64_t cap = cap_of(endpoint);
  if (cap <= 0) return "";
  const std::int64_t today = unix_now_() / 86400;
  auto it = days_.find(endpoint);
  if (it == days_.end()) it = days_.emplace(std::string(endpoint), Day{}).first;
  Day& d = it->second;
  if (d.day != today) d = Day{today, 0};
  if (d.used >= cap)
    return "not sent: the daily cap of " + std::to_string(cap) + " requests to " +
           std::string(endpoint) + " is used up (config [limits]); requests resume at 00:00 UTC";
  ++d.used;
  return "";
}

void RateLimiter::back_off(std::string_view endpoint, Clock::duration d) {
  auto until = Clock::now() + d;
  if (endpoint.empty()) {
    global_pause_until_ = std::max(global_pause_until_, until);
    return;
  }
  auto& slot = pause_until_[std::string(endpoint)];
  slot = std::max(slot, until);
}

std::vector<OpenBackoff> RateLimiter::open_backoffs() const {
  const auto now = Clock::now();
  auto left = [now](Clock::time_point until) {
    return std::chrono::duration<double>(until - now).count();
  };
  std::vector<OpenBackoff> out;
  if (global_pause_until_ > now) out.push_back({"app", "", left(global_pause_until_)});
  for (const auto& [endpoint, until] : pause_until_)
    if (until > now) out.push_back({"endpoint", endpoint, left(until)});
  return out;
}

// Zero when a request may go now (and its tokens are taken), else how long
// to wait before asking again.
RateLimiter::Clock::duration RateLimiter::delay(std::string_view endpoint, Clock::time_point now) {
  if (global_pause_until_ > now) return global_pause_until_ - now;
  if (auto it = pause_until_.find(endpoint); it != pause_until_.end() && it->second > now)
    return it->second - now;
  auto it = endpoints_.find(endpoint);
  if (it == endpoints_.end())
    it = endpoints_.emplace(std::string(endpoint), TokenBucket(qps_of(endpoint))).first;
  auto d = std::max(it->second.wait_time(now), global_.wait_time(now));
  if (d > Clock::duration::zero()) return d;
  it->second.take();
  global_.take();
  return Clock::duration::zero();
}

awaitable<std::string> RateLimiter::acquire(std::string_view endpoint) {
  std::string key(endpoint);
  if (auto refused = take_daily(key); !refused.empty()) co_return refused;
  bool waited = false;
  auto start = Clock::now();
  boost::asio::steady_timer timer(ex_);
  for (;;) {
    auto d = delay(key, Clock::now());
    if (d == Clock::duration::zero()) break;
    waited = true;
    timer.expires_after(d);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
  if (waited) {
    ++stats_.waits;
    stats_.waited_seconds += std::chrono::duration<double>(Clock::now() - start).count();
  }
  co_return std::string();
}

}  // namespace ttlink::tiktok

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
    : ex_(std::move(ex)), endpoint_qps_(endpoint_qps), global_(global_qps) {}

void RateLimiter::set_rates(double global_qps, double endpoint_qps) {
  global_.set_rate(global_qps);
  endpoint_qps_ = endpoint_qps;
  for (auto& [_, bucket] : endpoints_) bucket.set_rate(endpoint_qps);
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
    it = endpoints_.emplace(std::string(endpoint), TokenBucket(endpoint_qps_)).first;
  auto d = std::max(it->second.wait_time(now), global_.wait_time(now));
  if (d > Clock::duration::zero()) return d;
  it->second.take();
  global_.take();
  return Clock::duration::zero();
}

awaitable<void> RateLimiter::acquire(std::string_view endpoint) {
  std::string key(endpoint);
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
}

}  // namespace ttlink::tiktok

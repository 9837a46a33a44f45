#include "core/tiktok/app_gate.hpp"

#include <algorithm>

namespace ttlink::tiktok {

Seconds app_pause(long code, int answers) {
  const long long first = code == 40113 ? 300 : 60;
  const long long cap = 3600;
  return Seconds{std::min<long long>(first << std::clamp(answers - 1, 0, 20), cap)};
}

bool pauses_app(long code) {
  return code == 40113 || code == 61000;
}

bool AppGate::paused() const {
  return condition_ && (probing_ || clock_() < condition_->until);
}

std::optional<double> AppGate::seconds_left() const {
  if (!paused()) return std::nullopt;
  return std::max(0.0, std::chrono::duration<double>(condition_->until - clock_()).count());
}

std::optional<Error> AppGate::refuse() {
  if (!condition_) return std::nullopt;
  if (!paused()) {
    probing_ = true;  // this request is the probe
    return std::nullopt;
  }
  const AppCondition& c = *condition_;
  const char* what = c.code == 40113 ? "the app is forbidden by TikTok"
                                     : "the app is rate-limited by TikTok (blocklist)";
  Error e = Error::upstream(c.code, std::string("not sent: ") + what + " since " +
                                        format_rfc3339(c.since) + " (" + c.message +
                                        "); requests resume after " + format_rfc3339(c.until));
  e.request_id = c.request_id;
  return e;
}

void AppGate::changed() {
  if (on_change_) on_change_();
}

void AppGate::answered(const Result<void>& outcome) {
  probing_ = false;
  const bool paused_app =
      !outcome && outcome.error().kind == ErrorKind::kUpstream && pauses_app(outcome.error().upstream_code);
  if (!paused_app) {
    // No answer (transport trouble): the next request probes. Any other
    // answer: upstream serves the app again.
    if (!outcome && outcome.error().kind == ErrorKind::kTransient) return;
    if (condition_) {
      condition_.reset();
      changed();
    }
    return;
  }
  const Error& e = outcome.error();
  const TimePoint now = clock_();
  const bool news = !condition_ || condition_->code != e.upstream_code;
  if (news) condition_ = AppCondition{};
  AppCondition& c = *condition_;
  if (c.answers == 0) c.since = now;
  c.code = e.upstream_code;
  c.message = e.message;
  c.request_id = e.request_id;
  ++c.answers;
  c.until = now + app_pause(c.code, c.answers);
  if (news) changed();
}

}  // namespace ttlink::tiktok

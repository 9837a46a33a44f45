#pragma once
// App-wide trouble upstream reports (tiktok-api.md): 40113 "app forbidden"
// (fatal for every account) and 61000 "too many requests (blocklist)" (long
// back-off). While either holds, requests are not sent: they fail at once
// with the condition's code, so no link, comment sync or ctl command keeps
// hitting upstream or raises an alert of its own; the condition is one
// app-wide alert (daemon/app_alerts). When a window ends, one request goes
// through as a probe; an answer with the same code opens a longer window,
// any other answer ends the condition. Runs on the state thread.
#include <functional>
#include <optional>
#include <string>

#include "core/util/clock.hpp"
#include "core/util/result.hpp"

namespace ttlink::tiktok {

struct AppCondition {
  long code = 0;            // 40113 or 61000
  std::string message{};    // upstream's, from the last answer with the code
  std::string request_id{};
  TimePoint since{};        // the first answer of the streak
  TimePoint until{};        // requests are not sent before this
  int answers = 0;          // answers with the code in this streak
};

// How long requests wait after the n-th answer (from 1) with `code` in a
// row: 61000 from 1 min, 40113 from 5 min, doubling, at most 1 h. *(assumed:
// tiktok-api.md says only "long back-off"; no source gives figures.)*
Seconds app_pause(long code, int answers);

// True for the codes that pause the whole app.
bool pauses_app(long code);

class AppGate {
 public:
  explicit AppGate(Clock clock) : clock_(std::move(clock)) {}

  // Before a request: the error to fail it with, or nullopt to send it (the
  // probe, when a window has just ended).
  std::optional<Error> refuse();
  // After a request: its outcome (an answer, or a transport error).
  void answered(const Result<void>& outcome);

  // Called (on the state thread, inside answered()) when a condition
  // starts, changes code or ends; not when a window is only extended.
  void on_change(std::function<void()> f) { on_change_ = std::move(f); }

  const std::optional<AppCondition>& condition() const { return condition_; }
  // True while requests are refused (a window is open or a probe is out).
  bool paused() const;
  // Seconds until the next probe may go (0 while one is out), when paused.
  std::optional<double> seconds_left() const;

 private:
  Clock clock_;
  void changed();

  std::optional<AppCondition> condition_;
  bool probing_ = false;
  std::function<void()> on_change_;
};

}  // namespace ttlink::tiktok

#pragma once
// `debug.clock.advance` (only with debug.clock_control = true): tests and
// demos against the sandbox move the sandbox's clock by days; this moves the
// daemon's one clock with it, and pokes whoever waits on time.
#include <functional>

#include "core/rpc/registry.hpp"
#include "core/util/clock.hpp"
#include "core/util/log.hpp"

namespace ttlink::daemon {

void register_debug_clock(rpc::Registry& registry, AdjustableClock& clock, Logger& log,
                          std::function<void()> moved);

}  // namespace ttlink::daemon

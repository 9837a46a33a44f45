#pragma once
// bench/: the shared-advertiser phase of ttlink-bench. A world where many
// TikTok accounts share one advertiser (an agency), all linked through the
// real flow, both clocks moved past one status_interval (not past the
// tokens' refresh), every link checked once: upstream requests per check,
// which the advertiser-level facts shared per round should keep low.
#include <boost/json/object.hpp>

#include <chrono>

#include "support/daemon_fixture.hpp"

namespace ttlink::bench {

struct SharedWorldOptions {
  int links = 1000;
  int accounts_per_advertiser = 100;
  int link_workers = 8;
  std::chrono::seconds timeout{3600};
};

// Replaces the sandbox's world (POST /_sandbox/generate) and runs its own
// daemon; the caller's daemon must be stopped first.
boost::json::object shared_advertiser(test::SandboxProcess& sandbox,
                                      const SharedWorldOptions& options);

}  // namespace ttlink::bench

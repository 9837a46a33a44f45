#pragma once
// bench/: links every generated account through the real flow, as admins and
// browsers would: link.start on the control socket, then both authorization
// pages of the sandbox, then the daemon's callback. Several workers run at
// once; only "log in as this link's owner + open the pages" is serialised,
// because the sandbox's login is one global setting.
#include <string>
#include <vector>

#include "support/daemon_fixture.hpp"

namespace ttlink::bench {

struct GeneratedLink {
  std::string advertiser_id;
  std::string open_id;
};

// Wall time summed over every link, per step of the flow: where a link's
// time goes (with `workers` flows at once, they overlap).
struct LinkingSteps {
  double start = 0;                // link.start on the control socket
  double login_wait = 0;           // waiting for the sandbox login lock
  double approve = 0;              // login + authorization page(s), under the lock
  double advertiser_callback = 0;  // the daemon's callback: code exchange, token stored
  double account_callback = 0;     // ... code exchange, token stored, first check
  std::size_t advertiser_callbacks = 0;
};

struct LinkingReport {
  std::size_t linked = 0;
  std::size_t failed = 0;
  std::string first_error;
  double seconds = 0;
  LinkingSteps steps;
};

// `progress_every` > 0: one line on stderr every that many links.
LinkingReport link_all(test::SandboxProcess& sandbox, test::DaemonProcess& daemon,
                       const std::vector<GeneratedLink>& links, int workers,
                       std::size_t progress_every = 0);

}  // namespace ttlink::bench

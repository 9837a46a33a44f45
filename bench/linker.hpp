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

struct LinkingReport {
  std::size_t linked = 0;
  std::size_t failed = 0;
  std::string first_error;
  double seconds = 0;
};

LinkingReport link_all(test::SandboxProcess& sandbox, test::DaemonProcess& daemon,
                       const std::vector<GeneratedLink>& links, int workers);

}  // namespace ttlink::bench

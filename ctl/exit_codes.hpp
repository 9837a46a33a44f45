#pragma once
// ttlinkctl's exit codes (product.md): scripts branch on these, so they never change.
namespace ttlink::ctl {

enum ExitCode : int {
  kExitOk = 0,
  kExitDaemonError = 1,  // the daemon answered with an error (or a wait timed out)
  kExitUsage = 2,        // bad command line
  kExitUnreachable = 3,  // no daemon on the socket
  kExitUnhealthy = 4,    // done, but what was asked about needs attention
};

}  // namespace ttlink::ctl

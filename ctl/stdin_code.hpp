#pragma once
// A code given as "-" on the command line is read from stdin (one line), so
// that it never shows in argv (ps, /proc) nor in the shell's history.
#include <optional>
#include <string>

namespace ttlink::ctl {

// One line from stdin (prompting when stdin is a terminal), without its
// line end; nullopt when there is none.
std::optional<std::string> code_from_stdin();

}  // namespace ttlink::ctl

#pragma once
// Secret files: the app secret, webhook secret_files, the store key. A file
// that group or others may access is refused before a byte of it is read,
// with its path and mode in the message (issue 14: the store key alone used
// to be held to 0600).
#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/util/result.hpp"
#include "core/util/secret.hpp"

namespace ttlink::config {

// "PATH: mode 0644 lets group/others read it; chmod 600 PATH" when `mode`
// has any group or other permission bit.
Result<void> check_secret_mode(const std::string& path, mode_t mode);

// Reads a one-line secret: a regular file with a private mode, one trailing
// newline ("\n" or "\r\n") stripped, not empty. `what` names it in messages
// ("app secret file").
Result<Secret> read_secret_file(const std::string& path, std::string_view what);

}  // namespace ttlink::config

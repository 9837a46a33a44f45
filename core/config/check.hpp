#pragma once
// `ttlinkd --check-config` beyond the text: the files and directories a
// config names, as this process sees them (secret files readable and
// private, the store key, the store's and the socket's directories, the
// socket's group, the CA file, exec sinks' programs). A secret under
// /run/credentials/ that this process cannot read is systemd's to hand to the
// service: it is "checked at start", not an error.
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/util/result.hpp"

namespace ttlink::config {

enum class Verdict {
  kOk,
  kAtStart,  // cannot be checked from here; the daemon checks it when it starts
  kError,
};

struct Finding {
  std::string key;   // "tiktok.app_secret_file"
  std::string path;  // the file or directory concerned ("" when none)
  Verdict verdict = Verdict::kOk;
  std::string detail;  // for a person; never a secret's content
};

struct CheckReport {
  std::vector<Finding> findings;
  bool ok() const;
};

CheckReport check_deployment(const Config& config);

// One line per finding, then "ttlinkd: PATH is valid" or the number of problems.
std::string render_report(const CheckReport& report, const std::string& config_path);

// At start-up, before anything is built: every secret file the config names
// (app secret, webhook secret_files, an existing store key) is private, or
// the error names its path and mode.
Result<void> check_secret_files(const Config& config);

}  // namespace ttlink::config

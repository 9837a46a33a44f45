#include "core/config/check.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/config/secret_file.hpp"

namespace ttlink::config {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kCredentials = "/run/credentials/";
constexpr std::size_t kStoreKeySize = 32;

bool under_credentials(const std::string& path) {
  return path.rfind(kCredentials, 0) == 0;
}

Finding ok(std::string key, std::string path, std::string detail) {
  return {std::move(key), std::move(path), Verdict::kOk, std::move(detail)};
}
Finding at_start(std::string key, std::string path, std::string detail) {
  return {std::move(key), std::move(path), Verdict::kAtStart, std::move(detail)};
}
Finding error(std::string key, std::string path, std::string detail) {
  return {std::move(key), std::move(path), Verdict::kError, std::move(detail)};
}

// systemd makes credentials readable by the service's user only: from an
// admin's shell (or before the service runs) they cannot be read.
bool credential_out_of_reach(const std::string& path, int err) {
  return under_credentials(path) && (err == EACCES || err == ENOENT || err == EPERM);
}

Finding check_secret(const std::string& key, const std::string& path, std::string_view what) {
  if (::access(path.c_str(), R_OK) != 0 && credential_out_of_reach(path, errno))
    return at_start(key, path,
                    "checked at start (a systemd credential, readable by the service only)");
  auto secret = read_secret_file(path, what);
  if (!secret) return error(key, path, secret.error().message);
  return ok(key, path, "readable, mode private");
}

// The nearest existing ancestor of `dir` (itself when it exists).
fs::path existing_ancestor(fs::path dir) {
  std::error_code ec;
  while (!dir.empty() && !fs::exists(dir, ec) && dir != dir.root_path()) dir = dir.parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

// The directory `path` goes in exists, or can be created by this process.
Finding check_directory_of(const std::string& key, const std::string& path) {
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) return error(key, path, dir.string() + " is not a directory");
    return ok(key, path, "directory " + dir.string() + " exists");
  }
  fs::path ancestor = existing_ancestor(dir);
  if (!fs::is_directory(ancestor, ec))
    return error(
        key, path,
        ancestor.string() + " is not a directory, so " + dir.string() + " cannot be created");
  if (::access(ancestor.c_str(), W_OK | X_OK) != 0)
    return error(key, path,
                 dir.string() + " does not exist and cannot be created: " + ancestor.string() +
                     ": " + std::strerror(errno));
  return at_start(key, path,
                  dir.string() +
                      " does not exist yet and can be created (systemd's "
                      "StateDirectory=/RuntimeDirectory= create it at start)");
}

// The store key: 32 bytes, private; a missing one is generated at the first
// start when its directory can be written.
Finding check_store_key(const std::string& path, const Finding& directory) {
  const std::string key = "store.key_file";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (credential_out_of_reach(path, err))
      return at_start(key, path,
                      "checked at start (a systemd credential, readable by the service only)");
    if (err != ENOENT)
      return error(key, path, std::string("cannot inspect: ") + std::strerror(err));
    if (directory.verdict == Verdict::kError) return error(key, path, directory.detail);
    return ok(key, path, "missing: generated at the first start (32 random bytes, mode 0600)");
  }
  if (!S_ISREG(st.st_mode)) return error(key, path, "not a regular file");
  if (auto mode = check_secret_mode(path, st.st_mode); !mode)
    return error(key, path, mode.error().message);
  if (static_cast<std::size_t>(st.st_size) != kStoreKeySize)
    return error(key, path, "holds " + std::to_string(st.st_size) + " bytes, a store key holds 32");
  if (::access(path.c_str(), R_OK) != 0)
    return error(key, path, std::string("cannot read: ") + std::strerror(errno));
  return ok(key, path, "32 bytes, mode private");
}

Finding check_store_path(const std::string& path) {
  const std::string key = "store.path";
  Finding directory = check_directory_of(key, path);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return directory;  // created at the first start
  if (!S_ISREG(st.st_mode)) return error(key, path, "exists and is not a regular file");
  if (::access(path.c_str(), R_OK | W_OK) != 0)
    return error(key, path, std::string("cannot open for writing: ") + std::strerror(errno));
  return ok(key, path, "store exists, readable and writable");
}

Finding check_socket(const std::string& path) {
  const std::string key = "control.socket";
  if (path.size() >= sizeof(sockaddr_un::sun_path))
    return error(key, path,
                 "longer than " + std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes");
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && !S_ISSOCK(st.st_mode))
    return error(key, path, "exists and is not a socket");
  return check_directory_of(key, path);
}

Finding check_group(const std::string& group) {
  const std::string key = "control.group";
  if (group.empty()) return ok(key, "", "\"\": the socket keeps the daemon's group");
  std::vector<char> scratch(1 << 16);
  struct group entry {};
  struct group* found = nullptr;
  int rc = ::getgrnam_r(group.c_str(), &entry, scratch.data(), scratch.size(), &found);
  if (rc != 0)
    return error(key, "", "cannot look up group \"" + group + "\": " + std::strerror(rc));
  if (!found)
    return error(key, "",
                 "group \"" + group +
                     "\" does not exist (the ttlink package creates "
                     "group ttlink; or set control.group = \"\")");
  return ok(key, "", "group \"" + group + "\" exists");
}

Finding check_readable_file(const std::string& key, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || ::access(path.c_str(), R_OK) != 0)
    return error(key, path, std::string("cannot read: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return error(key, path, "not a regular file");
  return ok(key, path, "readable");
}

// As execvp finds it: a path with a '/' as is, a bare name through $PATH.
Finding check_program(const std::string& key, const std::string& program) {
  std::vector<std::string> candidates;
  if (program.find('/') != std::string::npos) {
    candidates.push_back(program);
  } else {
    const char* path_env = std::getenv("PATH");
    std::string search = path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
    for (std::size_t start = 0; start <= search.size();) {
      std::size_t end = std::min(search.find(':', start), search.size());
      std::string dir = search.substr(start, end - start);
      candidates.push_back((dir.empty() ? std::string(".") : dir) + "/" + program);
      start = end + 1;
    }
  }
  for (const auto& candidate : candidates) {
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0)
      return ok(key, candidate, "executable");
  }
  return error(key, program, "no executable program at this path (or in $PATH)");
}

const char* label(Verdict v) {
  switch (v) {
    case Verdict::kOk:
      return "ok      ";
    case Verdict::kAtStart:
      return "at start";
    case Verdict::kError:
      return "ERROR   ";
  }
  return "";
}

}  // namespace

bool CheckReport::ok() const {
  return std::none_of(findings.begin(), findings.end(),
                      [](const Finding& f) { return f.verdict == Verdict::kError; });
}

CheckReport check_deployment(const Config& c) {
  CheckReport r;
  auto& f = r.findings;
  f.push_back(check_secret("tiktok.app_secret_file", c.tiktok.app_secret_file, "app secret file"));
  if (!c.tiktok.ca_file.empty())
    f.push_back(check_readable_file("tiktok.ca_file", c.tiktok.ca_file));
  f.push_back(check_store_path(c.store.path));
  f.push_back(
      check_store_key(c.store.key_file, check_directory_of("store.key_file", c.store.key_file)));
  f.push_back(check_socket(c.control.socket));
  f.push_back(check_group(c.control.group));
  for (std::size_t i = 0; i < c.alerts.sinks.size(); ++i) {
    const AlertSinkConfig& sink = c.alerts.sinks[i];
    const std::string prefix = "alerts.sink[" + std::to_string(i) + "].";
    if (!sink.secret_file.empty())
      f.push_back(check_secret(prefix + "secret_file", sink.secret_file, "webhook secret file"));
    if (!sink.command.empty()) f.push_back(check_program(prefix + "command", sink.command.front()));
  }
  return r;
}

std::string render_report(const CheckReport& report, const std::string& config_path) {
  std::string out = "ttlinkd: " + config_path + ": syntax and values ok\n";
  std::size_t problems = 0;
  for (const Finding& f : report.findings) {
    problems += f.verdict == Verdict::kError;
    out += "  " + std::string(label(f.verdict)) + "  " + f.key + ": ";
    // Messages from read_secret_file already start with the path.
    if (!f.path.empty() && f.detail.rfind(f.path, 0) != 0) out += f.path + ": ";
    out += f.detail + "\n";
  }
  if (problems == 0) return out + "ttlinkd: " + config_path + " is valid\n";
  return out + "ttlinkd: " + config_path + ": " + std::to_string(problems) +
         (problems == 1 ? " problem\n" : " problems\n");
}

Result<void> check_secret_files(const Config& c) {
  std::vector<std::string> paths{c.tiktok.app_secret_file};
  for (const auto& sink : c.alerts.sinks)
    if (!sink.secret_file.empty()) paths.push_back(sink.secret_file);
  struct stat st {};
  if (::stat(c.store.key_file.c_str(), &st) == 0) paths.push_back(c.store.key_file);
  for (const auto& path : paths) {
    if (::stat(path.c_str(), &st) != 0) continue;  // its reader names a missing file
    if (auto mode = check_secret_mode(path, st.st_mode); !mode) return mode.error();
  }
  return {};
}

}  // namespace ttlink::config

#pragma once
// core/config: ttlinkd's TOML configuration (product.md, "Config") parsed with
// toml++ into typed values. Owns: defaults, validation, error messages that
// name file, line, key and what was expected. Must not touch: anything else.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/util/result.hpp"
#include "core/util/secret.hpp"
#include "core/util/time.hpp"

namespace ttlink::config {

struct HostPort {
  std::string host;  // "127.0.0.1", "::1", "localhost"
  unsigned short port = 0;
};

struct TiktokConfig {
  std::string api_base = "https://business-api.tiktok.com/open_api/v1.3";
  std::string app_id;           // required
  std::string app_secret_file;  // required; the secret is never inline
  std::string advertiser_auth_url = "https://business-api.tiktok.com/portal/auth";
  std::string account_auth_url = "https://www.tiktok.com/v2/auth/authorize/";
  std::vector<std::string> scopes = {"user.info.basic", "user.account.type", "video.list",
                                     "comment.list", "comment.list.manage"};
  std::string ca_file;  // extra CA bundle (the sandbox's TLS); "" = system store
  Seconds connect_timeout{10};
  Seconds request_timeout{30};
};

struct CallbackConfig {
  HostPort listen{"127.0.0.1", 8417};
  std::string public_url = "http://localhost:8417/callback";
};

struct StoreConfig {
  std::string path = "/var/lib/ttlink/ttlink.db";
  std::string key_file = "/run/credentials/ttlinkd.service/store_key";
};

struct ControlConfig {
  std::string socket = "/run/ttlink/ttlinkd.sock";
  std::string group = "ttlink";  // "" = leave the socket's group alone
};

struct PollConfig {
  Seconds status_interval{15 * 60};
  Seconds comments_interval{2 * 60};
  double jitter = 0.10;  // "10%" -> 0.10, within [0, 0.5]
  double max_qps = 10;   // 0 = unlimited
};

// Per-endpoint request limits (tiktok-api.md: "10-20 QPS per endpoint, plus
// daily caps", figures assumed): a default for every endpoint, overrides by
// path. poll.max_qps stays the limit of the whole app.
struct EndpointLimit {
  std::optional<double> qps;              // unset: limits.endpoint_qps
  std::optional<std::int64_t> daily_cap;  // unset: limits.daily_cap
};
struct LimitsConfig {
  double endpoint_qps = 0;                         // per endpoint; 0 = only poll.max_qps applies
  std::int64_t daily_cap = 0;                      // requests per endpoint per UTC day; 0 = none
  std::map<std::string, EndpointLimit> endpoints;  // by API path, e.g. "/comment/list/"
};

struct RefreshConfig {
  Seconds before_expiry{2 * 3600};
  Seconds warn_refresh_token_before{14 * 86400};
  Seconds warn_post_auth_before{3 * 86400};
};

struct MetricsConfig {
  std::optional<HostPort> listen = HostPort{"127.0.0.1", 9417};  // "" disables
};

struct AlertSinkConfig {
  std::string type;  // webhook | alertmanager | slack | exec | log
  std::string url;
  std::string secret_file;
  std::vector<std::string> command;
  std::vector<std::string> env;    // exec: variables passed on from ttlinkd's environment
  std::vector<std::string> kinds;  // filter; empty = all
  std::string min_severity;        // filter; "" = all: info | warning | critical
  std::vector<std::pair<std::string, std::string>> headers;  // extra HTTP headers
  Seconds timeout{10};                                       // per delivery attempt
  Seconds resend_interval{60};  // alertmanager: re-post firing alerts this often
};

struct AlertsConfig {
  Seconds repeat_interval{4 * 3600};
  std::vector<AlertSinkConfig> sinks;
};

struct CommentsConfig {
  std::vector<std::string> alert_keywords;
  Seconds alert_unanswered_after{4 * 3600};
  Seconds backfill{28 * 86400};  // how far back a link's first comment sync reads (28d: one 30-date
                                 // window to tomorrow)
};

// For tests and demos against ttlink-sandbox only, never in production.
struct DebugConfig {
  // Enables the control method debug.clock.advance, so that the daemon's
  // clock can follow the sandbox's through simulated days and months.
  bool clock_control = false;
};

struct Config {
  std::string source_path;  // the file it was read from
  TiktokConfig tiktok;
  CallbackConfig callback;
  StoreConfig store;
  ControlConfig control;
  PollConfig poll;
  LimitsConfig limits;
  RefreshConfig refresh;
  MetricsConfig metrics;
  AlertsConfig alerts;
  CommentsConfig comments;
  DebugConfig debug;
};

// Reads and validates the file. The error message has the form
// "PATH:LINE: KEY: expected WHAT, got WHAT" (or "PATH: ..." when no line applies).
Result<Config> load_config(const std::string& path);
// Same, from text (for tests); `path` is only used in messages.
Result<Config> parse_config(std::string_view text, const std::string& path);
// Reads tiktok.app_secret_file (trailing newline stripped; must not be empty),
// once every secret file the config names (app secret, webhook secret_files,
// an existing store key) is known to be private: the daemon's first read of a
// secret refuses them all, naming the path and the mode.
Result<Secret> read_app_secret(const Config& config);

}  // namespace ttlink::config

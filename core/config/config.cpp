// The config schema: one function per TOML table, listing its keys in the
// order of product.md. Typed access and error wording live in toml_reader.
#include "core/config/config.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/config/check.hpp"
#include "core/config/secret_file.hpp"
#include "core/config/toml_reader.hpp"
#include "core/config/values.hpp"
#include "core/events/alert_kind.hpp"

namespace ttlink::config {
namespace {

constexpr std::string_view kListenExpected = "\"HOST:PORT\" (IPv6 as \"[::1]:8417\")";

constexpr std::array kSinkTypes = {"webhook", "alertmanager", "slack", "exec", "log"};

template <std::size_t N>
bool one_of(const std::array<const char*, N>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

template <std::size_t N>
std::string join(const std::array<const char*, N>& values) {
  std::string out;
  for (const char* v : values) out += (out.empty() ? "" : "|") + std::string(v);
  return out;
}

void read_listen(TableReader& t, std::string_view key, HostPort& out) {
  t.parsed<HostPort>(key, out, kListenExpected, parse_listen);
}

// Any http(s) URL. Plain http is only accepted for loopback hosts when
// `loopback_http_only`: the sandbox runs plain HTTP on 127.0.0.1, while
// anything that crosses a network carries the app secret and tokens and
// must be TLS.
void read_url(TableReader& t, std::string_view key, std::string& out, bool loopback_http_only) {
  const toml::node* node = t.get(key);
  if (!node) return;
  const auto* text = node->as_string();
  auto url = text ? parse_http_url(text->get()) : std::nullopt;
  if (!url) return t.fail(*node, key, "an http:// or https:// URL");
  if (loopback_http_only && url->scheme == "http" && !is_loopback_host(url->host)) {
    // Only the host is echoed: the rest of a hook URL is often its key.
    return t.errors().fail(line_of(*node), t.key_name(key),
                           "expected an https:// URL (plain http only to a loopback host: "
                           "127.0.0.0/8, ::1, localhost), got http:// to " +
                               url->host);
  }
  out = text->get();
}

void read_app_id(TableReader& t, std::string& out) {
  constexpr std::string_view kExpected = "the app id (a string of digits)";
  const toml::node* node = t.get("app_id");
  if (!node) return t.fail_missing("app_id", kExpected);
  t.string("app_id", out);
  bool digits = !out.empty() &&
                std::all_of(out.begin(), out.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  if (!digits) t.fail(*node, "app_id", kExpected);
}

void read_tiktok(TableReader& t, TiktokConfig& c) {
  read_url(t, "api_base", c.api_base, true);
  // Paths are appended as "/oauth2/...": a trailing slash would double it.
  while (c.api_base.size() > 1 && c.api_base.back() == '/') c.api_base.pop_back();
  read_app_id(t, c.app_id);
  t.string("app_secret_file", c.app_secret_file);
  if (c.app_secret_file.empty()) {
    if (const auto* node = t.get("app_secret_file")) {
      t.fail(*node, "app_secret_file", "the path of a file holding the app secret");
    } else {
      t.fail_missing("app_secret_file", "the path of a file holding the app secret");
    }
  }
  read_url(t, "advertiser_auth_url", c.advertiser_auth_url, true);
  read_url(t, "account_auth_url", c.account_auth_url, true);
  t.string_array("scopes", c.scopes);
  if (c.scopes.empty() || std::any_of(c.scopes.begin(), c.scopes.end(),
                                      [](const std::string& s) { return s.empty(); })) {
    t.fail(*t.get("scopes"), "scopes", "a non-empty array of scope names");
  }
  t.string("ca_file", c.ca_file);
  t.duration("connect_timeout", c.connect_timeout);
  t.duration("request_timeout", c.request_timeout);
}

void read_callback(TableReader& t, CallbackConfig& c) {
  read_listen(t, "listen", c.listen);
  read_url(t, "public_url", c.public_url, false);
}

void read_non_empty_string(TableReader& t, std::string_view key, std::string& out,
                           std::string_view expected) {
  t.string(key, out);
  if (out.empty()) t.fail(*t.get(key), key, expected);
}

void read_store(TableReader& t, StoreConfig& c) {
  read_non_empty_string(t, "path", c.path, "a file path");
  read_non_empty_string(t, "key_file", c.key_file, "a file path");
}

void read_control(TableReader& t, ControlConfig& c) {
  read_non_empty_string(t, "socket", c.socket, "a socket path");
  t.string("group", c.group);
}

void read_poll(TableReader& t, PollConfig& c) {
  t.duration("status_interval", c.status_interval);
  t.duration("comments_interval", c.comments_interval);
  constexpr std::string_view kJitter = "a percentage from \"0%\" to \"50%\"";
  t.parsed<double>("jitter", c.jitter, kJitter, [](std::string_view text) {
    auto v = parse_percent(text);
    return v && *v <= 0.5 ? v : std::nullopt;
  });
  t.number("max_qps", c.max_qps);
  if (c.max_qps < 0) t.fail(*t.get("max_qps"), "max_qps", "a number >= 0 (0 = unlimited)");
}

void read_count(TableReader& t, std::string_view key, std::int64_t& out) {
  double v = static_cast<double>(out);
  t.number(key, v);
  if (v < 0 || v != static_cast<double>(static_cast<std::int64_t>(v)))
    return t.fail(*t.get(key), key, "a whole number >= 0 (0 = none)");
  out = static_cast<std::int64_t>(v);
}

void read_qps(TableReader& t, std::string_view key, double& out) {
  t.number(key, out);
  if (out < 0) t.fail(*t.get(key), key, "a number >= 0 (0 = unlimited)");
}

// [limits.endpoints."/comment/list/"] qps = 5, daily_cap = 100000
void read_endpoint_limits(TableReader& t, LimitsConfig& c) {
  const toml::table* endpoints = t.subtable("endpoints");
  if (!endpoints) return;
  for (const auto& [path, node] : *endpoints) {
    const std::string name = "endpoints.\"" + std::string(path.str()) + "\"";
    const toml::table* table = node.as_table();
    const bool path_ok =
        path.str().size() > 1 && path.str().front() == '/' && path.str().back() == '/';
    if (!table || !path_ok)
      return t.errors().fail(line_of(node), t.key_name(name),
                             "expected a table named by an API path such as \"/comment/list/\"");
    TableReader e(*table, t.key_name(name), t.errors());
    EndpointLimit limit;
    if (e.get("qps")) read_qps(e, "qps", limit.qps.emplace(0));
    if (e.get("daily_cap")) read_count(e, "daily_cap", limit.daily_cap.emplace(0));
    e.finish();
    c.endpoints[std::string(path.str())] = limit;
  }
}

void read_limits(TableReader& t, LimitsConfig& c) {
  read_qps(t, "endpoint_qps", c.endpoint_qps);
  read_count(t, "daily_cap", c.daily_cap);
  read_endpoint_limits(t, c);
}

void read_refresh(TableReader& t, RefreshConfig& c) {
  t.duration("before_expiry", c.before_expiry);
  t.duration("warn_refresh_token_before", c.warn_refresh_token_before);
  t.duration("warn_post_auth_before", c.warn_post_auth_before);
}

void read_metrics(TableReader& t, MetricsConfig& c) {
  const toml::node* node = t.get("listen");
  if (!node) return;
  if (const auto* s = node->as_string(); s && s->get().empty()) {
    c.listen.reset();  // "" disables the metrics listener
    return;
  }
  HostPort listen;
  t.parsed<HostPort>("listen", listen, std::string(kListenExpected) + " or \"\" to disable",
                     parse_listen);
  c.listen = listen;
}

// Header names are tokens and values single lines: a newline would let a
// config value inject headers. Values are never echoed (they often hold keys).
void read_headers(TableReader& t, AlertSinkConfig& c) {
  const toml::table* headers = t.subtable("headers");
  if (!headers) return;
  for (const auto& [name, value] : *headers) {
    std::string key = "headers." + std::string(name.str());
    const auto* s = value.as_string();
    bool name_ok =
        !name.str().empty() && name.str().find_first_of(" \t\r\n:") == std::string_view::npos;
    if (!name_ok) return t.errors().fail(line_of(value), t.key_name(key), "expected a header name");
    if (!s || s->get().find_first_of("\r\n") != std::string::npos) {
      return t.errors().fail(line_of(value), t.key_name(key),
                             "expected a one-line string, got " + describe_type(value));
    }
    c.headers.emplace_back(name.str(), s->get());
  }
}

void read_sink_filters(TableReader& t, AlertSinkConfig& c) {
  t.string_array("kinds", c.kinds);
  for (std::size_t i = 0; i < c.kinds.size(); ++i) {
    // The kinds come from core/events (before: a copy here that lacked the
    // two kinds added in the second round, so nobody could route them).
    auto kind = parse_alert_kind(c.kinds[i]);
    if (!kind || *kind == AlertKind::kTest) {
      const toml::node& item = *t.get("kinds")->as_array()->get(i);
      t.fail(item, "kinds[" + std::to_string(i) + "]",
             "an alert kind (" + std::string(routable_alert_kind_names()) + ")");
    }
  }
  t.string("min_severity", c.min_severity);
  if (!c.min_severity.empty() && !parse_severity(c.min_severity)) {
    t.fail(*t.get("min_severity"), "min_severity", std::string(severity_names()));
  }
}

// What each sink type needs, and what it must not carry (a key that would be
// ignored is a mistake the admin wants to hear about).
void check_sink_keys(TableReader& t, const AlertSinkConfig& c) {
  bool wants_url = c.type == "webhook" || c.type == "alertmanager" || c.type == "slack";
  bool wants_command = c.type == "exec";
  if (wants_url && c.url.empty()) t.fail_missing("url", "an http:// or https:// URL");
  if (wants_command && c.command.empty()) {
    if (const auto* node = t.get("command")) {
      t.fail(*node, "command", "a non-empty array (program and arguments)");
    } else {
      t.fail_missing("command", "an array (program and arguments)");
    }
  }
  if (wants_command && !c.command.empty() && c.command.front().empty()) {
    t.fail(*t.get("command"), "command", "a program path as the first element");
  }
  const std::string why = "not used by sink type \"" + c.type + "\"";
  if (!wants_url && t.get("url")) t.errors().fail(line_of(*t.get("url")), t.key_name("url"), why);
  if (!wants_command && t.get("command")) {
    t.errors().fail(line_of(*t.get("command")), t.key_name("command"), why);
  }
  // Only some types have these; elsewhere they would be silently ignored.
  const std::pair<const char*, bool> specific[] = {{"secret_file", c.type == "webhook"},
                                                   {"resend_interval", c.type == "alertmanager"},
                                                   {"env", wants_command}};
  for (const auto& [key, used] : specific)
    if (!used && t.get(key)) t.errors().fail(line_of(*t.get(key)), t.key_name(key), why);
}

bool is_variable_name(std::string_view name) {
  auto word = [](char ch) { return ch == '_' || std::isalnum(static_cast<unsigned char>(ch)); };
  return !name.empty() && !std::isdigit(static_cast<unsigned char>(name.front())) &&
         std::all_of(name.begin(), name.end(), word);
}

// exec: names of variables to pass on; TTLINK_ALERT_ID is ttlink's to set.
void read_sink_env(TableReader& t, AlertSinkConfig& c) {
  t.string_array("env", c.env);
  for (std::size_t i = 0; i < c.env.size(); ++i) {
    const toml::node& item = *t.get("env")->as_array()->get(i);
    const std::string key = "env[" + std::to_string(i) + "]";
    if (!is_variable_name(c.env[i]))
      t.fail(item, key, "an environment variable name (letters, digits, _)");
    else if (c.env[i] == "TTLINK_ALERT_ID")
      t.fail(item, key, "a variable other than TTLINK_ALERT_ID (ttlink sets it)");
  }
}

AlertSinkConfig read_sink(TableReader& t) {
  AlertSinkConfig c;
  t.string("type", c.type);
  if (!t.get("type")) t.fail_missing("type", join(kSinkTypes));
  if (t.get("type") && !one_of(kSinkTypes, c.type))
    t.fail(*t.get("type"), "type", join(kSinkTypes));
  if (t.errors().failed()) return c;
  // Payloads carry live authorization URLs: TLS unless the sink is on this host.
  read_url(t, "url", c.url, true);
  t.string_array("command", c.command);
  check_sink_keys(t, c);
  read_sink_env(t, c);
  t.string("secret_file", c.secret_file);
  read_headers(t, c);
  t.duration("timeout", c.timeout);
  t.duration("resend_interval", c.resend_interval);
  if (c.resend_interval < Seconds{10})
    t.fail(*t.get("resend_interval"), "resend_interval", "at least 10s");
  read_sink_filters(t, c);
  t.finish();
  return c;
}

void read_sinks(TableReader& t, std::vector<AlertSinkConfig>& sinks) {
  const toml::node* node = t.get("sink");
  if (!node) return;
  const auto* array = node->as_array();
  if (!array || !array->is_array_of_tables()) {
    return t.fail(*node, "sink", "an array of tables ([[alerts.sink]])");
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    TableReader sink(*array->get(i)->as_table(), t.key_name("sink[" + std::to_string(i) + "]"),
                     t.errors());
    sinks.push_back(read_sink(sink));
  }
}

void read_alerts(TableReader& t, AlertsConfig& c) {
  t.duration("repeat_interval", c.repeat_interval);
  read_sinks(t, c.sinks);
}

void read_comments(TableReader& t, CommentsConfig& c) {
  t.string_array("alert_keywords", c.alert_keywords);
  t.duration("alert_unanswered_after", c.alert_unanswered_after);
  t.duration("backfill", c.backfill);
  if (c.backfill < Seconds{86400}) t.fail(*t.get("backfill"), "backfill", "at least 1d");
}

void read_debug(TableReader& t, DebugConfig& c) {
  t.boolean("clock_control", c.clock_control);
}

// Reads table `name` of the root with `read` (or only the required-key checks
// when the table is absent, so that a missing [tiktok] names app_id).
template <class Section>
void read_section(TableReader& root, std::string_view name, Section& out,
                  void (*read)(TableReader&, Section&)) {
  const toml::table* table = root.subtable(name);
  toml::table empty;
  TableReader reader(table ? *table : empty, std::string(name), root.errors());
  read(reader, out);
  reader.finish();
}

Config read_document(const toml::table& doc, ErrorSink& errors) {
  Config c;
  TableReader root(doc, "", errors);
  read_section(root, "tiktok", c.tiktok, read_tiktok);
  read_section(root, "callback", c.callback, read_callback);
  read_section(root, "store", c.store, read_store);
  read_section(root, "control", c.control, read_control);
  read_section(root, "poll", c.poll, read_poll);
  read_section(root, "limits", c.limits, read_limits);
  read_section(root, "refresh", c.refresh, read_refresh);
  read_section(root, "metrics", c.metrics, read_metrics);
  read_section(root, "alerts", c.alerts, read_alerts);
  read_section(root, "comments", c.comments, read_comments);
  read_section(root, "debug", c.debug, read_debug);
  root.finish();
  return c;
}

Result<std::string> read_whole_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error::invalid(path + ": cannot read " + std::string(what) + ": " +
                          std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Result<Config> parse_config(std::string_view text, const std::string& path) {
  toml::table doc;
  try {
    doc = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Error::invalid(path + ":" + std::to_string(e.source().begin.line) +
                          ": TOML syntax error: " + std::string(e.description()));
  }
  ErrorSink errors(path);
  Config config = read_document(doc, errors);
  if (errors.error()) return *errors.error();
  config.source_path = path;
  return config;
}

Result<Config> load_config(const std::string& path) {
  auto text = read_whole_file(path, "config");
  if (!text) return text.error();
  return parse_config(*text, path);
}

Result<Secret> read_app_secret(const Config& config) {
  if (auto private_files = check_secret_files(config); !private_files) return private_files.error();
  return read_secret_file(config.tiktok.app_secret_file, "app secret file");
}

}  // namespace ttlink::config

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/config/config.hpp"
#include "core/config/values.hpp"
#include "core/events/alert_kind.hpp"

namespace ttlink::config {
namespace {

const std::string kPath = "/etc/ttlink/ttlinkd.toml";

const char* kMinimal = R"(
[tiktok]
app_id = "7000000000000000001"
app_secret_file = "/run/credentials/ttlinkd.service/app_secret"
)";

// The error message for `text`, or a note that it parsed.
std::string error_of(const std::string& text) {
  auto r = parse_config(text, kPath);
  return r ? std::string("(parsed)") : r.error().message;
}

std::string minimal_plus(const std::string& extra) {
  return std::string(kMinimal) + extra;
}

TEST(Config, FullFileParsesToTheExpectedValues) {
  auto r = parse_config(R"(
[tiktok]
api_base = "http://127.0.0.1:8080/open_api/v1.3/"
app_id = "7000000000000000001"
app_secret_file = "/etc/ttlink/app_secret"
advertiser_auth_url = "http://127.0.0.1:8080/portal/auth"
account_auth_url = "http://localhost:8080/v2/auth/authorize/"
scopes = ["user.info.basic", "video.list"]
ca_file = "/etc/ttlink/sandbox-ca.pem"
connect_timeout = "5s"
request_timeout = "1m"
[callback]
listen = "[::1]:8418"
public_url = "https://ttlink.example.com/callback"
[store]
path = "/tmp/t.db"
key_file = "/tmp/key"
[control]
socket = "/tmp/t.sock"
group = ""
[poll]
status_interval = "5m"
comments_interval = "90s"
jitter = "25%"
max_qps = 2.5
[refresh]
before_expiry = "1h"
warn_refresh_token_before = "7d"
warn_post_auth_before = "2d"
[metrics]
listen = "0.0.0.0:9500"
[alerts]
repeat_interval = "1h"
[[alerts.sink]]
type = "webhook"
url = "https://hooks.example.com/x"
secret_file = "/etc/ttlink/hook"
kinds = ["reauth_required", "post_auth_expiring"]
min_severity = "warning"
timeout = "3s"
headers = { "X-Team" = "ads", "Authorization" = "Bearer abc" }
[[alerts.sink]]
type = "exec"
command = ["/usr/local/bin/notify", "--stdin"]
[comments]
alert_keywords = ["refund", "scam"]
alert_unanswered_after = "30m"
)",
                        kPath);
  ASSERT_TRUE(r) << r.error().message;
  const Config& c = *r;
  EXPECT_EQ(c.source_path, kPath);
  EXPECT_EQ(c.tiktok.api_base, "http://127.0.0.1:8080/open_api/v1.3");  // trailing '/' dropped
  EXPECT_EQ(c.tiktok.app_id, "7000000000000000001");
  EXPECT_EQ(c.tiktok.app_secret_file, "/etc/ttlink/app_secret");
  EXPECT_EQ(c.tiktok.advertiser_auth_url, "http://127.0.0.1:8080/portal/auth");
  EXPECT_EQ(c.tiktok.account_auth_url, "http://localhost:8080/v2/auth/authorize/");
  EXPECT_EQ(c.tiktok.scopes, (std::vector<std::string>{"user.info.basic", "video.list"}));
  EXPECT_EQ(c.tiktok.ca_file, "/etc/ttlink/sandbox-ca.pem");
  EXPECT_EQ(c.tiktok.connect_timeout, Seconds{5});
  EXPECT_EQ(c.tiktok.request_timeout, Seconds{60});
  EXPECT_EQ(c.callback.listen.host, "::1");
  EXPECT_EQ(c.callback.listen.port, 8418);
  EXPECT_EQ(c.callback.public_url, "https://ttlink.example.com/callback");
  EXPECT_EQ(c.store.path, "/tmp/t.db");
  EXPECT_EQ(c.store.key_file, "/tmp/key");
  EXPECT_EQ(c.control.socket, "/tmp/t.sock");
  EXPECT_EQ(c.control.group, "");
  EXPECT_EQ(c.poll.status_interval, Seconds{300});
  EXPECT_EQ(c.poll.comments_interval, Seconds{90});
  EXPECT_DOUBLE_EQ(c.poll.jitter, 0.25);
  EXPECT_DOUBLE_EQ(c.poll.max_qps, 2.5);
  EXPECT_EQ(c.refresh.before_expiry, Seconds{3600});
  EXPECT_EQ(c.refresh.warn_refresh_token_before, Seconds{7 * 86400});
  EXPECT_EQ(c.refresh.warn_post_auth_before, Seconds{2 * 86400});
  ASSERT_TRUE(c.metrics.listen);
  EXPECT_EQ(c.metrics.listen->host, "0.0.0.0");
  EXPECT_EQ(c.metrics.listen->port, 9500);
  EXPECT_EQ(c.alerts.repeat_interval, Seconds{3600});
  ASSERT_EQ(c.alerts.sinks.size(), 2u);
  const auto& hook = c.alerts.sinks[0];
  EXPECT_EQ(hook.type, "webhook");
  EXPECT_EQ(hook.url, "https://hooks.example.com/x");
  EXPECT_EQ(hook.secret_file, "/etc/ttlink/hook");
  EXPECT_EQ(hook.kinds, (std::vector<std::string>{"reauth_required", "post_auth_expiring"}));
  EXPECT_EQ(hook.min_severity, "warning");
  EXPECT_EQ(hook.timeout, Seconds{3});
  ASSERT_EQ(hook.headers.size(), 2u);  // TOML tables are unordered: sorted by name
  EXPECT_EQ(hook.headers[0], (std::pair<std::string, std::string>{"Authorization", "Bearer abc"}));
  EXPECT_EQ(hook.headers[1], (std::pair<std::string, std::string>{"X-Team", "ads"}));
  EXPECT_EQ(c.alerts.sinks[1].type, "exec");
  EXPECT_EQ(c.alerts.sinks[1].command,
            (std::vector<std::string>{"/usr/local/bin/notify", "--stdin"}));
  EXPECT_EQ(c.comments.alert_keywords, (std::vector<std::string>{"refund", "scam"}));
  EXPECT_EQ(c.comments.alert_unanswered_after, Seconds{1800});
}

TEST(Config, AbsentKeysTakeTheDefaults) {
  auto r = parse_config(kMinimal, kPath);
  ASSERT_TRUE(r) << r.error().message;
  const Config defaults;
  EXPECT_EQ(r->tiktok.api_base, defaults.tiktok.api_base);
  EXPECT_EQ(r->tiktok.scopes, defaults.tiktok.scopes);
  EXPECT_EQ(r->callback.listen.port, 8417);
  EXPECT_EQ(r->store.path, "/var/lib/ttlink/ttlink.db");
  EXPECT_EQ(r->control.socket, "/run/ttlink/ttlinkd.sock");
  EXPECT_EQ(r->poll.status_interval, Seconds{900});
  EXPECT_DOUBLE_EQ(r->poll.jitter, 0.10);
  EXPECT_DOUBLE_EQ(r->poll.max_qps, 10);
  EXPECT_EQ(r->refresh.warn_refresh_token_before, Seconds{14 * 86400});
  ASSERT_TRUE(r->metrics.listen);
  EXPECT_EQ(r->metrics.listen->port, 9417);
  EXPECT_EQ(r->alerts.repeat_interval, Seconds{4 * 3600});
  EXPECT_TRUE(r->alerts.sinks.empty());
  EXPECT_TRUE(r->comments.alert_keywords.empty());
}

TEST(Config, EmptyMetricsListenDisablesMetrics) {
  auto r = parse_config(minimal_plus("[metrics]\nlisten = \"\"\n"), kPath);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->metrics.listen);
}

TEST(Config, SampleConfigInTheRepositoryParses) {
  auto r = load_config(TTLINK_SOURCE_DIR "/config/ttlinkd.toml");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->tiktok.app_secret_file, "/run/credentials/ttlinkd.service/app_secret");
  // The sample shows the defaults: it must not drift from config.hpp.
  const Config defaults;
  EXPECT_EQ(r->tiktok.api_base, defaults.tiktok.api_base);
  EXPECT_EQ(r->tiktok.scopes, defaults.tiktok.scopes);
  EXPECT_EQ(r->poll.status_interval, defaults.poll.status_interval);
  EXPECT_EQ(r->poll.comments_interval, defaults.poll.comments_interval);
  EXPECT_EQ(r->refresh.before_expiry, defaults.refresh.before_expiry);
  EXPECT_EQ(r->alerts.repeat_interval, defaults.alerts.repeat_interval);
  EXPECT_EQ(r->store.path, defaults.store.path);
  EXPECT_EQ(r->store.key_file, defaults.store.key_file);
}

// Line numbers below count from the leading newline of kMinimal: its
// [tiktok] header is line 2, app_id line 3, app_secret_file line 4, and the
// text minimal_plus() appends starts on line 5.

TEST(ConfigErrors, UnknownKeyInAKnownTableNamesFileLineAndKey) {
  std::string e = error_of(minimal_plus("[poll]\nstatus_interval = \"5m\"\nfast = true\n"));
  EXPECT_EQ(e.rfind(kPath + ":7: poll.fast: unknown key, expected one of", 0), 0u) << e;
}

TEST(ConfigErrors, UnknownTableIsRejected) {
  std::string e = error_of(minimal_plus("[pol]\nstatus_interval = \"5m\"\n"));
  EXPECT_EQ(e.rfind(kPath + ":5: pol: unknown table", 0), 0u) << e;
}

TEST(ConfigErrors, WrongTypeSaysWhatWasExpected) {
  EXPECT_EQ(error_of(minimal_plus("[store]\npath = 12\n")),
            kPath + ":6: store.path: expected a string, got 12");
}

TEST(ConfigErrors, BadDurationQuotesTheValue) {
  EXPECT_EQ(error_of(minimal_plus("[poll]\nstatus_interval = \"fast\"\n")),
            kPath +
                ":6: poll.status_interval: expected a duration like \"90s\", \"15m\", \"2h\" or "
                "\"14d\", got \"fast\"");
}

TEST(ConfigErrors, TheExpectedKeysAreListedOnceEach) {
  const std::string e = error_of(minimal_plus("[[alerts.sink]]\ntype = \"log\"\ncolour = 1\n"));
  ASSERT_NE(e.find("expected one of"), std::string::npos) << e;
  const std::string list = e.substr(e.find("expected one of"));
  for (const char* key : {"type", "url", "kinds"}) {
    const std::string item = std::string(" ") + key + ",";
    const auto first = list.find(item);
    ASSERT_NE(first, std::string::npos) << key << ": " << list;
    EXPECT_EQ(list.find(item, first + 1), std::string::npos) << key << " twice: " << list;
  }
}

TEST(ConfigErrors, AZeroDurationIsCalledZeroNotNotADuration) {
  EXPECT_EQ(error_of(minimal_plus("[poll]\nstatus_interval = \"0s\"\n")),
            kPath + ":6: poll.status_interval: expected a duration above zero, got \"0s\"");
  EXPECT_EQ(error_of(minimal_plus("[poll]\nstatus_interval = \"00m\"\n")),
            kPath + ":6: poll.status_interval: expected a duration above zero, got \"00m\"");
}

TEST(ConfigErrors, JitterAboveFiftyPercentIsRejected) {
  EXPECT_EQ(error_of(minimal_plus("[poll]\njitter = \"60%\"\n")),
            kPath + ":6: poll.jitter: expected a percentage from \"0%\" to \"50%\", got \"60%\"");
  EXPECT_EQ(error_of(minimal_plus("[poll]\njitter = 0.1\n")),
            kPath + ":6: poll.jitter: expected a percentage from \"0%\" to \"50%\", got 0.1");
}

TEST(ConfigErrors, NegativeQpsIsRejected) {
  EXPECT_EQ(error_of(minimal_plus("[poll]\nmax_qps = -1\n")),
            kPath + ":6: poll.max_qps: expected a number >= 0 (0 = unlimited), got -1");
}

TEST(ConfigErrors, BadListenAddressIsRejected) {
  const std::string expected =
      ": callback.listen: expected \"HOST:PORT\" (IPv6 as \"[::1]:8417\"), got ";
  EXPECT_EQ(error_of(minimal_plus("[callback]\nlisten = \"127.0.0.1\"\n")),
            kPath + ":6" + expected + "\"127.0.0.1\"");
  EXPECT_EQ(error_of(minimal_plus("[callback]\nlisten = \"::1:8417\"\n")),
            kPath + ":6" + expected + "\"::1:8417\"");
  EXPECT_EQ(error_of(minimal_plus("[callback]\nlisten = \"localhost:70000\"\n")),
            kPath + ":6" + expected + "\"localhost:70000\"");
}

TEST(ConfigErrors, MissingAppIdIsRejected) {
  EXPECT_EQ(error_of("[tiktok]\napp_secret_file = \"/x\"\n"),
            kPath + ":1: tiktok.app_id: expected the app id (a string of digits), got nothing");
  EXPECT_EQ(error_of(""),
            kPath + ": tiktok.app_id: expected the app id (a string of digits), got nothing");
}

TEST(ConfigErrors, NonDigitAppIdIsRejected) {
  EXPECT_EQ(error_of("[tiktok]\napp_id = \"abc\"\napp_secret_file = \"/x\"\n"),
            kPath + ":2: tiktok.app_id: expected the app id (a string of digits), got \"abc\"");
}

TEST(ConfigErrors, MissingAppSecretFileIsRejected) {
  EXPECT_EQ(error_of("[tiktok]\napp_id = \"1\"\n"),
            kPath +
                ":1: tiktok.app_secret_file: expected the path of a file holding the app "
                "secret, got nothing");
}

TEST(ConfigErrors, PlainHttpApiBaseToANonLoopbackHostIsRejected) {
  std::string text = std::string(kMinimal) + "api_base = \"http://api.example.com/v1.3\"\n";
  EXPECT_EQ(error_of(text), kPath +
                                ":5: tiktok.api_base: expected an https:// URL (plain http only "
                                "to a loopback host: 127.0.0.0/8, ::1, localhost), got http:// to "
                                "api.example.com");
  EXPECT_EQ(error_of(std::string(kMinimal) + "api_base = \"http://[::1]:8080/v1.3\"\n"),
            "(parsed)");
  EXPECT_EQ(error_of(std::string(kMinimal) + "api_base = \"ftp://127.0.0.1/\"\n"),
            kPath +
                ":5: tiktok.api_base: expected an http:// or https:// URL, got "
                "\"ftp://127.0.0.1/\"");
}

// Alert payloads carry live authorization URLs: a sink is reached over TLS
// unless it is on this host. The rest of the URL (often the hook's key) is
// not echoed.
TEST(ConfigErrors, PlainHttpSinkToANonLoopbackHostIsRejected) {
  for (const char* type : {"webhook", "alertmanager", "slack"}) {
    std::string e = error_of(minimal_plus("[[alerts.sink]]\ntype = \"" + std::string(type) +
                                          "\"\nurl = \"http://hooks.example.com/T0/KEY123\"\n"));
    EXPECT_EQ(e, kPath +
                     ":7: alerts.sink[0].url: expected an https:// URL (plain http only to a "
                     "loopback host: 127.0.0.0/8, ::1, localhost), got http:// to "
                     "hooks.example.com")
        << type;
    EXPECT_EQ(e.find("KEY123"), std::string::npos);
  }
  for (const char* url : {"http://127.0.0.1:9093", "http://127.9.8.7/hook", "http://[::1]:9093",
                          "http://localhost:9093/x", "https://hooks.example.com/T0"}) {
    EXPECT_EQ(error_of(minimal_plus("[[alerts.sink]]\ntype = \"webhook\"\nurl = \"" +
                                    std::string(url) + "\"\n")),
              "(parsed)")
        << url;
  }
  EXPECT_NE(error_of(minimal_plus("[[alerts.sink]]\ntype = \"slack\"\n"
                                  "url = \"http://127.0.0.1.example.com/x\"\n")),
            "(parsed)");
}

TEST(ConfigErrors, EmptyScopesAreRejected) {
  EXPECT_EQ(error_of(std::string(kMinimal) + "scopes = []\n"),
            kPath + ":5: tiktok.scopes: expected a non-empty array of scope names, got an array");
  EXPECT_EQ(error_of(std::string(kMinimal) + "scopes = [\"a\", 1]\n"),
            kPath + ":5: tiktok.scopes[1]: expected a string, got 1");
}

TEST(ConfigErrors, WebhookSinkWithoutUrlIsRejected) {
  EXPECT_EQ(error_of(minimal_plus("[[alerts.sink]]\ntype = \"log\"\n[[alerts.sink]]\n"
                                  "type = \"webhook\"\n")),
            kPath + ":7: alerts.sink[1].url: expected an http:// or https:// URL, got nothing");
}

TEST(ConfigErrors, UnknownSinkTypeIsRejected) {
  EXPECT_EQ(error_of(minimal_plus("[[alerts.sink]]\ntype = \"pager\"\n")),
            kPath +
                ":6: alerts.sink[0].type: expected webhook|alertmanager|slack|exec|log, got "
                "\"pager\"");
}

TEST(ConfigErrors, ExecSinkNeedsACommand) {
  EXPECT_EQ(error_of(minimal_plus("[[alerts.sink]]\ntype = \"exec\"\ncommand = []\n")),
            kPath +
                ":7: alerts.sink[0].command: expected a non-empty array (program and "
                "arguments), got an array");
}

TEST(Config, ExecSinkNamesTheVariablesItPassesOn) {
  auto r = parse_config(minimal_plus("[[alerts.sink]]\ntype = \"exec\"\ncommand = [\"/bin/true\"]\n"
                                     "env = [\"HOME\", \"PAGER_TOKEN_FILE\"]\n"),
                        kPath);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->alerts.sinks[0].env, (std::vector<std::string>{"HOME", "PAGER_TOKEN_FILE"}));
}

TEST(ConfigErrors, ExecSinkEnvMustHoldVariableNames) {
  const std::string exec = "[[alerts.sink]]\ntype = \"exec\"\ncommand = [\"/bin/true\"]\n";
  EXPECT_EQ(error_of(minimal_plus(exec + "env = [\"HOME\", \"A=B\"]\n")),
            kPath +
                ":8: alerts.sink[0].env[1]: expected an environment variable name (letters, "
                "digits, _), got \"A=B\"");
  EXPECT_EQ(error_of(minimal_plus(exec + "env = [\"TTLINK_ALERT_ID\"]\n")),
            kPath +
                ":8: alerts.sink[0].env[0]: expected a variable other than TTLINK_ALERT_ID "
                "(ttlink sets it), got \"TTLINK_ALERT_ID\"");
  EXPECT_EQ(error_of(minimal_plus("[[alerts.sink]]\ntype = \"log\"\nenv = [\"HOME\"]\n")),
            kPath + ":7: alerts.sink[0].env: not used by sink type \"log\"");
}

TEST(ConfigErrors, SinkKeyThatItsTypeIgnoresIsRejected) {
  EXPECT_EQ(
      error_of(minimal_plus("[[alerts.sink]]\ntype = \"log\"\nurl = \"https://x.example\"\n")),
      kPath + ":7: alerts.sink[0].url: not used by sink type \"log\"");
}

TEST(ConfigErrors, TypeSpecificSinkKeysAreRejectedElsewhere) {
  EXPECT_EQ(error_of(minimal_plus("[[alerts.sink]]\ntype = \"slack\"\nurl = \"https://x.example\"\n"
                                  "secret_file = \"/etc/s\"\n")),
            kPath + ":8: alerts.sink[0].secret_file: not used by sink type \"slack\"");
  EXPECT_EQ(
      error_of(minimal_plus("[[alerts.sink]]\ntype = \"webhook\"\nurl = \"https://x.example\"\n"
                            "resend_interval = \"1m\"\n")),
      kPath + ":8: alerts.sink[0].resend_interval: not used by sink type \"webhook\"");
}

TEST(ConfigErrors, AlertmanagerResendIntervalHasAFloor) {
  EXPECT_EQ(error_of(minimal_plus("[[alerts.sink]]\ntype = \"alertmanager\"\n"
                                  "url = \"http://127.0.0.1:9093\"\nresend_interval = \"2s\"\n")),
            kPath + ":8: alerts.sink[0].resend_interval: expected at least 10s, got \"2s\"");
  auto c = parse_config(minimal_plus("[[alerts.sink]]\ntype = \"alertmanager\"\n"
                                     "url = \"http://127.0.0.1:9093\"\n"),
                        kPath);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->alerts.sinks[0].resend_interval, Seconds{60});
}

TEST(ConfigErrors, CommentBackfillOfLessThanADayIsRejected) {
  EXPECT_EQ(error_of(minimal_plus("[comments]\nbackfill = \"1h\"\n")),
            kPath + ":6: comments.backfill: expected at least 1d, got \"1h\"");
  auto c = parse_config(minimal_plus("[comments]\nbackfill = \"7d\"\n"), kPath);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->comments.backfill, Seconds{7 * 86400});
}

TEST(ConfigErrors, UnknownSinkKeyAndBadFiltersAreRejected) {
  EXPECT_EQ(error_of(minimal_plus("[[alerts.sink]]\ntype = \"log\"\nlevel = \"x\"\n"))
                .rfind(kPath + ":7: alerts.sink[0].level: unknown key", 0),
            0u);
  EXPECT_EQ(
      error_of(minimal_plus("[[alerts.sink]]\ntype = \"log\"\nmin_severity = \"high\"\n")),
      kPath + ":7: alerts.sink[0].min_severity: expected info|warning|critical, got \"high\"");
  EXPECT_EQ(error_of(minimal_plus("[[alerts.sink]]\ntype = \"log\"\nkinds = [\"reauth\"]\n"))
                .rfind(kPath + ":7: alerts.sink[0].kinds[0]: expected an alert kind", 0),
            0u);
}

// One vocabulary (issue 28): every kind the daemon raises can be routed, the
// refusal lists exactly those, and `test` (never stored) is not one of them.
TEST(ConfigVocabulary, EveryAlertKindTheDaemonRaisesCanBeRouted) {
  for (AlertKind kind : routable_alert_kinds()) {
    const std::string name(to_string(kind));
    auto c = parse_config(
        minimal_plus("[[alerts.sink]]\ntype = \"log\"\nkinds = [\"" + name + "\"]\n"), kPath);
    ASSERT_TRUE(c) << name << ": " << c.error().message;
    EXPECT_EQ(c->alerts.sinks.at(0).kinds, std::vector<std::string>{name});
  }
  EXPECT_NE(error_of(minimal_plus("[[alerts.sink]]\ntype = \"log\"\nkinds = [\"test\"]\n")), "");
  const std::string e =
      error_of(minimal_plus("[[alerts.sink]]\ntype = \"log\"\nkinds = [\"reauth\"]\n"));
  EXPECT_NE(e.find("upstream_error"), std::string::npos) << e;
  EXPECT_NE(e.find("comments_sync_failing"), std::string::npos) << e;
  EXPECT_NE(e.find(std::string(routable_alert_kind_names())), std::string::npos) << e;
}

// The docs a person routes by name every kind: README's alert table and
// ttlinkd.toml(5)'s kinds filter.
TEST(ConfigVocabulary, TheDocsNameEveryAlertKind) {
  for (const char* doc : {"/README.md", "/man/ttlinkd.toml.5"}) {
    std::ifstream in(std::string(TTLINK_SOURCE_DIR) + doc);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    ASSERT_FALSE(text.empty()) << doc;
    for (AlertKind kind : routable_alert_kinds())
      EXPECT_NE(text.find(std::string(to_string(kind))), std::string::npos)
          << doc << " does not name the alert kind " << to_string(kind);
  }
}

TEST(ConfigErrors, HeaderValuesAreNeverEchoed) {
  std::string e =
      error_of(minimal_plus("[[alerts.sink]]\ntype = \"webhook\"\nurl = \"https://x.example\"\n"
                            "headers = { Authorization = \"Bearer top\\nX-Evil: 1\" }\n"));
  EXPECT_EQ(e, kPath +
                   ":8: alerts.sink[0].headers.Authorization: expected a one-line string, got a "
                   "string");
  EXPECT_EQ(e.find("top"), std::string::npos);
}

TEST(ConfigErrors, SinkWrittenAsATableIsRejected) {
  EXPECT_EQ(error_of(minimal_plus("[alerts.sink]\ntype = \"log\"\n")),
            kPath + ":5: alerts.sink: expected an array of tables ([[alerts.sink]]), got a table");
}

TEST(ConfigErrors, TomlSyntaxErrorCarriesTheLine) {
  std::string e = error_of(minimal_plus("[poll]\nstatus_interval = \"5m\n"));
  EXPECT_EQ(e.rfind(kPath + ":6: TOML syntax error: ", 0), 0u) << e;
}

TEST(ConfigErrors, UnreadableFileNamesThePath) {
  auto r = load_config("/nonexistent/ttlinkd.toml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(r.error().message.rfind("/nonexistent/ttlinkd.toml: cannot read config", 0), 0u);
}

TEST(ConfigValues, ListenAcceptsHostPortAndBracketedIpv6) {
  auto v4 = parse_listen("0.0.0.0:0");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "0.0.0.0");
  EXPECT_EQ(v4->port, 0);
  EXPECT_FALSE(parse_listen(":80"));
  EXPECT_FALSE(parse_listen("host:"));
  EXPECT_FALSE(parse_listen("[::1]"));
  EXPECT_FALSE(parse_listen("host:8x"));
}

TEST(ConfigValues, LoopbackHostsAreRecognised) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_FALSE(is_loopback_host("127.example.com"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
}

class AppSecretFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ttlink-config-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    config_.tiktok.app_secret_file = (dir_ / "app_secret").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& content, std::filesystem::perms mode = kPrivate) {
    std::ofstream(config_.tiktok.app_secret_file, std::ios::binary) << content;
    std::filesystem::permissions(config_.tiktok.app_secret_file, mode);
  }
  static constexpr auto kPrivate =
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;

  std::filesystem::path dir_;
  Config config_;
};

TEST_F(AppSecretFile, OneTrailingNewlineIsStripped) {
  write("s3cr3t-value\n");
  auto r = read_app_secret(config_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->reveal(), "s3cr3t-value");
}

TEST_F(AppSecretFile, EmptyFileIsAnErrorNamingTheFile) {
  write("\n");
  auto r = read_app_secret(config_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, config_.tiktok.app_secret_file + ": app secret file is empty");
}

TEST_F(AppSecretFile, GroupOrOtherReadableFileIsRefusedWithPathAndMode) {
  using std::filesystem::perms;
  const std::string& path = config_.tiktok.app_secret_file;
  const std::pair<perms, std::string> cases[] = {
      {kPrivate | perms::group_read | perms::others_read, "mode 0644 lets group/others read it"},
      {kPrivate | perms::group_read, "mode 0640 lets group/others read it"},
      {kPrivate | perms::others_write, "mode 0602 lets group/others write it"},
  };
  for (const auto& [mode, says] : cases) {
    write("s3cr3t-value\n", mode);
    auto r = read_app_secret(config_);
    ASSERT_FALSE(r) << says;
    EXPECT_EQ(r.error().message, path + ": " + says + "; chmod 600 " + path);
    EXPECT_EQ(r.error().message.find("s3cr3t"), std::string::npos);
  }
  write("s3cr3t-value\n", perms::owner_read);  // 0400, as systemd's credentials are
  EXPECT_TRUE(read_app_secret(config_));
}

TEST_F(AppSecretFile, EveryOtherSecretFileIsHeldToTheSameRule) {
  write("s3cr3t-value\n");
  const std::string webhook = (dir_ / "webhook_secret").string();
  std::ofstream(webhook) << "hook-key\n";
  std::filesystem::permissions(webhook, kPrivate | std::filesystem::perms::others_read);
  AlertSinkConfig sink;
  sink.type = "webhook";
  sink.secret_file = webhook;
  config_.alerts.sinks.push_back(sink);
  auto r = read_app_secret(config_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            webhook + ": mode 0604 lets group/others read it; chmod 600 " + webhook);

  std::filesystem::permissions(webhook, kPrivate);
  config_.store.key_file = (dir_ / "store_key").string();
  std::ofstream(config_.store.key_file) << std::string(32, 'k');
  std::filesystem::permissions(config_.store.key_file,
                               kPrivate | std::filesystem::perms::group_read);
  r = read_app_secret(config_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, config_.store.key_file +
                                   ": mode 0640 lets group/others read it; chmod 600 " +
                                   config_.store.key_file);
  std::filesystem::permissions(config_.store.key_file, kPrivate);
  EXPECT_TRUE(read_app_secret(config_));
}

TEST_F(AppSecretFile, MissingFileIsAnErrorNamingTheFileOnly) {
  auto r = read_app_secret(config_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind(config_.tiktok.app_secret_file + ": cannot read", 0), 0u);
}

}  // namespace
}  // namespace ttlink::config

namespace ttlink::config {
namespace {

// [limits] (issue 16): a default per endpoint, overrides by path, daily caps.
TEST(ConfigLimits, EndpointLimitsAndDailyCapsParse) {
  auto c = parse_config(minimal_plus(R"(
[limits]
endpoint_qps = 10
daily_cap = 800000
[limits.endpoints."/comment/list/"]
qps = 5
[limits.endpoints."/report/integrated/get/"]
daily_cap = 1000
)"),
                        kPath);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->limits.endpoint_qps, 10);
  EXPECT_EQ(c->limits.daily_cap, 800000);
  ASSERT_EQ(c->limits.endpoints.size(), 2u);
  EXPECT_EQ(c->limits.endpoints.at("/comment/list/").qps, 5.0);
  EXPECT_FALSE(c->limits.endpoints.at("/comment/list/").daily_cap);
  EXPECT_EQ(c->limits.endpoints.at("/report/integrated/get/").daily_cap, 1000);
  auto defaults = parse_config(kMinimal, kPath);
  EXPECT_EQ(defaults->limits.endpoint_qps, 0);  // only poll.max_qps applies
  EXPECT_TRUE(defaults->limits.endpoints.empty());
}

TEST(ConfigLimits, BadLimitsNameTheKey) {
  EXPECT_NE(error_of(minimal_plus("[limits]\nendpoint_qps = -1\n")).find("limits.endpoint_qps"),
            std::string::npos);
  EXPECT_NE(error_of(minimal_plus("[limits]\ndaily_cap = 1.5\n")).find("a whole number"),
            std::string::npos);
  EXPECT_NE(error_of(minimal_plus("[limits.endpoints.\"comment\"]\nqps = 1\n"))
                .find("an API path such as"),
            std::string::npos);
  const std::string unknown =
      error_of(minimal_plus("[limits.endpoints.\"/bc/get/\"]\nburst = 1\n"));
  EXPECT_NE(unknown.find("limits.endpoints.\"/bc/get/\".burst: unknown key"), std::string::npos)
      << unknown;
}

}  // namespace
}  // namespace ttlink::config

// ttlink-sandbox's control API and robustness over real HTTP: each fault
// kind, QPS limits, the masked request log, persistence across a restart,
// TLS, generated worlds, and bad input that must never crash or hang it.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <fstream>

#include "support/sandbox_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace ttlink::test {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Sends `request` as it is on a new connection and returns the answer's body
// (the request asks the server to close, so it ends at end of stream).
std::string raw_body(int port, const std::string& request) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket s(io);
  s.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  boost::asio::write(s, boost::asio::buffer(request));
  std::string got;
  boost::system::error_code ec;
  boost::asio::read(s, boost::asio::dynamic_buffer(got), ec);
  auto body = got.find("\r\n\r\n");
  return body == std::string::npos ? "" : got.substr(body + 4);
}

// The JSON in `body`; the strict parse fails on a byte that is not UTF-8.
json::value strict_json(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  EXPECT_FALSE(ec) << "not valid JSON: " << body;
  return v;
}

long envelope_code(const HttpResult& r) {
  auto v = json::parse(r.body);
  return static_cast<long>(v.at("code").as_int64());
}

class SandboxControl : public ::testing::Test {
 protected:
  void SetUp() override { sandbox_ = SandboxProcess::start({"--seed", "11"}); }

  Result<HttpResult> bc_get() { return sandbox_->http().get(sandbox_->api("/bc/get/")); }

  void add_fault(const std::string& spec) {
    auto r = sandbox_->control("POST", "/faults", spec);
    ASSERT_TRUE(r.as_object().contains("fault_id"));
  }

  std::unique_ptr<SandboxProcess> sandbox_;
};

TEST_F(SandboxControl, HttpStatusFaultForNextNCallsThenNormal) {
  add_fault(R"({"path":"/bc/get/","kind":"http_status","http_status":503,"count":2})");
  for (int i = 0; i < 2; ++i) {
    auto r = bc_get();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
  }
  auto after = bc_get();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(envelope_code(*after), 40104);  // processed normally: no token given
}

// `match` narrows a fault to the calls whose query or body contains it
// (one ad group among several, one advertiser).
TEST_F(SandboxControl, AMatchedFaultHitsOnlyTheCallsThatContainIt) {
  add_fault(R"({"path":"/bc/get/","kind":"code","code":40002,"match":"page=7","fraction":1.0})");
  auto other = bc_get();
  ASSERT_TRUE(other);
  EXPECT_EQ(envelope_code(*other), 40104);  // not matched: processed normally
  auto matched = sandbox_->http().get(sandbox_->api("/bc/get/") + "?page=7");
  ASSERT_TRUE(matched);
  EXPECT_EQ(envelope_code(*matched), 40002);
  auto listed = sandbox_->control("GET", "/faults").at("faults").as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed.at(0).at("match").as_string(), "page=7");
  EXPECT_EQ(listed.at(0).at("hits").as_int64(), 1);
}

TEST_F(SandboxControl, CodeFaultAnswersEnvelopeAndLeavesWorldUnchanged) {
  auto world = sandbox_->world();
  auto app = world.at("app").as_object();
  // A code: the auth page then the exchange, which the fault answers instead.
  auto page = sandbox_->http().get(
      sandbox_->base_url() + "/portal/auth?app_id=" + std::string(app.at("app_id").as_string()) +
      "&state=s&redirect_uri=http://127.0.0.1:9/cb");
  ASSERT_TRUE(page);
  auto location = page->header("Location");
  auto code = location.substr(location.find("auth_code=") + 10);
  code = code.substr(0, code.find('&'));
  add_fault(
      R"({"path":"/oauth2/access_token/","kind":"code","code":50002,"message":"timeout","count":1})");
  json::object body{
      {"app_id", app.at("app_id")}, {"secret", app.at("secret")}, {"auth_code", code}};
  auto faulted =
      sandbox_->http().post_json(sandbox_->api("/oauth2/access_token/"), json::serialize(body));
  ASSERT_TRUE(faulted);
  EXPECT_EQ(envelope_code(*faulted), 50002);
  auto real =
      sandbox_->http().post_json(sandbox_->api("/oauth2/access_token/"), json::serialize(body));
  ASSERT_TRUE(real);
  EXPECT_EQ(envelope_code(*real), 0) << real->body;  // the code was not consumed
}

TEST_F(SandboxControl, LatencyFaultDelaysThenProcesses) {
  add_fault(R"({"path":"*","kind":"latency","latency_ms":300,"count":1})");
  auto start = Clock::now();
  auto r = bc_get();
  ASSERT_TRUE(r);
  EXPECT_GE(Clock::now() - start, milliseconds(300));
  EXPECT_EQ(envelope_code(*r), 40104);
}

TEST_F(SandboxControl, ResetAndTruncateFaultsAreTransportErrors) {
  add_fault(R"({"path":"/bc/get/","kind":"reset","count":1})");
  auto reset = bc_get();
  ASSERT_FALSE(reset);
  EXPECT_EQ(reset.error().kind, ErrorKind::kTransient);
  add_fault(R"({"path":"/bc/get/","kind":"truncate","count":1})");
  auto truncated = bc_get();
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().kind, ErrorKind::kTransient);
  auto fine = bc_get();
  ASSERT_TRUE(fine);
  EXPECT_EQ(fine->status, 200);
}

TEST_F(SandboxControl, MalformedFaultIsHttp200WithoutJson) {
  add_fault(R"({"path":"/bc/get/","kind":"malformed","count":1})");
  auto r = bc_get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  boost::system::error_code ec;
  json::parse(r->body, ec);
  EXPECT_TRUE(ec);
}

TEST_F(SandboxControl, FractionFaultHitsAboutThatShareOfCalls) {
  add_fault(R"({"path":"/bc/get/","kind":"http_status","http_status":500,"fraction":0.5})");
  int failures = 0;
  for (int i = 0; i < 200; ++i) {
    auto r = bc_get();
    ASSERT_TRUE(r);
    failures += r->status == 500;
  }
  EXPECT_GT(failures, 50);
  EXPECT_LT(failures, 150);
  sandbox_->control("DELETE", "/faults");
  EXPECT_TRUE(sandbox_->control("GET", "/faults").at("faults").as_array().empty());
  EXPECT_EQ(bc_get()->status, 200);
}

TEST_F(SandboxControl, FaultSpecErrorsNameTheField) {
  auto r = sandbox_->http().post_json(sandbox_->base_url() + "/_sandbox/faults",
                                      R"({"path":"/bc/get/","kind":"explode","count":1})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("kind"), std::string::npos);
}

TEST_F(SandboxControl, QpsLimitAnswers40100PastTheLimit) {
  sandbox_->control("POST", "/qps", R"({"path":"/bc/get/","limit":3})");
  std::vector<long> codes;
  auto start = Clock::now();
  for (int i = 0; i < 4; ++i) codes.push_back(envelope_code(*bc_get()));
  if (Clock::now() - start < seconds(1)) {  // all four inside one window
    EXPECT_EQ(codes[0], 40104);
    EXPECT_EQ(codes[2], 40104);
    EXPECT_EQ(codes[3], 40100);
  }
  EXPECT_TRUE(
      wait_until([&] { return envelope_code(*bc_get()) == 40104; }, deadline_in(seconds(5))));
  sandbox_->control("POST", "/qps", R"({"path":"/bc/get/","limit":0})");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(envelope_code(*bc_get()), 40104);
}

TEST_F(SandboxControl, RequestLogMasksSecretsAndTokens) {
  auto app = sandbox_->world().at("app").as_object();
  std::string secret(app.at("secret").as_string());
  auto next = sandbox_->control("GET", "/requests").at("next").to_number<std::uint64_t>();
  json::object body{{"client_id", app.at("app_id")},
                    {"client_secret", secret},
                    {"grant_type", "refresh_token"},
                    {"refresh_token", "rft.0123456789abcdef0123456789abcdef01234567"}};
  auto r = sandbox_->http().post_json(sandbox_->api("/tt_user/oauth2/refresh_token/"),
                                      json::serialize(body));
  ASSERT_TRUE(r);
  EXPECT_EQ(envelope_code(*r), 40107);
  auto log = sandbox_->control("GET", "/requests?since=" + std::to_string(next));
  auto text = json::serialize(log);
  EXPECT_EQ(text.find(secret), std::string::npos);
  EXPECT_EQ(text.find("0123456789abcdef"), std::string::npos);
  auto entries = log.at("requests").as_array();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].at("path").as_string(), "/open_api/v1.3/tt_user/oauth2/refresh_token/");
  EXPECT_EQ(entries[0].at("code").as_int64(), 40107);
  EXPECT_NE(entries[0].at("body").as_string().find("rft."), std::string::npos);
  sandbox_->control("DELETE", "/requests");
  EXPECT_TRUE(sandbox_->control("GET", "/requests").at("requests").as_array().empty());
}

TEST_F(SandboxControl, BadInputGetsTheRightAnswerNeverACrash) {
  auto& http = sandbox_->http();
  EXPECT_EQ(http.get(sandbox_->api("/no/such/"))->status, 404);
  EXPECT_EQ(http.get(sandbox_->base_url() + "/elsewhere")->status, 404);
  auto wrong_method = http.get(sandbox_->api("/oauth2/access_token/"));
  EXPECT_EQ(wrong_method->status, 405);
  auto malformed = http.post_json(sandbox_->api("/oauth2/access_token/"), "{not json");
  EXPECT_EQ(envelope_code(*malformed), 40002);
  auto wrong_type = http.post_json(sandbox_->api("/oauth2/access_token/"), "[1,2]");
  EXPECT_EQ(envelope_code(*wrong_type), 40002);
  auto huge = http.post_json(sandbox_->api("/oauth2/access_token/"),
                             "{\"a\":\"" + std::string(2 << 20, 'x') + "\"}");
  if (huge) {  // else the server closed the connection mid-upload
    EXPECT_EQ(huge->status, 413);
  }
  auto control_bad = http.post_json(sandbox_->base_url() + "/_sandbox/advertisers", "{}");
  EXPECT_EQ(control_bad->status, 400);
  EXPECT_NE(control_bad->body.find("advertiser_id"), std::string::npos);
  EXPECT_EQ(http.get(sandbox_->base_url() + "/_sandbox/advertisers")->status, 405);
  // A byte that is not UTF-8 in the path, raw or percent-encoded, is echoed
  // as the text \xNN: the answer stays JSON a strict client can read.
  auto raw =
      raw_body(sandbox_->port(), "GET /\xa8 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(strict_json(raw).at("error"), "no such path: /\\xa8");
  auto encoded = http.get(sandbox_->base_url() + "/caf%C3%A9%A8");
  EXPECT_EQ(encoded->status, 404);
  EXPECT_EQ(strict_json(encoded->body).at("error"), "no such path: /caf\u00e9\\xa8");
  EXPECT_EQ(http.get(sandbox_->api("/%FF/"))->status, 404);
  auto logged = sandbox_->control("GET", "/requests").at("requests").as_array();
  ASSERT_FALSE(logged.empty());
  EXPECT_EQ(logged.back().at("path"), "/open_api/v1.3/\\xff/");
  EXPECT_EQ(bc_get()->status, 200);  // still alive
}

TEST_F(SandboxControl, SlowClientDoesNotBlockOthers) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket slow(io);
  slow.connect(
      {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(sandbox_->port())});
  boost::asio::write(slow,
                     boost::asio::buffer(std::string("GET /open_api/v1.3/bc/get/ HTTP/1.1\r\nHo")));
  auto r = bc_get();  // answered while the slow request is half sent
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(SandboxControl, KeepAliveServesSeveralRequestsOnOneConnection) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket s(io);
  s.connect(
      {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(sandbox_->port())});
  std::string req = "GET /open_api/v1.3/bc/get/ HTTP/1.1\r\nHost: x\r\n\r\n";
  boost::asio::write(s, boost::asio::buffer(req + req));
  std::string got;
  char buf[4096];
  while (got.find("40104", got.find("40104") + 1) == std::string::npos ||
         got.find("40104") == std::string::npos) {
    boost::system::error_code ec;
    auto n = s.read_some(boost::asio::buffer(buf), ec);
    if (ec) break;
    got.append(buf, n);
  }
  EXPECT_NE(got.find("40104", got.find("40104") + 1), std::string::npos) << got;
}

TEST(SandboxState, WorldPersistsAcrossRestart) {
  TempDir dir;
  auto state = dir.file("world.json");
  std::string secret;
  {
    auto sandbox = SandboxProcess::start({"--state", state});
    secret = std::string(sandbox->world().at("app").at("secret").as_string());
    sandbox->control("POST", "/advertisers",
                     R"({"advertiser_id":"7000000000000000042","name":"Kept"})");
    sandbox->control("POST", "/clock/advance", R"({"seconds": 3600})");
    // A scope that is not UTF-8 is kept in the code's token; the file must
    // still be JSON the next start can read.
    auto app_id = std::string(sandbox->world().at("app").at("app_id").as_string());
    auto page =
        sandbox->http().get(sandbox->base_url() + "/v2/auth/authorize/?client_key=" + app_id +
                            "&response_type=code&scope=%A8&redirect_uri=http://x.test/cb");
    EXPECT_EQ(page->status, 302);
    EXPECT_EQ(sandbox->stop(), std::optional<int>(0));
  }
  auto again = SandboxProcess::start({"--state", state});
  auto world = again->world();
  EXPECT_EQ(world.at("app").at("secret").as_string(), secret);
  bool scope_kept = false;
  for (const auto& t : world.at("tokens").as_array()) scope_kept |= t.at("scope") == "\\xa8";
  EXPECT_TRUE(scope_kept);
  EXPECT_EQ(world.at("clock").at("offset_seconds").as_int64(), 3600);
  bool kept = false;
  for (const auto& a : world.at("advertisers").as_array())
    kept |= a.at("advertiser_id").as_string() == "7000000000000000042";
  EXPECT_TRUE(kept);
}

TEST(SandboxState, PutWorldReplacesAndEmptyStartsBare) {
  auto sandbox = SandboxProcess::start({"--empty"});
  auto world = sandbox->world();
  EXPECT_TRUE(world.at("advertisers").as_array().empty());
  EXPECT_FALSE(world.at("app").at("app_id").as_string().empty());
  sandbox->control("PUT", "/world", R"({"advertisers":[{"advertiser_id":"1","name":"One"}]})");
  auto after = sandbox->world();
  ASSERT_EQ(after.at("advertisers").as_array().size(), 1u);
  EXPECT_EQ(after.at("advertisers").at(0).at("status").as_string(), "STATUS_ENABLE");
  EXPECT_EQ(after.at("app").at("app_id").as_string(), world.at("app").at("app_id").as_string());
}

TEST(SandboxGenerate, SeededGenerationIsDeterministicAndTokensWork) {
  auto spec = R"({"links":200,"comments":20000,"posts_per_advertiser":2,"issue_tokens":true})";
  auto a = SandboxProcess::start({"--seed", "5", "--empty"});
  auto b = SandboxProcess::start({"--seed", "5", "--empty"});
  auto ga = a->control("POST", "/generate", spec);
  auto gb = b->control("POST", "/generate", spec);
  EXPECT_EQ(ga.at("comments").as_int64(), 20000);
  ASSERT_EQ(ga.at("tokens").as_array().size(), 200u);
  EXPECT_EQ(json::serialize(ga.at("tokens")), json::serialize(gb.at("tokens")));
  auto link = ga.at("tokens").at(7).as_object();
  Headers h{{"Access-Token", std::string(link.at("access_token").as_string())}};
  auto biz = a->http().get(
      a->api("/business/get/?business_id=" + std::string(link.at("open_id").as_string())), h);
  ASSERT_TRUE(biz);
  EXPECT_EQ(envelope_code(*biz), 0) << biz->body;
  // Generated comments have numeric user ids, apart from their user names.
  const json::value world = a->control("GET", "/world");
  const auto& comment = world.at("comments").at(0);
  const std::string user_id(comment.at("user_id").as_string());
  EXPECT_EQ(user_id.find_first_not_of("0123456789"), std::string::npos) << user_id;
  EXPECT_NE(user_id, std::string(comment.at("user_name").as_string()));
}

std::string location_param(const std::string& location, const std::string& key) {
  auto at = location.find(key + "=");
  if (at == std::string::npos) return "";
  auto value = location.substr(at + key.size() + 1);
  return value.substr(0, value.find('&'));
}

// Issue 16's benchmark world: many accounts (links) on one advertiser, each
// linkable through the authorization pages like any other.
TEST(SandboxGenerate, AccountsShareAnAdvertiserAndLinkThroughThePages) {
  auto sandbox = SandboxProcess::start({"--seed", "5", "--empty"});
  auto app = sandbox->world().at("app").as_object();
  auto generated = sandbox->control(
      "POST", "/generate",
      R"({"links":250,"accounts_per_advertiser":100,"posts_per_advertiser":1,"issue_tokens":true})");
  EXPECT_EQ(generated.at("advertisers").as_int64(), 3);
  const auto& tokens = generated.at("tokens").as_array();
  ASSERT_EQ(tokens.size(), 250u);
  EXPECT_EQ(tokens.at(0).at("advertiser_id"), tokens.at(99).at("advertiser_id"));
  EXPECT_EQ(tokens.at(0).at("advertiser_token"), tokens.at(99).at("advertiser_token"));
  EXPECT_NE(tokens.at(99).at("advertiser_id"), tokens.at(100).at("advertiser_id"));
  EXPECT_NE(tokens.at(0).at("open_id"), tokens.at(99).at("open_id"));

  const auto& link = tokens.at(150).as_object();
  const std::string adv(link.at("advertiser_id").as_string());
  Headers h{{"Access-Token", std::string(link.at("advertiser_token").as_string())}};
  auto identities =
      sandbox->http().get(sandbox->api("/identity/get/?page_size=100&advertiser_id=" + adv), h);
  ASSERT_TRUE(identities);
  auto ids = json::parse(identities->body);
  EXPECT_EQ(ids.at("data").at("page_info").at("total_number").as_int64(), 100) << identities->body;
  auto ads = sandbox->http().get(sandbox->api("/ad/get/?advertiser_id=" + adv), h);
  EXPECT_EQ(json::parse(ads->body).at("data").at("page_info").at("total_number").as_int64(), 100);

  sandbox->control("POST", "/login",
                   json::value{{"advertiser_ids", json::array{json::value(adv)}},
                               {"open_id", link.at("open_id")}});
  const std::string redirect = "http://127.0.0.1:9/cb";
  auto page = sandbox->http().get(
      sandbox->base_url() + "/portal/auth?app_id=" + std::string(app.at("app_id").as_string()) +
      "&state=s&redirect_uri=" + redirect);
  ASSERT_TRUE(page);
  json::object body{{"app_id", app.at("app_id")},
                    {"secret", app.at("secret")},
                    {"auth_code", location_param(page->header("Location"), "auth_code")}};
  auto exchange =
      sandbox->http().post_json(sandbox->api("/oauth2/access_token/"), json::serialize(body));
  ASSERT_TRUE(exchange);
  auto granted = json::parse(exchange->body);
  EXPECT_EQ(granted.at("data").at("advertiser_ids").at(0).as_string(), adv) << exchange->body;

  auto bad = sandbox->http().post_json(sandbox->base_url() + "/_sandbox/generate",
                                       R"({"links":10,"accounts_per_advertiser":0})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("accounts_per_advertiser"), std::string::npos);
}

std::string run_openssl_for_cert(const TempDir& dir) {
  auto child = ChildProcess::spawn({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048",
                                    "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                                    "subjectAltName=IP:127.0.0.1", "-keyout", dir.file("key.pem"),
                                    "-out", dir.file("cert.pem")});
  if (!child) return child.error().message;
  auto status = (*child)->wait(deadline_in(seconds(30)));
  return status == std::optional<int>(0) ? "" : "openssl failed: " + (*child)->stderr_text();
}

TEST(SandboxTls, ServesHttpsWithTheGivenCertificate) {
  TempDir dir;
  ASSERT_EQ(run_openssl_for_cert(dir), "");
  auto sandbox = SandboxProcess::start({"--tls", dir.file("cert.pem"), dir.file("key.pem")},
                                       dir.file("cert.pem"));
  EXPECT_EQ(sandbox->base_url().rfind("https://127.0.0.1:", 0), 0u);
  auto world = sandbox->world();  // over TLS, verified against the CA file
  EXPECT_TRUE(world.as_object().contains("app"));
  HttpClient untrusting;  // system store only: the self-signed cert is refused
  EXPECT_FALSE(untrusting.get(sandbox->base_url() + "/_sandbox/world"));
}

}  // namespace
}  // namespace ttlink::test

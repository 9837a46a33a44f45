// core/alerts: the exec sink with real child processes, the webhook
// signature, and the delivery loop's retries on a real store.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <fstream>
#include <sstream>

#include "core/alerts/dispatcher.hpp"
#include "core/alerts/exec_sink.hpp"
#include "core/alerts/webhook_sink.hpp"
#include "core/util/random.hpp"
#include "support/temp_dir.hpp"

namespace ttlink::alerts {
namespace {

namespace asio = boost::asio;
using test::TempDir;

template <class T>
T run(asio::io_context& io, asio::awaitable<T> a) {
  auto f = asio::co_spawn(io, std::move(a), asio::use_future);
  io.restart();
  io.run();
  return f.get();
}

config::AlertSinkConfig exec_config(std::vector<std::string> command,
                                    Seconds timeout = Seconds{5}) {
  config::AlertSinkConfig c;
  c.type = "exec";
  c.command = std::move(command);
  c.timeout = timeout;
  return c;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ExecSink, PassesTheJsonOnStdinAndTheKeyInTheEnvironment) {
  TempDir dir;
  asio::io_context io;
  const std::string out = dir.file("got");
  ExecSink sink(
      "exec#1",
      exec_config({"/bin/sh", "-c", "cat > \"$0\"; echo \"$TTLINK_ALERT_ID\" >> \"$0\"", out}),
      io.get_executor());
  auto r = run(io, sink.deliver({R"({"kind":"test"})", "01KEY"}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(read_file(out), "{\"kind\":\"test\"}01KEY\n");
}

TEST(ExecSink, ANonZeroExitIsAFailureToRetry) {
  asio::io_context io;
  ExecSink sink("exec#1", exec_config({"/bin/sh", "-c", "exit 3"}), io.get_executor());
  auto r = run(io, sink.deliver({"{}", "k"}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("exited with 3"), std::string::npos);
}

TEST(ExecSink, ACommandPastItsTimeoutIsKilled) {
  asio::io_context io;
  ExecSink sink("exec#1", exec_config({"/bin/sleep", "30"}, Seconds{1}), io.get_executor());
  const auto started = std::chrono::steady_clock::now();
  auto r = run(io, sink.deliver({"{}", "k"}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("timed out"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST(ExecSink, AMissingProgramFails) {
  asio::io_context io;
  ExecSink sink("exec#1", exec_config({"/nonexistent/notify"}), io.get_executor());
  EXPECT_FALSE(run(io, sink.deliver({"{}", "k"})));
}

TEST(WebhookSignature, IsTimestampDotBodyHmacSha256) {
  const Secret secret("s3cret");
  EXPECT_EQ(webhook_signature(secret, 1700000000, "{}"),
            "t=1700000000,v1=" + hmac_sha256_hex("s3cret", "1700000000.{}"));
  EXPECT_EQ(webhook_signature(secret, 1700000000, "{}").find("s3cret"), std::string::npos);
}

// A sink that fails a set number of times, recording what it was given.
class FlakySink final : public Sink {
 public:
  explicit FlakySink(int failures) : failures_(failures) {}
  const std::string& name() const override { return name_; }
  asio::awaitable<Result<void>> deliver(const Outgoing& event) override {
    if (failures_-- > 0) co_return Error::transient("HTTP 500");
    got.push_back(event.idempotency_key);
    co_return Result<void>();
  }
  std::vector<std::string> got;

 private:
  std::string name_ = "webhook#1";
  int failures_;
};

TEST(Dispatcher, RetriesWithBackoffThenDeliversInOrder) {
  TempDir dir;
  auto store = store::Store::open(dir.file("db"), dir.file("key")).value();
  auto link = store->create_link("7000000000000000001", {}).value();
  TimePoint now = from_unix(1'790'000'000);
  Clock clock = [&] { return now; };
  Engine engine(*store, Seconds{3600}, {{"webhook#1", {}, Severity::kInfo}}, clock);
  auto flaky = std::make_unique<FlakySink>(2);
  FlakySink* sink = flaky.get();
  std::vector<std::unique_ptr<Sink>> sinks;
  sinks.push_back(std::move(flaky));
  asio::io_context io;
  Logger log(stderr, LogLevel::kError);
  Dispatcher d(io.get_executor(), *store, engine, std::move(sinks), log, nullptr,
               Backoff{Seconds{10}, Seconds{100}}, clock);

  d.notify({link.id, LinkState::kReauthRequired, {40105, "revoked"}});
  d.notify({link.id, LinkState::kActive, {0, ""}});
  run(io, d.run_once());  // attempt 1 fails: retry in 5..10 s
  EXPECT_TRUE(sink->got.empty());
  run(io, d.run_once());  // not due yet: nothing is tried
  EXPECT_EQ(store->undelivered_count().value(), 2);
  now += Seconds{10};
  run(io, d.run_once());  // attempt 2 fails: retry in 10..20 s
  EXPECT_TRUE(sink->got.empty());
  now += Seconds{20};
  run(io, d.run_once());  // the firing, then the resolved behind it
  run(io, d.run_once());
  ASSERT_EQ(sink->got.size(), 2u);
  EXPECT_EQ(sink->got[1], sink->got[0] + ".resolved");
  EXPECT_EQ(store->undelivered_count().value(), 0);
}

}  // namespace
}  // namespace ttlink::alerts

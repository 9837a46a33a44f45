// The test support library against a real ttlink-sandbox child: the fixture
// finds its port, the client talks to it, and stopping is clean.
#include <gtest/gtest.h>

#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace ttlink::test {
namespace {

TEST(SandboxFixture, StartsOnFreePortAndAnswersHttp) {
  auto sandbox = SandboxProcess::start({"--empty"});
  EXPECT_GT(sandbox->port(), 0);
  EXPECT_EQ(sandbox->base_url(), "http://127.0.0.1:" + std::to_string(sandbox->port()));
  auto res = sandbox->http().get(sandbox->base_url() + "/no/such/path/");
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 404);
}

TEST(SandboxFixture, SigtermExitsZero) {
  auto sandbox = SandboxProcess::start({"--empty"});
  EXPECT_EQ(sandbox->stop(), std::optional<int>(0));
}

TEST(ChildProcess, CapturesStdoutAndStderrLines) {
  auto child = ChildProcess::spawn({"/bin/sh", "-c", "echo out-line; echo err-line >&2; exit 3"});
  ASSERT_TRUE(child);
  auto deadline = deadline_in(std::chrono::seconds(5));
  EXPECT_EQ((*child)->wait_for_output("out-", deadline), std::optional<std::string>("out-line"));
  EXPECT_EQ((*child)->wait_for_output("err-", deadline), std::optional<std::string>("err-line"));
  EXPECT_EQ((*child)->wait(deadline), std::optional<int>(3));
  EXPECT_EQ((*child)->stdout_text(), "out-line\n");
  EXPECT_EQ((*child)->stderr_text(), "err-line\n");
}

TEST(ChildProcess, WaitForOutputGivesUpAtDeadline) {
  auto child = ChildProcess::spawn({"/bin/sleep", "30"});
  ASSERT_TRUE(child);
  auto start = Clock::now();
  EXPECT_FALSE((*child)->wait_for_output("never", start + std::chrono::milliseconds(100)));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  (*child)->kill9();
  EXPECT_EQ((*child)->wait(deadline_in(std::chrono::seconds(5))), std::optional<int>(128 + 9));
}

TEST(ChildProcess, EnvironmentAdditionsReachTheChild) {
  auto child = ChildProcess::spawn({"/bin/sh", "-c", "echo value=$TTLINK_TEST_VAR"},
                                   {{"TTLINK_TEST_VAR", "42"}});
  ASSERT_TRUE(child);
  EXPECT_TRUE((*child)->wait_for_output("value=42", deadline_in(std::chrono::seconds(5))));
}

TEST(TempDir, IsRemovedWithItsContents) {
  std::filesystem::path kept;
  {
    TempDir dir;
    kept = dir.path();
    std::FILE* f = std::fopen(dir.file("x.txt").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
    EXPECT_TRUE(std::filesystem::exists(dir.file("x.txt")));
  }
  EXPECT_FALSE(std::filesystem::exists(kept));
}

TEST(WaitUntil, ReturnsFalseAtDeadlineAndTrueWhenMet) {
  EXPECT_FALSE(wait_until([] { return false; }, deadline_in(std::chrono::milliseconds(20))));
  int calls = 0;
  EXPECT_TRUE(wait_until([&] { return ++calls >= 3; }, deadline_in(std::chrono::seconds(5))));
}

TEST(HttpClient, ConnectionRefusedIsATransientError) {
  HttpClient client;
  auto res = client.get("http://127.0.0.1:1/");
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().kind, ErrorKind::kTransient);
}

}  // namespace
}  // namespace ttlink::test

// A store ttlinkd cannot use at start: the real ttlinkd exits non-zero with
// an error that names the file and the cause, and leaves the file as it was
// (a corrupt store is evidence, and maybe recoverable: never overwritten).
// A store that refuses writes while running (a full disk): a rotated token
// is not lost. The whole daemon on a really full disk is
// tests/stress/disk_full.sh (it needs a tmpfs, hence root).
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/http/client.hpp"
#include "core/links/account_tokens.hpp"
#include "core/store/store.hpp"
#include "core/tiktok/api_client.hpp"
#include "support/child_process.hpp"
#include "support/daemon_fixture.hpp"
#include "support/run_awaitable.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace ttlink::test {
namespace {
using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr uid_t kNobody = 65534;

struct DaemonRun {
  int status;
  std::string output;
};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::string& path, const std::string& bytes, mode_t mode = 0600) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  ::chmod(path.c_str(), mode);
}

std::string garbage(std::size_t n) {
  std::mt19937 rng(14);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

class StoreFaults : public ::testing::Test {
 protected:
  // A config whose listeners cannot collide with anything: the daemon must
  // fail on its store before it binds them, but if it did not, it would not
  // take a port another test uses.
  std::string config_for(const std::string& db_path) {
    write_file(dir.file("app_secret"), "s3cret-value\n");
    const std::string toml =
        "[tiktok]\napp_id = \"7100000000000000001\"\napp_secret_file = \"" +
        dir.file("app_secret") + "\"\napi_base = \"http://127.0.0.1:9/open_api/v1.3\"\n" +
        "[callback]\nlisten = \"127.0.0.1:0\"\n[metrics]\nlisten = \"\"\n" +
        "[control]\nsocket = \"" + dir.file("ttlinkd.sock") + "\"\ngroup = \"\"\n" +
        "[store]\npath = \"" + db_path + "\"\nkey_file = \"" + dir.file("store_key") + "\"\n";
    write_file(dir.file("ttlinkd.toml"), toml);
    return dir.file("ttlinkd.toml");
  }

  DaemonRun run_daemon(const std::string& config, std::vector<std::string> prefix = {}) {
    std::vector<std::string> argv = std::move(prefix);
    argv.insert(argv.end(), {daemon_binary(), "--config", config});
    auto child = ChildProcess::spawn(argv);
    if (!child) throw std::runtime_error(child.error().message);
    auto status = (*child)->wait(deadline_in(20s));
    if (!status) {
      (*child)->kill9();
      ADD_FAILURE() << "ttlinkd started on a store it cannot use:\n" << (*child)->stderr_text();
      return {-1, ""};
    }
    return {*status, (*child)->stdout_text() + (*child)->stderr_text()};
  }

  // Runs ttlinkd as a user without root's override of file modes: as
  // nobody (through setpriv) when the test runs as root, as is when not.
  DaemonRun run_unprivileged(const std::string& config) {
    if (::geteuid() != 0) return run_daemon(config);
    for (const auto& entry : fs::recursive_directory_iterator(dir.path()))
      EXPECT_EQ(::lchown(entry.path().c_str(), kNobody, kNobody), 0) << entry.path();
    EXPECT_EQ(::chown(dir.path().c_str(), kNobody, kNobody), 0);
    return run_daemon(config,
                      {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
  }

  TempDir dir;
};

TEST_F(StoreFaults, GarbageFileIsNamedAndLeftUntouched) {
  const std::string db = dir.file("ttlink.db");
  const std::string bytes = garbage(64 * 1024);
  write_file(db, bytes);
  auto r = run_daemon(config_for(db));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("database " + db + " is not a database (no sqlite header"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(read_all(db), bytes) << "the corrupt store was modified";
  EXPECT_FALSE(fs::exists(db + "-wal"));
}

TEST_F(StoreFaults, CorruptPagesBehindAValidHeaderAreNamed) {
  const std::string db = dir.file("ttlink.db");
  const std::string bytes = std::string("SQLite format 3\0", 16) + garbage(8192);
  write_file(db, bytes);
  auto r = run_daemon(config_for(db));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("cannot open database " + db + " (corrupt"), std::string::npos)
      << r.output;
  EXPECT_EQ(read_all(db), bytes) << "the corrupt store was modified";
}

TEST_F(StoreFaults, DirectoryInsteadOfAFileIsNamed) {
  const std::string db = dir.file("ttlink.db");
  fs::create_directory(db);
  auto r = run_daemon(config_for(db));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("database " + db + " is a directory"), std::string::npos) << r.output;
}

TEST_F(StoreFaults, ParentThatIsAFileIsNamed) {
  write_file(dir.file("not-a-folder"), "x");
  const std::string db = dir.file("not-a-folder") + "/ttlink.db";
  auto r = run_daemon(config_for(db));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("cannot create database " + db + ": Not a directory"), std::string::npos)
      << r.output;
}

TEST_F(StoreFaults, ReadOnlyFileIsRefusedNotOpenedReadOnly) {
  // sqlite itself would open it read-only and ttlinkd would fail at its
  // first write, long after it said it was ready.
  const std::string db = dir.file("ttlink.db");
  write_file(db, "", 0400);
  auto r = run_unprivileged(config_for(db));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("database " + db + " is not writable by ttlinkd"), std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("daemon.ready"), std::string::npos) << r.output;
}

TEST_F(StoreFaults, ReadOnlyFolderIsNamed) {
  // The file is writable, its folder is not: sqlite cannot create the -wal
  // and -shm files next to it.
  const std::string db = dir.file("store/ttlink.db");
  fs::create_directory(dir.file("store"));
  write_file(db, "", 0600);
  const std::string config = config_for(db);
  ::chmod(dir.file("store").c_str(), 0555);
  auto r = run_unprivileged(config);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("cannot open database " + db), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("not writable"), std::string::npos) << r.output;
  ::chmod(dir.file("store").c_str(), 0755);  // so that TempDir can remove it
}

// --- a store that stops taking writes while tokens rotate --------------------

// The account's refresh tokens upstream, in issue order.
std::vector<boost::json::object> refresh_chain(SandboxProcess& sandbox,
                                               const std::string& open_id) {
  std::vector<boost::json::object> chain;
  auto world = sandbox.control("GET", "/world?comments=false");
  for (const auto& t : world.at("tokens").as_array())
    if (t.at("kind") == "account_refresh" && t.at("subject") == open_id.c_str())
      chain.push_back(t.as_object());
  return chain;
}

TEST(StoreRefusingWrites, RotatedTokenIsKeptUntilTheStoreTakesIt) {
  auto sandbox = SandboxProcess::start();
  auto generated = sandbox->control("POST", "/generate", R"({"links":1,"issue_tokens":true})");
  const auto& issued = generated.at("tokens").as_array().at(0).as_object();
  const std::string open_id(issued.at("open_id").as_string());
  auto app = sandbox->control("GET", "/world?comments=false").at("app").as_object();

  TempDir dir;
  auto opened = store::Store::open(dir.file("ttlink.db"), dir.file("key"));
  ASSERT_TRUE(opened) << opened.error().message;
  auto& store = **opened;
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  ASSERT_TRUE(store.tokens().put_account(
      open_id,
      {Secret(std::string(issued.at("access_token").as_string())),
       Secret(std::string(issued.at("refresh_token").as_string())), now + std::chrono::hours(24),
       now + std::chrono::hours(24 * 365), "user.info.basic"}));

  boost::asio::io_context io;
  http::Client http(io.get_executor(), http::ClientOptions{});
  tiktok::ApiClient api(http, {sandbox->api_base(), std::string(app.at("app_id").as_string()),
                               Secret(std::string(app.at("secret").as_string()))});
  config::Config config;
  Logger log(stderr, LogLevel::kError);
  links::AccountTokenKeeper keeper(store, api, config, log, now_utc);
  auto& db = store.connection().database();

  // The store refuses writes (as on a full disk); upstream rotates anyway.
  ASSERT_TRUE(db.exec("PRAGMA query_only = ON"));
  auto refreshed = run(io, keeper.fresh(open_id, true));
  ASSERT_FALSE(refreshed);
  EXPECT_EQ(refreshed.error().kind, ErrorKind::kStorage);
  auto chain = refresh_chain(*sandbox, open_id);
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_TRUE(chain[0].at("used").as_bool());  // the stored token is dead upstream

  // No second rotation while the first cannot be kept; the new tokens are used.
  EXPECT_FALSE(run(io, keeper.fresh(open_id, true)));
  EXPECT_EQ(refresh_chain(*sandbox, open_id).size(), 2u);
  auto in_memory = run(io, keeper.fresh(open_id, false));
  ASSERT_TRUE(in_memory) << in_memory.error().message;
  EXPECT_EQ(in_memory->refresh_token.reveal(), std::string(chain[1].at("token").as_string()));

  // Space is back: the next call commits them, and refreshing goes on.
  ASSERT_TRUE(db.exec("PRAGMA query_only = OFF"));
  ASSERT_TRUE(run(io, keeper.fresh(open_id, false)));
  auto stored = store.tokens().account(open_id);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->refresh_token.reveal(), std::string(chain[1].at("token").as_string()));
  auto again = run(io, keeper.fresh(open_id, true));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(refresh_chain(*sandbox, open_id).size(), 3u);
}

}  // namespace
}  // namespace ttlink::test

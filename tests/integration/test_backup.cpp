// `ttlinkctl backup FILE` against a real ttlinkd with a linked account: the
// copy is a sound sqlite database holding the link, made while the daemon
// runs; it restores; existing and relative destinations are refused.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/daemon_fixture.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace ttlink::test {
namespace {
namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kAdvertiser = "7000000000000000001";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

// The copy, opened read-only with sqlite itself (not through ttlink's store).
class Copy {
 public:
  explicit Copy(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(db_);
  }
  ~Copy() { sqlite3_close(db_); }
  // The first column of the first row, as text ("" when there is none).
  std::string query(const std::string& sql, const std::string& bound = "") {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return "";
    }
    if (!bound.empty()) sqlite3_bind_text(stmt, 1, bound.c_str(), -1, SQLITE_TRANSIENT);
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class Backup : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox = SandboxProcess::start();
    daemon = DaemonProcess::start(*sandbox);
    link_id = daemon->link(kAdvertiser);
    ASSERT_EQ(daemon->state_of(link_id), "ACTIVE");
  }
  CtlRun ctl(std::vector<std::string> args) {
    return run_ctl(daemon->socket_path(), std::move(args));
  }

  std::unique_ptr<SandboxProcess> sandbox;
  std::unique_ptr<DaemonProcess> daemon;
  std::string link_id;
  TempDir backups;
};

TEST_F(Backup, ACopyMadeWhileTheDaemonRunsIsSoundAndHoldsTheLink) {
  const std::string dest = backups.file("ttlink-copy.db");
  CtlRun run = ctl({"backup", dest});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("Backed up the store to " + dest), std::string::npos) << run.out;
  EXPECT_EQ(mode_of(dest), 0600u);
  EXPECT_FALSE(fs::exists(dest + "-journal"));

  // The daemon goes on writing; the copy stays as it was.
  auto second = daemon->must("link.start", {{"advertiser_id", "7000000000000000002"}});
  Copy copy(dest);
  EXPECT_EQ(copy.query("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(copy.query("SELECT state FROM links WHERE id = ?", link_id), "ACTIVE");
  EXPECT_EQ(copy.query("SELECT advertiser_id FROM links WHERE id = ?", link_id), kAdvertiser);
  EXPECT_EQ(copy.query("SELECT count(*) FROM links"), "1");
  EXPECT_EQ(daemon->state_of(std::string(second.at("link_id").as_string())), "PENDING");

  auto logged = daemon->process().wait_for_output("event=store.backup", deadline_in(5s));
  ASSERT_TRUE(logged) << daemon->log_text();
  EXPECT_NE(logged->find("uid=" + std::to_string(::getuid())), std::string::npos) << *logged;
}

TEST_F(Backup, JsonPrintsPathSizeAndPages) {
  const std::string dest = backups.file("copy.db");
  CtlRun run = ctl({"--json", "backup", dest});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto result = json::parse(run.out).as_object();
  EXPECT_EQ(result.at("path"), json::value(dest));
  EXPECT_EQ(result.at("bytes").to_number<std::int64_t>(),
            static_cast<std::int64_t>(fs::file_size(dest)));
  const auto page_size = std::stoll(Copy(dest).query("PRAGMA page_size"));
  EXPECT_EQ(result.at("pages").to_number<std::int64_t>() * page_size,
            static_cast<std::int64_t>(fs::file_size(dest)));
}

TEST_F(Backup, ExistingAndRelativeDestinationsAreRefusedAndLeftUntouched) {
  const std::string existing = backups.file("existing.db");
  std::ofstream(existing) << "precious\n";
  ::chmod(existing.c_str(), 0644);
  CtlRun run = ctl({"backup", existing});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find(existing + " already exists"), std::string::npos) << run.err;
  EXPECT_EQ(read_file(existing), "precious\n");
  EXPECT_EQ(mode_of(existing), 0644u);

  const std::string link = backups.file("link.db");  // a link planted in its place
  fs::create_symlink(existing, link);
  EXPECT_EQ(ctl({"backup", link}).exit_code, 1);
  EXPECT_EQ(read_file(existing), "precious\n");

  const std::string relative = "ttlink-backup-relative-" + std::to_string(::getpid()) + ".db";
  run = ctl({"backup", relative});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("must be absolute"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(relative));

  const std::string nowhere = backups.file("no/such/dir/copy.db");
  run = ctl({"backup", nowhere});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("No such file or directory"), std::string::npos) << run.err;
  EXPECT_EQ(ctl({"backup"}).exit_code, 2);
  EXPECT_EQ(daemon->state_of(link_id), "ACTIVE");  // the daemon is unaffected
}

TEST_F(Backup, RestoringTheCopyBringsBackTheStoreAsItWasWithWorkingTokens) {
  const std::string dest = backups.file("before.db");
  ASSERT_EQ(ctl({"backup", dest}).exit_code, 0);
  auto later = daemon->must("link.start", {{"advertiser_id", "7000000000000000002"}});
  const std::string later_id(later.at("link_id").as_string());

  // README's restore: stop, copy over store.path (0600), start with the same key.
  daemon->process().signal(SIGTERM);
  ASSERT_TRUE(daemon->process().wait(deadline_in(20s)));
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(daemon->db_path() + suffix);
  fs::copy_file(dest, daemon->db_path(), fs::copy_options::overwrite_existing);
  ::chmod(daemon->db_path().c_str(), 0600);
  daemon->restart();

  EXPECT_EQ(daemon->state_of(link_id), "ACTIVE");
  EXPECT_FALSE(daemon->call("link.get", {{"id", later_id}}));        // made after the backup
  auto refreshed = daemon->call("link.refresh", {{"id", link_id}});  // the tokens decrypt
  ASSERT_TRUE(refreshed) << refreshed.error().message;
  EXPECT_EQ(daemon->state_of(link_id), "ACTIVE");
}

}  // namespace
}  // namespace ttlink::test

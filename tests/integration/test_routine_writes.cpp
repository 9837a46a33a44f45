// core/links on the store's batches (issue 16): what a scheduled refresh or
// check writes, and when another connection to the file (a backup, a crash
// and restart) sees it. In-process LinkService with batching on, against the
// real sandbox over HTTP.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "core/http/client.hpp"
#include "core/links/link_service.hpp"
#include "core/store/batch_commits.hpp"
#include "core/store/store.hpp"
#include "core/tiktok/api_client.hpp"
#include "support/daemon_fixture.hpp"
#include "support/run_awaitable.hpp"
#include "support/temp_dir.hpp"

namespace ttlink::links {
namespace {

namespace json = boost::json;
using test::run;
using test::SandboxProcess;
using test::TempDir;

std::string str(const json::value& v) {
  return std::string(v.as_string());
}

class RoutineWrites : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox_ = SandboxProcess::start();
    auto generated = sandbox_->control("POST", "/generate", R"({"links":1,"issue_tokens":true})");
    const auto& issued = generated.at("tokens").as_array().at(0).as_object();
    open_id_ = str(issued.at("open_id"));
    advertiser_id_ = str(issued.at("advertiser_id"));
    auto app = sandbox_->control("GET", "/world?comments=false").at("app").as_object();
    api_.emplace(http_, tiktok::ApiConfig{sandbox_->api_base(), str(app.at("app_id")),
                                          Secret(str(app.at("secret")))});
    config_.tiktok.app_id = str(app.at("app_id"));
    // Advertiser facts are not reused between checks (they are for half an
    // interval): each check here sees upstream as it is.
    config_.poll.status_interval = Seconds{0};

    store_ = store::Store::open(dir_.file("ttlink.db"), dir_.file("key")).value();
    const auto now = std::chrono::time_point_cast<Seconds>(std::chrono::system_clock::now());
    ASSERT_TRUE(store_->tokens().put_account(
        open_id_, {Secret(str(issued.at("access_token"))), Secret(str(issued.at("refresh_token"))),
                   now + std::chrono::hours(24), now + std::chrono::hours(24 * 365),
                   "user.info.basic,user.info.stats,video.list,biz.spark.auth"}));
    ASSERT_TRUE(store_->tokens().put_advertiser(advertiser_id_,
                                                Secret(str(issued.at("advertiser_token")))));
    auto link = store_->links().create(advertiser_id_, {}).value();
    link.open_id = open_id_;
    link.state = LinkState::kActive;
    ASSERT_TRUE(store_->links().update(link));
    link_id_ = link.id;
    links_.emplace(*store_, *api_, config_, log_, now_utc);
    links_->on_state_change([this](const LinkEvent&) -> Result<void> {
      ++state_changes_;
      return {};
    });
    batches_.emplace(io_.get_executor(), store_->connection(),
                     [this](const Error& e) { failures_.push_back(e.message); });
  }

  // What another connection to the file sees.
  std::int64_t committed_int(const std::string& sql) {
    auto db = store::sqlite::Database::open(dir_.file("ttlink.db"));
    EXPECT_TRUE(db);
    return db->query_int(sql).value();
  }
  std::string committed_text(const std::string& sql) {
    auto db = store::sqlite::Database::open(dir_.file("ttlink.db"));
    EXPECT_TRUE(db);
    return db->query_text(sql).value();
  }
  std::string committed_refresh_token() {
    auto other = store::Store::open(dir_.file("ttlink.db"), dir_.file("key")).value();
    auto t = other->tokens().account(open_id_).value();
    return t ? std::string(t->refresh_token.reveal()) : std::string();
  }
  std::string upstream_live_refresh_token() {
    std::string live;
    const json::value world = sandbox_->control("GET", "/world?comments=false");
    for (const auto& t : world.at("tokens").as_array())
      if (t.at("kind") == "account_refresh" && str(t.at("subject")) == open_id_)
        live = str(t.at("token"));  // the chain's last
    return live;
  }

  std::unique_ptr<SandboxProcess> sandbox_;
  std::string open_id_, advertiser_id_, link_id_;
  TempDir dir_;
  boost::asio::io_context io_;
  http::Client http_{io_.get_executor(), http::ClientOptions{}};
  std::optional<tiktok::ApiClient> api_;
  config::Config config_;
  Logger log_{stderr, LogLevel::kError};
  std::unique_ptr<store::Store> store_;
  std::optional<LinkService> links_;
  std::optional<store::BatchCommits> batches_;
  int state_changes_ = 0;
  std::vector<std::string> failures_;
};

// The rotated tokens are committed (and synced) when the refresh returns;
// only the link's next refresh time waits for the batch.
TEST_F(RoutineWrites, AScheduledRefreshCommitsTheTokensAtOnceAndItsScheduleWithTheBatch) {
  const std::string schedule =
      "SELECT ifnull(next_refresh_at, 0) FROM links WHERE id = " + link_id_;
  const auto before = committed_int(schedule);
  auto refreshed = run(io_, links_->refresh_scheduled(link_id_, {"daemon"}));
  ASSERT_TRUE(refreshed) << refreshed.error().message;
  EXPECT_EQ(committed_refresh_token(), upstream_live_refresh_token());
  EXPECT_TRUE(store_->connection().batch_open());
  EXPECT_EQ(committed_int(schedule), before);
  io_.restart();
  while (store_->connection().batch_open()) io_.run_one();  // until the batch's timer fires
  EXPECT_EQ(committed_int(schedule), to_unix(*refreshed->next_refresh_at));
  EXPECT_TRUE(failures_.empty());
}

// A check that finds nothing new: its writes wait. One that changes the
// link's state: the state (and what observers wrote with it, the alert)
// is committed when the check returns.
TEST_F(RoutineWrites, AScheduledCheckWaitsUnlessItChangesTheLinksState) {
  const std::string state = "SELECT state FROM links WHERE id = " + link_id_;
  const std::string checked = "SELECT ifnull(last_check_at, 0) FROM links WHERE id = " + link_id_;
  ASSERT_TRUE(run(io_, links_->check_scheduled(link_id_, {"daemon"})));  // ACTIVE, with its reason
  ASSERT_TRUE(store_->connection().commit_batch());
  const auto settled = committed_int(checked);
  state_changes_ = 0;
  auto first = run(io_, links_->check_scheduled(link_id_, {"daemon"}));
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->state, LinkState::kActive) << first->reason_message;
  EXPECT_EQ(state_changes_, 0);
  EXPECT_TRUE(store_->connection().batch_open());
  EXPECT_EQ(committed_int(checked), settled);

  sandbox_->control("POST", "/advertisers",
                    json::object{{"advertiser_id", advertiser_id_}, {"status", "STATUS_LIMIT"}});
  auto second = run(io_, links_->check_scheduled(link_id_, {"daemon"}));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->state, LinkState::kAdvertiserInactive);
  EXPECT_EQ(state_changes_, 1);
  EXPECT_FALSE(store_->connection().batch_open());
  EXPECT_EQ(committed_text(state), "ADVERTISER_INACTIVE");
  EXPECT_EQ(committed_int(checked), to_unix(*second->last_check_at));
}

}  // namespace
}  // namespace ttlink::links

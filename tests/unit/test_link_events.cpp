// core/links → core/alerts: a recorded state change and what it tells the
// alerts commit together, on a real sqlite store; no upstream call is made.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "core/alerts/engine.hpp"
#include "core/http/client.hpp"
#include "core/links/link_service.hpp"
#include "core/store/store.hpp"
#include "core/tiktok/api_client.hpp"
#include "support/temp_dir.hpp"

namespace ttlink::links {
namespace {

using test::TempDir;

class LinkEvents : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::Store::open(dir_.file("ttlink.db"), dir_.file("store_key"), [this] {
               return now_;
             }).value();
    link_ = store_->links().create("7000000000000000001", {}).value();
    ASSERT_TRUE(store_->links().transition(link_.id, LinkState::kActive, {0, "ok", ""}, {}));
    config_.callback.public_url = "https://ttlink.example/callback";
    links_ = std::make_unique<LinkService>(*store_, api_, config_, log_, [this] { return now_; });
  }

  std::vector<store::AuditEntry> audit() { return store_->links().audit_of(link_.id, 10).value(); }

  TempDir dir_;
  TimePoint now_ = from_unix(1'790'000'000);
  std::unique_ptr<store::Store> store_;
  store::LinkRecord link_;
  config::Config config_;
  boost::asio::io_context io_;
  http::Client http_{io_.get_executor(), {}};
  // Unroutable: no test here may reach upstream.
  tiktok::ApiClient api_{http_, {"http://127.0.0.1:9/open_api/v1.3", "app", Secret("s")}};
  Logger log_{stderr, LogLevel::kError};
  std::unique_ptr<LinkService> links_;
};

TEST_F(LinkEvents, AFailingObserverUndoesTheStateChangeAndItsAuditEntry) {
  links_->on_state_change(
      [](const LinkEvent&) -> Result<void> { return Error::storage("disk full"); });
  const auto before = audit().size();
  auto r = links_->degrade(link_.id, {50000, "3 transient failures", "req-9"}, Trouble::kChecks);
  ASSERT_FALSE(r);
  EXPECT_EQ(store_->links().get(link_.id)->state, LinkState::kActive);
  EXPECT_EQ(audit().size(), before);
}

TEST_F(LinkEvents, TheEventCarriesTheKindTheReasonAndTheStoreStampsTheInjectedClock) {
  std::vector<LinkEvent> seen;
  links_->on_state_change([&](const LinkEvent& e) -> Result<void> {
    seen.push_back(e);
    return {};
  });
  ASSERT_TRUE(links_->degrade(link_.id, {50000, "3 refreshes failed", "req-9"}, Trouble::kRefresh));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].from, LinkState::kActive);
  EXPECT_EQ(seen[0].to, LinkState::kDegraded);
  EXPECT_EQ(seen[0].reason, (Reason{50000, "3 refreshes failed", "req-9"}));
  ASSERT_TRUE(seen[0].attention);
  EXPECT_EQ(seen[0].attention->kind, AlertKind::kRefreshFailing);
  EXPECT_FALSE(seen[0].attention->action.url);  // ttlink retries: nothing to click
  EXPECT_EQ(audit().front().at, now_);          // the daemon's clock, not the wall clock
  EXPECT_EQ(store_->links().get(link_.id)->updated_at, now_);
}

TEST_F(LinkEvents, AnAlertAndItsOutboxRowsCommitWithTheStateChange) {
  alerts::Engine engine(*store_, Seconds{3600}, {{"webhook#1", {}, Severity::kInfo}},
                        [this] { return now_; });
  links_->on_state_change([&](const LinkEvent& e) { return engine.on_link_event(e); });
  ASSERT_TRUE(links_->degrade(link_.id, {50000, "down", ""}, Trouble::kChecks));
  EXPECT_EQ(store_->alerts().firing_count().value(), 1);
  EXPECT_EQ(store_->alerts().undelivered_count().value(), 1);
  EXPECT_EQ(store_->alerts().list(false, 10).value()[0].kind, AlertKind::kUpstreamUnreachable);
}

}  // namespace
}  // namespace ttlink::links

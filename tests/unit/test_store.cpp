// core/store: the Store on a real sqlite file in a temporary directory.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "core/store/sqlite.hpp"
#include "core/store/store.hpp"
#include "support/temp_dir.hpp"

namespace ttlink::store {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class StoreTest : public ::testing::Test {
 protected:
  std::string db_path() const { return (dir_.path() / "ttlink.db").string(); }
  std::string key_path() const { return (dir_.path() / "key" / "store_key").string(); }

  std::unique_ptr<Store> open_store() {
    auto s = Store::open(db_path(), key_path());
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return s ? std::move(*s) : nullptr;
  }
  void SetUp() override {
    store_ = open_store();
    ASSERT_TRUE(store_);
  }
  // A second, raw connection to the same file: what an attacker or a stray
  // script would see.
  sqlite::Database raw() { return sqlite::Database::open(db_path()).value(); }

  LinkRecord new_link(std::string_view advertiser_id = "7000000000000000001") {
    return store_->links().create(advertiser_id, Actor{"uid=1000 gid=1000 pid=42"}).value();
  }

  AccountTokens sample_tokens(std::string access, std::string refresh) {
    AccountTokens t;
    t.access_token = Secret(std::move(access));
    t.refresh_token = Secret(std::move(refresh));
    t.access_expires_at = from_unix(1'800'000'000);
    t.refresh_expires_at = from_unix(1'830'000'000);
    t.scope = "user.info.basic,video.list";
    return t;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

// --- links ---

TEST_F(StoreTest, CreateLinkAssignsDecimalIdsStartingPending) {
  auto a = new_link();
  auto b = new_link();
  EXPECT_EQ(a.id, "1");
  EXPECT_EQ(b.id, "2");
  EXPECT_EQ(a.state, LinkState::kPending);
  EXPECT_EQ(a.advertiser_id, "7000000000000000001");
  EXPECT_NE(a.created_at, TimePoint{});
  EXPECT_EQ(a.created_at, a.updated_at);
}

TEST_F(StoreTest, CreateLinkWritesAnAuditEntryWithTheActor) {
  auto link = new_link();
  auto audit = store_->links().audit_of(link.id, 10).value();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "link.create");
  EXPECT_EQ(audit[0].actor, "uid=1000 gid=1000 pid=42");
  EXPECT_EQ(audit[0].to_state, "PENDING");
}

TEST_F(StoreTest, UpdateLinkRoundTripsEveryField) {
  auto link = new_link();
  link.advertiser_id = "7000000000000000002";
  link.open_id = "-000Ab-Cd";
  link.identity_id = "6a1f0000-1111";
  link.identity_type = "BC_AUTH_TT";
  link.state = LinkState::kExpiring;
  link.reason_code = 40105;
  link.reason_message = "Access token is invalid";
  link.next_refresh_at = from_unix(1'800'000'100);
  link.next_check_at = from_unix(1'800'000'200);
  link.last_check_at = from_unix(1'800'000'300);
  ASSERT_TRUE(store_->links().update(link));

  auto got = store_->links().get(link.id).value();
  EXPECT_EQ(got.advertiser_id, link.advertiser_id);
  EXPECT_EQ(got.open_id, link.open_id);
  EXPECT_EQ(got.identity_id, link.identity_id);
  EXPECT_EQ(got.identity_type, link.identity_type);
  EXPECT_EQ(got.state, LinkState::kExpiring);
  EXPECT_EQ(got.reason_code, 40105);
  EXPECT_EQ(got.reason_message, link.reason_message);
  EXPECT_EQ(got.next_refresh_at, link.next_refresh_at);
  EXPECT_EQ(got.next_check_at, link.next_check_at);
  EXPECT_EQ(got.last_check_at, link.last_check_at);
  EXPECT_EQ(got.created_at, link.created_at);

  got.next_refresh_at.reset();
  ASSERT_TRUE(store_->links().update(got));
  EXPECT_FALSE(store_->links().get(link.id).value().next_refresh_at);
}

// What a check or a refresh writes: its own fields only. The rest of the
// record as the caller holds it (an older copy, say) does not go back.
TEST_F(StoreTest, UpdateScheduleWritesOnlyTheScheduleAndIdentity) {
  auto link = new_link();
  link.advertiser_id = "7000000000000000002";
  link.open_id = "-000Ab-Cd";
  ASSERT_TRUE(store_->links().update(link));
  auto stale = link;
  stale.advertiser_id = "7000000000000000009";
  stale.open_id = "someone-else";
  stale.state = LinkState::kDegraded;
  stale.reason_message = "stale";
  stale.identity_id = "6a1f0000-1111";
  stale.identity_type = "TT_USER";
  stale.next_refresh_at = from_unix(1'800'000'100);
  stale.next_check_at = from_unix(1'800'000'200);
  stale.last_check_at = from_unix(1'800'000'300);
  ASSERT_TRUE(store_->links().update_schedule(stale));

  auto got = store_->links().get(link.id).value();
  EXPECT_EQ(got.advertiser_id, "7000000000000000002");
  EXPECT_EQ(got.open_id, "-000Ab-Cd");
  EXPECT_EQ(got.state, link.state);
  EXPECT_EQ(got.reason_message, link.reason_message);
  EXPECT_EQ(got.identity_id, "6a1f0000-1111");
  EXPECT_EQ(got.identity_type, "TT_USER");
  EXPECT_EQ(got.next_refresh_at, stale.next_refresh_at);
  EXPECT_EQ(got.next_check_at, stale.next_check_at);
  EXPECT_EQ(got.last_check_at, stale.last_check_at);
  stale.id = "999999";
  EXPECT_EQ(store_->links().update_schedule(stale).error().kind, ErrorKind::kNotFound);
}

TEST_F(StoreTest, UnknownOrMalformedLinkIdIsNotFound) {
  for (const char* id : {"99", "abc", "", "1x", "-1"}) {
    auto got = store_->links().get(id);
    ASSERT_FALSE(got) << id;
    EXPECT_EQ(got.error().kind, ErrorKind::kNotFound) << id;
  }
  LinkRecord ghost;
  ghost.id = "99";
  auto updated = store_->links().update(ghost);
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().kind, ErrorKind::kNotFound);
}

TEST_F(StoreTest, ListLinksHidesUnlinkedUnlessAsked) {
  auto a = new_link();
  auto b = new_link();
  ASSERT_TRUE(store_->links().transition(b.id, LinkState::kUnlinked, {0, "removed", ""}, Actor{}));
  auto visible = store_->links().list(false).value();
  ASSERT_EQ(visible.size(), 1u);
  EXPECT_EQ(visible[0].id, a.id);
  auto all = store_->links().list(true).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].state, LinkState::kUnlinked);
}

TEST_F(StoreTest, TransitionSetsStateAndAppendsAuditEntryTogether) {
  auto link = new_link();
  ASSERT_TRUE(store_->links().transition(link.id, LinkState::kReauthRequired,
                                         {40105, "Access token is invalid", ""}, Actor{"daemon"}));
  auto got = store_->links().get(link.id).value();
  EXPECT_EQ(got.state, LinkState::kReauthRequired);
  EXPECT_EQ(got.reason_code, 40105);
  EXPECT_EQ(got.reason_message, "Access token is invalid");

  auto audit = store_->links().audit_of(link.id, 10).value();
  ASSERT_EQ(audit.size(), 2u);
  const auto& entry = audit[0];  // newest first
  EXPECT_EQ(entry.action, "state");
  EXPECT_EQ(entry.actor, "daemon");
  EXPECT_EQ(entry.from_state, "PENDING");
  EXPECT_EQ(entry.to_state, "REAUTH_REQUIRED");
  EXPECT_EQ(entry.reason_code, 40105);
  EXPECT_EQ(entry.reason_message, "Access token is invalid");
}

TEST_F(StoreTest, TransitionOfUnknownLinkWritesNothing) {
  auto moved = store_->links().transition("42", LinkState::kActive, {0, "", ""}, Actor{});
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(store_->links().audit_of("42", 10).value().empty());
}

TEST_F(StoreTest, CountLinksIgnoresUnlinkedOnes) {
  auto a = new_link("7001");
  auto b = new_link("7001");
  new_link("7002");
  a.open_id = "open-1";
  b.open_id = "open-1";
  ASSERT_TRUE(store_->links().update(a));
  ASSERT_TRUE(store_->links().update(b));
  EXPECT_EQ(store_->links().count_using_advertiser("7001").value(), 2);
  EXPECT_EQ(store_->links().count_using_account("open-1").value(), 2);
  ASSERT_TRUE(store_->links().transition(a.id, LinkState::kUnlinked, {0, "", ""}, Actor{}));
  EXPECT_EQ(store_->links().count_using_advertiser("7001").value(), 1);
  EXPECT_EQ(store_->links().count_using_account("open-1").value(), 1);
  EXPECT_EQ(store_->links().count_using_account("open-2").value(), 0);
}

// --- due work (issue 16: O(due), not a scan of every link) ---

TEST_F(StoreTest, DueWorkComesFromTheIndexesAndHonoursStatesAndLimit) {
  const TimePoint now = from_unix(1'800'000'000);
  auto at = [&](std::string_view adv, LinkState state, std::optional<long> check_in,
                std::optional<long> refresh_in) {
    auto l = new_link(adv);
    l.state = state;
    if (check_in) l.next_check_at = now + Seconds{*check_in};
    if (refresh_in) l.next_refresh_at = now + Seconds{*refresh_in};
    EXPECT_TRUE(store_->links().update(l));
    return l.id;
  };
  const auto check_due = at("1", LinkState::kActive, -10, 500);
  const auto refresh_due = at("2", LinkState::kDegraded, 100, -300);  // most overdue
  at("3", LinkState::kActive, 10, 10);                                // not yet
  at("4", LinkState::kPending, -10, -10);                             // not worked on
  at("5", LinkState::kUnlinked, -10, -10);
  at("6", LinkState::kExpired, -10, -10);
  const auto reauth = at("7", LinkState::kReauthRequired, -5, -500);  // checked, never refreshed
  auto due = store_->links().due(now, 10).value();
  std::vector<std::string> ids;
  for (const auto& l : due) ids.push_back(l.id);
  // A due refresh first, then a link in a bad state, then a routine check
  // (a REAUTH_REQUIRED link's refresh time does not count).
  EXPECT_EQ(ids, (std::vector<std::string>{refresh_due, reauth, check_due}));
  EXPECT_EQ(store_->links().due(now, 1).value().size(), 1u);
  EXPECT_EQ(store_->links().due(now, 2).value().size(), 2u);

  EXPECT_EQ(store_->links().next_refresh().value(), now - Seconds{300});
  auto counts = store_->links().count_by_state().value();
  EXPECT_EQ(counts[LinkState::kActive], 2);
  EXPECT_EQ(counts[LinkState::kPending], 1);
  EXPECT_EQ(counts.count(LinkState::kUnlinked), 0u);
  EXPECT_EQ(store_->links().ids_in({LinkState::kReauthRequired, LinkState::kDegraded}).value(),
            (std::vector<std::string>{refresh_due, reauth}));

  // sqlite answers these from the v6/v9 indexes: due work by a search (what is
  // due only), counts from the state index alone (no link row is read).
  auto db = raw();
  // One column of what sqlite's EXPLAIN (QUERY PLAN) says about `q`.
  auto explain = [&](const std::string& how, int column, const std::string& q) {
    auto rows = db.statement(how + q, how + q);
    EXPECT_TRUE(rows);
    std::string out;
    while (rows && (*rows)->step().value()) out += (*rows)->text(column) + "; ";
    return out;
  };
  auto plan_of = [&](const std::string& q) { return explain("EXPLAIN QUERY PLAN ", 3, q); };
  for (const char* q :
       {"SELECT id FROM links WHERE next_check_at <= 1 AND state <> 'PENDING' AND state <> "
        "'UNLINKED' AND state <> 'EXPIRED'",
        "SELECT id FROM links WHERE next_refresh_at <= 1 AND state <> 'PENDING' AND state <> "
        "'UNLINKED' AND state <> 'EXPIRED' AND state <> 'REAUTH_REQUIRED'"}) {
    const std::string details = plan_of(q);
    EXPECT_NE(details.find("SEARCH links USING"), std::string::npos) << q << ": " << details;
  }
  // due()'s queries for refreshes and routine checks (the ones a backlog
  // fills) read their index in order and stop at the limit: no sort of
  // every due link. (Those of link_tables.cpp, verbatim.)
  for (const char* q :
       {"SELECT id FROM links INDEXED BY links_refresh_due WHERE next_refresh_at <= ?1 AND state "
        "<> 'PENDING' AND state <> 'UNLINKED' AND state <> 'EXPIRED' AND state <> "
        "'REAUTH_REQUIRED' ORDER BY next_refresh_at LIMIT ?2",
        "SELECT id FROM links INDEXED BY links_check_due WHERE next_check_at <= ?1 AND state <> "
        "'PENDING' AND state <> 'UNLINKED' AND state <> 'EXPIRED' AND state IN ('ACTIVE', "
        "'EXPIRING') ORDER BY next_check_at LIMIT ?2"}) {
    const std::string details = plan_of(q);
    EXPECT_EQ(details.find("TEMP B-TREE"), std::string::npos) << q << ": " << details;
  }
  // Writing a link evaluates the partial indexes' WHERE clauses for its old
  // and new row: no temporary b-tree (an IN list built one on every UPDATE,
  // v9). link_tables.cpp's schedule update, verbatim.
  const std::string schedule_ops =
      explain("EXPLAIN ", 1,
              "UPDATE links SET identity_id = ?2, identity_type = ?3, next_refresh_at = ?4, "
              "next_check_at = ?5, last_check_at = ?6, updated_at = ?7 WHERE id = ?1");
  EXPECT_NE(schedule_ops.find("IdxInsert"), std::string::npos) << schedule_ops;
  EXPECT_EQ(schedule_ops.find("OpenEphemeral"), std::string::npos) << schedule_ops;
  EXPECT_NE(plan_of("SELECT state, count(*) FROM links WHERE state != 'UNLINKED' GROUP BY state")
                .find("COVERING INDEX links_by_state"),
            std::string::npos);
}

// Every state the scheduler checks is found when its check is due (a state
// added later must join one of due()'s queries), each link once even when its
// refresh is due too; the states it leaves alone are not.
TEST_F(StoreTest, DueWorkFindsEveryCheckableStateOnce) {
  const TimePoint now = from_unix(1'800'000'000);
  std::map<std::string, LinkState> expected;
  for (LinkState state : kAllLinkStates) {
    auto l = new_link();
    l.state = state;
    l.next_check_at = now - Seconds{10};
    l.next_refresh_at = now - Seconds{20};
    ASSERT_TRUE(store_->links().update(l));
    if (state != LinkState::kPending && state != LinkState::kUnlinked &&
        state != LinkState::kExpired)
      expected[l.id] = state;
  }
  std::map<std::string, LinkState> found;
  for (const auto& l : store_->links().due(now, 100).value())
    EXPECT_TRUE(found.emplace(l.id, l.state).second) << "twice: " << l.id;
  EXPECT_EQ(found, expected);
}

TEST_F(StoreTest, PendingLinksAreFoundByAgeAndTokenExpiryReadsNoSecret) {
  auto a = new_link("1");
  EXPECT_EQ(store_->links().pending_since(from_unix(0)).value().size(), 0u);
  EXPECT_EQ(store_->links().pending_since(a.updated_at).value().size(), 1u);
  ASSERT_TRUE(store_->tokens().put_account("open-1", sample_tokens("A1", "R1")));
  EXPECT_EQ(store_->tokens().account_refresh_expiry("open-1").value(), from_unix(1'830'000'000));
  EXPECT_EQ(store_->tokens().account_refresh_expiry("nobody").value(), std::nullopt);
}

// --- advertisers and accounts ---

TEST_F(StoreTest, AdvertiserRoundTripsAndIsReplacedOnPut) {
  EXPECT_FALSE(store_->links().get_advertiser("7001").value());
  AdvertiserRecord a{"7001", "Brand", "STATUS_ENABLE", "USD", "Etc/GMT", "ADMIN"};
  ASSERT_TRUE(store_->links().put_advertiser(a));
  auto got = store_->links().get_advertiser("7001").value();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "Brand");
  EXPECT_EQ(got->status, "STATUS_ENABLE");
  EXPECT_EQ(got->currency, "USD");
  EXPECT_EQ(got->timezone, "Etc/GMT");
  EXPECT_EQ(got->user_role, "ADMIN");
  a.status = "STATUS_LIMIT";
  ASSERT_TRUE(store_->links().put_advertiser(a));
  EXPECT_EQ(store_->links().get_advertiser("7001").value()->status, "STATUS_LIMIT");
}

TEST_F(StoreTest, AccountRoundTripsAndIsReplacedOnPut) {
  EXPECT_FALSE(store_->links().get_account("open-1").value());
  AccountRecord a{"open-1", "brand", "Brand Inc", true, "user.info.basic,video.list"};
  ASSERT_TRUE(store_->links().put_account(a));
  auto got = store_->links().get_account("open-1").value();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->username, "brand");
  EXPECT_EQ(got->display_name, "Brand Inc");
  EXPECT_TRUE(got->is_business_account);
  EXPECT_EQ(got->scope, "user.info.basic,video.list");
  a.is_business_account = false;
  ASSERT_TRUE(store_->links().put_account(a));
  EXPECT_FALSE(store_->links().get_account("open-1").value()->is_business_account);
}

// --- tokens ---

TEST_F(StoreTest, AdvertiserTokenRoundTripsAndIsWiped) {
  EXPECT_FALSE(store_->tokens().advertiser("7001").value());
  ASSERT_TRUE(store_->tokens().put_advertiser("7001", Secret("adv.token-1")));
  ASSERT_TRUE(store_->tokens().put_advertiser("7002", Secret("adv.token-2")));
  EXPECT_EQ(store_->tokens().advertiser("7001").value()->reveal(), "adv.token-1");
  ASSERT_TRUE(store_->tokens().wipe_advertiser("7001"));
  EXPECT_FALSE(store_->tokens().advertiser("7001").value());
  EXPECT_EQ(store_->tokens().advertiser("7002").value()->reveal(), "adv.token-2");
}

TEST_F(StoreTest, AccountTokensRoundTripAndRotate) {
  EXPECT_FALSE(store_->tokens().account("open-1").value());
  ASSERT_TRUE(store_->tokens().put_account("open-1", sample_tokens("act.1", "rft.1")));
  ASSERT_TRUE(store_->tokens().put_account("open-1", sample_tokens("act.2", "rft.2")));
  auto got = store_->tokens().account("open-1").value();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->access_token.reveal(), "act.2");
  EXPECT_EQ(got->refresh_token.reveal(), "rft.2");
  EXPECT_EQ(got->access_expires_at, from_unix(1'800'000'000));
  EXPECT_EQ(got->refresh_expires_at, from_unix(1'830'000'000));
  EXPECT_EQ(got->scope, "user.info.basic,video.list");
}

// Both rows come from one statement now: a pair with one row missing is
// still an error naming the account, not half a pair or an empty one.
TEST_F(StoreTest, AnAccountWithOnlyOneOfItsTwoTokenRowsIsAnError) {
  ASSERT_TRUE(store_->tokens().put_account("open-1", sample_tokens("act.1", "rft.1")));
  ASSERT_TRUE(store_->tokens().put_account("open-2", sample_tokens("act.2", "rft.2")));
  ASSERT_TRUE(raw().exec("DELETE FROM tokens WHERE owner = 'account:open-1:access'"));
  auto half = store_->tokens().account("open-1");
  ASSERT_FALSE(half);
  EXPECT_NE(half.error().message.find("account open-1 has only one of its two tokens"),
            std::string::npos)
      << half.error().message;
  EXPECT_EQ(store_->tokens().account("open-2").value()->access_token.reveal(), "act.2");
}

TEST_F(StoreTest, WipeAccountTokensLeavesOtherAccounts) {
  ASSERT_TRUE(store_->tokens().put_account("open-1", sample_tokens("act.1", "rft.1")));
  ASSERT_TRUE(store_->tokens().put_account("open-10", sample_tokens("act.10", "rft.10")));
  ASSERT_TRUE(store_->tokens().put_account("open-1:x", sample_tokens("act.1x", "rft.1x")));
  ASSERT_TRUE(store_->tokens().wipe_account("open-1"));
  EXPECT_FALSE(store_->tokens().account("open-1").value());
  EXPECT_EQ(store_->tokens().account("open-10").value()->refresh_token.reveal(), "rft.10");
  EXPECT_EQ(store_->tokens().account("open-1:x").value()->refresh_token.reveal(), "rft.1x");
}

TEST_F(StoreTest, TokensAreEncryptedAtRestInDatabaseAndWal) {
  ASSERT_TRUE(store_->tokens().put_account(
      "open-plain-marker", sample_tokens("act.SECRET-ACCESS", "rft.SECRET-REFRESH")));
  ASSERT_TRUE(store_->tokens().put_advertiser("7001", Secret("adv.SECRET-ADVERTISER")));

  // Read while the store is open: fresh writes sit in the -wal file.
  const auto wal = dir_.path() / "ttlink.db-wal";
  ASSERT_TRUE(fs::exists(wal));
  const std::string bytes = file_bytes(db_path()) + file_bytes(wal);
  ASSERT_GT(file_bytes(wal).size(), 0u);
  // The scan sees clear text: the (public) owner key is there...
  EXPECT_NE(bytes.find("account:open-plain-marker:refresh"), std::string::npos);
  // ...and no token is.
  EXPECT_EQ(bytes.find("SECRET"), std::string::npos);
}

TEST_F(StoreTest, SealedTokenCopiedToAnotherRowFailsToDecrypt) {
  ASSERT_TRUE(store_->tokens().put_account("victim", sample_tokens("act.v", "rft.v")));
  ASSERT_TRUE(store_->tokens().put_account("attacker", sample_tokens("act.a", "rft.a")));
  auto db = raw();
  ASSERT_TRUE(
      db.exec("UPDATE tokens SET sealed = (SELECT sealed FROM tokens WHERE owner = "
              "'account:victim:refresh') WHERE owner = 'account:attacker:refresh'"));
  auto got = store_->tokens().account("attacker");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, ErrorKind::kCrypto);
  EXPECT_NE(got.error().message.find("account:attacker:refresh"), std::string::npos);
  EXPECT_EQ(got.error().message.find("rft."), std::string::npos);
  EXPECT_EQ(store_->tokens().account("victim").value()->refresh_token.reveal(), "rft.v");
}

TEST_F(StoreTest, WrongKeyFailsClearlyNamingTheRow) {
  ASSERT_TRUE(store_->tokens().put_advertiser("7001", Secret("adv.token")));
  store_.reset();
  const auto other_key = (dir_.path() / "other_key").string();
  auto reopened = Store::open(db_path(), other_key);  // generates a different key
  ASSERT_TRUE(reopened) << reopened.error().message;
  auto token = (*reopened)->tokens().advertiser("7001");
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().kind, ErrorKind::kCrypto);
  EXPECT_NE(token.error().message.find("advertiser:7001:access"), std::string::npos);
  EXPECT_NE(token.error().message.find("key"), std::string::npos);
}

TEST_F(StoreTest, AccountTokensSurviveReopen) {
  ASSERT_TRUE(store_->tokens().put_account("open-1", sample_tokens("act.1", "rft.1")));
  store_.reset();
  auto reopened = open_store();
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->tokens().account("open-1").value()->refresh_token.reveal(), "rft.1");
}

TEST_F(StoreTest, AccountTokensAreCommittedWhenPutReturnsEvenIfTheProcessDiesNext) {
  store_.reset();
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto s = Store::open(db_path(), key_path());
    bool ok = s && (*s)->tokens().put_account("open-1", sample_tokens("act.1", "rft.1"));
    ::_exit(ok ? 0 : 1);  // no destructor, no close, no checkpoint
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto reopened = open_store();
  ASSERT_TRUE(reopened);
  auto got = reopened->tokens().account("open-1").value();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->refresh_token.reveal(), "rft.1");
}

// --- pending authorizations ---

PendingAuth pending(std::string hash, std::string link_id, TimePoint expires_at) {
  PendingAuth p;
  p.state_hash = std::move(hash);
  p.link_id = std::move(link_id);
  p.kind = AuthKind::kAdvertiser;
  p.created_at = expires_at - Seconds{3600};
  p.expires_at = expires_at;
  return p;
}

TEST_F(StoreTest, PendingAuthIsConsumedOnceThenConflicts) {
  auto link = new_link();
  const auto expires = from_unix(1'800'003'600);
  ASSERT_TRUE(store_->auth().add_pending(pending("h1", link.id, expires)));
  auto first = store_->auth().consume_pending("h1", expires - Seconds{1});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->link_id, link.id);
  EXPECT_EQ(first->kind, AuthKind::kAdvertiser);
  EXPECT_EQ(first->created_at, expires - Seconds{3600});
  EXPECT_EQ(first->used_at, expires - Seconds{1});

  auto second = store_->auth().consume_pending("h1", expires - Seconds{1});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(second.error().message, "state already used");
}

TEST_F(StoreTest, UnknownPendingAuthIsNotFound) {
  auto got = store_->auth().consume_pending("nope", now_utc());
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(got.error().message, "unknown state");
}

TEST_F(StoreTest, ExpiredPendingAuthIsRefusedAndStaysUnused) {
  auto link = new_link();
  const auto expires = from_unix(1'800'003'600);
  ASSERT_TRUE(store_->auth().add_pending(pending("h1", link.id, expires)));
  auto got = store_->auth().consume_pending("h1", expires);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(got.error().message, "state expired");
  EXPECT_EQ(store_->auth().pending_of(link.id).value().size(), 1u);
}

TEST_F(StoreTest, PendingAuthsForLinkListsUnusedAndCancelRemovesThem) {
  auto link = new_link();
  auto other = new_link();
  const auto expires = from_unix(1'800'003'600);
  ASSERT_TRUE(store_->auth().add_pending(pending("a", link.id, expires)));
  auto account = pending("b", link.id, expires);
  account.kind = AuthKind::kAccount;
  ASSERT_TRUE(store_->auth().add_pending(account));
  ASSERT_TRUE(store_->auth().add_pending(pending("c", link.id, expires)));
  ASSERT_TRUE(store_->auth().add_pending(pending("d", other.id, expires)));
  ASSERT_TRUE(store_->auth().consume_pending("c", expires - Seconds{10}));

  auto open = store_->auth().pending_of(link.id).value();
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].state_hash, "a");
  EXPECT_EQ(open[1].state_hash, "b");
  EXPECT_EQ(open[1].kind, AuthKind::kAccount);

  ASSERT_TRUE(store_->auth().cancel_pending(link.id));
  EXPECT_TRUE(store_->auth().pending_of(link.id).value().empty());
  EXPECT_EQ(store_->auth().consume_pending("a", expires - Seconds{5}).error().kind,
            ErrorKind::kNotFound);
  // A used state stays known, so a replay is told it was used.
  EXPECT_EQ(store_->auth().consume_pending("c", expires - Seconds{5}).error().kind,
            ErrorKind::kConflict);
  EXPECT_EQ(store_->auth().pending_of(other.id).value().size(), 1u);
}

TEST_F(StoreTest, PendingAuthForUnknownLinkIsRefused) {
  EXPECT_FALSE(store_->auth().add_pending(pending("h", "77", from_unix(1'800'000'000))));
}

// --- audit log ---

TEST_F(StoreTest, AuditLogRefusesUpdateAndDelete) {
  auto link = new_link();
  auto db = raw();
  auto updated = db.exec("UPDATE audit SET actor = 'someone else'");
  ASSERT_FALSE(updated);
  EXPECT_NE(updated.error().message.find("append-only"), std::string::npos);
  EXPECT_FALSE(db.exec("DELETE FROM audit"));
  auto audit = store_->links().audit_of(link.id, 10).value();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor, "uid=1000 gid=1000 pid=42");
}

TEST_F(StoreTest, AuditForLinkReturnsTheNewestFirstUpToTheLimit) {
  for (int i = 0; i < 5; ++i) {
    AuditEntry e;
    e.link_id = "9";
    e.actor = "daemon";
    e.action = "token.refresh";
    e.at = from_unix(1'800'000'000 + i);
    e.reason_message = "n" + std::to_string(i);
    ASSERT_TRUE(store_->links().append_audit(e));
  }
  auto audit = store_->links().audit_of("9", 3).value();
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[0].reason_message, "n4");
  EXPECT_EQ(audit[2].reason_message, "n2");
  EXPECT_EQ(audit[0].at, from_unix(1'800'000'004));
  EXPECT_GT(audit[0].id, audit[1].id);
}

// --- transactions ---

TEST_F(StoreTest, InTransactionRollsBackEverythingOnError) {
  auto result = store_->in_transaction([&]() -> Result<void> {
    if (auto t = store_->tokens().put_advertiser("7001", Secret("adv.t")); !t) return t;
    if (auto l = store_->links().create("7001", Actor{}); !l) return l.error();
    return Error::conflict("changed my mind");
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "changed my mind");
  EXPECT_FALSE(store_->tokens().advertiser("7001").value());
  EXPECT_TRUE(store_->links().list(true).value().empty());
}

TEST_F(StoreTest, InTransactionCommitsNestedWrites) {
  ASSERT_TRUE(store_->in_transaction([&]() -> Result<void> {
    if (auto t = store_->tokens().put_account("open-1", sample_tokens("act", "rft")); !t) return t;
    return store_->links().transition(new_link().id, LinkState::kActive, {0, "linked", ""},
                                      Actor{});
  }));
  store_.reset();
  auto reopened = open_store();
  EXPECT_TRUE(reopened->tokens().account("open-1").value());
  EXPECT_EQ(reopened->links().get("1").value().state, LinkState::kActive);
}

// --- files ---

TEST_F(StoreTest, DatabaseAndWalFilesAreOwnerOnly) {
  ASSERT_TRUE(store_->tokens().put_advertiser("7001", Secret("adv.t")));
  for (const auto& path : {fs::path(db_path()), dir_.path() / "ttlink.db-wal"}) {
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0) << path;
    EXPECT_EQ(st.st_mode & 077, 0u) << path;
  }
}

TEST_F(StoreTest, DatabaseIsInWalModeAtTheCurrentSchemaVersion) {
  auto db = raw();
  EXPECT_EQ(db.query_text("PRAGMA journal_mode").value(), "wal");
  EXPECT_EQ(db.query_int("PRAGMA user_version").value(), Store::schema_version());
}

}  // namespace
}  // namespace ttlink::store

namespace ttlink::store {
namespace {

TEST_F(StoreTest, ALaunchKeepsItsRequestIdsAndTheIdsCreatedSoFar) {
  LaunchRecord r;
  r.link_id = new_link().id;
  r.name = "Winter launch";
  r.advertiser_id = "7000000000000000001";
  r.objective = "TRAFFIC";
  r.item_id = "7400000000000000001";
  r.identity_type = "TT_USER";
  r.identity_id = "7300000000000000001";
  r.spec = R"({"objective":"TRAFFIC"})";
  r.campaign_request_id = "1000000000000000001";
  r.adgroup_request_id = "1000000000000000002";
  r.ad_request_id = "1000000000000000003";
  ASSERT_TRUE(store_->ads().insert_launch(r));
  EXPECT_FALSE(store_->ads().insert_launch(r));  // one launch per (link, name)
  r.campaign_id = "1800000000000000001";
  ASSERT_TRUE(store_->ads().update_launch_ids(r));
  store_.reset();
  store_ = open_store();  // durable across a restart
  auto got = store_->ads().launch(r.link_id, r.name);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->campaign_id, "1800000000000000001");
  EXPECT_EQ((*got)->adgroup_request_id, "1000000000000000002");
  EXPECT_TRUE((*got)->adgroup_id.empty());
  EXPECT_FALSE((*got)->complete());
  EXPECT_FALSE(store_->ads().launch(r.link_id, "Other").value().has_value());
  EXPECT_EQ(store_->ads().launches_of(r.link_id).value().size(), 1u);
}

TEST_F(StoreTest, PaidFiguresOfAWindowReplaceWhatWasStoredForItsDays) {
  const std::string link = new_link().id;
  auto day = [](std::string ad, std::string date, std::int64_t spend, std::int64_t views) {
    PaidDay d;
    d.ad_id = std::move(ad);
    d.day = std::move(date);
    d.figures.spend_micros = spend;
    d.figures.impressions = views * 10;
    d.figures.video_views = views;
    return d;
  };
  ASSERT_TRUE(store_->ads().replace_paid_days(
      link, "2026-11-01", "2026-11-30",
      {day("a", "2026-11-01", 1'000'000, 1), day("a", "2026-11-02", 2'000'000, 2),
       day("b", "2026-11-02", 500'000, 5)}));
  // The next read covers 2026-11-02..: the 1st keeps what it had, the 2nd is
  // what upstream says now (ad b had nothing more that day: its row goes).
  ASSERT_TRUE(store_->ads().replace_paid_days(
      link, "2026-11-02", "2026-12-01",
      {day("a", "2026-11-02", 3'000'000, 3), day("a", "2026-11-03", 4'000'000, 4)}));
  auto days = store_->ads().paid_by_day(link, "2026-11-01").value();
  ASSERT_EQ(days.size(), 3u);
  EXPECT_EQ(days[0].day, "2026-11-01");
  EXPECT_EQ(days[1].figures.spend_micros, 3'000'000);
  EXPECT_EQ(days[2].figures.video_views, 4);
  EXPECT_EQ(store_->ads().paid_by_day(link, "2026-11-03").value().size(), 1u);
  auto total = store_->ads().paid_total(link).value();
  EXPECT_EQ(total.spend_micros, 8'000'000);
  EXPECT_EQ(total.impressions, 80);
  EXPECT_EQ(store_->ads().paid_total("99").value().spend_micros, 0);  // none: zeros
}

TEST(StoreOpen, FileThatIsNotADatabaseIsRefusedNamingIt) {
  test::TempDir dir;
  std::ofstream(dir.file("ttlink.db")) << std::string(4096, 'x');
  auto store = Store::open(dir.file("ttlink.db"), dir.file("store_key"));
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().kind, ErrorKind::kStorage);
  EXPECT_NE(store.error().message.find("not a database"), std::string::npos)
      << store.error().message;
  EXPECT_NE(store.error().message.find(dir.file("ttlink.db")), std::string::npos)
      << store.error().message;
}

TEST(StoreOpen, MissingDatabaseDirectoryIsReported) {
  test::TempDir dir;
  auto store = Store::open(dir.file("absent/ttlink.db"), dir.file("store_key"));
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("absent/ttlink.db"), std::string::npos)
      << store.error().message;
}

TEST(StoreOpen, UnusableKeyFileStopsOpeningBeforeTheDatabaseIsCreated) {
  test::TempDir dir;
  std::ofstream(dir.file("store_key")) << "short";
  ::chmod(dir.file("store_key").c_str(), 0600);
  auto store = Store::open(dir.file("ttlink.db"), dir.file("store_key"));
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().kind, ErrorKind::kCrypto);
  EXPECT_FALSE(fs::exists(dir.file("ttlink.db")));
}

}  // namespace
}  // namespace ttlink::store

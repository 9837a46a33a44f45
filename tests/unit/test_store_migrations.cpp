// core/store/schema: forward migrations keyed by PRAGMA user_version.
#include <gtest/gtest.h>

#include "core/store/schema.hpp"
#include "core/store/sqlite.hpp"
#include "core/store/store.hpp"
#include "support/temp_dir.hpp"

namespace ttlink::store {
namespace {

class MigrationTest : public ::testing::Test {
 protected:
  std::string db_path() const { return dir_.file("ttlink.db"); }
  std::string key_path() const { return dir_.file("store_key"); }
  sqlite::Database raw() { return sqlite::Database::open(db_path()).value(); }

  static std::int64_t version(sqlite::Database& db) {
    return db.query_int("PRAGMA user_version").value();
  }
  static std::int64_t tables_named(sqlite::Database& db, const std::string& name) {
    return db
        .query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" + name +
                   "'")
        .value();
  }

  test::TempDir dir_;
};

TEST_F(MigrationTest, SchemaVersionIsTheNumberOfMigrations) {
  EXPECT_EQ(Store::schema_version(), static_cast<int>(migrations().size()));
  EXPECT_GE(Store::schema_version(), 2);
}

TEST_F(MigrationTest, EmptyDatabaseIsMigratedToTheCurrentVersion) {
  auto db = raw();
  ASSERT_EQ(version(db), 0);
  ASSERT_TRUE(migrate(db));
  EXPECT_EQ(version(db), Store::schema_version());
  for (const char* table : {"links", "advertisers", "accounts", "tokens", "pending_auths", "audit"})
    EXPECT_EQ(tables_named(db, table), 1) << table;
}

TEST_F(MigrationTest, MigratingTwiceChangesNothing) {
  auto db = raw();
  ASSERT_TRUE(migrate(db));
  ASSERT_TRUE(migrate(db));
  EXPECT_EQ(version(db), Store::schema_version());
}

TEST_F(MigrationTest, Version1DatabaseIsMigratedKeepingItsRows) {
  {
    auto db = raw();
    ASSERT_TRUE(migrate(db, 1));
    ASSERT_EQ(version(db), 1);
    ASSERT_EQ(tables_named(db, "audit"), 0);
    ASSERT_TRUE(
        db.exec("INSERT INTO links (advertiser_id, open_id, state, reason_message, created_at, "
                "updated_at) VALUES ('7001', 'open-1', 'ACTIVE', 'ok', 1800000000, 1800000000)"));
    ASSERT_TRUE(
        db.exec("INSERT INTO accounts (open_id, username, is_business_account, updated_at) "
                "VALUES ('open-1', 'brand', 1, 1800000000)"));
  }
  auto store = Store::open(db_path(), key_path());
  ASSERT_TRUE(store) << store.error().message;
  auto link = (*store)->links().get("1");
  ASSERT_TRUE(link) << link.error().message;
  EXPECT_EQ(link->state, LinkState::kActive);
  EXPECT_EQ(link->open_id, "open-1");
  EXPECT_EQ((*store)->links().get_account("open-1").value()->username, "brand");

  // Version 2's audit log works, append-only, on the migrated file.
  ASSERT_TRUE(
      (*store)->links().transition("1", LinkState::kDegraded, {50000, "upstream", ""}, Actor{}));
  EXPECT_EQ((*store)->links().audit_of("1", 5).value().size(), 1u);
  auto db = raw();
  EXPECT_EQ(version(db), Store::schema_version());
  EXPECT_FALSE(db.exec("DELETE FROM audit"));
}

TEST_F(MigrationTest, Version5DatabaseGainsLaunchesAndPaidFiguresKeepingItsRows) {
  {
    auto db = raw();
    ASSERT_TRUE(migrate(db, 5));
    ASSERT_EQ(tables_named(db, "launches"), 0);
    ASSERT_TRUE(
        db.exec("INSERT INTO links (advertiser_id, open_id, state, created_at, updated_at) "
                "VALUES ('7001', 'open-1', 'ACTIVE', 1800000000, 1800000000)"));
  }
  auto store = Store::open(db_path(), key_path());
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->links().get("1").value().state, LinkState::kActive);
  EXPECT_TRUE((*store)->ads().launches_of("1").value().empty());
  EXPECT_EQ((*store)->ads().paid_total("1").value().impressions, 0);
  auto db = raw();
  EXPECT_EQ(version(db), Store::schema_version());
  EXPECT_EQ(tables_named(db, "launches"), 1);
  EXPECT_EQ(tables_named(db, "paid_figures"), 1);
}

// v9 rebuilds the due-work indexes without IN lists: a version 8 file keeps
// its links, and the scheduler's queries find the due ones through them.
TEST_F(MigrationTest, Version8DueIndexesAreRebuiltAndStillFindDueLinks) {
  {
    auto db = raw();
    ASSERT_TRUE(migrate(db, 8));
    ASSERT_TRUE(
        db.exec("INSERT INTO links (advertiser_id, open_id, state, next_refresh_at, "
                "next_check_at, created_at, updated_at) VALUES ('7001', 'open-1', 'ACTIVE', 10, "
                "10, 1800000000, 1800000000), ('7002', 'open-2', 'UNLINKED', 10, 10, 1800000000, "
                "1800000000)"));
  }
  auto store = Store::open(db_path(), key_path());
  ASSERT_TRUE(store) << store.error().message;
  auto due = (*store)->links().due(from_unix(100), 10);
  ASSERT_TRUE(due) << due.error().message;
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].open_id, "open-1");
  auto db = raw();
  EXPECT_EQ(version(db), Store::schema_version());
  EXPECT_EQ(db.query_int("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                         "('links_check_due', 'links_refresh_due') AND sql LIKE '%<>%' AND sql "
                         "NOT LIKE '%NOT IN%'")
                .value(),
            2);
}

TEST_F(MigrationTest, FailedMigrationLeavesTheVersionAndSchemaAsTheyWere) {
  {
    auto db = raw();
    ASSERT_TRUE(migrate(db, 1));
    // A stray table in the way of migration 2.
    ASSERT_TRUE(db.exec("CREATE TABLE audit (x INTEGER)"));
  }
  auto store = Store::open(db_path(), key_path());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().kind, ErrorKind::kStorage);
  EXPECT_NE(store.error().message.find("schema version 2"), std::string::npos)
      << store.error().message;
  auto db = raw();
  EXPECT_EQ(version(db), 1);
  EXPECT_EQ(db.query_int("SELECT count(*) FROM sqlite_master WHERE name = 'audit_by_link'").value(),
            0);
}

TEST_F(MigrationTest, NewerDatabaseIsRefusedAndLeftUntouched) {
  {
    auto db = raw();
    ASSERT_TRUE(db.exec("PRAGMA user_version = 99"));
  }
  auto store = Store::open(db_path(), key_path());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().kind, ErrorKind::kStorage);
  const auto& message = store.error().message;
  EXPECT_NE(message.find("99"), std::string::npos) << message;
  EXPECT_NE(message.find("newer"), std::string::npos) << message;
  EXPECT_NE(message.find(db_path()), std::string::npos) << message;
  auto db = raw();
  EXPECT_EQ(version(db), 99);
  EXPECT_EQ(tables_named(db, "links"), 0);
}

}  // namespace
}  // namespace ttlink::store

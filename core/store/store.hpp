#pragma once
// core/store: the one sqlite file (WAL) that holds links, advertisers,
// accounts, tokens (encrypted), pending authorizations, alerts and their
// outbox, Spark Ads posts and comments, campaign launches and paid figures, and
// the audit log.
// Owns: schema, migrations (user_version, forward only), encryption at rest.
// Must not touch: the network, link policy (which state follows which),
// what an alert means.
//
// One class per table family, all on one Connection (one statement cache,
// one transaction helper, one clock):
//   links()   links + audit + advertisers + accounts   (link_tables.*)
//   tokens()  sealed tokens                            (token_tables.*)
//   auth()    pending OAuth states + action links      (auth_tables.*)
//   alerts()  alerts + outbox                          (alert_tables.*)
//   spark()   posts, comments, cursors, counts         (spark_tables.*)
//   ads()     campaign launches, paid figures          (ads_tables.*)
// Below them: sqlite.* (RAII sqlite wrapper), connection.*, schema.*
// (migrations), cipher.* (AES-256-GCM and the key file), backup.* (online
// copy for `ttlinkctl backup`).
//
// All calls are synchronous and must be made from the daemon's state thread.
// The key file (store.key_file) holds 32 random bytes; when absent it is
// generated 0600 (parent directories 0700) on first start; a key file that
// group or others can access, or not of 32 bytes, is refused. Losing it
// loses every stored token (links then need `ttlinkctl reauth`), so back it
// up apart from the database.
#include <functional>
#include <memory>
#include <string>

#include "core/store/ads_tables.hpp"
#include "core/store/alert_tables.hpp"
#include "core/store/auth_tables.hpp"
#include "core/store/backup.hpp"
#include "core/store/cipher.hpp"
#include "core/store/connection.hpp"
#include "core/store/link_tables.hpp"
#include "core/store/records.hpp"
#include "core/store/spark_tables.hpp"
#include "core/store/token_tables.hpp"

namespace ttlink::store {

class Store {
 public:
  // Opens (creating if absent) the database and the key file; rows are
  // stamped with `clock`.
  static Result<std::unique_ptr<Store>> open(const std::string& db_path,
                                             const std::string& key_file, Clock clock = now_utc);
  Store(sqlite::Database db, Cipher cipher, Clock clock, std::string path = {});
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The schema version this build writes (PRAGMA user_version).
  static int schema_version();

  LinkTables& links() { return links_; }
  TokenTables& tokens() { return tokens_; }
  AuthTables& auth() { return auth_; }
  AlertTables& alerts() { return alerts_; }
  SparkTables& spark() { return spark_; }
  AdsTables& ads() { return ads_; }

  // Runs `body` in one transaction across families (see Connection).
  Result<void> in_transaction(const std::function<Result<void>()>& body) {
    return db_.in_transaction(body);
  }
  // Runs `body` in the open batch of routine writes (see Connection).
  Result<void> routine(const std::function<Result<void>()>& body) { return db_.routine(body); }
  Connection& connection() { return db_; }
  // The write-ahead log beside the database (what WalSync syncs).
  std::string wal_path() const { return path_ + "-wal"; }
  // A consistent copy of the whole store at `path` (see backup.hpp).
  // An open batch commits first: the copy reads through this connection.
  Result<BackupStats> backup_to(const std::string& path) {
    if (auto committed = db_.commit_batch(); !committed) return committed.error();
    return backup_database(db_.database(), path);
  }

 private:
  Connection db_;
  Cipher cipher_;
  std::string path_;
  LinkTables links_{db_};
  TokenTables tokens_{db_, cipher_};
  AuthTables auth_{db_};
  AlertTables alerts_{db_};
  SparkTables spark_{db_};
  AdsTables ads_{db_};
};

}  // namespace ttlink::store

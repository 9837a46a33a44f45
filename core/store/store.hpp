#pragma once
// core/store: the one sqlite file (WAL) that holds links, advertisers,
// accounts, tokens (encrypted), pending authorizations and the audit log.
// Owns: schema, migrations (user_version, forward only), encryption at rest.
// Must not touch: the network, link policy (which state follows which).
//
// All calls are synchronous and must be made from the daemon's state thread.
// Token writes are committed with synchronous=FULL before the call returns:
// a caller may use a token only after put_*_tokens() returned success.
//
// Files: cipher.* (AES-256-GCM, key file), sqlite.* (RAII sqlite wrapper,
// named prepared statements), schema.* (migrations), sqlite_store.cpp (this
// interface). The key file (store.key_file) holds 32 random bytes; when absent
// it is generated 0600 (parent directories 0700) on first start; a key file
// that group or others can access, or not of 32 bytes, is refused. Losing it
// loses every stored token (links then need `ttlinkctl reauth`), so back it up
// apart from the database. Each token is sealed with its row's owner key
// ("advertiser:ID:access", "account:OPENID:access|refresh") as associated data
// rather than a link id: tokens belong to advertisers and accounts, which
// several links may share.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/backup.hpp"
#include "core/store/spark_tables.hpp"
#include "core/util/link_state.hpp"
#include "core/util/result.hpp"
#include "core/util/secret.hpp"
#include "core/util/time.hpp"

namespace ttlink::store {

// Who did something: "daemon", or a control-socket peer "uid=1000 gid=1000 pid=42".
struct Actor {
  std::string description = "daemon";
};

struct LinkRecord {
  std::string id;             // decimal string assigned by the store ("1", "2", ...)
  std::string advertiser_id;  // empty while the advertiser half is not yet known
  std::string open_id;        // empty until the account half completes
  std::string identity_id;    // from /identity/get/, once matched
  std::string identity_type;  // TT_USER | BC_AUTH_TT
  LinkState state = LinkState::kPending;
  long reason_code = 0;        // upstream code (or 0) behind the current state
  std::string reason_message;  // why the link is in its state; never a token
  std::optional<TimePoint> next_refresh_at;
  std::optional<TimePoint> next_check_at;
  std::optional<TimePoint> last_check_at;
  TimePoint created_at{};
  TimePoint updated_at{};
};

struct AdvertiserRecord {
  std::string advertiser_id;
  std::string name;
  std::string status;  // STATUS_ENABLE, STATUS_LIMIT, ...
  std::string currency;
  std::string timezone;
  std::string user_role;  // ADMIN | OPERATOR | ANALYST | "" (no Business Center says)
};

// The organic side of an account (/business/get/): followers, and the sums
// of the daily metrics upstream reports.
struct OrganicFigures {
  std::int64_t followers = 0;
  std::int64_t videos = 0;
  std::int64_t video_views = 0;
  std::int64_t likes = 0;
  std::int64_t comments = 0;
  std::int64_t shares = 0;
};

struct AccountRecord {
  std::string open_id;
  std::string username;
  std::string display_name;
  bool is_business_account = false;
  std::string scope;  // comma-separated, as granted
  OrganicFigures organic;
};

struct AccountTokens {
  Secret access_token;
  Secret refresh_token;
  TimePoint access_expires_at{};
  TimePoint refresh_expires_at{};
  std::string scope;
};

enum class AuthKind { kAdvertiser, kAccount };

struct PendingAuth {
  std::string state_hash;  // SHA-256 hex of the `state` value; the value is never stored
  std::string link_id;
  AuthKind kind = AuthKind::kAccount;
  TimePoint created_at{};
  TimePoint expires_at{};
  std::optional<TimePoint> used_at;
};

struct AuditEntry {
  std::int64_t id = 0;
  TimePoint at{};
  std::string link_id;  // may be empty for daemon-wide events
  std::string actor;
  std::string action;  // "link.start", "state", "link.unlink", "token.refresh", ...
  std::string from_state;
  std::string to_state;
  long reason_code = 0;
  std::string reason_message;
};

// One alert (product.md, "Alerts"): its latest event's payload is kept as
// JSON text, exactly what sinks receive.
struct AlertRecord {
  std::string id;  // sortable: time first
  std::string fingerprint;
  std::string kind;
  std::string severity;
  std::string link_id;
  std::string status;  // firing | resolved
  TimePoint since{};
  TimePoint last_sent_at{};  // last time the event was queued (repeat_interval)
  std::optional<TimePoint> acked_at;
  std::optional<TimePoint> resolved_at;
  std::string payload;
};

// One event of an alert on its way to one sink (the outbox).
struct AlertDelivery {
  std::int64_t seq = 0;  // assigned by the store; order of delivery per fingerprint
  std::string event_id;  // the alert id, suffixed for repeats and the resolve
  std::string fingerprint;
  std::string sink;
  std::string body;  // the JSON sent
  int attempts = 0;
  TimePoint next_attempt_at{};
  std::string last_error;
  std::optional<TimePoint> delivered_at;
  TimePoint created_at{};
};

class Store {
 public:
  // Opens (creating if absent) the database and the key file. A missing key
  // file is generated (32 random bytes, mode 0600, parent created 0700); an
  // existing one must be exactly 32 bytes and not readable by group/others.
  static Result<std::unique_ptr<Store>> open(const std::string& db_path,
                                             const std::string& key_file);
  virtual ~Store() = default;

  // The schema version this build writes (PRAGMA user_version).
  static int schema_version();

  // --- links ---
  // A PENDING link, and its "link.create" audit entry, in one transaction.
  virtual Result<LinkRecord> create_link(std::string_view advertiser_id, const Actor& actor) = 0;
  virtual Result<LinkRecord> get_link(std::string_view link_id) = 0;
  virtual Result<std::vector<LinkRecord>> list_links(bool include_unlinked) = 0;
  // Writes every field but id and created_at; bumps updated_at.
  virtual Result<void> update_link(const LinkRecord& link) = 0;
  // Sets state + reason and appends the audit entry in one transaction.
  virtual Result<void> transition(std::string_view link_id, LinkState to, long reason_code,
                                  std::string_view reason_message, const Actor& actor) = 0;
  // Non-UNLINKED links that use this advertiser / account (to know whether
  // tokens may be wiped on unlink).
  virtual Result<int> count_links_using_advertiser(std::string_view advertiser_id) = 0;
  virtual Result<int> count_links_using_account(std::string_view open_id) = 0;

  // --- advertisers and accounts (public facts, stored in clear) ---
  virtual Result<void> put_advertiser(const AdvertiserRecord& a) = 0;
  virtual Result<std::optional<AdvertiserRecord>> get_advertiser(
      std::string_view advertiser_id) = 0;
  virtual Result<void> put_account(const AccountRecord& a) = 0;
  virtual Result<std::optional<AccountRecord>> get_account(std::string_view open_id) = 0;

  // --- tokens (AES-256-GCM, associated data names the row) ---
  virtual Result<void> put_advertiser_token(std::string_view advertiser_id,
                                            const Secret& token) = 0;
  virtual Result<std::optional<Secret>> advertiser_token(std::string_view advertiser_id) = 0;
  virtual Result<void> wipe_advertiser_token(std::string_view advertiser_id) = 0;
  virtual Result<void> put_account_tokens(std::string_view open_id, const AccountTokens& t) = 0;
  virtual Result<std::optional<AccountTokens>> account_tokens(std::string_view open_id) = 0;
  virtual Result<void> wipe_account_tokens(std::string_view open_id) = 0;

  // --- pending authorizations (OAuth `state`) ---
  virtual Result<void> add_pending_auth(const PendingAuth& p) = 0;
  // Atomically marks the state used and returns it. Errors: kNotFound
  // (unknown state), kConflict (already used), kInvalidInput (expired).
  virtual Result<PendingAuth> consume_pending_auth(std::string_view state_hash, TimePoint now) = 0;
  // Pending, unused authorizations of a link (to print or cancel them), expired
  // ones included, oldest first.
  virtual Result<std::vector<PendingAuth>> pending_auths_for_link(std::string_view link_id) = 0;
  // Removes the unused ones; used ones stay so that a replay gets kConflict.
  virtual Result<void> cancel_pending_auths(std::string_view link_id) = 0;

  // --- audit log (append-only) ---
  // e.id is assigned by the store; e.at defaults (epoch) to now.
  virtual Result<void> append_audit(const AuditEntry& e) = 0;
  // The `limit` newest entries, newest first.
  virtual Result<std::vector<AuditEntry>> audit_for_link(std::string_view link_id, int limit) = 0;

  // --- alerts and their outbox ---
  // Inserts or replaces the alert with this id.
  virtual Result<void> put_alert(const AlertRecord& a) = 0;
  virtual Result<std::optional<AlertRecord>> get_alert(std::string_view id) = 0;
  virtual Result<std::optional<AlertRecord>> firing_alert(std::string_view fingerprint) = 0;
  // Firing alerts (or all, newest first, at most `limit`).
  virtual Result<std::vector<AlertRecord>> list_alerts(bool include_resolved, int limit) = 0;
  virtual Result<void> enqueue_delivery(const AlertDelivery& d) = 0;
  // Undelivered rows due at `now`, only the oldest per (sink, fingerprint),
  // so that a resolved never overtakes its firing. Oldest first.
  virtual Result<std::vector<AlertDelivery>> due_deliveries(TimePoint now, int limit) = 0;
  // The earliest next_attempt_at among undelivered rows, if any.
  virtual Result<std::optional<TimePoint>> next_delivery_at() = 0;
  virtual Result<void> mark_delivered(std::int64_t seq, TimePoint at) = 0;
  virtual Result<void> mark_attempt_failed(std::int64_t seq, TimePoint next_attempt_at,
                                           std::string_view error) = 0;
  virtual Result<int> undelivered_count() = 0;
  // When the oldest undelivered row was queued, if any (its age is a metric).
  virtual Result<std::optional<TimePoint>> oldest_undelivered_at() = 0;

  // --- Spark Ads: posts, comments, comment cursors ---
  virtual SparkTables& spark() = 0;

  // Runs `body` in one transaction (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on error).
  // Nested calls (including the store's own, e.g. put_account_tokens inside a
  // caller's transaction) become savepoints: durable when the outermost commits.
  virtual Result<void> in_transaction(const std::function<Result<void>()>& body) = 0;

  // A consistent copy of the database to a new file (backup.hpp).
  virtual Result<BackupStats> backup_to(const std::string& path) = 0;
};

}  // namespace ttlink::store

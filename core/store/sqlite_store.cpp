// The Store on one sqlite file. Every SQL statement is a named constant next
// to the method that runs it, prepared once per connection.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "core/store/cipher.hpp"
#include "core/store/schema.hpp"
#include "core/store/sqlite.hpp"
#include "core/store/store.hpp"

namespace ttlink::store {
namespace {

struct Sql {
  std::string_view name;
  std::string_view text;
};

std::optional<TimePoint> to_time(std::optional<std::int64_t> unix_seconds) {
  if (!unix_seconds) return std::nullopt;
  return from_unix(*unix_seconds);
}

std::optional<std::int64_t> to_unix(std::optional<TimePoint> t) {
  if (!t) return std::nullopt;
  return ttlink::to_unix(*t);
}

std::optional<std::int64_t> parse_link_id(std::string_view text) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

Error no_such_link(std::string_view link_id) {
  return Error::not_found("no link " + std::string(link_id));
}

std::string_view kind_name(AuthKind kind) {
  return kind == AuthKind::kAdvertiser ? "advertiser" : "account";
}

// Token rows are keyed by owner; the key is also the associated data.
std::string advertiser_token_owner(std::string_view advertiser_id) {
  return "advertiser:" + std::string(advertiser_id) + ":access";
}
std::string account_token_owner(std::string_view open_id, std::string_view which) {
  return "account:" + std::string(open_id) + ":" + std::string(which);
}

// The sqlite file holds sealed tokens only, but its metadata (which accounts
// are linked) is still nobody else's business: create it 0600 before sqlite
// does (sqlite gives the -wal and -shm files the mode of the database file).
Result<void> create_private_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Error::storage("cannot create database " + path + ": " + std::strerror(errno));
  ::close(fd);
  return {};
}

struct OpenedToken {
  Secret value;
  std::optional<TimePoint> expires_at;
  std::string scope;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite::Database db, Cipher cipher)
      : db_(std::move(db)), cipher_(std::move(cipher)) {}

  Result<LinkRecord> create_link(std::string_view advertiser_id, const Actor& actor) override;
  Result<LinkRecord> get_link(std::string_view link_id) override;
  Result<std::vector<LinkRecord>> list_links(bool include_unlinked) override;
  Result<void> update_link(const LinkRecord& link) override;
  Result<void> transition(std::string_view link_id, LinkState to, long reason_code,
                          std::string_view reason_message, const Actor& actor) override;
  Result<int> count_links_using_advertiser(std::string_view advertiser_id) override;
  Result<int> count_links_using_account(std::string_view open_id) override;

  Result<void> put_advertiser(const AdvertiserRecord& a) override;
  Result<std::optional<AdvertiserRecord>> get_advertiser(std::string_view advertiser_id) override;
  Result<void> put_account(const AccountRecord& a) override;
  Result<std::optional<AccountRecord>> get_account(std::string_view open_id) override;

  Result<void> put_advertiser_token(std::string_view advertiser_id, const Secret& token) override;
  Result<std::optional<Secret>> advertiser_token(std::string_view advertiser_id) override;
  Result<void> wipe_advertiser_token(std::string_view advertiser_id) override;
  Result<void> put_account_tokens(std::string_view open_id, const AccountTokens& t) override;
  Result<std::optional<AccountTokens>> account_tokens(std::string_view open_id) override;
  Result<void> wipe_account_tokens(std::string_view open_id) override;

  Result<void> add_pending_auth(const PendingAuth& p) override;
  Result<PendingAuth> consume_pending_auth(std::string_view state_hash, TimePoint now) override;
  Result<std::vector<PendingAuth>> pending_auths_for_link(std::string_view link_id) override;
  Result<void> cancel_pending_auths(std::string_view link_id) override;

  Result<void> append_audit(const AuditEntry& e) override;
  Result<std::vector<AuditEntry>> audit_for_link(std::string_view link_id, int limit) override;

  Result<void> put_alert(const AlertRecord& a) override;
  Result<std::optional<AlertRecord>> get_alert(std::string_view id) override;
  Result<std::optional<AlertRecord>> firing_alert(std::string_view fingerprint) override;
  Result<std::vector<AlertRecord>> list_alerts(bool include_resolved, int limit) override;
  Result<void> enqueue_delivery(const AlertDelivery& d) override;
  Result<std::vector<AlertDelivery>> due_deliveries(TimePoint now, int limit) override;
  Result<std::optional<TimePoint>> next_delivery_at() override;
  Result<void> mark_delivered(std::int64_t seq, TimePoint at) override;
  Result<void> mark_attempt_failed(std::int64_t seq, TimePoint next_attempt_at,
                                   std::string_view error) override;
  Result<int> undelivered_count() override;
  Result<std::optional<TimePoint>> oldest_undelivered_at() override;
  SparkTables& spark() override { return spark_; }

  Result<void> in_transaction(const std::function<Result<void>()>& body) override;
  Result<void> durable(const std::function<Result<void>()>& body);
  Result<BackupStats> backup_to(const std::string& path) override {
    return backup_database(db_, path);
  }

 private:
  Result<sqlite::Lease> stmt(const Sql& sql) { return db_.statement(sql.name, sql.text); }
  Result<int> count(const Sql& sql, std::string_view key);
  Result<void> put_token(const std::string& owner, const Secret& value,
                         std::optional<TimePoint> expires_at, std::string_view scope);
  Result<std::optional<OpenedToken>> get_token(const std::string& owner);
  Result<void> delete_token(const std::string& owner);
  Result<std::vector<AlertRecord>> alert_rows(sqlite::Lease& s);

  sqlite::Database db_;
  Cipher cipher_;
  SparkTables spark_{db_};  // after db_: it holds a reference to it
};

// --- transactions ---

Result<void> SqliteStore::in_transaction(const std::function<Result<void>()>& body) {
  // Nested calls (a put_*_tokens inside a caller's transaction) become
  // savepoints: durable when the outermost transaction commits.
  const bool nested = db_.in_transaction();
  if (auto begin = db_.exec(nested ? "SAVEPOINT nested" : "BEGIN IMMEDIATE"); !begin) return begin;
  auto rollback = [&] {
    (void)db_.exec(nested ? "ROLLBACK TO nested; RELEASE nested" : "ROLLBACK");
  };
  Result<void> result;
  try {
    result = body();
  } catch (...) {
    rollback();
    throw;
  }
  if (result) result = db_.exec(nested ? "RELEASE nested" : "COMMIT");
  if (!result) rollback();
  return result;
}

// --- links ---

constexpr Sql kInsertLink{"insert_link",
                          "INSERT INTO links (advertiser_id, state, created_at, updated_at) "
                          "VALUES (?1, ?2, ?3, ?3)"};

Result<LinkRecord> SqliteStore::create_link(std::string_view advertiser_id, const Actor& actor) {
  std::string id;
  auto done = in_transaction([&]() -> Result<void> {
    auto s = stmt(kInsertLink);
    if (!s) return s.error();
    (*s)->bind(1, advertiser_id).bind(2, to_string(LinkState::kPending));
    (*s)->bind(3, ttlink::to_unix(now_utc()));
    if (auto r = (*s)->run(); !r) return r;
    id = std::to_string(db_.last_insert_rowid());
    AuditEntry created;
    created.link_id = id;
    created.actor = actor.description;
    created.action = "link.create";
    created.to_state = to_string(LinkState::kPending);
    return append_audit(created);
  });
  if (!done) return done.error();
  return get_link(id);
}

#define TTLINK_LINK_COLUMNS                                                      \
  "id, advertiser_id, open_id, identity_id, identity_type, state, reason_code, " \
  "reason_message, next_refresh_at, next_check_at, last_check_at, created_at, updated_at"

constexpr Sql kSelectLink{"select_link", "SELECT " TTLINK_LINK_COLUMNS " FROM links WHERE id = ?1"};
constexpr Sql kListLinks{"list_links", "SELECT " TTLINK_LINK_COLUMNS
                                       " FROM links WHERE ?1 OR state != 'UNLINKED' ORDER BY id"};
#undef TTLINK_LINK_COLUMNS

Result<LinkRecord> read_link(const sqlite::Statement& s) {
  LinkRecord link;
  link.id = std::to_string(s.int64(0));
  link.advertiser_id = s.text(1);
  link.open_id = s.text(2);
  link.identity_id = s.text(3);
  link.identity_type = s.text(4);
  auto state = parse_link_state(s.text(5));
  if (!state) return Error::storage("link " + link.id + " has unknown state " + s.text(5));
  link.state = *state;
  link.reason_code = static_cast<long>(s.int64(6));
  link.reason_message = s.text(7);
  link.next_refresh_at = to_time(s.optional_int64(8));
  link.next_check_at = to_time(s.optional_int64(9));
  link.last_check_at = to_time(s.optional_int64(10));
  link.created_at = from_unix(s.int64(11));
  link.updated_at = from_unix(s.int64(12));
  return link;
}

Result<LinkRecord> SqliteStore::get_link(std::string_view link_id) {
  auto id = parse_link_id(link_id);
  if (!id) return no_such_link(link_id);
  auto s = stmt(kSelectLink);
  if (!s) return s.error();
  (*s)->bind(1, *id);
  auto row = (*s)->step();
  if (!row) return row.error();
  if (!*row) return no_such_link(link_id);
  return read_link(**s);
}

Result<std::vector<LinkRecord>> SqliteStore::list_links(bool include_unlinked) {
  auto s = stmt(kListLinks);
  if (!s) return s.error();
  (*s)->bind(1, std::int64_t{include_unlinked ? 1 : 0});
  std::vector<LinkRecord> links;
  for (;;) {
    auto row = (*s)->step();
    if (!row) return row.error();
    if (!*row) return links;
    auto link = read_link(**s);
    if (!link) return link.error();
    links.push_back(std::move(*link));
  }
}

constexpr Sql kUpdateLink{
    "update_link",
    "UPDATE links SET advertiser_id = ?2, open_id = ?3, identity_id = ?4, identity_type = ?5, "
    "state = ?6, reason_code = ?7, reason_message = ?8, next_refresh_at = ?9, "
    "next_check_at = ?10, last_check_at = ?11, updated_at = ?12 WHERE id = ?1"};

Result<void> SqliteStore::update_link(const LinkRecord& link) {
  auto id = parse_link_id(link.id);
  if (!id) return no_such_link(link.id);
  auto s = stmt(kUpdateLink);
  if (!s) return s.error();
  (*s)->bind(1, *id).bind(2, link.advertiser_id).bind(3, link.open_id);
  (*s)->bind(4, link.identity_id).bind(5, link.identity_type).bind(6, to_string(link.state));
  (*s)->bind(7, std::int64_t{link.reason_code}).bind(8, link.reason_message);
  (*s)->bind(9, to_unix(link.next_refresh_at)).bind(10, to_unix(link.next_check_at));
  (*s)->bind(11, to_unix(link.last_check_at)).bind(12, ttlink::to_unix(now_utc()));
  if (auto r = (*s)->run(); !r) return r;
  if (db_.changes() == 0) return no_such_link(link.id);
  return {};
}

constexpr Sql kSetLinkState{"set_link_state",
                            "UPDATE links SET state = ?2, reason_code = ?3, reason_message = ?4, "
                            "updated_at = ?5 WHERE id = ?1"};

Result<void> SqliteStore::transition(std::string_view link_id, LinkState to, long reason_code,
                                     std::string_view reason_message, const Actor& actor) {
  return in_transaction([&]() -> Result<void> {
    auto link = get_link(link_id);
    if (!link) return link.error();
    auto s = stmt(kSetLinkState);
    if (!s) return s.error();
    (*s)->bind(1, *parse_link_id(link_id)).bind(2, to_string(to));
    (*s)->bind(3, std::int64_t{reason_code}).bind(4, reason_message);
    (*s)->bind(5, ttlink::to_unix(now_utc()));
    if (auto r = (*s)->run(); !r) return r;
    return append_audit({.link_id = link->id,
                         .actor = actor.description,
                         .action = "state",
                         .from_state = std::string(to_string(link->state)),
                         .to_state = std::string(to_string(to)),
                         .reason_code = reason_code,
                         .reason_message = std::string(reason_message)});
  });
}

constexpr Sql kCountLinksByAdvertiser{
    "count_links_by_advertiser",
    "SELECT count(*) FROM links WHERE advertiser_id = ?1 AND state != 'UNLINKED'"};
constexpr Sql kCountLinksByAccount{
    "count_links_by_account",
    "SELECT count(*) FROM links WHERE open_id = ?1 AND state != 'UNLINKED'"};

Result<int> SqliteStore::count(const Sql& sql, std::string_view key) {
  auto s = stmt(sql);
  if (!s) return s.error();
  (*s)->bind(1, key);
  auto row = (*s)->step();
  if (!row) return row.error();
  return static_cast<int>((*s)->int64(0));
}

Result<int> SqliteStore::count_links_using_advertiser(std::string_view advertiser_id) {
  return count(kCountLinksByAdvertiser, advertiser_id);
}

Result<int> SqliteStore::count_links_using_account(std::string_view open_id) {
  return count(kCountLinksByAccount, open_id);
}

// --- advertisers and accounts ---

constexpr Sql kUpsertAdvertiser{
    "upsert_advertiser",
    "INSERT INTO advertisers (advertiser_id, name, status, currency, timezone, user_role, "
    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (advertiser_id) DO UPDATE SET "
    "name = excluded.name, status = excluded.status, currency = excluded.currency, "
    "timezone = excluded.timezone, user_role = excluded.user_role, "
    "updated_at = excluded.updated_at"};
constexpr Sql kSelectAdvertiser{"select_advertiser",
                                "SELECT advertiser_id, name, status, currency, timezone, user_role "
                                "FROM advertisers WHERE advertiser_id = ?1"};

Result<void> SqliteStore::put_advertiser(const AdvertiserRecord& a) {
  auto s = stmt(kUpsertAdvertiser);
  if (!s) return s.error();
  (*s)->bind(1, a.advertiser_id).bind(2, a.name).bind(3, a.status).bind(4, a.currency);
  (*s)->bind(5, a.timezone).bind(6, a.user_role).bind(7, ttlink::to_unix(now_utc()));
  return (*s)->run();
}

Result<std::optional<AdvertiserRecord>> SqliteStore::get_advertiser(
    std::string_view advertiser_id) {
  auto s = stmt(kSelectAdvertiser);
  if (!s) return s.error();
  (*s)->bind(1, advertiser_id);
  auto row = (*s)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<AdvertiserRecord>();
  return std::optional<AdvertiserRecord>(AdvertiserRecord{
      (*s)->text(0), (*s)->text(1), (*s)->text(2), (*s)->text(3), (*s)->text(4), (*s)->text(5)});
}

constexpr Sql kUpsertAccount{
    "upsert_account",
    "INSERT INTO accounts (open_id, username, display_name, is_business_account, scope, "
    "updated_at, followers_count, videos_count, video_views, likes, comments, shares) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (open_id) DO UPDATE "
    "SET username = excluded.username, display_name = excluded.display_name, "
    "is_business_account = excluded.is_business_account, scope = excluded.scope, "
    "updated_at = excluded.updated_at, followers_count = excluded.followers_count, "
    "videos_count = excluded.videos_count, video_views = excluded.video_views, "
    "likes = excluded.likes, comments = excluded.comments, shares = excluded.shares"};
constexpr Sql kSelectAccount{"select_account",
                             "SELECT open_id, username, display_name, is_business_account, scope, "
                             "followers_count, videos_count, video_views, likes, comments, shares "
                             "FROM accounts WHERE open_id = ?1"};

Result<void> SqliteStore::put_account(const AccountRecord& a) {
  auto s = stmt(kUpsertAccount);
  if (!s) return s.error();
  (*s)->bind(1, a.open_id).bind(2, a.username).bind(3, a.display_name);
  (*s)->bind(4, std::int64_t{a.is_business_account ? 1 : 0}).bind(5, a.scope);
  (*s)->bind(6, ttlink::to_unix(now_utc()));
  const auto& o = a.organic;
  (*s)->bind(7, o.followers).bind(8, o.videos).bind(9, o.video_views);
  (*s)->bind(10, o.likes).bind(11, o.comments).bind(12, o.shares);
  return (*s)->run();
}

Result<std::optional<AccountRecord>> SqliteStore::get_account(std::string_view open_id) {
  auto s = stmt(kSelectAccount);
  if (!s) return s.error();
  (*s)->bind(1, open_id);
  auto row = (*s)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<AccountRecord>();
  const auto& r = **s;
  const OrganicFigures organic{r.int64(5), r.int64(6), r.int64(7),
                               r.int64(8), r.int64(9), r.int64(10)};
  return std::optional<AccountRecord>(
      AccountRecord{r.text(0), r.text(1), r.text(2), r.int64(3) != 0, r.text(4), organic});
}

// --- tokens ---

constexpr Sql kUpsertToken{
    "upsert_token",
    "INSERT INTO tokens (owner, sealed, expires_at, scope, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (owner) DO UPDATE SET sealed = excluded.sealed, "
    "expires_at = excluded.expires_at, scope = excluded.scope, updated_at = excluded.updated_at"};
constexpr Sql kSelectToken{"select_token",
                           "SELECT sealed, expires_at, scope FROM tokens WHERE owner = ?1"};
constexpr Sql kDeleteToken{"delete_token", "DELETE FROM tokens WHERE owner = ?1"};

Result<void> SqliteStore::put_token(const std::string& owner, const Secret& value,
                                    std::optional<TimePoint> expires_at, std::string_view scope) {
  auto sealed = cipher_.seal(value.reveal(), owner);
  if (!sealed) return sealed.error();
  auto s = stmt(kUpsertToken);
  if (!s) return s.error();
  (*s)->bind(1, owner).bind_blob(2, *sealed).bind(3, to_unix(expires_at)).bind(4, scope);
  (*s)->bind(5, ttlink::to_unix(now_utc()));
  return (*s)->run();
}

Result<std::optional<OpenedToken>> SqliteStore::get_token(const std::string& owner) {
  auto s = stmt(kSelectToken);
  if (!s) return s.error();
  (*s)->bind(1, owner);
  auto row = (*s)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<OpenedToken>();
  auto value = cipher_.open((*s)->blob(0), owner);
  if (!value)
    return Error::crypto("cannot decrypt token " + owner + ": " + value.error().message +
                         " (is store.key_file the key this database was written with?)");
  return std::optional<OpenedToken>(
      OpenedToken{std::move(*value), to_time((*s)->optional_int64(1)), (*s)->text(2)});
}

Result<void> SqliteStore::delete_token(const std::string& owner) {
  auto s = stmt(kDeleteToken);
  if (!s) return s.error();
  (*s)->bind(1, owner);
  return (*s)->run();
}

// Token writes commit with synchronous=FULL (the WAL is fsync'd before the
// call returns: a token survives a power cut); everything else commits with
// NORMAL (durable across a crash of the daemon, and far cheaper per check).
Result<void> SqliteStore::durable(const std::function<Result<void>()>& body) {
  const bool outermost = !db_.in_transaction();
  if (outermost)
    if (auto r = db_.exec("PRAGMA synchronous = FULL"); !r) return r;
  auto result = in_transaction(body);
  if (outermost) (void)db_.exec("PRAGMA synchronous = NORMAL");
  return result;
}

Result<void> SqliteStore::put_advertiser_token(std::string_view advertiser_id,
                                               const Secret& token) {
  return durable(
      [&] { return put_token(advertiser_token_owner(advertiser_id), token, std::nullopt, ""); });
}

Result<std::optional<Secret>> SqliteStore::advertiser_token(std::string_view advertiser_id) {
  auto token = get_token(advertiser_token_owner(advertiser_id));
  if (!token) return token.error();
  if (!*token) return std::optional<Secret>();
  return std::optional<Secret>(std::move((*token)->value));
}

Result<void> SqliteStore::wipe_advertiser_token(std::string_view advertiser_id) {
  return delete_token(advertiser_token_owner(advertiser_id));
}

Result<void> SqliteStore::put_account_tokens(std::string_view open_id, const AccountTokens& t) {
  // Both tokens in one transaction: a rotated refresh token is never stored
  // without the access token it came with, and is durable on return.
  return durable([&]() -> Result<void> {
    auto access = put_token(account_token_owner(open_id, "access"), t.access_token,
                            t.access_expires_at, t.scope);
    if (!access) return access;
    return put_token(account_token_owner(open_id, "refresh"), t.refresh_token, t.refresh_expires_at,
                     t.scope);
  });
}

Result<std::optional<AccountTokens>> SqliteStore::account_tokens(std::string_view open_id) {
  auto access = get_token(account_token_owner(open_id, "access"));
  if (!access) return access.error();
  auto refresh = get_token(account_token_owner(open_id, "refresh"));
  if (!refresh) return refresh.error();
  if (!*access && !*refresh) return std::optional<AccountTokens>();
  if (!*access || !*refresh)
    return Error::storage("account " + std::string(open_id) + " has only one of its two tokens");
  AccountTokens t;
  t.access_token = std::move((*access)->value);
  t.refresh_token = std::move((*refresh)->value);
  t.access_expires_at = (*access)->expires_at.value_or(TimePoint{});
  t.refresh_expires_at = (*refresh)->expires_at.value_or(TimePoint{});
  t.scope = (*access)->scope;
  return std::optional<AccountTokens>(std::move(t));
}

Result<void> SqliteStore::wipe_account_tokens(std::string_view open_id) {
  return in_transaction([&]() -> Result<void> {
    if (auto access = delete_token(account_token_owner(open_id, "access")); !access) return access;
    return delete_token(account_token_owner(open_id, "refresh"));
  });
}

// --- pending authorizations ---

constexpr Sql kInsertPendingAuth{
    "insert_pending_auth",
    "INSERT INTO pending_auths (state_hash, link_id, kind, created_at, expires_at, used_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"};
constexpr Sql kSelectPendingAuth{
    "select_pending_auth",
    "SELECT state_hash, link_id, kind, created_at, expires_at, used_at FROM pending_auths "
    "WHERE state_hash = ?1"};
constexpr Sql kMarkPendingAuthUsed{"mark_pending_auth_used",
                                   "UPDATE pending_auths SET used_at = ?2 WHERE state_hash = ?1"};
constexpr Sql kUnusedPendingAuthsOfLink{
    "unused_pending_auths_of_link",
    "SELECT state_hash, link_id, kind, created_at, expires_at, used_at FROM pending_auths "
    "WHERE link_id = ?1 AND used_at IS NULL ORDER BY created_at, state_hash"};
// Used states stay, so that replaying one is told "already used".
constexpr Sql kDeleteUnusedPendingAuths{
    "delete_unused_pending_auths",
    "DELETE FROM pending_auths WHERE link_id = ?1 AND used_at IS NULL"};

PendingAuth read_pending_auth(const sqlite::Statement& s) {
  PendingAuth p;
  p.state_hash = s.text(0);
  p.link_id = std::to_string(s.int64(1));
  p.kind = s.text(2) == "advertiser" ? AuthKind::kAdvertiser : AuthKind::kAccount;
  p.created_at = from_unix(s.int64(3));
  p.expires_at = from_unix(s.int64(4));
  p.used_at = to_time(s.optional_int64(5));
  return p;
}

Result<void> SqliteStore::add_pending_auth(const PendingAuth& p) {
  auto link_id = parse_link_id(p.link_id);
  if (!link_id) return no_such_link(p.link_id);
  auto s = stmt(kInsertPendingAuth);
  if (!s) return s.error();
  (*s)->bind(1, p.state_hash).bind(2, *link_id).bind(3, kind_name(p.kind));
  (*s)->bind(4, ttlink::to_unix(p.created_at)).bind(5, ttlink::to_unix(p.expires_at));
  (*s)->bind(6, to_unix(p.used_at));
  return (*s)->run();
}

Result<PendingAuth> SqliteStore::consume_pending_auth(std::string_view state_hash, TimePoint now) {
  PendingAuth found;
  auto done = in_transaction([&]() -> Result<void> {
    {
      auto s = stmt(kSelectPendingAuth);
      if (!s) return s.error();
      (*s)->bind(1, state_hash);
      auto row = (*s)->step();
      if (!row) return row.error();
      if (!*row) return Error::not_found("unknown state");
      found = read_pending_auth(**s);
    }
    if (found.used_at) return Error::conflict("state already used");
    if (now >= found.expires_at) return Error::invalid("state expired");
    auto mark = stmt(kMarkPendingAuthUsed);
    if (!mark) return mark.error();
    (*mark)->bind(1, state_hash).bind(2, ttlink::to_unix(now));
    found.used_at = now;
    return (*mark)->run();
  });
  if (!done) return done.error();
  return found;
}

Result<std::vector<PendingAuth>> SqliteStore::pending_auths_for_link(std::string_view link_id) {
  auto id = parse_link_id(link_id);
  if (!id) return no_such_link(link_id);
  auto s = stmt(kUnusedPendingAuthsOfLink);
  if (!s) return s.error();
  (*s)->bind(1, *id);
  std::vector<PendingAuth> out;
  for (;;) {
    auto row = (*s)->step();
    if (!row) return row.error();
    if (!*row) return out;
    out.push_back(read_pending_auth(**s));
  }
}

Result<void> SqliteStore::cancel_pending_auths(std::string_view link_id) {
  auto id = parse_link_id(link_id);
  if (!id) return no_such_link(link_id);
  auto s = stmt(kDeleteUnusedPendingAuths);
  if (!s) return s.error();
  (*s)->bind(1, *id);
  return (*s)->run();
}

// --- audit log ---

constexpr Sql kInsertAudit{
    "insert_audit",
    "INSERT INTO audit (at, link_id, actor, action, from_state, to_state, reason_code, "
    "reason_message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"};
constexpr Sql kAuditOfLink{
    "audit_of_link",
    "SELECT id, at, link_id, actor, action, from_state, to_state, reason_code, reason_message "
    "FROM audit WHERE link_id = ?1 ORDER BY id DESC LIMIT ?2"};

Result<void> SqliteStore::append_audit(const AuditEntry& e) {
  auto s = stmt(kInsertAudit);
  if (!s) return s.error();
  const TimePoint at = e.at == TimePoint{} ? now_utc() : e.at;
  (*s)->bind(1, ttlink::to_unix(at)).bind(2, e.link_id).bind(3, e.actor).bind(4, e.action);
  (*s)->bind(5, e.from_state).bind(6, e.to_state).bind(7, std::int64_t{e.reason_code});
  (*s)->bind(8, e.reason_message);
  return (*s)->run();
}

Result<std::vector<AuditEntry>> SqliteStore::audit_for_link(std::string_view link_id, int limit) {
  auto s = stmt(kAuditOfLink);
  if (!s) return s.error();
  (*s)->bind(1, link_id).bind(2, std::int64_t{limit});
  std::vector<AuditEntry> out;
  for (;;) {
    auto row = (*s)->step();
    if (!row) return row.error();
    if (!*row) return out;
    const auto& r = **s;
    out.push_back({r.int64(0), from_unix(r.int64(1)), r.text(2), r.text(3), r.text(4), r.text(5),
                   r.text(6), static_cast<long>(r.int64(7)), r.text(8)});
  }
}

// --- alerts and their outbox ---

#define TTLINK_ALERT_COLUMNS                                                          \
  "id, fingerprint, kind, severity, link_id, status, since, last_sent_at, acked_at, " \
  "resolved_at, payload"

constexpr Sql kUpsertAlert{"upsert_alert",
                           "INSERT OR REPLACE INTO alerts (" TTLINK_ALERT_COLUMNS
                           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"};
constexpr Sql kSelectAlert{"select_alert",
                           "SELECT " TTLINK_ALERT_COLUMNS " FROM alerts WHERE id = ?1"};
constexpr Sql kFiringAlert{"firing_alert", "SELECT " TTLINK_ALERT_COLUMNS
                                           " FROM alerts WHERE fingerprint = ?1 AND "
                                           "status = 'firing' ORDER BY id DESC LIMIT 1"};
constexpr Sql kListAlerts{"list_alerts", "SELECT " TTLINK_ALERT_COLUMNS
                                         " FROM alerts WHERE ?1 OR status = 'firing' "
                                         "ORDER BY id DESC LIMIT ?2"};
#undef TTLINK_ALERT_COLUMNS

Result<void> SqliteStore::put_alert(const AlertRecord& a) {
  auto s = stmt(kUpsertAlert);
  if (!s) return s.error();
  (*s)->bind(1, a.id).bind(2, a.fingerprint).bind(3, a.kind).bind(4, a.severity);
  (*s)->bind(5, a.link_id).bind(6, a.status).bind(7, ttlink::to_unix(a.since));
  (*s)->bind(8, ttlink::to_unix(a.last_sent_at)).bind(9, to_unix(a.acked_at));
  (*s)->bind(10, to_unix(a.resolved_at)).bind(11, a.payload);
  return (*s)->run();
}

Result<std::vector<AlertRecord>> SqliteStore::alert_rows(sqlite::Lease& s) {
  std::vector<AlertRecord> out;
  for (;;) {
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) return out;
    const auto& r = *s;
    out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5),
                   from_unix(r.int64(6)), from_unix(r.int64(7)), to_time(r.optional_int64(8)),
                   to_time(r.optional_int64(9)), r.text(10)});
  }
}

Result<std::optional<AlertRecord>> SqliteStore::get_alert(std::string_view id) {
  auto s = stmt(kSelectAlert);
  if (!s) return s.error();
  (*s)->bind(1, id);
  auto rows = alert_rows(*s);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<AlertRecord>();
  return std::optional<AlertRecord>(std::move(rows->front()));
}

Result<std::optional<AlertRecord>> SqliteStore::firing_alert(std::string_view fingerprint) {
  auto s = stmt(kFiringAlert);
  if (!s) return s.error();
  (*s)->bind(1, fingerprint);
  auto rows = alert_rows(*s);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<AlertRecord>();
  return std::optional<AlertRecord>(std::move(rows->front()));
}

Result<std::vector<AlertRecord>> SqliteStore::list_alerts(bool include_resolved, int limit) {
  auto s = stmt(kListAlerts);
  if (!s) return s.error();
  (*s)->bind(1, std::int64_t{include_resolved ? 1 : 0}).bind(2, std::int64_t{limit});
  return alert_rows(*s);
}

constexpr Sql kInsertDelivery{
    "insert_delivery",
    "INSERT INTO alert_deliveries (event_id, fingerprint, sink, body, attempts, "
    "next_attempt_at, last_error, created_at) VALUES (?1, ?2, ?3, ?4, 0, ?5, '', ?6)"};
constexpr Sql kDueDeliveries{
    "due_deliveries",
    "SELECT seq, event_id, fingerprint, sink, body, attempts, next_attempt_at, last_error, "
    "created_at FROM alert_deliveries d WHERE delivered_at IS NULL AND next_attempt_at <= ?1 "
    "AND seq = (SELECT min(seq) FROM alert_deliveries e WHERE e.delivered_at IS NULL AND "
    "e.sink = d.sink AND e.fingerprint = d.fingerprint) ORDER BY seq LIMIT ?2"};
constexpr Sql kNextDeliveryAt{
    "next_delivery_at",
    "SELECT min(next_attempt_at) FROM alert_deliveries WHERE delivered_at IS NULL"};
constexpr Sql kMarkDelivered{"mark_delivered",
                             "UPDATE alert_deliveries SET delivered_at = ?2, "
                             "attempts = attempts + 1, last_error = '' WHERE seq = ?1"};
constexpr Sql kMarkFailed{"mark_attempt_failed",
                          "UPDATE alert_deliveries SET attempts = attempts + 1, "
                          "next_attempt_at = ?2, last_error = ?3 WHERE seq = ?1"};
constexpr Sql kUndelivered{"undelivered_count",
                           "SELECT count(*) FROM alert_deliveries WHERE delivered_at IS NULL"};
constexpr Sql kOldestUndelivered{
    "oldest_undelivered_at",
    "SELECT min(created_at) FROM alert_deliveries WHERE delivered_at IS NULL"};

Result<void> SqliteStore::enqueue_delivery(const AlertDelivery& d) {
  auto s = stmt(kInsertDelivery);
  if (!s) return s.error();
  const TimePoint created = d.created_at == TimePoint{} ? now_utc() : d.created_at;
  (*s)->bind(1, d.event_id).bind(2, d.fingerprint).bind(3, d.sink).bind(4, d.body);
  (*s)->bind(5, ttlink::to_unix(d.next_attempt_at)).bind(6, ttlink::to_unix(created));
  return (*s)->run();
}

Result<std::vector<AlertDelivery>> SqliteStore::due_deliveries(TimePoint now, int limit) {
  auto s = stmt(kDueDeliveries);
  if (!s) return s.error();
  (*s)->bind(1, ttlink::to_unix(now)).bind(2, std::int64_t{limit});
  std::vector<AlertDelivery> out;
  for (;;) {
    auto row = (*s)->step();
    if (!row) return row.error();
    if (!*row) return out;
    const auto& r = **s;
    out.push_back({r.int64(0), r.text(1), r.text(2), r.text(3), r.text(4),
                   static_cast<int>(r.int64(5)), from_unix(r.int64(6)), r.text(7), std::nullopt,
                   from_unix(r.int64(8))});
  }
}

Result<std::optional<TimePoint>> SqliteStore::next_delivery_at() {
  auto s = stmt(kNextDeliveryAt);
  if (!s) return s.error();
  auto row = (*s)->step();
  if (!row) return row.error();
  return to_time((*s)->optional_int64(0));
}

Result<void> SqliteStore::mark_delivered(std::int64_t seq, TimePoint at) {
  auto s = stmt(kMarkDelivered);
  if (!s) return s.error();
  (*s)->bind(1, seq).bind(2, ttlink::to_unix(at));
  return (*s)->run();
}

Result<void> SqliteStore::mark_attempt_failed(std::int64_t seq, TimePoint next_attempt_at,
                                              std::string_view error) {
  auto s = stmt(kMarkFailed);
  if (!s) return s.error();
  (*s)->bind(1, seq).bind(2, ttlink::to_unix(next_attempt_at)).bind(3, error);
  return (*s)->run();
}

Result<std::optional<TimePoint>> SqliteStore::oldest_undelivered_at() {
  auto s = stmt(kOldestUndelivered);
  if (!s) return s.error();
  auto row = (*s)->step();
  if (!row) return row.error();
  return to_time((*s)->optional_int64(0));
}

Result<int> SqliteStore::undelivered_count() {
  auto s = stmt(kUndelivered);
  if (!s) return s.error();
  auto row = (*s)->step();
  if (!row) return row.error();
  return static_cast<int>((*s)->int64(0));
}

// --- opening ---

// WAL for concurrent readers (ttlinkctl-side tools); synchronous=NORMAL for
// states and schedules, FULL around token writes (see durable()).
constexpr std::string_view kPragmas =
    "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; "
    "PRAGMA secure_delete = ON;";

Result<sqlite::Database> open_database(const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0)
    if (auto created = create_private_file(path); !created) return created.error();
  auto db = sqlite::Database::open(path);
  if (!db) return db.error();
  // sqlite answers with the mode in effect: a file system without shared
  // memory (some network mounts) silently keeps the rollback journal.
  auto mode = db->query_text("PRAGMA journal_mode = WAL");
  if (!mode) return Error::storage("cannot open database " + path + ": " + mode.error().message);
  if (*mode != "wal")
    return Error::storage("database " + path + " cannot use WAL (journal_mode is " + *mode + ")");
  if (auto pragmas = db->exec(kPragmas); !pragmas) return pragmas.error();
  if (auto migrated = migrate(*db); !migrated) return migrated.error();
  return db;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(const std::string& db_path,
                                           const std::string& key_file) {
  auto key = load_or_create_key_file(key_file);
  if (!key) return key.error();
  auto cipher = Cipher::from_key(std::move(*key));
  if (!cipher) return cipher.error();
  auto db = open_database(db_path);
  if (!db) return db.error();
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(*db), std::move(*cipher)));
}

}  // namespace ttlink::store

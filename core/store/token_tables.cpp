#include "core/store/token_tables.hpp"

namespace ttlink::store {
namespace {

std::string advertiser_owner(std::string_view advertiser_id) {
  return "advertiser:" + std::string(advertiser_id) + ":access";
}
std::string account_owner(std::string_view open_id, std::string_view which) {
  return "account:" + std::string(open_id) + ":" + std::string(which);
}

}  // namespace

constexpr Sql kUpsertToken{
    "upsert_token",
    "INSERT INTO tokens (owner, sealed, expires_at, scope, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (owner) DO UPDATE SET sealed = excluded.sealed, "
    "expires_at = excluded.expires_at, scope = excluded.scope, updated_at = excluded.updated_at"};
constexpr Sql kSelectToken{"select_token",
                           "SELECT sealed, expires_at, scope FROM tokens WHERE owner = ?1"};
constexpr Sql kSelectTokenPair{
    "select_token_pair",
    "SELECT owner, sealed, expires_at, scope FROM tokens WHERE owner IN (?1, ?2)"};
constexpr Sql kDeleteToken{"delete_token", "DELETE FROM tokens WHERE owner = ?1"};
constexpr Sql kTokenExpiry{"token_expiry", "SELECT expires_at FROM tokens WHERE owner = ?1"};

Result<std::optional<TimePoint>> TokenTables::account_refresh_expiry(std::string_view open_id) {
  auto s = db_.statement(kTokenExpiry);
  if (!s) return s.error();
  (*s)->bind(1, account_owner(open_id, "refresh"));
  auto row = read_optional<std::optional<TimePoint>>(
      *s, [](const sqlite::Statement& st) { return time_or_null(st.optional_int64(0)); });
  if (!row) return row.error();
  return row->value_or(std::nullopt);
}

Result<void> TokenTables::put(const std::string& owner, const Secret& value,
                              std::optional<TimePoint> expires_at, std::string_view scope) {
  auto sealed = cipher_.seal(value.reveal(), owner);
  if (!sealed) return sealed.error();
  auto s = db_.statement(kUpsertToken);
  if (!s) return s.error();
  (*s)->bind(1, owner).bind_blob(2, *sealed).bind(3, unix_or_null(expires_at)).bind(4, scope);
  (*s)->bind(5, db_.now_unix());
  return (*s)->run();
}

Result<std::optional<TokenTables::Opened>> TokenTables::get(const std::string& owner) {
  auto s = db_.statement(kSelectToken);
  if (!s) return s.error();
  (*s)->bind(1, owner);
  auto row = (*s)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<Opened>();
  auto opened = open_row(**s, owner, 0);
  if (!opened) return opened.error();
  return std::optional<Opened>(std::move(*opened));
}

// Columns `first`.. of a row: sealed, expires_at, scope.
Result<TokenTables::Opened> TokenTables::open_row(const sqlite::Statement& s,
                                                  const std::string& owner, int first) {
  auto value = cipher_.open(s.blob(first), owner);
  if (!value)
    return Error::crypto("cannot decrypt token " + owner + ": " + value.error().message +
                         " (is store.key_file the key this database was written with?)");
  return Opened{std::move(*value), time_or_null(s.optional_int64(first + 1)), s.text(first + 2)};
}

Result<void> TokenTables::remove(const std::string& owner) {
  auto s = db_.statement(kDeleteToken);
  if (!s) return s.error();
  (*s)->bind(1, owner);
  return (*s)->run();
}

Result<void> TokenTables::put_advertiser(std::string_view advertiser_id, const Secret& token) {
  return db_.durable([&] { return put(advertiser_owner(advertiser_id), token, std::nullopt, ""); });
}

Result<std::optional<Secret>> TokenTables::advertiser(std::string_view advertiser_id) {
  auto token = get(advertiser_owner(advertiser_id));
  if (!token) return token.error();
  if (!*token) return std::optional<Secret>();
  return std::optional<Secret>(std::move((*token)->value));
}

Result<void> TokenTables::wipe_advertiser(std::string_view advertiser_id) {
  return remove(advertiser_owner(advertiser_id));
}

Result<void> TokenTables::put_account(std::string_view open_id, const AccountTokens& t) {
  // Both tokens in one transaction: a rotated refresh token is never stored
  // without the access token it came with, and is durable on return.
  return db_.durable([&] { return put_both(open_id, t); });
}

Result<void> TokenTables::put_account_unsynced(std::string_view open_id, const AccountTokens& t) {
  return db_.in_transaction([&] { return put_both(open_id, t); });
}

Result<void> TokenTables::put_both(std::string_view open_id, const AccountTokens& t) {
  auto access = put(account_owner(open_id, "access"), t.access_token, t.access_expires_at, t.scope);
  if (!access) return access;
  return put(account_owner(open_id, "refresh"), t.refresh_token, t.refresh_expires_at, t.scope);
}

// Both rows in one statement: one read transaction (each costs sqlite's
// file locks), and the two are read as one state of the table.
Result<std::optional<AccountTokens>> TokenTables::account(std::string_view open_id) {
  const std::string access_owner = account_owner(open_id, "access");
  const std::string refresh_owner = account_owner(open_id, "refresh");
  auto s = db_.statement(kSelectTokenPair);
  if (!s) return s.error();
  (*s)->bind(1, access_owner).bind(2, refresh_owner);
  std::optional<Opened> access, refresh;
  for (;;) {
    auto row = (*s)->step();
    if (!row) return row.error();
    if (!*row) break;
    const std::string owner = (*s)->text(0);
    auto opened = open_row(**s, owner, 1);
    if (!opened) return opened.error();
    (owner == access_owner ? access : refresh) = std::move(*opened);
  }
  if (!access && !refresh) return std::optional<AccountTokens>();
  if (!access || !refresh)
    return Error::storage("account " + std::string(open_id) + " has only one of its two tokens");
  AccountTokens t;
  t.access_token = std::move(access->value);
  t.refresh_token = std::move(refresh->value);
  t.access_expires_at = access->expires_at.value_or(TimePoint{});
  t.refresh_expires_at = refresh->expires_at.value_or(TimePoint{});
  t.scope = access->scope;
  return std::optional<AccountTokens>(std::move(t));
}

Result<void> TokenTables::wipe_account(std::string_view open_id) {
  return db_.in_transaction([&]() -> Result<void> {
    if (auto access = remove(account_owner(open_id, "access")); !access) return access;
    return remove(account_owner(open_id, "refresh"));
  });
}

}  // namespace ttlink::store

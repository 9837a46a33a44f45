#include "core/store/auth_tables.hpp"

namespace ttlink::store {
namespace {

std::string_view kind_name(AuthKind kind) {
  return kind == AuthKind::kAdvertiser ? "advertiser" : "account";
}

}  // namespace

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

namespace {

PendingAuth read_pending_auth(const sqlite::Statement& s) {
  PendingAuth p;
  p.state_hash = s.text(0);
  p.link_id = std::to_string(s.int64(1));
  p.kind = s.text(2) == "advertiser" ? AuthKind::kAdvertiser : AuthKind::kAccount;
  p.created_at = from_unix(s.int64(3));
  p.expires_at = from_unix(s.int64(4));
  p.used_at = time_or_null(s.optional_int64(5));
  return p;
}

}  // namespace

Result<void> AuthTables::add_pending(const PendingAuth& p) {
  auto link_id = parse_link_id(p.link_id);
  if (!link_id) return no_such_link(p.link_id);
  auto s = db_.statement(kInsertPendingAuth);
  if (!s) return s.error();
  (*s)->bind(1, p.state_hash).bind(2, *link_id).bind(3, kind_name(p.kind));
  (*s)->bind(4, ttlink::to_unix(p.created_at)).bind(5, ttlink::to_unix(p.expires_at));
  (*s)->bind(6, unix_or_null(p.used_at));
  return (*s)->run();
}

Result<PendingAuth> AuthTables::consume_pending(std::string_view state_hash, TimePoint now) {
  PendingAuth found;
  auto done = db_.in_transaction([&]() -> Result<void> {
    {
      auto s = db_.statement(kSelectPendingAuth);
      if (!s) return s.error();
      (*s)->bind(1, state_hash);
      auto row = (*s)->step();
      if (!row) return row.error();
      if (!*row) return Error::not_found("unknown state");
      found = read_pending_auth(**s);
    }
    if (found.used_at) return Error::conflict("state already used");
    if (now >= found.expires_at) return Error::invalid("state expired");
    auto mark = db_.statement(kMarkPendingAuthUsed);
    if (!mark) return mark.error();
    (*mark)->bind(1, state_hash).bind(2, ttlink::to_unix(now));
    found.used_at = now;
    return (*mark)->run();
  });
  if (!done) return done.error();
  return found;
}

Result<std::vector<PendingAuth>> AuthTables::pending_of(std::string_view link_id) {
  auto id = parse_link_id(link_id);
  if (!id) return no_such_link(link_id);
  auto s = db_.statement(kUnusedPendingAuthsOfLink);
  if (!s) return s.error();
  (*s)->bind(1, *id);
  return read_rows<PendingAuth>(*s, read_pending_auth);
}

Result<void> AuthTables::cancel_pending(std::string_view link_id) {
  auto id = parse_link_id(link_id);
  if (!id) return no_such_link(link_id);
  auto s = db_.statement(kDeleteUnusedPendingAuths);
  if (!s) return s.error();
  (*s)->bind(1, *id);
  return (*s)->run();
}

// --- action links ---

constexpr Sql kInsertActionLink{
    "insert_action_link",
    "INSERT INTO action_links (token_hash, link_id, created_at) VALUES (?1, ?2, ?3)"};
constexpr Sql kOpenActionLink{"open_action_link",
                              "SELECT token_hash, link_id, created_at FROM action_links "
                              "WHERE token_hash = ?1 AND closed_at IS NULL"};
constexpr Sql kCloseActionLinks{
    "close_action_links",
    "UPDATE action_links SET closed_at = ?2 WHERE link_id = ?1 AND closed_at IS NULL"};

Result<void> AuthTables::add_action_link(const ActionLink& a) {
  auto link_id = parse_link_id(a.link_id);
  if (!link_id) return no_such_link(a.link_id);
  auto s = db_.statement(kInsertActionLink);
  if (!s) return s.error();
  (*s)->bind(1, a.token_hash).bind(2, *link_id).bind(3, to_unix(a.created_at));
  return (*s)->run();
}

Result<std::optional<ActionLink>> AuthTables::open_action_link(std::string_view token_hash) {
  auto s = db_.statement(kOpenActionLink);
  if (!s) return s.error();
  (*s)->bind(1, token_hash);
  return read_optional<ActionLink>(*s, [](const sqlite::Statement& r) {
    return ActionLink{r.text(0), std::to_string(r.int64(1)), from_unix(r.int64(2)), std::nullopt};
  });
}

Result<void> AuthTables::close_action_links(std::string_view link_id) {
  auto id = parse_link_id(link_id);
  if (!id) return no_such_link(link_id);
  auto s = db_.statement(kCloseActionLinks);
  if (!s) return s.error();
  (*s)->bind(1, *id).bind(2, db_.now_unix());
  return (*s)->run();
}

}  // namespace ttlink::store

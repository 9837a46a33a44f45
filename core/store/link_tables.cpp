#include "core/store/link_tables.hpp"

#include <algorithm>
#include <unordered_set>

namespace ttlink::store {

constexpr Sql kInsertLink{"insert_link",
                          "INSERT INTO links (advertiser_id, state, created_at, updated_at) "
                          "VALUES (?1, ?2, ?3, ?3)"};

Result<LinkRecord> LinkTables::create(std::string_view advertiser_id, const Actor& actor) {
  std::string id;
  auto done = db_.in_transaction([&]() -> Result<void> {
    auto s = db_.statement(kInsertLink);
    if (!s) return s.error();
    (*s)->bind(1, advertiser_id).bind(2, to_string(LinkState::kPending));
    (*s)->bind(3, db_.now_unix());
    if (auto r = (*s)->run(); !r) return r;
    id = std::to_string(db_.database().last_insert_rowid());
    AuditEntry created;
    created.link_id = id;
    created.actor = actor.description;
    created.action = "link.create";
    created.to_state = to_string(LinkState::kPending);
    return append_audit(created);
  });
  if (!done) return done.error();
  return get(id);
}

#define TTLINK_LINK_COLUMNS                                                      \
  "id, advertiser_id, open_id, identity_id, identity_type, state, reason_code, " \
  "reason_message, next_refresh_at, next_check_at, last_check_at, created_at, updated_at"

constexpr Sql kSelectLink{"select_link", "SELECT " TTLINK_LINK_COLUMNS " FROM links WHERE id = ?1"};
constexpr Sql kListLinks{"list_links", "SELECT " TTLINK_LINK_COLUMNS
                                       " FROM links WHERE ?1 OR state != 'UNLINKED' ORDER BY id"};
constexpr Sql kListLinkPage{"list_link_page", "SELECT " TTLINK_LINK_COLUMNS
                                              " FROM links WHERE (?1 OR state != "
                                              "'UNLINKED') AND id > ?2 ORDER BY id LIMIT ?3"};
// The WHERE clauses of the partial indexes (v9), verbatim.
#define TTLINK_CHECKABLE "state <> 'PENDING' AND state <> 'UNLINKED' AND state <> 'EXPIRED'"
#define TTLINK_REFRESHABLE TTLINK_CHECKABLE " AND state <> 'REAUTH_REQUIRED'"
// Due work, by priority: a due token refresh first, then checks of links in
// a bad state, then routine checks; within each, most overdue first. Three
// queries, each read in its index's order and stopped at the limit (no sort):
// one query over the union sorted every due link each call, and with a
// backlog of N links the scheduler calls it N / 1000 times (issue 16: at
// 100,000 links, O(N^2) row visits during the check phase).
constexpr Sql kDueRefreshes{"due_refreshes",
                            "SELECT " TTLINK_LINK_COLUMNS
                            " FROM links INDEXED BY links_refresh_due WHERE next_refresh_at <= ?1 "
                            "AND " TTLINK_REFRESHABLE " ORDER BY next_refresh_at LIMIT ?2"};
// Few links are in a bad state: found through the state index.
constexpr Sql kDueBadChecks{
    "due_bad_checks",
    "SELECT " TTLINK_LINK_COLUMNS
    " FROM links INDEXED BY links_by_state WHERE state IN ('DEGRADED', 'REAUTH_REQUIRED', "
    "'NOT_BUSINESS', 'ADVERTISER_INACTIVE', 'PERMISSION_DENIED') AND next_check_at <= ?1 "
    "ORDER BY next_check_at LIMIT ?2"};
constexpr Sql kDueRoutineChecks{"due_routine_checks",
                                "SELECT " TTLINK_LINK_COLUMNS
                                " FROM links INDEXED BY links_check_due WHERE next_check_at <= ?1 "
                                "AND " TTLINK_CHECKABLE
                                " AND state IN ('ACTIVE', 'EXPIRING') ORDER BY next_check_at "
                                "LIMIT ?2"};
constexpr Sql kPendingSince{"pending_since", "SELECT " TTLINK_LINK_COLUMNS
                                             " FROM links WHERE state = 'PENDING' AND "
                                             "updated_at <= ?1 ORDER BY id"};
constexpr Sql kNextRefresh{"next_refresh",
                           "SELECT min(next_refresh_at) FROM links WHERE "
                           "next_refresh_at IS NOT NULL AND " TTLINK_REFRESHABLE};
constexpr Sql kCountByState{"count_by_state",
                            "SELECT state, count(*) FROM links WHERE state != 'UNLINKED' "
                            "GROUP BY state"};
constexpr Sql kIdsInState{"ids_in_state", "SELECT id FROM links WHERE state = ?1 ORDER BY id"};
#undef TTLINK_CHECKABLE
#undef TTLINK_REFRESHABLE
#undef TTLINK_LINK_COLUMNS

namespace {

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
  link.next_refresh_at = time_or_null(s.optional_int64(8));
  link.next_check_at = time_or_null(s.optional_int64(9));
  link.last_check_at = time_or_null(s.optional_int64(10));
  link.created_at = from_unix(s.int64(11));
  link.updated_at = from_unix(s.int64(12));
  return link;
}

}  // namespace

Result<LinkRecord> LinkTables::get(std::string_view link_id) {
  auto id = parse_link_id(link_id);
  if (!id) return no_such_link(link_id);
  auto s = db_.statement(kSelectLink);
  if (!s) return s.error();
  (*s)->bind(1, *id);
  auto row = (*s)->step();
  if (!row) return row.error();
  if (!*row) return no_such_link(link_id);
  return read_link(**s);
}

Result<std::vector<LinkRecord>> LinkTables::list(bool include_unlinked) {
  auto s = db_.statement(kListLinks);
  if (!s) return s.error();
  (*s)->bind(1, std::int64_t{include_unlinked ? 1 : 0});
  return read_rows<LinkRecord>(*s, read_link);
}

Result<std::vector<LinkRecord>> LinkTables::list_page(bool include_unlinked, std::int64_t after,
                                                      int limit) {
  auto s = db_.statement(kListLinkPage);
  if (!s) return s.error();
  (*s)->bind(1, std::int64_t{include_unlinked ? 1 : 0}).bind(2, after);
  (*s)->bind(3, std::int64_t{limit});
  return read_rows<LinkRecord>(*s, read_link);
}

// A link due for both a refresh and a check comes once, with the refresh.
Result<std::vector<LinkRecord>> LinkTables::due(TimePoint now, int limit) {
  std::vector<LinkRecord> out;
  std::unordered_set<std::string> seen;
  for (const Sql* sql : {&kDueRefreshes, &kDueBadChecks, &kDueRoutineChecks}) {
    if (out.size() >= static_cast<std::size_t>(limit)) break;
    auto s = db_.statement(*sql);
    if (!s) return s.error();
    (*s)->bind(1, to_unix(now)).bind(2, std::int64_t{limit});
    auto rows = read_rows<LinkRecord>(*s, read_link);
    if (!rows) return rows.error();
    for (auto& link : *rows)
      if (out.size() < static_cast<std::size_t>(limit) && seen.insert(link.id).second)
        out.push_back(std::move(link));
  }
  return out;
}

Result<std::vector<LinkRecord>> LinkTables::pending_since(TimePoint t) {
  auto s = db_.statement(kPendingSince);
  if (!s) return s.error();
  (*s)->bind(1, to_unix(t));
  return read_rows<LinkRecord>(*s, read_link);
}

Result<std::optional<TimePoint>> LinkTables::next_refresh() {
  auto s = db_.statement(kNextRefresh);
  if (!s) return s.error();
  auto row = read_optional<std::optional<TimePoint>>(
      *s, [](const sqlite::Statement& st) { return time_or_null(st.optional_int64(0)); });
  if (!row) return row.error();
  return row->value_or(std::nullopt);
}

Result<std::map<LinkState, int>> LinkTables::count_by_state() {
  auto s = db_.statement(kCountByState);
  if (!s) return s.error();
  auto rows = read_rows<std::pair<std::string, int>>(*s, [](const sqlite::Statement& st) {
    return std::pair<std::string, int>(st.text(0), static_cast<int>(st.int64(1)));
  });
  if (!rows) return rows.error();
  std::map<LinkState, int> out;
  for (const auto& [name, n] : *rows) {
    auto state = parse_link_state(name);
    if (!state) return Error::storage("links in unknown state " + name);
    out[*state] = n;
  }
  return out;
}

Result<std::vector<std::string>> LinkTables::ids_in(const std::vector<LinkState>& states) {
  std::vector<std::string> ids;
  for (LinkState state : states) {
    auto s = db_.statement(kIdsInState);
    if (!s) return s.error();
    (*s)->bind(1, to_string(state));
    auto rows = read_rows<std::string>(
        *s, [](const sqlite::Statement& st) { return std::to_string(st.int64(0)); });
    if (!rows) return rows.error();
    ids.insert(ids.end(), rows->begin(), rows->end());
  }
  std::sort(ids.begin(), ids.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;  // numeric order
  });
  return ids;
}

constexpr Sql kUpdateLink{
    "update_link",
    "UPDATE links SET advertiser_id = ?2, open_id = ?3, identity_id = ?4, identity_type = ?5, "
    "state = ?6, reason_code = ?7, reason_message = ?8, next_refresh_at = ?9, "
    "next_check_at = ?10, last_check_at = ?11, updated_at = ?12 WHERE id = ?1"};

constexpr Sql kUpdateSchedule{
    "update_schedule",
    "UPDATE links SET identity_id = ?2, identity_type = ?3, next_refresh_at = ?4, "
    "next_check_at = ?5, last_check_at = ?6, updated_at = ?7 WHERE id = ?1"};

Result<void> LinkTables::update_schedule(const LinkRecord& link) {
  auto id = parse_link_id(link.id);
  if (!id) return no_such_link(link.id);
  auto s = db_.statement(kUpdateSchedule);
  if (!s) return s.error();
  (*s)->bind(1, *id).bind(2, link.identity_id).bind(3, link.identity_type);
  (*s)->bind(4, unix_or_null(link.next_refresh_at)).bind(5, unix_or_null(link.next_check_at));
  (*s)->bind(6, unix_or_null(link.last_check_at)).bind(7, db_.now_unix());
  if (auto r = (*s)->run(); !r) return r;
  if (db_.database().changes() == 0) return no_such_link(link.id);
  return {};
}

Result<void> LinkTables::update(const LinkRecord& link) {
  auto id = parse_link_id(link.id);
  if (!id) return no_such_link(link.id);
  auto s = db_.statement(kUpdateLink);
  if (!s) return s.error();
  (*s)->bind(1, *id).bind(2, link.advertiser_id).bind(3, link.open_id);
  (*s)->bind(4, link.identity_id).bind(5, link.identity_type).bind(6, to_string(link.state));
  (*s)->bind(7, std::int64_t{link.reason_code}).bind(8, link.reason_message);
  (*s)->bind(9, unix_or_null(link.next_refresh_at)).bind(10, unix_or_null(link.next_check_at));
  (*s)->bind(11, unix_or_null(link.last_check_at)).bind(12, db_.now_unix());
  if (auto r = (*s)->run(); !r) return r;
  if (db_.database().changes() == 0) return no_such_link(link.id);
  return {};
}

constexpr Sql kSetLinkState{"set_link_state",
                            "UPDATE links SET state = ?2, reason_code = ?3, reason_message = ?4, "
                            "updated_at = ?5 WHERE id = ?1"};

Result<void> LinkTables::transition(std::string_view link_id, LinkState to, const Reason& reason,
                                    const Actor& actor) {
  return db_.in_transaction([&]() -> Result<void> {
    auto link = get(link_id);
    if (!link) return link.error();
    auto s = db_.statement(kSetLinkState);
    if (!s) return s.error();
    (*s)->bind(1, *parse_link_id(link_id)).bind(2, to_string(to));
    (*s)->bind(3, std::int64_t{reason.code}).bind(4, reason.message);
    (*s)->bind(5, db_.now_unix());
    if (auto r = (*s)->run(); !r) return r;
    return append_audit({.link_id = link->id,
                         .actor = actor.description,
                         .action = "state",
                         .from_state = std::string(to_string(link->state)),
                         .to_state = std::string(to_string(to)),
                         .reason_code = reason.code,
                         .reason_message = reason.message});
  });
}

constexpr Sql kCountLinksByAdvertiser{
    "count_links_by_advertiser",
    "SELECT count(*) FROM links WHERE advertiser_id = ?1 AND state != 'UNLINKED'"};
constexpr Sql kCountLinksByAccount{
    "count_links_by_account",
    "SELECT count(*) FROM links WHERE open_id = ?1 AND state != 'UNLINKED'"};

Result<int> LinkTables::count_using_advertiser(std::string_view advertiser_id) {
  auto n = db_.count(kCountLinksByAdvertiser, advertiser_id);
  if (!n) return n.error();
  return static_cast<int>(*n);
}

Result<int> LinkTables::count_using_account(std::string_view open_id) {
  auto n = db_.count(kCountLinksByAccount, open_id);
  if (!n) return n.error();
  return static_cast<int>(*n);
}

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

Result<void> LinkTables::put_advertiser(const AdvertiserRecord& a) {
  auto s = db_.statement(kUpsertAdvertiser);
  if (!s) return s.error();
  (*s)->bind(1, a.advertiser_id).bind(2, a.name).bind(3, a.status).bind(4, a.currency);
  (*s)->bind(5, a.timezone).bind(6, a.user_role).bind(7, db_.now_unix());
  return (*s)->run();
}

Result<std::optional<AdvertiserRecord>> LinkTables::get_advertiser(std::string_view advertiser_id) {
  auto s = db_.statement(kSelectAdvertiser);
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

Result<void> LinkTables::put_account(const AccountRecord& a) {
  auto s = db_.statement(kUpsertAccount);
  if (!s) return s.error();
  (*s)->bind(1, a.open_id).bind(2, a.username).bind(3, a.display_name);
  (*s)->bind(4, std::int64_t{a.is_business_account ? 1 : 0}).bind(5, a.scope);
  (*s)->bind(6, db_.now_unix());
  const auto& o = a.organic;
  (*s)->bind(7, o.followers).bind(8, o.videos).bind(9, o.video_views);
  (*s)->bind(10, o.likes).bind(11, o.comments).bind(12, o.shares);
  return (*s)->run();
}

Result<std::optional<AccountRecord>> LinkTables::get_account(std::string_view open_id) {
  auto s = db_.statement(kSelectAccount);
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

Result<LinkFacts> LinkTables::facts(const LinkRecord& link) {
  LinkFacts f{link.id, link.advertiser_id, "", "", link.open_id};
  if (!link.advertiser_id.empty()) {
    auto a = get_advertiser(link.advertiser_id);
    if (!a) return a.error();
    if (*a) f.advertiser_name = (*a)->name;
  }
  if (!link.open_id.empty()) {
    auto a = get_account(link.open_id);
    if (!a) return a.error();
    if (*a && !(*a)->username.empty()) f.account = "@" + (*a)->username;
  }
  return f;
}

// --- audit log (append-only: the schema's triggers refuse edits) ---

constexpr Sql kInsertAudit{
    "insert_audit",
    "INSERT INTO audit (at, link_id, actor, action, from_state, to_state, reason_code, "
    "reason_message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"};
constexpr Sql kAuditOfLink{
    "audit_of_link",
    "SELECT id, at, link_id, actor, action, from_state, to_state, reason_code, reason_message "
    "FROM audit WHERE link_id = ?1 ORDER BY id DESC LIMIT ?2"};

Result<void> LinkTables::append_audit(const AuditEntry& e) {
  auto s = db_.statement(kInsertAudit);
  if (!s) return s.error();
  const TimePoint at = e.at == TimePoint{} ? db_.now() : e.at;
  (*s)->bind(1, ttlink::to_unix(at)).bind(2, e.link_id).bind(3, e.actor).bind(4, e.action);
  (*s)->bind(5, e.from_state).bind(6, e.to_state).bind(7, std::int64_t{e.reason_code});
  (*s)->bind(8, e.reason_message);
  return (*s)->run();
}

Result<std::vector<AuditEntry>> LinkTables::audit_of(std::string_view link_id, int limit) {
  auto s = db_.statement(kAuditOfLink);
  if (!s) return s.error();
  (*s)->bind(1, link_id).bind(2, std::int64_t{limit});
  return read_rows<AuditEntry>(*s, [](const sqlite::Statement& r) {
    return AuditEntry{
        r.int64(0), from_unix(r.int64(1)),         r.text(2), r.text(3), r.text(4), r.text(5),
        r.text(6),  static_cast<long>(r.int64(7)), r.text(8)};
  });
}

}  // namespace ttlink::store

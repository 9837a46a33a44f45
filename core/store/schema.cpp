#include "core/store/schema.hpp"

#include <array>
#include <string>

#include "core/store/store.hpp"

namespace ttlink::store {
namespace {

// Version 1: links, the public facts about advertisers and accounts, sealed
// tokens and pending OAuth states. Times are unix seconds.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE links (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  advertiser_id   TEXT NOT NULL DEFAULT '',
  open_id         TEXT NOT NULL DEFAULT '',
  identity_id     TEXT NOT NULL DEFAULT '',
  identity_type   TEXT NOT NULL DEFAULT '',
  state           TEXT NOT NULL,
  reason_code     INTEGER NOT NULL DEFAULT 0,
  reason_message  TEXT NOT NULL DEFAULT '',
  next_refresh_at INTEGER,
  next_check_at   INTEGER,
  last_check_at   INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX links_by_advertiser ON links(advertiser_id);
CREATE INDEX links_by_open_id ON links(open_id);

CREATE TABLE advertisers (
  advertiser_id TEXT PRIMARY KEY,
  name          TEXT NOT NULL DEFAULT '',
  status        TEXT NOT NULL DEFAULT '',
  currency      TEXT NOT NULL DEFAULT '',
  timezone      TEXT NOT NULL DEFAULT '',
  user_role     TEXT NOT NULL DEFAULT '',
  updated_at    INTEGER NOT NULL
);

CREATE TABLE accounts (
  open_id             TEXT PRIMARY KEY,
  username            TEXT NOT NULL DEFAULT '',
  display_name        TEXT NOT NULL DEFAULT '',
  is_business_account INTEGER NOT NULL DEFAULT 0,
  scope               TEXT NOT NULL DEFAULT '',
  updated_at          INTEGER NOT NULL
);

-- One row per token. `owner` ("account:OPENID:refresh", ...) is also the
-- AES-GCM associated data, so a sealed value moved to another row fails to
-- open. Expiry and scope are not secret and stay in clear for scheduling.
CREATE TABLE tokens (
  owner      TEXT PRIMARY KEY,
  sealed     BLOB NOT NULL,
  expires_at INTEGER,
  scope      TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL
);

-- Only the SHA-256 of an OAuth `state` is kept: the value itself would let
-- anyone who reads the file complete an authorization.
CREATE TABLE pending_auths (
  state_hash TEXT PRIMARY KEY,
  link_id    INTEGER NOT NULL REFERENCES links(id),
  kind       TEXT NOT NULL CHECK (kind IN ('advertiser', 'account')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
);
CREATE INDEX pending_auths_by_link ON pending_auths(link_id);
)sql";

// Version 2: the audit log, append-only. The triggers make that a property of
// the file, not only of this code: a stray UPDATE or DELETE aborts.
constexpr std::string_view kV2 = R"sql(
CREATE TABLE audit (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  at             INTEGER NOT NULL,
  link_id        TEXT NOT NULL DEFAULT '',
  actor          TEXT NOT NULL,
  action         TEXT NOT NULL,
  from_state     TEXT NOT NULL DEFAULT '',
  to_state       TEXT NOT NULL DEFAULT '',
  reason_code    INTEGER NOT NULL DEFAULT 0,
  reason_message TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_link ON audit(link_id, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
)sql";

// Version 3: alerts and their durable outbox. An alert event (firing or
// resolved) and one delivery row per sink are committed together before any
// sink is tried, so a crash or a sink outage loses nothing. Deliveries of one
// fingerprint to one sink go out in `seq` order.
constexpr std::string_view kV3 = R"sql(
CREATE TABLE alerts (
  id           TEXT PRIMARY KEY,
  fingerprint  TEXT NOT NULL,
  kind         TEXT NOT NULL,
  severity     TEXT NOT NULL,
  link_id      TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
  since        INTEGER NOT NULL,
  last_sent_at INTEGER NOT NULL,
  acked_at     INTEGER,
  resolved_at  INTEGER,
  payload      TEXT NOT NULL
);
CREATE INDEX alerts_by_fingerprint ON alerts(fingerprint, status);

CREATE TABLE alert_deliveries (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id        TEXT NOT NULL,  -- the Idempotency-Key: one per event
  fingerprint     TEXT NOT NULL,
  sink            TEXT NOT NULL,
  body            TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT NOT NULL DEFAULT '',
  delivered_at    INTEGER,
  created_at      INTEGER NOT NULL
);
CREATE INDEX alert_deliveries_pending ON alert_deliveries(delivered_at, sink, fingerprint, seq);
)sql";

// Version 4: Spark Ads. The account's organic figures; posts (their authorization windows) as last
// synced per advertiser; comments on promoted videos, once each (comment_id), with what ttlink
// knows of them; and per ad group where comment polling resumes, so a restart neither loses nor
// re-reads a backlog.
constexpr std::string_view kV4 = R"sql(
-- The account's organic figures from /business/get/ (followers, and the
-- sums of its daily metrics), shown next to its promoted posts.
ALTER TABLE accounts ADD COLUMN followers_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN videos_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN video_views INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN likes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN comments INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN shares INTEGER NOT NULL DEFAULT 0;

CREATE TABLE posts (
  advertiser_id    TEXT NOT NULL,
  item_id          TEXT NOT NULL,
  auth_code_status TEXT NOT NULL DEFAULT '',
  identity_id      TEXT NOT NULL DEFAULT '',
  identity_type    TEXT NOT NULL DEFAULT '',
  tiktok_name      TEXT NOT NULL DEFAULT '',
  text             TEXT NOT NULL DEFAULT '',
  auth_start_time  INTEGER,
  auth_end_time    INTEGER,
  synced_at        INTEGER NOT NULL,
  PRIMARY KEY (advertiser_id, item_id)
);

CREATE TABLE comments (
  comment_id      TEXT PRIMARY KEY,
  link_id         TEXT NOT NULL,
  advertiser_id   TEXT NOT NULL,
  ad_id           TEXT NOT NULL DEFAULT '',
  adgroup_id      TEXT NOT NULL DEFAULT '',
  item_id         TEXT NOT NULL DEFAULT '',
  parent_id       TEXT NOT NULL DEFAULT '',  -- '' for a top-level comment
  author          TEXT NOT NULL DEFAULT '',
  text            TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  hidden          INTEGER NOT NULL DEFAULT 0,
  own             INTEGER NOT NULL DEFAULT 0,   -- written by the account or advertiser
  replied_by      TEXT NOT NULL DEFAULT '',     -- '' | 'ttlink' | 'account'
  hit_blockedword INTEGER NOT NULL DEFAULT 0,
  keyword         TEXT NOT NULL DEFAULT '',     -- the configured keyword it contains
  ingested_at     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX comments_by_link_time ON comments(link_id, created_at);
-- Comments waiting for a person (and those of them flagged): the alerts
-- count them per post every poll, so they are read from these alone.
CREATE INDEX comments_waiting ON comments(link_id, item_id, created_at)
  WHERE parent_id = '' AND own = 0 AND hidden = 0 AND replied_by = '';
CREATE INDEX comments_flagged ON comments(link_id, item_id, created_at)
  WHERE parent_id = '' AND own = 0 AND hidden = 0 AND replied_by = ''
    AND (keyword <> '' OR hit_blockedword = 1);

-- Per post, kept up to date with every change to its comments, so that
-- alerts and metrics cost one row per post, not a scan of every comment.
CREATE TABLE post_comment_counts (
  link_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  total   INTEGER NOT NULL DEFAULT 0,
  hidden  INTEGER NOT NULL DEFAULT 0,
  waiting INTEGER NOT NULL DEFAULT 0,  -- top-level, from others, public, no reply
  flagged INTEGER NOT NULL DEFAULT 0,  -- waiting, and hit a keyword or blocked word
  PRIMARY KEY (link_id, item_id)
) WITHOUT ROWID;

CREATE TABLE comment_cursors (
  link_id    TEXT NOT NULL,
  adgroup_id TEXT NOT NULL,
  start_date TEXT NOT NULL,     -- YYYY-MM-DD: the fixed start of the listing
  page       INTEGER NOT NULL,  -- the first page not yet read in full (ascending create time)
  PRIMARY KEY (link_id, adgroup_id)
);
)sql";

// v5: action links, the stable URL an alert carries to reauthorize a link
// (only the token's hash is stored).
constexpr std::string_view kV5 = R"sql(
CREATE TABLE action_links (
  token_hash TEXT PRIMARY KEY,
  link_id    INTEGER NOT NULL REFERENCES links(id),
  created_at INTEGER NOT NULL,
  closed_at  INTEGER
) WITHOUT ROWID;
CREATE INDEX action_links_open ON action_links(link_id) WHERE closed_at IS NULL;
)sql";

// v6: due work comes from indexes, not from reading every link
// (LinkTables::due, next_refresh, count_by_state). The partial indexes hold
// only links the scheduler works on; their WHERE clauses are repeated
// verbatim in link_tables.cpp's queries so that sqlite uses them.
constexpr std::string_view kV6 = R"sql(
CREATE INDEX links_check_due ON links(next_check_at)
  WHERE state NOT IN ('PENDING', 'UNLINKED', 'EXPIRED');
CREATE INDEX links_refresh_due ON links(next_refresh_at)
  WHERE state NOT IN ('PENDING', 'UNLINKED', 'EXPIRED', 'REAUTH_REQUIRED');
CREATE INDEX links_by_state ON links(state, updated_at);
)sql";

// v7: launches (ttlinkctl campaign create): per (link, name) the request_id of
// each create step and the ids upstream gave back, so that a rerun creates
// nothing twice and a run that failed half way resumes.
constexpr std::string_view kV7 = R"sql(
CREATE TABLE launches (
  link_id             TEXT NOT NULL,
  name                TEXT NOT NULL,
  advertiser_id       TEXT NOT NULL,
  objective           TEXT NOT NULL,
  item_id             TEXT NOT NULL,
  identity_type       TEXT NOT NULL,
  identity_id         TEXT NOT NULL,
  spec                TEXT NOT NULL,  -- the command's settings, as JSON
  campaign_request_id TEXT NOT NULL,
  adgroup_request_id  TEXT NOT NULL,
  ad_request_id       TEXT NOT NULL,
  campaign_id         TEXT NOT NULL DEFAULT '',  -- '' until created
  adgroup_id          TEXT NOT NULL DEFAULT '',
  ad_id               TEXT NOT NULL DEFAULT '',
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  PRIMARY KEY (link_id, name)
) WITHOUT ROWID;
)sql";

// v8: the paid figures of the link's Spark Ads (/report/integrated/get/), per
// ad and day as upstream reports them; money in millionths (exact sums).
constexpr std::string_view kV8 = R"sql(
CREATE TABLE paid_figures (
  link_id        TEXT NOT NULL,
  ad_id          TEXT NOT NULL,
  day            TEXT NOT NULL,  -- YYYY-MM-DD, as upstream dates it
  spend_micros   INTEGER NOT NULL DEFAULT 0,
  impressions    INTEGER NOT NULL DEFAULT 0,
  clicks         INTEGER NOT NULL DEFAULT 0,
  likes          INTEGER NOT NULL DEFAULT 0,
  comments       INTEGER NOT NULL DEFAULT 0,
  shares         INTEGER NOT NULL DEFAULT 0,
  follows        INTEGER NOT NULL DEFAULT 0,
  video_views    INTEGER NOT NULL DEFAULT 0,
  profile_visits INTEGER NOT NULL DEFAULT 0,
  updated_at     INTEGER NOT NULL,
  PRIMARY KEY (link_id, day, ad_id)
) WITHOUT ROWID;
)sql";

// v9: the v6 partial indexes say "state <> 'A' AND state <> 'B' ..." instead
// of "state NOT IN ('A', 'B', ...)": sqlite codes an IN list as a temporary
// b-tree built on every evaluation, and every UPDATE of a link evaluated four
// (old and new row, two indexes): 2.4 % of the daemon's CPU in a check phase.
constexpr std::string_view kV9 = R"sql(
DROP INDEX links_check_due;
DROP INDEX links_refresh_due;
CREATE INDEX links_check_due ON links(next_check_at)
  WHERE state <> 'PENDING' AND state <> 'UNLINKED' AND state <> 'EXPIRED';
CREATE INDEX links_refresh_due ON links(next_refresh_at)
  WHERE state <> 'PENDING' AND state <> 'UNLINKED' AND state <> 'EXPIRED'
    AND state <> 'REAUTH_REQUIRED';
)sql";

constexpr std::array<std::string_view, 9> kMigrations = {kV1, kV2, kV3, kV4, kV5,
                                                         kV6, kV7, kV8, kV9};

Result<void> apply(sqlite::Database& db, int index) {
  if (auto begin = db.exec("BEGIN IMMEDIATE"); !begin) return begin;
  // Another process may have migrated while we waited for the write lock.
  auto current = db.query_int("PRAGMA user_version");
  if (current && *current != index) return db.exec("ROLLBACK");
  Result<void> done = current ? db.exec(kMigrations[static_cast<std::size_t>(index)])
                              : Result<void>(current.error());
  if (done) done = db.exec("PRAGMA user_version = " + std::to_string(index + 1));
  if (done) done = db.exec("COMMIT");
  if (!done) {
    (void)db.exec("ROLLBACK");
    return Error::storage("migration to schema version " + std::to_string(index + 1) +
                          " failed: " + done.error().message);
  }
  return {};
}

}  // namespace

std::span<const std::string_view> migrations() {
  return kMigrations;
}

int Store::schema_version() {
  return static_cast<int>(kMigrations.size());
}

Result<void> migrate(sqlite::Database& db, int target) {
  const int latest = Store::schema_version();
  if (target < 0 || target > latest) target = latest;
  auto current = db.query_int("PRAGMA user_version");
  if (!current) return current.error();
  if (*current > latest)
    return Error::storage("database " + db.path() + " has schema version " +
                          std::to_string(*current) + ", newer than this build's " +
                          std::to_string(latest) + ": upgrade ttlink (forward migrations only)");
  for (int i = static_cast<int>(*current); i < target; ++i)
    if (auto applied = apply(db, i); !applied) return applied;
  return {};
}

}  // namespace ttlink::store

#include "core/store/connection.hpp"

#include <charconv>

namespace ttlink::store {

namespace {

// The outermost transaction's statements, prepared once (sqlite3_exec would
// parse them again for every transaction: several per check).
constexpr Sql kBegin{"transaction_begin", "BEGIN IMMEDIATE"};
constexpr Sql kCommit{"transaction_commit", "COMMIT"};
constexpr Sql kRollback{"transaction_rollback", "ROLLBACK"};

// Bodies per batch: enough to share the commit among a burst of checks,
// few enough that one commit stays short.
constexpr int kBatchBodies = 64;

std::string batch_of(int bodies) {
  return "a batch of " + std::to_string(bodies) +
         (bodies == 1 ? " routine write" : " routine writes");
}

}  // namespace

Connection::~Connection() {
  static_cast<void>(commit_batch());
}

// Not through statement(): BEGIN and COMMIT are writes to its guard.
Result<void> Connection::run(const Sql& sql) {
  auto s = db_.statement(sql.name, sql.text);
  if (!s) return s.error();
  return (*s)->run();
}

Result<sqlite::Lease> Connection::statement(const Sql& sql) {
  auto s = db_.statement(sql.name, sql.text);
  if (s && depth_ == 0 && batch_open_ && !(*s)->read_only()) static_cast<void>(commit_batch());
  return s;
}

bool Connection::batch_open() {
  // sqlite rolls a transaction back by itself on some errors (a full disk,
  // an I/O error): the batch is then gone.
  if (batch_open_ && !db_.in_transaction()) {
    batch_open_ = false;
    if (batch_hooks_.failed)
      batch_hooks_.failed(
          Error::storage(batch_of(batch_bodies_) + " was rolled back by sqlite after an error"));
  }
  return batch_open_;
}

void Connection::set_batching(BatchHooks hooks) {
  static_cast<void>(commit_batch());
  batch_hooks_ = std::move(hooks);
}

Result<void> Connection::routine(const std::function<Result<void>()>& body) {
  if (!batch_hooks_.opened || depth_ > 0) return in_transaction(body);
  if (!batch_open()) {
    if (auto begun = run(kBegin); !begun) return begun;
    batch_open_ = true;
    batch_urgent_ = false;
    batch_bodies_ = 0;
    batch_hooks_.opened();
  }
  auto result = transaction(body);  // a savepoint in the batch
  ++batch_bodies_;
  if (batch_urgent_ || batch_bodies_ >= kBatchBodies) {
    auto committed = commit_batch();
    if (result && !committed) return committed;
  }
  return result;
}

Result<void> Connection::commit_batch() {
  if (!batch_open()) return {};
  batch_open_ = false;
  auto committed = run(kCommit);
  if (committed) return {};
  if (db_.in_transaction()) static_cast<void>(run(kRollback));
  Error e = Error::storage(batch_of(batch_bodies_) +
                           " could not be committed: " + committed.error().message);
  if (batch_hooks_.failed) batch_hooks_.failed(e);
  return e;
}

Result<void> Connection::in_transaction(const std::function<Result<void>()>& body) {
  if (depth_ > 0) {
    if (batch_open_) batch_urgent_ = true;
    return transaction(body);
  }
  if (!batch_open()) return transaction(body);
  auto result = transaction(body);  // joins the batch as a savepoint
  auto committed = commit_batch();
  return result ? committed : result;
}

// "SAVEPOINT sp1", "RELEASE sp1", "ROLLBACK TO sp1": prepared once per
// depth, named by their own text (short enough for no allocation); parsing
// them again was 1.2 % of the daemon's CPU in a check phase.
Result<void> Connection::savepoint(std::string_view verb, int depth) {
  const std::string sql = std::string(verb) + " sp" + std::to_string(depth);
  auto s = db_.statement(sql, sql);
  if (!s) return s.error();
  return (*s)->run();
}

Result<void> Connection::transaction(const std::function<Result<void>()>& body) {
  const bool nested = depth_ > 0 || db_.in_transaction();
  const int level = depth_;
  if (auto begin = nested ? savepoint("SAVEPOINT", level) : run(kBegin); !begin) return begin;
  ++depth_;
  auto rollback = [&] {
    --depth_;
    // A failed rollback leaves sqlite's own state to undo it (the
    // connection rolls back on its own when a statement fails that way).
    if (!nested) return static_cast<void>(run(kRollback));
    if (savepoint("ROLLBACK TO", level)) static_cast<void>(savepoint("RELEASE", level));
  };
  Result<void> result;
  try {
    result = body();
  } catch (...) {
    rollback();
    throw;
  }
  if (!result) {
    rollback();
    return result;
  }
  --depth_;
  auto done = nested ? savepoint("RELEASE", level) : run(kCommit);
  if (!done) {
    ++depth_;
    rollback();
  }
  return done;
}

// Token writes commit with synchronous=FULL (the WAL is fsync'd before the
// call returns: a token survives a power cut); everything else commits with
// NORMAL (durable across a crash of the daemon, and far cheaper per check).
Result<void> Connection::durable(const std::function<Result<void>()>& body) {
  if (depth_ == 0) static_cast<void>(commit_batch());  // a failure is the hook's to report
  const bool outermost = depth_ == 0 && !db_.in_transaction();
  if (outermost)
    if (auto r = db_.exec("PRAGMA synchronous = FULL"); !r) return r;
  auto result = in_transaction(body);
  if (outermost)
    if (auto r = db_.exec("PRAGMA synchronous = NORMAL"); !r && result) return r;
  return result;
}

Result<std::int64_t> Connection::count(const Sql& sql, std::string_view key) {
  auto s = statement(sql);
  if (!s) return s.error();
  (*s)->bind(1, key);
  auto row = (*s)->step();
  if (!row) return row.error();
  return (*s)->int64(0);
}

Result<std::optional<std::int64_t>> Connection::scalar(const Sql& sql) {
  auto s = statement(sql);
  if (!s) return s.error();
  auto row = (*s)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::int64_t>();
  return (*s)->optional_int64(0);
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

std::optional<TimePoint> time_or_null(std::optional<std::int64_t> unix_seconds) {
  if (!unix_seconds) return std::nullopt;
  return from_unix(*unix_seconds);
}

std::optional<std::int64_t> unix_or_null(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return to_unix(*t);
}

}  // namespace ttlink::store

#pragma once
// The one sqlite connection every table family of the store shares: its
// cache of named statements, the one way to run a transaction (savepoints
// when nested, rollback on an error or an exception), durable commits for
// tokens, batches of routine writes, and the daemon's clock for the times
// rows are stamped with.
//
// Batches (issue 16): a scheduled check's routine writes (when it ran, when
// it runs next, the account's figures) need not reach the WAL one commit at a
// time. With batching on (set_batching), routine() runs its body as a
// savepoint inside one open transaction that commits when its owner's timer
// fires (BatchCommits, 20 ms), after 64 bodies, or at once when anything else
// writes: an in_transaction() joins the batch and commits it with its own
// writes, durable() commits it first, and a lone write statement outside any
// transaction commits it before it runs. Reads meanwhile run inside the open
// transaction: no lock round trip each (fcntl calls were 40 % of a check's
// syscalls). So a crash of the daemon loses at most the routine writes of
// the last 20 ms (those links are checked again); everything else commits
// exactly when it did before.
#include <functional>
#include <string_view>

#include "core/store/sqlite.hpp"
#include "core/util/clock.hpp"
#include "core/util/result.hpp"

namespace ttlink::store {

// A named statement: the name caches it on the connection. SQL lives next to
// the code that owns its table.
struct Sql {
  std::string_view name;
  std::string_view text;
};

// What the owner of batches hears: a batch opened (commit it within the
// delay), a batch failed to commit (its routine writes are lost).
struct BatchHooks {
  std::function<void()> opened;
  std::function<void(const Error&)> failed;
};

class Connection {
 public:
  Connection(sqlite::Database db, Clock clock) : db_(std::move(db)), clock_(std::move(clock)) {}
  // Commits an open batch (its failure is the hook's to report).
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A lone write outside any transaction commits an open batch first.
  Result<sqlite::Lease> statement(const Sql& sql);
  // Runs `body` in one transaction (BEGIN IMMEDIATE ... COMMIT). Nested calls
  // become savepoints, durable when the outermost commits. An error or an
  // exception from `body` rolls back (to the savepoint, when nested). With a
  // batch open, `body` joins it and the batch commits with it.
  Result<void> in_transaction(const std::function<Result<void>()>& body);
  // As in_transaction, committed with synchronous=FULL: on disk (the WAL
  // fsync'd) when it returns. For tokens; everything else is NORMAL.
  Result<void> durable(const std::function<Result<void>()>& body);
  // As in_transaction for writes that may wait (see the top of this file):
  // `body` runs in the open batch, rolled back alone on an error. Nested in
  // a transaction, or with batching off, it is in_transaction. A transaction
  // nested in `body` (a state change) commits the batch when `body` ends.
  Result<void> routine(const std::function<Result<void>()>& body);
  // Commits the open batch, if any (the owner's timer; shutdown; a backup).
  Result<void> commit_batch();
  // Turns batching on (hooks set) or off (empty hooks; an open batch commits).
  void set_batching(BatchHooks hooks);
  bool batch_open();

  // A one-row, one-integer query bound to `key` (counts).
  Result<std::int64_t> count(const Sql& sql, std::string_view key);
  // A one-row, one-integer query without parameters (null: nullopt).
  Result<std::optional<std::int64_t>> scalar(const Sql& sql);
  TimePoint now() const { return clock_(); }
  std::int64_t now_unix() const { return to_unix(clock_()); }
  sqlite::Database& database() { return db_; }

 private:
  Result<void> run(const Sql& sql);
  Result<void> savepoint(std::string_view verb, int depth);
  Result<void> transaction(const std::function<Result<void>()>& body);

  sqlite::Database db_;
  Clock clock_;
  int depth_ = 0;  // open transactions and savepoints
  BatchHooks batch_hooks_;
  bool batch_open_ = false;
  bool batch_urgent_ = false;  // a body nested a transaction: commit when it ends
  int batch_bodies_ = 0;
};

// Every row of a stepped statement, each read by `read` (a function of the
// statement returning a row, or Result of one).
template <class Row, class Read>
Result<std::vector<Row>> read_rows(sqlite::Lease& s, Read read) {
  std::vector<Row> out;
  for (;;) {
    auto more = s->step();
    if (!more) return more.error();
    if (!*more) return out;
    if constexpr (requires { read(*s).error(); }) {
      auto row = read(*s);
      if (!row) return row.error();
      out.push_back(std::move(*row));
    } else {
      out.push_back(read(*s));
    }
  }
}

// The first row, if any.
template <class Row, class Read>
Result<std::optional<Row>> read_optional(sqlite::Lease& s, Read read) {
  auto more = s->step();
  if (!more) return more.error();
  if (!*more) return std::optional<Row>();
  if constexpr (requires { read(*s).error(); }) {
    auto row = read(*s);
    if (!row) return row.error();
    return std::optional<Row>(std::move(*row));
  } else {
    return std::optional<Row>(read(*s));
  }
}

// Link ids are the links table's integer keys, shown as decimal strings.
std::optional<std::int64_t> parse_link_id(std::string_view text);
Error no_such_link(std::string_view link_id);
std::optional<TimePoint> time_or_null(std::optional<std::int64_t> unix_seconds);
std::optional<std::int64_t> unix_or_null(const std::optional<TimePoint>& t);

}  // namespace ttlink::store

#pragma once
// The one sqlite connection every table family of the store shares: its
// cache of named statements, the one way to run a transaction (savepoints
// when nested, rollback on an error or an exception), durable commits for
// tokens, and the daemon's clock for the times rows are stamped with.
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

class Connection {
 public:
  Connection(sqlite::Database db, Clock clock) : db_(std::move(db)), clock_(std::move(clock)) {}

  Result<sqlite::Lease> statement(const Sql& sql) { return db_.statement(sql.name, sql.text); }
  // Runs `body` in one transaction (BEGIN IMMEDIATE ... COMMIT). Nested calls
  // become savepoints, durable when the outermost commits. An error or an
  // exception from `body` rolls back (to the savepoint, when nested).
  Result<void> in_transaction(const std::function<Result<void>()>& body);
  // As in_transaction, committed with synchronous=FULL: on disk (the WAL
  // fsync'd) when it returns. For tokens; everything else is NORMAL.
  Result<void> durable(const std::function<Result<void>()>& body);

  // A one-row, one-integer query bound to `key` (counts).
  Result<std::int64_t> count(const Sql& sql, std::string_view key);
  // A one-row, one-integer query without parameters (null: nullopt).
  Result<std::optional<std::int64_t>> scalar(const Sql& sql);
  TimePoint now() const { return clock_(); }
  std::int64_t now_unix() const { return to_unix(clock_()); }
  sqlite::Database& database() { return db_; }

 private:
  Result<void> run(const Sql& sql);

  sqlite::Database db_;
  Clock clock_;
  int depth_ = 0;  // open transactions and savepoints
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

#pragma once
// A thin RAII wrapper over sqlite3: a Database owns the connection and its
// prepared statements (cached by name, prepared once); a Statement binds,
// steps and reads columns. Errors are values carrying sqlite's own message.
// Knows nothing of ttlink's tables.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/util/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ttlink::store::sqlite {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in sqlite. A failed bind is reported by the
  // next step(), so that binding reads as one chain.
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::optional<std::int64_t> value);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);

  // true: a row is ready to read; false: done.
  Result<bool> step();
  // Steps to completion, for statements that return no rows.
  Result<void> run();

  // Columns are 0-based, as in sqlite.
  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  std::optional<std::int64_t> optional_int64(int column) const;
  std::string text(int column) const;
  std::string blob(int column) const;

  // Ready for the next use: resets and clears the bindings.
  void reset();
  // The statement changes nothing (a SELECT; not an INSERT, UPDATE, ...).
  bool read_only() const;

 private:
  void note_bind(int rc);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_error_ = 0;
};

// A cached statement on loan: reset when the loan ends, so no statement keeps
// a read transaction open between uses.
class Lease {
 public:
  explicit Lease(Statement* s) : s_(s) {}
  Lease(Lease&& other) noexcept : s_(std::exchange(other.s_, nullptr)) {}
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (s_) s_->reset();
  }
  Statement* operator->() const { return s_; }
  Statement& operator*() const { return *s_; }

 private:
  Statement* s_;
};

class Database {
 public:
  // Opens (creating if absent) the file at `path`.
  static Result<Database> open(const std::string& path);
  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;
  ~Database();

  // Runs one or more statements that return nothing (schema, pragmas).
  Result<void> exec(std::string_view sql);
  // The statement `name`, prepared from `sql` on first use and cached. A name
  // always maps to the same SQL: callers keep names and SQL together.
  Result<Lease> statement(std::string_view name, std::string_view sql);
  // Runs a one-column, one-row query such as "PRAGMA user_version".
  Result<std::int64_t> query_int(std::string_view sql);
  Result<std::string> query_text(std::string_view sql);

  bool in_transaction() const;
  std::int64_t last_insert_rowid() const;
  int changes() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_.get(); }  // for what this wrapper lacks (backup.cpp)

 private:
  Database(sqlite3* db, std::string path);
  Result<void> check(int rc, std::string_view what) const;
  Result<std::unique_ptr<Statement>> one_row(std::string_view sql);

  struct Closer {
    void operator()(sqlite3* db) const;
  };
  std::string path_;
  std::unique_ptr<sqlite3, Closer> db_;
  // Declared after db_ so statements are finalized before the connection closes.
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

}  // namespace ttlink::store::sqlite

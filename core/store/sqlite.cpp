#include "core/store/sqlite.hpp"

#include <sqlite3.h>

#include <memory>

namespace ttlink::store::sqlite {

// --- Statement ---

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

void Statement::note_bind(int rc) {
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

Statement& Statement::bind(int index, std::string_view text) {
  note_bind(sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                              SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  note_bind(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::bind(int index, std::optional<std::int64_t> value) {
  return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  note_bind(sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()),
                              SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::bind_null(int index) {
  note_bind(sqlite3_bind_null(stmt_, index));
  return *this;
}

Result<bool> Statement::step() {
  if (bind_error_ != 0)
    return Error::storage(std::string("cannot bind a parameter: ") + sqlite3_errstr(bind_error_));
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // The file's name first: "database or disk is full" alone does not say
  // which disk to look at.
  const char* file = sqlite3_db_filename(db_, "main");
  return Error::storage("store " + std::string(file ? file : "") + ": " + sqlite3_errmsg(db_) +
                        " (in: " + sqlite3_sql(stmt_) + ")");
}

bool Statement::read_only() const {
  return sqlite3_stmt_readonly(stmt_) != 0;
}

Result<void> Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return row.error();
    if (!*row) return {};
  }
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::optional<std::int64_t> Statement::optional_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column);
}

std::string Statement::text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
           : std::string();
}

std::string Statement::blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = 0;
}

// --- Database ---

void Database::Closer::operator()(sqlite3* db) const {
  sqlite3_close_v2(db);
}

Database::Database(sqlite3* db, std::string path) : path_(std::move(path)), db_(db) {}

Database::~Database() {
  statements_.clear();
}

Result<Database> Database::open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Database db(raw, path);  // owns the handle even when opening failed
  if (rc != SQLITE_OK)
    return Error::storage("cannot open database " + path + ": " +
                          (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Result<void> Database::check(int rc, std::string_view what) const {
  if (rc == SQLITE_OK) return {};
  return Error::storage(std::string(what) + " on " + path_ + ": " + sqlite3_errmsg(db_.get()));
}

Result<void> Database::exec(std::string_view sql) {
  std::string text(sql);  // sqlite3_exec wants a NUL-terminated string
  return check(sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr), "exec");
}

Result<Lease> Database::statement(std::string_view name, std::string_view sql) {
  std::string key(name);
  auto it = statements_.find(key);
  if (it == statements_.end()) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(raw);
      return Error::storage("cannot prepare statement " + key + ": " + sqlite3_errmsg(db_.get()));
    }
    it = statements_.emplace(key, std::make_unique<Statement>(db_.get(), raw)).first;
  }
  return Lease(it->second.get());
}

Result<std::unique_ptr<Statement>> Database::one_row(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return check(rc, "prepare").error();
  }
  auto stmt = std::make_unique<Statement>(db_.get(), raw);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return Error::storage("query returned no row: " + std::string(sql));
  return stmt;
}

Result<std::int64_t> Database::query_int(std::string_view sql) {
  auto stmt = one_row(sql);
  if (!stmt) return stmt.error();
  return (*stmt)->int64(0);
}

Result<std::string> Database::query_text(std::string_view sql) {
  auto stmt = one_row(sql);
  if (!stmt) return stmt.error();
  return (*stmt)->text(0);
}

bool Database::in_transaction() const {
  return sqlite3_get_autocommit(db_.get()) == 0;
}

std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_.get());
}

int Database::changes() const {
  return sqlite3_changes(db_.get());
}

}  // namespace ttlink::store::sqlite

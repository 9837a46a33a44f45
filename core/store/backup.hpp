#pragma once
// A consistent copy of the live store, made through sqlite's online backup
// API on the connection that owns the store: the daemon keeps running, and
// the copy is the database as of one moment (WAL content included).
#include <cstdint>
#include <string>

#include "core/store/sqlite.hpp"
#include "core/util/result.hpp"

namespace ttlink::store {

struct BackupStats {
  std::string path;
  std::int64_t bytes = 0;  // the copy's size on disk
  std::int64_t pages = 0;  // database pages copied
};

// Copies `db` to `dest_path`, an absolute path to a file that does not exist
// yet; the file is created 0600, as the store is (it holds sealed tokens and
// who is linked). Errors: kInvalidInput (a relative path), kConflict (the
// file exists: it is left untouched), kStorage (cannot create or write it;
// what was written is removed).
Result<BackupStats> backup_database(sqlite::Database& db, const std::string& dest_path);

}  // namespace ttlink::store

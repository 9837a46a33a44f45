// Opening the store: the file (created private), WAL, pragmas, migrations,
// the key file, and the table families on one connection.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/store/schema.hpp"
#include "core/store/store.hpp"

namespace ttlink::store {
namespace {

// The sqlite file holds sealed tokens only, but its metadata (which accounts
// are linked) is still nobody else's business: create it 0600 before sqlite
// does (sqlite gives the -wal and -shm files the mode of the database file).
Result<void> create_private_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Error::storage("cannot create database " + path + ": " + std::strerror(errno));
  ::close(fd);
  return {};
}

// --- opening ---

// WAL for concurrent readers (ttlinkctl-side tools); synchronous=NORMAL for
// states and schedules, FULL around token writes (see durable()).
constexpr std::string_view kPragmas =
    "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; "
    "PRAGMA secure_delete = ON;";

Result<sqlite::Database> open_database(const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0)
    if (auto created = create_private_file(path); !created) return created.error();
  auto db = sqlite::Database::open(path);
  if (!db) return db.error();
  // sqlite answers with the mode in effect: a file system without shared
  // memory (some network mounts) silently keeps the rollback journal.
  auto mode = db->query_text("PRAGMA journal_mode = WAL");
  if (!mode) return Error::storage("cannot open database " + path + ": " + mode.error().message);
  if (*mode != "wal")
    return Error::storage("database " + path + " cannot use WAL (journal_mode is " + *mode + ")");
  if (auto pragmas = db->exec(kPragmas); !pragmas) return pragmas.error();
  if (auto migrated = migrate(*db); !migrated) return migrated.error();
  return db;
}

}  // namespace

Store::Store(sqlite::Database db, Cipher cipher, Clock clock)
    : db_(std::move(db), std::move(clock)), cipher_(std::move(cipher)) {}

Result<std::unique_ptr<Store>> Store::open(const std::string& db_path, const std::string& key_file,
                                           Clock clock) {
  auto key = load_or_create_key_file(key_file);
  if (!key) return key.error();
  auto cipher = Cipher::from_key(std::move(*key));
  if (!cipher) return cipher.error();
  auto db = open_database(db_path);
  if (!db) return db.error();
  return std::make_unique<Store>(std::move(*db), std::move(*cipher), std::move(clock));
}

}  // namespace ttlink::store

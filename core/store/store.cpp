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
// states and schedules, FULL around token writes (see durable()). The WAL
// file is cut back to 4 MiB whenever it starts over: under a backlog of
// commits it grows to ~16 MiB between checkpoints that let it start over
// (wal_checkpoints.hpp), and sqlite would otherwise keep that size for good.
constexpr std::string_view kPragmas =
    "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; "
    "PRAGMA secure_delete = ON; PRAGMA journal_size_limit = 4194304;";

// What is at `path` before sqlite sees it: sqlite reports a directory as
// "unable to open database file" and garbage only at the first query, and
// silently opens a file it cannot write read-only. Each gets its own words.
Result<void> check_existing_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};  // absent: created next
  if (S_ISDIR(st.st_mode))
    return Error::storage("database " + path + " is a directory, not a sqlite file");
  if (!S_ISREG(st.st_mode)) return Error::storage("database " + path + " is not a regular file");
  if (::access(path.c_str(), R_OK | W_OK) != 0)
    return Error::storage("database " + path + " is not writable by ttlinkd (uid " +
                          std::to_string(::getuid()) + "): " + std::strerror(errno));
  if (st.st_size == 0) return {};                      // an empty file is an empty database
  static constexpr char kMagic[] = "SQLite format 3";  // with its NUL: 16 bytes
  char header[sizeof kMagic] = {};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::storage("cannot read database " + path + ": " + std::strerror(errno));
  const ssize_t got = ::read(fd, header, sizeof header);
  ::close(fd);
  if (got != static_cast<ssize_t>(sizeof header) || std::memcmp(header, kMagic, sizeof kMagic) != 0)
    return Error::storage("database " + path +
                          " is not a database (no sqlite header: corrupt, or another kind of "
                          "file); restore it from a backup, or move it away to start empty");
  return {};
}

Result<sqlite::Database> open_database(const std::string& path) {
  if (auto checked = check_existing_file(path); !checked) return checked.error();
  if (::access(path.c_str(), F_OK) != 0)
    if (auto created = create_private_file(path); !created) return created.error();
  auto db = sqlite::Database::open(path);
  if (!db) return db.error();
  // sqlite answers with the mode in effect: a file system without shared
  // memory (some network mounts) silently keeps the rollback journal.
  auto mode = db->query_text("PRAGMA journal_mode = WAL");
  if (!mode)
    return Error::storage("cannot open database " + path + " (corrupt, or its folder is not " +
                          "writable for the -wal and -shm files): " + mode.error().message);
  if (*mode != "wal")
    return Error::storage("database " + path + " cannot use WAL (journal_mode is " + *mode + ")");
  if (auto pragmas = db->exec(kPragmas); !pragmas) return pragmas.error();
  if (auto migrated = migrate(*db); !migrated) return migrated.error();
  return db;
}

}  // namespace

Store::Store(sqlite::Database db, Cipher cipher, Clock clock, std::string path)
    : db_(std::move(db), std::move(clock)), cipher_(std::move(cipher)), path_(std::move(path)) {}

Result<std::unique_ptr<Store>> Store::open(const std::string& db_path, const std::string& key_file,
                                           Clock clock) {
  auto key = load_or_create_key_file(key_file);
  if (!key) return key.error();
  auto cipher = Cipher::from_key(std::move(*key));
  if (!cipher) return cipher.error();
  auto db = open_database(db_path);
  if (!db) return db.error();
  return std::make_unique<Store>(std::move(*db), std::move(*cipher), std::move(clock), db_path);
}

}  // namespace ttlink::store

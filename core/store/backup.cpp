#include "core/store/backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ttlink::store {
namespace {

std::string errno_text() {
  return std::strerror(errno);
}

// O_EXCL: an existing file (or a link planted in its place) is never opened,
// so a mistyped path cannot overwrite anything.
Result<void> create_new_private_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST)
    return Error::conflict("backup file " + path +
                           " already exists; ttlinkd never overwrites one: choose a new name");
  if (fd < 0) return Error::storage("cannot create backup file " + path + ": " + errno_text());
  if (::fchmod(fd, 0600) != 0) {  // the umask may have removed more than group and others
    Error failed = Error::storage("cannot make " + path + " 0600: " + errno_text());
    ::close(fd);
    ::unlink(path.c_str());
    return failed;
  }
  ::close(fd);
  return {};
}

// All pages in one step: one read transaction on the source, hence one
// moment's database. The store is small (links, posts, comments), so the
// state thread is held for milliseconds.
Result<std::int64_t> copy_pages(sqlite3* source, sqlite3* dest) {
  sqlite3_backup* backup = sqlite3_backup_init(dest, "main", source, "main");
  if (!backup)
    return Error::storage(std::string("cannot start the backup: ") + sqlite3_errmsg(dest));
  const int stepped = sqlite3_backup_step(backup, -1);
  const std::int64_t pages = sqlite3_backup_pagecount(backup);
  const int finished = sqlite3_backup_finish(backup);
  if (stepped != SQLITE_DONE)
    return Error::storage(std::string("backup failed: ") + sqlite3_errstr(stepped));
  if (finished != SQLITE_OK)
    return Error::storage(std::string("backup failed: ") + sqlite3_errmsg(dest));
  return pages;
}

Result<BackupStats> write_copy(sqlite::Database& db, const std::string& dest_path) {
  BackupStats stats{dest_path};
  {
    auto dest = sqlite::Database::open(dest_path);
    if (!dest) return dest.error();
    auto pages = copy_pages(db.handle(), dest->handle());
    if (!pages) return pages.error();
    stats.pages = *pages;
  }  // closed: the copy is complete on disk
  struct stat st {};
  if (::stat(dest_path.c_str(), &st) != 0)
    return Error::storage("cannot read the size of " + dest_path + ": " + errno_text());
  stats.bytes = st.st_size;
  return stats;
}

}  // namespace

Result<BackupStats> backup_database(sqlite::Database& db, const std::string& dest_path) {
  if (dest_path.empty() || dest_path.front() != '/')
    return Error::invalid(
        "backup path must be absolute (ttlinkd writes the file, not ttlinkctl): " + dest_path);
  if (auto created = create_new_private_file(dest_path); !created) return created.error();
  auto copied = write_copy(db, dest_path);
  if (!copied) ::unlink(dest_path.c_str());  // ours: created above
  return copied;
}

}  // namespace ttlink::store

#pragma once
// The store's schema as an ordered list of forward migrations: migration i
// (0-based) takes the database from user_version i to i + 1. A released
// migration is never edited: a change is a new migration at the end.
#include <span>
#include <string_view>

#include "core/store/sqlite.hpp"
#include "core/util/result.hpp"

namespace ttlink::store {

std::span<const std::string_view> migrations();

// Applies, each in its own transaction together with its user_version bump,
// every migration from the database's user_version up to `target` (by default
// the latest). A database newer than this build is refused (kStorage), never
// touched.
Result<void> migrate(sqlite::Database& db, int target = -1);

}  // namespace ttlink::store

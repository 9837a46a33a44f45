#pragma once
// What the callback and control-socket targets drive: a real LinkService over
// a real sqlite store (on /dev/shm, so that fsync costs nothing) and an
// ApiClient whose upstream is a closed loopback port (every call fails fast
// with "connection refused", as when TikTok is unreachable). One pending
// link is started, so that inputs can name its real states: "@A" in an input
// becomes the advertiser state, "@C" the account state.
//
// Every input starts from that same world: an input that changed the store
// (a new link, a refusal that used up a state, an unlink) is followed by
// reset_if_changed(), which puts back the empty store, a new LinkService and a
// new pending link. Without it the store grows by a link per `link.start` over
// millions of inputs (every `links.list` and `status` slower than the last),
// one input's refusal would use up the states for all later ones, and no
// input would replay as it ran.
#include <sqlite3.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/url/parse.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/http/client.hpp"
#include "core/links/link_service.hpp"
#include "core/store/store.hpp"
#include "core/tiktok/api_client.hpp"

namespace ttlink::fuzz {

template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
  auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.restart();
  while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) io.run_one();
  return future.get();
}

inline std::string state_of(const std::optional<std::string>& url) {
  if (!url) return {};
  auto u = boost::urls::parse_uri(*url);
  if (!u) return {};
  for (auto p : u->params())
    if (p.key == "state") return p.value;
  return {};
}

// The way back to the empty store, as Store::open leaves it (the schema, no
// rows), through a second connection to the same file. Rows deleted there
// reach the store's connection as new data, not a new schema, so its prepared
// statements stay prepared (restoring a copy with sqlite's backup API resets
// the schema, and every statement is parsed again: milliseconds an input).
// This connection has triggers off: audit rows cannot be deleted otherwise.
class EmptyStore {
 public:
  EmptyStore(const std::string& path, sqlite3* live) : live_(live) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK ||
        sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, static_cast<int*>(nullptr)) !=
            SQLITE_OK)
      std::abort();
    sqlite3_stmt* tables = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT name FROM sqlite_schema WHERE type = 'table'", -1, &tables,
                           nullptr) != SQLITE_OK)
      std::abort();
    while (sqlite3_step(tables) == SQLITE_ROW) {
      const std::string table = reinterpret_cast<const char*>(sqlite3_column_text(tables, 0));
      if (count_rows(table) != 0) std::abort();  // not empty: restore() would not give it back
      deletes_.push_back(prepare("DELETE FROM \"" + table + "\""));
    }
    sqlite3_finalize(tables);
    begin_ = prepare("BEGIN IMMEDIATE");
    commit_ = prepare("COMMIT");
    mark_seen();
  }
  ~EmptyStore() {
    for (auto* s : deletes_) sqlite3_finalize(s);
    sqlite3_finalize(begin_);
    sqlite3_finalize(commit_);
    sqlite3_close(db_);
  }
  EmptyStore(const EmptyStore&) = delete;
  EmptyStore& operator=(const EmptyStore&) = delete;

  // True when rows changed on the store's connection since the last
  // mark_seen() (a change rolled back counts too: restoring then costs little).
  bool changed() const { return sqlite3_total_changes64(live_) != seen_; }
  // Every row gone, in one transaction (AUTOINCREMENT counters too: ids
  // start again from 1).
  void restore() {
    run(begin_);
    for (auto* s : deletes_) run(s);
    run(commit_);
  }
  void mark_seen() { seen_ = sqlite3_total_changes64(live_); }

 private:
  sqlite3_stmt* prepare(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) std::abort();
    return s;
  }
  static void run(sqlite3_stmt* s) {
    if (sqlite3_step(s) != SQLITE_DONE) std::abort();
    sqlite3_reset(s);
  }
  sqlite3_int64 count_rows(const std::string& table) {
    sqlite3_stmt* s = prepare("SELECT count(*) FROM \"" + table + "\"");
    sqlite3_int64 n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    return n;
  }

  sqlite3* live_;
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> deletes_;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_int64 seen_ = 0;
};

struct DaemonParts {
  DaemonParts() {
    dir = std::filesystem::path("/dev/shm") / ("ttlink-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto opened = store::Store::open((dir / "ttlink.db").string(), (dir / "key").string());
    if (!opened) std::abort();
    store = std::move(*opened);
    empty_store = std::make_unique<EmptyStore>((dir / "ttlink.db").string(),
                                               store->connection().database().handle());
    http::ClientOptions client_options;
    client_options.connect_timeout = std::chrono::milliseconds(200);
    client_options.request_timeout = std::chrono::milliseconds(200);
    http_client = std::make_unique<http::Client>(io.get_executor(), client_options);
    api = std::make_unique<tiktok::ApiClient>(
        *http_client, tiktok::ApiConfig{"http://127.0.0.1:1/open_api/v1.3", "7000000000000000001",
                                        Secret("fuzz-app-secret")});
    start_world();
    std::atexit([] { std::filesystem::remove_all(instance_dir()); });
    instance_dir() = dir;
  }

  // After an input: when it changed the store, the world as it was before it
  // (see the top of this file). True when it did, so that a harness rebuilds
  // what holds the old LinkService.
  bool reset_if_changed() {
    if (!empty_store->changed()) return false;
    service.reset();
    empty_store->restore();
    start_world();
    return true;
  }

  // The input with "@A" / "@C" replaced by the pending link's states.
  std::string with_states(std::string text) const {
    for (auto [mark, state] : {std::pair{"@A", &advertiser_state}, {"@C", &account_state}})
      for (auto at = text.find(mark); at != std::string::npos; at = text.find(mark, at))
        text.replace(at, 2, *state), at += state->size();
    return text;
  }

  static std::filesystem::path& instance_dir() {
    static std::filesystem::path p;
    return p;
  }

  std::filesystem::path dir;
  boost::asio::io_context io;
  config::Config config;
  Logger log{stderr, LogLevel::kError};
  std::unique_ptr<store::Store> store;
  std::unique_ptr<EmptyStore> empty_store;
  std::unique_ptr<http::Client> http_client;
  std::unique_ptr<tiktok::ApiClient> api;
  std::unique_ptr<links::LinkService> service;
  std::string advertiser_state;
  std::string account_state;

 private:
  // A new LinkService (its in-memory state, such as the URLs it issued, goes
  // with the old one) and the one pending link, on the empty store.
  void start_world() {
    service = std::make_unique<links::LinkService>(*store, *api, config, log);
    auto urls = run(io, service->start("", store::Actor{"fuzz"}));
    if (!urls) std::abort();
    advertiser_state = state_of(urls->advertiser_auth_url);
    account_state = state_of(urls->account_auth_url);
    empty_store->mark_seen();
  }
};

// Built once, from LLVMFuzzerInitialize: opening the store and loading the
// system's CA certificates take longer than libFuzzer allows one input.
inline DaemonParts& daemon_parts() {
  static DaemonParts parts;
  return parts;
}

}  // namespace ttlink::fuzz

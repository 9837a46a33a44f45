// ttlink-comment-bench: the issue-7 benchmark. A real ttlinkd ingests M Spark
// Ads comments (default 1,000,000) from a real ttlink-sandbox through
// `spark.sync`, and the same rows are then inserted by a plain sqlite loop
// (same table, indexes, pragmas and commit size) as the reference. Also
// measured: what one poll costs when nothing changed, and how much of the
// ingestion time the sandbox itself takes. Prints a JSON object (stdout) and a
// human summary (stderr). Not a test: nothing passes or fails on the figures,
// but the run fails (exit 1) when the daemon did not ingest every comment.
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/store/schema.hpp"
#include "core/store/sqlite.hpp"
#include "linker.hpp"
#include "proc_stats.hpp"
#include "support/daemon_fixture.hpp"
#include "support/wait.hpp"

namespace ttlink::bench {
namespace json = boost::json;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

namespace {

struct Args {
  std::int64_t comments = 1'000'000;
  // The sandbox filters and sorts every comment of an advertiser for each
  // page it serves, so its cost per page grows with comments per link: 10,000
  // per link keeps it near 20 ms a page (1,000,000 on one link: ~2.5 s a page).
  std::int64_t per_link = 10'000;
  int links = 0;  // 0: comments / per_link, rounded up
  int syncs = 20;
  int link_workers = 4;
  int sync_timeout_s = 3600;
  bool skip_fetch = false;
  std::string request_log_file;  // where to write the sandbox's log of the ingestion
};

// The daemon's one transaction per page of /comment/list/ (CommentSync).
constexpr int kPageSize = 100;

// The daemon's statement (core/store/spark_tables.cpp, kInsertComment).
constexpr const char* kInsertSql =
    "INSERT OR IGNORE INTO comments (comment_id, link_id, advertiser_id, ad_id, adgroup_id, "
    "item_id, parent_id, author, text, created_at, hidden, own, replied_by, hit_blockedword, "
    "keyword, ingested_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
    "?15, ?16)";

double seconds_since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

// CPU time of the calling thread: the reference loop runs on it alone.
double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::int64_t file_bytes(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_size) : 0;
}

// The sandbox's next request-log sequence number: API calls served so far.
std::uint64_t sandbox_request_count(test::SandboxProcess& sandbox) {
  auto r = sandbox.control("GET", "/requests?since=18446744073709551615");
  return r.at("next").to_number<std::uint64_t>();
}

// ---- phases: wall time, CPU of both processes, upstream requests

struct PhaseCost {
  double seconds = 0;
  double daemon_cpu = 0;
  double sandbox_cpu = 0;
  std::uint64_t upstream = 0;  // API calls the sandbox served
};

class PhaseMeter {
 public:
  PhaseMeter(test::SandboxProcess& sandbox, pid_t daemon_pid)
      : sandbox_(sandbox),
        daemon_pid_(daemon_pid),
        seq_(sandbox_request_count(sandbox)),
        daemon_cpu_(cpu_seconds(daemon_pid).value_or(0)),
        sandbox_cpu_(cpu_seconds(sandbox.process().pid()).value_or(0)),
        start_(SteadyClock::now()) {}

  std::uint64_t first_request() const { return seq_; }

  PhaseCost stop() {
    PhaseCost c;
    c.seconds = seconds_since(start_);
    c.daemon_cpu = cpu_seconds(daemon_pid_).value_or(0) - daemon_cpu_;
    c.sandbox_cpu = cpu_seconds(sandbox_.process().pid()).value_or(0) - sandbox_cpu_;
    c.upstream = sandbox_request_count(sandbox_) - seq_;
    return c;
  }

 private:
  test::SandboxProcess& sandbox_;
  pid_t daemon_pid_;
  std::uint64_t seq_;
  double daemon_cpu_, sandbox_cpu_;
  SteadyClock::time_point start_;
};

json::object cost_json(const PhaseCost& c) {
  return {{"seconds", c.seconds},
          {"daemon_cpu_seconds", c.daemon_cpu},
          {"sandbox_cpu_seconds", c.sandbox_cpu},
          {"upstream_requests", c.upstream}};
}

// The sandbox's log of the API calls since `since`; it keeps the last 100,000.
json::array request_log(test::SandboxProcess& sandbox, std::uint64_t since) {
  auto log = sandbox.control("GET", "/requests?since=" + std::to_string(since));
  return std::move(log.at("requests").as_array());
}

// Calls per API path (without the /open_api/v1.3 prefix): which listings the
// daemon paged through, and how often.
json::object requests_by_path(const json::array& log) {
  constexpr std::string_view kPrefix = "/open_api/v1.3";
  std::map<std::string, std::int64_t> counts;
  for (const auto& r : log) {
    std::string_view path = r.at("path").as_string();
    if (path.starts_with(kPrefix)) path.remove_prefix(kPrefix.size());
    ++counts[std::string(path)];
  }
  json::object out;
  for (const auto& [path, n] : counts) out[path] = n;
  return out;
}

// One JSON object a line: which pages the daemon asked for, in order.
void write_request_log(const json::array& log, const std::string& path) {
  std::ofstream out(path, std::ios::trunc);
  for (const auto& r : log) out << json::serialize(r) << "\n";
  if (!out) throw std::runtime_error("cannot write " + path);
}

// ---- the daemon side

std::vector<GeneratedLink> generated_links(const json::array& tokens) {
  std::vector<GeneratedLink> out;
  for (const auto& t : tokens)
    out.push_back(
        {std::string(t.at("advertiser_id").as_string()), std::string(t.at("open_id").as_string())});
  return out;
}

// Ids of the links that spark.sync accepts, once `expected` of them are.
std::vector<std::string> wait_for_active_links(test::DaemonProcess& daemon, std::size_t expected) {
  std::vector<std::string> ids;
  const bool all = test::wait_until(
      [&] {
        ids.clear();
        const auto listed = daemon.must("links.list");  // outlives the loop below
        for (const auto& l : listed.at("links").as_array())
          if (l.at("state").as_string() == "ACTIVE") ids.emplace_back(l.at("id").as_string());
        return ids.size() >= expected;
      },
      test::deadline_in(60s));
  if (!all)
    throw std::runtime_error(std::to_string(ids.size()) + " of " + std::to_string(expected) +
                             " links are ACTIVE after linking");
  return ids;
}

struct SyncReport {
  std::int64_t adgroups = 0;
  std::int64_t new_comments = 0;
  std::int64_t page_requests = 0;  // comment listing pages (both APIs), as spark.sync counts
  bool more = false;
};

SyncReport spark_sync(rpc::Client& control, const std::string& link_id) {
  auto r = control.call("spark.sync", {{"id", link_id}});
  if (!r) throw std::runtime_error("spark.sync " + link_id + ": " + r.error().message);
  const auto& o = r->as_object();
  return {o.at("adgroups").to_number<std::int64_t>(),
          o.at("new_comments").to_number<std::int64_t>(),
          o.at("requests").to_number<std::int64_t>(), o.at("more").as_bool()};
}

struct IngestTotals {
  std::int64_t new_comments = 0;
  std::int64_t page_requests = 0;
  int calls = 0;
  int max_calls_per_link = 0;
  // Per call, in order: wall seconds and comment pages read. A call's cost
  // beyond its pages (alert evaluation over the whole table) shows as a
  // growing time per page from the first calls to the last.
  std::vector<std::pair<double, std::int64_t>> call_costs;
};

// Each link as an operator would drain a backlog: spark.sync again while it
// answers "more" (it stops after max_pages pages per ad group and call).
IngestTotals ingest_all(rpc::Client& control, const std::vector<std::string>& link_ids,
                        SteadyClock::time_point deadline) {
  IngestTotals t;
  for (const auto& id : link_ids) {
    int calls = 0;
    for (bool more = true; more;) {
      if (SteadyClock::now() > deadline) throw std::runtime_error("ingestion timed out");
      const auto start = SteadyClock::now();
      auto r = spark_sync(control, id);
      t.call_costs.emplace_back(seconds_since(start), r.page_requests);
      t.new_comments += r.new_comments;
      t.page_requests += r.page_requests;
      more = r.more;
      ++calls;
    }
    t.calls += calls;
    t.max_calls_per_link = std::max(t.max_calls_per_link, calls);
  }
  return t;
}

// Wall ms per comment page over calls [first, last) of the ingestion.
double ms_per_page(const IngestTotals& t, std::size_t first, std::size_t last) {
  double seconds = 0;
  std::int64_t pages = 0;
  for (std::size_t i = first; i < last && i < t.call_costs.size(); ++i) {
    seconds += t.call_costs[i].first;
    pages += t.call_costs[i].second;
  }
  return pages ? 1000 * seconds / static_cast<double>(pages) : 0;
}

// K polls when nothing changed upstream, round-robin over the links.
json::object incremental_polls(rpc::Client& control, const std::vector<std::string>& link_ids,
                               int k, test::SandboxProcess& sandbox, pid_t daemon_pid) {
  PhaseMeter meter(sandbox, daemon_pid);
  std::int64_t new_comments = 0, page_requests = 0, adgroups = 0;
  double slowest = 0;
  for (int i = 0; i < k; ++i) {
    const auto t = SteadyClock::now();
    auto r = spark_sync(control, link_ids[static_cast<std::size_t>(i) % link_ids.size()]);
    slowest = std::max(slowest, seconds_since(t));
    new_comments += r.new_comments;
    page_requests += r.page_requests;
    adgroups += r.adgroups;
  }
  const auto cost = meter.stop();
  return {{"calls", k},
          {"requests_by_path", requests_by_path(request_log(sandbox, meter.first_request()))},
          {"new_comments", new_comments},
          {"mean_ms_per_call", 1000 * cost.seconds / k},
          {"max_ms_per_call", 1000 * slowest},
          {"daemon_cpu_ms_per_call", 1000 * cost.daemon_cpu / k},
          {"sandbox_cpu_ms_per_call", 1000 * cost.sandbox_cpu / k},
          {"upstream_requests_per_call", static_cast<double>(cost.upstream) / k},
          {"comment_pages_per_call", static_cast<double>(page_requests) / k},
          {"adgroups_per_call", static_cast<double>(adgroups) / k}};
}

// ---- sqlite: the daemon's rows, and the reference loop

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Db = std::unique_ptr<sqlite3, SqliteCloser>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

void check(int rc, sqlite3* db, const std::string& what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    throw std::runtime_error(what + ": " + sqlite3_errmsg(db));
}

Db open_db(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  check(rc, db.get(), "open " + path);
  return db;
}

void exec(sqlite3* db, std::string_view sql) {
  check(sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, nullptr), db,
        std::string(sql.substr(0, 60)));
}

Statement prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  check(sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr), db,
        "prepare");
  return Statement(raw);
}

// One stored comment, column by column as the table declares them.
struct CommentRow {
  std::string comment_id, link_id, advertiser_id, ad_id, adgroup_id, item_id, parent_id, author,
      text;
  std::int64_t created_at = 0, hidden = 0, own = 0;
  std::string replied_by;
  std::int64_t hit_blockedword = 0;
  std::string keyword;
  std::int64_t ingested_at = 0;
};

std::string column_text(sqlite3_stmt* s, int i) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string();
}

// Every row the daemon stored, in the order it inserted them (link by link,
// oldest first), so that the reference writes the very same rows.
std::vector<CommentRow> read_daemon_rows(sqlite3* db) {
  auto s = prepare(db,
                   "SELECT comment_id, link_id, advertiser_id, ad_id, adgroup_id, item_id, "
                   "parent_id, author, text, created_at, hidden, own, replied_by, hit_blockedword, "
                   "keyword, ingested_at FROM comments ORDER BY link_id, created_at");
  std::vector<CommentRow> rows;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    auto* st = s.get();
    CommentRow r;
    r.comment_id = column_text(st, 0);
    r.link_id = column_text(st, 1);
    r.advertiser_id = column_text(st, 2);
    r.ad_id = column_text(st, 3);
    r.adgroup_id = column_text(st, 4);
    r.item_id = column_text(st, 5);
    r.parent_id = column_text(st, 6);
    r.author = column_text(st, 7);
    r.text = column_text(st, 8);
    r.created_at = sqlite3_column_int64(st, 9);
    r.hidden = sqlite3_column_int64(st, 10);
    r.own = sqlite3_column_int64(st, 11);
    r.replied_by = column_text(st, 12);
    r.hit_blockedword = sqlite3_column_int64(st, 13);
    r.keyword = column_text(st, 14);
    r.ingested_at = sqlite3_column_int64(st, 15);
    rows.push_back(std::move(r));
  }
  check(rc, db, "read the daemon's comments");
  return rows;
}

void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}

void bind_row(sqlite3_stmt* s, const CommentRow& r) {
  bind_text(s, 1, r.comment_id);
  bind_text(s, 2, r.link_id);
  bind_text(s, 3, r.advertiser_id);
  bind_text(s, 4, r.ad_id);
  bind_text(s, 5, r.adgroup_id);
  bind_text(s, 6, r.item_id);
  bind_text(s, 7, r.parent_id);
  bind_text(s, 8, r.author);
  bind_text(s, 9, r.text);
  sqlite3_bind_int64(s, 10, r.created_at);
  sqlite3_bind_int64(s, 11, r.hidden);
  sqlite3_bind_int64(s, 12, r.own);
  bind_text(s, 13, r.replied_by);
  sqlite3_bind_int64(s, 14, r.hit_blockedword);
  bind_text(s, 15, r.keyword);
  sqlite3_bind_int64(s, 16, r.ingested_at);
}

struct ReferenceReport {
  double seconds = 0;
  double cpu_seconds = 0;
  std::int64_t inserted = 0;
  std::int64_t db_bytes = 0, wal_bytes = 0;
};

// The floor for the daemon's storage work: the same rows, table, pragmas and
// transaction size, with nothing else around them.
ReferenceReport reference_insert(const std::vector<CommentRow>& rows, const std::string& path) {
  {  // the daemon's own schema (every migration), not a copy of it
    auto schema = store::sqlite::Database::open(path);
    if (!schema || !store::migrate(*schema))
      throw std::runtime_error("cannot create the reference database " + path);
  }
  auto db = open_db(path, SQLITE_OPEN_READWRITE);
  exec(db.get(), "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
  auto insert = prepare(db.get(), kInsertSql);
  ReferenceReport r;
  const double cpu_before = thread_cpu_seconds();
  const auto start = SteadyClock::now();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i % kPageSize == 0) exec(db.get(), "BEGIN IMMEDIATE");
    bind_row(insert.get(), rows[i]);
    check(sqlite3_step(insert.get()), db.get(), "insert");
    r.inserted += sqlite3_changes(db.get());
    sqlite3_reset(insert.get());
    if (i % kPageSize == kPageSize - 1 || i + 1 == rows.size()) exec(db.get(), "COMMIT");
  }
  r.seconds = seconds_since(start);
  r.cpu_seconds = thread_cpu_seconds() - cpu_before;
  r.db_bytes = file_bytes(path);
  r.wal_bytes = file_bytes(path + "-wal");
  return r;
}

// ---- the sandbox alone: the pages of one ad group with a plain client

std::string utc_date(std::time_t t) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// The query the daemon sends (core/tiktok/comments.cpp), over a window that
// holds every generated comment (28 days back to tomorrow: 30 dates, the
// most upstream lists at once).
std::string comment_page_url(test::SandboxProcess& sandbox, const std::string& advertiser_id,
                             const std::string& adgroup_id, int page) {
  const std::time_t now = std::time(nullptr);
  return sandbox.api("/comment/list/?advertiser_id=" + advertiser_id +
                     "&search_field=ADGROUP_ID&search_value=" + adgroup_id + "&start_time=" +
                     utc_date(now - 28 * 86400) + "&end_time=" + utc_date(now + 86400) +
                     "&comment_type=%5B%22ALL%22%5D&comment_status=%5B%22ALL%22%5D"
                     "&sort_field=CREATE_TIME&sort_type=ASC&page=" +
                     std::to_string(page) + "&page_size=" + std::to_string(kPageSize));
}

struct FetchReport {
  int pages = 0;
  std::int64_t comments = 0;
  double seconds = 0;
  double sandbox_cpu = 0;
};

FetchReport fetch_adgroup(test::SandboxProcess& sandbox, const std::string& token,
                          const std::string& advertiser_id, const std::string& adgroup_id) {
  test::HttpClient http(test::HttpOptions{"", std::chrono::milliseconds(120'000)});
  FetchReport f;
  const double cpu_before = cpu_seconds(sandbox.process().pid()).value_or(0);
  const auto start = SteadyClock::now();
  for (std::size_t got = kPageSize; got == kPageSize;) {
    auto r = http.get(comment_page_url(sandbox, advertiser_id, adgroup_id, f.pages + 1),
                      {{"Access-Token", token}});
    if (!r || r->status != 200) throw std::runtime_error("plain /comment/list/ fetch failed");
    auto body = json::parse(r->body).as_object();
    if (body.at("code").to_number<int>() != 0)
      throw std::runtime_error("plain /comment/list/ fetch: " + r->body.substr(0, 200));
    got = body.at("data").at("comments").as_array().size();
    f.comments += static_cast<std::int64_t>(got);
    ++f.pages;
  }
  f.seconds = seconds_since(start);
  f.sandbox_cpu = cpu_seconds(sandbox.process().pid()).value_or(0) - cpu_before;
  return f;
}

std::string advertiser_token_of(const json::array& tokens, const std::string& advertiser_id) {
  for (const auto& t : tokens)
    if (t.at("advertiser_id").as_string() == advertiser_id)
      return std::string(t.at("advertiser_token").as_string());
  throw std::runtime_error("no generated token for advertiser " + advertiser_id);
}

// Per page, and extrapolated to the /comment/list/ pages the daemon read:
// the time any client must wait for the sandbox, whatever it does with the
// answers.
json::object sandbox_alone(test::SandboxProcess& sandbox, const json::array& tokens,
                           const CommentRow& first, std::int64_t daemon_pages) {
  auto f = fetch_adgroup(sandbox, advertiser_token_of(tokens, first.advertiser_id),
                         first.advertiser_id, first.adgroup_id);
  const double per_page = f.seconds / f.pages;
  return {{"adgroup_id", first.adgroup_id},
          {"pages", f.pages},
          {"comments", f.comments},
          {"seconds", f.seconds},
          {"ms_per_page", 1000 * per_page},
          {"sandbox_cpu_ms_per_page", 1000 * f.sandbox_cpu / f.pages},
          {"daemon_comment_list_pages", daemon_pages},
          {"estimated_seconds_for_those_pages", per_page * static_cast<double>(daemon_pages)}};
}

// ---- the run

int link_count(const Args& a) {
  if (a.links > 0) return a.links;
  return static_cast<int>(std::max<std::int64_t>(1, (a.comments + a.per_link - 1) / a.per_link));
}

std::int64_t count_or_zero(const json::object& counts, std::string_view key) {
  const auto* v = counts.if_contains(key);
  return v ? v->to_number<std::int64_t>() : 0;
}

// What the daemon and its sqlite file look like around the ingestion.
struct DaemonFootprint {
  long rss_kib_empty = 0, rss_kib_before = 0, rss_kib_after = 0;
  std::int64_t db_bytes = 0, wal_bytes = 0;
};

json::object ingestion_json(const IngestTotals& t, const PhaseCost& cost, const json::array& log,
                            const DaemonFootprint& f, std::int64_t expected) {
  auto o = cost_json(cost);
  const auto comments = static_cast<double>(std::max<std::int64_t>(1, t.new_comments));
  o["expected_comments"] = expected;
  o["new_comments"] = t.new_comments;
  o["all_ingested"] = t.new_comments == expected;
  o["comments_per_second"] = static_cast<double>(t.new_comments) / cost.seconds;
  o["daemon_cpu_us_per_comment"] = 1e6 * cost.daemon_cpu / comments;
  // The daemon waits while the sandbox answers (each side is one thread):
  // wall minus the sandbox's CPU estimates the daemon's own share.
  o["sandbox_share_of_wall"] = cost.sandbox_cpu / cost.seconds;
  o["seconds_without_sandbox"] = cost.seconds - cost.sandbox_cpu;
  o["spark_sync_calls"] = t.calls;
  o["max_calls_per_link"] = t.max_calls_per_link;
  o["comment_page_requests"] = t.page_requests;
  o["requests_logged"] = log.size();
  o["requests_by_path"] = requests_by_path(log);
  const std::size_t tenth = std::max<std::size_t>(1, t.call_costs.size() / 10);
  o["ms_per_page_first_tenth_of_calls"] = ms_per_page(t, 0, tenth);
  o["ms_per_page_last_tenth_of_calls"] =
      ms_per_page(t, t.call_costs.size() - tenth, t.call_costs.size());
  o["rss_kib_empty"] = f.rss_kib_empty;
  o["rss_kib_before"] = f.rss_kib_before;
  o["rss_kib_after"] = f.rss_kib_after;
  o["db_bytes"] = f.db_bytes;
  o["wal_bytes"] = f.wal_bytes;
  o["db_bytes_per_comment"] = static_cast<double>(f.db_bytes) / comments;
  return o;
}

json::object reference_json(const ReferenceReport& r, std::size_t rows) {
  return {{"rows", rows},
          {"inserted", r.inserted},
          {"seconds", r.seconds},
          {"cpu_seconds", r.cpu_seconds},
          {"rows_per_second", static_cast<double>(r.inserted) / r.seconds},
          {"db_bytes", r.db_bytes},
          {"wal_bytes", r.wal_bytes}};
}

json::object run(const Args& args) {
  const int links = link_count(args);
  json::object out{{"comments", args.comments}, {"links", links}};
  std::cerr << "starting the sandbox; generating " << links << " links and " << args.comments
            << " comments\n";
  auto sandbox = test::SandboxProcess::start({"--seed", "7"});
  // Started before the world is generated: the fixture reads the app's
  // credentials from GET /_sandbox/world, which would carry every comment
  // (too big for its client at 1,000,000). generate keeps the app.
  test::DaemonOptions options;
  // Neither the link scheduler nor the background comment poller may run
  // during the phases: only spark.sync reads comments.
  options.extra_toml =
      "[poll]\nstatus_interval = \"1d\"\ncomments_interval = \"1d\"\nmax_qps = 0\n";
  auto daemon = test::DaemonProcess::start(*sandbox, options);
  const pid_t pid = daemon->process().pid();
  auto generated = sandbox->control("POST", "/generate",
                                    json::object{{"links", links},
                                                 {"comments", args.comments},
                                                 {"posts_per_advertiser", 2},
                                                 {"issue_tokens", true}});
  // generate replaces the world: these are all the comments there are.
  const auto expected = generated.at("comments").to_number<std::int64_t>();
  const auto& tokens = generated.at("tokens").as_array();

  DaemonFootprint footprint;
  footprint.rss_kib_empty = rss_kib(pid).value_or(0);

  std::cerr << "linking " << links << " accounts through the authorization flow\n";
  auto linking = link_all(*sandbox, *daemon, generated_links(tokens), args.link_workers);
  if (linking.failed) throw std::runtime_error("linking failed: " + linking.first_error);
  const auto link_ids = wait_for_active_links(*daemon, static_cast<std::size_t>(links));
  out["linking_seconds"] = linking.seconds;

  // A client of its own: one spark.sync reads up to 200 pages per ad group,
  // longer than the fixture's 30 s timeout when the sandbox is slow.
  auto control =
      rpc::Client::connect(daemon->socket_path(), std::chrono::seconds(args.sync_timeout_s));
  if (!control) throw std::runtime_error("control socket: " + control.error().message);

  std::cerr << "ingesting " << expected << " comments with spark.sync\n";
  footprint.rss_kib_before = rss_kib(pid).value_or(0);
  PhaseMeter ingest_meter(*sandbox, pid);
  const auto totals = ingest_all(*control, link_ids,
                                 SteadyClock::now() + std::chrono::seconds(args.sync_timeout_s));
  const auto ingest = ingest_meter.stop();
  // Read now: the next phase's calls must not mix in.
  const auto ingest_log = request_log(*sandbox, ingest_meter.first_request());
  footprint.rss_kib_after = rss_kib(pid).value_or(0);
  footprint.db_bytes = file_bytes(daemon->db_path());
  footprint.wal_bytes = file_bytes(daemon->db_path() + "-wal");
  out["ingestion"] = ingestion_json(totals, ingest, ingest_log, footprint, expected);
  if (!args.request_log_file.empty()) write_request_log(ingest_log, args.request_log_file);

  std::cerr << "incremental: " << args.syncs << " spark.sync calls with nothing new\n";
  out["incremental"] = incremental_polls(*control, link_ids, args.syncs, *sandbox, pid);

  std::cerr << "reference: the same rows with a plain sqlite loop\n";
  std::vector<CommentRow> rows;
  {
    auto daemon_db = open_db(daemon->db_path(), SQLITE_OPEN_READONLY);
    rows = read_daemon_rows(daemon_db.get());
  }
  test::TempDir scratch;
  const auto ref = reference_insert(rows, scratch.file("reference.db"));
  out["reference"] = reference_json(ref, rows.size());
  out["ratio_wall"] = ingest.seconds / ref.seconds;
  out["ratio_wall_without_sandbox"] = (ingest.seconds - ingest.sandbox_cpu) / ref.seconds;
  out["ratio_cpu"] = ingest.daemon_cpu / ref.cpu_seconds;

  // A row read through the Marketing API (rows of own posts come through the
  // Accounts API alone since the backfill reads them once).
  const auto marketing = std::find_if(rows.begin(), rows.end(),
                                      [](const CommentRow& r) { return !r.adgroup_id.empty(); });
  if (!args.skip_fetch && marketing != rows.end()) {
    std::cerr << "sandbox alone: one ad group's pages with a plain HTTP client\n";
    const auto pages =
        count_or_zero(out["ingestion"].at("requests_by_path").as_object(), "/comment/list/");
    out["sandbox_alone"] = sandbox_alone(*sandbox, tokens, *marketing, pages);
  }
  return out;
}

void print_summary(const json::object& r) {
  auto num = [](const json::value& v) { return v.to_number<double>(); };
  const auto& in = r.at("ingestion").as_object();
  const auto& inc = r.at("incremental").as_object();
  const auto& ref = r.at("reference").as_object();
  std::fprintf(stderr, "\n== ttlink-comment-bench: %.0f comments on %.0f links ==\n",
               num(r.at("comments")), num(r.at("links")));
  std::fprintf(stderr,
               "ingestion:     %.1f s, %.0f comments/s (%s), %.0f spark.sync calls, %.0f upstream "
               "requests\n",
               num(in.at("seconds")), num(in.at("comments_per_second")),
               in.at("all_ingested").as_bool() ? "all" : "NOT ALL", num(in.at("spark_sync_calls")),
               num(in.at("upstream_requests")));
  std::fprintf(stderr,
               "  CPU:         daemon %.1f s (%.1f us per comment), sandbox %.1f s (%.0f %% of "
               "wall)\n",
               num(in.at("daemon_cpu_seconds")), num(in.at("daemon_cpu_us_per_comment")),
               num(in.at("sandbox_cpu_seconds")), 100 * num(in.at("sandbox_share_of_wall")));
  std::fprintf(stderr, "  per page:    %.1f ms in the first tenth of calls, %.1f ms in the last\n",
               num(in.at("ms_per_page_first_tenth_of_calls")),
               num(in.at("ms_per_page_last_tenth_of_calls")));
  std::fprintf(stderr, "  RSS:         %.0f -> %.0f KiB; sqlite file %.1f MiB (+ WAL %.1f MiB)\n",
               num(in.at("rss_kib_before")), num(in.at("rss_kib_after")),
               num(in.at("db_bytes")) / 1048576, num(in.at("wal_bytes")) / 1048576);
  std::fprintf(stderr, "reference:     %.1f s, %.0f rows/s, CPU %.1f s (plain sqlite, same rows)\n",
               num(ref.at("seconds")), num(ref.at("rows_per_second")), num(ref.at("cpu_seconds")));
  std::fprintf(stderr,
               "ratio:         wall %.2f (%.2f without the sandbox's CPU), CPU %.2f (daemon / "
               "reference)\n",
               num(r.at("ratio_wall")), num(r.at("ratio_wall_without_sandbox")),
               num(r.at("ratio_cpu")));
  std::fprintf(stderr,
               "poll, no news: %.1f ms per call (max %.1f), %.1f ms daemon CPU, %.1f upstream "
               "requests\n",
               num(inc.at("mean_ms_per_call")), num(inc.at("max_ms_per_call")),
               num(inc.at("daemon_cpu_ms_per_call")), num(inc.at("upstream_requests_per_call")));
  if (const auto* alone = r.if_contains("sandbox_alone"))
    std::fprintf(stderr,
                 "sandbox alone: %.1f ms per /comment/list/ page (plain client), ~%.1f s for the "
                 "daemon's %.0f\n",
                 num(alone->at("ms_per_page")), num(alone->at("estimated_seconds_for_those_pages")),
                 num(alone->at("daemon_comment_list_pages")));
}

}  // namespace
}  // namespace ttlink::bench

int main(int argc, char** argv) {
  ttlink::bench::Args args;
  bool quick = false;
  CLI::App app{"ttlink-comment-bench: ttlinkd ingesting Spark Ads comments from ttlink-sandbox"};
  app.add_option("--comments", args.comments, "comments to generate and ingest")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{20'000'000}));
  app.add_flag("--quick", quick, "20,000 comments");
  app.add_option("--per-link", args.per_link, "comments per linked account (sets the link count)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{20'000'000}));
  app.add_option("--links", args.links, "linked accounts (overrides --per-link)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--syncs", args.syncs, "spark.sync calls in the nothing-changed phase")
      ->check(CLI::Range(1, 10000));
  app.add_option("--link-workers", args.link_workers, "concurrent linking flows")
      ->check(CLI::Range(1, 64));
  app.add_option("--sync-timeout", args.sync_timeout_s, "seconds for the whole ingestion");
  app.add_flag("--skip-fetch", args.skip_fetch, "do not time the sandbox with a plain client");
  app.add_option("--request-log", args.request_log_file,
                 "write the sandbox's request log of the ingestion to this file (JSON lines)");
  CLI11_PARSE(app, argc, argv);
  if (quick) args.comments = 20'000;
  try {
    auto result = ttlink::bench::run(args);
    std::cout << boost::json::serialize(result) << std::endl;
    ttlink::bench::print_summary(result);
    const bool complete =
        result.at("ingestion").at("all_ingested").as_bool() &&
        result.at("reference").at("rows").to_number<std::int64_t>() ==
            result.at("ingestion").at("expected_comments").to_number<std::int64_t>();
    if (!complete) std::cerr << "ttlink-comment-bench: the daemon did not ingest every comment\n";
    return complete ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "ttlink-comment-bench: " << e.what() << "\n";
    return 1;
  }
}

#include "core/spark/spark_methods.hpp"

#include "core/util/time.hpp"

namespace ttlink::spark {

namespace json = boost::json;
using boost::asio::awaitable;
using rpc::invalid_params;
using rpc::MethodError;
using rpc::MethodResult;
using rpc::Peer;

namespace {

constexpr int kMaxListed = 1000;

json::value time_or_null(const std::optional<TimePoint>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

json::object comment_json(const store::CommentRecord& c) {
  return {{"id", c.comment_id},
          {"link_id", c.link_id},
          {"ad_id", c.ad_id},
          {"item_id", c.item_id},
          {"parent_id", c.parent_id.empty() ? json::value(nullptr) : json::value(c.parent_id)},
          {"author", c.author},
          {"text", c.text},
          {"created_at", format_rfc3339(c.created_at)},
          {"status", comment_status(c)},
          {"replied", !c.replied_by.empty()},
          {"replied_by", c.replied_by.empty() ? json::value(nullptr) : json::value(c.replied_by)},
          {"own", c.own},
          {"keyword", c.keyword.empty() ? json::value(nullptr) : json::value(c.keyword)},
          {"hit_blockedword", c.hit_blockedword}};
}

Result<std::string> comment_id_param(const json::object& params) {
  auto id = rpc::require_string(params, "id");
  if (!id) return id.error();
  if (id->empty() || id->size() > 32 || id->find_first_not_of("0123456789") != std::string::npos)
    return Error::invalid("id must be a comment id (digits), got \"" + id->substr(0, 40) + "\"");
  return id;
}

// `since`: an RFC 3339 time, or a duration meaning that long ago ("2h").
Result<std::optional<TimePoint>> since_param(const json::object& params, TimePoint now) {
  auto text = rpc::optional_string(params, "since");
  if (!text || text->empty()) return std::optional<TimePoint>();
  if (auto t = parse_rfc3339(*text)) return std::optional<TimePoint>(*t);
  if (auto d = parse_duration(*text)) return std::optional<TimePoint>(now - *d);
  return Error::invalid(
      "since must be an RFC 3339 time (2026-11-24T10:00:00Z) or a duration "
      "(2h, 7d), got \"" +
      text->substr(0, 40) + "\"");
}

Result<store::CommentQuery> comment_query(const json::object& params, TimePoint now) {
  store::CommentQuery q;
  q.limit = 100;
  if (auto link = rpc::optional_string(params, "link_id")) q.link_id = *link;
  auto since = since_param(params, now);
  if (!since) return since.error();
  q.since = *since;
  if (auto status = rpc::optional_string(params, "status")) {
    if (*status != "new" && *status != "replied" && *status != "hidden" && !status->empty())
      return Error::invalid("status must be new, replied or hidden, got \"" +
                            status->substr(0, 40) + "\"");
    q.status = *status;
  }
  if (auto search = rpc::optional_string(params, "search")) q.search = *search;
  if (const auto* limit = params.if_contains("limit")) {
    if (!limit->is_int64() || limit->as_int64() < 1 || limit->as_int64() > kMaxListed)
      return Error::invalid("limit must be an integer from 1 to " + std::to_string(kMaxListed));
    q.limit = static_cast<int>(limit->as_int64());
  }
  return q;
}

awaitable<MethodResult> list_posts(SparkService& s, const json::object& params) {
  const auto* expiring = params.if_contains("expiring");
  const bool only_expiring = expiring && expiring->is_bool() && expiring->get_bool();
  auto posts = s.posts_with_links();
  if (!posts) co_return rpc::to_method_error(posts.error());
  const TimePoint now = s.now();
  const Seconds warn = s.config().refresh.warn_post_auth_before;
  json::array out;
  for (const auto& o : *posts) {
    const std::string state = post_state(o.post, now, warn);
    if (only_expiring && state != "EXPIRING" && state != "EXPIRED") continue;
    out.push_back(json::object{{"item_id", o.post.item_id},
                               {"advertiser_id", o.post.advertiser_id},
                               {"link_id", o.link_id},
                               {"identity", o.post.tiktok_name},
                               {"text", o.post.text},
                               {"auth_code_status", o.post.auth_code_status},
                               {"auth_end_time", time_or_null(o.post.auth_end_time)},
                               {"state", state}});
  }
  co_return json::value(json::object{{"posts", std::move(out)}});
}

awaitable<MethodResult> list_comments(SparkService& s, const json::object& params) {
  auto q = comment_query(params, s.now());
  if (!q) co_return invalid_params(q.error().message);
  auto rows = s.store().spark().list_comments(*q);
  if (!rows) co_return rpc::to_method_error(rows.error());
  json::array out;
  for (const auto& c : *rows) out.push_back(comment_json(c));
  co_return json::value(json::object{{"comments", std::move(out)}});
}

json::value action_json(const ActionResult& r) {
  json::object o{{"comment", comment_json(r.comment)}};
  if (!r.reply_id.empty()) o["reply_id"] = r.reply_id;
  return o;
}

awaitable<MethodResult> reply(SparkService& s, const json::object& params, const Peer& peer) {
  auto id = comment_id_param(params);
  if (!id) co_return invalid_params(id.error().message);
  auto text = rpc::require_string(params, "text");
  if (!text) co_return invalid_params(text.error().message);
  if (text->empty()) co_return invalid_params("text must not be empty");
  // Named: GCC 12 destroys braced temporaries in a co_await expression twice.
  const store::Actor actor{peer.describe()};
  auto done = co_await s.reply(*id, *text, actor);
  if (!done) co_return rpc::to_method_error(done.error());
  co_return action_json(*done);
}

awaitable<MethodResult> hide(SparkService& s, const json::object& params, const Peer& peer,
                             bool hidden) {
  auto id = comment_id_param(params);
  if (!id) co_return invalid_params(id.error().message);
  const store::Actor actor{peer.describe()};
  auto done = co_await s.set_hidden(*id, hidden, actor);
  if (!done) co_return rpc::to_method_error(done.error());
  co_return action_json(*done);
}

awaitable<MethodResult> sync(SparkService& s, const json::object& params) {
  auto id = rpc::require_string(params, "id");
  if (!id) co_return invalid_params(id.error().message);
  auto report = co_await s.sync_link(*id);
  if (!report) co_return rpc::to_method_error(report.error());
  if (auto r = s.evaluate_alerts(); !r) co_return rpc::to_method_error(r.error());
  co_return json::value(json::object{
      {"posts", report->posts},
      {"adgroups", report->adgroups},
      {"videos", report->videos},
      {"sources_failed", report->sources_failed},
      {"requests", report->comments.requests},
      {"new_comments", report->comments.new_comments},
      {"more", report->comments.more},
      {"paid_rows", report->paid_rows ? json::value(*report->paid_rows) : json::value(nullptr)}});
}

}  // namespace

std::string post_state(const store::PostRecord& p, TimePoint now, Seconds warn) {
  if (p.auth_code_status == "EXPIRED") return "EXPIRED";
  if (p.auth_code_status != "IN_USE") return p.auth_code_status;
  if (p.auth_end_time && *p.auth_end_time <= now) return "EXPIRED";
  if (p.auth_end_time && *p.auth_end_time <= now + warn) return "EXPIRING";
  return "ACTIVE";
}

std::string comment_status(const store::CommentRecord& c) {
  if (c.hidden) return "hidden";
  if (!c.replied_by.empty()) return "replied";
  return "new";
}

namespace {
// "2h 5m", "7m", "40s": how late, for a person (format_duration is exact).
std::string rough_duration(Seconds d) {
  const long long s = d.count();
  if (s >= 3600) return std::to_string(s / 3600) + "h " + std::to_string(s % 3600 / 60) + "m";
  if (s >= 60) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}
}  // namespace

json::object comments_status(const SparkPoller& poller) {
  const Seconds late = poller.late();
  const std::string why = poller.waiting_for();
  std::string message;
  if (late > Seconds{0})
    message = "comment polling is " + rough_duration(late) + " behind its " +
              format_duration(poller.interval()) + " interval: " +
              (why.empty() ? "a round of every link takes longer than that; raise poll.max_qps "
                             "(when set) or poll.comments_interval"
                           : why);
  return {{"interval_seconds", poller.interval().count()},
          {"late_seconds", late.count()},
          {"waiting_for", why},
          {"message", message}};
}

void register_spark_methods(rpc::Registry& r, SparkService& s) {
  r.add("posts.list", "Spark Ads posts and their authorization (params: expiring)",
        [&s](const json::object& p, const Peer&) { return list_posts(s, p); });
  r.add("comments.list",
        "comments on promoted videos, newest first (params: link_id, since, status, search, "
        "limit)",
        [&s](const json::object& p, const Peer&) { return list_comments(s, p); });
  r.add("comment.reply", "reply to a comment as the link's identity (params: id, text)",
        [&s](const json::object& p, const Peer& peer) { return reply(s, p, peer); });
  r.add("comment.hide", "hide a comment (params: id)",
        [&s](const json::object& p, const Peer& peer) { return hide(s, p, peer, true); });
  r.add("comment.unhide", "make a hidden comment public again (params: id)",
        [&s](const json::object& p, const Peer& peer) { return hide(s, p, peer, false); });
  r.add("spark.sync", "sync a link's posts and comments now (params: id)",
        [&s](const json::object& p, const Peer&) { return sync(s, p); });
}

}  // namespace ttlink::spark

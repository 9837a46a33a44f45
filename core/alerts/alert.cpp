#include "core/alerts/alert.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/util/random.hpp"

namespace ttlink::alerts {
namespace json = boost::json;

namespace {

json::value time_or_null(const std::optional<TimePoint>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

json::object post_json(const PostFacts& p) {
  return {{"item_id", p.item_id},
          {"advertiser_id", p.advertiser_id},
          {"auth_code_status", p.auth_code_status},
          {"auth_end_time", time_or_null(p.auth_end_time)},
          {"tiktok_name", p.tiktok_name}};
}

json::object comments_json(const CommentFacts& c) {
  return {{"item_id", c.item_id}, {"count", c.count}, {"oldest", format_rfc3339(c.oldest)}};
}

// Reading the payload back: members are what to_json wrote, so a missing or
// mistyped one means a damaged row.
class Reader {
 public:
  explicit Reader(const json::object& o) : o_(o) {}
  std::string text(std::string_view key) {
    const auto* v = o_.if_contains(key);
    if (v && v->is_string()) return std::string(v->get_string());
    if (!v || !v->is_null()) ok_ = false;
    return {};
  }
  // A member to_json writes only when it has a value.
  std::string optional_text(std::string_view key) {
    return o_.if_contains(key) ? text(key) : std::string();
  }
  std::optional<TimePoint> time(std::string_view key) {
    const auto* v = o_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    auto t = v->is_string() ? parse_rfc3339(v->get_string()) : std::nullopt;
    if (!t) ok_ = false;
    return t;
  }
  std::int64_t integer(std::string_view key) {
    const auto* v = o_.if_contains(key);
    if (v && v->is_int64()) return v->get_int64();
    ok_ = false;
    return 0;
  }
  const json::object* object(std::string_view key) {
    const auto* v = o_.if_contains(key);
    return v && v->is_object() ? &v->get_object() : nullptr;
  }
  bool ok() const { return ok_; }
  void fail() { ok_ = false; }

 private:
  const json::object& o_;
  bool ok_ = true;
};

LinkFacts read_link(const json::object& o, bool& ok) {
  Reader r(o);
  LinkFacts f{r.text("id"), r.text("advertiser_id"), r.text("advertiser_name"), r.text("account"),
              r.text("open_id")};
  ok = ok && r.ok();
  return f;
}

}  // namespace

std::string fingerprint(AlertKind kind, std::string_view subject) {
  return std::string(to_string(kind)) + "/" + std::string(subject);
}

std::string Alert::fingerprint() const {
  return alerts::fingerprint(kind, subject);
}

std::string new_alert_id(TimePoint now) {
  static constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  auto ms = static_cast<std::uint64_t>(to_unix(now)) * 1000u;
  std::string id(10, '0');
  for (int i = 9; i >= 0; --i, ms >>= 5) id[static_cast<std::size_t>(i)] = kAlphabet[ms & 31u];
  const std::string random = random_hex(16);
  for (std::size_t i = 0; i < 16; ++i)
    id.push_back(
        kAlphabet[static_cast<std::size_t>(std::stoi(random.substr(i * 2, 2), nullptr, 16) & 31)]);
  return id;
}

json::object to_json(const Alert& a) {
  json::object reason{{"code", a.reason.code}, {"message", a.reason.message}};
  if (!a.reason.request_id.empty()) reason["request_id"] = a.reason.request_id;
  json::object payload{
      {"id", a.id},
      {"fingerprint", a.fingerprint()},
      {"kind", to_string(a.kind)},
      {"status", to_string(a.status)},
      {"severity", to_string(a.severity)},
      {"since", format_rfc3339(a.since)},
      {"link",
       {{"id", a.link.id},
        {"advertiser_id", a.link.advertiser_id},
        {"advertiser_name", a.link.advertiser_name},
        {"account", a.link.account},
        {"open_id", a.link.open_id}}},
      {"reason", std::move(reason)},
      {"action",
       {{"text", a.action.text},
        {"url", a.action.url ? json::value(*a.action.url) : json::value(nullptr)}}},
      {"ctl", a.ctl}};
  if (a.resolved_at) payload["resolved_at"] = format_rfc3339(*a.resolved_at);
  if (a.post) payload["post"] = post_json(*a.post);
  if (a.comments) payload["comments"] = comments_json(*a.comments);
  return payload;
}

std::string to_json_text(const Alert& a) {
  return json::serialize(to_json(a));
}

Result<Alert> alert_from_json(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return Error::storage("stored alert is not a JSON object");
  const auto& o = v.get_object();
  Reader r(o);
  Alert a;
  a.id = r.text("id");
  auto kind = parse_alert_kind(r.text("kind"));
  auto severity = parse_severity(r.text("severity"));
  auto status = parse_alert_status(r.text("status"));
  if (!kind || !severity || !status) r.fail();
  a.kind = kind.value_or(AlertKind::kTest);
  a.severity = severity.value_or(Severity::kWarning);
  a.status = status.value_or(AlertStatus::kFiring);
  const std::string fp = r.text("fingerprint");
  const std::string prefix = std::string(to_string(a.kind)) + "/";
  if (fp.rfind(prefix, 0) != 0) r.fail();
  a.subject = fp.substr(std::min(prefix.size(), fp.size()));
  a.since = r.time("since").value_or(TimePoint{});
  a.resolved_at = r.time("resolved_at");
  a.ctl = r.text("ctl");
  bool ok = r.ok();
  if (const auto* link = r.object("link")) a.link = read_link(*link, ok);
  if (const auto* reason = r.object("reason")) {
    Reader rr(*reason);
    a.reason = {static_cast<long>(rr.integer("code")), rr.text("message"),
                rr.optional_text("request_id")};
    ok = ok && rr.ok();
  }
  if (const auto* action = r.object("action")) {
    Reader ar(*action);
    a.action.text = ar.text("text");
    if (auto url = ar.text("url"); !url.empty()) a.action.url = url;
    ok = ok && ar.ok();
  }
  if (const auto* post = r.object("post")) {
    Reader pr(*post);
    a.post = PostFacts{pr.text("item_id"), pr.text("advertiser_id"), pr.text("auth_code_status"),
                       pr.time("auth_end_time"), pr.text("tiktok_name")};
    ok = ok && pr.ok();
  }
  if (const auto* comments = r.object("comments")) {
    Reader cr(*comments);
    a.comments = CommentFacts{cr.text("item_id"), cr.integer("count"),
                              cr.time("oldest").value_or(TimePoint{})};
    ok = ok && cr.ok();
  }
  if (!ok || !r.ok()) return Error::storage("stored alert " + a.id + " is damaged");
  return a;
}

}  // namespace ttlink::alerts

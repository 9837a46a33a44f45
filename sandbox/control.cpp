// The control API under /_sandbox/: tests and demos shape the world here.
// Errors are HTTP 400 with {"error": "message naming the field"}.
#include <charconv>
#include <functional>
#include <map>

#include "posts.hpp"
#include "sandbox_state.hpp"
#include "tokens.hpp"

namespace sandbox {
namespace {

using ControlHandler = std::function<HttpReply(SandboxState&, const HttpRequest&)>;

std::optional<json::object> body_object(const HttpRequest& req, std::string* error) {
  if (req.body.empty()) return json::object{};
  boost::system::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec || !v.is_object()) {
    *error = "body must be a JSON object";
    return std::nullopt;
  }
  return std::move(v.get_object());
}

HttpReply ok(const json::value& v) {
  return json_reply(200, v);
}

HttpReply get_world(SandboxState& s, const HttpRequest& req) {
  auto it = req.query.find("comments");
  bool with_comments = it == req.query.end() || it->second != "false";
  return ok(world_to_json(s.world, with_comments));
}

HttpReply put_world(SandboxState& s, const json::object& body) {
  if (auto e = world_from_json(s.world, body); !e.empty()) return control_error(e);
  return ok(json::object{{"ok", true}});
}

// POST /_sandbox/<kind>: merge one object into its table.
HttpReply upsert(Table& table, const json::object& body, const json::object& defaults,
                 const std::vector<std::string>& required) {
  for (const auto& k : required)
    if (!body.contains(k) || !body.at(k).is_string() || body.at(k).get_string().empty())
      return control_error(k + " is required and must be a non-empty string");
  for (const auto& k : table.key_fields())
    if (!body.contains(k) || !body.at(k).is_string())
      return control_error(k + " is required and must be a string");
  return ok(table.upsert(body, defaults));
}

// `"repeat": N` adds N comments like this one ("{i}" in the text becomes
// 1..N), for tests and demos that need many.
HttpReply add_comments(SandboxState& s, json::object body) {
  const auto* repeat = body.if_contains("repeat");
  if (!repeat->is_int64() || repeat->as_int64() < 1 || repeat->as_int64() > 1'000'000)
    return control_error("repeat must be an integer from 1 to 1000000");
  const auto n = repeat->as_int64();
  body.erase("repeat");
  if (!body.contains("create_time")) body["create_time"] = s.world.now();
  if (body.contains("comment_id")) return control_error("comment_id cannot be repeated");
  const std::string text = str_field(body, "text");
  json::array ids;
  for (std::int64_t i = 1; i <= n; ++i) {
    std::string t = text;
    if (auto at = t.find("{i}"); at != std::string::npos) t.replace(at, 3, std::to_string(i));
    body["text"] = t;
    std::string error;
    auto comment = comment_from_json(s.world.comments, body, &error);
    if (!comment) return control_error(error);
    ids.emplace_back(s.world.comments.at(s.world.comments.add(std::move(*comment))).comment_id);
  }
  return ok(json::object{{"added", n}, {"comment_ids", std::move(ids)}});
}

HttpReply add_comment(SandboxState& s, json::object body) {
  std::string error;
  if (body.contains("repeat")) return add_comments(s, std::move(body));
  if (!body.contains("create_time")) body["create_time"] = s.world.now();
  auto comment = comment_from_json(s.world.comments, body, &error);
  if (!comment) return control_error(error);
  if (!comment->comment_id.empty() && s.world.comments.find(comment->comment_id))
    return control_error("comment_id already exists");
  if (!comment->parent_id.empty()) {
    auto parent = s.world.comments.find(comment->parent_id);
    if (!parent) return control_error("parent_comment_id does not exist");
    ++s.world.comments.at(*parent).replies;
  }
  auto i = s.world.comments.add(std::move(*comment));
  return ok(comment_to_json(s.world.comments, s.world.comments.at(i)));
}

HttpReply set_login(SandboxState& s, const json::object& body) {
  if (auto e = login_from_json(s.world.login, body); !e.empty()) return control_error(e);
  return ok(login_to_json(s.world.login));  // not the whole world: O(1) per login
}

HttpReply revoke(SandboxState& s, const json::object& body) {
  auto adv = str_field(body, "advertiser_id");
  auto open_id = str_field(body, "open_id");
  auto token = str_field(body, "token");
  if (adv.empty() && open_id.empty() && token.empty())
    return control_error("one of advertiser_id, open_id or token is required");
  return ok(json::object{{"revoked", revoke_matching(s.world, adv, open_id, token)}});
}

HttpReply expire(SandboxState& s, const json::object& body) {
  auto open_id = str_field(body, "open_id");
  auto which = str_field(body, "which");
  if (open_id.empty()) return control_error("open_id is required");
  if (which != "access" && which != "refresh")
    return control_error("which must be \"access\" or \"refresh\"");
  auto kind = which == "access" ? TokenKind::kAccountAccess : TokenKind::kAccountRefresh;
  return ok(json::object{{"expired", expire_account_tokens(s.world, open_id, kind)}});
}

HttpReply advance_clock(SandboxState& s, const json::object& body) {
  auto* v = body.if_contains("seconds");
  if (v == nullptr || !v->is_int64()) return control_error("seconds must be an integer");
  s.world.clock_offset += v->get_int64();
  return ok(json::object{{"now", s.world.now()}, {"offset_seconds", s.world.clock_offset}});
}

HttpReply add_fault(SandboxState& s, const json::object& body) {
  int id = 0;
  if (auto e = s.faults.add(body, &id); !e.empty()) return control_error(e);
  return ok(json::object{{"fault_id", id}});
}

HttpReply set_qps(SandboxState& s, const json::object& body) {
  auto path = str_field(body, "path");
  auto* limit = body.if_contains("limit");
  if (path.empty()) return control_error("path is required");
  if (limit == nullptr || !limit->is_int64() || limit->get_int64() < 0)
    return control_error("limit must be a non-negative integer");
  s.qps.set(path, static_cast<int>(limit->get_int64()));
  return ok(json::object{{"qps", s.qps.to_json()}});
}

HttpReply requests_since(SandboxState& s, const HttpRequest& req) {
  std::uint64_t since = 0;
  if (auto it = req.query.find("since"); it != req.query.end()) {
    const auto& t = it->second;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), since);
    if (ec != std::errc() || p != t.data() + t.size())
      return control_error("since must be a sequence number");
  }
  return ok(s.log.since(since));
}

// A creator's post with a fresh authorization code valid `days` (1-365) on
// the sandbox clock.
HttpReply spark_code(SandboxState& s, const json::object& body) {
  auto* days = body.if_contains("days");
  if (days == nullptr || !days->is_int64() || days->get_int64() < 1 || days->get_int64() > 365)
    return control_error("days must be an integer from 1 to 365");
  auto* text = body.if_contains("text");
  if (text != nullptr && !text->is_string()) return control_error("text must be a string");
  auto code = create_spark_code(s.world, s.ids, days->get_int64(),
                                text ? std::string(text->get_string()) : "");
  return ok(json::object{{"auth_code", code.at("auth_code")},
                         {"item_id", code.at("item_id")},
                         {"identity_id", code.at("identity_id")},
                         {"open_id", code.at("open_id")},
                         {"user_name", code.at("user_name")},
                         {"auth_end_time", code.at("auth_end_time")}});
}

HttpReply generate(SandboxState& s, const json::object& body) {
  std::string error;
  auto out = generate_world(s, body, &error);
  if (!error.empty()) return control_error(error);
  return ok(out);
}

HttpReply save(SandboxState& s) {
  if (s.state_file.empty()) return control_error("no --state file was given");
  if (auto e = save_state(s.world, s.state_file); !e.empty()) return control_error(e);
  return ok(json::object{{"saved", s.state_file}});
}

// "METHOD /path" -> handler taking the JSON body.
using BodyHandler = std::function<HttpReply(SandboxState&, const json::object&)>;

const std::map<std::string, BodyHandler>& body_routes() {
  static const std::map<std::string, BodyHandler> routes = {
      {"PUT /_sandbox/world", put_world},
      {"POST /_sandbox/advertisers",
       [](SandboxState& s, const json::object& b) {
         return upsert(s.world.advertisers, b, advertiser_defaults(), {"advertiser_id"});
       }},
      {"POST /_sandbox/accounts",
       [](SandboxState& s, const json::object& b) {
         return upsert(s.world.accounts, b, account_defaults(), {"open_id"});
       }},
      {"POST /_sandbox/identities",
       [](SandboxState& s, const json::object& b) {
         auto type = str_field(b, "identity_type");
         return upsert(s.world.identities, b, identity_defaults(type.empty() ? "TT_USER" : type),
                       {"advertiser_id", "identity_id"});
       }},
      {"POST /_sandbox/posts",
       [](SandboxState& s, const json::object& b) {
         return upsert(s.world.posts, b, post_defaults(s.world.now()),
                       {"advertiser_id", "item_id"});
       }},
      {"POST /_sandbox/ads",
       [](SandboxState& s, const json::object& b) {
         return upsert(s.world.ads, b, ad_defaults(), {"advertiser_id", "ad_id"});
       }},
      {"POST /_sandbox/adgroups",
       [](SandboxState& s, const json::object& b) {
         return upsert(s.world.adgroups, b, adgroup_defaults(), {"advertiser_id", "adgroup_id"});
       }},
      {"POST /_sandbox/comments", add_comment},
      {"POST /_sandbox/login", set_login},
      {"POST /_sandbox/tokens/revoke", revoke},
      {"POST /_sandbox/tokens/expire", expire},
      {"POST /_sandbox/clock/advance", advance_clock},
      {"POST /_sandbox/faults", add_fault},
      {"POST /_sandbox/qps", set_qps},
      {"POST /_sandbox/generate", generate},
      {"POST /_sandbox/spark_codes", spark_code},
  };
  return routes;
}

const std::map<std::string, ControlHandler>& plain_routes() {
  static const std::map<std::string, ControlHandler> routes = {
      {"GET /_sandbox/world", get_world},
      {"GET /_sandbox/faults",
       [](SandboxState& s, const HttpRequest&) {
         return ok(json::object{{"faults", s.faults.to_json()}});
       }},
      {"DELETE /_sandbox/faults",
       [](SandboxState& s, const HttpRequest&) {
         s.faults.clear();
         return ok(json::object{{"ok", true}});
       }},
      {"GET /_sandbox/qps",
       [](SandboxState& s, const HttpRequest&) {
         return ok(json::object{{"qps", s.qps.to_json()}});
       }},
      {"GET /_sandbox/requests", requests_since},
      {"DELETE /_sandbox/requests",
       [](SandboxState& s, const HttpRequest&) {
         s.log.clear();
         return ok(json::object{{"ok", true}});
       }},
      {"POST /_sandbox/save", [](SandboxState& s, const HttpRequest&) { return save(s); }},
  };
  return routes;
}

bool path_known(const std::string& path) {
  auto suffix = " " + path;
  auto ends_with = [&](const std::string& key) {
    return key.size() >= suffix.size() &&
           key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  for (const auto& [key, h] : body_routes())
    if (ends_with(key)) return true;
  for (const auto& [key, h] : plain_routes())
    if (ends_with(key)) return true;
  return false;
}

}  // namespace

HttpReply handle_control(SandboxState& s, const HttpRequest& req) {
  auto path = req.path;
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  auto key = req.method + " " + path;
  if (auto it = plain_routes().find(key); it != plain_routes().end()) return it->second(s, req);
  if (auto it = body_routes().find(key); it != body_routes().end()) {
    std::string error;
    auto body = body_object(req, &error);
    if (!body) return control_error(error);
    return it->second(s, *body);
  }
  if (path_known(path)) return json_reply(405, json::object{{"error", "method not allowed"}});
  return json_reply(404, json::object{{"error", "no such control path: " + req.path}});
}

}  // namespace sandbox

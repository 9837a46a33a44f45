// The world's JSON form: what GET/PUT /_sandbox/world and --state read and
// write. Tokens and the app secret appear here on purpose: this is the
// sandbox's own state, handed to tests and demo scripts.
#include "world.hpp"

namespace sandbox {
namespace {

std::int64_t int_field(const json::object& o, std::string_view key, std::int64_t fallback) {
  auto it = o.find(key);
  if (it == o.end()) return fallback;
  if (it->value().is_int64()) return it->value().get_int64();
  if (it->value().is_uint64()) return static_cast<std::int64_t>(it->value().get_uint64());
  if (it->value().is_double()) return static_cast<std::int64_t>(it->value().get_double());
  return fallback;
}

json::array strings_to_json(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

bool strings_from_json(const json::value* v, std::vector<std::string>* out) {
  if (v == nullptr) return true;
  if (!v->is_array()) return false;
  for (const auto& e : v->get_array()) {
    if (!e.is_string()) return false;
    out->emplace_back(e.get_string());
  }
  return true;
}

// Each row is created over defaults_for(row): the fields a hand-written world
// leaves out.
template <class DefaultsFor>
std::string table_from_json(Table& t, const json::object& world, std::string_view name,
                            DefaultsFor defaults_for) {
  t.clear();
  auto it = world.find(name);
  if (it == world.end()) return "";
  if (!it->value().is_array()) return std::string(name) + " must be an array";
  for (const auto& row : it->value().get_array()) {
    if (!row.is_object()) return std::string(name) + " entries must be objects";
    for (const auto& k : t.key_fields())
      if (!row.get_object().contains(k) || !row.get_object().at(k).is_string())
        return std::string(name) + ": " + k + " must be a string";
    t.upsert(row.get_object(), defaults_for(row.get_object()));
  }
  return "";
}

std::string table_from_json(Table& t, const json::object& world, std::string_view name,
                            const json::object& defaults) {
  return table_from_json(t, world, name, [&](const json::object&) { return defaults; });
}

}  // namespace

json::object login_to_json(const Login& l) {
  json::object o{{"advertiser_ids", strings_to_json(l.advertiser_ids)},
                 {"open_id", l.open_id},
                 {"deny", l.deny}};
  if (l.scopes) o["scopes"] = strings_to_json(*l.scopes);
  return o;
}

std::string login_from_json(Login& l, const json::object& o) {
  Login out;
  if (!strings_from_json(o.if_contains("advertiser_ids"), &out.advertiser_ids))
    return "advertiser_ids must be an array of strings";
  if (auto* v = o.if_contains("open_id")) {
    if (!v->is_string()) return "open_id must be a string";
    out.open_id = v->get_string();
  }
  if (auto* v = o.if_contains("deny")) {
    if (!v->is_bool()) return "deny must be a boolean";
    out.deny = v->get_bool();
  }
  if (auto* v = o.if_contains("scopes"); v != nullptr && !v->is_null()) {
    std::vector<std::string> scopes;
    if (!strings_from_json(v, &scopes)) return "scopes must be an array of strings";
    out.scopes = scopes;
  }
  l = std::move(out);
  return "";
}

json::object token_to_json(const Token& t) {
  json::object o{
      {"token", t.token},
      {"kind", to_string(t.kind)},
      {"issued_at", t.issued_at},
      {"expires_at", t.expires_at == 0 ? json::value(nullptr) : json::value(t.expires_at)},
      {"revoked", t.revoked},
      {"used", t.used},
      {"scope", t.scope}};
  if (t.kind == TokenKind::kAdvertiserAccess || t.kind == TokenKind::kAdvertiserAuthCode)
    o["subject"] = strings_to_json(t.subject);
  else
    o["subject"] = t.subject.empty() ? "" : t.subject[0];
  if (!t.redirect_uri.empty()) o["redirect_uri"] = t.redirect_uri;
  if (!t.sibling.empty()) o["sibling"] = t.sibling;
  return o;
}

std::optional<Token> token_from_json(const json::object& o, std::string* error) {
  Token t;
  t.token = str_field(o, "token");
  auto kind = parse_token_kind(str_field(o, "kind"));
  if (t.token.empty()) return *error = "tokens: token must be a non-empty string", std::nullopt;
  if (!kind) return *error = "tokens: kind is not a known token kind", std::nullopt;
  t.kind = *kind;
  if (auto* s = o.if_contains("subject"); s && s->is_string())
    t.subject = {std::string(s->get_string())};
  else if (!strings_from_json(s, &t.subject))
    return *error = "tokens: subject must be a string or an array", std::nullopt;
  t.issued_at = int_field(o, "issued_at", 0);
  t.expires_at = int_field(o, "expires_at", 0);
  t.revoked = bool_field(o, "revoked");
  t.used = bool_field(o, "used");
  t.scope = str_field(o, "scope");
  t.redirect_uri = str_field(o, "redirect_uri");
  t.sibling = str_field(o, "sibling");
  return t;
}

json::object comment_to_json(const CommentStore& s, const Comment& c) {
  return {{"comment_id", c.comment_id},
          {"parent_comment_id", c.parent_id},
          {"advertiser_id", s.str(c.advertiser_id)},
          {"ad_id", s.str(c.ad_id)},
          {"item_id", s.str(c.item_id)},
          {"user_id", s.str(c.user_id)},
          {"user_name", s.str(c.user_name)},
          {"text", s.str(c.text)},
          {"create_time", c.create_time},
          {"likes", c.likes},
          {"replies", c.replies},
          {"status", c.hidden ? "HIDDEN" : "PUBLIC"},
          {"owner", c.owner},
          {"pinned", c.pinned},
          {"hit_blockedword", c.hit_blockedword}};
}

std::optional<Comment> comment_from_json(CommentStore& s, const json::object& o,
                                         std::string* error) {
  for (auto key : {"advertiser_id", "item_id"}) {
    auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) {
      *error = std::string("comments: ") + key + " must be a string";
      return std::nullopt;
    }
  }
  Comment c;
  c.comment_id = str_field(o, "comment_id");
  c.parent_id = str_field(o, "parent_comment_id");
  c.advertiser_id = s.pool().intern(str_field(o, "advertiser_id"));
  c.ad_id = s.pool().intern(str_field(o, "ad_id"));
  c.item_id = s.pool().intern(str_field(o, "item_id"));
  auto user_id = str_field(o, "user_id");
  c.user_id = s.pool().intern(user_id.empty() ? "6900000000000000001" : user_id);
  auto user_name = str_field(o, "user_name");
  c.user_name = s.pool().intern(user_name.empty() ? "sandbox_fan" : user_name);
  c.text = s.pool().intern(str_field(o, "text"));
  c.create_time = int_field(o, "create_time", 0);
  c.likes = static_cast<std::uint32_t>(int_field(o, "likes", 0));
  c.replies = static_cast<std::uint32_t>(int_field(o, "replies", 0));
  c.hidden = str_field(o, "status") == "HIDDEN";
  c.owner = bool_field(o, "owner");
  c.pinned = bool_field(o, "pinned");
  c.hit_blockedword = bool_field(o, "hit_blockedword");
  return c;
}

json::object world_to_json(const World& w, bool with_comments) {
  json::object o;
  o["app"] = {{"app_id", w.app_id}, {"secret", w.app_secret}};
  o["clock"] = {{"now", w.now()}, {"offset_seconds", w.clock_offset}};
  o["login"] = login_to_json(w.login);
  o["advertisers"] = w.advertisers.to_json();
  o["accounts"] = w.accounts.to_json();
  o["identities"] = w.identities.to_json();
  o["posts"] = w.posts.to_json();
  o["ads"] = w.ads.to_json();
  o["adgroups"] = w.adgroups.to_json();
  o["campaigns"] = w.campaigns.to_json();
  o["spark_codes"] = w.spark_codes.to_json();
  o["create_requests"] = w.create_requests.to_json();
  if (with_comments) {
    json::array comments;
    comments.reserve(w.comments.size());
    for (std::size_t i = 0; i < w.comments.size(); ++i)
      comments.push_back(comment_to_json(w.comments, w.comments.at(i)));
    o["comments"] = std::move(comments);
  }
  json::array tokens;
  for (const auto& key : w.token_order) tokens.push_back(token_to_json(w.tokens.at(key)));
  o["tokens"] = std::move(tokens);
  return o;
}

std::string world_from_json(World& w, const json::object& o) {
  World fresh;
  fresh.app_id = w.app_id;
  fresh.app_secret = w.app_secret;
  if (auto* app = o.if_contains("app")) {
    if (!app->is_object()) return "app must be an object";
    auto id = str_field(app->get_object(), "app_id");
    auto secret = str_field(app->get_object(), "secret");
    if (!id.empty()) fresh.app_id = id;
    if (!secret.empty()) fresh.app_secret = secret;
  }
  if (auto* clock = o.if_contains("clock"); clock && clock->is_object())
    fresh.clock_offset = int_field(clock->get_object(), "offset_seconds", 0);
  if (auto* login = o.if_contains("login"); login && login->is_object())
    if (auto e = login_from_json(fresh.login, login->get_object()); !e.empty())
      return "login: " + e;
  std::string e;
  if (!(e = table_from_json(fresh.advertisers, o, "advertisers", advertiser_defaults())).empty() ||
      !(e = table_from_json(fresh.accounts, o, "accounts", account_defaults())).empty() ||
      !(e = table_from_json(fresh.identities, o, "identities",
                            [](const json::object& row) {
                              auto type = str_field(row, "identity_type");
                              return identity_defaults(type.empty() ? "TT_USER" : type);
                            }))
           .empty() ||
      !(e = table_from_json(fresh.posts, o, "posts", post_defaults(fresh.now()))).empty() ||
      !(e = table_from_json(fresh.ads, o, "ads", ad_defaults())).empty() ||
      !(e = table_from_json(fresh.adgroups, o, "adgroups", adgroup_defaults())).empty() ||
      !(e = table_from_json(fresh.campaigns, o, "campaigns", campaign_defaults())).empty() ||
      !(e = table_from_json(fresh.spark_codes, o, "spark_codes", spark_code_defaults())).empty() ||
      !(e = table_from_json(fresh.create_requests, o, "create_requests", json::object{})).empty())
    return e;
  if (auto* comments = o.if_contains("comments"); comments && comments->is_array()) {
    for (const auto& c : comments->get_array()) {
      if (!c.is_object()) return "comments entries must be objects";
      auto comment = comment_from_json(fresh.comments, c.get_object(), &e);
      if (!comment) return e;
      fresh.comments.add(std::move(*comment));
    }
  }
  if (auto* tokens = o.if_contains("tokens"); tokens && tokens->is_array()) {
    for (const auto& t : tokens->get_array()) {
      if (!t.is_object()) return "tokens entries must be objects";
      auto token = token_from_json(t.get_object(), &e);
      if (!token) return e;
      fresh.add_token(std::move(*token));
    }
  }
  // Keep generated comment ids unique after a reload.
  for (std::size_t i = 0; i < fresh.comments.size(); ++i) {
    const auto& id = fresh.comments.at(i).comment_id;
    if (id.size() == 16 && id[0] == '7') {
      auto n = std::stoull(id);
      if (n >= fresh.comments.next_id) fresh.comments.next_id = n + 1;
    }
  }
  w = std::move(fresh);
  return "";
}

}  // namespace sandbox

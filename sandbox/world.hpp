#pragma once
// The world the sandbox simulates: the app, the sandbox clock, the login that
// the authorization pages grant, the Marketing API objects (advertisers,
// identities, posts, ads, ad groups), TikTok accounts, comments and tokens.
//
// Small tables are JSON objects keyed by their ids, so that the control API
// can merge any field into them and dump them back unchanged. Comments can
// number in the millions: they are compact structs with interned strings.
#include <boost/json.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace sandbox {

namespace json = boost::json;

// Rows (JSON objects) in insertion order, found by a key made of id fields.
// Tables keyed by more than one field also index their rows by the first
// (the advertiser): per-advertiser listings never scan the whole table, which
// holds 100,000s of rows in generated worlds.
class Table {
 public:
  explicit Table(std::vector<std::string> key_fields) : key_fields_(std::move(key_fields)) {}

  // Merges `fields` into the row with the same key, or appends it after
  // `defaults`. Returns the row. The key fields must be present (checked by
  // the caller).
  json::object& upsert(json::object fields, const json::object& defaults = {});
  json::object* find(const std::vector<std::string>& key);
  const json::object* find(const std::vector<std::string>& key) const;
  // Indexes into rows() of the rows whose first key field is `first_key`, in
  // insertion order (empty for single-field keys).
  const std::vector<std::size_t>& group(const std::string& first_key) const;
  // Removes the row; O(rows) (indexes are rebuilt): removals are rare.
  bool erase(const std::vector<std::string>& key);
  const std::vector<json::object>& rows() const { return rows_; }
  std::vector<json::object>& rows() { return rows_; }
  const std::vector<std::string>& key_fields() const { return key_fields_; }
  void clear();
  void reserve(std::size_t n) {
    rows_.reserve(n);
    index_.reserve(n);
  }
  json::array to_json() const;

 private:
  std::string key_of(const json::object& row) const;
  static std::string join(const std::vector<std::string>& parts);
  void index_row(std::size_t i, std::string key);

  std::vector<std::string> key_fields_;
  std::vector<json::object> rows_;
  std::unordered_map<std::string, std::size_t> index_;
  std::unordered_map<std::string, std::vector<std::size_t>> groups_;
};

// Repeated strings (ids, user names, texts) of a million comments, stored once.
class StringPool {
 public:
  using Id = std::uint32_t;
  Id intern(const std::string& s);
  std::optional<Id> find(std::string_view s) const;
  const std::string& get(Id id) const { return strings_[id]; }
  void clear();

 private:
  std::deque<std::string> strings_;  // a deque: references stay valid
  std::unordered_map<std::string_view, Id> ids_;
};

struct Comment {
  std::string comment_id;
  std::string parent_id;  // "" for a top-level comment
  StringPool::Id advertiser_id = 0, ad_id = 0, item_id = 0, user_id = 0, user_name = 0, text = 0;
  std::int64_t create_time = 0;
  std::uint32_t likes = 0, replies = 0;
  bool hidden = false;
  bool owner = false;  // written by the account or the advertiser itself
  bool pinned = false;
  bool hit_blockedword = false;
};

class CommentStore {
 public:
  // Appends; fills comment_id when empty. Returns the index.
  std::size_t add(Comment c);
  Comment& at(std::size_t i) { return comments_[i]; }
  const Comment& at(std::size_t i) const { return comments_[i]; }
  std::size_t size() const { return comments_.size(); }
  std::optional<std::size_t> find(const std::string& comment_id) const;
  const std::vector<std::uint32_t>& by_advertiser(const std::string& advertiser_id) const;
  const std::vector<std::uint32_t>& by_item(const std::string& item_id) const;
  void clear();
  void reserve(std::size_t n) { comments_.reserve(n); }

  StringPool& pool() { return pool_; }
  const StringPool& pool() const { return pool_; }
  const std::string& str(StringPool::Id id) const { return pool_.get(id); }
  std::uint64_t next_id = 7300000000000001;  // 16 digits, like TikTok's

 private:
  StringPool pool_;
  std::vector<Comment> comments_;
  std::unordered_map<StringPool::Id, std::vector<std::uint32_t>> by_advertiser_;
  std::unordered_map<StringPool::Id, std::vector<std::uint32_t>> by_item_;
};

enum class TokenKind {
  kAdvertiserAccess,
  kAccountAccess,
  kAccountRefresh,
  kAdvertiserAuthCode,
  kAccountAuthCode
};
const char* to_string(TokenKind k);
std::optional<TokenKind> parse_token_kind(std::string_view s);

struct Token {
  std::string token;
  TokenKind kind = TokenKind::kAdvertiserAccess;
  std::vector<std::string> subject;  // advertiser ids, or {open_id}
  std::int64_t issued_at = 0;
  std::int64_t expires_at = 0;  // 0: never (advertiser access tokens)
  bool revoked = false;
  bool used = false;
  std::string scope;         // "a,b,c" for account tokens and codes
  std::string redirect_uri;  // account auth codes: must match at exchange
  std::string sibling;       // access <-> refresh token of the same grant
};

struct Login {
  std::vector<std::string> advertiser_ids;
  std::string open_id;
  bool deny = false;
  std::optional<std::vector<std::string>> scopes;
};

struct World {
  std::string app_id;
  std::string app_secret;
  std::int64_t clock_offset = 0;
  Login login;
  Table advertisers{{"advertiser_id"}};
  Table accounts{{"open_id"}};
  Table identities{{"advertiser_id", "identity_id"}};
  Table posts{{"advertiser_id", "item_id"}};
  Table ads{{"advertiser_id", "ad_id"}};
  Table adgroups{{"advertiser_id", "adgroup_id"}};
  Table campaigns{{"advertiser_id", "campaign_id"}};
  // Creators' post authorization codes (POST /_sandbox/spark_codes), bound to
  // an advertiser by /tt_video/authorize/ or not yet.
  Table spark_codes{{"auth_code"}};
  // Create calls that carried a request_id, with the data they answered: a
  // retry answers the same and creates nothing.
  Table create_requests{{"advertiser_id", "path", "request_id"}};
  CommentStore comments;
  std::unordered_map<std::string, Token> tokens;
  std::vector<std::string> token_order;  // issue order, for stable dumps

  std::int64_t now() const;  // the sandbox clock: real UTC + offset
  void clear_objects();
  Token& add_token(Token t);
};

// The deterministic (with --seed) source of every generated id and token.
class Ids {
 public:
  explicit Ids(std::uint64_t seed) : rng_(seed) {}
  std::string hex(std::size_t chars);
  std::string digits(std::size_t count);  // no leading zero
  std::uint64_t below(std::uint64_t n) { return rng_() % n; }
  double unit() { return std::uniform_real_distribution<double>(0, 1)(rng_); }

 private:
  std::mt19937_64 rng_;
};

// JSON text forms.
std::string tiktok_time(std::int64_t unix_seconds);  // "YYYY-MM-DD HH:MM:SS" UTC
std::optional<std::int64_t> parse_tiktok_time(std::string_view text);
std::optional<std::int64_t> parse_tiktok_date(std::string_view text);  // YYYY-MM-DD

std::string login_from_json(Login& l, const json::object& o);  // "" or the error
json::object login_to_json(const Login& l);
json::object token_to_json(const Token& t);
std::optional<Token> token_from_json(const json::object& o, std::string* error);
json::object comment_to_json(const CommentStore& store, const Comment& c);
// Reads a comment from control-API JSON; `error` names a bad field.
std::optional<Comment> comment_from_json(CommentStore& store, const json::object& o,
                                         std::string* error);

// The whole world as JSON (GET /_sandbox/world, --state) and back.
json::object world_to_json(const World& w, bool with_comments);
// Replaces `w` by the JSON world; returns "" or a message naming the bad field.
std::string world_from_json(World& w, const json::object& o);

// The defaults for each object kind, filled in when the control API creates one.
json::object advertiser_defaults();
json::object account_defaults();
// AUTH_CODE identities carry no available_status (tiktok-api.md: TT_USER and
// BC_AUTH_TT only) and no video library of their own.
json::object identity_defaults(const std::string& identity_type = "TT_USER");
json::object post_defaults(std::int64_t now);
json::object ad_defaults();
json::object adgroup_defaults();
json::object campaign_defaults();
json::object spark_code_defaults();

// Field access on JSON objects that may lack the field.
std::string str_field(const json::object& o, std::string_view key);
bool bool_field(const json::object& o, std::string_view key, bool fallback = false);

}  // namespace sandbox

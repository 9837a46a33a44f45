#include "world.hpp"

#include <chrono>
#include <ctime>

namespace sandbox {

// ---- Table

std::string Table::join(const std::vector<std::string>& parts) {
  std::string key;
  for (const auto& p : parts) key += p + '\x1f';
  return key;
}

std::string Table::key_of(const json::object& row) const {
  std::vector<std::string> parts;
  for (const auto& f : key_fields_) parts.push_back(str_field(row, f));
  return join(parts);
}

void Table::index_row(std::size_t i, std::string key) {
  index_.emplace(std::move(key), i);
  if (key_fields_.size() > 1) groups_[str_field(rows_[i], key_fields_[0])].push_back(i);
}

json::object& Table::upsert(json::object fields, const json::object& defaults) {
  auto key = key_of(fields);
  auto it = index_.find(key);
  if (it != index_.end()) {
    auto& row = rows_[it->second];
    for (auto& [k, v] : fields) row[k] = std::move(v);
    return row;
  }
  // Built once at its final size: generated worlds create 100,000s of rows.
  json::object row(defaults.size() + fields.size());
  for (const auto& [k, v] : defaults)
    if (!fields.contains(k)) row.emplace(k, v);
  for (auto& [k, v] : fields) row.emplace(k, std::move(v));
  rows_.push_back(std::move(row));
  index_row(rows_.size() - 1, std::move(key));
  return rows_.back();
}

json::object* Table::find(const std::vector<std::string>& key) {
  auto it = index_.find(join(key));
  return it == index_.end() ? nullptr : &rows_[it->second];
}

const json::object* Table::find(const std::vector<std::string>& key) const {
  auto it = index_.find(join(key));
  return it == index_.end() ? nullptr : &rows_[it->second];
}

const std::vector<std::size_t>& Table::group(const std::string& first_key) const {
  static const std::vector<std::size_t> kNone;
  auto it = groups_.find(first_key);
  return it == groups_.end() ? kNone : it->second;
}

bool Table::erase(const std::vector<std::string>& key) {
  auto it = index_.find(join(key));
  if (it == index_.end()) return false;
  rows_.erase(rows_.begin() + static_cast<std::ptrdiff_t>(it->second));
  index_.clear();
  groups_.clear();
  for (std::size_t i = 0; i < rows_.size(); ++i) index_row(i, key_of(rows_[i]));
  return true;
}

void Table::clear() {
  rows_.clear();
  index_.clear();
  groups_.clear();
}

json::array Table::to_json() const {
  json::array out;
  for (const auto& r : rows_) out.push_back(r);
  return out;
}

// ---- StringPool and comments

StringPool::Id StringPool::intern(const std::string& s) {
  if (auto it = ids_.find(s); it != ids_.end()) return it->second;
  strings_.push_back(s);
  auto id = static_cast<Id>(strings_.size() - 1);
  ids_.emplace(strings_.back(), id);
  return id;
}

std::optional<StringPool::Id> StringPool::find(std::string_view s) const {
  auto it = ids_.find(s);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

void StringPool::clear() {
  ids_.clear();
  strings_.clear();
}

std::size_t CommentStore::add(Comment c) {
  if (c.comment_id.empty()) c.comment_id = std::to_string(next_id++);
  auto index = static_cast<std::uint32_t>(comments_.size());
  by_advertiser_[c.advertiser_id].push_back(index);
  by_item_[c.item_id].push_back(index);
  comments_.push_back(std::move(c));
  return index;
}

std::optional<std::size_t> CommentStore::find(const std::string& comment_id) const {
  // A linear scan: lookups by id are rare (reply, hide) next to listings.
  for (std::size_t i = comments_.size(); i-- > 0;)
    if (comments_[i].comment_id == comment_id) return i;
  return std::nullopt;
}

namespace {
const std::vector<std::uint32_t> kNoComments;

const std::vector<std::uint32_t>& lookup(
    const std::unordered_map<StringPool::Id, std::vector<std::uint32_t>>& index,
    const StringPool& pool, const std::string& key) {
  auto id = pool.find(key);
  if (!id) return kNoComments;
  auto it = index.find(*id);
  return it == index.end() ? kNoComments : it->second;
}
}  // namespace

const std::vector<std::uint32_t>& CommentStore::by_advertiser(
    const std::string& advertiser_id) const {
  return lookup(by_advertiser_, pool_, advertiser_id);
}

const std::vector<std::uint32_t>& CommentStore::by_item(const std::string& item_id) const {
  return lookup(by_item_, pool_, item_id);
}

void CommentStore::clear() {
  comments_.clear();
  by_advertiser_.clear();
  by_item_.clear();
  pool_.clear();
}

// ---- Tokens

const char* to_string(TokenKind k) {
  switch (k) {
    case TokenKind::kAdvertiserAccess:
      return "advertiser_access";
    case TokenKind::kAccountAccess:
      return "account_access";
    case TokenKind::kAccountRefresh:
      return "account_refresh";
    case TokenKind::kAdvertiserAuthCode:
      return "advertiser_auth_code";
    case TokenKind::kAccountAuthCode:
      return "account_auth_code";
  }
  return "?";
}

std::optional<TokenKind> parse_token_kind(std::string_view s) {
  for (auto k :
       {TokenKind::kAdvertiserAccess, TokenKind::kAccountAccess, TokenKind::kAccountRefresh,
        TokenKind::kAdvertiserAuthCode, TokenKind::kAccountAuthCode})
    if (s == to_string(k)) return k;
  return std::nullopt;
}

// ---- World

std::int64_t World::now() const {
  auto real = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  return real + clock_offset;
}

void World::clear_objects() {
  for (auto* t : {&advertisers, &accounts, &identities, &posts, &ads, &adgroups, &campaigns,
                  &spark_codes, &create_requests})
    t->clear();
  comments.clear();
  tokens.clear();
  token_order.clear();
  login = Login{};
}

Token& World::add_token(Token t) {
  auto key = t.token;
  if (!tokens.count(key)) token_order.push_back(key);
  return tokens[key] = std::move(t);
}

// ---- Ids

std::string Ids::hex(std::size_t chars) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(chars, '0');
  for (auto& c : out) c = kHex[rng_() % 16];
  return out;
}

std::string Ids::digits(std::size_t count) {
  std::string out(count, '0');
  for (auto& c : out) c = static_cast<char>('0' + rng_() % 10);
  if (!out.empty() && out[0] == '0') out[0] = '7';
  return out;
}

// ---- Times

std::string tiktok_time(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

namespace {
std::optional<std::int64_t> parse_with(std::string_view text, const char* format,
                                       std::size_t length) {
  if (text.size() != length) return std::nullopt;
  std::string s(text);
  std::tm tm{};
  const char* end = ::strptime(s.c_str(), format, &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<std::int64_t>(::timegm(&tm));
}
}  // namespace

std::optional<std::int64_t> parse_tiktok_time(std::string_view text) {
  return parse_with(text, "%Y-%m-%d %H:%M:%S", 19);
}

std::optional<std::int64_t> parse_tiktok_date(std::string_view text) {
  return parse_with(text, "%Y-%m-%d", 10);
}

// ---- Field access

std::string str_field(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return "";
  if (it->value().is_string()) return std::string(it->value().get_string());
  if (it->value().is_null()) return "";
  return json::serialize(it->value());
}

bool bool_field(const json::object& o, std::string_view key, bool fallback) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_bool()) return fallback;
  return it->value().get_bool();
}

// ---- Defaults

json::object advertiser_defaults() {
  return {{"name", "Sandbox Advertiser"},
          {"status", "STATUS_ENABLE"},
          {"role", "ROLE_ADVERTISER"},
          {"currency", "USD"},
          {"timezone", "UTC"},
          {"display_timezone", "UTC"},
          {"company", "Sandbox Company"},
          {"balance", 0.0},
          {"create_time", 1700000000},
          {"rejection_reason", ""},
          {"bc_id", ""},
          {"bc_name", ""},
          {"user_role", "ADMIN"}};
}

json::object account_defaults() {
  return {{"username", ""},      {"display_name", ""},
          {"profile_image", ""}, {"is_business_account", true},
          {"is_private", false}, {"followers_count", 0},
          {"videos_count", 0}};
}

json::object identity_defaults(const std::string& identity_type) {
  if (identity_type == "AUTH_CODE")
    return {{"identity_type", "AUTH_CODE"},
            {"user_name", ""},
            {"display_name", ""},
            {"profile_image", ""},
            {"identity_authorized_bc_id", ""},
            {"can_pull_video", false},
            {"can_push_video", false},
            {"can_use_live_ads", false},
            {"can_manage_message", false}};
  return {{"identity_type", identity_type},
          {"user_name", ""},
          {"display_name", ""},
          {"profile_image", ""},
          {"available_status", "AVAILABLE"},
          {"identity_authorized_bc_id", ""},
          {"can_pull_video", true},
          {"can_push_video", true},
          {"can_use_live_ads", false},
          {"can_manage_message", true}};
}

json::object post_defaults(std::int64_t now) {
  return {{"auth_code", ""},
          {"identity_id", ""},
          {"identity_type", "TT_USER"},
          {"text", ""},
          {"item_type", "VIDEO"},
          {"status", "PUBLIC"},
          {"ad_auth_status", "IN_USE"},
          {"auth_start_time", tiktok_time(now - 86400)},
          {"auth_end_time", tiktok_time(now + 30 * 86400)},
          {"invite_start_time", tiktok_time(now - 2 * 86400)},
          {"video_id", ""},
          {"poster_url", ""},
          {"duration", 15.0}};
}

json::object ad_defaults() {
  return {{"ad_name", "Sandbox Ad"},
          {"adgroup_id", ""},
          {"campaign_id", ""},
          {"identity_id", ""},
          {"identity_type", "TT_USER"},
          {"tiktok_item_id", ""},
          {"operation_status", "ENABLE"},
          {"secondary_status", "AD_STATUS_DELIVERY_OK"},
          {"create_time", "2024-01-01 00:00:00"},
          {"modify_time", "2024-01-01 00:00:00"}};
}

json::object adgroup_defaults() {
  return {{"adgroup_name", "Sandbox Ad Group"},
          {"campaign_id", ""},
          {"operation_status", "ENABLE"},
          {"secondary_status", "ADGROUP_STATUS_DELIVERY_OK"}};
}

json::object campaign_defaults() {
  return {{"campaign_name", "Sandbox Campaign"},   {"objective_type", "TRAFFIC"},
          {"budget_mode", "BUDGET_MODE_INFINITE"}, {"budget", 0.0},
          {"operation_status", "ENABLE"},          {"secondary_status", "CAMPAIGN_STATUS_ENABLE"},
          {"create_time", "2024-01-01 00:00:00"},  {"modify_time", "2024-01-01 00:00:00"}};
}

json::object spark_code_defaults() {
  return {{"item_id", ""},
          {"open_id", ""},
          {"identity_id", ""},
          {"user_name", ""},
          {"display_name", ""},
          {"text", ""},
          {"video_id", ""},
          {"status", "NOT_USED"},
          {"advertiser_id", ""},
          {"auth_start_time", "2024-01-01 00:00:00"},
          {"auth_end_time", "2024-01-31 00:00:00"},
          {"invite_start_time", "2024-01-01 00:00:00"}};
}

}  // namespace sandbox

// Parameters, token checks and paging shared by the API families.
#include <algorithm>
#include <charconv>

#include "api.hpp"

namespace sandbox {
namespace {

std::string as_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return json::serialize(v);
}

bool has_scope(const std::string& granted, const std::string& scope) {
  std::size_t start = 0;
  while (start <= granted.size()) {
    auto comma = granted.find(',', start);
    if (comma == std::string::npos) comma = granted.size();
    if (granted.compare(start, comma - start, scope) == 0) return true;
    start = comma + 1;
  }
  return false;
}

}  // namespace

ApiCall::ApiCall(const HttpRequest& req) : req_(req), is_get_(req.method == "GET") {
  if (is_get_ || req.body.empty()) return;
  boost::system::error_code ec;
  auto parsed = json::parse(req.body, ec);
  if (ec) throw ApiError{40002, "Invalid JSON in request body"};
  if (!parsed.is_object()) throw ApiError{40002, "Request body must be a JSON object"};
  body_ = std::move(parsed.get_object());
}

std::optional<std::string> ApiCall::param(const std::string& name) const {
  if (is_get_) {
    auto it = req_.query.find(name);
    if (it == req_.query.end()) return std::nullopt;
    return it->second;
  }
  auto* v = body_.if_contains(name);
  if (v == nullptr || v->is_null()) return std::nullopt;
  return as_text(*v);
}

std::string ApiCall::required(const std::string& name) const {
  auto v = param(name);
  if (!v || v->empty()) throw ApiError{40002, name + ": Missing data for required field."};
  return *v;
}

std::string ApiCall::optional(const std::string& name, std::string fallback) const {
  auto v = param(name);
  return v ? *v : fallback;
}

std::vector<std::string> ApiCall::string_list(const std::string& name, bool required) const {
  auto text = param(name);
  if (!text || text->empty()) {
    if (required) throw ApiError{40002, name + ": Missing data for required field."};
    return {};
  }
  boost::system::error_code ec;
  auto parsed = json::parse(*text, ec);
  if (ec || !parsed.is_array()) throw ApiError{40002, name + ": Not a valid list."};
  std::vector<std::string> out;
  for (const auto& e : parsed.get_array()) {
    if (!e.is_string() && !e.is_number()) throw ApiError{40002, name + ": Not a valid list."};
    out.push_back(as_text(e));
  }
  return out;
}

std::int64_t ApiCall::integer(const std::string& name, std::int64_t fallback) const {
  auto text = param(name);
  if (!text) return fallback;
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || p != text->data() + text->size())
    throw ApiError{40002, name + ": Not a valid integer."};
  return n;
}

std::optional<double> ApiCall::number(const std::string& name) const {
  if (!is_get_) {
    const auto* v = value(name);
    if (v == nullptr) return std::nullopt;
    if (v->is_number()) return v->to_number<double>();
    if (!v->is_string()) throw ApiError{40002, name + ": Not a valid number."};
  }
  auto text = param(name);
  if (!text) return std::nullopt;
  double d = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), d);
  if (text->empty() || ec != std::errc() || p != text->data() + text->size())
    throw ApiError{40002, name + ": Not a valid number."};
  return d;
}

const json::value* ApiCall::value(const std::string& name) const {
  auto* v = body_.if_contains(name);
  return v == nullptr || v->is_null() ? nullptr : v;
}

const Token& advertiser_token(ApiContext& ctx, const ApiCall& call) {
  auto text = call.access_token_header();
  if (text.empty()) throw ApiError{40104, "Access token is null"};
  auto it = ctx.world.tokens.find(text);
  if (it == ctx.world.tokens.end() || it->second.kind != TokenKind::kAdvertiserAccess ||
      it->second.revoked)
    throw ApiError{40105, "Access token is invalid or has been revoked"};
  return it->second;
}

json::object& granted_advertiser(ApiContext& ctx, const Token& token,
                                 const std::string& advertiser_id) {
  auto* adv = ctx.world.advertisers.find({advertiser_id});
  bool granted =
      std::find(token.subject.begin(), token.subject.end(), advertiser_id) != token.subject.end();
  if (adv == nullptr || !granted)
    throw ApiError{40001, "No permission to operate advertiser " + advertiser_id};
  return *adv;
}

json::object& writable_advertiser(ApiContext& ctx, const Token& token,
                                  const std::string& advertiser_id) {
  auto& adv = granted_advertiser(ctx, token, advertiser_id);
  if (str_field(adv, "user_role") == "ANALYST")
    throw ApiError{40301, "Advertiser role error: the user is an ANALYST of advertiser " +
                              advertiser_id + " and cannot make changes"};
  return adv;
}

const Token& account_token(ApiContext& ctx, const std::string& token_text,
                           const std::vector<std::string>& scopes) {
  if (token_text.empty()) throw ApiError{40104, "Access token is null"};
  auto it = ctx.world.tokens.find(token_text);
  if (it == ctx.world.tokens.end() || it->second.kind != TokenKind::kAccountAccess ||
      it->second.revoked)
    throw ApiError{40105, "Access token is invalid or has been revoked"};
  const auto& token = it->second;
  if (token.expires_at != 0 && ctx.world.now() >= token.expires_at)
    throw ApiError{40102, "Access token has expired"};
  for (const auto& s : scopes)
    if (!has_scope(token.scope, s))
      throw ApiError{40130, "The scope " + s + " is not authorized by the TikTok user"};
  return token;
}

json::object& granted_account(ApiContext& ctx, const Token& token, const std::string& business_id) {
  auto* account = ctx.world.accounts.find({business_id});
  bool granted = !token.subject.empty() && token.subject[0] == business_id;
  if (account == nullptr || !granted)
    throw ApiError{40001, "No permission to access business_id " + business_id};
  return *account;
}

void check_app(ApiContext& ctx, const std::string& app_id, const std::string& secret) {
  if (app_id != ctx.world.app_id || secret != ctx.world.app_secret)
    throw ApiError{40001, "App id and secret do not match"};
}

std::size_t Page::begin(std::size_t total) const {
  // Divide before multiplying: a huge page number must not overflow.
  if (page - 1 > static_cast<std::int64_t>(total) / page_size) return total;
  return std::min(static_cast<std::size_t>((page - 1) * page_size), total);
}

std::size_t Page::end(std::size_t total) const {
  return std::min(begin(total) + static_cast<std::size_t>(page_size), total);
}

json::object Page::info(std::size_t total) const {
  auto total_page = (static_cast<std::int64_t>(total) + page_size - 1) / page_size;
  return {{"page", page},
          {"page_size", page_size},
          {"total_number", total},
          {"total_page", total_page}};
}

Page read_page(const ApiCall& call, std::int64_t max_page_size, std::int64_t default_size) {
  Page p;
  p.page = call.integer("page", 1);
  p.page_size = call.integer("page_size", default_size);
  if (p.page < 1) throw ApiError{40002, "page: Must be greater than or equal to 1."};
  if (p.page_size < 1 || p.page_size > max_page_size)
    throw ApiError{40002,
                   "page_size: Must be between 1 and " + std::to_string(max_page_size) + "."};
  return p;
}

json::value paged(const std::vector<json::object>& rows, const Page& page, const char* list_key) {
  json::array list;
  for (auto i = page.begin(rows.size()); i < page.end(rows.size()); ++i) list.push_back(rows[i]);
  return json::object{{list_key, std::move(list)}, {"page_info", page.info(rows.size())}};
}

json::object pick_fields(const json::object& row, const std::vector<std::string>& fields,
                         const char* id_field) {
  if (fields.empty()) return row;
  json::object out{{id_field, row.at(id_field)}};
  for (const auto& f : fields)
    if (auto* v = row.if_contains(f)) out[f] = *v;
  return out;
}

Filtering::Filtering(const ApiCall& call) {
  const auto* body_value = call.value("filtering");
  if (body_value != nullptr && body_value->is_object()) {
    filter_ = body_value->get_object();
    return;
  }
  auto text = call.param("filtering");
  if (!text || text->empty()) return;
  boost::system::error_code ec;
  auto v = json::parse(*text, ec);
  if (ec || !v.is_object()) throw ApiError{40002, "filtering: Not a valid JSON object."};
  filter_ = std::move(v.get_object());
}

std::vector<std::string> Filtering::ids(const char* key, std::size_t max) const {
  const auto* v = filter_.if_contains(key);
  if (v == nullptr || v->is_null()) return {};
  auto field = std::string("filtering.") + key;
  if (!v->is_array()) throw ApiError{40002, field + ": Not a valid list."};
  if (v->get_array().size() > max)
    throw ApiError{40002, field + ": At most " + std::to_string(max) + " ids are allowed."};
  std::vector<std::string> out;
  for (const auto& e : v->get_array()) {
    if (!e.is_string() && !e.is_number()) throw ApiError{40002, field + ": Not a valid list."};
    out.push_back(as_text(e));
  }
  return out;
}

std::string Filtering::text(const char* key) const {
  return str_field(filter_, key);
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace sandbox

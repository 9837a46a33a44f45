#pragma once
// What every API family (api_*.cpp) shares: the call's parameters, the error
// an API handler answers with, token checks, paging, and the route table.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "http_types.hpp"
#include "world.hpp"

namespace sandbox {

// A TikTok error answer (HTTP 200, code != 0). Handlers throw it to leave
// early; the router turns it into the envelope, so no exception crosses the
// HTTP boundary.
struct ApiError {
  long code;
  std::string message;
};

struct ApiContext {
  World& world;
  Ids& ids;
};

// The parameters of one API call: the query for GET, the JSON body for POST.
class ApiCall {
 public:
  explicit ApiCall(const HttpRequest& req);

  const HttpRequest& request() const { return req_; }
  // The parameter as text (numbers and arrays in their JSON form), if given.
  std::optional<std::string> param(const std::string& name) const;
  std::string required(const std::string& name) const;  // 40002 naming it when absent
  std::string optional(const std::string& name, std::string fallback = "") const;
  // A list parameter: a JSON array (GET: JSON-encoded in the query).
  std::vector<std::string> string_list(const std::string& name, bool required) const;
  std::int64_t integer(const std::string& name, std::int64_t fallback) const;
  // A number (JSON number, or its text), if given; 40002 naming it otherwise.
  std::optional<double> number(const std::string& name) const;
  // The JSON value of a body field (POST only), if given and not null.
  const json::value* value(const std::string& name) const;
  std::string access_token_header() const { return req_.header("access-token"); }

 private:
  const HttpRequest& req_;
  json::object body_;
  bool is_get_;
};

// Advertiser token from the Access-Token header: 40104 when missing, 40105
// when unknown or revoked.
const Token& advertiser_token(ApiContext& ctx, const ApiCall& call);
// 40001 unless the token grants `advertiser_id` and it exists.
json::object& granted_advertiser(ApiContext& ctx, const Token& token,
                                 const std::string& advertiser_id);
// granted_advertiser, and 40301 when the user's role on it is ANALYST: the
// role that may read but not write (tiktok-api.md, /ad/create/).
json::object& writable_advertiser(ApiContext& ctx, const Token& token,
                                  const std::string& advertiser_id);
// Account access token (header, or `token_text` when given): 40104 missing,
// 40105 unknown/revoked/rotated, 40102 expired, 40130 when a scope is missing.
const Token& account_token(ApiContext& ctx, const std::string& token_text,
                           const std::vector<std::string>& scopes);
// 40001 unless the token's account is `business_id`; returns the account.
json::object& granted_account(ApiContext& ctx, const Token& token, const std::string& business_id);
// 40001 unless app id and secret match the world's app.
void check_app(ApiContext& ctx, const std::string& app_id, const std::string& secret);

struct Page {
  std::int64_t page = 1;
  std::int64_t page_size = 10;
  std::size_t begin(std::size_t total) const;
  std::size_t end(std::size_t total) const;
  json::object info(std::size_t total) const;
};
// page >= 1 and page_size within [1, max]; otherwise 40002 naming the field.
Page read_page(const ApiCall& call, std::int64_t max_page_size, std::int64_t default_size = 10);
// One page of `rows` as {list_key: [...], page_info}.
json::value paged(const std::vector<json::object>& rows, const Page& page, const char* list_key);
// The row limited to `fields` (all of it when empty), always with `id_field`.
json::object pick_fields(const json::object& row, const std::vector<std::string>& fields,
                         const char* id_field);

// The `filtering` parameter (a JSON object; in a GET, JSON-encoded in the query).
class Filtering {
 public:
  explicit Filtering(const ApiCall& call);  // 40002 when it is not a JSON object
  // An id list (strings or numbers), at most `max` long (40002 naming it); empty
  // when absent.
  std::vector<std::string> ids(const char* key, std::size_t max = 100) const;
  std::string text(const char* key) const;  // a string field, "" when absent
 private:
  json::object filter_;
};
bool contains(const std::vector<std::string>& list, const std::string& value);

// The rows of one advertiser in a table keyed by (advertiser_id, ...), without a scan.
template <class Pred>
std::vector<json::object> rows_of(const Table& t, const std::string& advertiser_id, Pred keep) {
  std::vector<json::object> out;
  for (auto i : t.group(advertiser_id))
    if (keep(t.rows()[i])) out.push_back(t.rows()[i]);
  return out;
}

using ApiHandler = std::function<json::value(ApiContext&, const ApiCall&)>;
struct Endpoint {
  std::string method;
  ApiHandler handler;
};
using ApiRoutes = std::map<std::string, Endpoint>;  // API path (no /open_api/v1.3) -> endpoint

void add_oauth_routes(ApiRoutes& routes);
void add_marketing_routes(ApiRoutes& routes);
void add_comment_routes(ApiRoutes& routes);
void add_account_routes(ApiRoutes& routes);
void add_post_routes(ApiRoutes& routes);
void add_campaign_routes(ApiRoutes& routes);
void add_report_routes(ApiRoutes& routes);

}  // namespace sandbox

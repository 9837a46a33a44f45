// The two authorization pages a person would open in a browser. They approve
// at once (or deny, when the login says so) and redirect to redirect_uri with
// the code and the state; what they grant is the world's `login`.
#include <boost/url.hpp>

#include "sandbox_state.hpp"
#include "tokens.hpp"

namespace sandbox {
namespace {

HttpReply bad_request(const std::string& problem) {
  HttpReply r;
  r.status = 400;
  r.content_type = "text/html; charset=utf-8";
  r.body = "<!doctype html><html><body><h1>Authorization failed</h1><p>" + problem +
           "</p></body></html>\n";
  return r;
}

HttpReply redirect(const std::string& redirect_uri,
                   const std::vector<std::pair<std::string, std::string>>& params) {
  boost::urls::url url(redirect_uri);
  for (const auto& [k, v] : params) url.params().append({k, v});
  HttpReply r;
  r.status = 302;
  r.content_type = "text/html; charset=utf-8";
  r.headers["Location"] = std::string(url.buffer());
  r.body = "<!doctype html><html><body>Redirecting</body></html>\n";
  return r;
}

std::string query(const HttpRequest& req, const char* key) {
  auto it = req.query.find(key);
  return it == req.query.end() ? "" : it->second;
}

bool valid_redirect(const std::string& uri) {
  auto parsed = boost::urls::parse_absolute_uri(uri);
  return parsed && (parsed->scheme() == "http" || parsed->scheme() == "https");
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(sep, start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The scopes asked for, limited to the login's scopes when it sets them.
std::string granted_scope(const std::string& requested, const Login& login) {
  std::string out;
  for (const auto& s : split(requested, ',')) {
    if (login.scopes &&
        std::find(login.scopes->begin(), login.scopes->end(), s) == login.scopes->end())
      continue;
    out += (out.empty() ? "" : ",") + s;
  }
  return out;
}

HttpReply denied(const std::string& redirect_uri, const std::string& state) {
  return redirect(redirect_uri, {{"error", "access_denied"},
                                 {"error_description", "The user denied the authorization"},
                                 {"state", state}});
}

HttpReply advertiser_page(SandboxState& s, const HttpRequest& req) {
  auto redirect_uri = query(req, "redirect_uri");
  auto state = query(req, "state");
  if (query(req, "app_id") != s.world.app_id) return bad_request("Unknown app_id.");
  if (!valid_redirect(redirect_uri)) return bad_request("Missing or invalid redirect_uri.");
  if (s.world.login.deny) return denied(redirect_uri, state);
  ApiContext ctx{s.world, s.ids};
  auto& code = issue_advertiser_code(ctx, s.world.login.advertiser_ids);
  return redirect(redirect_uri, {{"auth_code", code.token}, {"state", state}});
}

HttpReply account_page(SandboxState& s, const HttpRequest& req) {
  auto redirect_uri = query(req, "redirect_uri");
  auto state = query(req, "state");
  if (query(req, "client_key") != s.world.app_id) return bad_request("Unknown client_key.");
  if (!valid_redirect(redirect_uri)) return bad_request("Missing or invalid redirect_uri.");
  if (query(req, "response_type") != "code") return bad_request("response_type must be code.");
  if (s.world.login.deny) return denied(redirect_uri, state);
  if (s.world.login.open_id.empty()) return bad_request("No TikTok account is logged in.");
  ApiContext ctx{s.world, s.ids};
  auto scope = granted_scope(query(req, "scope"), s.world.login);
  auto& code = issue_account_code(ctx, s.world.login.open_id, scope, redirect_uri);
  return redirect(redirect_uri, {{"code", code.token}, {"state", state}});
}

}  // namespace

HttpReply handle_auth_page(SandboxState& s, const HttpRequest& req) {
  if (req.method != "GET") {
    HttpReply r = bad_request("Use GET.");
    r.status = 405;
    r.headers["Allow"] = "GET";
    return r;
  }
  return req.path == "/portal/auth" ? advertiser_page(s, req) : account_page(s, req);
}

}  // namespace sandbox

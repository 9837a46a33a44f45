#include "core/links/callback_handler.hpp"

#include <boost/url/parse.hpp>

namespace ttlink::links {
using boost::asio::awaitable;

namespace {

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

http::Response page(int status, std::string_view title, std::string_view text) {
  http::Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  r.headers.emplace_back("Cache-Control", "no-store");
  // The URL carried a one-time code: keep it out of any later Referer.
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.body =
      "<!doctype html><html><head><meta charset=\"utf-8\"><title>ttlink: " + html_escape(title) +
      "</title></head><body><h1>" + html_escape(title) + "</h1><p>" + html_escape(text) +
      "</p></body></html>\n";
  return r;
}

std::string callback_path(const config::Config& config) {
  auto u = boost::urls::parse_uri(config.callback.public_url);
  return u && !u->path().empty() ? std::string(u->path()) : "/callback";
}

struct CallbackQuery {
  std::string state, code, error, error_description;
  bool advertiser_code = false;
};

CallbackQuery read_query(const boost::urls::url_view& url) {
  CallbackQuery q;
  for (auto p : url.params()) {
    if (p.key == "state")
      q.state = p.value;
    else if (p.key == "auth_code")
      q.code = p.value, q.advertiser_code = true;
    else if (p.key == "code")
      q.code = p.value;
    else if (p.key == "error")
      q.error = p.value;
    else if (p.key == "error_description")
      q.error_description = p.value;
  }
  return q;
}

std::string describe(const store::LinkRecord& link) {
  if (link.state == LinkState::kPending)
    return "Link " + link.id + ": this half is authorized; open the other authorization URL.";
  return "Link " + link.id + " is " + std::string(to_string(link.state)) + ": " +
         link.reason_message;
}

http::Response redirect(const std::string& location) {
  http::Response r = page(302, "Redirecting", "Continue to TikTok to authorize.");
  r.headers.emplace_back("Location", location);
  return r;
}

// An alert's action link: a fresh authorization for its link, minted now,
// so the link works hours or days after the alert was sent.
awaitable<http::Response> follow(LinkService& service, Logger& log, std::string token,
                                 const http::Request& req) {
  const store::Actor actor{"action link " + req.peer};
  auto urls = co_await service.follow_action_link(std::move(token), actor);
  if (!urls) {
    log.warn("callback.action_link_refused", {{"peer", req.peer}, {"error", urls.error().message}});
    co_return page(urls.error().kind == ErrorKind::kNotFound ? 410 : 502, "Link not usable",
                   urls.error().message);
  }
  log.info("callback.action_link", {{"link", urls->link_id}, {"peer", req.peer}});
  const auto& first =
      urls->advertiser_auth_url ? urls->advertiser_auth_url : urls->account_auth_url;
  if (!first) co_return page(500, "Nothing to authorize", "No authorization is needed.");
  co_return redirect(*first);
}

// The action link's token: 64 hex digits after {path}/reauth/.
std::optional<std::string> action_token(std::string_view target_path, const std::string& path) {
  const std::string prefix = path + "/reauth/";
  if (target_path.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string token(target_path.substr(prefix.size()));
  if (token.size() != 64 || token.find_first_not_of("0123456789abcdef") != std::string::npos)
    return std::nullopt;
  return token;
}

awaitable<http::Response> handle(LinkService& service, Logger& log, const std::string& path,
                                 const http::Request& req) {
  auto url = boost::urls::parse_origin_form(req.target);
  if (!url) co_return page(404, "Not found", "No such page.");
  auto token = action_token(url->path(), path);
  if (!token && url->path() != path) co_return page(404, "Not found", "No such page.");
  if (req.method != "GET") co_return page(405, "Method not allowed", "Use GET.");
  if (token) {
    auto followed = co_await follow(service, log, std::move(*token), req);
    co_return followed;
  }
  CallbackQuery q = read_query(*url);
  const store::Actor actor{"callback " + req.peer};
  if (q.state.empty()) co_return page(400, "Authorization failed", "The request has no state.");
  if (!q.error.empty()) {
    auto link = service.refuse(q.state, q.error_description, actor);
    if (!link) co_return page(400, "Authorization failed", link.error().message);
    co_return page(200, "Authorization refused",
                   "TikTok reported " + q.error + ". Link " + link->id +
                       " was not authorized; run `ttlinkctl reauth " + link->id + "` to retry.");
  }
  if (q.code.empty())
    co_return page(400, "Authorization failed", "The request has neither code nor auth_code.");
  auto done = co_await service.complete(Secret(q.code), q.state, actor);
  if (!done) {
    log.warn("callback.failed", {{"error", done.error().message}});
    co_return page(400, "Authorization failed", done.error().message);
  }
  if (done->next_url) co_return redirect(*done->next_url);
  co_return page(200, "Authorization received", describe(done->link));
}

}  // namespace

http::Handler make_callback_handler(LinkService& service, Logger& log) {
  std::string path = callback_path(service.config());
  return
      [&service, &log, path](const http::Request& req) { return handle(service, log, path, req); };
}

}  // namespace ttlink::links

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

awaitable<http::Response> handle(LinkService& service, Logger& log, const std::string& path,
                                 const http::Request& req) {
  auto url = boost::urls::parse_origin_form(req.target);
  if (!url || url->path() != path) co_return page(404, "Not found", "No such page.");
  if (req.method != "GET") co_return page(405, "Method not allowed", "Use GET.");
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
  co_return page(200, "Authorization received", describe(done->link));
}

}  // namespace

http::Handler make_callback_handler(LinkService& service, Logger& log) {
  std::string path = callback_path(service.config());
  return
      [&service, &log, path](const http::Request& req) { return handle(service, log, path, req); };
}

}  // namespace ttlink::links

#include "core/tiktok/envelope.hpp"

#include <boost/json/parse.hpp>

#include <string>

namespace ttlink::tiktok {
namespace json = boost::json;

namespace {

Error transport_error(int http_status, std::string_view path) {
  std::string m = "HTTP " + std::to_string(http_status) + " from " + std::string(path);
  if (http_status >= 500 || http_status == 429 || http_status == 408) return Error::transient(m);
  // Upstream refused the request itself (no envelope, code 0): no rule
  // explains it, so it is an upstream error for the outcome table (ttlink_bug).
  return Error::upstream(0, m + " (is tiktok.api_base right?)");
}

}  // namespace

Result<json::object> decode_envelope(int http_status, std::string_view body,
                                     std::string_view path) {
  if (http_status != 200) return transport_error(http_status, path);
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return Error::transient("malformed JSON from " + std::string(path));
  const json::object& env = v.get_object();
  const json::value* code = env.if_contains("code");
  if (!code || !code->is_int64())
    return Error::transient("response from " + std::string(path) + " has no integer code");
  std::string message;
  if (auto* m = env.if_contains("message"); m && m->is_string()) message = m->get_string();
  // 20001 (partial success) carries the items that succeeded in `data`:
  // decoded like a success, each family then treats what is missing per
  // item. Without a data object it is an error like any other.
  const json::value* partial_data = env.if_contains("data");
  const bool partial = code->get_int64() == kPartialSuccess && partial_data &&
                       partial_data->is_object() && !partial_data->get_object().empty();
  if (code->get_int64() != 0 && !partial) {
    if (message.empty()) message = "(no message)";
    Error e =
        Error::upstream(static_cast<long>(code->get_int64()), std::string(path) + ": " + message);
    if (auto* id = env.if_contains("request_id"); id && id->is_string())
      e.request_id = id->get_string();
    return e;
  }
  const json::value* data = env.if_contains("data");
  if (!data || !data->is_object())
    return Error::transient("code 0 without data from " + std::string(path));
  return data->get_object();
}

Reaction classify(long code) {
  switch (code) {
    case 40100:
    case 40132:
    case 50000:
    case 50002:
    case 60001:
      return Reaction::kRetryLater;
    case 61000:
      return Reaction::kBackOffLong;
    case 40102:
      return Reaction::kRefreshToken;
    case 40001:
    case 40003:
    case 40103:
    case 40105:
    case 40107:
    case 40114:
    case 40130:
    case 40131:
      return Reaction::kReauthorize;
    case 40301:
      return Reaction::kPermission;
    case 40113:
      return Reaction::kAppForbidden;
    case 40110:
      return Reaction::kAuthCodeInvalid;
    case 40007:
    case 40300:
      return Reaction::kNotFound;
    default:
      break;
  }
  if (code >= 51000 && code < 52000) return Reaction::kRetryLater;
  return Reaction::kBug;
}

Outcome outcome_of(const Error& e) {
  if (e.kind == ErrorKind::kTransient) return Outcome::kRetry;
  if (e.kind == ErrorKind::kNotSent) return Outcome::kBackOffApp;  // our own budget
  if (e.kind != ErrorKind::kUpstream) return Outcome::kBug;  // HTTP 4xx, bad input to upstream
  switch (classify(e.upstream_code)) {
    case Reaction::kRetryLater:
      return e.upstream_code == 40100 || e.upstream_code == 40132 ? Outcome::kBackOffApp
                                                                  : Outcome::kRetry;
    case Reaction::kBackOffLong:
      return Outcome::kBackOffApp;
    case Reaction::kRefreshToken:
      return Outcome::kRefreshFirst;
    case Reaction::kReauthorize:
    case Reaction::kPermission:
      return Outcome::kLinkState;
    case Reaction::kAppForbidden:
      return Outcome::kAppForbidden;
    case Reaction::kAuthCodeInvalid:
      return Outcome::kLinkAttempt;
    case Reaction::kNotFound:
    case Reaction::kBug:
      return Outcome::kBug;
  }
  return Outcome::kBug;
}

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::kRetry:
      return "retry";
    case Outcome::kRefreshFirst:
      return "refresh_then_retry";
    case Outcome::kBackOffApp:
      return "back_off";
    case Outcome::kLinkState:
      return "link_state";
    case Outcome::kAppForbidden:
      return "app_forbidden";
    case Outcome::kLinkAttempt:
      return "link_attempt_failed";
    case Outcome::kBug:
      return "ttlink_bug";
  }
  return "ttlink_bug";
}

bool is_transient(const Error& e) {
  if (e.kind == ErrorKind::kTransient) return true;
  if (e.kind != ErrorKind::kUpstream) return false;
  Reaction r = classify(e.upstream_code);
  return r == Reaction::kRetryLater || r == Reaction::kBackOffLong;
}

}  // namespace ttlink::tiktok

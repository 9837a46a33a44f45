// The method table and the JSON-RPC 2.0 envelope: validation of a request
// line, dispatch, and the shape of every response. No I/O here.
#include "core/rpc/registry.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <exception>
#include <stdexcept>

namespace ttlink::rpc {
namespace json = boost::json;

std::string Peer::describe() const {
  return "uid=" + std::to_string(uid) + " gid=" + std::to_string(gid) +
         " pid=" + std::to_string(pid);
}

MethodError invalid_params(std::string message) {
  return MethodError{code::kInvalidParams, std::move(message), nullptr};
}

MethodError to_method_error(const Error& e) {
  switch (e.kind) {
    case ErrorKind::kInvalidInput:
      return {code::kInvalidParams, e.message, nullptr};
    case ErrorKind::kNotFound:
      return {code::kNotFound, e.message, nullptr};
    case ErrorKind::kConflict:
      return {code::kConflict, e.message, nullptr};
    case ErrorKind::kUpstream:
      return {code::kUpstream, e.message, json::object{{"upstream_code", e.upstream_code}}};
    case ErrorKind::kTransient:
    case ErrorKind::kNotSent:
      return {code::kUnavailable, e.message, nullptr};
    case ErrorKind::kStorage:
    case ErrorKind::kCrypto:
      return {code::kStorage, e.message, nullptr};
    case ErrorKind::kInternal:
      break;
  }
  return {code::kInternalError, e.message, nullptr};
}

void throw_exception_from_error(const MethodError& e, const boost::source_location&) {
  throw std::logic_error("unchecked method error: " + e.message);
}

namespace {

std::string error_response(const json::value& id, const MethodError& e) {
  json::object error{{"code", e.code}, {"message", e.message}};
  if (!e.data.is_null()) error["data"] = e.data;
  return json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}});
}

std::string result_response(const json::value& id, json::value result) {
  return json::serialize(
      json::object{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
}

// A well-formed request: what the envelope checks leave for dispatch.
struct Request {
  std::string_view method;
  json::object params;
  json::value id;     // null when absent
  bool notification;  // no "id" member at all
};

bool is_valid_id(const json::value& id) {
  return id.is_string() || id.is_int64() || id.is_uint64() || id.is_null();
}

// Checks the JSON-RPC 2.0 envelope; on failure, the error and the id to answer with.
boost::system::result<Request, std::pair<json::value, MethodError>> parse_envelope(
    json::value& doc) {
  auto invalid = [](json::value id, std::string message) {
    return std::pair<json::value, MethodError>{std::move(id),
                                               {code::kInvalidRequest, std::move(message)}};
  };
  if (!doc.is_object()) {
    if (doc.is_array()) return invalid(nullptr, "batch requests are not supported");
    return invalid(nullptr, "a request must be a JSON object");
  }
  json::object& obj = doc.as_object();
  const json::value* id = obj.if_contains("id");
  if (id && !is_valid_id(*id))
    return invalid(nullptr, "\"id\" must be a string, an integer or null");
  json::value answer_id = id ? *id : json::value(nullptr);
  const json::value* version = obj.if_contains("jsonrpc");
  if (!version || !version->is_string() || version->get_string() != "2.0")
    return invalid(answer_id, "\"jsonrpc\" must be \"2.0\"");
  const json::value* method = obj.if_contains("method");
  if (!method || !method->is_string() || method->get_string().empty())
    return invalid(answer_id, "\"method\" must be a non-empty string");
  Request request{method->get_string(), {}, answer_id, id == nullptr};
  if (json::value* params = obj.if_contains("params")) {
    if (!params->is_object())
      return std::pair<json::value, MethodError>{
          answer_id, {code::kInvalidParams, "\"params\" must be an object (named parameters)"}};
    request.params = std::move(params->as_object());
  }
  return request;
}

}  // namespace

Registry::Registry() {
  add("daemon.methods", "list the control methods with a summary of each",
      [this](const json::object&, const Peer&) -> boost::asio::awaitable<MethodResult> {
        co_return describe_methods();
      });
}

void Registry::add(std::string name, std::string summary, Handler handler) {
  if (methods_.contains(name)) throw std::logic_error("control method registered twice: " + name);
  methods_.emplace(std::move(name), Entry{std::move(summary), std::move(handler)});
}

bool Registry::contains(std::string_view name) const {
  return methods_.find(name) != methods_.end();
}

json::value Registry::describe_methods() const {
  json::array list;
  for (const auto& [name, entry] : methods_)
    list.push_back(json::object{{"name", name}, {"summary", entry.summary}});
  return json::object{{"methods", std::move(list)}};
}

boost::asio::awaitable<std::optional<std::string>> Registry::handle_line(std::string_view line,
                                                                         const Peer& peer) const {
  LineOutcome outcome = co_await handle(line, peer);
  co_return std::move(outcome.response);
}

boost::asio::awaitable<LineOutcome> Registry::handle(std::string_view line,
                                                     const Peer& peer) const {
  boost::system::error_code ec;
  json::value doc = json::parse(line, ec);
  if (ec)
    co_return LineOutcome{
        error_response(nullptr, {code::kParseError, "parse error: " + ec.message()}), true};
  auto request = parse_envelope(doc);
  if (!request)
    co_return LineOutcome{error_response(request.error().first, request.error().second)};

  auto entry = methods_.find(request->method);
  MethodResult result =
      MethodError{code::kMethodNotFound, "unknown method \"" + std::string(request->method) +
                                             "\"; daemon.methods lists the known ones"};
  if (entry != methods_.end()) {
    try {
      result = co_await entry->second.handler(request->params, peer);
    } catch (const std::exception&) {
      // A handler that throws has a bug; its message may hold anything, so it stays out.
      result = MethodError{code::kInternalError, "internal error in " + entry->first +
                                                     " (a bug in ttlinkd; please report it)"};
    }
  }
  if (request->notification) co_return LineOutcome{};
  if (!result) co_return LineOutcome{error_response(request->id, result.error())};
  co_return LineOutcome{result_response(request->id, std::move(*result))};
}

Result<std::string> require_string(const json::object& params, std::string_view key) {
  const json::value* v = params.if_contains(key);
  if (!v || !v->is_string() || v->get_string().empty())
    return Error::invalid("parameter \"" + std::string(key) +
                          "\" is required (a non-empty string)");
  return std::string(v->get_string());
}

std::optional<std::string> optional_string(const json::object& params, std::string_view key) {
  const json::value* v = params.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

}  // namespace ttlink::rpc

#include "core/tiktok/fields.hpp"

#include <boost/json/serialize.hpp>

namespace ttlink::tiktok {
namespace json = boost::json;

Error missing_field(std::string_view path, std::string_view field) {
  return Error::transient("contradictory answer from " + std::string(path) + ": code 0 but " +
                          std::string(field) + " is missing or has the wrong type");
}

Result<std::string> string_field(const json::object& o, std::string_view key,
                                 std::string_view path) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return missing_field(path, key);
  return std::string(v->get_string());
}

std::string string_or(const json::object& o, std::string_view key, std::string fallback) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : fallback;
}

std::optional<std::string> id_value(const json::value& v) {
  if (v.is_string() && !v.get_string().empty()) return std::string(v.get_string());
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  return std::nullopt;
}

std::string id_or_empty(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v ? id_value(*v).value_or("") : "";
}

Result<std::string> id_field(const json::object& o, std::string_view key, std::string_view path) {
  auto* v = o.if_contains(key);
  if (!v) return missing_field(path, key);
  auto id = id_value(*v);
  if (!id) return missing_field(path, key);
  return *id;
}

Result<long long> int_field(const json::object& o, std::string_view key, std::string_view path) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_int64()) return missing_field(path, key);
  return v->get_int64();
}

long long int_or(const json::object& o, std::string_view key, long long fallback) {
  auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->get_int64() : fallback;
}

Result<bool> bool_field(const json::object& o, std::string_view key, std::string_view path) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_bool()) return missing_field(path, key);
  return v->get_bool();
}

Result<const json::array*> array_field(const json::object& o, std::string_view key,
                                       std::string_view path) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_array()) return missing_field(path, key);
  return &v->get_array();
}

std::string json_string_array(const std::vector<std::string>& values) {
  json::array a;
  for (auto& v : values) a.emplace_back(v);
  return json::serialize(a);
}

}  // namespace ttlink::tiktok

#pragma once
// Reading fields of upstream JSON with errors that name the field and path.
// Ids may arrive as strings or as integers; they are kept as decimal strings
// (never through double).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.hpp"

namespace ttlink::tiktok {

// A contradictory answer (code 0, but a field is missing or of another type):
// transient, so stored state is never overwritten by it.
Error missing_field(std::string_view path, std::string_view field);

Result<std::string> string_field(const boost::json::object& o, std::string_view key,
                                 std::string_view path);
std::string string_or(const boost::json::object& o, std::string_view key,
                      std::string fallback = {});
Result<std::string> id_field(const boost::json::object& o, std::string_view key,
                             std::string_view path);
std::optional<std::string> id_value(const boost::json::value& v);
// The id at `key`, or "" when absent or not an id.
std::string id_or_empty(const boost::json::object& o, std::string_view key);
Result<long long> int_field(const boost::json::object& o, std::string_view key,
                            std::string_view path);
long long int_or(const boost::json::object& o, std::string_view key, long long fallback);
Result<bool> bool_field(const boost::json::object& o, std::string_view key, std::string_view path);
Result<const boost::json::array*> array_field(const boost::json::object& o, std::string_view key,
                                              std::string_view path);
// A JSON-encoded array of strings, for array query parameters.
std::string json_string_array(const std::vector<std::string>& values);

}  // namespace ttlink::tiktok

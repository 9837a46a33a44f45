#pragma once
// Human output of ttlinkctl: daemon-provided text made safe for a terminal,
// and tables aligned by display width. No knowledge of methods or links.
#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ttlink::ctl {

// Control characters (C0, DEL, C1), bidirectional overrides and invalid
// UTF-8 become visible escapes (\x1b, \u202e, \xff): text from the daemon
// (names, upstream messages) cannot move the cursor or recolour a terminal.
std::string sanitize(std::string_view text);

// Columns a terminal gives `text` (valid UTF-8): wide East Asian characters
// and emoji count 2, combining marks 0.
std::size_t display_width(std::string_view text);

// At most `columns` display columns of `text` (valid, sanitised UTF-8),
// ending in an ellipsis when cut; never splits a character.
std::string truncate_to_width(std::string_view text, std::size_t columns);

// A JSON scalar as a cell: strings sanitised, null as "-", others as JSON.
std::string cell(const boost::json::value& v);
// A number as an amount of money with two decimals ("12.30"; "-" when not a number).
std::string amount(const boost::json::value& v);
// The field `key` of an object as a cell ("-" when absent).
std::string field(const boost::json::value& object, std::string_view key);
// The member `key` of an object, or null (for a missing key or a non-object).
const boost::json::value& member(const boost::json::value& v, std::string_view key);

// `v` as indented JSON for people: two spaces a level, whole numbers without
// an exponent, strings sanitised.
std::string pretty_json(const boost::json::value& v, int indent = 0);

class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  // Cells are printed as given: sanitise daemon text first (cell() does).
  void add_row(std::vector<std::string> cells);
  std::string render() const;
  bool empty() const { return rows_.empty(); }

 private:
  std::vector<std::vector<std::string>> rows_;  // the headers are rows_[0]
};

}  // namespace ttlink::ctl

// --state FILE: the world survives restarts as one JSON file.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "sandbox_state.hpp"
#include "utf8.hpp"

namespace sandbox {

std::string save_state(const World& w, const std::string& path) {
  auto tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return "cannot write " + tmp;
    // Valid UTF-8, or load_state could not read it back: the world can hold
    // request text (a scope asked for on the authorization page).
    out << with_valid_utf8(json::serialize(world_to_json(w, true)));
    out.flush();
    if (!out) return "cannot write " + tmp;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return "cannot rename " + tmp + " to " + path;
  return "";
}

std::string load_state(World& w, const std::string& path, bool* loaded) {
  *loaded = false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";  // a first start: the file is written at exit
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto v = json::parse(text.str(), ec);
  if (ec || !v.is_object()) return path + " is not a JSON world";
  if (auto e = world_from_json(w, v.get_object()); !e.empty()) return path + ": " + e;
  *loaded = true;
  return "";
}

}  // namespace sandbox

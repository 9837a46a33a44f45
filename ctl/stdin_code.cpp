#include "ctl/stdin_code.hpp"

#include <unistd.h>

#include <iostream>

namespace ttlink::ctl {

std::optional<std::string> code_from_stdin() {
  if (::isatty(STDIN_FILENO)) std::cerr << "Paste the code, then press Enter: " << std::flush;
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();  // pasted from a CRLF source
  if (line.empty()) return std::nullopt;
  return line;
}

}  // namespace ttlink::ctl

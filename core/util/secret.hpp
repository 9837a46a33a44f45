#pragma once
// A secret (app secret, access or refresh token, store key) is a type of its
// own: it cannot be streamed or formatted by accident, and printing it shows
// only its length. Its memory is wiped when it dies.
#include <ostream>
#include <string>
#include <string_view>

namespace ttlink {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret&) = default;
  Secret(Secret&&) noexcept = default;
  Secret& operator=(const Secret&) = default;
  Secret& operator=(Secret&&) noexcept = default;
  ~Secret();

  // The only way to the bytes: greppable, so every use can be reviewed.
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  std::size_t size() const { return value_.size(); }
  std::string redacted() const { return "<secret:" + std::to_string(value_.size()) + ">"; }
  bool operator==(const Secret& other) const;

 private:
  std::string value_;
};

inline std::ostream& operator<<(std::ostream& os, const Secret& s) {
  return os << s.redacted();
}

}  // namespace ttlink

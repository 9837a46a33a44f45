#include "core/spark/source_backoff.hpp"

#include <algorithm>

#include "core/tiktok/envelope.hpp"

namespace ttlink::spark {

namespace {

constexpr Seconds kSourceBackoffCap{6 * 3600};

std::string key_of(const std::string& link_id, const std::string& source) {
  return link_id + "/" + source;
}

}  // namespace

// 40110 (an auth code) has no business in a comment listing: as
// unexplained as an unknown code.
bool permanent_for_source(const Error& e) {
  const auto o = tiktok::outcome_of(e);
  return o == tiktok::Outcome::kBug || o == tiktok::Outcome::kLinkAttempt;
}

bool SourceBackoff::waiting(const std::string& link_id, const std::string& source,
                            TimePoint now) const {
  auto it = by_key_.find(key_of(link_id, source));
  return it != by_key_.end() && now < it->second.next_try;
}

TimePoint SourceBackoff::failed(const std::string& link_id, const std::string& source,
                                const Error& e, TimePoint now, Seconds interval) {
  Failing& f = by_key_[key_of(link_id, source)];
  f.link_id = link_id;
  f.source = source;
  ++f.count;
  f.last = {e.upstream_code, e.message, e.request_id};
  const long long base = std::max<long long>(1, interval.count());
  const long long wait =
      std::min<long long>(base << std::min(f.count - 1, 20), kSourceBackoffCap.count());
  f.next_try = now + Seconds{wait};
  return f.next_try;
}

void SourceBackoff::succeeded(const std::string& link_id, const std::string& source) {
  by_key_.erase(key_of(link_id, source));
}

std::vector<SourceBackoff::Failing> SourceBackoff::failing(int at_least) const {
  std::vector<Failing> out;
  for (const auto& [_, f] : by_key_)
    if (f.count >= at_least) out.push_back(f);
  return out;
}

}  // namespace ttlink::spark

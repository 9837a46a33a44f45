#pragma once
// Comment sources (a Spark Ad's ad group, an own post) that upstream
// refuses for good (a permanent error: tiktok::Outcome::kBug, e.g. 40002 or
// 40007 for one ad group) wait on their own, doubling from one comments
// interval up to 6 h, while the link's other sources go on being read. A
// person is told once a source has failed kSourceFailuresBeforeAlert times
// in a row (comments_sync_failing for LINK/SOURCE); a success forgets it.
#include <map>
#include <string>
#include <vector>

#include "core/events/link_event.hpp"
#include "core/util/result.hpp"
#include "core/util/time.hpp"

namespace ttlink::spark {

inline constexpr int kSourceFailuresBeforeAlert = 3;

// True when a failed read of one source says nothing about the others.
bool permanent_for_source(const Error& e);

class SourceBackoff {
 public:
  struct Failing {
    std::string link_id;
    std::string source;  // "adgroup:ID" or "video:ID"
    int count = 0;
    TimePoint next_try{};
    Reason last;
  };

  bool waiting(const std::string& link_id, const std::string& source, TimePoint now) const;
  // Records a permanent failure; returns when the source is tried again.
  TimePoint failed(const std::string& link_id, const std::string& source, const Error& e,
                   TimePoint now, Seconds interval);
  void succeeded(const std::string& link_id, const std::string& source);
  // Sources that failed at least `at_least` times in a row.
  std::vector<Failing> failing(int at_least) const;

 private:
  std::map<std::string, Failing> by_key_;  // link_id + "/" + source
};

}  // namespace ttlink::spark

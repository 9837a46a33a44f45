#pragma once
// How much an ad delivers: deterministic figures that grow with the sandbox
// clock (POST /_sandbox/clock/advance moves them), for /report/integrated/get/
// and the statuses /ad/get/ shows. Nothing here is random: the same world at
// the same sandbox time gives the same figures.
#include <cstdint>
#include <string>

#include "world.hpp"

namespace sandbox {

struct Window {
  std::int64_t start = 0;
  std::int64_t stop = 0;  // exclusive
  bool empty() const { return stop <= start; }
};

// The span, up to `now`, in which the ad delivered: from its creation (or its
// ad group's start, or its post authorization's start) to now, its ad group's
// end, its post authorization's end, or the moment its post was unbound.
// Empty when the ad, its ad group or its campaign is not ENABLE now: figures
// follow the current state, not a history of status changes (a
// simplification).
Window delivery_window(const World& w, const json::object& ad, std::int64_t now);

// The ad delivers at this moment.
bool delivering(const World& w, const json::object& ad, std::int64_t now);
// /ad/get/'s secondary_status: AD_STATUS_DISABLE, STATUS_ASSET_AUTHORIZATION_LOST
// when the post authorization ended, else the stored one.
std::string ad_secondary_status(const World& w, const json::object& ad, std::int64_t now);

struct Figures {
  std::int64_t spend_cents = 0;
  std::int64_t impressions = 0, clicks = 0, likes = 0, comments = 0, shares = 0, follows = 0,
               video_play_actions = 0, profile_visits = 0;
  Figures& operator+=(const Figures& o);
  bool zero() const { return impressions == 0 && spend_cents == 0; }
  // A metric as TikTok reports it: a string ("12.34", "1200"); "" when unknown.
  std::string metric(const std::string& name) const;
};
bool known_metric(const std::string& name);

// An ad's pace: its spend per delivered day (a share of its ad group's daily
// budget: each ad paces on its own budget, a simplification) and the rates
// that turn spend into impressions and impressions into actions, drawn from
// a hash of the ad id and its objective.
struct Rates {
  double spend_per_day = 0;
  double cpm = 0;
  double ctr = 0, play = 0, like = 0, comment = 0, share = 0, follow = 0, visit = 0;
};
Rates rates_of(const World& w, const json::object& ad);

// The ad's figures for the UTC day starting at `day_start`, as far as the
// window reaches into it (each day rounded on its own; a range is the sum of
// its days).
Figures day_figures(const Rates& rates, const Window& window, std::int64_t day_start);

}  // namespace sandbox

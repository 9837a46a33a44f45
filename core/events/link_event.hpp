#pragma once
// What a link's recorded state change tells the rest of the daemon: the
// facts about the link, the reason upstream gave, and, when a person must
// act, everything an alert needs (kind, severity, action). Produced by
// core/links after the change is in the store; consumed by core/alerts.
#include <optional>
#include <string>

#include "core/events/alert_kind.hpp"
#include "core/util/link_state.hpp"

namespace ttlink {

// Why something is as it is: upstream's code and message (never a token)
// and the request_id upstream gave, when there was a request.
struct Reason {
  long code = 0;
  std::string message;
  std::string request_id{};
  bool operator==(const Reason&) const = default;
};

// What a person should do, and where (an authorization link, if any).
struct Action {
  std::string text;
  std::optional<std::string> url{};
  bool operator==(const Action&) const = default;
};

// Who a link is, for people reading an alert.
struct LinkFacts {
  std::string id;
  std::string advertiser_id;
  std::string advertiser_name;
  std::string account;  // "@username", or "" while unknown
  std::string open_id;
  bool operator==(const LinkFacts&) const = default;
};

// A state that needs telling: the alert it raises.
struct Attention {
  AlertKind kind = AlertKind::kReauthRequired;
  Severity severity = Severity::kCritical;
  Action action;
  std::string ctl;  // the ttlinkctl command that helps
};

struct LinkEvent {
  LinkFacts link;
  LinkState from = LinkState::kPending;
  LinkState to = LinkState::kPending;
  Reason reason;
  std::optional<Attention> attention;  // nullopt: healthy or quiet
};

}  // namespace ttlink

#pragma once
// The alert lifecycle on the store: a link entering a state fires its kind
// once per fingerprint; leaving it resolves; a firing alert repeats after
// repeat_interval unless acked. Every event (firing, repeat, resolved) is
// committed together with one outbox row per sink that wants it, before any
// delivery is tried.
#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/alerts/alert.hpp"
#include "core/alerts/sink.hpp"
#include "core/store/store.hpp"

namespace ttlink::alerts {

using Clock = std::function<TimePoint()>;

// A condition outside the link state machine (a post, the comments of a
// post) that holds now. Fingerprint: kind + "/" + subject.
struct Condition {
  std::string kind;
  Severity severity = Severity::kWarning;
  std::string subject;  // e.g. "LINK_ID/ITEM_ID"
  std::string link_id;
  Reason reason;
  std::string action_text;
  std::optional<std::string> action_url;
  std::string ctl;
  boost::json::object details;
  // Throttled kinds (comment counts): a changed reason updates the stored
  // alert quietly; the next repeat carries it. Otherwise it is sent again.
  bool quiet_updates = false;
};

class Engine {
 public:
  Engine(store::Store& store, Seconds repeat_interval, std::vector<SinkFilter> sinks,
         Clock clock = now_utc);

  // Link `link_id` is now in `to` (as recorded in the store). `action_url` is
  // the authorization URL to put in a reauth-type alert, when one exists.
  Result<void> on_link_state(const std::string& link_id, LinkState to, const Reason& reason,
                             const std::optional<std::string>& action_url);
  // Fires what `holding` says holds now (once per fingerprint) and resolves
  // every firing alert of `kind` that is not among them.
  Result<void> reconcile(std::string_view kind, const std::vector<Condition>& holding);
  // Queues repeats of unacked firing alerts last sent repeat_interval ago.
  Result<int> queue_repeats();
  // Firing alerts, or all (newest first), as payloads.
  Result<std::vector<boost::json::object>> list(bool include_resolved);
  Result<int> firing_count();
  // Silences repeats of a firing alert until it resolves or its reason changes.
  Result<boost::json::object> ack(const std::string& id);
  // A payload for `alert test` (kind "test", never stored).
  boost::json::object test_payload();

  void set_repeat_interval(Seconds s) { repeat_interval_ = s; }
  const std::vector<SinkFilter>& sinks() const { return sinks_; }

 private:
  Result<void> fire(const store::LinkRecord& link, const KindSpec& spec, const Reason& reason,
                    const std::optional<std::string>& action_url);
  // A new reason is news: sent again (unless `quiet`), with `details` merged.
  Result<void> refresh_reason(store::AlertRecord& alert, const Reason& reason,
                              const std::optional<std::string>& action_url,
                              const boost::json::object& details = {}, bool quiet = false);
  Result<void> open(const store::LinkRecord& link, const Condition& c);
  Result<void> resolve(store::AlertRecord& alert);
  Result<void> raise(const Condition& c);
  // Stores `alert` and queues its payload for every accepting sink, in one
  // transaction.
  Result<void> commit_event(const store::AlertRecord& alert, const std::string& event_id);

  store::Store& store_;
  Seconds repeat_interval_;
  std::vector<SinkFilter> sinks_;
  Clock clock_;
};

}  // namespace ttlink::alerts

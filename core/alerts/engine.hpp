#pragma once
// The alert lifecycle on the store: a link entering a state that needs a
// person fires its kind once per fingerprint; leaving it resolves; a firing
// alert repeats after repeat_interval unless acked. Every event (firing,
// repeat, new reason, resolved) is committed together with one outbox row
// per sink that wants it, before any delivery is tried.
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/alerts/alert.hpp"
#include "core/alerts/sink.hpp"
#include "core/events/link_event.hpp"
#include "core/store/store.hpp"
#include "core/util/clock.hpp"

namespace ttlink::alerts {

// A condition outside the link state machine (a post, the comments of a
// post) that holds now. Fingerprint: kind + "/" + subject.
struct Condition {
  AlertKind kind = AlertKind::kPostAuthExpiring;
  Severity severity = Severity::kWarning;
  std::string subject;  // e.g. "LINK_ID/ITEM_ID"
  LinkFacts link;
  Reason reason;
  Action action;
  std::string ctl;
  std::optional<PostFacts> post;
  std::optional<CommentFacts> comments;
  // Throttled kinds (comment counts): a changed reason updates the stored
  // alert quietly; the next repeat carries it. Otherwise it is sent again.
  bool quiet_updates = false;
};

class Engine {
 public:
  Engine(store::Store& store, Seconds repeat_interval, std::vector<SinkFilter> sinks,
         Clock clock = now_utc);

  // A link's recorded state change: fires what it needs, resolves the
  // link-state alerts it left.
  Result<void> on_link_event(const LinkEvent& e);
  // Fires what `holding` says holds now (once per fingerprint) and resolves
  // every firing alert of `kind` that is not among them.
  Result<void> reconcile(AlertKind kind, const std::vector<Condition>& holding);
  // One subject's alert of `kind`: fired (once) while `holding` is set,
  // resolved when it is not. Leaves every other alert of the kind alone.
  Result<void> settle(AlertKind kind, const std::string& subject,
                      const std::optional<Condition>& holding);
  // Queues repeats of unacked firing alerts last sent repeat_interval ago.
  Result<int> queue_repeats();
  // Firing alerts, or all (newest first), as payloads with "acked".
  Result<std::vector<boost::json::object>> list(bool include_resolved);
  Result<int> firing_count();
  // Silences repeats of a firing alert until it resolves or its reason changes.
  Result<boost::json::object> ack(const std::string& id);
  // An alert for `alert test` (kind "test", never stored).
  Alert test_alert();

  void set_repeat_interval(Seconds s) { repeat_interval_ = s; }
  // A reload's sinks: events from now on are queued for these.
  void set_sinks(std::vector<SinkFilter> sinks) { sinks_ = std::move(sinks); }
  const std::vector<SinkFilter>& sinks() const { return sinks_; }

 private:
  // A stored alert: its row and its content, decoded once.
  struct Stored {
    store::AlertRecord row;
    Alert alert;
  };
  Result<std::optional<Stored>> firing(const std::string& fingerprint);
  Result<Stored> decode(store::AlertRecord row);
  Result<void> open(const Condition& c);
  // A new reason is news: sent again (unless `quiet`).
  Result<void> update(Stored& s, const Condition& c);
  Result<void> resolve(Stored& s);
  Result<void> raise(const Condition& c);
  // Stores the alert and queues it for every accepting sink, in one transaction.
  Result<void> commit_event(Stored& s, const std::string& event_id);

  store::Store& store_;
  Seconds repeat_interval_;
  std::vector<SinkFilter> sinks_;
  Clock clock_;
};

}  // namespace ttlink::alerts

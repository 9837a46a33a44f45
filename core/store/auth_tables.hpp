#pragma once
// The ways in to an authorization: pending OAuth `state`s (one per half of a
// link, valid for the auth code's hour, used once) and action links (the
// stable URL in an alert that starts a fresh authorization when clicked).
// Only hashes are stored: the values live in URLs, never on disk.
#include <string_view>
#include <vector>

#include "core/store/connection.hpp"
#include "core/store/records.hpp"

namespace ttlink::store {

class AuthTables {
 public:
  explicit AuthTables(Connection& db) : db_(db) {}

  Result<void> add_pending(const PendingAuth& p);
  // Atomically marks the state used and returns it. Errors: kNotFound
  // (unknown state), kConflict (already used), kInvalidInput (expired).
  Result<PendingAuth> consume_pending(std::string_view state_hash, TimePoint now);
  // Pending, unused authorizations of a link, expired ones included, oldest first.
  Result<std::vector<PendingAuth>> pending_of(std::string_view link_id);
  // Removes the unused ones; used ones stay so that a replay gets kConflict.
  Result<void> cancel_pending(std::string_view link_id);

  Result<void> add_action_link(const ActionLink& a);
  // The open action link with this hash, if any.
  Result<std::optional<ActionLink>> open_action_link(std::string_view token_hash);
  // Closes every open action link of the link (its alert resolved).
  Result<void> close_action_links(std::string_view link_id);

 private:
  Connection& db_;
};

}  // namespace ttlink::store

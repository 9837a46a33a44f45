#pragma once
// The links, their audit log (append-only), and the public facts about the
// advertisers and accounts they use (stored in clear: no secrets here).
#include <string_view>
#include <vector>

#include "core/events/link_event.hpp"
#include "core/store/connection.hpp"
#include "core/store/records.hpp"

#include <map>

namespace ttlink::store {

class LinkTables {
 public:
  explicit LinkTables(Connection& db) : db_(db) {}

  // A PENDING link, and its "link.create" audit entry, in one transaction.
  Result<LinkRecord> create(std::string_view advertiser_id, const Actor& actor);
  Result<LinkRecord> get(std::string_view link_id);
  Result<std::vector<LinkRecord>> list(bool include_unlinked);
  // At most `limit` links with an id above `after` (0: from the first), by id.
  Result<std::vector<LinkRecord>> list_page(bool include_unlinked, std::int64_t after, int limit);
  // Up to `limit` links with a check (state not PENDING, UNLINKED, EXPIRED)
  // or a refresh (nor REAUTH_REQUIRED) due at `now`: due refreshes first,
  // then links in a bad state, then routine checks, most overdue first.
  // Read from indexes: the cost grows with what is due, not with all links.
  Result<std::vector<LinkRecord>> due(TimePoint now, int limit);
  // PENDING links last changed at or before `t` (abandoned authorizations).
  Result<std::vector<LinkRecord>> pending_since(TimePoint t);
  // The earliest next_refresh_at of links that refresh.
  Result<std::optional<TimePoint>> next_refresh();
  // Non-UNLINKED links per state, and the ids of those in `states`.
  Result<std::map<LinkState, int>> count_by_state();
  Result<std::vector<std::string>> ids_in(const std::vector<LinkState>& states);
  // Writes every field but id and created_at; bumps updated_at.
  Result<void> update(const LinkRecord& link);
  // Writes only what checks and refreshes move (identity, next refresh and
  // check, last check); bumps updated_at. The indexes on the advertiser and
  // the account are left alone: fewer pages per commit than update().
  Result<void> update_schedule(const LinkRecord& link);
  // Sets state + reason and appends the audit entry in one transaction.
  Result<void> transition(std::string_view link_id, LinkState to, const Reason& reason,
                          const Actor& actor);
  // Non-UNLINKED links that use this advertiser / account (to know whether
  // tokens may be wiped on unlink).
  Result<int> count_using_advertiser(std::string_view advertiser_id);
  Result<int> count_using_account(std::string_view open_id);

  Result<void> put_advertiser(const AdvertiserRecord& a);
  Result<std::optional<AdvertiserRecord>> get_advertiser(std::string_view advertiser_id);
  Result<void> put_account(const AccountRecord& a);
  Result<std::optional<AccountRecord>> get_account(std::string_view open_id);
  // Who the link is, for people (names from the advertiser and account rows).
  Result<LinkFacts> facts(const LinkRecord& link);

  // e.id is assigned by the store; e.at defaults (epoch) to the clock's now.
  Result<void> append_audit(const AuditEntry& e);
  // The `limit` newest entries, newest first.
  Result<std::vector<AuditEntry>> audit_of(std::string_view link_id, int limit);

 private:
  Connection& db_;
};

}  // namespace ttlink::store

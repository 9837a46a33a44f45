#include "core/ads/ads_context.hpp"

#include "core/tiktok/envelope.hpp"

namespace ttlink::ads {

Result<LinkAccess> link_access(store::Store& store, const std::string& link_id) {
  auto link = store.links().get(link_id);
  if (!link) return link.error();
  if (link->state == LinkState::kUnlinked)
    return Error::conflict("link " + link_id + " is UNLINKED");
  if (link->advertiser_id.empty())
    return Error::conflict("link " + link_id + " has no advertiser yet: finish linking first");
  auto token = store.tokens().advertiser(link->advertiser_id);
  if (!token) return token.error();
  if (!token->has_value())
    return Error::conflict("advertiser " + link->advertiser_id +
                           " has no access token: ttlinkctl reauth " + link_id);
  return LinkAccess{std::move(*link), std::move(**token)};
}

namespace {

// What the person can do about it, by the outcome table (README).
std::string hint(tiktok::Outcome outcome, const std::string& link_id) {
  switch (outcome) {
    case tiktok::Outcome::kRetry:
    case tiktok::Outcome::kBackOffApp:
      return "TikTok could not be reached or asked to slow down: run the command again later";
    case tiktok::Outcome::kRefreshFirst:
    case tiktok::Outcome::kLinkState:
      return "the link's authorization was refused: ttlinkctl check " + link_id;
    case tiktok::Outcome::kAppForbidden:
      return "TikTok forbids the app: see ttlinkctl status";
    case tiktok::Outcome::kLinkAttempt:
      return "the code is used, expired or unknown: ask the creator for a new one";
    case tiktok::Outcome::kBug:
      break;
  }
  return "TikTok refused the request as sent";
}

}  // namespace

Error refused(Logger& log, std::string_view event, const std::string& link_id, const Error& e) {
  const tiktok::Outcome outcome = tiktok::outcome_of(e);
  log.warn(event, {{"link", link_id},
                   {"outcome", tiktok::to_string(outcome)},
                   {"code", std::to_string(e.upstream_code)},
                   {"request_id", e.request_id},
                   {"error", e.message}});
  Error told = e;
  const std::string code = e.kind == ErrorKind::kUpstream && e.upstream_code
                               ? std::to_string(e.upstream_code) + ": "
                               : "";
  told.message = e.message + " (" + code + hint(outcome, link_id) +
                 (e.request_id.empty() ? "" : "; request_id " + e.request_id) + ")";
  return told;
}

Result<void> audit(store::Store& store, const std::string& link_id, const store::Actor& actor,
                   std::string action, std::string message) {
  store::AuditEntry e;
  e.link_id = link_id;
  e.actor = actor.description;
  e.action = std::move(action);
  e.reason_message = std::move(message);
  return store.links().append_audit(e);
}

}  // namespace ttlink::ads

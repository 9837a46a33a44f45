#pragma once
// core/ads: what an advertiser does with a linked identity (the seed's next
// step): the Ad Identities of a link, creators' post authorization codes,
// campaign -> ad group -> Spark Ad launches (idempotent, recorded), and the
// paid figures of the link's Spark Ads. Owns: the launch record and the paid
// figures in the store (store::AdsTables), what a person is told when
// upstream refuses. Must not touch: link states (core/links decides them),
// comments (core/spark), alerts.
//
// ads_context.hpp: the parts every component of core/ads uses, and the two
// things they all do: find a link that may act upstream (with its
// advertiser's token), and turn an upstream failure into what the person
// asking is told (and the journal keeps).
#include <string>
#include <string_view>

#include "core/store/store.hpp"
#include "core/tiktok/api_client.hpp"
#include "core/util/clock.hpp"
#include "core/util/log.hpp"

namespace ttlink::ads {

struct AdsContext {
  store::Store& store;
  tiktok::ApiClient& api;
  Logger& log;
  Clock clock;
};

// A link that can act for its advertiser, and the advertiser's token.
struct LinkAccess {
  store::LinkRecord link;
  Secret token;
};

// The link and its advertiser's access token. Errors: an unknown link
// (kNotFound), an unlinked one or one without an advertiser or token (kConflict).
Result<LinkAccess> link_access(store::Store& store, const std::string& link_id);

// What the person asking is told when upstream refused a call made for
// them: upstream's code and message, its request_id, and what to do, per
// tiktok::outcome_of. The failure is logged at warn as `event` with the
// outcome, code and request_id. Never retried here: the person decides.
Error refused(Logger& log, std::string_view event, const std::string& link_id, const Error& e);

// A store::Actor's audit entry for the link.
Result<void> audit(store::Store& store, const std::string& link_id, const store::Actor& actor,
                   std::string action, std::string message);

}  // namespace ttlink::ads

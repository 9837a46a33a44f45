#pragma once
// The TikTok response envelope {code, message, request_id, data} and what
// each error code means for ttlink (tiktok-api.md, "Envelope, errors").
#include <boost/json/object.hpp>

#include <string_view>

#include "core/util/result.hpp"

namespace ttlink::tiktok {

// Decodes one HTTP response from `path`. Success: the `data` object.
// Errors: kUpstream with TikTok's code and message; kTransient for transport
// trouble (5xx, 429, a body that is not the envelope, code 0 without data).
Result<boost::json::object> decode_envelope(int http_status, std::string_view body,
                                            std::string_view path);

// What ttlink does about an upstream error code.
enum class Reaction {
  kRetryLater,       // 40100, 40132, 50000, 50002, 51xxx, 60001: transient
  kBackOffLong,      // 61000: blocklisted, long back-off
  kRefreshToken,     // 40102: access token expired
  kReauthorize,      // 40001, 40003, 40103, 40105, 40107, 40114, 40130, 40131
  kPermission,       // 40301: the user lacks admin/operator role
  kAppForbidden,     // 40113: fatal for every account
  kAuthCodeInvalid,  // 40110: the link attempt must start again
  kNotFound,         // 40007, 40300
  kBug,              // 40000, 40002, 40104, 40108 and anything unknown
};

Reaction classify(long code);

// What ttlink does about any failure of an upstream call: the one table
// (README "What each upstream failure does"). Transport trouble and
// malformed answers retry; an error no rule explains is a ttlink bug.
enum class Outcome {
  kRetry,         // back off, try again (transient codes, 5xx, timeouts, resets, malformed)
  kRefreshFirst,  // 40102 (and 40105 once for accounts): refresh, then retry
  kBackOffApp,    // 40100, 40132 (endpoint/app rate limit), 61000 (blocklist: long)
  kLinkState,     // 40001 40003 40103 40105 40107 40114 40130 40131 40301: state + alert
  kAppForbidden,  // 40113: one app-wide alert, calls paused
  kLinkAttempt,   // 40110: the link attempt starts again (the caller is told)
  kBug,           // 40000 40002 40007 40104 40108 40300, HTTP 4xx, unknown: upstream_error
};
Outcome outcome_of(const Error& e);
std::string_view to_string(Outcome o);
// Codes some callers tell apart within their reaction.
inline constexpr long kAccessTokenExpired = 40102;
inline constexpr long kAccessTokenInvalid = 40105;
inline constexpr long kPartialSuccess = 20001;
// True for errors worth retrying as they are (transport trouble, rate limits).
bool is_transient(const Error& e);

}  // namespace ttlink::tiktok

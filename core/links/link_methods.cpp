#include "core/links/link_methods.hpp"

#include <map>
#include <optional>

#include "core/links/link_view.hpp"
#include "core/version.hpp"

namespace ttlink::links {
namespace json = boost::json;
using boost::asio::awaitable;
using rpc::invalid_params;
using rpc::MethodError;
using rpc::MethodResult;
using rpc::Peer;

std::vector<tiktok::OpenBackoff> open_backoffs(const RetryState& retries) {
  std::vector<tiktok::OpenBackoff> out;
  if (retries.gate)
    if (auto left = retries.gate->seconds_left())
      out.push_back(
          {"app", "", *left, retries.gate->condition()->code, retries.gate->condition()->message});
  if (retries.limiter)
    for (auto& b : retries.limiter->open_backoffs()) out.push_back(std::move(b));
  return out;
}

namespace {

store::Actor actor_of(const Peer& peer) {
  return {peer.describe()};
}

// The link id parameter: a decimal string (ids are never parsed as numbers).
Result<std::string> link_id_param(const json::object& params) {
  auto id = rpc::require_string(params, "id");
  if (!id) return id.error();
  if (id->empty() || id->size() > 19 || id->find_first_not_of("0123456789") != std::string::npos)
    return Error::invalid("id must be a link id (digits), got \"" + id->substr(0, 40) + "\"");
  return id;
}

MethodResult link_result(LinkService& s, const Result<store::LinkRecord>& link) {
  if (!link) return rpc::to_method_error(link.error());
  return json::value(json::object{{"link", link_json(s.store(), *link)}});
}

// Back-off windows open now and links waiting to retry, with why.
json::object retry_json(LinkService& s, const RetryState& retries) {
  json::array backoffs, failing;
  for (const auto& b : open_backoffs(retries)) {
    json::object o{{"scope", b.scope},
                   {"endpoint", b.endpoint},
                   {"seconds_left", static_cast<std::int64_t>(b.seconds_left)}};
    if (b.code) {
      o["code"] = b.code;
      o["reason"] = b.reason;
    }
    backoffs.push_back(std::move(o));
  }
  if (retries.scheduler)
    for (const auto& [id, failures] : retries.scheduler->failing()) {
      auto link = s.store().links().get(id);
      json::object f{{"id", id}, {"failures", failures}};
      if (link)
        f["next_check_at"] = link->next_check_at ? json::value(format_rfc3339(*link->next_check_at))
                                                 : json::value(nullptr);
      failing.push_back(std::move(f));
    }
  return {{"backoffs", std::move(backoffs)}, {"failing_links", std::move(failing)}};
}

// Whether the check interval fits in the request budget, and how late work is.
json::object schedule_json(LinkService& s, const RetryState& retries) {
  const Seconds interval = s.config().poll.status_interval;
  json::object out{{"interval_seconds", interval.count()},
                   {"effective_interval_seconds", interval.count()},
                   {"lag_seconds", 0},
                   {"requests_per_check", 0.0},
                   {"message", ""}};
  if (!retries.scheduler) return out;
  const auto& budget = retries.scheduler->budget();
  out["effective_interval_seconds"] = budget.effective(interval).count();
  out["lag_seconds"] = retries.scheduler->lag().count();
  out["requests_per_check"] = budget.requests_per_check();
  out["message"] = budget.message(interval);
  return out;
}

awaitable<MethodResult> status(LinkService& s, FiringCount alerts_firing, RetryState retries) {
  auto firing = alerts_firing ? alerts_firing() : Result<int>(0);
  if (!firing) co_return rpc::to_method_error(firing.error());
  // Counts and ids from the store's indexes: no link is read whole.
  auto counts = s.store().links().count_by_state();
  if (!counts) co_return rpc::to_method_error(counts.error());
  json::object by_state;
  std::vector<LinkState> attention_states;
  for (LinkState st : kAllLinkStates) {
    if (st == LinkState::kUnlinked) continue;
    by_state[to_string(st)] = 0;
    if (needs_attention(st)) attention_states.push_back(st);
  }
  for (const auto& [st, n] : *counts) by_state[to_string(st)] = n;
  auto ids = s.store().links().ids_in(attention_states);
  if (!ids) co_return rpc::to_method_error(ids.error());
  json::array attention;
  for (auto& id : *ids) attention.emplace_back(std::move(id));
  auto next_refresh = s.store().links().next_refresh();
  if (!next_refresh) co_return rpc::to_method_error(next_refresh.error());
  co_return json::value(
      json::object{{"links_by_state", by_state},
                   {"needs_attention", attention},
                   {"next_refresh_at", *next_refresh ? json::value(format_rfc3339(**next_refresh))
                                                     : json::value(nullptr)},
                   {"alerts_firing", *firing},
                   {"retries", retry_json(s, retries)},
                   {"schedule", schedule_json(s, retries)},
                   {"comments", retries.comments ? retries.comments() : json::object()},
                   {"version", kVersion}});
}

// The most links one links.list page holds.
constexpr std::int64_t kMaxPage = 1000;

struct ListPage {
  std::int64_t after = 0;             // link id; 0: from the first
  std::optional<std::int64_t> limit;  // unset: every link in one answer
};

Result<ListPage> list_page_params(const json::object& params) {
  ListPage page;
  if (const auto* limit = params.if_contains("limit")) {
    if (!limit->is_int64() || limit->as_int64() < 1 || limit->as_int64() > kMaxPage)
      return Error::invalid("limit must be an integer from 1 to " + std::to_string(kMaxPage));
    page.limit = limit->as_int64();
  }
  if (params.contains("after")) {
    auto after = rpc::require_string(params, "after");
    if (!after) return after.error();
    auto id = store::parse_link_id(*after);
    if (!id)
      return Error::invalid("after must be a link id (digits), got \"" + after->substr(0, 40) +
                            "\"");
    page.after = *id;
  }
  return page;
}

// Every link, or (with `limit`) one page of them by id: `next` is the
// `after` of the following page, null after the last. ttlinkctl pages, so
// that 100,000 links are not one answer that holds the daemon's thread for
// seconds.
awaitable<MethodResult> list(LinkService& s, const json::object& params) {
  bool all = false;
  if (auto* v = params.if_contains("all"); v && v->is_bool()) all = v->get_bool();
  auto page = list_page_params(params);
  if (!page) co_return invalid_params(page.error().message);
  auto links = page->limit
                   ? s.store().links().list_page(all, page->after, static_cast<int>(*page->limit))
                   : s.store().links().list(all);
  if (!links) co_return rpc::to_method_error(links.error());
  json::array out;
  for (const auto& l : *links) out.push_back(link_json(s.store(), l));
  json::value next = nullptr;
  if (page->limit && !links->empty() && static_cast<std::int64_t>(links->size()) == *page->limit)
    next = json::value(links->back().id);
  co_return json::value(json::object{{"links", out}, {"next", next}});
}

awaitable<MethodResult> get(LinkService& s, const json::object& params) {
  auto id = link_id_param(params);
  if (!id) co_return invalid_params(id.error().message);
  auto link = s.store().links().get(*id);
  if (!link) co_return rpc::to_method_error(link.error());
  auto history = s.store().links().audit_of(*id, 100);
  if (!history) co_return rpc::to_method_error(history.error());
  json::array h;
  for (const auto& e : *history) h.push_back(audit_json(e));
  json::value pending = nullptr;
  if (auto urls = s.pending_urls(*id)) pending = urls_json(*urls);
  json::object result{{"link", link_json(s.store(), *link)}, {"history", h}, {"pending", pending}};
  for (auto& [key, value] : consolidated_json(s.store(), *link)) result[key] = value;
  co_return json::value(std::move(result));
}

awaitable<MethodResult> start(LinkService& s, const json::object& params, const Peer& peer) {
  std::string advertiser;
  if (params.contains("advertiser_id")) {
    auto a = rpc::require_string(params, "advertiser_id");
    if (!a) co_return invalid_params(a.error().message);
    if (a->empty() || a->size() > 19 || a->find_first_not_of("0123456789") != std::string::npos)
      co_return invalid_params("advertiser_id must be up to 19 digits");
    advertiser = *a;
  }
  auto urls = co_await s.start(advertiser, actor_of(peer));
  if (!urls) co_return rpc::to_method_error(urls.error());
  co_return json::value(urls_json(*urls));
}

awaitable<MethodResult> complete(LinkService& s, const json::object& params, const Peer& peer) {
  auto code = rpc::require_string(params, "code");
  if (!code) co_return invalid_params(code.error().message);
  auto state = rpc::require_string(params, "state");
  if (!state) co_return invalid_params(state.error().message);
  auto done = co_await s.complete(Secret(*code), *state, actor_of(peer));
  if (!done) co_return rpc::to_method_error(done.error());
  co_return json::value(json::object{
      {"link", link_json(s.store(), done->link)},
      {"completed", done->kind == store::AuthKind::kAdvertiser ? "advertiser" : "account"}});
}

awaitable<MethodResult> reauth(LinkService& s, const json::object& params, const Peer& peer) {
  auto id = link_id_param(params);
  if (!id) co_return invalid_params(id.error().message);
  auto urls = co_await s.reauth(*id, actor_of(peer));
  if (!urls) co_return rpc::to_method_error(urls.error());
  co_return json::value(urls_json(*urls));
}

using LinkAction = awaitable<Result<store::LinkRecord>> (LinkService::*)(std::string,
                                                                         const store::Actor&);

awaitable<MethodResult> act(LinkService& s, LinkAction action, const json::object& params,
                            const Peer& peer) {
  auto id = link_id_param(params);
  if (!id) co_return invalid_params(id.error().message);
  auto link = co_await (s.*action)(*id, actor_of(peer));
  co_return link_result(s, link);
}

}  // namespace

void register_link_methods(rpc::Registry& r, LinkService& s, FiringCount alerts_firing,
                           RetryState retries) {
  r.add("status", "counts of links per state, what needs a person, firing alerts",
        [&s, alerts_firing, retries](const json::object&, const Peer&) {
          return status(s, alerts_firing, retries);
        });
  r.add("links.list", "the links with their state (params: all, limit, after)",
        [&s](const json::object& p, const Peer&) { return list(s, p); });
  r.add("link.get", "one link, its history and pending authorization (params: id)",
        [&s](const json::object& p, const Peer&) { return get(s, p); });
  r.add("link.start", "start linking (params: advertiser_id?)",
        [&s](const json::object& p, const Peer& peer) { return start(s, p, peer); });
  r.add("link.complete", "complete an authorization with a pasted code (params: code, state)",
        [&s](const json::object& p, const Peer& peer) { return complete(s, p, peer); });
  r.add("link.reauth", "new authorization URLs for a link (params: id)",
        [&s](const json::object& p, const Peer& peer) { return reauth(s, p, peer); });
  r.add("link.unlink", "revoke and wipe a link's tokens (params: id)",
        [&s](const json::object& p, const Peer& peer) {
          return act(s, &LinkService::unlink, p, peer);
        });
  r.add("link.check", "run every check of a link now (params: id)",
        [&s](const json::object& p, const Peer& peer) {
          return act(s, &LinkService::check, p, peer);
        });
  r.add("link.refresh", "refresh a link's account token now (params: id)",
        [&s](const json::object& p, const Peer& peer) {
          return act(s, &LinkService::refresh, p, peer);
        });
}

}  // namespace ttlink::links

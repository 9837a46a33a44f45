#include "core/spark/spark_service.hpp"

#include <map>
#include <set>

#include "core/tiktok/envelope.hpp"
#include "core/tiktok/posts.hpp"

namespace ttlink::spark {

using boost::asio::awaitable;

namespace {

CommentSyncOptions sync_options(const config::Config& c) {
  CommentSyncOptions o;
  o.backfill = c.comments.backfill;
  o.keywords = c.comments.alert_keywords;
  return o;
}

store::PostRecord to_record(const std::string& advertiser_id, const tiktok::PostAuthorization& p,
                            TimePoint now) {
  return {advertiser_id, p.item_id, p.auth_code_status, p.identity_id,   p.identity_type,
          p.tiktok_name, p.text,    p.auth_start_time,  p.auth_end_time, now};
}

// The link's Spark Ads: those run under its identity, and those on posts
// other creators authorized by code.
bool ours(const store::LinkRecord& link, const tiktok::SparkAd& ad) {
  return link.identity_id.empty() || ad.identity_id == link.identity_id ||
         ad.identity_type == "AUTH_CODE";
}

// The ad groups whose comments belong to this link.
std::vector<std::string> adgroups_of(const store::LinkRecord& link,
                                     const std::vector<tiktok::SparkAd>& ads) {
  std::set<std::string> groups;
  for (const auto& ad : ads)
    if (ours(link, ad) && !ad.adgroup_id.empty()) groups.insert(ad.adgroup_id);
  return {groups.begin(), groups.end()};
}

std::vector<std::string> ad_ids_of(const store::LinkRecord& link,
                                   const std::vector<tiktok::SparkAd>& ads) {
  std::vector<std::string> ids;
  for (const auto& ad : ads)
    if (ours(link, ad)) ids.push_back(ad.ad_id);
  return ids;
}

constexpr const char* kPaidSource = "report";

// Whether the Accounts API reads the comments of this ad group whole: every
// ad of the link in it runs one of the account's own posts (which
// /business/comment/list/ lists with all their comments, organic or
// promoted: tiktok-api.md), none a creator's post bound by code.
bool read_through_accounts_api(const store::LinkRecord& link, const std::string& adgroup_id,
                               const std::vector<tiktok::SparkAd>& ads,
                               const std::set<std::string>& own_videos) {
  if (own_videos.empty()) return false;
  bool any = false;
  for (const auto& ad : ads) {
    if (ad.adgroup_id != adgroup_id || !ours(link, ad)) continue;
    if (ad.identity_type == "AUTH_CODE" || !own_videos.count(ad.tiktok_item_id)) return false;
    any = true;
  }
  return any;
}

}  // namespace

SparkService::SparkService(store::Store& store, tiktok::ApiClient& api,
                           const config::Config& config, alerts::Engine* engine, Logger& log,
                           std::function<TimePoint()> clock, AccountTokenSource account_tokens)
    : store_(store),
      api_(api),
      config_(config),
      engine_(engine),
      log_(log),
      clock_(clock),
      account_tokens_(std::move(account_tokens)),
      comments_(store, api, sync_options(config), clock) {}

bool SparkService::syncable(const store::LinkRecord& link) {
  if (link.advertiser_id.empty()) return false;
  return link.state == LinkState::kActive || link.state == LinkState::kExpiring ||
         link.state == LinkState::kDegraded;
}

void SparkService::apply_config() {
  comments_.set_keywords(config_.comments.alert_keywords);
  comments_.set_backfill(config_.comments.backfill);
}

Result<Secret> SparkService::advertiser_token(const std::string& advertiser_id) {
  auto token = store_.tokens().advertiser(advertiser_id);
  if (!token) return token.error();
  if (!token->has_value())
    return Error::conflict("advertiser " + advertiser_id + " has no access token: reauthorize");
  return std::move(**token);
}

// The advertiser's posts (stored) and Spark Ads, from this round's listing
// when `shared` and another link of the advertiser listed them already.
awaitable<Result<const SparkService::Listed*>> SparkService::listing(const store::LinkRecord& link,
                                                                     const Secret& token,
                                                                     bool shared) {
  if (shared)
    if (auto it = listed_.find(link.advertiser_id); it != listed_.end()) co_return &it->second;
  auto posts = co_await tiktok::post_authorizations(api_, token, link.advertiser_id);
  if (!posts) co_return posts.error();
  std::vector<store::PostRecord> rows;
  for (const auto& p : *posts) rows.push_back(to_record(link.advertiser_id, p, clock_()));
  if (auto r = store_.spark().replace_posts(link.advertiser_id, rows); !r) co_return r.error();
  auto ads = co_await tiktok::spark_ads(api_, token, link.advertiser_id);
  if (!ads) co_return ads.error();
  Listed& l = listed_[link.advertiser_id];
  l.posts = static_cast<int>(rows.size());
  l.ads = std::move(*ads);
  co_return &l;
}

awaitable<Result<LinkSyncReport>> SparkService::sync_link(std::string link_id, bool shared) {
  auto guard = co_await syncing_.lock(link_id);
  auto link = store_.links().get(link_id);
  if (!link) co_return link.error();
  if (!syncable(*link))
    co_return Error::conflict("link " + link_id + " is " + std::string(to_string(link->state)) +
                              ": its Spark Ads are not synced");
  auto token = advertiser_token(link->advertiser_id);
  if (!token) co_return token.error();
  LinkSyncReport report;
  auto listed = co_await listing(*link, *token, shared);
  if (!listed) co_return listed.error();
  report.posts = (*listed)->posts;
  // Copied: another link's sync may replace the listing while this one pages.
  const std::vector<std::string> groups = adgroups_of(*link, (*listed)->ads);
  const std::vector<std::string> ad_ids = ad_ids_of(*link, (*listed)->ads);
  const auto videos = own_videos(*link);
  const std::set<std::string> own(videos.begin(), videos.end());
  for (const auto& group : groups) {
    const std::string source = "adgroup:" + group;
    if (sources_.waiting(link->id, source, clock_())) continue;
    ++report.adgroups;
    if (read_through_accounts_api(*link, group, (*listed)->ads, own))
      if (auto r = comments_.skip_backfill(*link, group); !r) co_return r.error();
    auto synced = co_await comments_.sync_adgroup(*link, *token, group);
    if (auto r = source_outcome(*link, source, synced, report); !r) co_return r.error();
  }
  // The poller's round reads them at most once an interval; a person's sync now.
  if (auto r = co_await sync_paid(*link, *token, ad_ids, !shared, report); !r) co_return r.error();
  if (videos.empty()) co_return report;
  auto access = co_await account_tokens_(link->open_id);
  if (!access) co_return access.error();
  for (const auto& video : videos) {
    const std::string source = "video:" + video;
    if (sources_.waiting(link->id, source, clock_())) continue;
    ++report.videos;
    auto synced = co_await comments_.sync_video(*link, *access, video);
    if (auto r = source_outcome(*link, source, synced, report); !r) co_return r.error();
  }
  co_return report;
}

// One source's read: counted on success; a permanent failure backs that
// source off alone (the link's other sources go on); any other failure
// (transient, a token, the app) ends the link's sync with that error.
Result<void> SparkService::source_outcome(const store::LinkRecord& link, const std::string& source,
                                          const Result<SyncReport>& synced,
                                          LinkSyncReport& report) {
  if (synced) {
    sources_.succeeded(link.id, source);
    report.comments += *synced;
    return {};
  }
  if (!permanent_for_source(synced.error())) return synced.error();
  ++report.sources_failed;
  const TimePoint retry =
      sources_.failed(link.id, source, synced.error(), clock_(), config_.poll.comments_interval);
  log_.warn("spark.source_failed",
            {{"link", link.id},
             {"source", source},
             {"outcome", std::string(tiktok::to_string(tiktok::outcome_of(synced.error())))},
             {"code", std::to_string(synced.error().upstream_code)},
             {"request_id", synced.error().request_id},
             {"retry_at", format_rfc3339(retry)},
             {"error", synced.error().message}});
  return {};
}

awaitable<Result<void>> SparkService::sync_paid(const store::LinkRecord& link, const Secret& token,
                                                std::vector<std::string> ad_ids, bool forced,
                                                LinkSyncReport& report) {
  if (!paid_ || sources_.waiting(link.id, kPaidSource, clock_())) co_return Result<void>();
  auto stored = co_await paid_(link, token, std::move(ad_ids), forced);
  if (stored) report.paid_rows = *stored;
  const Result<SyncReport> as_source =
      stored ? Result<SyncReport>(SyncReport{}) : Result<SyncReport>(stored.error());
  co_return source_outcome(link, kPaidSource, as_source, report);
}

std::vector<std::string> SparkService::own_videos(const store::LinkRecord& link) {
  if (!account_tokens_ || link.open_id.empty() || link.identity_id.empty()) return {};
  auto account = store_.links().get_account(link.open_id);
  if (!account || !account->has_value()) return {};
  const std::string scopes = "," + (*account)->scope + ",";
  if (scopes.find(",comment.list,") == std::string::npos) return {};
  auto posts = store_.spark().list_posts(link.advertiser_id);
  if (!posts) return {};
  std::vector<std::string> videos;
  for (const auto& p : *posts)
    if (p.identity_id == link.identity_id && p.auth_code_status != "DELETED")
      videos.push_back(p.item_id);
  return videos;
}

// Comments under an ad go through the Marketing API as the link's identity;
// organic ones (no ad) through the Accounts API as the account.
awaitable<Result<tiktok::UpstreamComment>> SparkService::post_reply(
    const store::LinkRecord& link, const store::CommentRecord& parent, std::string text) {
  if (parent.ad_id.empty()) {
    if (!account_tokens_) co_return Error::conflict("organic comments cannot be answered here");
    auto access = co_await account_tokens_(link.open_id);
    if (!access) co_return access.error();
    co_return co_await tiktok::business_reply(api_, *access, link.open_id, parent.item_id,
                                              parent.comment_id, text);
  }
  if (link.identity_id.empty())
    co_return Error::conflict("link " + link.id + " has no identity yet: run ttlinkctl check " +
                              link.id);
  auto token = advertiser_token(link.advertiser_id);
  if (!token) co_return token.error();
  tiktok::ReplyRequest request;  // members one by one: see comments.cpp on GCC 12
  request.advertiser_id = link.advertiser_id;
  request.ad_id = parent.ad_id;
  request.item_id = parent.item_id;
  request.comment_id = parent.comment_id;
  request.identity_id = link.identity_id;
  request.identity_type = link.identity_type;
  request.text = std::move(text);
  co_return co_await tiktok::post_reply(api_, *token, std::move(request));
}

awaitable<Result<void>> SparkService::post_hidden(const store::LinkRecord& link,
                                                  const store::CommentRecord& c, bool hidden) {
  if (c.ad_id.empty()) {
    if (!account_tokens_) co_return Error::conflict("organic comments cannot be hidden here");
    auto access = co_await account_tokens_(link.open_id);
    if (!access) co_return access.error();
    co_return co_await tiktok::business_set_hidden(api_, *access, link.open_id, c.item_id,
                                                   c.comment_id, hidden);
  }
  auto token = advertiser_token(link.advertiser_id);
  if (!token) co_return token.error();
  co_return co_await tiktok::set_comment_hidden(api_, *token, link.advertiser_id, c.comment_id,
                                                hidden);
}

// A person's action upstream refused: they are told by ttlinkctl, and the
// journal keeps upstream's code and request_id. Not retried: they decide.
void SparkService::log_failed_action(std::string_view event, const std::string& comment_id,
                                     const Error& e) {
  log_.warn(event, {{"comment", comment_id},
                    {"outcome", std::string(tiktok::to_string(tiktok::outcome_of(e)))},
                    {"code", std::to_string(e.upstream_code)},
                    {"request_id", e.request_id},
                    {"error", e.message}});
}

Result<store::LinkRecord> SparkService::link_of(const store::CommentRecord& c) {
  auto link = store_.links().get(c.link_id);
  if (!link) return link.error();
  if (link->advertiser_id.empty() || link->state == LinkState::kUnlinked)
    return Error::conflict("link " + c.link_id + " of comment " + c.comment_id +
                           " is unlinked: its comments are read-only");
  return link;
}

Result<void> SparkService::audit(const store::CommentRecord& c, const store::Actor& actor,
                                 std::string action, std::string message) {
  store::AuditEntry e;
  e.at = clock_();
  e.link_id = c.link_id;
  e.actor = actor.description;
  e.action = std::move(action);
  e.reason_message = std::move(message);
  return store_.links().append_audit(e);
}

namespace {
Result<store::CommentRecord> known_comment(store::SparkTables& spark, const std::string& id) {
  auto c = spark.get_comment(id);
  if (!c) return c.error();
  if (!c->has_value()) return Error::not_found("no comment " + id);
  return std::move(**c);
}
}  // namespace

awaitable<Result<ActionResult>> SparkService::reply(std::string comment_id, std::string text,
                                                    store::Actor actor) {
  auto comment = known_comment(store_.spark(), comment_id);
  if (!comment) co_return comment.error();
  // Refused before any token is fetched or refreshed for it.
  if (auto ok = tiktok::check_reply_text(text); !ok) co_return ok.error();
  auto link = link_of(*comment);
  if (!link) co_return link.error();
  auto posted = co_await post_reply(*link, *comment, text);
  if (!posted) {
    log_failed_action("comment.reply_failed", comment_id, posted.error());
    co_return posted.error();
  }
  if (posted->author.empty()) posted->author = link->identity_id;  // the Marketing API omits it
  const std::vector<std::string> no_keywords;                      // our own reply matches none
  const store::CommentRecord reply =
      comment_record(*link, comment->adgroup_id, *posted, no_keywords, clock_());
  auto stored = store_.in_transaction([&]() -> Result<void> {
    const std::vector<store::CommentRecord> rows{reply};
    if (auto n = store_.spark().insert_comments(rows); !n) return n.error();
    if (auto r = store_.spark().set_replied(comment->comment_id, "ttlink"); !r) return r;
    return audit(*comment, actor, "comment.reply",
                 "replied to comment " + comment->comment_id + " with " + reply.comment_id);
  });
  if (!stored) co_return stored.error();
  auto now = known_comment(store_.spark(), comment_id);
  if (!now) co_return now.error();
  ActionResult result;
  result.comment = std::move(*now);
  result.reply_id = reply.comment_id;
  co_return result;
}

awaitable<Result<ActionResult>> SparkService::set_hidden(std::string comment_id, bool hidden,
                                                         store::Actor actor) {
  auto comment = known_comment(store_.spark(), comment_id);
  if (!comment) co_return comment.error();
  auto link = link_of(*comment);
  if (!link) co_return link.error();
  auto done = co_await post_hidden(*link, *comment, hidden);
  if (!done) {
    log_failed_action(hidden ? "comment.hide_failed" : "comment.unhide_failed", comment_id,
                      done.error());
    co_return done.error();
  }
  auto stored = store_.in_transaction([&]() -> Result<void> {
    if (auto r = store_.spark().set_hidden(comment_id, hidden); !r) return r;
    return audit(*comment, actor, hidden ? "comment.hide" : "comment.unhide",
                 std::string(hidden ? "hid" : "unhid") + " comment " + comment_id);
  });
  if (!stored) co_return stored.error();
  auto now = known_comment(store_.spark(), comment_id);
  if (!now) co_return now.error();
  ActionResult result;
  result.comment = std::move(*now);
  co_return result;
}

Result<std::vector<PostOwner>> SparkService::posts_with_links() {
  auto posts = store_.spark().list_posts();
  if (!posts) return posts.error();
  if (posts->empty()) return std::vector<PostOwner>{};  // no need to read every link
  auto links = store_.links().list(false);
  if (!links) return links.error();
  std::multimap<std::string, const store::LinkRecord*> by_advertiser;
  for (const auto& l : *links) by_advertiser.emplace(l.advertiser_id, &l);
  std::vector<PostOwner> out;
  for (auto& p : *posts) {
    // The link whose identity made the post, else the advertiser's first link.
    const store::LinkRecord* owner = nullptr;
    for (auto [it, end] = by_advertiser.equal_range(p.advertiser_id); it != end; ++it)
      if (!owner || (!p.identity_id.empty() && it->second->identity_id == p.identity_id))
        owner = it->second;
    if (owner) out.push_back({std::move(p), owner->id});
  }
  return out;
}

// Conditions name their link by id; an alert says who the link is.
Result<void> SparkService::with_link_facts(std::vector<alerts::Condition>& conditions) {
  std::map<std::string, LinkFacts> known;
  for (auto& c : conditions) {
    auto it = known.find(c.link.id);
    if (it == known.end()) {
      auto link = store_.links().get(c.link.id);
      if (!link) return link.error();
      auto facts = store_.links().facts(*link);
      if (!facts) return facts.error();
      it = known.emplace(c.link.id, std::move(*facts)).first;
    }
    c.link = it->second;
  }
  return {};
}

Result<void> SparkService::reconcile(AlertKind kind, std::vector<alerts::Condition> conditions) {
  if (auto r = with_link_facts(conditions); !r) return r;
  return engine_->reconcile(kind, conditions);
}

namespace {
// Comment syncs of a link that fail in a row before a person is told.
constexpr int kSyncFailuresBeforeAlert = 3;
}  // namespace

void SparkService::note_sync(const std::string& link_id, const Result<LinkSyncReport>& outcome) {
  if (outcome) {
    sync_failures_.erase(link_id);
    return;
  }
  auto& f = sync_failures_[link_id];
  ++f.count;
  f.last = {outcome.error().upstream_code, outcome.error().message, outcome.error().request_id};
}

std::vector<alerts::Condition> SparkService::sync_failing_conditions() const {
  std::vector<alerts::Condition> out;
  for (const auto& [link_id, f] : sync_failures_) {
    if (f.count < kSyncFailuresBeforeAlert) continue;
    alerts::Condition c;
    c.kind = AlertKind::kCommentsSyncFailing;
    c.severity = Severity::kWarning;
    c.subject = link_id;
    c.link.id = link_id;
    c.reason = f.last;
    c.action = {"Comments have stopped arriving: check the reason; ttlink keeps retrying",
                std::nullopt};
    c.ctl = "ttlinkctl sync " + link_id;
    out.push_back(std::move(c));
  }
  for (const auto& f : sources_.failing(kSourceFailuresBeforeAlert)) {
    alerts::Condition c;
    c.kind = AlertKind::kCommentsSyncFailing;
    c.severity = Severity::kWarning;
    c.subject = f.link_id + "/" + f.source;
    c.link.id = f.link_id;
    c.reason = f.last;
    c.action = {f.source == kPaidSource
                    ? "The paid figures of the link's Spark Ads have stopped arriving: upstream "
                      "refuses the report; ttlink retries it with back-off (comments still "
                      "arrive)"
                    : "Comments of " + f.source +
                          " have stopped arriving: upstream refuses to list them; ttlink retries "
                          "it with back-off (the link's other comments still arrive)",
                std::nullopt};
    c.ctl = "ttlinkctl sync " + f.link_id;
    out.push_back(std::move(c));
  }
  return out;
}

Result<void> SparkService::evaluate_alerts() {
  if (!engine_) return {};
  const TimePoint now = clock_();
  auto posts = posts_with_links();
  if (!posts) return posts.error();
  const Seconds warn = config_.refresh.warn_post_auth_before;
  if (auto r = reconcile(AlertKind::kPostAuthExpiring, post_expiring_conditions(*posts, now, warn));
      !r)
    return r;
  if (auto r = reconcile(AlertKind::kPostAuthExpired, post_expired_conditions(*posts, now)); !r)
    return r;
  auto flagged = store_.spark().flagged();
  if (!flagged) return flagged.error();
  if (auto r = reconcile(AlertKind::kCommentKeyword, keyword_conditions(*flagged)); !r) return r;
  const Seconds after = config_.comments.alert_unanswered_after;
  auto waiting = store_.spark().unanswered(now - after);
  if (!waiting) return waiting.error();
  if (auto r = reconcile(AlertKind::kCommentUnanswered, unanswered_conditions(*waiting, after)); !r)
    return r;
  return reconcile(AlertKind::kCommentsSyncFailing, sync_failing_conditions());
}

}  // namespace ttlink::spark

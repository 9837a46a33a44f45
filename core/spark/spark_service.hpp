#pragma once
// Spark Ads work on the daemon's state thread: syncing a link's post
// authorizations and comments, acting on a comment (reply, hide, unhide)
// and turning the synced data into alerts. An action is recorded only after
// upstream accepted it, and audited with who asked.
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/alerts/engine.hpp"
#include "core/config/config.hpp"
#include "core/spark/comment_sync.hpp"
#include "core/spark/source_backoff.hpp"
#include "core/spark/spark_alerts.hpp"
#include "core/store/store.hpp"
#include "core/tiktok/api_client.hpp"
#include "core/tiktok/comments.hpp"
#include "core/tiktok/posts.hpp"
#include "core/util/keyed_mutex.hpp"
#include "core/util/log.hpp"

namespace ttlink::spark {

struct LinkSyncReport {
  int posts = 0;
  int adgroups = 0;
  int videos = 0;          // own posts read through the Accounts API
  int sources_failed = 0;  // ad groups or posts refused for good (backed off alone)
  SyncReport comments;
  std::optional<int> paid_rows;  // paid figures stored; none when not read this time
};

// A working access token of an account (LinkService refreshes it when due).
using AccountTokenSource =
    std::function<boost::asio::awaitable<Result<Secret>>(std::string open_id)>;

// Reads and stores the paid figures of a link's Spark Ads (core/ads, wired
// by the daemon): the rows stored, or nullopt when nothing was asked.
using PaidSource = std::function<boost::asio::awaitable<Result<std::optional<int>>>(
    const store::LinkRecord& link, const Secret& advertiser_token,
    std::vector<std::string> spark_ad_ids, bool forced)>;

struct ActionResult {
  store::CommentRecord comment;  // as stored after the action
  std::string reply_id;          // for a reply: the new comment's id
};

class SparkService {
 public:
  // Without `account_tokens`, only the Marketing API is read.
  SparkService(store::Store& store, tiktok::ApiClient& api, const config::Config& config,
               alerts::Engine* engine, Logger& log, std::function<TimePoint()> clock,
               AccountTokenSource account_tokens = {});

  // Whether a link is in a state whose Spark Ads are worth syncing.
  static bool syncable(const store::LinkRecord& link);

  // Posts of the link's advertiser, comments of the ad groups of its Spark
  // Ads, and their paid figures. Errors: an unknown or unsyncable link,
  // upstream errors. `shared`: the poller's round; the advertiser's posts
  // and Spark Ads, listed for another of its links in this round, serve
  // (once per advertiser per round), and paid figures are read at most once
  // per poll.comments_interval. A person's spark.sync lists and reads afresh.
  boost::asio::awaitable<Result<LinkSyncReport>> sync_link(std::string link_id,
                                                           bool shared = false);
  // A new poller round: what the last one listed is not reused any more.
  void begin_round() { listed_.clear(); }
  // Paid figures are read only once this is set.
  void set_paid_source(PaidSource source) { paid_ = std::move(source); }

  boost::asio::awaitable<Result<ActionResult>> reply(std::string comment_id, std::string text,
                                                     store::Actor actor);
  boost::asio::awaitable<Result<ActionResult>> set_hidden(std::string comment_id, bool hidden,
                                                          store::Actor actor);

  // Every post with the link it belongs to.
  Result<std::vector<PostOwner>> posts_with_links();
  // Fires and resolves post and comment alerts from the store's contents.
  Result<void> evaluate_alerts();
  // The poller's outcome for a link: failures in a row raise
  // comments_sync_failing (after kSyncFailuresBeforeAlert); a success resolves it.
  void note_sync(const std::string& link_id, const Result<LinkSyncReport>& outcome);
  // After a reload: keywords and windows may have changed.
  void apply_config();

  store::Store& store() { return store_; }
  TimePoint now() const { return clock_(); }
  const config::Config& config() const { return config_; }

 private:
  Result<void> reconcile(AlertKind kind, std::vector<alerts::Condition> conditions);
  Result<void> with_link_facts(std::vector<alerts::Condition>& conditions);
  std::vector<alerts::Condition> sync_failing_conditions() const;
  Result<store::LinkRecord> link_of(const store::CommentRecord& c);
  void log_failed_action(std::string_view event, const std::string& comment_id, const Error& e);
  Result<Secret> advertiser_token(const std::string& advertiser_id);
  Result<void> audit(const store::CommentRecord& c, const store::Actor& actor, std::string action,
                     std::string message);
  // The account's own posts, when its scopes let ttlink read their comments.
  std::vector<std::string> own_videos(const store::LinkRecord& link);
  boost::asio::awaitable<Result<tiktok::UpstreamComment>> post_reply(
      const store::LinkRecord& link, const store::CommentRecord& parent, std::string text);
  boost::asio::awaitable<Result<void>> post_hidden(const store::LinkRecord& link,
                                                   const store::CommentRecord& c, bool hidden);

  Result<void> source_outcome(const store::LinkRecord& link, const std::string& source,
                              const Result<SyncReport>& synced, LinkSyncReport& report);
  // The paid figures as one more source of the link (backed off alone when
  // upstream refuses them for good).
  boost::asio::awaitable<Result<void>> sync_paid(const store::LinkRecord& link, const Secret& token,
                                                 std::vector<std::string> ad_ids, bool forced,
                                                 LinkSyncReport& report);

  struct SyncFailures {
    int count = 0;
    Reason last;
  };
  std::map<std::string, SyncFailures> sync_failures_;  // by link id
  SourceBackoff sources_;
  // An advertiser's posts and Spark Ads, listed once in the current round.
  struct Listed {
    int posts = 0;
    std::vector<tiktok::SparkAd> ads;
  };
  boost::asio::awaitable<Result<const Listed*>> listing(const store::LinkRecord& link,
                                                        const Secret& token, bool shared);
  std::map<std::string, Listed> listed_;  // by advertiser id, this round

  store::Store& store_;
  tiktok::ApiClient& api_;
  const config::Config& config_;
  alerts::Engine* engine_;  // null: no alerts (tests of syncing alone)
  Logger& log_;
  std::function<TimePoint()> clock_;
  AccountTokenSource account_tokens_;
  PaidSource paid_;
  CommentSync comments_;
  KeyedMutex syncing_;  // key: link id; the poller and spark.sync never overlap
};

}  // namespace ttlink::spark

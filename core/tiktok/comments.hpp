#pragma once
// Comments under video ads (Marketing API): /comment/list/ one page at a
// time (the caller keeps the cursor), /comment/post/ (a reply), and
// /comment/status/update/ (hide, unhide).
#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

#include "core/tiktok/api_client.hpp"
#include "core/util/time.hpp"

namespace ttlink::tiktok {

// The longest reply accepted, in characters (Unicode code points). TikTok
// shows 150 as its comment limit (assumed: the API docs give no number).
inline constexpr std::size_t kMaxReplyChars = 150;

struct UpstreamComment {
  std::string comment_id;
  std::string parent_id;  // original_comment_id of a REPLY; "" for a COMMENT
  bool hidden = false;
  std::string text;
  TimePoint created_at{};
  std::string author;  // user_name
  std::string ad_id;
  std::string adgroup_id;
  std::string item_id;  // tiktok_item_id
  bool hit_blockedword = false;
  bool own = false;  // can_delete: written by the advertiser or its identity
};

struct CommentPageRequest {
  std::string advertiser_id;
  std::string adgroup_id;
  std::string start_date;  // YYYY-MM-DD
  std::string end_date;
  int page = 1;
  int page_size = 100;
};

struct CommentPage {
  std::vector<UpstreamComment> comments;
  int total_page = 0;
};

// One page of an ad group's comments (all types and statuses), oldest first.
boost::asio::awaitable<Result<CommentPage>> comment_page(ApiClient& api, const Secret& token,
                                                         CommentPageRequest request);

// The decoder behind comment_page(), from the envelope's `data`.
Result<CommentPage> decode_comment_page(const boost::json::object& data);

struct ReplyRequest {
  std::string advertiser_id;
  std::string ad_id;
  std::string item_id;
  std::string comment_id;
  std::string identity_id;
  std::string identity_type;
  std::string text;
};

// Posts a reply; returns the new comment as upstream reports it. Errors: a
// text over kMaxReplyChars (before anything is sent).
boost::asio::awaitable<Result<UpstreamComment>> post_reply(ApiClient& api, const Secret& token,
                                                           ReplyRequest request);

boost::asio::awaitable<Result<void>> set_comment_hidden(ApiClient& api, const Secret& token,
                                                        std::string advertiser_id,
                                                        std::string comment_id, bool hidden);

// --- Accounts API: comments on the Business Account's own posts, organic
// or promoted (/business/comment/...), with the account's access token.

struct BusinessCommentPage {
  std::vector<UpstreamComment> comments;
  long long cursor = 0;  // where the next page starts
  bool has_more = false;
};

// One page (at most 30) of a video's comments and replies from `cursor` on.
boost::asio::awaitable<Result<BusinessCommentPage>> business_comment_page(
    ApiClient& api, const Secret& access_token, std::string open_id, std::string video_id,
    long long cursor);
// The decoder behind business_comment_page(), from the envelope's `data`;
// `cursor` is where the page was asked to start.
Result<BusinessCommentPage> decode_business_comment_page(const boost::json::object& data,
                                                         long long cursor);

boost::asio::awaitable<Result<UpstreamComment>> business_reply(
    ApiClient& api, const Secret& access_token, std::string open_id, std::string video_id,
    std::string comment_id, std::string text);
boost::asio::awaitable<Result<void>> business_set_hidden(ApiClient& api, const Secret& access_token,
                                                         std::string open_id, std::string video_id,
                                                         std::string comment_id, bool hidden);

// A reply's text is sendable: not empty, at most kMaxReplyChars characters
// (the error says both numbers).
Result<void> check_reply_text(std::string_view text);

// Code points in UTF-8 `text` (what the reply limit counts).
std::size_t utf8_length(std::string_view text);

}  // namespace ttlink::tiktok

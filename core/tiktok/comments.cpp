#include "core/tiktok/comments.hpp"

#include <climits>

#include "core/tiktok/fields.hpp"

namespace ttlink::tiktok {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr std::string_view kListPath = "/comment/list/";

Result<UpstreamComment> read_comment(const json::value& v, std::string_view path) {
  if (!v.is_object()) return missing_field(path, "comments[]");
  const auto& o = v.get_object();
  auto id = id_field(o, "comment_id", path);
  if (!id) return id.error();
  auto created = parse_tiktok_time(string_or(o, "create_time"));
  if (!created) return missing_field(path, "create_time");
  UpstreamComment c;
  c.comment_id = *id;
  if (string_or(o, "comment_type") == "REPLY") c.parent_id = id_or_empty(o, "original_comment_id");
  c.hidden = string_or(o, "comment_status") == "HIDDEN";
  c.text = string_or(o, "content");
  c.created_at = *created;
  c.author = string_or(o, "user_name");
  c.ad_id = id_or_empty(o, "ad_id");
  c.adgroup_id = id_or_empty(o, "adgroup_id");
  c.item_id = id_or_empty(o, "tiktok_item_id");
  const auto* hit = o.if_contains("hit_blockedword");
  c.hit_blockedword = hit && hit->is_bool() && hit->get_bool();
  const auto* own = o.if_contains("can_delete");
  c.own = own && own->is_bool() && own->get_bool();
  return c;
}

// Request bodies are built outside the coroutines (GCC 12 mishandles braced
// lists of temporaries in coroutine bodies).
json::object reply_body(const ReplyRequest& r) {
  return {{"advertiser_id", r.advertiser_id}, {"ad_id", r.ad_id},
          {"tiktok_item_id", r.item_id},      {"comment_id", r.comment_id},
          {"comment_type", "REPLY"},          {"identity_id", r.identity_id},
          {"identity_type", r.identity_type}, {"text", r.text}};
}

json::object status_body(const std::string& advertiser_id, const std::string& comment_id,
                         bool hidden) {
  json::array ids;
  ids.emplace_back(comment_id);
  return {{"advertiser_id", advertiser_id},
          {"comment_ids", std::move(ids)},
          {"operation", hidden ? "HIDDEN" : "PUBLIC"}};
}

// An Accounts API comment. Top-level comments name themselves as parent.
Result<UpstreamComment> read_business_comment(const json::value& v, std::string_view path) {
  if (!v.is_object()) return missing_field(path, "comments[]");
  const auto& o = v.get_object();
  auto id = id_field(o, "comment_id", path);
  if (!id) return id.error();
  auto created = int_field(o, "create_time", path);
  if (!created) return created.error();
  UpstreamComment c;
  c.comment_id = *id;
  if (auto parent = id_or_empty(o, "parent_comment_id"); parent != *id) c.parent_id = parent;
  c.hidden = string_or(o, "status") == "HIDDEN";
  c.text = string_or(o, "text");
  c.created_at = from_unix(*created);
  c.author = string_or(o, "username");
  c.item_id = id_or_empty(o, "video_id");
  const auto* owner = o.if_contains("owner");
  c.own = owner && owner->is_bool() && owner->get_bool();
  return c;
}

json::object business_reply_body(const std::string& open_id, const std::string& video_id,
                                 const std::string& comment_id, const std::string& text) {
  return {
      {"business_id", open_id}, {"video_id", video_id}, {"comment_id", comment_id}, {"text", text}};
}

json::object business_hide_body(const std::string& open_id, const std::string& video_id,
                                const std::string& comment_id, bool hidden) {
  return {{"business_id", open_id},
          {"video_id", video_id},
          {"comment_id", comment_id},
          {"action", hidden ? "HIDE" : "UNHIDE"}};
}

}  // namespace

std::size_t utf8_length(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char ch : text)
    if ((ch & 0xC0) != 0x80) ++n;  // count every byte that starts a code point
  return n;
}

Result<void> check_reply_text(std::string_view text) {
  if (const auto n = utf8_length(text); n > kMaxReplyChars)
    return Error::invalid("a reply may have at most " + std::to_string(kMaxReplyChars) +
                          " characters; this one has " + std::to_string(n));
  if (text.empty()) return Error::invalid("a reply needs some text");
  return {};
}

Result<CommentPage> decode_comment_page(const json::object& data) {
  auto list = array_field(data, "comments", kListPath);
  if (!list) return list.error();
  CommentPage page;
  for (const auto& v : **list) {
    auto c = read_comment(v, kListPath);
    if (!c) return c.error();
    page.comments.push_back(std::move(*c));
  }
  if (const auto* info = data.if_contains("page_info"); info && info->is_object())
    page.total_page = static_cast<int>(int_or(info->get_object(), "total_page", 0));
  return page;
}

Result<BusinessCommentPage> decode_business_comment_page(const json::object& data,
                                                         long long cursor) {
  static constexpr std::string_view kPath = "/business/comment/list/";
  auto list = array_field(data, "comments", kPath);
  if (!list) return list.error();
  BusinessCommentPage page;
  for (const auto& v : **list) {
    auto c = read_business_comment(v, kPath);
    if (!c) return c.error();
    page.comments.push_back(std::move(*c));
  }
  // Without a cursor the next page starts after this one; capped, so that a
  // cursor near 2^63 from a previous page cannot overflow.
  long long next = 0;
  if (__builtin_add_overflow(cursor, static_cast<long long>(page.comments.size()), &next))
    next = LLONG_MAX;
  page.cursor = int_or(data, "cursor", next);
  const auto* more = data.if_contains("has_more");
  page.has_more = more && more->is_bool() && more->get_bool();
  return page;
}

awaitable<Result<CommentPage>> comment_page(ApiClient& api, const Secret& token,
                                            CommentPageRequest r) {
  QueryParams q;
  q.emplace_back("advertiser_id", r.advertiser_id);
  q.emplace_back("search_field", "ADGROUP_ID");
  q.emplace_back("search_value", r.adgroup_id);
  q.emplace_back("start_time", r.start_date);
  q.emplace_back("end_time", r.end_date);
  q.emplace_back("comment_type", json_string_array({"ALL"}));
  q.emplace_back("comment_status", json_string_array({"ALL"}));
  // Oldest first: new comments land after what was read, so a page number
  // stays a valid place to resume.
  q.emplace_back("sort_field", "CREATE_TIME");
  q.emplace_back("sort_type", "ASC");
  q.emplace_back("page", std::to_string(r.page));
  q.emplace_back("page_size", std::to_string(r.page_size));
  auto data = co_await api.get(kListPath, std::move(q), &token);
  if (!data) co_return data.error();
  co_return decode_comment_page(*data);
}

awaitable<Result<UpstreamComment>> post_reply(ApiClient& api, const Secret& token, ReplyRequest r) {
  static constexpr std::string_view kPath = "/comment/post/";
  if (auto ok = check_reply_text(r.text); !ok) co_return ok.error();
  const json::object body = reply_body(r);
  auto data = co_await api.post(kPath, body, &token);
  if (!data) co_return data.error();
  const auto* posted = data->if_contains("comment");
  if (!posted || !posted->is_object()) co_return missing_field(kPath, "comment");
  const auto& o = posted->get_object();
  auto id = id_field(o, "comment_id", kPath);
  if (!id) co_return id.error();
  UpstreamComment c;
  c.comment_id = *id;
  c.parent_id = r.comment_id;
  c.text = string_or(o, "text", r.text);
  c.created_at = parse_tiktok_time(string_or(o, "create_time")).value_or(now_utc());
  c.ad_id = r.ad_id;
  c.item_id = r.item_id;
  c.own = true;
  co_return c;
}

awaitable<Result<void>> set_comment_hidden(ApiClient& api, const Secret& token,
                                           std::string advertiser_id, std::string comment_id,
                                           bool hidden) {
  const json::object body = status_body(advertiser_id, comment_id, hidden);
  auto data = co_await api.post("/comment/status/update/", body, &token);
  if (!data) co_return data.error();
  co_return Result<void>();
}

awaitable<Result<BusinessCommentPage>> business_comment_page(ApiClient& api,
                                                             const Secret& access_token,
                                                             std::string open_id,
                                                             std::string video_id,
                                                             long long cursor) {
  static constexpr std::string_view kPath = "/business/comment/list/";
  QueryParams q;
  q.emplace_back("business_id", open_id);
  q.emplace_back("video_id", video_id);
  q.emplace_back("include_replies", "true");
  q.emplace_back("status", "ALL");
  q.emplace_back("cursor", std::to_string(cursor));
  q.emplace_back("max_count", "30");
  auto data = co_await api.get(kPath, std::move(q), &access_token);
  if (!data) co_return data.error();
  co_return decode_business_comment_page(*data, cursor);
}

awaitable<Result<UpstreamComment>> business_reply(ApiClient& api, const Secret& access_token,
                                                  std::string open_id, std::string video_id,
                                                  std::string comment_id, std::string text) {
  static constexpr std::string_view kPath = "/business/comment/reply/create/";
  if (auto ok = check_reply_text(text); !ok) co_return ok.error();
  const json::object body = business_reply_body(open_id, video_id, comment_id, text);
  auto data = co_await api.post(kPath, body, &access_token);
  if (!data) co_return data.error();
  auto c = read_business_comment(json::value(*data), kPath);
  if (!c) co_return c.error();
  c->parent_id = comment_id;
  c->own = true;
  co_return std::move(*c);
}

awaitable<Result<void>> business_set_hidden(ApiClient& api, const Secret& access_token,
                                            std::string open_id, std::string video_id,
                                            std::string comment_id, bool hidden) {
  const json::object body = business_hide_body(open_id, video_id, comment_id, hidden);
  auto data = co_await api.post("/business/comment/hide/", body, &access_token);
  if (!data) co_return data.error();
  co_return Result<void>();
}

}  // namespace ttlink::tiktok

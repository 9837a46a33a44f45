// Comments on promoted videos: the Marketing API's /comment/... (per
// advertiser, paged) and the Accounts API's /business/comment/... (per
// account and video, cursor-paged).
#include <algorithm>
#include <unordered_map>

#include "api.hpp"

namespace sandbox {
namespace {

json::object marketing_comment(const World& w, const Comment& c) {
  const auto& s = w.comments;
  const auto* ad = w.ads.find({s.str(c.advertiser_id), s.str(c.ad_id)});
  auto ad_field = [&](const char* k) { return ad ? str_field(*ad, k) : std::string(); };
  bool reply = !c.parent_id.empty();
  return {{"comment_id", c.comment_id},
          {"original_comment_id", reply ? c.parent_id : c.comment_id},
          {"comment_type", reply ? "REPLY" : "COMMENT"},
          {"comment_status", c.hidden ? "HIDDEN" : "PUBLIC"},
          {"content", s.str(c.text)},
          {"create_time", tiktok_time(c.create_time)},
          {"likes", c.likes},
          {"replies", c.replies},
          {"user_id", s.str(c.user_id)},
          {"user_name", s.str(c.user_name)},
          {"ad_id", s.str(c.ad_id)},
          {"ad_name", ad_field("ad_name")},
          {"adgroup_id", ad_field("adgroup_id")},
          {"campaign_id", ad_field("campaign_id")},
          {"tiktok_item_id", s.str(c.item_id)},
          {"identity_id", ad_field("identity_id")},
          {"identity_type", ad_field("identity_type")},
          {"hit_blockedword", c.hit_blockedword},
          {"is_pinned", c.pinned},
          {"can_delete", c.owner}};
}

// TikTok's comment length limit, as shown in the app (assumed: the API
// docs give no number); ttlink checks the same number before sending.
constexpr std::size_t kMaxCommentChars = 150;

std::size_t utf8_chars(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char ch : text)
    if ((ch & 0xC0) != 0x80) ++n;
  return n;
}

bool in_list(const std::vector<std::string>& list, const std::string& value) {
  return list.empty() || std::find(list.begin(), list.end(), "ALL") != list.end() ||
         std::find(list.begin(), list.end(), value) != list.end();
}

json::value comment_list(ApiContext& ctx, const ApiCall& call) {
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  auto search_field = call.required("search_field");
  auto search_value = call.required("search_value");
  auto start = parse_tiktok_date(call.required("start_time"));
  auto end = parse_tiktok_date(call.required("end_time"));
  if (!start) throw ApiError{40002, "start_time: Not a valid date (YYYY-MM-DD)."};
  if (!end) throw ApiError{40002, "end_time: Not a valid date (YYYY-MM-DD)."};
  // tiktok-api.md: at most 30 days; *(assumed)* 30 dates, both ends included.
  if (*end < *start || (*end - *start) / 86400 + 1 > 30)
    throw ApiError{40002, "The time range cannot exceed 30 days."};
  auto types = call.string_list("comment_type", false);
  auto statuses = call.string_list("comment_status", false);
  auto sort_field = call.optional("sort_field", "CREATE_TIME");
  auto sort_type = call.optional("sort_type", "DESC");
  auto page = read_page(call, 100, 20);
  granted_advertiser(ctx, token, advertiser_id);
  const auto& w = ctx.world;
  const auto& s = w.comments;
  if (search_field != "ADGROUP_ID" && search_field != "AD_ID" && search_field != "VIDEO_ID" &&
      search_field != "ITEM_ID")
    throw ApiError{40002, "search_field: Must be one of ADGROUP_ID, AD_ID, VIDEO_ID."};
  // Each ad's ad group is looked up once per call, not once per comment.
  std::unordered_map<StringPool::Id, std::string> adgroup_of;
  auto value_of = [&](const Comment& c) -> std::string {
    if (search_field == "AD_ID") return s.str(c.ad_id);
    if (search_field != "ADGROUP_ID") return s.str(c.item_id);
    auto [it, fresh] = adgroup_of.try_emplace(c.ad_id);
    if (fresh) {
      const auto* ad = w.ads.find({advertiser_id, s.str(c.ad_id)});
      it->second = ad ? str_field(*ad, "adgroup_id") : "";
    }
    return it->second;
  };
  // (sort key, comment) pairs: the sort compares integers, not options.
  std::vector<std::pair<std::int64_t, std::uint32_t>> keyed;
  for (auto i : s.by_advertiser(advertiser_id)) {
    const auto& c = s.at(i);
    if (c.create_time < *start || c.create_time >= *end + 86400) continue;
    if (!in_list(types, c.parent_id.empty() ? "COMMENT" : "REPLY")) continue;
    if (!in_list(statuses, c.hidden ? "HIDDEN" : "PUBLIC")) continue;
    if (value_of(c) != search_value) continue;
    const std::int64_t key = sort_field == "LIKES"     ? c.likes
                             : sort_field == "REPLIES" ? c.replies
                                                       : c.create_time;
    keyed.emplace_back(sort_type == "ASC" ? key : -key, i);
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::uint32_t> hits;
  hits.reserve(keyed.size());
  for (const auto& k : keyed) hits.push_back(k.second);
  json::array comments;
  for (auto i = page.begin(hits.size()); i < page.end(hits.size()); ++i)
    comments.push_back(marketing_comment(w, s.at(hits[i])));
  return json::object{{"comments", std::move(comments)}, {"page_info", page.info(hits.size())}};
}

std::size_t advertiser_comment(ApiContext& ctx, const std::string& advertiser_id,
                               const std::string& comment_id) {
  // The Marketing API sees comments under the advertiser's ads only; an
  // organic comment (no ad) exists for the Accounts API alone.
  auto i = ctx.world.comments.find(comment_id);
  const auto& store = ctx.world.comments;
  if (!i || store.str(store.at(*i).advertiser_id) != advertiser_id ||
      store.str(store.at(*i).ad_id).empty())
    throw ApiError{40007, "Comment " + comment_id + " does not exist"};
  return *i;
}

json::value comment_reference(ApiContext& ctx, const ApiCall& call) {
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  auto comment_id = call.required("comment_id");
  granted_advertiser(ctx, token, advertiser_id);
  auto& s = ctx.world.comments;
  const auto& target = s.at(advertiser_comment(ctx, advertiser_id, comment_id));
  auto root = target.parent_id.empty() ? target.comment_id : target.parent_id;
  json::array thread;
  for (auto i : s.by_item(s.str(target.item_id))) {
    const auto& c = s.at(i);
    if (c.comment_id == root || c.parent_id == root)
      thread.push_back(marketing_comment(ctx.world, c));
  }
  return json::object{{"comments", std::move(thread)}};
}

Comment reply_to(CommentStore& s, Comment& parent, const std::string& text, std::int64_t now,
                 const std::string& author_id, const std::string& author_name) {
  ++parent.replies;
  Comment reply;
  reply.parent_id = parent.comment_id;
  reply.advertiser_id = parent.advertiser_id;
  reply.ad_id = parent.ad_id;
  reply.item_id = parent.item_id;
  reply.user_id = s.pool().intern(author_id);
  reply.user_name = s.pool().intern(author_name);
  reply.text = s.pool().intern(text);
  reply.create_time = now;
  reply.owner = true;
  return reply;
}

json::value comment_post(ApiContext& ctx, const ApiCall& call) {
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  call.required("ad_id");
  auto item_id = call.required("tiktok_item_id");
  auto comment_id = call.required("comment_id");
  auto identity_id = call.required("identity_id");
  call.required("identity_type");
  auto text = call.required("text");
  if (utf8_chars(text) > kMaxCommentChars)
    throw ApiError{40002, "text: Length must be at most " + std::to_string(kMaxCommentChars) + "."};
  granted_advertiser(ctx, token, advertiser_id);
  auto& s = ctx.world.comments;
  auto parent_index = advertiser_comment(ctx, advertiser_id, comment_id);
  auto reply = reply_to(s, s.at(parent_index), text, ctx.world.now(), identity_id, identity_id);
  auto& added = s.at(s.add(std::move(reply)));
  return json::object{{"comment",
                       {{"comment_id", added.comment_id},
                        {"create_time", tiktok_time(added.create_time)},
                        {"reply_to_comment_id", comment_id},
                        {"text", text},
                        {"tiktok_item_id", item_id}}}};
}

json::value comment_status_update(ApiContext& ctx, const ApiCall& call) {
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  auto ids = call.string_list("comment_ids", true);
  auto operation = call.required("operation");
  if (operation != "HIDDEN" && operation != "PUBLIC")
    throw ApiError{40002, "operation: Must be one of HIDDEN, PUBLIC."};
  granted_advertiser(ctx, token, advertiser_id);
  std::vector<std::size_t> found;
  for (const auto& id : ids) found.push_back(advertiser_comment(ctx, advertiser_id, id));
  for (auto i : found) ctx.world.comments.at(i).hidden = operation == "HIDDEN";
  return json::object{};
}

// ---- Accounts API

json::object business_comment(const CommentStore& s, const Comment& c) {
  return {{"comment_id", c.comment_id},
          {"video_id", s.str(c.item_id)},
          {"user_id", s.str(c.user_id)},
          {"username", s.str(c.user_name)},
          {"display_name", s.str(c.user_name)},
          {"text", s.str(c.text)},
          {"create_time", c.create_time},
          {"likes", c.likes},
          {"replies", c.replies},
          {"status", c.hidden ? "HIDDEN" : "PUBLIC"},
          {"parent_comment_id", c.parent_id.empty() ? c.comment_id : c.parent_id},
          {"owner", c.owner},
          {"pinned", c.pinned}};
}

json::value business_comment_list(ApiContext& ctx, const ApiCall& call) {
  auto business_id = call.required("business_id");
  auto video_id = call.required("video_id");
  const auto& token = account_token(ctx, call.access_token_header(), {"comment.list"});
  granted_account(ctx, token, business_id);
  auto include_replies = call.optional("include_replies", "false") == "true";
  auto status = call.optional("status", "ALL");
  auto cursor = call.integer("cursor", 0);
  auto max_count = call.integer("max_count", 20);
  if (cursor < 0) throw ApiError{40002, "cursor: Must be greater than or equal to 0."};
  if (max_count < 1 || max_count > 30)
    throw ApiError{40002, "max_count: Must be between 1 and 30."};
  const auto& s = ctx.world.comments;
  std::vector<std::uint32_t> hits;
  for (auto i : s.by_item(video_id)) {
    const auto& c = s.at(i);
    if (!include_replies && !c.parent_id.empty()) continue;
    if (status != "ALL" && status != (c.hidden ? "HIDDEN" : "PUBLIC")) continue;
    hits.push_back(i);
  }
  json::array comments;
  auto begin = std::min<std::size_t>(static_cast<std::size_t>(cursor), hits.size());
  auto end = std::min<std::size_t>(begin + static_cast<std::size_t>(max_count), hits.size());
  for (auto i = begin; i < end; ++i) comments.push_back(business_comment(s, s.at(hits[i])));
  return json::object{
      {"comments", std::move(comments)}, {"cursor", end}, {"has_more", end < hits.size()}};
}

std::size_t account_comment(ApiContext& ctx, const std::string& video_id,
                            const std::string& comment_id) {
  auto i = ctx.world.comments.find(comment_id);
  if (!i || ctx.world.comments.str(ctx.world.comments.at(*i).item_id) != video_id)
    throw ApiError{40007, "Comment " + comment_id + " does not exist on video " + video_id};
  return *i;
}

json::value business_comment_reply(ApiContext& ctx, const ApiCall& call) {
  auto business_id = call.required("business_id");
  auto video_id = call.required("video_id");
  auto comment_id = call.required("comment_id");
  auto text = call.required("text");
  if (utf8_chars(text) > kMaxCommentChars)
    throw ApiError{40002, "text: Length must be at most " + std::to_string(kMaxCommentChars) + "."};
  const auto& token = account_token(ctx, call.access_token_header(), {"comment.list.manage"});
  const auto& account = granted_account(ctx, token, business_id);
  auto& s = ctx.world.comments;
  auto parent = account_comment(ctx, video_id, comment_id);
  auto reply =
      reply_to(s, s.at(parent), text, ctx.world.now(), business_id, str_field(account, "username"));
  const auto& added = s.at(s.add(std::move(reply)));
  return business_comment(s, added);
}

json::value business_comment_hide(ApiContext& ctx, const ApiCall& call) {
  auto business_id = call.required("business_id");
  auto video_id = call.required("video_id");
  auto comment_id = call.required("comment_id");
  auto action = call.required("action");
  if (action != "HIDE" && action != "UNHIDE")
    throw ApiError{40002, "action: Must be one of HIDE, UNHIDE."};
  const auto& token = account_token(ctx, call.access_token_header(), {"comment.list.manage"});
  granted_account(ctx, token, business_id);
  ctx.world.comments.at(account_comment(ctx, video_id, comment_id)).hidden = action == "HIDE";
  return json::object{};
}

}  // namespace

void add_comment_routes(ApiRoutes& r) {
  r["/comment/list/"] = {"GET", comment_list};
  r["/comment/reference/"] = {"GET", comment_reference};
  r["/comment/post/"] = {"POST", comment_post};
  r["/comment/status/update/"] = {"POST", comment_status_update};
  r["/business/comment/list/"] = {"GET", business_comment_list};
  r["/business/comment/reply/create/"] = {"POST", business_comment_reply};
  r["/business/comment/hide/"] = {"POST", business_comment_hide};
}

}  // namespace sandbox

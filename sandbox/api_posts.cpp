// Spark Ads posts: /tt_video/list/ and /tt_video/info/ (reads),
// /tt_video/authorize/ and /tt_video/unbind/ (writes: not for ANALYST),
// /identity/video/info/. The world's side of it: posts.cpp.
#include "api.hpp"
#include "posts.hpp"

namespace sandbox {
namespace {

// What a post authorization code that cannot be bound answers. The docs give
// no codes for /tt_video/authorize/: 40110 is their table's "auth code
// invalid/used/expired" (assumed to cover post codes too; messages assumed).
// Returns the code's row when it is NOT_USED and unexpired.
json::object& bindable_code(ApiContext& ctx, const std::string& auth_code) {
  auto* code = ctx.world.spark_codes.find({auth_code});
  if (code == nullptr) throw ApiError{40110, "The auth_code is invalid"};
  auto status = code_status(*code, ctx.world.now());
  if (status == "EXPIRED") throw ApiError{40110, "The auth_code has expired"};
  if (status == "IN_USE") throw ApiError{40110, "The auth_code has already been used"};
  if (status != "NOT_USED") throw ApiError{40110, "The auth_code is invalid"};
  return *code;
}

json::value video_list(ApiContext& ctx, const ApiCall& call) {
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  auto page = read_page(call, 50, 20);
  granted_advertiser(ctx, token, advertiser_id);
  auto rows = rows_of(ctx.world.posts, advertiser_id, [](const json::object&) { return true; });
  for (auto& r : rows) r = post_json(ctx.world, r);
  return paged(rows, page, "list");
}

// A code bound to this advertiser answers its post; a code not bound yet
// answers a preview (NOT_USED), as Ads Manager shows a post before the
// advertiser confirms; any other code answers what authorizing it would.
json::value video_info(ApiContext& ctx, const ApiCall& call) {
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  auto auth_code = call.required("auth_code");
  granted_advertiser(ctx, token, advertiser_id);
  auto rows = rows_of(ctx.world.posts, advertiser_id, [&](const json::object& r) {
    return str_field(r, "auth_code") == auth_code;
  });
  // One item in `data`, no list (tiktok-api.md; the public Go SDK
  // bububa/tiktok-business models the answer as a single Item). A code
  // names one post.
  if (!rows.empty()) return post_json(ctx.world, rows.front());
  return code_preview_json(bindable_code(ctx, auth_code), ctx.world.now());
}

json::value video_authorize(ApiContext& ctx, const ApiCall& call) {
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  auto auth_code = call.required("auth_code");
  writable_advertiser(ctx, token, advertiser_id);
  bind_spark_code(ctx.world, bindable_code(ctx, auth_code), advertiser_id);
  return json::object{};
}

json::value video_unbind(ApiContext& ctx, const ApiCall& call) {
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  auto item_id = call.required("item_id");
  writable_advertiser(ctx, token, advertiser_id);
  if (ctx.world.posts.find({advertiser_id, item_id}) == nullptr)
    throw ApiError{40007, "The video " + item_id + " is not authorized to this advertiser"};
  unbind_post(ctx.world, advertiser_id, item_id);
  return json::object{};
}

json::value identity_video_info(ApiContext& ctx, const ApiCall& call) {
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  call.required("identity_type");
  auto identity_id = call.required("identity_id");
  auto item_id = call.required("item_id");
  granted_advertiser(ctx, token, advertiser_id);
  const auto* post = ctx.world.posts.find({advertiser_id, item_id});
  if (post == nullptr || str_field(*post, "identity_id") != identity_id)
    throw ApiError{40007, "The video does not exist"};
  return json::object{{"video_detail", post_json(ctx.world, *post)}};
}

}  // namespace

void add_post_routes(ApiRoutes& r) {
  r["/tt_video/list/"] = {"GET", video_list};
  r["/tt_video/info/"] = {"GET", video_info};
  r["/tt_video/authorize/"] = {"POST", video_authorize};
  r["/tt_video/unbind/"] = {"POST", video_unbind};
  r["/identity/video/info/"] = {"GET", identity_video_info};
}

}  // namespace sandbox

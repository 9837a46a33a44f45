#include "core/ads/post_codes.hpp"

namespace ttlink::ads {
using boost::asio::awaitable;

std::string unbindable_reason(const tiktok::PostAuthorization& preview) {
  const std::string& status = preview.auth_code_status;
  if (status == "NOT_USED" || status == "IN_USE") return "";
  const std::string what = "post " + preview.item_id + " by @" + preview.tiktok_name;
  if (status == "EXPIRED")
    return "the post authorization code of " + what +
           " has expired: ask the creator for a new code";
  if (status == "DELETED")
    return "the post authorization code of " + what +
           " was unbound and cannot be used again: ask the creator for a new code";
  return "the post authorization code of " + what + " is " + status + ": it cannot be bound";
}

namespace {

store::PostRecord to_record(const std::string& advertiser_id, const tiktok::PostAuthorization& p,
                            TimePoint now) {
  return {advertiser_id, p.item_id, p.auth_code_status, p.identity_id,   p.identity_type,
          p.tiktok_name, p.text,    p.auth_start_time,  p.auth_end_time, now};
}

std::string until(const tiktok::PostAuthorization& p) {
  return p.auth_end_time ? format_rfc3339(*p.auth_end_time) : "an unknown time";
}

// The post and its audit entry, in one transaction.
Result<void> record_bound(AdsContext& ctx, const LinkAccess& access,
                          const tiktok::PostAuthorization& post, const store::Actor& actor) {
  return ctx.store.in_transaction([&]() -> Result<void> {
    auto row = to_record(access.link.advertiser_id, post, ctx.clock());
    if (auto r = ctx.store.spark().put_post(row); !r) return r;
    return audit(ctx.store, access.link.id, actor, "post.authorize",
                 "bound post " + post.item_id + " by @" + post.tiktok_name + " (" +
                     post.identity_type + " " + post.identity_id + "), authorized until " +
                     until(post));
  });
}

// After /tt_video/authorize/: the bound post as upstream now shows it. When
// that read fails, the preview stands in (bound now: IN_USE); the next sync
// replaces it.
awaitable<tiktok::PostAuthorization> read_back(AdsContext& ctx, const LinkAccess& access,
                                               const Secret& code,
                                               tiktok::PostAuthorization preview) {
  auto bound =
      co_await tiktok::post_of_code(ctx.api, access.token, access.link.advertiser_id, code);
  if (bound && bound->auth_code_status == "IN_USE") co_return std::move(*bound);
  if (!bound) refused(ctx.log, "post.read_back_failed", access.link.id, bound.error());
  preview.auth_code_status = "IN_USE";
  co_return preview;
}

}  // namespace

awaitable<Result<BoundPost>> authorize_code(AdsContext& ctx, std::string link_id, Secret auth_code,
                                            store::Actor actor) {
  auto access = link_access(ctx.store, link_id);
  if (!access) co_return access.error();
  const std::string& advertiser = access->link.advertiser_id;
  auto preview = co_await tiktok::post_of_code(ctx.api, access->token, advertiser, auth_code);
  if (!preview) co_return refused(ctx.log, "post.authorize_failed", link_id, preview.error());
  if (auto why = unbindable_reason(*preview); !why.empty()) co_return Error::conflict(why);
  BoundPost result;
  // *(assumed)* /tt_video/info/ answers IN_USE only for a code bound to the
  // asking advertiser (one bound elsewhere answers 40110): already ours.
  result.already_bound = preview->auth_code_status == "IN_USE";
  if (result.already_bound) {
    result.post = std::move(*preview);
    auto row = to_record(advertiser, result.post, ctx.clock());
    if (auto r = ctx.store.spark().put_post(row); !r) co_return r.error();
    co_return result;
  }
  auto bound = co_await tiktok::authorize_post(ctx.api, access->token, advertiser, auth_code);
  if (!bound) co_return refused(ctx.log, "post.authorize_failed", link_id, bound.error());
  result.post = co_await read_back(ctx, *access, auth_code, std::move(*preview));
  if (auto r = record_bound(ctx, *access, result.post, actor); !r) co_return r.error();
  ctx.log.info("post.authorized", {{"link", link_id}, {"item", result.post.item_id}});
  co_return result;
}

awaitable<Result<void>> unbind_item(AdsContext& ctx, std::string link_id, std::string item_id,
                                    store::Actor actor) {
  auto access = link_access(ctx.store, link_id);
  if (!access) co_return access.error();
  const std::string& advertiser = access->link.advertiser_id;
  auto done = co_await tiktok::unbind_post(ctx.api, access->token, advertiser, item_id);
  if (!done) co_return refused(ctx.log, "post.unbind_failed", link_id, done.error());
  auto stored = ctx.store.in_transaction([&]() -> Result<void> {
    if (auto r = ctx.store.spark().delete_post(advertiser, item_id); !r) return r.error();
    return audit(ctx.store, link_id, actor, "post.unbind", "unbound post " + item_id);
  });
  if (!stored) co_return stored.error();
  ctx.log.info("post.unbound", {{"link", link_id}, {"item", item_id}});
  co_return Result<void>();
}

}  // namespace ttlink::ads

#include "core/ads/launcher.hpp"

#include <cstdint>

#include "core/util/random.hpp"

namespace ttlink::ads {
namespace json = boost::json;
using boost::asio::awaitable;

std::string new_request_id() {
  std::uint64_t n = std::stoull(random_hex(8), nullptr, 16);
  // 19 digits, below 2^63: a positive signed 64-bit integer either way.
  constexpr std::uint64_t kLow = 1'000'000'000'000'000'000ULL;
  constexpr std::uint64_t kSpan = 9'000'000'000'000'000'000ULL - kLow;
  return std::to_string(kLow + n % kSpan);
}

namespace {

constexpr const char* kFromCampaign = "(campaign_id from /campaign/create/)";
constexpr const char* kFromAdgroup = "(adgroup_id from /adgroup/create/)";

std::vector<std::pair<std::string, json::object>> dry_requests(LaunchPlan plan) {
  plan.adgroup.campaign_id = kFromCampaign;
  plan.ad.adgroup_id = kFromAdgroup;
  return {{"/campaign/create/", tiktok::campaign_body(plan.campaign)},
          {"/adgroup/create/", tiktok::adgroup_body(plan.adgroup)},
          {"/ad/create/", tiktok::ad_body(plan.ad)}};
}

Error other_settings(const store::LaunchRecord& r) {
  return Error::conflict("link " + r.link_id + " already has a campaign named \"" + r.name +
                         "\" launched with other settings (" + r.spec +
                         "): run the same command again to finish it, or choose another --name");
}

}  // namespace

Result<LaunchFacts> Launcher::facts_of(const std::string& link_id) {
  LaunchFacts facts;
  auto link = ctx_.store.links().get(link_id);
  if (!link) return link.error();
  facts.link = std::move(*link);
  auto advertiser = ctx_.store.links().get_advertiser(facts.link.advertiser_id);
  if (!advertiser) return advertiser.error();
  facts.advertiser = std::move(*advertiser);
  if (!facts.link.advertiser_id.empty()) {
    auto posts = ctx_.store.spark().list_posts(facts.link.advertiser_id);
    if (!posts) return posts.error();
    facts.posts = std::move(*posts);
  }
  facts.now = ctx_.clock();
  return facts;
}

// The launch's record: request ids chosen once, before anything is sent.
Result<store::LaunchRecord> Launcher::begin(const LaunchSpec& spec, const LaunchPlan& plan) {
  store::LaunchRecord r;
  r.link_id = spec.link_id;
  r.name = spec.name;
  r.advertiser_id = plan.campaign.advertiser_id;
  r.objective = spec.objective;
  r.item_id = plan.ad.item_id;
  r.identity_type = plan.ad.identity_type;
  r.identity_id = plan.ad.identity_id;
  r.spec = spec_json(spec);
  r.campaign_request_id = new_request_id();
  r.adgroup_request_id = new_request_id();
  r.ad_request_id = new_request_id();
  if (auto stored = ctx_.store.ads().insert_launch(r); !stored) return stored.error();
  auto read = ctx_.store.ads().launch(r.link_id, r.name);
  if (!read) return read.error();
  return std::move(**read);
}

// The ids so far and the audit entry of the step just created, together.
Result<void> Launcher::commit_step(store::LaunchRecord& record, const store::Actor& actor,
                                   std::string action, std::string message) {
  return ctx_.store.in_transaction([&]() -> Result<void> {
    if (auto r = ctx_.store.ads().update_launch_ids(record); !r) return r;
    return audit(ctx_.store, record.link_id, actor, std::move(action), std::move(message));
  });
}

awaitable<Result<void>> Launcher::run_steps(store::LaunchRecord& r, LaunchPlan plan,
                                            const Secret& token, const store::Actor& actor,
                                            std::vector<std::string>& created) {
  if (r.campaign_id.empty()) {
    plan.campaign.request_id = r.campaign_request_id;
    auto id =
        co_await tiktok::create_campaign(ctx_.api, token, tiktok::campaign_body(plan.campaign));
    if (!id) co_return refused(ctx_.log, "campaign.create_failed", r.link_id, id.error());
    r.campaign_id = *id;
    if (auto c = commit_step(
            r, actor, "campaign.create",
            "created campaign " + r.campaign_id + " \"" + r.name + "\" (" + r.objective + ")");
        !c)
      co_return c.error();
    created.emplace_back("campaign");
  }
  if (r.adgroup_id.empty()) {
    plan.adgroup.campaign_id = r.campaign_id;
    plan.adgroup.request_id = r.adgroup_request_id;
    auto id = co_await tiktok::create_adgroup(ctx_.api, token, tiktok::adgroup_body(plan.adgroup));
    if (!id) co_return refused(ctx_.log, "adgroup.create_failed", r.link_id, id.error());
    r.adgroup_id = *id;
    if (auto c = commit_step(r, actor, "adgroup.create",
                             "created ad group " + r.adgroup_id + " in campaign " + r.campaign_id);
        !c)
      co_return c.error();
    created.emplace_back("adgroup");
  }
  plan.ad.adgroup_id = r.adgroup_id;
  plan.ad.request_id = r.ad_request_id;
  auto id = co_await tiktok::create_ad(ctx_.api, token, tiktok::ad_body(plan.ad));
  if (!id) co_return refused(ctx_.log, "ad.create_failed", r.link_id, id.error());
  r.ad_id = *id;
  if (auto c =
          commit_step(r, actor, "ad.create",
                      "created Spark Ad " + r.ad_id + " in ad group " + r.adgroup_id + ": post " +
                          r.item_id + " as " + r.identity_type + " " + r.identity_id);
      !c)
    co_return c.error();
  created.emplace_back("ad");
  co_return Result<void>();
}

awaitable<Result<LaunchOutcome>> Launcher::launch(LaunchSpec spec, bool dry_run,
                                                  store::Actor actor) {
  auto guard = co_await running_.lock(spec.link_id + "/" + spec.name);
  LaunchOutcome out;
  out.dry_run = dry_run;
  auto existing = ctx_.store.ads().launch(spec.link_id, spec.name);
  if (!existing) co_return existing.error();
  if (*existing && (*existing)->spec != spec_json(spec)) co_return other_settings(**existing);
  if (*existing && (*existing)->complete() && !dry_run) {
    out.record = std::move(**existing);  // done before: nothing to send
    co_return out;
  }
  auto facts = facts_of(spec.link_id);
  if (!facts) co_return facts.error();
  auto plan = plan_launch(spec, *facts);
  if (!plan) co_return plan.error();
  if (dry_run) {
    out.requests = dry_requests(*plan);
    co_return out;
  }
  auto access = link_access(ctx_.store, spec.link_id);
  if (!access) co_return access.error();
  auto record = *existing ? Result<store::LaunchRecord>(**existing) : begin(spec, *plan);
  if (!record) co_return record.error();
  out.record = std::move(*record);
  auto ran = co_await run_steps(out.record, std::move(*plan), access->token, actor, out.created);
  if (!ran) co_return ran.error();
  ctx_.log.info("campaign.launched", {{"link", spec.link_id},
                                      {"campaign", out.record.campaign_id},
                                      {"adgroup", out.record.adgroup_id},
                                      {"ad", out.record.ad_id}});
  co_return out;
}

}  // namespace ttlink::ads

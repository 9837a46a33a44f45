// The demo world (served with no arguments) and big generated worlds for
// benchmarks. Both draw every id from Ids, so --seed makes them repeatable.
#include "sandbox_state.hpp"
#include "tokens.hpp"

namespace sandbox {
namespace {

const char* const kCommentTexts[] = {
    "Love this!",   "Where can I buy?", "Price?",        "So cool",     "Need this",
    "Ships to EU?", "Is it a scam?",    "Refund please", "Great video", "Amazing"};

void add_comment(World& w, const std::string& advertiser_id, const std::string& ad_id,
                 const std::string& item_id, const std::string& user, const std::string& text,
                 std::int64_t at) {
  auto& pool = w.comments.pool();
  Comment c;
  c.advertiser_id = pool.intern(advertiser_id);
  c.ad_id = pool.intern(ad_id);
  c.item_id = pool.intern(item_id);
  c.user_id =
      pool.intern("69" + std::to_string(std::hash<std::string>{}(user) % 100000000000000000));
  c.user_name = pool.intern(user);
  c.text = pool.intern(text);
  c.create_time = at;
  w.comments.add(std::move(c));
}

}  // namespace

void new_app(World& w, Ids& ids) {
  w.app_id = "7100000000000000001";
  w.app_secret = ids.hex(40);
}

void load_demo_world(World& w, Ids& ids) {
  auto now = w.now();
  const std::string adv = "7000000000000000001";
  w.advertisers.upsert({{"advertiser_id", adv},
                        {"name", "Demo Brand Ads"},
                        {"company", "Demo Brand Inc."},
                        {"balance", 1250.5},
                        {"bc_id", "7200000000000000001"},
                        {"bc_name", "Demo Brand BC"},
                        {"user_role", "ADMIN"}},
                       advertiser_defaults());
  w.accounts.upsert({{"open_id", "demo-open-id-0001"},
                     {"username", "demobrand"},
                     {"display_name", "Demo Brand"},
                     {"followers_count", 12800},
                     {"videos_count", 3},
                     {"metrics",
                      {{{"date", "2026-11-22"},
                        {"video_views", 5400},
                        {"likes", 610},
                        {"comments", 48},
                        {"shares", 21},
                        {"profile_views", 300},
                        {"daily_new_followers", 35}},
                       {{"date", "2026-11-23"},
                        {"video_views", 7100},
                        {"likes", 820},
                        {"comments", 63},
                        {"shares", 30},
                        {"profile_views", 410},
                        {"daily_new_followers", 52}}}}},
                    account_defaults());
  w.identities.upsert({{"advertiser_id", adv},
                       {"identity_id", "7300000000000000001"},
                       {"user_name", "demobrand"},
                       {"display_name", "Demo Brand"}},
                      identity_defaults());
  const std::int64_t ends_in[] = {2 * 86400, 30 * 86400, 90 * 86400};
  for (int i = 0; i < 3; ++i) {
    auto item = "740000000000000000" + std::to_string(i + 1);
    w.posts.upsert({{"advertiser_id", adv},
                    {"item_id", item},
                    {"auth_code", "#" + ids.hex(24)},
                    {"identity_id", "7300000000000000001"},
                    {"text", "Demo post " + std::to_string(i + 1)},
                    {"video_id", item},
                    {"auth_end_time", tiktok_time(now + ends_in[i])}},
                   post_defaults(now));
    auto ad = "750000000000000000" + std::to_string(i + 1);
    w.ads.upsert({{"advertiser_id", adv},
                  {"ad_id", ad},
                  {"ad_name", "Demo Spark Ad " + std::to_string(i + 1)},
                  {"adgroup_id", "7600000000000000001"},
                  {"campaign_id", "7700000000000000001"},
                  {"identity_id", "7300000000000000001"},
                  {"tiktok_item_id", item}},
                 ad_defaults());
    for (int c = 0; c < 2; ++c)
      add_comment(w, adv, ad, item, "fan_" + std::to_string(i * 2 + c + 1),
                  kCommentTexts[(i * 2 + c) % 10], now - 3600 * (i * 2 + c + 1));
  }
  w.adgroups.upsert({{"advertiser_id", adv},
                     {"adgroup_id", "7600000000000000001"},
                     {"adgroup_name", "Demo Ad Group"},
                     {"campaign_id", "7700000000000000001"}},
                    adgroup_defaults());
  w.login.advertiser_ids = {adv};
  w.login.open_id = "demo-open-id-0001";
}

namespace {

std::int64_t spec_int(const json::object& spec, const char* key, std::int64_t fallback,
                      std::string* error) {
  auto* v = spec.if_contains(key);
  if (v == nullptr) return fallback;
  if (!v->is_int64() || v->get_int64() < 0) {
    *error = std::string(key) + " must be a non-negative integer";
    return 0;
  }
  return v->get_int64();
}

const char* kAllScopes =
    "user.info.basic,user.account.type,video.list,comment.list,comment.list.manage";

}  // namespace

namespace {

// Builds the links of a generated world: advertiser i / per_advertiser, its
// Business Account, TT_USER identity, ad group, posts and ads for link i.
// Defaults are built once, not per row: 100,000 links take seconds.
class LinkGenerator {
 public:
  LinkGenerator(SandboxState& s, std::int64_t posts_per, std::int64_t per_advertiser, bool issue)
      : s_(s),
        now_(s.world.now()),
        posts_per_(posts_per),
        per_advertiser_(per_advertiser),
        issue_(issue),
        post_defaults_(post_defaults(now_)) {}

  void add(std::int64_t i) {
    auto& w = s_.world;
    auto n = std::to_string(1000000000000 + i);  // 13 digits
    auto an = std::to_string(1000000000000 + i / per_advertiser_);
    auto adv = "700000" + an;
    auto open_id = "gen-open-" + n, user = "brand" + n, ident = "730000" + n;
    if (i % per_advertiser_ == 0) new_advertiser(adv, "Brand " + an + " Ads");
    w.accounts.upsert({{"open_id", open_id}, {"username", user}, {"display_name", "Brand " + n}},
                      account_defaults_);
    w.identities.upsert({{"advertiser_id", adv}, {"identity_id", ident}, {"user_name", user}},
                        identity_defaults_);
    w.adgroups.upsert({{"advertiser_id", adv}, {"adgroup_id", "760000" + n}}, adgroup_defaults_);
    for (std::int64_t p = 0; p < posts_per_; ++p) add_post(adv, ident, n, p);
    if (issue_) {
      ApiContext ctx{w, s_.ids};
      auto grant = issue_account_grant(ctx, open_id, kAllScopes, now_ + kRefreshTokenLifetime);
      tokens_.push_back({{"advertiser_id", adv},
                         {"open_id", open_id},
                         {"advertiser_token", advertiser_token_},
                         {"access_token", grant.access_token},
                         {"refresh_token", grant.refresh_token}});
    }
  }

  json::array take_tokens() { return std::move(tokens_); }

 private:
  void new_advertiser(const std::string& adv, const std::string& name) {
    s_.world.advertisers.upsert({{"advertiser_id", adv}, {"name", name}}, advertiser_defaults_);
    if (!issue_) return;
    ApiContext ctx{s_.world, s_.ids};
    advertiser_token_ = issue_advertiser_token(ctx, {adv}).token;
  }

  void add_post(const std::string& adv, const std::string& ident, const std::string& n,
                std::int64_t p) {
    auto& w = s_.world;
    auto item = "74" + std::to_string(p) + n;
    w.posts.upsert(
        {{"advertiser_id", adv},
         {"item_id", item},
         {"auth_code", "#" + s_.ids.hex(24)},
         {"identity_id", ident},
         {"video_id", item},
         {"auth_end_time",
          tiktok_time(now_ + (1 + static_cast<std::int64_t>(s_.ids.below(60))) * 86400)}},
        post_defaults_);
    w.ads.upsert({{"advertiser_id", adv},
                  {"ad_id", "75" + std::to_string(p) + n},
                  {"adgroup_id", "760000" + n},
                  {"identity_id", ident},
                  {"tiktok_item_id", item}},
                 ad_defaults_);
  }

  SandboxState& s_;
  std::int64_t now_;
  std::int64_t posts_per_;
  std::int64_t per_advertiser_;
  bool issue_;
  json::object advertiser_defaults_ = advertiser_defaults();
  json::object account_defaults_ = account_defaults();
  json::object identity_defaults_ = identity_defaults();
  json::object adgroup_defaults_ = adgroup_defaults();
  json::object ad_defaults_ = ad_defaults();
  json::object post_defaults_;
  std::string advertiser_token_;
  json::array tokens_;
};

}  // namespace

json::object generate_world(SandboxState& s, const json::object& spec, std::string* error) {
  auto links = spec_int(spec, "links", 100, error);
  auto comments = spec_int(spec, "comments", 0, error);
  auto posts_per = spec_int(spec, "posts_per_advertiser", 2, error);
  auto per_advertiser = spec_int(spec, "accounts_per_advertiser", 1, error);
  if (!error->empty()) return {};
  if (links > 1'000'000 || comments > 20'000'000 || posts_per > 1000) {
    *error = "links, comments or posts_per_advertiser too large";
    return {};
  }
  if (per_advertiser < 1 || per_advertiser > 1'000'000) {
    *error = "accounts_per_advertiser must be from 1 to 1000000";
    return {};
  }
  if (links == 0 && comments > 0) {
    *error = "comments need at least one link";
    return {};
  }
  bool issue = bool_field(spec, "issue_tokens");
  auto& w = s.world;
  w.clear_objects();
  auto now = w.now();
  for (auto* t : {&w.advertisers, &w.accounts, &w.identities, &w.adgroups})
    t->reserve(static_cast<std::size_t>(links));
  for (auto* t : {&w.posts, &w.ads}) t->reserve(static_cast<std::size_t>(links * posts_per));
  LinkGenerator generator(s, posts_per, per_advertiser, issue);
  for (std::int64_t i = 0; i < links; ++i) generator.add(i);
  auto tokens = generator.take_tokens();
  // Comments spread over every ad, with few distinct users and texts so the
  // string pool stays small.
  auto& pool = w.comments.pool();
  w.comments.reserve(static_cast<std::size_t>(comments));
  std::vector<StringPool::Id> users, user_ids;  // names and numeric ids, as upstream has both
  for (int u = 0; u < 5000; ++u) {
    users.push_back(pool.intern("fan_" + std::to_string(u)));
    user_ids.push_back(pool.intern(std::to_string(6900000000000000000LL + u)));
  }
  std::vector<StringPool::Id> texts;
  for (const auto* t : kCommentTexts) texts.push_back(pool.intern(t));
  struct AdIds {
    StringPool::Id advertiser_id, ad_id, item_id;
  };
  std::vector<AdIds> ads;  // interned once, not per comment
  for (const auto& ad : w.ads.rows())
    ads.push_back({pool.intern(str_field(ad, "advertiser_id")), pool.intern(str_field(ad, "ad_id")),
                   pool.intern(str_field(ad, "tiktok_item_id"))});
  for (std::int64_t c = 0; c < comments && !ads.empty(); ++c) {
    const auto& ad = ads[s.ids.below(ads.size())];
    Comment cm;
    cm.advertiser_id = ad.advertiser_id;
    cm.ad_id = ad.ad_id;
    cm.item_id = ad.item_id;
    auto u = s.ids.below(users.size());
    cm.user_id = user_ids[u];
    cm.user_name = users[u];
    cm.text = texts[s.ids.below(texts.size())];
    cm.create_time = now - static_cast<std::int64_t>(s.ids.below(30 * 86400));
    cm.likes = static_cast<std::uint32_t>(s.ids.below(100));
    w.comments.add(std::move(cm));
  }
  if (links > 0) {
    w.login.advertiser_ids = {str_field(w.advertisers.rows()[0], "advertiser_id")};
    w.login.open_id = str_field(w.accounts.rows()[0], "open_id");
  }
  json::object out{{"links", links},
                   {"advertisers", w.advertisers.rows().size()},
                   {"comments", w.comments.size()},
                   {"posts", w.posts.rows().size()}};
  if (issue) out["tokens"] = std::move(tokens);
  return out;
}

}  // namespace sandbox

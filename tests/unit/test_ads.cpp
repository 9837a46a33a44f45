// The pure parts of launching Spark Ads from a linked identity (core/ads and
// the core/tiktok families it uses): identities marked by user name, post
// code answers, request bodies, what each objective optimises, report rows,
// and the validation a launch passes before any request.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/ads/identities.hpp"
#include "core/ads/launch_plan.hpp"
#include "core/ads/launcher.hpp"
#include "core/ads/paid_sync.hpp"
#include "core/ads/post_codes.hpp"
#include "core/tiktok/campaigns.hpp"
#include "core/tiktok/identity.hpp"
#include "core/tiktok/posts.hpp"
#include "core/tiktok/reports.hpp"

namespace ttlink::ads {
namespace {
namespace json = boost::json;

json::array array(const char* text) {
  return json::parse(text).as_array();
}

TEST(Identities, DecodedWithWhetherTheirPostsCanBeUsed) {
  auto list = tiktok::decode_identities(array(
      R"([{"identity_id":"7300000000000000001","identity_type":"TT_USER","user_name":"brand",
           "display_name":"Brand","available_status":"AVAILABLE","can_pull_video":true},
          {"identity_id":7300000000000000002,"identity_type":"BC_AUTH_TT","user_name":"other",
           "available_status":"SCOPE_UNAVAILABLE"}])"));
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 2u);
  EXPECT_TRUE((*list)[0].can_pull_video);
  EXPECT_EQ((*list)[1].identity_id, "7300000000000000002");
  EXPECT_FALSE((*list)[1].can_pull_video);  // absent: not usable
  EXPECT_EQ((*list)[1].available_status, "SCOPE_UNAVAILABLE");
}

TEST(Identities, OnlyTheLinkedAccountIsMarked) {
  std::vector<tiktok::Identity> ids = {
      {"1", "TT_USER", "Other", "other", "AVAILABLE", true},
      {"2", "BC_AUTH_TT", "Brand", "brand", "AVAILABLE", true},
      {"3", "TT_USER", "Brand again", "brand", "AVAILABLE", true},  // the first match wins
  };
  auto marked = mark_linked(ids, "brand");
  ASSERT_EQ(marked.size(), 3u);
  EXPECT_FALSE(marked[0].linked);
  EXPECT_TRUE(marked[1].linked);
  EXPECT_FALSE(marked[2].linked);
  for (const auto& m : mark_linked(ids, "")) EXPECT_FALSE(m.linked);  // no username: no match
}

// /tt_video/info/ answers the one item in `data` (tiktok-api.md; the Go SDK
// bububa/tiktok-business): what an implementation of the documented API
// sends, which ttlink could not read before (it expected data.list).
TEST(PostCodes, TheCodesPostIsDecodedWithItsCreatorAndWindow) {
  auto post = tiktok::decode_code_info(json::parse(R"({
      "item_info":{"item_id":"7412345678901234567","auth_code":"#secret","text":"Hi"},
      "auth_info":{"ad_auth_status":"NOT_USED","auth_start_time":"2026-11-24 10:00:00",
                   "auth_end_time":"2026-12-24 10:00:00"},
      "user_info":{"identity_id":"7312345678901234567","identity_type":"AUTH_CODE",
                   "tiktok_name":"creator_1"}})")
                                           .as_object());
  ASSERT_TRUE(post) << post.error().message;
  EXPECT_EQ(post->item_id, "7412345678901234567");
  EXPECT_EQ(post->identity_type, "AUTH_CODE");
  EXPECT_EQ(post->tiktok_name, "creator_1");
  EXPECT_EQ(format_rfc3339(post->auth_end_time.value()), "2026-12-24T10:00:00Z");
  EXPECT_EQ(unbindable_reason(*post), "");  // NOT_USED: bind it

  auto empty = tiktok::decode_code_info(json::parse(R"({})").as_object());
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, ErrorKind::kTransient);  // code 0 without the post
  auto big_id = tiktok::decode_code_info(
      json::parse(R"({"item_info":{"item_id":7412345678901234567}})").as_object());
  ASSERT_TRUE(big_id) << big_id.error().message;  // a bare 19-digit number, read as text
  EXPECT_EQ(big_id->item_id, "7412345678901234567");
}

// The shape ttlink read before (data.list[0]) is still taken.
TEST(PostCodes, AListAnswerIsStillRead) {
  auto post = tiktok::decode_code_info(
      json::parse(R"({"list":[{"item_info":{"item_id":"7412345678901234567"}}]})").as_object());
  ASSERT_TRUE(post) << post.error().message;
  EXPECT_EQ(post->item_id, "7412345678901234567");
  EXPECT_FALSE(tiktok::decode_code_info(json::parse(R"({"list":[]})").as_object()));
}

TEST(PostCodes, AnExpiredOrUnboundCodeSaysWhyItCannotBeBound) {
  tiktok::PostAuthorization p;
  p.item_id = "74";
  p.tiktok_name = "creator_1";
  p.auth_code_status = "IN_USE";
  EXPECT_EQ(unbindable_reason(p), "");  // already bound here: reported, not an error
  p.auth_code_status = "EXPIRED";
  EXPECT_NE(unbindable_reason(p).find("has expired"), std::string::npos);
  p.auth_code_status = "DELETED";
  EXPECT_NE(unbindable_reason(p).find("cannot be used again"), std::string::npos);
}

// ---- launches

const TimePoint kNow = parse_rfc3339("2026-11-24T10:00:00Z").value();

store::PostRecord post(std::string item, std::string identity_id, std::string type,
                       std::string status = "IN_USE", Seconds left = Seconds(30 * 86400)) {
  store::PostRecord p;
  p.advertiser_id = "7000000000000000001";
  p.item_id = std::move(item);
  p.identity_id = std::move(identity_id);
  p.identity_type = std::move(type);
  p.auth_code_status = std::move(status);
  p.auth_end_time = kNow + left;
  return p;
}

LaunchFacts facts() {
  LaunchFacts f;
  f.link.id = "1";
  f.link.advertiser_id = "7000000000000000001";
  f.link.identity_id = "7300000000000000001";
  f.link.identity_type = "TT_USER";
  f.link.state = LinkState::kActive;
  store::AdvertiserRecord a;
  a.currency = "USD";
  f.advertiser = a;
  f.posts = {post("7400000000000000001", "7300000000000000001", "TT_USER"),
             post("7400000000000000002", "7399999999999999999", "AUTH_CODE"),
             post("7400000000000000003", "7388888888888888888", "TT_USER"),  // another account's
             post("7400000000000000004", "7300000000000000001", "TT_USER", "EXPIRED")};
  f.now = kNow;
  return f;
}

LaunchSpec spec(std::string objective = "VIDEO_VIEWS") {
  LaunchSpec s;
  s.link_id = "1";
  s.name = "Winter launch";
  s.objective = std::move(objective);
  s.item_id = "7400000000000000001";
  s.daily_budget = 30;
  return s;
}

std::string refusal(const LaunchSpec& s, const LaunchFacts& f = facts()) {
  auto plan = plan_launch(s, f);
  return plan ? "" : plan.error().message;
}

TEST(LaunchPlan, TheThreeRequestsUseTheLinksIdentityAndThePost) {
  auto plan = plan_launch(spec(), facts());
  ASSERT_TRUE(plan) << plan.error().message;
  auto campaign = tiktok::campaign_body(plan->campaign);
  EXPECT_EQ(campaign.at("objective_type").as_string(), "VIDEO_VIEWS");
  EXPECT_EQ(campaign.at("budget_mode").as_string(), "BUDGET_MODE_INFINITE");  // on the ad group
  EXPECT_FALSE(campaign.contains("request_id"));  // set per step when sent
  auto adgroup = tiktok::adgroup_body(plan->adgroup);
  EXPECT_EQ(adgroup.at("budget_mode").as_string(), "BUDGET_MODE_DAY");
  EXPECT_EQ(adgroup.at("budget").as_int64(), 30);  // not 3E1
  EXPECT_EQ(adgroup.at("schedule_type").as_string(), "SCHEDULE_FROM_NOW");
  EXPECT_EQ(adgroup.at("schedule_start_time").as_string(), "2026-11-24 10:00:00");
  EXPECT_EQ(adgroup.at("optimization_goal").as_string(), "ENGAGED_VIEW");
  EXPECT_EQ(adgroup.at("billing_event").as_string(), "CPV");
  EXPECT_EQ(adgroup.at("location_ids").as_array().at(0).as_string(), kDefaultLocation);
  auto ad = tiktok::ad_body(plan->ad);
  const auto& creative = ad.at("creatives").as_array().at(0).as_object();
  EXPECT_EQ(creative.at("identity_type").as_string(), "TT_USER");
  EXPECT_EQ(creative.at("identity_id").as_string(), "7300000000000000001");
  EXPECT_EQ(creative.at("tiktok_item_id").as_string(), "7400000000000000001");
  EXPECT_EQ(creative.at("ad_format").as_string(), "SINGLE_VIDEO");
  EXPECT_FALSE(creative.contains("video_id"));
  EXPECT_FALSE(creative.contains("landing_page_url"));
  EXPECT_FALSE(creative.contains("call_to_action"));  // no landing page: no button
}

TEST(LaunchPlan, APostBoundByCodeRunsUnderTheCreatorsAuthCodeIdentity) {
  auto s = spec("TRAFFIC");
  s.item_id = "7400000000000000002";
  s.landing_url = "https://shop.example/winter";
  auto plan = plan_launch(s, facts());
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->ad.identity_type, "AUTH_CODE");
  EXPECT_EQ(plan->ad.identity_id, "7399999999999999999");
  EXPECT_EQ(plan->ad.call_to_action, "LEARN_MORE");
  EXPECT_EQ(plan->adgroup.goal.optimization_goal, "CLICK");
  EXPECT_EQ(plan->adgroup.goal.billing_event, "CPC");
  EXPECT_EQ(tiktok::adgroup_body(plan->adgroup).at("promotion_type").as_string(), "WEBSITE");
}

TEST(LaunchPlan, EachObjectiveHasItsGoalAndBilling) {
  EXPECT_EQ(tiktok::goal_for("REACH")->billing_event, "CPM");
  EXPECT_EQ(tiktok::goal_for("REACH")->frequency, 3);
  EXPECT_EQ(tiktok::goal_for("TRAFFIC")->optimization_goal, "CLICK");
  EXPECT_EQ(tiktok::goal_for("VIDEO_VIEWS")->optimization_goal, "ENGAGED_VIEW");
  EXPECT_FALSE(tiktok::goal_for("APP_PROMOTION"));
  auto plan = plan_launch(spec("REACH"), facts());
  ASSERT_TRUE(plan);
  auto body = tiktok::adgroup_body(plan->adgroup);
  EXPECT_EQ(body.at("frequency").as_int64(), 3);
  EXPECT_EQ(body.at("frequency_schedule").as_int64(), 7);
}

TEST(LaunchPlan, BudgetsBelowTheMinimumAreRefusedWithTheReason) {
  auto s = spec();
  s.daily_budget = 19.99;
  EXPECT_EQ(refusal(s),
            "--daily-budget 19.99 USD is below TikTok's minimum daily budget of an ad group, "
            "20.00 USD");
  s.daily_budget.reset();
  s.total_budget = 100;
  s.end = kNow + Seconds(10 * 86400);  // 10 days: at least 200
  EXPECT_NE(refusal(s).find("20.00 USD x 10 = 200.00 USD"), std::string::npos) << refusal(s);
  s.total_budget = 200;
  EXPECT_EQ(refusal(s), "");
  s.end.reset();
  EXPECT_EQ(refusal(s), "--total-budget needs --end DATE");
  s.daily_budget = 30;
  s.end = kNow + Seconds(86400);
  EXPECT_NE(refusal(s).find("exactly one"), std::string::npos);
  s.total_budget.reset();
  s.daily_budget = -5;
  EXPECT_NE(refusal(s).find("positive"), std::string::npos);
}

TEST(LaunchPlan, ALandingPageMustBeHttpsAndTrafficNeedsOne) {
  auto s = spec("TRAFFIC");
  EXPECT_EQ(refusal(s), "a TRAFFIC campaign needs --landing-url https://...");
  s.landing_url = "http://shop.example/";
  EXPECT_NE(refusal(s).find("must be https://"), std::string::npos);
  s.landing_url = "shop.example";
  EXPECT_NE(refusal(s).find("is not a URL"), std::string::npos);
  s.landing_url = "https://shop.example/";
  s.call_to_action = "buy now!";
  EXPECT_NE(refusal(s).find("--cta"), std::string::npos);
}

TEST(LaunchPlan, OnlyThePostsTheIdentityMayUseAreAccepted) {
  auto s = spec();
  s.item_id = "7400000000000000003";  // another account's post
  EXPECT_NE(refusal(s).find("neither one of its own posts nor one bound"), std::string::npos);
  s.item_id = "7400000000000000009";  // unknown
  EXPECT_NE(refusal(s).find("cannot be used"), std::string::npos);
  s.item_id = "7400000000000000004";  // its own, authorization expired
  EXPECT_NE(refusal(s).find("not live"), std::string::npos);
  auto f = facts();
  f.posts[0].auth_end_time = kNow - Seconds(1);  // IN_USE upstream, but past its end
  EXPECT_NE(refusal(spec(), f).find("not live"), std::string::npos);
}

TEST(LaunchPlan, OnlyAnActiveLinkWithAnIdentityLaunches) {
  auto f = facts();
  f.link.state = LinkState::kExpiring;
  EXPECT_NE(refusal(spec(), f).find("is EXPIRING: campaigns are launched only from an ACTIVE"),
            std::string::npos)
      << refusal(spec(), f);
  f = facts();
  f.link.identity_id.clear();
  EXPECT_NE(refusal(spec(), f).find("has no identity"), std::string::npos);
}

TEST(LaunchPlan, TheScheduleIsCheckedAsUpstreamChecksIt) {
  auto s = spec();
  s.start = kNow - Seconds(13 * 3600);
  EXPECT_NE(refusal(s).find("more than 12 hours in the past"), std::string::npos);
  s.start = kNow + Seconds(86400);
  s.end = kNow;
  EXPECT_NE(refusal(s).find("is not after the start"), std::string::npos);
  s = spec();
  s.name = std::string(513, 'x');
  EXPECT_NE(refusal(s).find("1 to 512"), std::string::npos);
  s.name = std::string(512, 'x');
  EXPECT_EQ(refusal(s), "");
  s.location_ids = {"6252001", "US"};
  EXPECT_NE(refusal(s).find("--location"), std::string::npos);
}

TEST(LaunchPlan, TheSpecOfARerunMatchesOnlyTheSameSettings) {
  auto a = spec();
  auto b = spec();
  EXPECT_EQ(spec_json(a), spec_json(b));
  b.daily_budget = 31;
  EXPECT_NE(spec_json(a), spec_json(b));
  b = spec();
  b.location_ids = {"6252001"};  // the default, but asked for: another command line
  EXPECT_NE(spec_json(a), spec_json(b));
}

TEST(LaunchPlan, RequestIdsAre64BitIntegersAsStrings) {
  for (int i = 0; i < 100; ++i) {
    const std::string id = new_request_id();
    ASSERT_EQ(id.size(), 19u) << id;
    ASSERT_EQ(id.find_first_not_of("0123456789"), std::string::npos) << id;
    ASSERT_LT(id, "9223372036854775807") << id;  // fits a signed 64-bit integer
  }
  EXPECT_NE(new_request_id(), new_request_id());
}

TEST(Campaigns, CreatedIdsAreDecodedAsDecimalStrings) {
  auto id =
      tiktok::decode_created_id(json::parse(R"({"campaign_id":1800000000000000001})").as_object(),
                                "campaign_id", "/campaign/create/");
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "1800000000000000001");
  auto ad =
      tiktok::decode_first_ad_id(json::parse(R"({"ad_ids":["1900000000000000001"]})").as_object());
  ASSERT_TRUE(ad);
  EXPECT_EQ(*ad, "1900000000000000001");
  auto none = tiktok::decode_first_ad_id(json::parse(R"({"ad_ids":[]})").as_object());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::kTransient);
}

// ---- paid figures

TEST(Reports, MetricStringsAreParsedExactly) {
  EXPECT_EQ(tiktok::parse_money_micros("12.34"), 12'340'000);
  EXPECT_EQ(tiktok::parse_money_micros("0.5"), 500'000);
  EXPECT_EQ(tiktok::parse_money_micros("1200"), 1'200'000'000);
  EXPECT_EQ(tiktok::parse_money_micros("0.1234567"), 123'456);  // beyond millionths: cut
  for (const char* bad : {"", "-1", "1e3", "12.", "1.2.3", "abc", " 12"})
    EXPECT_FALSE(tiktok::parse_money_micros(bad)) << bad;
  EXPECT_EQ(tiktok::parse_count("1200"), 1200);
  EXPECT_EQ(tiktok::parse_count("1200.00"), 1200);
  EXPECT_FALSE(tiktok::parse_count("12.5"));
  EXPECT_FALSE(tiktok::parse_count("-3"));
}

TEST(Reports, RowsByAdAndDayAreDecoded) {
  auto rows = tiktok::decode_ad_days(json::parse(R"([
      {"dimensions":{"ad_id":"1900000000000000001","stat_time_day":"2026-11-24 00:00:00"},
       "metrics":{"spend":"12.34","impressions":"1200","clicks":"30","likes":"4","comments":"1",
                  "shares":"0","follows":"2","video_play_actions":"500","profile_visits":"7"}},
      {"dimensions":{"ad_id":1900000000000000002,"stat_time_day":"2026-11-25 00:00:00"},
       "metrics":{"spend":"-","impressions":"0"}}])")
                                         .as_array());
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  const auto& a = (*rows)[0];
  EXPECT_EQ(a.ad_id, "1900000000000000001");
  EXPECT_EQ(a.day, "2026-11-24");
  EXPECT_EQ(a.figures.spend_micros, 12'340'000);
  EXPECT_EQ(a.figures.impressions, 1200);
  EXPECT_EQ(a.figures.video_views, 500);
  EXPECT_EQ(a.figures.profile_visits, 7);
  EXPECT_EQ((*rows)[1].ad_id, "1900000000000000002");
  EXPECT_EQ((*rows)[1].figures.spend_micros, 0);  // "-" and absent metrics: no data, 0

  auto bad = tiktok::decode_ad_days(
      json::parse(R"([{"dimensions":{"ad_id":"1"},"metrics":{"spend":"1"}}])").as_array());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kTransient);
  auto words = tiktok::decode_ad_days(
      json::parse(
          R"([{"dimensions":{"ad_id":"1","stat_time_day":"2026-11-24 00:00:00"},
           "metrics":{"spend":"a lot"}}])")
          .as_array());
  ASSERT_FALSE(words);
}

TEST(Reports, TheWindowIs30DatesEndingTomorrow) {
  auto w = report_window(kNow);  // 2026-11-24T10:00:00Z
  EXPECT_EQ(w.first_day, "2026-10-27");
  EXPECT_EQ(w.last_day, "2026-11-25");
  auto first = parse_tiktok_time(w.first_day + " 00:00:00").value();
  auto last = parse_tiktok_time(w.last_day + " 00:00:00").value();
  EXPECT_EQ(std::chrono::duration_cast<Seconds>(last - first).count() / 86400 + 1,
            tiktok::kMaxReportDaysByDay);
}

}  // namespace
}  // namespace ttlink::ads

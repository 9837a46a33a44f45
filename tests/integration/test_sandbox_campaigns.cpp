// ttlink-sandbox over real HTTP, the Spark Ads launch: creators' post
// authorization codes (/_sandbox/spark_codes, /tt_video/authorize/, unbind,
// info), campaign -> ad group -> Spark Ad with the documented validation and
// request_id idempotency, reports that grow with the sandbox clock, and the
// new objects surviving a restart.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <boost/url.hpp>

#include "support/sandbox_fixture.hpp"
#include "support/temp_dir.hpp"

namespace ttlink::test {
namespace {

namespace json = boost::json;

const std::string kAdvertiser = "7000000000000000001";
const std::string kIdentity = "7300000000000000001";  // the demo's TT_USER identity
const std::string kOwnPost = "7400000000000000003";   // its post authorized for 90 days
const std::string kRedirect = "http://127.0.0.1:9/callback";

std::string enc(const std::string& value) {
  return boost::urls::encode(value, boost::urls::unreserved_chars);
}

std::string str(const json::value& v, const char* key) {
  return std::string(v.at(key).as_string());
}

long code(const json::object& envelope) {
  return static_cast<long>(envelope.at("code").as_int64());
}

std::string message(const json::object& envelope) {
  return str(envelope, "message");
}

std::string text(const json::value& v) {
  return std::string(v.as_string());
}

std::int64_t parse_time(const std::string& t) {
  std::tm tm{};
  strptime(t.c_str(), "%Y-%m-%d %H:%M:%S", &tm);
  return timegm(&tm);
}

class SandboxCampaigns : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox_ = SandboxProcess::start({"--seed", "3"});
    token_ = advertiser_token();
  }

  std::string advertiser_token() {
    auto app = sandbox_->world().at("app").as_object();
    auto page =
        sandbox_->http().get(sandbox_->base_url() + "/portal/auth?app_id=" + str(app, "app_id") +
                             "&state=s&redirect_uri=" + kRedirect);
    EXPECT_TRUE(page && page->status == 302);
    boost::urls::url_view location(page->header("Location"));
    auto auth_code = std::string((*location.params().find("auth_code")).value);
    auto r = post(
        "/oauth2/access_token/",
        {{"app_id", app.at("app_id")}, {"secret", app.at("secret")}, {"auth_code", auth_code}});
    EXPECT_EQ(code(r), 0) << json::serialize(r);
    return str(r.at("data"), "access_token");
  }

  json::object call(const std::string& method, const std::string& path, const std::string& body) {
    Headers h{{"Access-Token", token_}};
    if (!body.empty()) h["Content-Type"] = "application/json";
    auto res = sandbox_->http().request(method, sandbox_->api(path), body, h);
    EXPECT_TRUE(res) << (res ? "" : res.error().message);
    if (!res) return {};
    EXPECT_EQ(res->status, 200) << path << ": " << res->body;
    return json::parse(res->body).as_object();
  }
  json::object get(const std::string& path_and_query) { return call("GET", path_and_query, ""); }
  json::object post(const std::string& path, const json::object& body) {
    return call("POST", path, json::serialize(body));
  }

  std::int64_t now() { return sandbox_->world().at("clock").at("now").as_int64(); }
  void advance(std::int64_t seconds) {
    sandbox_->control("POST", "/clock/advance", json::value{{"seconds", seconds}});
  }
  static std::string tiktok_time(std::int64_t t) {
    std::time_t tt = t;
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
  }
  static std::string date(std::int64_t t) { return tiktok_time(t).substr(0, 10); }

  json::object spark_code(int days) {
    return sandbox_->control("POST", "/spark_codes", json::value{{"days", days}}).as_object();
  }
  json::object authorize(const std::string& auth_code) {
    return post("/tt_video/authorize/", {{"advertiser_id", kAdvertiser}, {"auth_code", auth_code}});
  }
  json::array posts() {
    auto r = get("/tt_video/list/?advertiser_id=" + kAdvertiser + "&page_size=50");
    EXPECT_EQ(code(r), 0);
    return r.at("data").at("list").as_array();
  }
  json::object info(const std::string& auth_code) {
    return get("/tt_video/info/?advertiser_id=" + kAdvertiser + "&auth_code=" + enc(auth_code));
  }

  json::object campaign_body(const std::string& name, const std::string& objective = "TRAFFIC") {
    return {{"advertiser_id", kAdvertiser},
            {"campaign_name", name},
            {"objective_type", objective},
            {"budget_mode", "BUDGET_MODE_DAY"},
            {"budget", 100}};
  }
  std::string create_campaign(const std::string& name, const std::string& objective = "TRAFFIC") {
    auto r = post("/campaign/create/", campaign_body(name, objective));
    EXPECT_EQ(code(r), 0) << json::serialize(r);
    return str(r.at("data"), "campaign_id");
  }
  json::object adgroup_body(const std::string& campaign_id, const std::string& goal = "CLICK",
                            const std::string& billing = "CPC") {
    return {{"advertiser_id", kAdvertiser},
            {"campaign_id", campaign_id},
            {"adgroup_name", "Ad group"},
            {"placement_type", "PLACEMENT_TYPE_NORMAL"},
            {"placements", json::array{"PLACEMENT_TIKTOK"}},
            {"location_ids", json::array{"6252001"}},
            {"budget_mode", "BUDGET_MODE_DAY"},
            {"budget", 40},
            {"schedule_type", "SCHEDULE_FROM_NOW"},
            {"schedule_start_time", tiktok_time(now())},
            {"optimization_goal", goal},
            {"billing_event", billing},
            {"promotion_type", "WEBSITE"},
            {"bid_type", "BID_TYPE_NO_BID"},
            {"pacing", "PACING_MODE_SMOOTH"}};
  }
  std::string create_adgroup(const std::string& campaign_id) {
    auto r = post("/adgroup/create/", adgroup_body(campaign_id));
    EXPECT_EQ(code(r), 0) << json::serialize(r);
    return str(r.at("data"), "adgroup_id");
  }
  static json::object spark_creative(const std::string& identity_type,
                                     const std::string& identity_id, const std::string& item_id) {
    return {{"ad_name", "Spark " + item_id},
            {"identity_type", identity_type},
            {"identity_id", identity_id},
            {"ad_format", "SINGLE_VIDEO"},
            {"tiktok_item_id", item_id},
            {"call_to_action", "LEARN_MORE"},
            {"landing_page_url", "https://shop.example/spring"}};
  }
  json::object create_ads(const std::string& adgroup_id, json::array creatives,
                          const std::string& request_id = "") {
    json::object body{{"advertiser_id", kAdvertiser},
                      {"adgroup_id", adgroup_id},
                      {"creatives", std::move(creatives)}};
    if (!request_id.empty()) body["request_id"] = request_id;
    return post("/ad/create/", body);
  }
  // campaign -> ad group -> one Spark Ad on the demo identity's own post.
  std::string launch_own_post_ad(const std::string& name) {
    auto adgroup = create_adgroup(create_campaign(name));
    auto r = create_ads(adgroup, {spark_creative("TT_USER", kIdentity, kOwnPost)});
    EXPECT_EQ(code(r), 0) << json::serialize(r);
    return text(r.at("data").at("ad_ids").at(0));
  }
  json::object ad(const std::string& ad_id) {
    auto r = get("/ad/get/?advertiser_id=" + kAdvertiser +
                 "&filtering=" + enc(R"({"ad_ids":[")" + ad_id + R"("]})"));
    EXPECT_EQ(code(r), 0) << json::serialize(r);
    EXPECT_EQ(r.at("data").at("list").as_array().size(), 1u);
    return r.at("data").at("list").at(0).as_object();
  }
  json::object report(const std::string& query) {
    return get("/report/integrated/get/?advertiser_id=" + kAdvertiser +
               "&report_type=BASIC&data_level=AUCTION_AD&" + query);
  }
  json::object lifetime(const std::string& ad_id) {
    auto r = report("dimensions=" + enc(R"(["ad_id"])") + "&query_lifetime=true&metrics=" +
                    enc(R"(["spend","impressions","clicks","likes","video_play_actions","ctr"])") +
                    "&filtering=" + enc(R"({"ad_ids":[")" + ad_id + R"("]})"));
    EXPECT_EQ(code(r), 0) << json::serialize(r);
    auto list = r.at("data").at("list").as_array();
    return list.empty() ? json::object{} : list.at(0).at("metrics").as_object();
  }

  std::unique_ptr<SandboxProcess> sandbox_;
  std::string token_;
};

double num(const json::object& metrics, const char* key) {
  return metrics.contains(key) ? std::stod(str(metrics, key)) : 0;
}

// ---- post authorization codes

TEST_F(SandboxCampaigns, SparkCodeBindsOncePostAndAuthCodeIdentityAppear) {
  auto created = spark_code(30);
  auto auth_code = str(created, "auth_code");
  auto item_id = str(created, "item_id");
  auto preview = info(auth_code);
  ASSERT_EQ(code(preview), 0) << json::serialize(preview);
  // One item in `data`, no list (tiktok-api.md).
  EXPECT_FALSE(preview.at("data").as_object().contains("list"));
  EXPECT_EQ(str(preview.at("data").at("auth_info"), "ad_auth_status"), "NOT_USED");
  EXPECT_EQ(posts().size(), 3u);  // a preview binds nothing

  ASSERT_EQ(code(authorize(auth_code)), 0);
  auto bound = info(auth_code);
  ASSERT_EQ(code(bound), 0);
  auto item = bound.at("data").as_object();
  EXPECT_EQ(str(item.at("item_info"), "item_id"), item_id);
  EXPECT_EQ(str(item.at("auth_info"), "ad_auth_status"), "IN_USE");
  EXPECT_NEAR(parse_time(str(item.at("auth_info"), "auth_end_time")), now() + 30 * 86400, 5);
  EXPECT_EQ(str(item.at("user_info"), "identity_type"), "AUTH_CODE");
  EXPECT_EQ(str(item.at("user_info"), "tiktok_name"), str(created, "user_name"));
  ASSERT_EQ(posts().size(), 4u);
  EXPECT_EQ(str(posts().at(3).at("item_info"), "item_id"), item_id);

  auto identities = get("/identity/get/?advertiser_id=" + kAdvertiser + "&identity_type=AUTH_CODE");
  ASSERT_EQ(code(identities), 0);
  auto list = identities.at("data").at("identity_list").as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(str(list.at(0), "identity_id"), str(created, "identity_id"));
  EXPECT_FALSE(list.at(0).as_object().contains("available_status"));

  auto again = authorize(auth_code);
  EXPECT_EQ(code(again), 40110);
  EXPECT_NE(message(again).find("used"), std::string::npos) << message(again);
  EXPECT_EQ(posts().size(), 4u);
}

TEST_F(SandboxCampaigns, ExpiredAndUnknownCodesAreRefusedAndBindNothing) {
  auto short_lived = str(spark_code(1), "auth_code");
  advance(86400 + 60);
  auto expired = authorize(short_lived);
  EXPECT_EQ(code(expired), 40110);
  EXPECT_NE(message(expired).find("expired"), std::string::npos) << message(expired);
  auto unknown = authorize("#not-a-code");
  EXPECT_EQ(code(unknown), 40110);
  EXPECT_NE(message(unknown).find("invalid"), std::string::npos);
  EXPECT_EQ(code(info("#not-a-code")), 40110);
  EXPECT_EQ(code(post("/tt_video/authorize/", {{"advertiser_id", kAdvertiser}})), 40002);
  EXPECT_EQ(posts().size(), 3u);
  auto bad_days =
      sandbox_->http().post_json(sandbox_->base_url() + "/_sandbox/spark_codes", R"({"days": 0})");
  ASSERT_TRUE(bad_days);
  EXPECT_EQ(bad_days->status, 400);
  EXPECT_NE(bad_days->body.find("days"), std::string::npos);
}

TEST_F(SandboxCampaigns, UnbindEndsThePostItsIdentityAndItsAds) {
  auto created = spark_code(30);
  ASSERT_EQ(code(authorize(str(created, "auth_code"))), 0);
  auto adgroup = create_adgroup(create_campaign("Creator boost"));
  auto ads = create_ads(
      adgroup, {spark_creative("AUTH_CODE", str(created, "identity_id"), str(created, "item_id"))});
  ASSERT_EQ(code(ads), 0) << json::serialize(ads);
  auto ad_id = text(ads.at("data").at("ad_ids").at(0));
  EXPECT_EQ(str(ad(ad_id), "secondary_status"), "AD_STATUS_DELIVERY_OK");

  auto r = post("/tt_video/unbind/",
                {{"advertiser_id", kAdvertiser}, {"item_id", created.at("item_id")}});
  ASSERT_EQ(code(r), 0) << json::serialize(r);
  EXPECT_EQ(posts().size(), 3u);
  auto identities = get("/identity/get/?advertiser_id=" + kAdvertiser + "&identity_type=AUTH_CODE");
  EXPECT_TRUE(identities.at("data").at("identity_list").as_array().empty());
  auto lost = ad(ad_id);
  EXPECT_EQ(str(lost, "secondary_status"), "STATUS_ASSET_AUTHORIZATION_LOST");
  EXPECT_FALSE(lost.contains("authorization_lost_at"));
  EXPECT_EQ(code(authorize(str(created, "auth_code"))), 40110);  // an unbound code is spent
  EXPECT_EQ(code(post("/tt_video/unbind/", {{"advertiser_id", kAdvertiser}, {"item_id", "1"}})),
            40007);
  // A new ad on the unbound post is refused.
  auto again = create_ads(
      adgroup, {spark_creative("AUTH_CODE", str(created, "identity_id"), str(created, "item_id"))});
  EXPECT_EQ(code(again), 40002);
}

TEST_F(SandboxCampaigns, AnalystMayReadButNotWrite) {
  auto campaign = create_campaign("Before the role changed");
  sandbox_->control("POST", "/advertisers",
                    json::value{{"advertiser_id", kAdvertiser}, {"user_role", "ANALYST"}});
  EXPECT_EQ(code(authorize(str(spark_code(7), "auth_code"))), 40301);
  EXPECT_EQ(code(post("/campaign/create/", campaign_body("Analyst"))), 40301);
  EXPECT_EQ(code(post("/adgroup/create/", adgroup_body(campaign))), 40301);
  EXPECT_EQ(
      code(post("/tt_video/unbind/", {{"advertiser_id", kAdvertiser}, {"item_id", kOwnPost}})),
      40301);
  auto list = get("/campaign/get/?advertiser_id=" + kAdvertiser);
  ASSERT_EQ(code(list), 0);
  EXPECT_EQ(list.at("data").at("page_info").at("total_number").as_int64(), 1);
}

// ---- campaigns, ad groups, ads

TEST_F(SandboxCampaigns, CampaignCreateValidatesAndRequestIdMakesOneCampaign) {
  auto low = campaign_body("Low");
  low["budget"] = 49.5;
  auto refused = post("/campaign/create/", low);
  EXPECT_EQ(code(refused), 40002);
  EXPECT_NE(message(refused).find("budget"), std::string::npos);
  EXPECT_NE(message(refused).find("50.00 USD"), std::string::npos) << message(refused);
  auto no_budget = campaign_body("No budget");
  no_budget.erase("budget");
  EXPECT_EQ(code(post("/campaign/create/", no_budget)), 40002);
  auto bad_objective = campaign_body("Bad", "SALES");
  EXPECT_NE(message(post("/campaign/create/", bad_objective)).find("objective_type"),
            std::string::npos);
  auto long_name = campaign_body(std::string(513, 'x'));
  EXPECT_EQ(code(post("/campaign/create/", long_name)), 40002);

  auto body = campaign_body("Spring launch");
  body["request_id"] = "1234567890123";
  auto first = post("/campaign/create/", body);
  ASSERT_EQ(code(first), 0) << json::serialize(first);
  auto second = post("/campaign/create/", body);
  ASSERT_EQ(code(second), 0);
  EXPECT_EQ(str(first.at("data"), "campaign_id"), str(second.at("data"), "campaign_id"));
  body.erase("request_id");
  auto duplicate = post("/campaign/create/", body);
  EXPECT_EQ(code(duplicate), 40911);
  body["request_id"] = "not a number";
  EXPECT_EQ(code(post("/campaign/create/", body)), 40002);

  auto list = get("/campaign/get/?advertiser_id=" + kAdvertiser +
                  "&fields=" + enc(R"(["campaign_name","objective_type","budget"])"));
  ASSERT_EQ(code(list), 0);
  ASSERT_EQ(list.at("data").at("page_info").at("total_number").as_int64(), 1);
  auto campaign = list.at("data").at("list").at(0).as_object();
  EXPECT_EQ(str(campaign, "campaign_name"), "Spring launch");
  EXPECT_EQ(str(campaign, "objective_type"), "TRAFFIC");
  EXPECT_FALSE(campaign.contains("budget_mode"));  // fields limit the answer
  auto filtered = get("/campaign/get/?advertiser_id=" + kAdvertiser +
                      "&filtering=" + enc(R"({"objective_type":"REACH"})"));
  EXPECT_EQ(filtered.at("data").at("page_info").at("total_number").as_int64(), 0);
}

TEST_F(SandboxCampaigns, AdgroupCreateChecksGoalsBudgetsAndSchedule) {
  auto traffic = create_campaign("Traffic");
  auto expect_refused = [&](json::object body, const std::string& needle) {
    auto r = post("/adgroup/create/", body);
    EXPECT_EQ(code(r), 40002) << needle << ": " << json::serialize(r);
    EXPECT_NE(message(r).find(needle), std::string::npos) << message(r);
  };
  auto b = adgroup_body(traffic, "REACH", "CPM");
  expect_refused(b, "optimization_goal");
  b = adgroup_body(traffic, "CLICK", "CPM");
  expect_refused(b, "billing_event");
  b = adgroup_body(traffic);
  b.erase("promotion_type");
  expect_refused(b, "promotion_type");
  b = adgroup_body(traffic);
  b["budget"] = 19.99;
  expect_refused(b, "20.00 USD");
  b = adgroup_body(traffic);
  b["budget_mode"] = "BUDGET_MODE_TOTAL";
  b["budget"] = 1000;
  expect_refused(b, "SCHEDULE_START_END");
  b["schedule_type"] = "SCHEDULE_START_END";
  // Start and end from one reading of the clock: a second between two
  // readings made it 10 days + 1 s, rounded up to 11 (a flaky failure).
  const std::int64_t start = now();
  b["schedule_start_time"] = tiktok_time(start);
  b["schedule_end_time"] = tiktok_time(start + 10 * 86400);
  b["budget"] = 199;
  expect_refused(b, "20.00 USD x 10 days = 200.00 USD");
  b["budget"] = 200;
  EXPECT_EQ(code(post("/adgroup/create/", b)), 0);
  b = adgroup_body(traffic);
  b["schedule_start_time"] = tiktok_time(now() - 13 * 3600);
  expect_refused(b, "12 hours");
  b["schedule_start_time"] = tiktok_time(now() - 11 * 3600);
  EXPECT_EQ(code(post("/adgroup/create/", b)), 0);
  b = adgroup_body(traffic);
  b.erase("location_ids");
  expect_refused(b, "location_ids");
  b = adgroup_body(traffic);
  b["bid_type"] = "BID_TYPE_CUSTOM";
  expect_refused(b, "bid_price");

  auto landing = adgroup_body(traffic, "TRAFFIC_LANDING_PAGE_VIEW", "OCPM");
  EXPECT_EQ(code(post("/adgroup/create/", landing)), 0);
  auto reach = adgroup_body(create_campaign("Reach", "REACH"), "REACH", "CPM");
  expect_refused(reach, "frequency");
  reach["frequency"] = 2;
  reach["frequency_schedule"] = 7;
  EXPECT_EQ(code(post("/adgroup/create/", reach)), 0) << json::serialize(reach);
  auto views = adgroup_body(create_campaign("Views", "VIDEO_VIEWS"), "ENGAGED_VIEW", "CPV");
  EXPECT_EQ(code(post("/adgroup/create/", views)), 0);
  auto leads = adgroup_body(create_campaign("Leads", "LEAD_GENERATION"));
  EXPECT_EQ(code(post("/adgroup/create/", leads)), 40009);
  EXPECT_EQ(code(post("/adgroup/create/", adgroup_body("123"))), 40007);

  auto list = get("/adgroup/get/?advertiser_id=" + kAdvertiser +
                  "&filtering=" + enc(R"({"campaign_ids":[")" + traffic + R"("]})"));
  ASSERT_EQ(code(list), 0);
  EXPECT_EQ(list.at("data").at("page_info").at("total_number").as_int64(), 3);
  EXPECT_EQ(str(list.at("data").at("list").at(0), "campaign_id"), traffic);
}

TEST_F(SandboxCampaigns, AdGroupWithoutBudgetNeedsACampaignBudget) {
  auto no_budget = campaign_body("Infinite");
  no_budget["budget_mode"] = "BUDGET_MODE_INFINITE";
  no_budget.erase("budget");
  auto r = post("/campaign/create/", no_budget);
  ASSERT_EQ(code(r), 0) << json::serialize(r);
  auto body = adgroup_body(str(r.at("data"), "campaign_id"));
  body.erase("budget_mode");
  body.erase("budget");
  auto refused = post("/adgroup/create/", body);
  EXPECT_EQ(code(refused), 40002);
  EXPECT_NE(message(refused).find("budget"), std::string::npos);
  body["campaign_id"] = create_campaign("With budget");
  EXPECT_EQ(code(post("/adgroup/create/", body)), 0);
}

TEST_F(SandboxCampaigns, AdCreateChecksSparkCreativesAndAnswersAdIds) {
  auto adgroup = create_adgroup(create_campaign("Spark"));
  auto refused = [&](json::object creative, const std::string& needle) {
    auto r = create_ads(adgroup, {creative});
    EXPECT_EQ(code(r), 40002) << needle << ": " << json::serialize(r);
    EXPECT_NE(message(r).find(needle), std::string::npos) << message(r);
  };
  auto c = spark_creative("TT_USER", kIdentity, kOwnPost);
  c.erase("landing_page_url");
  refused(c, "landing_page_url");
  c["landing_page_url"] = "http://shop.example/";
  refused(c, "https");
  refused(spark_creative("TT_USER", "7300000000000000999", kOwnPost), "identity_id");
  refused(spark_creative("BC_AUTH_TT", kIdentity, kOwnPost), "identity_id");
  auto creator = spark_code(30);
  ASSERT_EQ(code(authorize(str(creator, "auth_code"))), 0);
  // The creator's post is not the demo identity's own.
  refused(spark_creative("TT_USER", kIdentity, str(creator, "item_id")), "tiktok_item_id");
  c = spark_creative("TT_USER", kIdentity, kOwnPost);
  c["video_id"] = "v123";
  refused(c, "video_id");
  c = spark_creative("TT_USER", kIdentity, kOwnPost);
  c["call_to_action"] = "CLICK_HERE_NOW";
  refused(c, "call_to_action");
  advance(2 * 86400 + 60);  // the demo's first post authorization ends after 2 days
  refused(spark_creative("TT_USER", kIdentity, "7400000000000000001"), "EXPIRED");
  sandbox_->control("POST", "/identities",
                    json::value{{"advertiser_id", kAdvertiser},
                                {"identity_id", kIdentity},
                                {"available_status", "NO_VALID_BIND_ACCOUNT"}});
  refused(spark_creative("TT_USER", kIdentity, kOwnPost), "NO_VALID_BIND_ACCOUNT");
  sandbox_->control("POST", "/identities",
                    json::value{{"advertiser_id", kAdvertiser},
                                {"identity_id", kIdentity},
                                {"available_status", "AVAILABLE"}});
  auto before = get("/ad/get/?advertiser_id=" + kAdvertiser);
  auto total_before = before.at("data").at("page_info").at("total_number").as_int64();

  json::array two{
      spark_creative("TT_USER", kIdentity, kOwnPost),
      spark_creative("AUTH_CODE", str(creator, "identity_id"), str(creator, "item_id"))};
  auto first = create_ads(adgroup, two, "987654321");
  ASSERT_EQ(code(first), 0) << json::serialize(first);
  auto ids = first.at("data").at("ad_ids").as_array();
  ASSERT_EQ(ids.size(), 2u);
  auto retry = create_ads(adgroup, two, "987654321");
  EXPECT_EQ(json::serialize(retry.at("data")), json::serialize(first.at("data")));
  auto after = get("/ad/get/?advertiser_id=" + kAdvertiser);
  EXPECT_EQ(after.at("data").at("page_info").at("total_number").as_int64(), total_before + 2);

  auto spark = ad(text(ids.at(1)));
  EXPECT_EQ(str(spark, "identity_type"), "AUTH_CODE");
  EXPECT_EQ(str(spark, "tiktok_item_id"), str(creator, "item_id"));
  EXPECT_EQ(str(spark, "adgroup_id"), adgroup);
  EXPECT_EQ(str(spark, "operation_status"), "ENABLE");

  json::array none;
  EXPECT_EQ(code(create_ads(adgroup, none)), 40002);
  json::array too_many;
  for (int i = 0; i < 21; ++i) too_many.push_back(spark_creative("TT_USER", kIdentity, kOwnPost));
  EXPECT_EQ(code(create_ads(adgroup, too_many)), 40002);
  EXPECT_EQ(code(create_ads("42", two)), 40007);
}

// ---- reports

TEST_F(SandboxCampaigns, ReportFiguresGrowWithTheSandboxClock) {
  auto ad_id = launch_own_post_ad("Growing");
  auto start = now();
  advance(86400);
  auto day1 = lifetime(ad_id);
  ASSERT_FALSE(day1.empty());
  EXPECT_TRUE(day1.at("spend").is_string());
  EXPECT_TRUE(day1.at("impressions").is_string());
  EXPECT_GT(num(day1, "spend"), 10);
  EXPECT_LE(num(day1, "spend"), 40);  // the ad group's daily budget
  EXPECT_GT(num(day1, "impressions"), 0);
  EXPECT_GT(num(day1, "clicks"), 0);
  advance(86400);
  auto day2 = lifetime(ad_id);
  EXPECT_GT(num(day2, "spend"), num(day1, "spend"));
  EXPECT_GT(num(day2, "impressions"), num(day1, "impressions"));
  EXPECT_GE(num(day2, "likes"), num(day1, "likes"));

  auto by_day = report("dimensions=" + enc(R"(["ad_id","stat_time_day"])") +
                       "&metrics=" + enc(R"(["spend"])") + "&start_date=" + date(start) +
                       "&end_date=" + date(now()) + "&page_size=100");
  ASSERT_EQ(code(by_day), 0) << json::serialize(by_day);
  EXPECT_EQ(by_day.at("data").at("page_info").at("total_number").as_int64(),
            static_cast<std::int64_t>(by_day.at("data").at("list").as_array().size()));
  auto rows = by_day.at("data").at("list").as_array();
  ASSERT_GE(rows.size(), 2u);  // the demo's own ads deliver too
  double sum = 0;
  for (const auto& row : rows) {
    if (str(row.at("dimensions"), "ad_id") != ad_id) continue;
    EXPECT_EQ(str(row.at("dimensions"), "stat_time_day").substr(11), "00:00:00");
    sum += std::stod(str(row.at("metrics"), "spend"));
  }
  // The days add up to the lifetime (within a second of real time passing).
  EXPECT_NEAR(sum, num(lifetime(ad_id), "spend"), 0.05);
}

TEST_F(SandboxCampaigns, ReportValidatesItsRangeAndFilters) {
  auto dims_day = "dimensions=" + enc(R"(["ad_id","stat_time_day"])");
  auto dims = "dimensions=" + enc(R"(["ad_id"])");
  auto range = [&](int days) {
    return "&start_date=" + date(now() - (days - 1) * 86400) + "&end_date=" + date(now());
  };
  EXPECT_EQ(code(report(dims_day + range(30))), 0);
  auto too_long = report(dims_day + range(31));
  EXPECT_EQ(code(too_long), 40002);
  EXPECT_NE(message(too_long).find("30 days"), std::string::npos);
  EXPECT_EQ(code(report(dims + range(365))), 0);
  EXPECT_EQ(code(report(dims + range(366))), 40002);
  EXPECT_EQ(code(report(dims + "&start_date=2026-02-10&end_date=2026-02-01")), 40002);
  EXPECT_EQ(code(report(dims)), 40002);  // no dates, no query_lifetime
  auto bad_metric = report(dims + range(7) + "&metrics=" + enc(R"(["spend","reach_magic"])"));
  EXPECT_EQ(code(bad_metric), 40002);
  EXPECT_NE(message(bad_metric).find("reach_magic"), std::string::npos);
  std::string ids = "[";
  for (int i = 0; i < 101; ++i) ids += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
  auto too_many = report(dims + range(7) + "&filtering=" + enc(R"({"ad_ids":)" + ids + "]}"));
  EXPECT_EQ(code(too_many), 40002);
  EXPECT_EQ(code(report("dimensions=" + enc(R"(["campaign_id"])") + range(7))), 40002);
  EXPECT_EQ(
      code(get("/report/integrated/get/?advertiser_id=" + kAdvertiser +
               "&report_type=BASIC&data_level=AUCTION_AD&" + dims + range(7) + "&page_size=1001")),
      40002);
}

TEST_F(SandboxCampaigns, AdsStopDeliveringWhenTheirPostAuthorizationEnds) {
  auto creator = spark_code(2);
  ASSERT_EQ(code(authorize(str(creator, "auth_code"))), 0);
  auto adgroup = create_adgroup(create_campaign("Short authorization"));
  auto ads = create_ads(
      adgroup, {spark_creative("AUTH_CODE", str(creator, "identity_id"), str(creator, "item_id"))});
  ASSERT_EQ(code(ads), 0) << json::serialize(ads);
  auto ad_id = text(ads.at("data").at("ad_ids").at(0));
  advance(86400);
  EXPECT_GT(num(lifetime(ad_id), "spend"), 0);
  EXPECT_EQ(str(ad(ad_id), "secondary_status"), "AD_STATUS_DELIVERY_OK");
  advance(86400 + 60);
  auto ended = lifetime(ad_id);
  advance(5 * 86400);
  auto later = lifetime(ad_id);
  EXPECT_EQ(json::serialize(later), json::serialize(ended));  // not a cent more
  EXPECT_EQ(str(ad(ad_id), "secondary_status"), "STATUS_ASSET_AUTHORIZATION_LOST");
  auto delivering = get("/ad/get/?advertiser_id=" + kAdvertiser +
                        "&filtering=" + enc(R"({"primary_status":"STATUS_DELIVERY_OK"})"));
  for (const auto& a : delivering.at("data").at("list").as_array())
    EXPECT_NE(str(a, "ad_id"), ad_id);
  EXPECT_EQ(str(info(str(creator, "auth_code")).at("data").at("auth_info"), "ad_auth_status"),
            "EXPIRED");
}

TEST_F(SandboxCampaigns, DisabledAdsDoNotDeliver) {
  auto ad_id = launch_own_post_ad("Paused");
  sandbox_->control(
      "POST", "/ads",
      json::value{
          {"advertiser_id", kAdvertiser}, {"ad_id", ad_id}, {"operation_status", "DISABLE"}});
  advance(86400);
  EXPECT_TRUE(lifetime(ad_id).empty());
  EXPECT_EQ(str(ad(ad_id), "secondary_status"), "AD_STATUS_DISABLE");
}

// ---- the world keeps them

TEST_F(SandboxCampaigns, NewObjectsSurviveARestartAndAWorldReplace) {
  TempDir dir;
  auto state = dir.file("world.json");
  sandbox_ = SandboxProcess::start({"--state", state, "--seed", "9"});
  token_ = advertiser_token();
  auto creator = spark_code(10);
  ASSERT_EQ(code(authorize(str(creator, "auth_code"))), 0);
  auto body = campaign_body("Kept");
  body["request_id"] = "4242";
  auto campaign = post("/campaign/create/", body);
  ASSERT_EQ(code(campaign), 0);
  auto ads = create_ads(
      create_adgroup(str(campaign.at("data"), "campaign_id")),
      {spark_creative("AUTH_CODE", str(creator, "identity_id"), str(creator, "item_id"))});
  ASSERT_EQ(code(ads), 0);
  auto before = sandbox_->world();
  EXPECT_EQ(before.at("spark_codes").as_array().size(), 1u);
  EXPECT_EQ(sandbox_->stop(), std::optional<int>(0));

  sandbox_ = SandboxProcess::start({"--state", state});
  auto world = sandbox_->world();
  for (const char* table :
       {"spark_codes", "campaigns", "adgroups", "ads", "posts", "identities", "create_requests"})
    EXPECT_EQ(world.at(table), before.at(table)) << table;  // objects compare without key order
  auto retry = post("/campaign/create/", body);             // the token and the request_id are kept
  ASSERT_EQ(code(retry), 0) << json::serialize(retry);
  EXPECT_EQ(str(retry.at("data"), "campaign_id"), str(campaign.at("data"), "campaign_id"));
  EXPECT_EQ(code(authorize(str(creator, "auth_code"))), 40110);
  advance(86400);
  EXPECT_GT(num(lifetime(text(ads.at("data").at("ad_ids").at(0))), "spend"), 0);

  sandbox_->control("PUT", "/world", json::serialize(world));
  auto replaced = sandbox_->world();
  for (const char* table : {"spark_codes", "campaigns", "ads", "create_requests"})
    EXPECT_EQ(replaced.at(table), before.at(table)) << table;
}

}  // namespace
}  // namespace ttlink::test

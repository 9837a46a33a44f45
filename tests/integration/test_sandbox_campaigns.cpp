// ttlink-sandbox over real HTTP, the Spark Ads launch: creators' post
// authorization codes (/_sandbox/spark_codes, /tt_video/authorize/, unbind,
// info).
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


// ---- post authorization codes

TEST_F(SandboxCampaigns, SparkCodeBindsOncePostAndAuthCodeIdentityAppear) {
  auto created = spark_code(30);
  auto auth_code = str(created, "auth_code");
  auto item_id = str(created, "item_id");
  auto preview = info(auth_code);
  ASSERT_EQ(code(preview), 0) << json::serialize(preview);
  EXPECT_EQ(str(preview.at("data").at("list").at(0).at("auth_info"), "ad_auth_status"), "NOT_USED");
  EXPECT_EQ(posts().size(), 3u);  // a preview binds nothing

  ASSERT_EQ(code(authorize(auth_code)), 0);
  auto bound = info(auth_code);
  ASSERT_EQ(code(bound), 0);
  auto item = bound.at("data").at("list").at(0).as_object();
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

TEST_F(SandboxCampaigns, UnbindEndsThePostAndItsIdentity) {
  auto created = spark_code(30);
  ASSERT_EQ(code(authorize(str(created, "auth_code"))), 0);
  auto r = post("/tt_video/unbind/",
                {{"advertiser_id", kAdvertiser}, {"item_id", created.at("item_id")}});
  ASSERT_EQ(code(r), 0) << json::serialize(r);
  EXPECT_EQ(posts().size(), 3u);
  auto identities = get("/identity/get/?advertiser_id=" + kAdvertiser + "&identity_type=AUTH_CODE");
  EXPECT_TRUE(identities.at("data").at("identity_list").as_array().empty());
  EXPECT_EQ(code(authorize(str(created, "auth_code"))), 40110);  // an unbound code is spent
  EXPECT_EQ(code(post("/tt_video/unbind/", {{"advertiser_id", kAdvertiser}, {"item_id", "1"}})),
            40007);
}

TEST_F(SandboxCampaigns, AnalystMayReadButNotWrite) {
  sandbox_->control("POST", "/advertisers",
                    json::value{{"advertiser_id", kAdvertiser}, {"user_role", "ANALYST"}});
  EXPECT_EQ(code(authorize(str(spark_code(7), "auth_code"))), 40301);
  EXPECT_EQ(
      code(post("/tt_video/unbind/", {{"advertiser_id", kAdvertiser}, {"item_id", kOwnPost}})),
      40301);
  EXPECT_EQ(posts().size(), 3u);
}

}  // namespace
}  // namespace ttlink::test

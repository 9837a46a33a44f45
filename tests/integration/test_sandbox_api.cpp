// ttlink-sandbox driven over real HTTP: the OAuth flows and token semantics,
// every endpoint's success shape and error codes, paging edges.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <boost/url.hpp>

#include "core/util/time.hpp"
#include "support/sandbox_fixture.hpp"

namespace ttlink::test {
namespace {

namespace json = boost::json;

const std::string kAdvertiser = "7000000000000000001";
const std::string kOpenId = "demo-open-id-0001";
const std::string kScopes =
    "user.info.basic,user.account.type,video.list,comment.list,comment.list.manage";
const std::string kRedirect = "http://127.0.0.1:9/callback";

json::object parse_object(const std::string& text) {
  auto v = json::parse(text);
  EXPECT_TRUE(v.is_object()) << text;
  return v.is_object() ? v.get_object() : json::object{};
}

// Query values carrying JSON are percent-encoded, as a real client sends them.
std::string enc(const std::string& value) {
  return boost::urls::encode(value, boost::urls::unreserved_chars);
}

std::string query_param(const std::string& url, const std::string& key) {
  boost::urls::url_view u(url);
  auto it = u.params().find(key);
  return it == u.params().end() ? "" : std::string((*it).value);
}

class SandboxApi : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox_ = SandboxProcess::start({"--seed", "7"});
    auto app = sandbox_->world().at("app").as_object();
    app_id_ = std::string(app.at("app_id").as_string());
    secret_ = std::string(app.at("secret").as_string());
  }

  // The envelope of an API call; fails the test on a transport error.
  json::object call(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& token = "") {
    Headers h;
    if (!token.empty()) h["Access-Token"] = token;
    if (!body.empty()) h["Content-Type"] = "application/json";
    auto res = sandbox_->http().request(method, sandbox_->api(path), body, h);
    EXPECT_TRUE(res) << (res ? "" : res.error().message);
    if (!res) return {};
    EXPECT_EQ(res->status, 200) << path << ": " << res->body;
    auto o = parse_object(res->body);
    EXPECT_TRUE(o.contains("request_id"));
    return o;
  }
  json::object get(const std::string& path_and_query, const std::string& token = "") {
    return call("GET", path_and_query, "", token);
  }
  json::object post(const std::string& path, const json::object& body,
                    const std::string& token = "") {
    return call("POST", path, json::serialize(body), token);
  }

  std::string advertiser_code() {
    auto res = sandbox_->http().get(sandbox_->base_url() + "/portal/auth?app_id=" + app_id_ +
                                    "&state=s1&redirect_uri=" + kRedirect);
    EXPECT_TRUE(res);
    EXPECT_EQ(res->status, 302);
    auto location = res->header("Location");
    EXPECT_EQ(query_param(location, "state"), "s1");
    return query_param(location, "auth_code");
  }

  std::string advertiser_token() {
    auto r = post("/oauth2/access_token/",
                  {{"app_id", app_id_}, {"secret", secret_}, {"auth_code", advertiser_code()}});
    EXPECT_EQ(r.at("code").as_int64(), 0) << json::serialize(r);
    return std::string(r.at("data").at("access_token").as_string());
  }

  std::string account_code(const std::string& scopes = kScopes) {
    auto res = sandbox_->http().get(
        sandbox_->base_url() + "/v2/auth/authorize/?client_key=" + app_id_ + "&scope=" + scopes +
        "&response_type=code&redirect_uri=" + kRedirect + "&state=s2");
    EXPECT_TRUE(res);
    EXPECT_EQ(res->status, 302);
    return query_param(res->header("Location"), "code");
  }

  json::object account_grant(const std::string& scopes = kScopes) {
    auto r = post("/tt_user/oauth2/token/", {{"client_id", app_id_},
                                             {"client_secret", secret_},
                                             {"grant_type", "authorization_code"},
                                             {"auth_code", account_code(scopes)},
                                             {"redirect_uri", kRedirect}});
    EXPECT_EQ(r.at("code").as_int64(), 0) << json::serialize(r);
    return r.at("data").as_object();
  }

  json::object refresh(const std::string& refresh_token) {
    return post("/tt_user/oauth2/refresh_token/", {{"client_id", app_id_},
                                                   {"client_secret", secret_},
                                                   {"grant_type", "refresh_token"},
                                                   {"refresh_token", refresh_token}});
  }

  static std::string str(const json::object& o, const char* key) {
    return std::string(o.at(key).as_string());
  }

  std::unique_ptr<SandboxProcess> sandbox_;
  std::string app_id_;
  std::string secret_;
};

long code(const json::object& envelope) {
  return static_cast<long>(envelope.at("code").as_int64());
}

TEST_F(SandboxApi, AdvertiserCodeExchangesOnceForAPermanentToken) {
  auto code_text = advertiser_code();
  auto body = json::object{{"app_id", app_id_}, {"secret", secret_}, {"auth_code", code_text}};
  auto first = post("/oauth2/access_token/", body);
  ASSERT_EQ(code(first), 0);
  auto token = str(first.at("data").as_object(), "access_token");
  EXPECT_EQ(token.size(), 40u);
  EXPECT_EQ(first.at("data").at("advertiser_ids").as_array().at(0).as_string(), kAdvertiser);
  EXPECT_EQ(code(post("/oauth2/access_token/", body)), 40110);  // single use

  sandbox_->control("POST", "/clock/advance", R"({"seconds": 40000000})");
  auto info = get("/advertiser/info/?advertiser_ids=" + enc("[\"" + kAdvertiser + "\"]"), token);
  ASSERT_EQ(code(info), 0) << json::serialize(info);  // never expires
  auto adv = info.at("data").at("list").at(0).as_object();
  EXPECT_EQ(str(adv, "status"), "STATUS_ENABLE");
  EXPECT_EQ(str(adv, "currency"), "USD");
  EXPECT_EQ(str(adv, "name"), "Demo Brand Ads");
}

TEST_F(SandboxApi, AdvertiserCodeExpiresAfterOneHour) {
  auto code_text = advertiser_code();
  sandbox_->control("POST", "/clock/advance", R"({"seconds": 3601})");
  auto r = post("/oauth2/access_token/",
                {{"app_id", app_id_}, {"secret", secret_}, {"auth_code", code_text}});
  EXPECT_EQ(code(r), 40110);
}

TEST_F(SandboxApi, WrongAppSecretIs40001AndMissingParameterIs40002) {
  auto r = post("/oauth2/access_token/",
                {{"app_id", app_id_}, {"secret", "wrong"}, {"auth_code", advertiser_code()}});
  EXPECT_EQ(code(r), 40001);
  auto missing = post("/oauth2/access_token/", {{"app_id", app_id_}, {"secret", secret_}});
  EXPECT_EQ(code(missing), 40002);
  EXPECT_NE(str(missing, "message").find("auth_code"), std::string::npos);
}

TEST_F(SandboxApi, AdvertiserEndpointsAnswerWithDocumentedShapes) {
  auto token = advertiser_token();
  auto list = get("/oauth2/advertiser/get/?app_id=" + app_id_ + "&secret=" + secret_, token);
  ASSERT_EQ(code(list), 0);
  EXPECT_EQ(list.at("data").at("list").at(0).at("advertiser_name").as_string(), "Demo Brand Ads");

  auto bc = get("/bc/get/", token);
  ASSERT_EQ(code(bc), 0);
  EXPECT_EQ(bc.at("data").at("list").at(0).at("bc_info").at("bc_id").as_string(),
            "7200000000000000001");
  auto assets = get("/bc/asset/get/?bc_id=7200000000000000001&asset_type=ADVERTISER", token);
  ASSERT_EQ(code(assets), 0);
  EXPECT_EQ(assets.at("data").at("list").at(0).at("advertiser_role").as_string(), "ADMIN");

  auto ids = get("/identity/get/?advertiser_id=" + kAdvertiser + "&identity_type=TT_USER", token);
  ASSERT_EQ(code(ids), 0);
  auto identity = ids.at("data").at("identity_list").at(0).as_object();
  EXPECT_EQ(str(identity, "available_status"), "AVAILABLE");
  EXPECT_EQ(str(identity, "user_name"), "demobrand");

  auto videos = get("/tt_video/list/?advertiser_id=" + kAdvertiser, token);
  ASSERT_EQ(code(videos), 0);
  auto item = videos.at("data").at("list").at(0).as_object();
  EXPECT_TRUE(item.at("item_info").as_object().contains("auth_code"));
  EXPECT_EQ(item.at("auth_info").at("ad_auth_status").as_string(), "IN_USE");
  auto auth_code = str(item.at("item_info").as_object(), "auth_code");
  auto info = get("/tt_video/info/?advertiser_id=" + kAdvertiser +
                      "&auth_code=" + boost::urls::encode(auth_code, boost::urls::unreserved_chars),
                  token);
  EXPECT_EQ(code(info), 0) << json::serialize(info);
  EXPECT_EQ(str(info.at("data").at("item_info").as_object(), "item_id"),
            str(item.at("item_info").as_object(), "item_id"));

  auto ads = get("/ad/get/?advertiser_id=" + kAdvertiser, token);
  ASSERT_EQ(code(ads), 0);
  EXPECT_EQ(ads.at("data").at("page_info").at("total_number").as_int64(), 3);
}

TEST_F(SandboxApi, TokenWithoutTheAdvertiserIs40001AndRevokedIs40105) {
  auto token = advertiser_token();
  sandbox_->control("POST", "/advertisers", R"({"advertiser_id": "7000000000000000002"})");
  auto other = get("/advertiser/info/?advertiser_ids=" + enc("[\"7000000000000000002\"]"), token);
  EXPECT_EQ(code(other), 40001);
  EXPECT_EQ(code(get("/bc/get/")), 40104);
  auto revoked =
      sandbox_->control("POST", "/tokens/revoke", json::value{{"advertiser_id", kAdvertiser}});
  EXPECT_EQ(revoked.at("revoked").as_int64(), 1);
  EXPECT_EQ(code(get("/bc/get/", token)), 40105);
}

TEST_F(SandboxApi, AdvertiserRevokeEndpointInvalidatesToken) {
  auto token = advertiser_token();
  auto r = post("/oauth2/revoke_token/",
                {{"app_id", app_id_}, {"secret", secret_}, {"access_token", token}});
  EXPECT_EQ(code(r), 0);
  EXPECT_EQ(code(get("/bc/get/", token)), 40105);
}

TEST_F(SandboxApi, AccountGrantHasDocumentedLifetimes) {
  auto grant = account_grant();
  EXPECT_EQ(grant.at("expires_in").as_int64(), 86400);
  EXPECT_EQ(grant.at("refresh_token_expires_in").as_int64(), 31536000);
  EXPECT_EQ(str(grant, "open_id"), kOpenId);
  EXPECT_EQ(str(grant, "token_type"), "Bearer");
  EXPECT_EQ(str(grant, "scope"), kScopes);
  EXPECT_EQ(str(grant, "access_token").rfind("act.", 0), 0u);
  EXPECT_EQ(str(grant, "access_token").size(), 44u);
  EXPECT_EQ(str(grant, "refresh_token").rfind("rft.", 0), 0u);
}

TEST_F(SandboxApi, RefreshRotatesBothTokensAndOldRefreshIs40107) {
  auto grant = account_grant();
  auto old_access = str(grant, "access_token");
  auto old_refresh = str(grant, "refresh_token");
  sandbox_->control("POST", "/clock/advance", R"({"seconds": 1000})");
  auto r = refresh(old_refresh);
  ASSERT_EQ(code(r), 0) << json::serialize(r);
  auto data = r.at("data").as_object();
  EXPECT_NE(str(data, "refresh_token"), old_refresh);
  EXPECT_NE(str(data, "access_token"), old_access);
  EXPECT_EQ(data.at("refresh_token_expires_in").as_int64(), 31536000 - 1000);
  EXPECT_EQ(code(refresh(old_refresh)), 40107);
  EXPECT_EQ(code(get("/business/get/?business_id=" + kOpenId, old_access)), 40105);
  auto biz = get("/business/get/?business_id=" + kOpenId, str(data, "access_token"));
  ASSERT_EQ(code(biz), 0);
  EXPECT_TRUE(biz.at("data").at("is_business_account").as_bool());
  EXPECT_EQ(biz.at("data").at("username").as_string(), "demobrand");
}

TEST_F(SandboxApi, AccessTokenExpiresAfterADayAndRefreshAfterAYear) {
  auto grant = account_grant();
  auto access = str(grant, "access_token");
  sandbox_->control("POST", "/clock/advance", R"({"seconds": 86401})");
  EXPECT_EQ(code(get("/business/get/?business_id=" + kOpenId, access)), 40102);
  sandbox_->control("POST", "/clock/advance", R"({"seconds": 31536000})");
  EXPECT_EQ(code(refresh(str(grant, "refresh_token"))), 40103);
}

TEST_F(SandboxApi, ControlExpireAndRevokeReachAccountTokens) {
  auto grant = account_grant();
  sandbox_->control("POST", "/tokens/expire",
                    R"({"open_id": "demo-open-id-0001", "which": "access"})");
  EXPECT_EQ(code(get("/business/get/?business_id=" + kOpenId, str(grant, "access_token"))), 40102);
  sandbox_->control("POST", "/tokens/expire",
                    R"({"open_id": "demo-open-id-0001", "which": "refresh"})");
  EXPECT_EQ(code(refresh(str(grant, "refresh_token"))), 40103);
  auto second = account_grant();
  sandbox_->control("POST", "/tokens/revoke", R"({"open_id": "demo-open-id-0001"})");
  EXPECT_EQ(code(get("/business/get/?business_id=" + kOpenId, str(second, "access_token"))), 40105);
  EXPECT_EQ(code(refresh(str(second, "refresh_token"))), 40105);
}

TEST_F(SandboxApi, AccountRevokeAndTokenInfo) {
  auto grant = account_grant();
  auto info = post("/tt_user/token_info/get/",
                   {{"app_id", app_id_}, {"access_token", str(grant, "access_token")}});
  ASSERT_EQ(code(info), 0);
  EXPECT_EQ(info.at("data").at("creator_id").as_string(), kOpenId);
  EXPECT_EQ(info.at("data").at("scope").as_string(), kScopes);
  auto r = post("/tt_user/oauth2/revoke/", {{"client_id", app_id_},
                                            {"client_secret", secret_},
                                            {"access_token", str(grant, "access_token")}});
  EXPECT_EQ(code(r), 0);
  EXPECT_EQ(code(get("/business/get/?business_id=" + kOpenId, str(grant, "access_token"))), 40105);
}

TEST_F(SandboxApi, AccountCodeNeedsSameRedirectUriAndGrantType) {
  auto c = account_code();
  auto wrong_uri = post("/tt_user/oauth2/token/", {{"client_id", app_id_},
                                                   {"client_secret", secret_},
                                                   {"grant_type", "authorization_code"},
                                                   {"auth_code", c},
                                                   {"redirect_uri", "http://elsewhere/"}});
  EXPECT_EQ(code(wrong_uri), 40002);
  EXPECT_NE(str(wrong_uri, "message").find("redirect_uri"), std::string::npos);
  auto wrong_grant = post("/tt_user/oauth2/token/", {{"client_id", app_id_},
                                                     {"client_secret", secret_},
                                                     {"grant_type", "password"},
                                                     {"auth_code", c},
                                                     {"redirect_uri", kRedirect}});
  EXPECT_EQ(code(wrong_grant), 40108);
  auto wrong_client = post("/tt_user/oauth2/token/", {{"client_id", app_id_},
                                                      {"client_secret", "nope"},
                                                      {"grant_type", "authorization_code"},
                                                      {"auth_code", c},
                                                      {"redirect_uri", kRedirect}});
  EXPECT_EQ(code(wrong_client), 40001);
}

TEST_F(SandboxApi, MissingScopeIs40130) {
  sandbox_->control("POST", "/login",
                    R"({"advertiser_ids":["7000000000000000001"],"open_id":"demo-open-id-0001",
                        "scopes":["user.info.basic","video.list"]})");
  auto grant = account_grant();
  EXPECT_EQ(str(grant, "scope"), "user.info.basic,video.list");
  auto r = get("/business/get/?business_id=" + kOpenId, str(grant, "access_token"));
  EXPECT_EQ(code(r), 40130);
}

TEST_F(SandboxApi, DeniedLoginRedirectsWithAccessDenied) {
  sandbox_->control("POST", "/login", R"({"deny": true})");
  auto res = sandbox_->http().get(sandbox_->base_url() + "/portal/auth?app_id=" + app_id_ +
                                  "&state=xyz&redirect_uri=" + kRedirect + "?a=1");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 302);
  auto location = res->header("Location");
  EXPECT_EQ(query_param(location, "error"), "access_denied");
  EXPECT_EQ(query_param(location, "state"), "xyz");
  EXPECT_EQ(query_param(location, "a"), "1");
}

TEST_F(SandboxApi, AuthPagesRejectWrongAppWithoutRedirect) {
  auto res = sandbox_->http().get(sandbox_->base_url() +
                                  "/portal/auth?app_id=123&state=x&redirect_uri=" + kRedirect);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->header("Location"), "");
  EXPECT_NE(res->body.find("app_id"), std::string::npos);
  auto missing =
      sandbox_->http().get(sandbox_->base_url() + "/v2/auth/authorize/?client_key=" + app_id_ +
                           "&response_type=code&state=x");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  EXPECT_NE(missing->body.find("redirect_uri"), std::string::npos);
}

TEST_F(SandboxApi, VideoListPagingEdges) {
  auto token = advertiser_token();
  auto path = "/tt_video/list/?advertiser_id=" + kAdvertiser;
  auto last = get(path + "&page=2&page_size=2", token);
  ASSERT_EQ(code(last), 0);
  EXPECT_EQ(last.at("data").at("list").as_array().size(), 1u);
  auto info = last.at("data").at("page_info").as_object();
  EXPECT_EQ(info.at("total_number").as_int64(), 3);
  EXPECT_EQ(info.at("total_page").as_int64(), 2);
  auto beyond = get(path + "&page=9&page_size=2", token);
  ASSERT_EQ(code(beyond), 0);
  EXPECT_TRUE(beyond.at("data").at("list").as_array().empty());
  EXPECT_EQ(beyond.at("data").at("page_info").at("page").as_int64(), 9);
  auto too_big = get(path + "&page_size=51", token);
  EXPECT_EQ(code(too_big), 40002);
  EXPECT_NE(str(too_big, "message").find("page_size"), std::string::npos);
  EXPECT_EQ(code(get(path + "&page_size=0", token)), 40002);
  EXPECT_EQ(code(get(path + "&page=0", token)), 40002);
  EXPECT_EQ(code(get(path + "&page=abc", token)), 40002);
  auto empty =
      get("/identity/get/?advertiser_id=" + kAdvertiser + "&identity_type=BC_AUTH_TT", token);
  ASSERT_EQ(code(empty), 0);
  EXPECT_TRUE(empty.at("data").at("identity_list").as_array().empty());
  EXPECT_EQ(empty.at("data").at("page_info").at("total_number").as_int64(), 0);
}

TEST_F(SandboxApi, PostAuthorizationExpiresOnTheSandboxClock) {
  auto token = advertiser_token();
  sandbox_->control("POST", "/clock/advance", R"({"seconds": 172900})");
  auto videos = get("/tt_video/list/?advertiser_id=" + kAdvertiser, token);
  ASSERT_EQ(code(videos), 0);
  EXPECT_EQ(videos.at("data").at("list").at(0).at("auth_info").at("ad_auth_status").as_string(),
            "EXPIRED");
  EXPECT_EQ(videos.at("data").at("list").at(1).at("auth_info").at("ad_auth_status").as_string(),
            "IN_USE");
}

// The last 30 dates up to tomorrow, on the sandbox's clock.
std::string last_30_dates(SandboxProcess& sandbox) {
  const auto now = sandbox.world().at("clock").at("now").as_int64();
  auto date = [](std::int64_t t) { return format_tiktok_time(from_unix(t)).substr(0, 10); };
  return "&start_time=" + date(now - 28 * 86400) + "&end_time=" + date(now + 86400);
}

TEST_F(SandboxApi, CommentListRefusesARangeOfMoreThan30Dates) {
  auto token = advertiser_token();
  const auto now = sandbox_->world().at("clock").at("now").as_int64();
  auto date = [](std::int64_t t) { return format_tiktok_time(from_unix(t)).substr(0, 10); };
  auto path = [&](std::int64_t first, std::int64_t last) {
    return "/comment/list/?advertiser_id=" + kAdvertiser +
           "&search_field=ADGROUP_ID&search_value=7600000000000000001&start_time=" + date(first) +
           "&end_time=" + date(last);
  };
  auto ok = get(path(now - 29 * 86400, now), token);  // 30 dates, both ends included
  EXPECT_EQ(code(ok), 0) << json::serialize(ok);
  auto refused = get(path(now - 30 * 86400, now), token);  // 31 dates
  EXPECT_EQ(code(refused), 40002);
  EXPECT_EQ(str(refused, "message"), "The time range cannot exceed 30 days.");
  EXPECT_EQ(code(get(path(now, now - 86400), token)), 40002);  // end before start
}

TEST_F(SandboxApi, MarketingCommentsListReplyAndHide) {
  auto token = advertiser_token();
  auto list_path = "/comment/list/?advertiser_id=" + kAdvertiser +
                   "&search_field=ADGROUP_ID&search_value=7600000000000000001" +
                   last_30_dates(*sandbox_) + "&page_size=100";
  auto list = get(list_path, token);
  ASSERT_EQ(code(list), 0) << json::serialize(list);
  auto comments = list.at("data").at("comments").as_array();
  ASSERT_EQ(comments.size(), 6u);
  auto first = comments.at(0).as_object();
  EXPECT_EQ(str(first, "comment_type"), "COMMENT");
  auto id = str(first, "comment_id");
  auto reply = post("/comment/post/",
                    {{"advertiser_id", kAdvertiser},
                     {"ad_id", str(first, "ad_id")},
                     {"tiktok_item_id", str(first, "tiktok_item_id")},
                     {"comment_id", id},
                     {"comment_type", "REPLY"},
                     {"identity_id", "7300000000000000001"},
                     {"identity_type", "TT_USER"},
                     {"text", "Thanks!"}},
                    token);
  ASSERT_EQ(code(reply), 0) << json::serialize(reply);
  EXPECT_EQ(reply.at("data").at("comment").at("reply_to_comment_id").as_string(), id);
  auto thread = get("/comment/reference/?advertiser_id=" + kAdvertiser + "&comment_id=" + id +
                        "&comment_type=COMMENT",
                    token);
  ASSERT_EQ(code(thread), 0);
  EXPECT_EQ(thread.at("data").at("comments").as_array().size(), 2u);
  auto hide = post("/comment/status/update/",
                   {{"advertiser_id", kAdvertiser},
                    {"comment_ids", json::array{json::string(id)}},
                    {"operation", "HIDDEN"}},
                   token);
  ASSERT_EQ(code(hide), 0);
  auto hidden = get(list_path + "&comment_status=" + enc("[\"HIDDEN\"]"), token);
  ASSERT_EQ(hidden.at("data").at("comments").as_array().size(), 1u);
  EXPECT_EQ(code(get("/comment/list/?advertiser_id=" + kAdvertiser, token)), 40002);
}

TEST_F(SandboxApi, BusinessCommentsCursorPagingReplyAndHide) {
  auto grant = account_grant();
  auto token = str(grant, "access_token");
  sandbox_->control("POST", "/ads", R"({"advertiser_id":"7000000000000000001","ad_id":"1"})");
  for (int i = 0; i < 3; ++i)
    sandbox_->control("POST", "/comments",
                      R"({"advertiser_id":"7000000000000000001","item_id":"7400000000000000003",
                          "ad_id":"7500000000000000003","text":"more"})");
  auto path = "/business/comment/list/?business_id=" + kOpenId +
              "&video_id=7400000000000000003&max_count=3";
  auto page1 = get(path, token);
  ASSERT_EQ(code(page1), 0) << json::serialize(page1);
  EXPECT_EQ(page1.at("data").at("comments").as_array().size(), 3u);
  EXPECT_TRUE(page1.at("data").at("has_more").as_bool());
  auto cursor = page1.at("data").at("cursor").to_number<std::int64_t>();
  auto page2 = get(path + "&cursor=" + std::to_string(cursor), token);
  ASSERT_EQ(code(page2), 0);
  EXPECT_EQ(page2.at("data").at("comments").as_array().size(), 2u);
  EXPECT_FALSE(page2.at("data").at("has_more").as_bool());
  EXPECT_EQ(code(get(path + "&max_count=31", token)), 40002);

  auto target = str(page1.at("data").at("comments").at(0).as_object(), "comment_id");
  auto reply = post("/business/comment/reply/create/",
                    {{"business_id", kOpenId},
                     {"video_id", "7400000000000000003"},
                     {"comment_id", target},
                     {"text", "Thank you"}},
                    token);
  ASSERT_EQ(code(reply), 0) << json::serialize(reply);
  auto hide = post("/business/comment/hide/",
                   {{"business_id", kOpenId},
                    {"video_id", "7400000000000000003"},
                    {"comment_id", target},
                    {"action", "HIDE"}},
                   token);
  ASSERT_EQ(code(hide), 0);
  auto hidden = get(path + "&status=HIDDEN", token);
  ASSERT_EQ(hidden.at("data").at("comments").as_array().size(), 1u);
  EXPECT_EQ(code(get("/business/comment/list/?business_id=someone-else&video_id=1", token)), 40001);
}

TEST_F(SandboxApi, PersonalAccountAndAnalystRoleAreVisible) {
  auto grant = account_grant();
  sandbox_->control("POST", "/accounts",
                    R"({"open_id":"demo-open-id-0001","is_business_account":false})");
  auto biz = get("/business/get/?business_id=" + kOpenId, str(grant, "access_token"));
  EXPECT_FALSE(biz.at("data").at("is_business_account").as_bool());
  auto token = advertiser_token();
  sandbox_->control("POST", "/advertisers",
                    R"({"advertiser_id":"7000000000000000001","user_role":"ANALYST",
                        "status":"STATUS_LIMIT"})");
  auto assets = get("/bc/asset/get/?bc_id=7200000000000000001&asset_type=ADVERTISER", token);
  EXPECT_EQ(assets.at("data").at("list").at(0).at("advertiser_role").as_string(), "ANALYST");
  auto info = get("/advertiser/info/?advertiser_ids=" + enc("[\"" + kAdvertiser + "\"]"), token);
  EXPECT_EQ(info.at("data").at("list").at(0).at("status").as_string(), "STATUS_LIMIT");
  sandbox_->control("POST", "/identities",
                    R"({"advertiser_id":"7000000000000000001","identity_id":"7300000000000000001",
                        "available_status":"NO_VALID_BIND_ACCOUNT"})");
  auto ids = get("/identity/get/?advertiser_id=" + kAdvertiser, token);
  EXPECT_EQ(ids.at("data").at("identity_list").at(0).at("available_status").as_string(),
            "NO_VALID_BIND_ACCOUNT");
}

}  // namespace
}  // namespace ttlink::test

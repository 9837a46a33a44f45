#include <gtest/gtest.h>

#include "core/links/link_checks.hpp"
#include "core/tiktok/envelope.hpp"

namespace ttlink::links {
namespace {

TEST(LinkChecks, MissingScopesRequireReauthorizationNamingThem) {
  auto v = judge_scopes("user.info.basic,video.list",
                        {"user.info.basic", "user.account.type", "video.list", "comment.list"});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->state, LinkState::kReauthRequired);
  EXPECT_EQ(v->code, 40130);
  EXPECT_NE(v->message.find("user.account.type,comment.list"), std::string::npos);
  EXPECT_FALSE(judge_scopes("a,b,c", {"c", "a"}));
}

TEST(LinkChecks, PersonalAccountIsNotBusiness) {
  tiktok::BusinessProfile p;
  p.username = "someone";
  auto v = judge_business(p);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->state, LinkState::kNotBusiness);
  p.is_business_account = true;
  EXPECT_FALSE(judge_business(p));
}

TEST(LinkChecks, OnlyEnabledAdvertiserIsOperationalAndStatusIsNamed) {
  tiktok::AdvertiserInfo a;
  a.advertiser_id = "7000000000000000001";
  a.status = "STATUS_PENDING_VERIFIED";
  auto v = judge_advertiser(a);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->state, LinkState::kAdvertiserInactive);
  EXPECT_NE(v->message.find("STATUS_PENDING_VERIFIED"), std::string::npos);
  EXPECT_NE(v->message.find("billing"), std::string::npos);
  a.status = "STATUS_ENABLE";
  EXPECT_FALSE(judge_advertiser(a));
}

TEST(LinkChecks, AnalystIsDeniedAdminAndOperatorAndNoBusinessCenterPass) {
  EXPECT_EQ(judge_role("ANALYST", "Agency BC")->state, LinkState::kPermissionDenied);
  EXPECT_FALSE(judge_role("ADMIN", "x"));
  EXPECT_FALSE(judge_role("OPERATOR", "x"));
  EXPECT_FALSE(judge_role("", ""));
}

TEST(LinkChecks, IdentityMustExistAndBeAvailable) {
  EXPECT_EQ(judge_identity(std::nullopt, "1", "brand").state, LinkState::kReauthRequired);
  tiktok::Identity id{"i1", "TT_USER", "Brand", "brand", "AVAILABLE"};
  EXPECT_EQ(judge_identity(id, "1", "brand").state, LinkState::kActive);
  id.available_status = "NO_VALID_BIND_ACCOUNT";
  EXPECT_EQ(judge_identity(id, "1", "brand").state, LinkState::kReauthRequired);
  EXPECT_EQ(judge_identity(id, "1", "brand").trouble, Trouble::kIdentity);
  id.available_status = "SCOPE_UNAVAILABLE";
  EXPECT_EQ(judge_identity(id, "1", "brand").state, LinkState::kReauthRequired);
  // Undocumented: a person looks; no blind reauthorization.
  id.available_status = "SOMETHING_NEW";
  EXPECT_EQ(judge_identity(id, "1", "brand").state, LinkState::kDegraded);
  EXPECT_EQ(judge_identity(id, "1", "brand").trouble, Trouble::kIdentity);
  auto a = attention_for(LinkState::kDegraded, Trouble::kIdentity, "7", std::string("u"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, AlertKind::kIdentityUnavailable);
  EXPECT_FALSE(a->action.url);  // not fixed by authorizing again
  a = attention_for(LinkState::kReauthRequired, Trouble::kIdentity, "7", std::string("u"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, AlertKind::kIdentityUnavailable);
  EXPECT_EQ(a->action.url, "u");
  id.available_status = "IS_PRIVATE_ACCOUNT";
  EXPECT_EQ(judge_identity(id, "1", "brand").state, LinkState::kNotBusiness);
}

TEST(LinkChecks, RefreshTokenEndingWithinWindowIsExpiring) {
  TimePoint now = from_unix(1'800'000'000);
  EXPECT_EQ(judge_refresh_expiry(now + Seconds{86400 * 10}, now, Seconds{86400 * 14}).state,
            LinkState::kExpiring);
  EXPECT_EQ(judge_refresh_expiry(now + Seconds{86400 * 30}, now, Seconds{86400 * 14}).state,
            LinkState::kActive);
}

TEST(LinkChecks, UpstreamCodesMapToStatesAndTransientOnesKeepTheState) {
  EXPECT_EQ(judge_upstream_error(Error::upstream(40105, "revoked"))->state,
            LinkState::kReauthRequired);
  EXPECT_EQ(judge_upstream_error(Error::upstream(40107, "bad refresh"))->state,
            LinkState::kReauthRequired);
  EXPECT_EQ(judge_upstream_error(Error::upstream(40301, "role"))->state,
            LinkState::kPermissionDenied);
  EXPECT_FALSE(judge_upstream_error(Error::upstream(40100, "qps")));
  EXPECT_FALSE(judge_upstream_error(Error::upstream(50002, "timeout")));
  EXPECT_FALSE(judge_upstream_error(Error::transient("reset")));
}

TEST(Envelope, DecodesDataAndMapsFailures) {
  auto ok = tiktok::decode_envelope(
      200, R"({"code":0,"message":"OK","request_id":"1","data":{"a":1}})", "/x/");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->at("a").as_int64(), 1);
  auto err = tiktok::decode_envelope(
      200, R"({"code":40105,"message":"Access token is invalid","data":{}})", "/x/");
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().upstream_code, 40105);
  EXPECT_EQ(tiktok::decode_envelope(503, "oops", "/x/").error().kind, ErrorKind::kTransient);
  EXPECT_EQ(tiktok::decode_envelope(200, R"({"code":0,"data":{"a":)", "/x/").error().kind,
            ErrorKind::kTransient);
  EXPECT_EQ(tiktok::decode_envelope(200, R"({"code":0,"message":"OK"})", "/x/").error().kind,
            ErrorKind::kTransient);
  EXPECT_EQ(tiktok::decode_envelope(200, R"({"code":"0","data":{}})", "/x/").error().kind,
            ErrorKind::kTransient);
}

}  // namespace
}  // namespace ttlink::links

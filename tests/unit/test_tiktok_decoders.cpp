// core/tiktok's pure decoders (what the fuzz targets feed): real answers
// decode, contradictory ones are transient errors, and the inputs the fuzz
// targets found are regression cases here.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <climits>

#include "core/tiktok/advertiser.hpp"
#include "core/tiktok/business.hpp"
#include "core/tiktok/comments.hpp"
#include "core/tiktok/envelope.hpp"
#include "core/tiktok/oauth_account.hpp"
#include "core/tiktok/paging.hpp"
#include "core/tiktok/posts.hpp"

namespace ttlink::tiktok {
namespace {
namespace json = boost::json;

json::object data(const char* text) {
  return json::parse(text).as_object();
}

TEST(Decoders, AdvertiserInfoKeepsIdsAsDecimalStrings) {
  auto list = decode_advertiser_info(data(
      R"({"list":[{"advertiser_id":7000000000000000001,"name":"Brand Ads","status":"STATUS_LIMIT"}]})"));
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].advertiser_id, "7000000000000000001");
  EXPECT_EQ((*list)[0].status, "STATUS_LIMIT");
}

TEST(Decoders, AGrantWithoutItsRefreshTokenIsATransientError) {
  auto grant = decode_account_grant(
      data(R"({"access_token":"a","open_id":"o","expires_in":86400,"refresh_token_expires_in":1})"),
      "/tt_user/oauth2/token/");
  ASSERT_FALSE(grant);
  EXPECT_EQ(grant.error().kind, ErrorKind::kTransient);
  EXPECT_NE(grant.error().message.find("refresh_token"), std::string::npos);
}

TEST(Decoders, ListPagesDefaultToOnePage) {
  auto page = decode_list_page(
      data(R"({"list":[{"ad_id":"1","tiktok_item_id":"2"},{"ad_id":"3"}]})"), "list", "/ad/get/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total_page, 1);
  auto ads = decode_spark_ads(page->items);
  ASSERT_TRUE(ads);
  ASSERT_EQ(ads->size(), 1u);  // the ad without a post is not a Spark Ad
  EXPECT_EQ((*ads)[0].tiktok_item_id, "2");
}

// fuzz_business_profile: two days whose views add past 2^63 - 1 were
// undefined behaviour (signed overflow); the sum now stops at the maximum.
TEST(Decoders, BusinessMetricsSumWithoutOverflow) {
  auto profile = decode_business_profile(data(
      R"({"is_business_account":true,"metrics":[{"video_views":1000,"likes":-9223372036854775807},
          {"video_views":9223372036854775807,"likes":-9223372036854775807}]})"));
  ASSERT_TRUE(profile) << profile.error().message;
  EXPECT_EQ(profile->video_views, LLONG_MAX);
  EXPECT_EQ(profile->likes, LLONG_MIN);
}

// fuzz_business_comments: a page without a cursor after a cursor near 2^63
// overflowed when the next cursor was computed; it now stops at the maximum.
TEST(Decoders, BusinessCommentCursorWithoutOverflow) {
  auto page =
      decode_business_comment_page(data(R"({"comments":[{"comment_id":"1","create_time":1764000000},
                           {"comment_id":"2","create_time":1764000000}],"has_more":true})"),
                                   LLONG_MAX - 1);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->cursor, LLONG_MAX);
  auto normal = decode_business_comment_page(
      data(R"({"comments":[{"comment_id":"1","create_time":1764000000}]})"), 30);
  ASSERT_TRUE(normal);
  EXPECT_EQ(normal->cursor, 31);
  EXPECT_FALSE(normal->has_more);
}

TEST(Decoders, ACommentWithoutATimeIsATransientError) {
  auto page =
      decode_comment_page(data(R"({"comments":[{"comment_id":"7","create_time":"soon"}]})"));
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().kind, ErrorKind::kTransient);
  EXPECT_NE(page.error().message.find("create_time"), std::string::npos);
}

}  // namespace
}  // namespace ttlink::tiktok

namespace ttlink::tiktok {
namespace {

// 20001 (partial success): the items that succeeded decode like a success,
// and what is missing is the family's business per item; without items it
// is an error with its code, never silently empty data.
TEST(Envelope, PartialSuccessYieldsTheItemsThatSucceeded) {
  auto d = decode_envelope(
      200,
      R"({"code":20001,"message":"partial success","request_id":"r1",)"
      R"("data":{"list":[{"advertiser_id":"7000000000000000001","name":"A","status":"STATUS_ENABLE"}]}})",
      "/advertiser/info/");
  ASSERT_TRUE(d) << d.error().message;
  auto infos = decode_advertiser_info(*d);
  ASSERT_TRUE(infos);
  ASSERT_EQ(infos->size(), 1u);
  EXPECT_EQ(infos->front().advertiser_id, "7000000000000000001");

  auto empty = decode_envelope(200, R"({"code":20001,"message":"partial","data":{}})", "/x/");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().upstream_code, 20001);
  EXPECT_EQ(outcome_of(empty.error()), Outcome::kBug);
}

}  // namespace
}  // namespace ttlink::tiktok

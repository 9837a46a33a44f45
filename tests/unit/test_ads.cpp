// The pure parts of launching Spark Ads from a linked identity (core/ads and
// the core/tiktok families it uses): identities marked by user name, post
// code answers, request bodies, what each objective optimises, report rows,
// and the validation a launch passes before any request.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/ads/identities.hpp"
#include "core/ads/post_codes.hpp"
#include "core/tiktok/identity.hpp"
#include "core/tiktok/posts.hpp"

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

TEST(PostCodes, TheCodesPostIsDecodedWithItsCreatorAndWindow) {
  auto post = tiktok::decode_code_info(json::parse(R"({"list":[{
      "item_info":{"item_id":"7412345678901234567","auth_code":"#secret","text":"Hi"},
      "auth_info":{"ad_auth_status":"NOT_USED","auth_start_time":"2026-11-24 10:00:00",
                   "auth_end_time":"2026-12-24 10:00:00"},
      "user_info":{"identity_id":"7312345678901234567","identity_type":"AUTH_CODE",
                   "tiktok_name":"creator_1"}}]})")
                                           .as_object());
  ASSERT_TRUE(post) << post.error().message;
  EXPECT_EQ(post->item_id, "7412345678901234567");
  EXPECT_EQ(post->identity_type, "AUTH_CODE");
  EXPECT_EQ(post->tiktok_name, "creator_1");
  EXPECT_EQ(format_rfc3339(post->auth_end_time.value()), "2026-12-24T10:00:00Z");
  EXPECT_EQ(unbindable_reason(*post), "");  // NOT_USED: bind it

  auto empty = tiktok::decode_code_info(json::parse(R"({"list":[]})").as_object());
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, ErrorKind::kTransient);  // code 0 without the post
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

}  // namespace
}  // namespace ttlink::ads

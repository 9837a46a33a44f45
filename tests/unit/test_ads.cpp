// The pure parts of launching Spark Ads from a linked identity (core/ads and
// the core/tiktok families it uses): identities marked by user name, post
// code answers, request bodies, what each objective optimises, report rows,
// and the validation a launch passes before any request.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/ads/identities.hpp"
#include "core/tiktok/identity.hpp"

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

}  // namespace
}  // namespace ttlink::ads

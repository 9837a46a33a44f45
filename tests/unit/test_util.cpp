#include <gtest/gtest.h>

#include <sstream>

#include "core/util/link_state.hpp"
#include "core/util/log.hpp"
#include "core/util/random.hpp"
#include "core/util/secret.hpp"
#include "core/util/time.hpp"

namespace ttlink {
namespace {

TEST(Secret, PrintsOnlyItsLength) {
  Secret s("act.very-secret-token");
  std::ostringstream os;
  os << s;
  EXPECT_EQ(os.str(), "<secret:21>");
  EXPECT_EQ(os.str().find("very"), std::string::npos);
}

TEST(Time, Rfc3339RoundTrips) {
  auto t = parse_rfc3339("2026-11-24T10:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_rfc3339(*t), "2026-11-24T10:00:00Z");
  EXPECT_EQ(to_unix(*t), 1795514400);
  EXPECT_FALSE(parse_rfc3339("2026-13-24T10:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-24 10:00:00"));
}

TEST(Time, TiktokTimeRoundTrips) {
  auto t = parse_tiktok_time("2026-02-28 23:59:59");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_tiktok_time(*t), "2026-02-28 23:59:59");
  EXPECT_FALSE(parse_tiktok_time("2026-02-30 00:00:00"));
}

TEST(Time, DurationsNeedAPositiveNumberAndAUnit) {
  EXPECT_EQ(parse_duration("15m"), Seconds{900});
  EXPECT_EQ(parse_duration("14d"), Seconds{14 * 86400});
  EXPECT_FALSE(parse_duration("15"));
  EXPECT_FALSE(parse_duration("0s"));
  EXPECT_FALSE(parse_duration("-1h"));
  EXPECT_FALSE(parse_duration("1y"));
  EXPECT_EQ(format_duration(Seconds{7200}), "2h");
}

TEST(LinkStates, RoundTripThroughText) {
  for (LinkState s : kAllLinkStates) EXPECT_EQ(parse_link_state(to_string(s)), s);
  EXPECT_FALSE(parse_link_state("active"));
}

TEST(Random, HexIsUniqueAndSized) {
  auto a = random_hex(32), b = random_hex(32);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Log, QuotesAndEscapesValues) {
  EXPECT_EQ(Logger::format_line("link.state", {{"link", "7"}, {"reason", "a \"b\"\n"}}),
            "event=link.state link=7 reason=\"a \\\"b\\\"\\n\"");
}

}  // namespace
}  // namespace ttlink

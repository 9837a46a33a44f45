#include <gtest/gtest.h>

#include "core/metrics/metrics.hpp"

namespace ttlink::metrics {
namespace {

TEST(Metrics, RendersCountersWithEscapedLabels) {
  Registry r;
  r.declare("t_requests_total", Type::kCounter, "Requests");
  r.inc("t_requests_total", {{"endpoint", "/a/"}, {"code", "0"}});
  r.inc("t_requests_total", {{"endpoint", "/a/"}, {"code", "0"}});
  r.inc("t_requests_total", {{"endpoint", "q\"\\\n"}, {"code", "1"}});
  std::string text = r.render();
  EXPECT_NE(text.find("# HELP t_requests_total Requests\n# TYPE t_requests_total counter\n"),
            std::string::npos);
  EXPECT_NE(text.find("t_requests_total{endpoint=\"/a/\",code=\"0\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("endpoint=\"q\\\"\\\\\\n\""), std::string::npos) << text;
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry r;
  r.declare("t_seconds", Type::kHistogram, "Latency", {0.1, 1});
  r.observe("t_seconds", {}, 0.05);
  r.observe("t_seconds", {}, 0.5);
  r.observe("t_seconds", {}, 5);
  std::string text = r.render();
  EXPECT_NE(text.find("t_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_bucket{le=\"1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_sum 5.55\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_count 3\n"), std::string::npos) << text;
}

TEST(Metrics, CollectorsSetGaugesAtRenderTime) {
  Registry r;
  r.declare("t_links", Type::kGauge, "Links by state");
  int active = 3;
  r.add_collector([&](Registry& reg) {
    reg.clear("t_links");
    reg.set("t_links", {{"state", "ACTIVE"}}, active);
  });
  EXPECT_NE(r.render().find("t_links{state=\"ACTIVE\"} 3\n"), std::string::npos);
  active = 4;
  EXPECT_NE(r.render().find("t_links{state=\"ACTIVE\"} 4\n"), std::string::npos);
}

TEST(Metrics, UndeclaredNameIsABug) {
  Registry r;
  EXPECT_THROW(r.inc("nope"), std::logic_error);
}

}  // namespace
}  // namespace ttlink::metrics

#include "common/metric_registry.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace cohort {
namespace {

TEST(MetricRegistryTest, RendersCountersByLabelsWithHelpAndType) {
  MetricRegistry registry;
  registry.GetCounter("x_total", "Things.", {{"kind", "a"}}).Add(2);
  registry.GetCounter("x_total", "Things.", {{"kind", "b\"q"}}).Add();
  registry.GetCounter("x_total", "Things.", {{"kind", "a"}}).Add();
  EXPECT_EQ(registry.RenderText(),
            "# HELP x_total Things.\n# TYPE x_total counter\n"
            "x_total{kind=\"a\"} 3\nx_total{kind=\"b\\\"q\"} 1\n");
}

TEST(MetricRegistryTest, HistogramBucketsAreCumulativeAndCountIsTheInfBucket) {
  MetricRegistry registry;
  Histogram& h = registry.GetHistogram("d_seconds", "Durations.", {0.25, 1}, {{"r", "/x"}});
  for (double v : {0.125, 0.25, 0.5, 3.0}) h.Observe(v);
  EXPECT_EQ(registry.RenderText(),
            "# HELP d_seconds Durations.\n# TYPE d_seconds histogram\n"
            "d_seconds_bucket{r=\"/x\",le=\"0.25\"} 2\n"
            "d_seconds_bucket{r=\"/x\",le=\"1\"} 3\n"
            "d_seconds_bucket{r=\"/x\",le=\"+Inf\"} 4\n"
            "d_seconds_sum{r=\"/x\"} 3.875\n"
            "d_seconds_count{r=\"/x\"} 4\n");
}

TEST(MetricRegistryTest, GaugesAreReadWhenRendered) {
  MetricRegistry registry;
  int value = 1;
  registry.SetGauge("g", "A gauge.", [&value] { return static_cast<double>(value); });
  value = 7;
  EXPECT_EQ(registry.RenderText(), "# HELP g A gauge.\n# TYPE g gauge\ng 7\n");
}

TEST(MetricRegistryTest, ConcurrentAddsAreAllCounted) {
  MetricRegistry registry;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&registry] {
      for (int i = 0; i < 10'000; ++i) {
        registry.GetCounter("c_total", "C.", {{"t", "x"}}).Add();
        registry.GetHistogram("h", "H.", LatencyBuckets()).Observe(0.001);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(registry.GetCounter("c_total", "C.", {{"t", "x"}}).value(), 40'000u);
  EXPECT_EQ(registry.GetHistogram("h", "H.", LatencyBuckets()).Read().cumulative.back(), 40'000u);
}

}  // namespace
}  // namespace cohort

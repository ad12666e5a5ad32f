#include "metrics/exact_sum.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace cohort::metrics {
namespace {

TEST(ExactSumTest, TheMeanDoesNotDependOnTheOrderOfTheAdditions) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> values(10'000);
  for (double& v : values) v = unit(rng);
  ExactSum forward, backward;
  for (double v : values) forward.Add(v);
  for (auto it = values.rbegin(); it != values.rend(); ++it) backward.Add(*it);
  EXPECT_EQ(forward.Mean(10'000), backward.Mean(10'000));
}

TEST(ExactSumTest, TakingAValueAwayUndoesAddingIt) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  ExactSum sum, reference;
  reference.Add(0.25);
  sum.Add(0.25);
  for (int i = 0; i < 1000; ++i) {
    const double v = unit(rng);
    sum.Add(v);
    sum.Add(-v);
  }
  EXPECT_EQ(sum.Mean(1), reference.Mean(1));
}

TEST(ExactSumTest, SumsOfSumsEqualTheSumOfAll) {
  ExactSum a, b, all;
  for (double v : {0.1, 0.2, 0.3}) {
    a.Add(v);
    all.Add(v);
  }
  for (double v : {0.7, 1.0, 0.0}) {
    b.Add(v);
    all.Add(v);
  }
  a.Add(b);
  EXPECT_EQ(a.Mean(6), all.Mean(6));
}

TEST(ExactSumTest, MeansReadAsTheirDecimals) {
  ExactSum s;
  for (double v : {0.1, 0.2, 0.3}) s.Add(v);
  EXPECT_EQ(*s.Mean(3), 0.2);  // not 0.19999999999999998
  s.Add(1.0);
  EXPECT_EQ(*s.Mean(4), 0.4);
  EXPECT_FALSE(ExactSum().Mean(0).has_value());
  ExactSum ones;
  ones.Add(1.0);
  ones.Add(1.0);
  EXPECT_EQ(*ones.Mean(2), 1.0);
}

}  // namespace
}  // namespace cohort::metrics

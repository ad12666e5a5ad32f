#include "metrics/mastery.h"

#include <gtest/gtest.h>

#include <vector>

namespace cohort::metrics {
namespace {

domain::CourseSettings Recent(int window) {
  domain::CourseSettings s;
  s.mastery_model = domain::MasteryModel::kRecent;
  s.mastery_window = window;
  return s;
}

domain::CourseSettings Bkt() {
  domain::CourseSettings s;
  s.mastery_model = domain::MasteryModel::kBkt;
  return s;
}

std::vector<Credit> Repeat(Credit c, int n) {
  return std::vector<Credit>(static_cast<std::size_t>(n), c);
}

std::vector<Credit> Concat(std::vector<Credit> a, const std::vector<Credit>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

double Feed(const std::vector<Credit>& credits, const domain::CourseSettings& s) {
  MasteryState m;
  for (Credit c : credits) m.Apply(c, s);
  return m.Value(s);
}

constexpr Credit kFull = Credit::kFull;
constexpr Credit kHalf = Credit::kHalf;
constexpr Credit kNone = Credit::kNone;

TEST(CreditTest, CorrectWithoutHintIsFullWithHintsHalfIncorrectNone) {
  EXPECT_EQ(CreditOf(true, 0), kFull);
  EXPECT_EQ(CreditOf(true, 1), kHalf);
  EXPECT_EQ(CreditOf(true, 7), kHalf);
  EXPECT_EQ(CreditOf(false, 0), kNone);
  EXPECT_EQ(CreditOf(false, 3), kNone);
}

TEST(RecentMasteryTest, NoResponsesIsZero) {
  EXPECT_EQ(Feed({}, Recent(10)), 0.0);
  EXPECT_EQ(MasteryState().Value(Bkt()), 0.0);
}

TEST(RecentMasteryTest, ThreeCleanAnswersInWindowTenIsThirtyPercent) {
  EXPECT_DOUBLE_EQ(Feed(Repeat(kFull, 3), Recent(10)), 0.3);
}

TEST(RecentMasteryTest, TenCleanAnswersIsFullMastery) {
  EXPECT_DOUBLE_EQ(Feed(Repeat(kFull, 10), Recent(10)), 1.0);
  EXPECT_DOUBLE_EQ(Feed(Repeat(kFull, 25), Recent(10)), 1.0);
}

TEST(RecentMasteryTest, MistakesPushItBackDown) {
  // Only the last 10 count: 10 clean then 2 wrong leaves 8 of 10; 5 wrong leaves 5.
  EXPECT_DOUBLE_EQ(Feed(Concat(Repeat(kFull, 10), Repeat(kNone, 2)), Recent(10)), 0.8);
  EXPECT_DOUBLE_EQ(Feed(Concat(Repeat(kFull, 10), Repeat(kNone, 5)), Recent(10)), 0.5);
  EXPECT_DOUBLE_EQ(Feed(Concat(Repeat(kFull, 10), Repeat(kNone, 10)), Recent(10)), 0.0);
}

TEST(RecentMasteryTest, OlderResponsesLeaveTheWindow) {
  // 5 wrong, then 10 clean: the wrong ones have left a window of 10.
  EXPECT_DOUBLE_EQ(Feed(Concat(Repeat(kNone, 5), Repeat(kFull, 10)), Recent(10)), 1.0);
}

TEST(RecentMasteryTest, HintsGiveHalfCredit) {
  EXPECT_DOUBLE_EQ(Feed(Repeat(kHalf, 4), Recent(10)), 0.2);
  EXPECT_DOUBLE_EQ(Feed(Repeat(kHalf, 10), Recent(10)), 0.5);
  EXPECT_DOUBLE_EQ(Feed({kFull, kHalf, kNone, kHalf}, Recent(4)), 2.0 / 4.0);
}

TEST(RecentMasteryTest, WindowOfOneIsTheLastResponse) {
  const domain::CourseSettings s = Recent(1);
  EXPECT_DOUBLE_EQ(Feed({kFull}, s), 1.0);
  EXPECT_DOUBLE_EQ(Feed({kFull, kHalf}, s), 0.5);
  EXPECT_DOUBLE_EQ(Feed({kFull, kHalf, kNone}, s), 0.0);
  EXPECT_DOUBLE_EQ(Feed({kNone, kNone, kFull}, s), 1.0);
}

TEST(RecentMasteryTest, WindowOfThirtyTwoKeepsThirtyTwoResponses) {
  const domain::CourseSettings s = Recent(32);
  EXPECT_DOUBLE_EQ(Feed(Repeat(kFull, 16), s), 0.5);
  EXPECT_DOUBLE_EQ(Feed(Repeat(kFull, 32), s), 1.0);
  EXPECT_DOUBLE_EQ(Feed(Concat(Repeat(kFull, 32), {kNone}), s), 31.0 / 32.0);
  EXPECT_DOUBLE_EQ(Feed(Concat(Repeat(kNone, 8), Repeat(kFull, 32)), s), 1.0);
  EXPECT_DOUBLE_EQ(Feed(Concat(Repeat(kHalf, 40), Repeat(kFull, 2)), s), (30 * 0.5 + 2) / 32.0);
  // The 33rd-last response is out: 1 clean, then 31 wrong, then 1 half.
  EXPECT_DOUBLE_EQ(Feed(Concat(Concat({kFull}, Repeat(kNone, 31)), {kHalf}), s), 0.5 / 32.0);
}

TEST(RecentMasteryTest, TheWindowIsReadWhenValued) {
  // The same responses read with another window (a settings change replays, but the state
  // must still answer for any W up to 32).
  MasteryState m;
  const domain::CourseSettings s10 = Recent(10);
  for (int i = 0; i < 20; ++i) m.Apply(i < 15 ? kNone : kFull, s10);
  EXPECT_DOUBLE_EQ(m.Value(Recent(5)), 1.0);
  EXPECT_DOUBLE_EQ(m.Value(s10), 0.5);
  EXPECT_DOUBLE_EQ(m.Value(Recent(20)), 0.25);
}

TEST(BktMasteryTest, NoResponsesIsZero) { EXPECT_EQ(Feed({}, Bkt()), 0.0); }

// P(L) can reach exactly 0 (no slip, no learning, then a wrong answer); the next response must
// start from that 0, not from p_init as if nothing had been seen.
TEST(BktMasteryTest, AZeroProbabilityIsStillASeenState) {
  domain::CourseSettings s = Bkt();
  s.p_init = 0.5;
  s.p_slip = 0.0;
  s.p_learn = 0.0;
  EXPECT_EQ(Feed({kNone}, s), 0.0);
  EXPECT_EQ(Feed({kNone, kFull}, s), 0.0);  // from p_init it would be > 0
  EXPECT_GT(Feed({kFull}, s), 0.5);
}

TEST(BktMasteryTest, FollowsBayesThenLearnStepByStep) {
  const domain::CourseSettings s = Bkt();  // p_init 0.2, p_learn 0.1, p_guess 0.2, p_slip 0.1
  // By hand, with the SPEC §3.2 formula:
  // 1 correct:  posterior = 0.2·0.9 / (0.2·0.9 + 0.8·0.2) = 0.18 / 0.34 = 9/17;
  //             P = 9/17 + (8/17)·0.1 = 9.8/17 = 49/85.
  const double p1 = 49.0 / 85.0;
  // 2 correct:  posterior = (49/85·0.9) / (49/85·0.9 + 36/85·0.2) = 44.1 / 51.3 = 49/57;
  //             P = 49/57 + (8/57)·0.1 = 49.8/57.
  const double p2 = 49.8 / 57.0;
  // 3 wrong:    posterior = P2·0.1 / (P2·0.1 + (1 − P2)·0.8) = 4.98 / (4.98 + 5.76) = 4.98/10.74;
  //             P = posterior + (1 − posterior)·0.1.
  const double post3 = 4.98 / 10.74;
  const double p3 = post3 + (1 - post3) * 0.1;
  // 4 correct with a hint counts as not correct for BKT.
  const double post4 = p3 * 0.1 / (p3 * 0.1 + (1 - p3) * 0.8);
  const double p4 = post4 + (1 - post4) * 0.1;

  EXPECT_NEAR(Feed({kFull}, s), p1, 1e-12);
  EXPECT_NEAR(Feed({kFull}, s), 0.5764705882352941, 1e-12);
  EXPECT_NEAR(Feed({kFull, kFull}, s), p2, 1e-12);
  EXPECT_NEAR(Feed({kFull, kFull}, s), 0.8736842105263158, 1e-12);
  EXPECT_NEAR(Feed({kFull, kFull, kNone}, s), p3, 1e-12);
  EXPECT_NEAR(Feed({kFull, kFull, kNone}, s), 0.51731843575419, 1e-12);
  EXPECT_NEAR(Feed({kFull, kFull, kNone, kHalf}, s), p4, 1e-12);
  EXPECT_NEAR(Feed({kFull, kFull, kNone, kNone}, s), p4, 1e-12);
}

TEST(BktMasteryTest, UsesTheCoursesParameters) {
  domain::CourseSettings s = Bkt();
  s.p_init = 0.5;
  s.p_learn = 0.0;
  s.p_guess = 0.25;
  s.p_slip = 0.25;
  // posterior = 0.5·0.75 / (0.5·0.75 + 0.5·0.25) = 0.75; no learning.
  EXPECT_NEAR(Feed({kFull}, s), 0.75, 1e-12);
  // then wrong: 0.75·0.25 / (0.75·0.25 + 0.25·0.75) = 0.5.
  EXPECT_NEAR(Feed({kFull, kNone}, s), 0.5, 1e-12);
}

TEST(BktMasteryTest, ManyCleanAnswersApproachOne) {
  const double m = Feed(Repeat(kFull, 10), Bkt());
  EXPECT_NEAR(m, 0.9999996313601321, 1e-12);
  EXPECT_TRUE(MeetsThreshold(Feed(Repeat(kFull, 3), Bkt()), 0.95));   // 0.97198
  EXPECT_FALSE(MeetsThreshold(Feed(Repeat(kFull, 2), Bkt()), 0.95));  // 0.87368
}

TEST(ThresholdTest, EightOfTenIsMasteredAtEightyPercent) {
  const domain::CourseSettings s = Recent(10);
  EXPECT_EQ(s.ResolvedThreshold(), 0.8);
  EXPECT_TRUE(MeetsThreshold(Feed(Repeat(kFull, 8), s), 0.8));
  // 7 clean and 2 hinted are 8 credits as well.
  EXPECT_TRUE(MeetsThreshold(Feed(Concat(Repeat(kFull, 7), Repeat(kHalf, 2)), s), 0.8));
  EXPECT_FALSE(MeetsThreshold(Feed(Concat(Repeat(kFull, 7), Repeat(kHalf, 1)), s), 0.8));
  EXPECT_FALSE(MeetsThreshold(Feed(Repeat(kFull, 7), s), 0.8));
}

TEST(ThresholdTest, EqualityWithinTolerance) {
  EXPECT_TRUE(MeetsThreshold(0.8, 0.8));
  EXPECT_TRUE(MeetsThreshold(0.1 * 8, 0.8));
  EXPECT_TRUE(MeetsThreshold(0.8 - 1e-12, 0.8));
  EXPECT_FALSE(MeetsThreshold(0.8 - 1e-6, 0.8));
  EXPECT_TRUE(MeetsThreshold(1.0, 1.0));
  // 0.7 + 0.1 is 0.7999999999999999 in doubles; it still meets 0.8.
  EXPECT_TRUE(MeetsThreshold(0.7 + 0.1, 0.8));
}

TEST(ThresholdTest, DefaultThresholdDependsOnModel) {
  EXPECT_EQ(Recent(10).ResolvedThreshold(), 0.8);
  EXPECT_EQ(Bkt().ResolvedThreshold(), 0.95);
  domain::CourseSettings s = Bkt();
  s.mastery_threshold = 0.6;
  EXPECT_EQ(s.ResolvedThreshold(), 0.6);
}

}  // namespace
}  // namespace cohort::metrics

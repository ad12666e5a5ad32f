#include "domain/validation.h"

#include <gtest/gtest.h>

#include "domain/key.h"

namespace cohort::domain {
namespace {

const Instant kNow{1'772'357'400'000};  // 2026-03-01T09:30:00Z

Attempt GoodAttempt() {
  Attempt a{"a-1", "ann", "py", "ex1", Instant{kNow.ms - 60'000}, Instant{kNow.ms}, {}};
  a.responses.push_back({"q1", true, 0, 1000, {}, std::nullopt});
  a.responses.push_back({"q2", false, 1, 2000, {}, 5});
  ResolveAnsweredAt(a, {false, false});
  return a;
}

bool HasPointer(const std::vector<ErrorDetail>& d, std::string_view pointer) {
  for (const ErrorDetail& e : d) {
    if (e.pointer == pointer) return true;
  }
  return false;
}

TEST(KeyTest, AcceptsTheAllowedAlphabetOnly) {
  EXPECT_TRUE(IsValidKey("python-101.v2_A"));
  EXPECT_TRUE(IsValidKey(std::string(128, 'a')));
  EXPECT_FALSE(IsValidKey(std::string(129, 'a')));
  EXPECT_FALSE(IsValidKey(""));
  EXPECT_FALSE(IsValidKey("."));
  EXPECT_FALSE(IsValidKey(".."));
  EXPECT_FALSE(IsValidKey("a/b"));
  EXPECT_FALSE(IsValidKey("a b"));
  EXPECT_FALSE(IsValidKey("caf\xc3\xa9"));
}

TEST(AttemptTest, AnsweredAtDefaultsToCumulativeTime) {
  Attempt a = GoodAttempt();
  EXPECT_EQ(a.responses[0].answered_at.ms, a.started_at.ms + 1000);
  EXPECT_EQ(a.responses[1].answered_at.ms, a.started_at.ms + 3000);
}

TEST(AttemptTest, GoodAttemptIsValid) { EXPECT_TRUE(ValidateAttempt(GoodAttempt(), kNow).empty()); }

TEST(AttemptTest, EveryBrokenRuleIsNamedByPointer) {
  Attempt a = GoodAttempt();
  a.responses[0].hints = -1;
  a.responses[1].time_ms = -5;
  a.responses[1].points = -2;
  a.finished_at = Instant{a.started_at.ms - 1};
  const auto errors = ValidateAttempt(a, kNow);
  EXPECT_TRUE(HasPointer(errors, "/responses/0/hints"));
  EXPECT_TRUE(HasPointer(errors, "/responses/1/time_ms"));
  EXPECT_TRUE(HasPointer(errors, "/responses/1/points"));
  EXPECT_TRUE(HasPointer(errors, "/finished_at"));
  EXPECT_EQ(errors.size(), 4u);
}

TEST(AttemptTest, MoreThanADayInTheFutureIsRejected) {
  Attempt a = GoodAttempt();
  a.started_at = Instant{kNow.ms + kMaxFutureMs + 1};
  a.finished_at.reset();
  ResolveAnsweredAt(a, {false, false});
  const auto errors = ValidateAttempt(a, kNow);
  EXPECT_TRUE(HasPointer(errors, "/started_at"));
  a.started_at = Instant{kNow.ms + kMaxFutureMs - 10'000};
  ResolveAnsweredAt(a, {false, false});
  EXPECT_TRUE(ValidateAttempt(a, kNow).empty());
}

TEST(AttemptTest, AThousandAndOneResponsesAreTooMany) {
  Attempt a = GoodAttempt();
  a.responses.assign(kMaxResponsesPerAttempt + 1, a.responses[0]);
  EXPECT_TRUE(HasPointer(ValidateAttempt(a, kNow), "/responses"));
  a.responses.resize(kMaxResponsesPerAttempt);
  EXPECT_TRUE(ValidateAttempt(a, kNow).empty());
}

TEST(CourseTest, DuplicateExerciseKeysAcrossChaptersAreRejected) {
  Course c{"py", "Python", {{"c1", "One", {{"e1", "E1"}}}, {"c2", "Two", {{"e1", "E1 again"}}}}, {}};
  EXPECT_TRUE(HasPointer(ValidateCourse(c), "/chapters/1/exercises/0/key"));
}

TEST(CourseTest, SettingsOutOfRangeAreRejected) {
  CourseSettings s;
  s.mastery_window = 33;
  s.p_slip = 1.5;
  s.certification_valid_days = 0;
  const auto errors = ValidateSettings(s);
  EXPECT_TRUE(HasPointer(errors, "/settings/mastery_window"));
  EXPECT_TRUE(HasPointer(errors, "/settings/p_slip"));
  EXPECT_TRUE(HasPointer(errors, "/settings/certification_valid_days"));
}

TEST(CourseTest, ThresholdDefaultsDependOnTheModel) {
  CourseSettings s;
  EXPECT_DOUBLE_EQ(s.ResolvedThreshold(), 0.8);
  s.mastery_model = MasteryModel::kBkt;
  EXPECT_DOUBLE_EQ(s.ResolvedThreshold(), 0.95);
}

TEST(UserTest, EmailAndGroupsAreChecked) {
  User u{"ann", "Ann", "not-an-email", {}, {"g1", "g1"}, true, std::nullopt};
  const auto errors = ValidateUser(u);
  EXPECT_TRUE(HasPointer(errors, "/email"));
  EXPECT_TRUE(HasPointer(errors, "/groups/1"));
  EXPECT_EQ(FoldEmail("Ann.Lee@Example.COM"), "ann.lee@example.com");
}

}  // namespace
}  // namespace cohort::domain

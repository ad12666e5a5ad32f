// Hand-written cases straight from SPEC §3: each checks one behaviour against values computed
// by hand in the test, and every view of the engine against the oracle (testing/reference.h).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "domain/attempt.h"
#include "metrics/engine.h"
#include "metrics/testing/harness.h"
#include "metrics/testing/reference.h"

namespace cohort::metrics {
namespace {

using testing::EngineMatchesOracle;
using testing::ThoroughPlan;
using testing::World;

constexpr char kAcc[] = "acme";
constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;

Instant T(const char* rfc3339) { return ParseRfc3339(rfc3339).value(); }
// Monday 2026-02-02 09:00 UTC plus whole days and hours.
Instant Day(double days) {
  return Instant{T("2026-02-02T09:00:00Z").ms + static_cast<std::int64_t>(days * kMsPerDay)};
}
Instant Plus(Instant t, std::int64_t ms) { return Instant{t.ms + ms}; }

struct Resp {
  bool correct = true;
  std::int64_t hints = 0;
  std::int64_t time_ms = 10 * kSecond;
  std::optional<std::int64_t> points;
  std::optional<Instant> answered_at;
};
Resp Answer(bool correct, std::int64_t hints = 0, std::int64_t time_ms = 10 * kSecond) {
  Resp r;
  r.correct = correct;
  r.hints = hints;
  r.time_ms = time_ms;
  return r;
}
// Answered at a given time, taking no time.
Resp AnswerAt(bool correct, Instant at) {
  Resp r = Answer(correct, 0, 0);
  r.answered_at = at;
  return r;
}
const Resp kClean = Answer(true);
const Resp kWrong = Answer(false);
const Resp kHinted = Answer(true, 1);

std::vector<Resp> Times(int n, Resp r) { return std::vector<Resp>(static_cast<std::size_t>(n), r); }

domain::Attempt MakeAttempt(const std::string& id, const std::string& user,
                            const std::string& course, const std::string& exercise, Instant started,
                            const std::vector<Resp>& responses,
                            std::optional<Instant> finished = std::nullopt) {
  domain::Attempt a{id, user, course, exercise, started, finished, {}};
  std::vector<bool> given;
  for (std::size_t i = 0; i < responses.size(); ++i) {
    const Resp& r = responses[i];
    a.responses.push_back({"q" + std::to_string(i), r.correct, r.hints, r.time_ms,
                           r.answered_at.value_or(Instant{}), r.points});
    given.push_back(r.answered_at.has_value());
  }
  domain::ResolveAnsweredAt(a, given);
  return a;
}

// One response answered exactly at `at`.
domain::Attempt At(const std::string& id, const std::string& user, const std::string& course,
                   const std::string& exercise, Instant at, Resp r = kClean) {
  r.time_ms = 0;
  return MakeAttempt(id, user, course, exercise, at, {r});
}

using ChapterSpec = std::pair<std::string, std::vector<std::string>>;

domain::Course MakeCourse(const std::string& key, const std::vector<ChapterSpec>& chapters,
                          const domain::CourseSettings& settings = {}) {
  domain::Course c{key, "Course " + key, {}, settings};
  for (const auto& [ch, exercises] : chapters) {
    domain::ChapterDef def{ch, "Chapter " + ch, {}};
    for (const std::string& e : exercises) def.exercises.push_back({e, "Exercise " + e});
    c.chapters.push_back(def);
  }
  return c;
}

domain::CourseSettings Window(int w) {
  domain::CourseSettings s;
  s.mastery_window = w;
  return s;
}

// Builds a WriteBatch.
struct Batch {
  domain::WriteBatch b;
  Batch& Group(const std::string& key, const std::string& name) {
    b.groups.items.push_back({key, name, {}});
    return *this;
  }
  Batch& Course(const domain::Course& c) {
    b.courses.items.push_back(c);
    return *this;
  }
  Batch& User(const std::string& key, const std::string& name,
              const std::vector<std::string>& groups = {}, bool active = true) {
    domain::UserWrite w;
    w.user.key = key;
    w.user.name = name;
    w.user.email = key + "@example.com";
    w.user.groups = groups;
    w.user.active = active;
    b.users.items.push_back(w);
    return *this;
  }
  Batch& Enroll(const std::string& user, const std::string& course,
                std::optional<Instant> at = std::nullopt) {
    b.enrollments.items.push_back({user, course, at});
    return *this;
  }
  Batch& Unenroll(const std::string& user, const std::string& course) {
    b.enrollment_removals.items.push_back({user, course, std::nullopt});
    return *this;
  }
  Batch& Certification(const std::string& user, const std::string& course, Instant issued,
                       std::optional<Instant> expires = std::nullopt) {
    b.certifications.items.push_back({user, course, issued, expires});
    return *this;
  }
  Batch& Attempt(const domain::Attempt& a) {
    b.attempts.items.push_back(a);
    return *this;
  }
  Batch& Deactivate(const std::string& user) {
    b.user_removals.push_back({user, false});
    return *this;
  }
  Batch& Erase(const std::string& user) {
    b.user_removals.push_back({user, true});
    return *this;
  }
};

class EngineSpecTest : public ::testing::Test {
 protected:
  void SetUp() override { world_.PutAccount({kAcc, "Acme", "UTC"}); }

  void Apply(const Batch& batch, Instant now = Day(0)) { world_.Apply(kAcc, batch.b, now); }

  // Every view of the engine equals the oracle's, for every sort, filter and subset.
  void ExpectOracleAgrees(Instant now, const char* account = kAcc) {
    EXPECT_TRUE(EngineMatchesOracle(world_, account, now, ThoroughPlan(world_.ref(), account)));
  }

  UserCourseView UserView(const std::string& course, const std::string& user, Instant now,
                          const char* account = kAcc) {
    Result<UserCourseView> r = world_.engine().UserInCourse(account, course, user, now);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r.value() : UserCourseView{};
  }
  CourseView CourseOf(const std::string& course, Instant now) {
    Result<CourseView> r = world_.engine().Course(kAcc, course, now, nullptr);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r.value() : CourseView{};
  }
  Table<LeagueRow> League(const std::string& course, const TableQuery& q, Instant now) {
    Result<Table<LeagueRow>> r = world_.engine().UserLeague(kAcc, course, q, now);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r.value() : Table<LeagueRow>{};
  }
  std::vector<HistoryRow> HistoryOf(const std::string& course, const std::string& user,
                                    const std::string& exercise) {
    Result<std::vector<HistoryRow>> r = world_.engine().History(
        kAcc, course, user, exercise, world_.ref().Attempts(kAcc, user, course));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r.value() : std::vector<HistoryRow>{};
  }

  static TableQuery Sorted(const std::string& column, bool descending) {
    TableQuery q;
    q.sort = column;
    q.descending = descending;
    return q;
  }
  static std::vector<std::string> Keys(const Table<LeagueRow>& t) {
    std::vector<std::string> out;
    for (const LeagueRow& r : t.rows) out.push_back(r.user);
    return out;
  }
  static std::vector<std::int64_t> Ranks(const Table<LeagueRow>& t) {
    std::vector<std::int64_t> out;
    for (const LeagueRow& r : t.rows) out.push_back(r.rank);
    return out;
  }

  World world_;
};

using Strings = std::vector<std::string>;
using Ints = std::vector<std::int64_t>;

// --- §3.1, §3.2: per response and per exercise ------------------------------------------------

TEST_F(EngineSpecTest, PointsUseGivenPointsElseTheCourseRuleHalvedDownWithHints) {
  domain::CourseSettings s;
  s.points_per_question = 15;
  Resp given_wrong = kWrong;
  given_wrong.points = 4;
  Resp given_zero = kClean;
  given_zero.points = 0;
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1"}}}, s))
            .User("u1", "Ann")
            .Attempt(MakeAttempt("a1", "u1", "c1", "e1", Day(0),
                                 {kClean, kHinted, kWrong, given_wrong, given_zero})));
  // 15 + floor(15/2) + 0 + 4 + 0; 3 correct of 5; credits 1 + 0.5 + 0 + 0 + 1 of W = 10.
  const UserCourseView v = UserView("c1", "u1", Day(1));
  EXPECT_EQ(v.points, 26);
  EXPECT_DOUBLE_EQ(v.score.value(), 0.6);
  EXPECT_EQ(v.hints, 1);
  EXPECT_DOUBLE_EQ(v.mastery, 0.25);
  const std::vector<HistoryRow> h = HistoryOf("c1", "u1", "e1");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].points, 26);
  EXPECT_EQ(h[0].correct, 3);
  EXPECT_EQ(h[0].incorrect, 2);
  std::vector<std::int64_t> detail;
  for (const HistoryResponse& r : h[0].detail) detail.push_back(r.points);
  EXPECT_EQ(detail, (Ints{15, 7, 0, 4, 0}));
  ExpectOracleAgrees(Day(1));
}

TEST_F(EngineSpecTest, DurationIsCappedWithAndWithoutFinishedAt) {
  domain::CourseSettings s;
  s.max_attempt_seconds = 100;
  const Resp r5 = Answer(true, 0, 5 * kSecond);
  const Resp r30 = Answer(true, 0, 30 * kSecond), r40 = Answer(true, 0, 40 * kSecond);
  const Resp r90 = Answer(false, 0, 90 * kSecond), r60 = Answer(true, 0, 60 * kSecond);
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1", "e2"}}}, s))
            .User("u1", "Ann")
            // finished_at − started_at: 50 s, and 300 s capped to 100 s.
            .Attempt(MakeAttempt("a1", "u1", "c1", "e1", Day(0), {r5}, Plus(Day(0), 50 * kSecond)))
            .Attempt(
                MakeAttempt("a2", "u1", "c1", "e1", Day(0.5), {r5}, Plus(Day(0.5), 300 * kSecond)))
            // Σ time_ms: 70 s, and 150 s capped to 100 s.
            .Attempt(MakeAttempt("a3", "u1", "c1", "e1", Day(1), {r30, r40}))
            .Attempt(MakeAttempt("a4", "u1", "c1", "e1", Day(2), {r90, r60})));
  const UserCourseView v = UserView("c1", "u1", Day(3));
  EXPECT_EQ(v.time_ms, 320 * kSecond);
  EXPECT_EQ(v.attempts, 4);
  ASSERT_EQ(v.exercises.size(), 2u);
  EXPECT_DOUBLE_EQ(v.exercises[0].avg_time_ms.value(),
                   80.0 * kSecond);  // avg_time = time / attempts
  EXPECT_EQ(v.exercises[0].last_attempt, Day(2));
  EXPECT_FALSE(v.exercises[1].avg_time_ms.has_value());  // never attempted: null
  EXPECT_FALSE(v.exercises[1].score.has_value());
  EXPECT_EQ(v.exercises[1].attempts, 0);
  std::vector<std::int64_t> durations;
  for (const HistoryRow& r : HistoryOf("c1", "u1", "e1")) durations.push_back(r.duration_ms);
  EXPECT_EQ(durations, (Ints{50 * kSecond, 100 * kSecond, 70 * kSecond, 100 * kSecond}));
  const CourseView c = CourseOf("c1", Day(3));
  EXPECT_EQ(c.time_ms, 320 * kSecond);
  EXPECT_DOUBLE_EQ(c.avg_time_ms.value(), 320.0 * kSecond);
  ExpectOracleAgrees(Day(3));
}

// --- §3.3 per user × course ---------------------------------------------------------------------

TEST_F(EngineSpecTest, ProgressAndCompletedAtFollowTheResponseThatCompletedTheCourse) {
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1", "e2"}}, {"ch2", {"e3"}}}))
            .User("u1", "Ann")
            .Attempt(At("a1", "u1", "c1", "e1", Day(0)))
            .Attempt(At("a2", "u1", "c1", "e2", Day(1), kWrong)));
  UserCourseView v = UserView("c1", "u1", Day(2));
  EXPECT_DOUBLE_EQ(v.progress, 2.0 / 3.0);
  EXPECT_FALSE(v.completed);
  EXPECT_FALSE(v.completed_at.has_value());

  Apply(Batch().Attempt(MakeAttempt("a3", "u1", "c1", "e3", Day(2), {kClean, kClean})));
  v = UserView("c1", "u1", Day(3));
  EXPECT_DOUBLE_EQ(v.progress, 1.0);
  EXPECT_TRUE(v.completed);
  EXPECT_EQ(v.completed_at, Plus(Day(2), 10 * kSecond));  // a3's first response
  ASSERT_FALSE(v.badges.empty());
  EXPECT_EQ(v.badges.back().badge, "finisher");
  EXPECT_EQ(v.badges.back().awarded_at, Plus(Day(2), 10 * kSecond));

  // More responses do not move it; a late attempt on e3 from before re-dates it.
  Apply(Batch().Attempt(At("a4", "u1", "c1", "e1", Day(3))));
  EXPECT_EQ(UserView("c1", "u1", Day(4)).completed_at, Plus(Day(2), 10 * kSecond));
  Apply(Batch().Attempt(At("a5", "u1", "c1", "e3", Day(1.5), kWrong)));
  v = UserView("c1", "u1", Day(4));
  EXPECT_EQ(v.completed_at, Day(1.5));
  EXPECT_EQ(v.last_active, Day(3));
  ExpectOracleAgrees(Day(4));
}

TEST_F(EngineSpecTest, EmptyCourseIsNotListedAndItsMeansAreNull) {
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1"}}}))
            .Course(MakeCourse("c2", {{"ch1", {"e1"}}, {"empty", {}}}))
            .Course(MakeCourse("c3", {{"ch1", {"e1"}}}))
            .User("u1", "Ann")
            .User("u2", "Bob", {}, false)
            .Attempt(At("a1", "u1", "c1", "e1", Day(0)))
            .Attempt(At("a2", "u2", "c3", "e1", Day(0))));
  // c2 has no one; c3 only an inactive user.
  Result<Table<AllCoursesRow>> all = world_.engine().AllCourses(kAcc, Day(1), nullptr);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->rows.size(), 1u);
  EXPECT_EQ(all->rows[0].course, "c1");
  EXPECT_EQ(all->total, 1u);
  for (const char* course : {"c2", "c3"}) {
    const CourseView c = CourseOf(course, Day(1));
    EXPECT_EQ(c.users, 0);
    EXPECT_FALSE(c.mastery.has_value());
    EXPECT_FALSE(c.score.has_value());
    EXPECT_FALSE(c.avg_time_ms.has_value());
    EXPECT_TRUE(c.weekly.empty());
    for (const ChapterFigure& f : c.chapters) EXPECT_FALSE(f.mastery.has_value()) << f.chapter;
    EXPECT_EQ(League(course, TableQuery{}, Day(1)).total, 0u);
  }
  // A chapter without exercises has null mastery even for a user who has one.
  Apply(Batch().Enroll("u1", "c2", Day(0)));
  const UserCourseView v = UserView("c2", "u1", Day(1));
  ASSERT_EQ(v.chapters.size(), 2u);
  EXPECT_DOUBLE_EQ(v.chapters[0].mastery.value(), 0.0);
  EXPECT_FALSE(v.chapters[1].mastery.has_value());
  EXPECT_EQ(world_.engine().Course(kAcc, "nope", Day(1), nullptr).status().code(),
            ErrorCode::kNotFound);
  ExpectOracleAgrees(Day(1));
}

TEST_F(EngineSpecTest, EnrolledUserWithoutResponsesIsAtRiskFromEnrolledAt) {
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1"}}}))
            .User("u1", "Ann")
            .User("u2", "Bob")
            .Enroll("u1", "c1", Day(0)),
        Day(0));
  Apply(Batch().Enroll("u2", "c1"), Day(3));  // default: now
  UserCourseView v = UserView("c1", "u1", Day(13.9));
  EXPECT_EQ(v.enrolled_at, Day(0));
  EXPECT_DOUBLE_EQ(v.mastery, 0.0);
  EXPECT_DOUBLE_EQ(v.progress, 0.0);
  EXPECT_FALSE(v.score.has_value());
  EXPECT_FALSE(v.last_active.has_value());
  EXPECT_FALSE(v.at_risk);
  EXPECT_TRUE(UserView("c1", "u1", Day(14)).at_risk);  // 14 days without a response, exactly
  EXPECT_EQ(UserView("c1", "u2", Day(14)).enrolled_at, Day(3));
  EXPECT_FALSE(UserView("c1", "u2", Day(14)).at_risk);
  EXPECT_TRUE(UserView("c1", "u2", Day(17)).at_risk);
  ExpectOracleAgrees(Day(14));
  ExpectOracleAgrees(Day(17));
}

TEST_F(EngineSpecTest, AtRiskCountsFromLastActiveAndNeverForCompleted) {
  domain::CourseSettings s;
  s.at_risk_days = 3;
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1", "e2"}}}, s))
            .User("u1", "Ann")
            .User("u2", "Bob")
            .Attempt(At("a1", "u1", "c1", "e1", Day(0)))
            .Attempt(At("a2", "u1", "c1", "e1", Day(5)))
            .Attempt(At("a3", "u2", "c1", "e1", Day(0)))
            .Attempt(At("a4", "u2", "c1", "e2", Day(0.5), kWrong)));
  EXPECT_FALSE(UserView("c1", "u1", Day(7.9)).at_risk);
  EXPECT_TRUE(UserView("c1", "u1", Day(8)).at_risk);
  EXPECT_FALSE(UserView("c1", "u2", Day(30)).at_risk);  // completed
  EXPECT_EQ(CourseOf("c1", Day(8)).at_risk, 1);
  TableQuery risky;
  risky.at_risk = true;
  EXPECT_EQ(Keys(League("c1", risky, Day(8))), Strings{"u1"});
  ExpectOracleAgrees(Day(8));
}

// --- §3.8 tables -------------------------------------------------------------------------------

class LeagueTest : public EngineSpecTest {
 protected:
  void SetUp() override {
    EngineSpecTest::SetUp();
    // Keys chosen so that key order differs from name order.
    Apply(Batch()
              .Course(MakeCourse("c1", {{"ch1", {"e1"}}}))
              .User("k2", "Al")
              .User("k9", "Al")
              .User("k1", "Bea")
              .User("k0", "Cy")
              .User("k5", "Zed")
              .Enroll("k0", "c1", Day(0))
              .Attempt(At("a1", "k2", "c1", "e1", Day(1)))
              .Attempt(MakeAttempt("a2", "k9", "c1", "e1", Day(1), {kWrong, kClean}))
              .Attempt(At("a3", "k1", "c1", "e1", Day(2)))
              .Attempt(MakeAttempt("a4", "k5", "c1", "e1", Day(1), {kClean, kClean})));
  }
};

TEST_F(LeagueTest, EqualMasteryRanksByNameThenKey) {
  // Zed 0.2; Al (k2), Al (k9), Bea 0.1; Cy 0.
  const Table<LeagueRow> t = League("c1", TableQuery{}, Day(3));
  EXPECT_EQ(Keys(t), (Strings{"k5", "k2", "k9", "k1", "k0"}));
  EXPECT_EQ(Ranks(t), (Ints{1, 2, 3, 4, 5}));
  EXPECT_EQ(t.total, 5u);
  ExpectOracleAgrees(Day(3));
}

TEST_F(LeagueTest, RankIsThePositionByMasteryWhateverTheSort) {
  Table<LeagueRow> t = League("c1", Sorted("name", false), Day(3));
  EXPECT_EQ(Keys(t), (Strings{"k2", "k9", "k1", "k0", "k5"}));
  EXPECT_EQ(Ranks(t), (Ints{2, 3, 4, 5, 1}));
  // Descending by name: ties still by key ascending.
  t = League("c1", Sorted("name", true), Day(3));
  EXPECT_EQ(Keys(t), (Strings{"k5", "k0", "k1", "k2", "k9"}));
  EXPECT_EQ(Ranks(t), (Ints{1, 5, 4, 2, 3}));
  t = League("c1", Sorted("mastery", false), Day(3));
  EXPECT_EQ(Keys(t), (Strings{"k0", "k2", "k9", "k1", "k5"}));
  t = League("c1", Sorted("mastery", true), Day(3));
  EXPECT_EQ(Keys(t), (Strings{"k5", "k2", "k9", "k1", "k0"}));
  // Rank among the filtered rows; paging keeps total and ranks.
  TableQuery q;
  q.q = "aL";
  t = League("c1", q, Day(3));
  EXPECT_EQ(Keys(t), (Strings{"k2", "k9"}));
  EXPECT_EQ(Ranks(t), (Ints{1, 2}));
  q = TableQuery{};
  q.offset = 1;
  q.limit = 2;
  t = League("c1", q, Day(3));
  EXPECT_EQ(Keys(t), (Strings{"k2", "k9"}));
  EXPECT_EQ(Ranks(t), (Ints{2, 3}));
  EXPECT_EQ(t.total, 5u);
  EXPECT_EQ(world_.engine().UserLeague(kAcc, "c1", Sorted("bogus", false), Day(3)).status().code(),
            ErrorCode::kInvalid);
  ExpectOracleAgrees(Day(3));
}

TEST_F(LeagueTest, NullsSortLastInBothDirections) {
  // Scores: k9 0.5, k2 1, k1 1, k5 1, k0 none.
  EXPECT_EQ(Keys(League("c1", Sorted("score", false), Day(3))),
            (Strings{"k9", "k2", "k1", "k5", "k0"}));
  EXPECT_EQ(Keys(League("c1", Sorted("score", true), Day(3))),
            (Strings{"k2", "k1", "k5", "k9", "k0"}));
  for (bool desc : {false, true}) {
    EXPECT_EQ(Keys(League("c1", Sorted("last_active", desc), Day(3))).back(), "k0");
    EXPECT_EQ(Keys(League("c1", Sorted("certified_at", desc), Day(3))).back(), "k5")
        << "no one certified: all null, by name then key";
  }
  // Booleans: false first ascending.
  EXPECT_EQ(Keys(League("c1", Sorted("at_risk", false), Day(30))).front(), "k2");
  ExpectOracleAgrees(Day(3));
  ExpectOracleAgrees(Day(30));
}

// --- §3.5 certification ------------------------------------------------------------------------

TEST_F(EngineSpecTest, CertificationNeedsCompletionAndTheLineAtEquality) {
  domain::CourseSettings s = Window(2);
  s.certification_mastery = 0.5;
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1", "e2"}}}, s))
            .User("u1", "Ann")
            .Attempt(MakeAttempt("a1", "u1", "c1", "e1", Day(0), {kClean, kClean})));
  // Mastery (1 + 0) / 2 = 0.5 but not completed.
  EXPECT_FALSE(UserView("c1", "u1", Day(1)).certified);
  Apply(Batch().Attempt(At("a2", "u1", "c1", "e2", Day(1), kWrong)));
  // Completed by a wrong answer, mastery still exactly 0.5: issued by that response.
  const UserCourseView v = UserView("c1", "u1", Day(2));
  EXPECT_TRUE(v.certified);
  EXPECT_EQ(v.certified_at, Day(1));
  ASSERT_EQ(v.certifications.size(), 1u);
  EXPECT_FALSE(v.certifications[0].expires_at.has_value());
  ExpectOracleAgrees(Day(2));
}

TEST_F(EngineSpecTest, CertificationIsKeptWhenMasteryDrops) {
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1", "e2"}}}, Window(2)))
            .User("u1", "Ann")
            .Attempt(MakeAttempt("a1", "u1", "c1", "e1", Day(0), {kClean, kClean}))
            .Attempt(At("a2", "u1", "c1", "e2", Day(1))));
  EXPECT_FALSE(UserView("c1", "u1", Day(1)).certified);  // 0.75 < 0.8
  Apply(Batch().Attempt(At("a3", "u1", "c1", "e2", Day(2))));
  EXPECT_EQ(UserView("c1", "u1", Day(2)).certified_at, Day(2));  // 1.0
  Apply(Batch().Attempt(MakeAttempt("a4", "u1", "c1", "e1", Day(3), {kWrong, kWrong})));
  const UserCourseView v = UserView("c1", "u1", Day(4));
  EXPECT_DOUBLE_EQ(v.mastery, 0.5);
  EXPECT_TRUE(v.certified);
  EXPECT_EQ(v.certified_at, Day(2));
  EXPECT_EQ(v.certifications.size(), 1u);
  EXPECT_EQ(CourseOf("c1", Day(4)).certified, 1);
  ExpectOracleAgrees(Day(4));
}

// SPEC §3.5: certifications can also be imported; "certified" = holds an unexpired one,
// whichever way it came.
TEST_F(EngineSpecTest, AnImportedCertificationIsHeldUntilItExpires) {
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1"}}}, Window(1)))
            .User("u1", "Ann")
            .User("u2", "Bob")
            .Attempt(At("a1", "u1", "c1", "e1", Day(0), kWrong))
            .Certification("u1", "c1", Day(1), Day(5))
            .Certification("u2", "c1", Day(2)));  // not enrolled yet
  UserCourseView v = UserView("c1", "u1", Day(2));
  EXPECT_TRUE(v.certified);
  EXPECT_EQ(v.certified_at, Day(1));
  ASSERT_EQ(v.certifications.size(), 1u);
  EXPECT_TRUE(v.certifications[0].imported);
  EXPECT_EQ(v.certifications[0].expires_at, Day(5));
  EXPECT_EQ(CourseOf("c1", Day(2)).certified, 1);
  Table<LeagueRow> league = League("c1", TableQuery{}, Day(2));
  ASSERT_EQ(league.rows.size(), 1u);
  EXPECT_TRUE(league.rows[0].certified);
  EXPECT_EQ(league.rows[0].certified_at, Day(1));
  EXPECT_FALSE(UserView("c1", "u1", Day(5)).certified);  // expired
  EXPECT_EQ(CourseOf("c1", Day(5)).certified, 0);

  // Bob's enrolment (by his first attempt) brings the certification imported before it; the
  // same one imported again changes nothing.
  Apply(Batch()
            .Attempt(At("b1", "u2", "c1", "e1", Day(3), kWrong))
            .Certification("u2", "c1", Day(2)));
  v = UserView("c1", "u2", Day(4));
  EXPECT_TRUE(v.certified);
  EXPECT_EQ(v.certified_at, Day(2));
  EXPECT_EQ(v.certifications.size(), 1u);
  EXPECT_EQ(CourseOf("c1", Day(4)).certified, 2);
}

// The course's certified and at-risk counts are kept by time, not recounted: they must turn at
// the exact instants (issued ≤ now < expires; at risk from last activity + N days), count a
// user once however their certifications overlap, and move with `now` alone, no write.
TEST_F(EngineSpecTest, CertifiedAndAtRiskCountsTurnAtTheirInstantsWithNoWrite) {
  domain::CourseSettings s = Window(1);
  s.at_risk_days = 3;
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1", "e2"}}}, s))  // e2 unanswered: not completed
            .User("u1", "Ann")
            .User("u2", "Bob")
            .Attempt(At("a1", "u1", "c1", "e1", Day(0), kWrong))
            .Attempt(At("b1", "u2", "c1", "e1", Day(0), kWrong))
            .Certification("u1", "c1", Day(1), Day(5))
            .Certification("u1", "c1", Day(3), Day(8))  // overlaps the first
            .Certification("u1", "c1", Day(10))         // never expires
            .Certification("u2", "c1", Day(2), Day(4)));
  const std::vector<std::pair<double, std::int64_t>> certified = {
      {0.5, 0}, {1, 1}, {2, 2}, {3.5, 2}, {4, 1}, {7.99, 1}, {8, 0}, {9, 0}, {10, 1}, {400, 1}};
  for (const auto& [day, want] : certified) {
    EXPECT_EQ(CourseOf("c1", Day(day)).certified, want) << "day " << day;
    Result<Table<AllCoursesRow>> all = world_.engine().AllCourses(kAcc, Day(day), nullptr);
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->rows.size(), 1u);
    EXPECT_EQ(all->rows[0].certified, want) << "day " << day;
  }
  // Both last answered at Day(0) (plus the response's time): at risk from 3 days after it.
  const Instant last = *UserView("c1", "u1", Day(1)).last_active;
  EXPECT_EQ(CourseOf("c1", Instant{last.ms + 3 * kMsPerDay - 1}).at_risk, 0);
  EXPECT_EQ(CourseOf("c1", Instant{last.ms + 3 * kMsPerDay}).at_risk, 2);
  EXPECT_EQ(CourseOf("c1", Day(1)).at_risk, 0);  // and back again
  // Bob answers on Day(5): he leaves the at-risk count until Day(8).
  Apply(Batch().Attempt(At("b2", "u2", "c1", "e1", Day(5), kWrong)));
  EXPECT_EQ(CourseOf("c1", Day(6)).at_risk, 1);
  EXPECT_EQ(CourseOf("c1", Day(9)).at_risk, 2);
}

TEST_F(EngineSpecTest, CertificationExpiresAfterValidDaysAndIsIssuedAgain) {
  domain::CourseSettings s = Window(1);
  s.certification_valid_days = 10;
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1"}}}, s))
            .User("u1", "Ann")
            .Attempt(At("a1", "u1", "c1", "e1", Day(0)))
            .Attempt(At("a2", "u1", "c1", "e1", Day(5)))            // held: no new one
            .Attempt(At("a3", "u1", "c1", "e1", Day(9), kWrong)));  // below the line
  UserCourseView v = UserView("c1", "u1", Day(9.99));
  EXPECT_TRUE(v.certified);
  EXPECT_EQ(v.certified_at, Day(0));
  ASSERT_EQ(v.certifications.size(), 1u);
  EXPECT_EQ(v.certifications[0].expires_at, Day(10));
  v = UserView("c1", "u1", Day(10));  // N × 24 h after issue: expired
  EXPECT_FALSE(v.certified);
  EXPECT_FALSE(v.certified_at.has_value());

  // After expiry: the first response at or after expires_at that meets the line.
  Apply(Batch()
            .Attempt(At("a4", "u1", "c1", "e1", Day(11), kWrong))
            .Attempt(At("a5", "u1", "c1", "e1", Day(12))));
  v = UserView("c1", "u1", Day(13));
  EXPECT_TRUE(v.certified);
  EXPECT_EQ(v.certified_at, Day(12));
  ASSERT_EQ(v.certifications.size(), 2u);
  EXPECT_EQ(v.certifications[1].issued_at, Day(12));
  EXPECT_EQ(v.certifications[1].expires_at, Day(22));
  ExpectOracleAgrees(Day(10));
  ExpectOracleAgrees(Day(13));
}

TEST_F(EngineSpecTest, ResponseExactlyAtExpiryIssuesTheNextCertification) {
  domain::CourseSettings s = Window(1);
  s.certification_valid_days = 10;
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1"}}}, s))
            .User("u1", "Ann")
            .Attempt(At("a1", "u1", "c1", "e1", Day(0)))
            .Attempt(At("a2", "u1", "c1", "e1", Day(10))));  // at expires_at: no longer held
  const UserCourseView v = UserView("c1", "u1", Day(10));
  ASSERT_EQ(v.certifications.size(), 2u);
  EXPECT_EQ(v.certifications[1].issued_at, Day(10));
  EXPECT_TRUE(v.certified);
  EXPECT_EQ(v.certified_at, Day(10));
  ExpectOracleAgrees(Day(10));
}

// --- §3.6 badges -------------------------------------------------------------------------------

TEST_F(EngineSpecTest, StreakCountsCalendarDaysInTheAccountsZone) {
  world_.PutAccount({"ny", "New York", "America/New_York"});
  world_.PutAccount({"utc", "UTC", "UTC"});
  // Local (EST, UTC−5) days Feb 2, 3, 4, 5, 6; in UTC only Feb 3, 5 and 6.
  const std::vector<Instant> times = {
      T("2026-02-03T04:30:00Z"),  // Mon Feb 2, 23:30 local
      T("2026-02-03T05:30:00Z"),  // Tue Feb 3, 00:30 local
      T("2026-02-05T04:30:00Z"),  // Wed Feb 4, 23:30 local
      T("2026-02-06T04:30:00Z"),  // Thu Feb 5, 23:30 local
      T("2026-02-06T17:00:00Z"),  // Fri Feb 6, 12:00 local
  };
  for (const char* account : {"ny", "utc"}) {
    Batch b;
    b.Course(MakeCourse("c1", {{"ch1", {"e1", "e2"}}})).User("u1", "Ann");
    for (std::size_t i = 0; i < times.size(); ++i) {
      b.Attempt(At("a" + std::to_string(i), "u1", "c1", "e1", times[i]));
    }
    world_.Apply(account, b.b, times.back());
  }
  const UserCourseView ny = UserView("c1", "u1", Day(10), "ny");
  ASSERT_EQ(ny.badges.size(), 1u);
  EXPECT_EQ(ny.badges[0].badge, "streak-5");
  EXPECT_EQ(ny.badges[0].awarded_at, T("2026-02-06T17:00:00Z"));
  EXPECT_TRUE(UserView("c1", "u1", Day(10), "utc").badges.empty());
  ExpectOracleAgrees(Day(10), "ny");
  ExpectOracleAgrees(Day(10), "utc");
}

TEST_F(EngineSpecTest, ChapterMasterWhenEveryExerciseOfTheChapterIsMastered) {
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1", "e2"}}, {"ch2", {"e3"}}}, Window(2)))
            .User("u1", "Ann")
            .Attempt(At("a1", "u1", "c1", "e1", Day(0.1)))
            .Attempt(At("a2", "u1", "c1", "e1", Day(0.2)))
            .Attempt(At("a3", "u1", "c1", "e2", Day(0.3)))
            .Attempt(At("a4", "u1", "c1", "e2", Day(0.4), kHinted))  // 0.75: not yet
            .Attempt(At("a5", "u1", "c1", "e3", Day(0.5)))
            .Attempt(At("a6", "u1", "c1", "e3", Day(0.6)))            // ch2 mastered
            .Attempt(At("a7", "u1", "c1", "e2", Day(0.7)))            // e2 still 0.75
            .Attempt(At("a75", "u1", "c1", "e2", Day(0.75)))          // e2 1: ch1 mastered
            .Attempt(At("a8", "u1", "c1", "e1", Day(0.8), kWrong)));  // kept anyway
  const UserCourseView v = UserView("c1", "u1", Day(1));
  ASSERT_EQ(v.badges.size(), 3u);
  EXPECT_EQ(v.badges[0].badge, "finisher");
  EXPECT_EQ(v.badges[0].awarded_at, Day(0.5));
  EXPECT_EQ(v.badges[1].badge, "chapter-master:ch2");
  EXPECT_EQ(v.badges[1].awarded_at, Day(0.6));
  EXPECT_EQ(v.badges[2].badge, "chapter-master:ch1");
  EXPECT_EQ(v.badges[2].awarded_at, Day(0.75));
  ASSERT_EQ(v.exercises.size(), 3u);
  EXPECT_FALSE(v.exercises[0].mastered);  // e1 now 0.5
  EXPECT_TRUE(v.exercises[1].mastered);
  ExpectOracleAgrees(Day(1));
}

TEST_F(EngineSpecTest, FlawlessNeedsAnAttemptOfFiveOrMoreAllCleanResponses) {
  const Resp late_wrong = kWrong;
  domain::CourseSettings s = Window(32);
  s.mastery_threshold = 1.0;  // no chapter-master here
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1"}}}, s))
            .User("u1", "Ann")
            .Attempt(MakeAttempt("a1", "u1", "c1", "e1", Day(0), Times(4, kClean)))
            .Attempt(MakeAttempt("a2", "u1", "c1", "e1", Day(1),
                                 {kClean, kClean, kHinted, kClean, kClean}))
            .Attempt(MakeAttempt("a3", "u1", "c1", "e1", Day(2),
                                 {kClean, kClean, kClean, kClean, kClean, late_wrong})));
  UserCourseView v = UserView("c1", "u1", Day(3));
  ASSERT_EQ(v.badges.size(), 1u);
  EXPECT_EQ(v.badges[0].badge, "finisher");
  Apply(Batch()
            .Attempt(MakeAttempt("a4", "u1", "c1", "e1", Day(4), Times(5, kClean)))
            .Attempt(MakeAttempt("a5", "u1", "c1", "e1", Day(5), Times(6, kClean))));
  v = UserView("c1", "u1", Day(6));
  ASSERT_EQ(v.badges.size(), 2u);  // finisher (Day 0) and flawless
  EXPECT_EQ(v.badges[1].badge, "flawless");
  EXPECT_EQ(v.badges[1].awarded_at, Plus(Day(4), 50 * kSecond));  // a4's last response
  // A qualifying attempt from before, arriving late, re-dates it.
  Apply(Batch().Attempt(MakeAttempt("a0", "u1", "c1", "e1", Day(-1), Times(5, kClean))));
  v = UserView("c1", "u1", Day(6));
  ASSERT_EQ(v.badges.size(), 2u);
  EXPECT_EQ(v.badges[0].badge, "finisher");
  EXPECT_EQ(v.badges[0].awarded_at, Plus(Day(-1), 10 * kSecond));
  EXPECT_EQ(v.badges[1].badge, "flawless");
  EXPECT_EQ(v.badges[1].awarded_at, Plus(Day(-1), 50 * kSecond));
  ExpectOracleAgrees(Day(6));
}

// --- §2, §3.8 arrival order, duplicates, enrollment --------------------------------------------

TEST_F(EngineSpecTest, LateAttemptGivesTheMasteryOfSpecOrder) {
  domain::CourseSettings s = Window(1);  // the last response in SPEC order decides
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1"}}}, s))
            .User("u1", "Ann")
            .Attempt(At("a1", "u1", "c1", "e1", Day(1)))
            .Attempt(At("a3", "u1", "c1", "e1", Day(3))));
  EXPECT_DOUBLE_EQ(UserView("c1", "u1", Day(4)).mastery, 1.0);
  Apply(Batch().Attempt(At("a2", "u1", "c1", "e1", Day(2), kWrong)));  // late, in between
  EXPECT_DOUBLE_EQ(UserView("c1", "u1", Day(4)).mastery, 1.0);
  Apply(Batch().Attempt(At("a4", "u1", "c1", "e1", Day(3.5), kWrong)));
  EXPECT_DOUBLE_EQ(UserView("c1", "u1", Day(4)).mastery, 0.0);
  // Same answered_at: the attempt's start, then the id's bytes, break the tie.
  Apply(Batch()
            .Attempt(MakeAttempt("b", "u1", "c1", "e1", Day(3.6), {AnswerAt(true, Day(3.7))}))
            .Attempt(MakeAttempt("B", "u1", "c1", "e1", Day(3.6), {AnswerAt(false, Day(3.7))})));
  EXPECT_DOUBLE_EQ(UserView("c1", "u1", Day(4)).mastery, 1.0);  // "B" < "b": b is last

  // Another engine fed the same attempts in the opposite order agrees.
  World other;
  other.PutAccount({kAcc, "Acme", "UTC"});
  other.Apply(kAcc, Batch().Course(MakeCourse("c1", {{"ch1", {"e1"}}}, s)).User("u1", "Ann").b,
              Day(0));
  std::vector<domain::Attempt> all = world_.ref().Attempts(kAcc, "u1", "c1");
  std::reverse(all.begin(), all.end());
  for (const domain::Attempt& a : all) other.Apply(kAcc, Batch().Attempt(a).b, Day(4));
  const testing::EngineSource mine(world_.engine(), world_.ref());
  const testing::EngineSource theirs(other.engine(), other.ref());
  EXPECT_TRUE(testing::SameViews(mine, theirs, world_.ref(), kAcc, Day(4),
                                 ThoroughPlan(world_.ref(), kAcc)));
  ExpectOracleAgrees(Day(4));
}

TEST_F(EngineSpecTest, IdenticalRepostIsNotCountedTwice) {
  const domain::Attempt a1 = MakeAttempt("a1", "u1", "c1", "e1", Day(0), {kClean, kClean});
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1"}}}))
            .User("u1", "Ann")
            .Attempt(a1)
            .Attempt(a1));
  Apply(Batch().Attempt(a1));
  EXPECT_EQ(world_.ref().Attempts(kAcc, "u1", "c1").size(), 1u);
  const UserCourseView v = UserView("c1", "u1", Day(1));
  EXPECT_EQ(v.attempts, 1);
  EXPECT_EQ(v.points, 20);
  EXPECT_DOUBLE_EQ(v.mastery, 0.2);
  ExpectOracleAgrees(Day(1));
}

TEST_F(EngineSpecTest, EnrollmentByAttemptIsDatedByTheEarliestStart) {
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1"}}}))
            .User("u1", "Ann")
            .User("u2", "Bob")
            .Attempt(At("a1", "u1", "c1", "e1", Day(5)))
            .Enroll("u2", "c1", Day(10)));
  EXPECT_EQ(UserView("c1", "u1", Day(6)).enrolled_at, Day(5));
  Apply(Batch()
            .Attempt(At("a2", "u1", "c1", "e1", Day(3)))    // late: moves it back
            .Attempt(At("a3", "u2", "c1", "e1", Day(2))));  // explicit date stays
  EXPECT_EQ(UserView("c1", "u1", Day(6)).enrolled_at, Day(3));
  EXPECT_EQ(UserView("c1", "u2", Day(6)).enrolled_at, Day(10));
  ExpectOracleAgrees(Day(6));

  // Unenrolled: gone from the course; the attempts stay stored and count again on return.
  Apply(Batch().Unenroll("u1", "c1"));
  EXPECT_EQ(world_.engine().UserInCourse(kAcc, "c1", "u1", Day(6)).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(League("c1", TableQuery{}, Day(6)).total, 1u);
  ExpectOracleAgrees(Day(6));
  Apply(Batch().Attempt(At("a4", "u1", "c1", "e1", Day(20))));
  const UserCourseView v = UserView("c1", "u1", Day(21));
  EXPECT_EQ(v.attempts, 3);
  EXPECT_EQ(v.enrolled_at, Day(3)) << "the earliest started_at of all the user's attempts";
  ExpectOracleAgrees(Day(21));
}

TEST_F(EngineSpecTest, AttemptWithoutResponsesCountsOnceWhenTheBatchAlsoRestructures) {
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1"}}}))
            .User("u1", "Ann")
            .Attempt(At("a1", "u1", "c1", "e1", Day(0))));
  // One request (an import bundle) re-puts the course and posts an empty attempt.
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1", "e2"}}}))
            .Attempt(MakeAttempt("a2", "u1", "c1", "e1", Day(1), {}, Plus(Day(1), kMinute))));
  const UserCourseView v = UserView("c1", "u1", Day(2));
  EXPECT_EQ(v.attempts, 2);
  EXPECT_EQ(v.time_ms, kMinute);
  ExpectOracleAgrees(Day(2));
}

// --- §2 restructure, §3.7 settings ------------------------------------------------------------

TEST_F(EngineSpecTest, RemovedExerciseIsNotCountedMovedOneFollowsItsChapterReAddedCountsAgain) {
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1", "e2"}}, {"ch2", {"e3"}}}))
            .User("u1", "Ann")
            .Attempt(MakeAttempt("a1", "u1", "c1", "e1", Day(0), Times(10, kClean)))
            .Attempt(MakeAttempt("a2", "u1", "c1", "e3", Day(1), Times(5, kClean))));
  UserCourseView v = UserView("c1", "u1", Day(2));
  EXPECT_DOUBLE_EQ(v.mastery, 0.5);  // (1 + 0 + 0.5) / 3
  EXPECT_DOUBLE_EQ(v.progress, 2.0 / 3.0);
  EXPECT_EQ(v.points, 150);

  // e3 removed: kept but not counted.
  Apply(Batch().Course(MakeCourse("c1", {{"ch1", {"e1", "e2"}}, {"ch2", {}}})));
  v = UserView("c1", "u1", Day(2));
  EXPECT_DOUBLE_EQ(v.mastery, 0.5);  // (1 + 0) / 2
  EXPECT_DOUBLE_EQ(v.progress, 0.5);
  EXPECT_EQ(v.points, 100);
  EXPECT_EQ(v.attempts, 1);
  EXPECT_EQ(v.last_active, Plus(Day(0), 100 * kSecond));
  EXPECT_EQ(world_.engine()
                .History(kAcc, "c1", "u1", "e3", world_.ref().Attempts(kAcc, "u1", "c1"))
                .status()
                .code(),
            ErrorCode::kNotFound);
  ExpectOracleAgrees(Day(2));

  // e2 removed too: completed by e1 alone.
  Apply(Batch().Course(MakeCourse("c1", {{"ch1", {"e1"}}, {"ch2", {}}})));
  v = UserView("c1", "u1", Day(2));
  EXPECT_DOUBLE_EQ(v.mastery, 1.0);
  EXPECT_TRUE(v.completed);
  EXPECT_EQ(v.completed_at, Plus(Day(0), 10 * kSecond));
  EXPECT_TRUE(v.certified);
  ExpectOracleAgrees(Day(2));

  // e3 comes back, in ch1 now; e2 back in ch2.
  Apply(Batch().Course(MakeCourse("c1", {{"ch1", {"e1", "e3"}}, {"ch2", {"e2"}}})));
  v = UserView("c1", "u1", Day(2));
  EXPECT_DOUBLE_EQ(v.mastery, 0.5);
  ASSERT_EQ(v.chapters.size(), 2u);
  EXPECT_DOUBLE_EQ(v.chapters[0].mastery.value(), 0.75);
  EXPECT_DOUBLE_EQ(v.chapters[1].mastery.value(), 0.0);
  EXPECT_EQ(v.points, 150);
  EXPECT_FALSE(v.completed);
  EXPECT_EQ(v.exercises[1].exercise, "e3");
  EXPECT_EQ(v.exercises[1].chapter, "ch1");
  ExpectOracleAgrees(Day(2));
}

TEST_F(EngineSpecTest, SwitchingTheModelToBktRecomputes) {
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1"}}}))
            .User("u1", "Ann")
            .Attempt(MakeAttempt("a1", "u1", "c1", "e1", Day(0), Times(3, kClean))));
  EXPECT_DOUBLE_EQ(UserView("c1", "u1", Day(1)).mastery, 0.3);
  domain::CourseSettings bkt;
  bkt.mastery_model = domain::MasteryModel::kBkt;
  Apply(Batch().Course(MakeCourse("c1", {{"ch1", {"e1"}}}, bkt)));
  UserCourseView v = UserView("c1", "u1", Day(1));
  EXPECT_NEAR(v.mastery, 0.9719844357976654, 1e-12);  // three BKT steps, see mastery_test
  EXPECT_TRUE(v.exercises[0].mastered);               // default threshold 0.95 for bkt
  EXPECT_TRUE(v.certified);
  EXPECT_EQ(CourseOf("c1", Day(1)).settings, bkt);
  Apply(Batch().Course(MakeCourse("c1", {{"ch1", {"e1"}}}, Window(3))));
  v = UserView("c1", "u1", Day(1));
  EXPECT_DOUBLE_EQ(v.mastery, 1.0);
  ASSERT_EQ(v.certifications.size(), 1u);
  EXPECT_EQ(v.certifications[0].issued_at, Plus(Day(0), 30 * kSecond));
  ExpectOracleAgrees(Day(1));
}

// --- people ------------------------------------------------------------------------------------

TEST_F(EngineSpecTest, DeactivatedUserIsShownOnlyAsInactiveAndLeftOutOfAggregates) {
  Apply(Batch()
            .Group("g1", "Team")
            .Course(MakeCourse("c1", {{"ch1", {"e1"}}}, Window(2)))
            .User("u1", "Ann", {"g1"})
            .User("u2", "Bob", {"g1"})
            .Attempt(MakeAttempt("a1", "u1", "c1", "e1", Day(0), {kClean, kClean}))
            .Attempt(At("a2", "u2", "c1", "e1", Day(0))));
  EXPECT_DOUBLE_EQ(CourseOf("c1", Day(1)).mastery.value(), 0.75);
  Apply(Batch().Deactivate("u2"));
  const CourseView c = CourseOf("c1", Day(1));
  EXPECT_EQ(c.users, 1);
  EXPECT_DOUBLE_EQ(c.mastery.value(), 1.0);
  EXPECT_EQ(Keys(League("c1", TableQuery{}, Day(1))), Strings{"u1"});
  TableQuery inactive;
  inactive.active = false;
  const Table<LeagueRow> t = League("c1", inactive, Day(1));
  ASSERT_EQ(Keys(t), Strings{"u2"});
  EXPECT_FALSE(t.rows[0].active);
  EXPECT_EQ(t.rows[0].rank, 1);
  EXPECT_EQ(world_.engine().Report(kAcc, TableQuery{}, Day(1))->total, 1u);
  EXPECT_EQ(world_.engine().GroupLeague(kAcc, "c1", TableQuery{}, Day(1), nullptr)->rows[0].users,
            1);
  ExpectOracleAgrees(Day(1));
  // Attempts of inactive users are accepted and counted for them.
  Apply(Batch().Attempt(At("a3", "u2", "c1", "e1", Day(0.5))));
  EXPECT_DOUBLE_EQ(UserView("c1", "u2", Day(1)).mastery, 1.0);
  Apply(Batch().User("u2", "Bob", {"g1"}, true));
  EXPECT_DOUBLE_EQ(CourseOf("c1", Day(1)).mastery.value(), 1.0);
  EXPECT_EQ(CourseOf("c1", Day(1)).users, 2);
  ExpectOracleAgrees(Day(1));
}

TEST_F(EngineSpecTest, ErasedUserLeavesNoTrace) {
  Apply(Batch()
            .Group("g1", "Team")
            .Course(MakeCourse("c1", {{"ch1", {"e1"}}}))
            .Course(MakeCourse("c2", {{"ch1", {"e1"}}}))
            .User("u1", "Ann", {"g1"})
            .User("u2", "Bob", {"g1"})
            .Attempt(At("a1", "u1", "c1", "e1", Day(0)))
            .Attempt(At("a2", "u2", "c1", "e1", Day(0), kWrong))
            .Attempt(At("a3", "u2", "c2", "e1", Day(0))));
  Apply(Batch().Erase("u2"));
  EXPECT_EQ(world_.engine().UserInCourse(kAcc, "c1", "u2", Day(1)).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(world_.engine().History(kAcc, "c1", "u2", "e1", {}).status().code(),
            ErrorCode::kNotFound);
  Result<Table<AllCoursesRow>> all = world_.engine().AllCourses(kAcc, Day(1), nullptr);
  ASSERT_EQ(all->rows.size(), 1u);  // c2 had only u2
  EXPECT_EQ(all->rows[0].users, 1);
  EXPECT_DOUBLE_EQ(all->rows[0].score.value(), 1.0);
  const Result<Table<ReportRow>> report = world_.engine().Report(kAcc, TableQuery{}, Day(1));
  ASSERT_TRUE(report.ok());
  for (const ReportRow& r : report->rows) EXPECT_NE(r.user, "u2");
  TableQuery inactive;
  inactive.active = false;
  EXPECT_EQ(League("c1", inactive, Day(1)).total, 0u);
  ExpectOracleAgrees(Day(1));
  // The same key again is a new person with nothing.
  Apply(Batch().User("u2", "Bea").Enroll("u2", "c1", Day(1)));
  const UserCourseView v = UserView("c1", "u2", Day(1));
  EXPECT_EQ(v.attempts, 0);
  EXPECT_EQ(v.name, "Bea");
  ExpectOracleAgrees(Day(1));
}

// --- §3.4 aggregates ---------------------------------------------------------------------------

TEST_F(EngineSpecTest, WeeklySeriesIsTheMeanAtEachWeeksEndOverUsersEnrolledByThen) {
  // Weeks start Monday: Feb 2, 9, 16, 23 (2026).
  Apply(
      Batch()
          .Course(MakeCourse("c1", {{"ch1", {"e1"}}}))
          .User("u1", "Ann")
          .User("u2", "Bob")
          .User("u3", "Cy")
          .User("u4", "Dee", {}, false)
          .Attempt(MakeAttempt("a1", "u1", "c1", "e1", T("2026-02-03T10:00:00Z"), Times(2, kClean)))
          .Attempt(MakeAttempt("a2", "u1", "c1", "e1", T("2026-02-10T10:00:00Z"), Times(3, kClean)))
          .Enroll("u2", "c1", T("2026-02-11T10:00:00Z"))
          .Attempt(
              MakeAttempt("a3", "u2", "c1", "e1", T("2026-02-17T10:00:00Z"), Times(10, kClean)))
          .Enroll("u3", "c1", T("2026-02-20T10:00:00Z"))
          // inactive: not counted, though its data is the earliest
          .Attempt(
              MakeAttempt("a4", "u4", "c1", "e1", T("2026-01-20T10:00:00Z"), Times(10, kClean))));
  const CourseView c = CourseOf("c1", T("2026-02-25T12:00:00Z"));
  const std::int64_t feb2 = TimeZone::Utc().LocalDay(T("2026-02-02T00:00:00Z"));
  ASSERT_EQ(c.weekly.size(), 4u);
  const std::vector<double> want = {0.2, (0.5 + 0) / 2, (0.5 + 1 + 0) / 3, (0.5 + 1 + 0) / 3};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(c.weekly[i].week_day, feb2 + 7 * static_cast<std::int64_t>(i));
    EXPECT_NEAR(c.weekly[i].mastery.value(), want[i], 1e-12) << i;
  }
  ExpectOracleAgrees(T("2026-02-25T12:00:00Z"));
}

TEST_F(EngineSpecTest, WeeklySeriesUsesTheAccountsZoneForWeekBoundaries) {
  world_.PutAccount({"ny", "New York", "America/New_York"});
  Batch b;
  b.Course(MakeCourse("c1", {{"ch1", {"e1"}}}))
      .User("u1", "Ann")
      .Attempt(At("a1", "u1", "c1", "e1", T("2026-02-09T04:30:00Z")))   // Sun Feb 8, 23:30 local
      .Attempt(At("a2", "u1", "c1", "e1", T("2026-02-09T05:30:00Z")));  // Mon Feb 9, 00:30 local
  world_.Apply("ny", b.b, T("2026-02-10T00:00:00Z"));
  Result<CourseView> c = world_.engine().Course("ny", "c1", T("2026-02-10T12:00:00Z"), nullptr);
  ASSERT_TRUE(c.ok());
  const std::int64_t feb2 = TimeZone::Utc().LocalDay(T("2026-02-02T00:00:00Z"));
  ASSERT_EQ(c->weekly.size(), 2u);
  EXPECT_EQ(c->weekly[0].week_day, feb2);
  EXPECT_NEAR(c->weekly[0].mastery.value(), 0.1, 1e-12);
  EXPECT_EQ(c->weekly[1].week_day, feb2 + 7);
  EXPECT_NEAR(c->weekly[1].mastery.value(), 0.2, 1e-12);
  ExpectOracleAgrees(T("2026-02-10T12:00:00Z"), "ny");
}

TEST_F(EngineSpecTest, GroupLeagueAndGroupFilter) {
  Apply(Batch()
            .Group("g1", "Alpha")
            .Group("g2", "Beta")
            .Group("g3", "Gamma")
            .Group("g4", "Delta")
            .Course(MakeCourse("c1", {{"ch1", {"e1"}}}, Window(2)))
            .User("u1", "Ann", {"g1"})
            .User("u2", "Bob", {"g1", "g2"})
            .User("u3", "Cy", {"g2"})
            .User("u4", "Dee", {"g3"}, false)
            .Attempt(MakeAttempt("a1", "u1", "c1", "e1", Day(0), {kClean, kClean}))
            .Attempt(MakeAttempt("a2", "u2", "c1", "e1", Day(0), {kWrong, kClean}))
            .Enroll("u3", "c1", Day(0))
            .Attempt(MakeAttempt("a4", "u4", "c1", "e1", Day(0), {kClean, kClean})));
  Result<Table<GroupRow>> g =
      world_.engine().GroupLeague(kAcc, "c1", TableQuery{}, Day(1), nullptr);
  ASSERT_TRUE(g.ok());
  ASSERT_EQ(g->rows.size(), 2u);  // Gamma has only an inactive member, Delta none
  EXPECT_EQ(g->rows[0].group, "g1");
  EXPECT_EQ(g->rows[0].rank, 1);
  EXPECT_EQ(g->rows[0].users, 2);
  EXPECT_DOUBLE_EQ(g->rows[0].mastery.value(), 0.75);
  EXPECT_DOUBLE_EQ(g->rows[0].score.value(), 0.75);  // mean of 1 and 0.5
  EXPECT_EQ(g->rows[0].points, 30);
  EXPECT_EQ(g->rows[0].completed, 2);
  EXPECT_EQ(g->rows[1].group, "g2");
  EXPECT_DOUBLE_EQ(g->rows[1].mastery.value(), 0.25);
  EXPECT_DOUBLE_EQ(g->rows[1].score.value(), 0.5);  // Cy has no score
  TableQuery by_group;
  by_group.group = "g2";
  const Table<LeagueRow> t = League("c1", by_group, Day(1));
  EXPECT_EQ(Keys(t), (Strings{"u2", "u3"}));
  EXPECT_EQ(Ranks(t), (Ints{1, 2}));
  by_group.group = "nope";
  EXPECT_EQ(world_.engine().UserLeague(kAcc, "c1", by_group, Day(1)).status().code(),
            ErrorCode::kNotFound);
  ExpectOracleAgrees(Day(1));
}

TEST_F(EngineSpecTest, HistoryRowsAreChronologicalWithTheMasteryAfterEachAttempt) {
  Apply(Batch()
            .Course(MakeCourse("c1", {{"ch1", {"e1", "e2"}}}, Window(4)))
            .User("u1", "Ann")
            .Attempt(MakeAttempt("a1", "u1", "c1", "e1", Day(0), {kClean, kClean}))
            .Attempt(MakeAttempt("a2", "u1", "c1", "e1", Day(1), {kWrong, kHinted}))
            .Attempt(MakeAttempt("a3", "u1", "c1", "e1", Day(2), {kClean, kClean})));
  Apply(Batch().Attempt(At("a0", "u1", "c1", "e1", Day(-1))));  // late
  // Overlapping attempts: a5 starts first but answers last.
  Apply(Batch()
            .Attempt(MakeAttempt("a5", "u1", "c1", "e1", Day(3), {AnswerAt(true, Day(3.2))}))
            .Attempt(MakeAttempt("a6", "u1", "c1", "e1", Day(3.05), {AnswerAt(false, Day(3.1))})));
  const std::vector<HistoryRow> h = HistoryOf("c1", "u1", "e1");
  std::vector<std::string> ids;
  std::vector<double> after;
  for (const HistoryRow& r : h) {
    ids.push_back(r.attempt);
    after.push_back(r.mastery_after);
  }
  EXPECT_EQ(ids, (Strings{"a0", "a1", "a2", "a3", "a5", "a6"}));
  // SPEC order c | c c | w h | c c | w(a6) c(a5), window 4.
  const std::vector<double> want = {0.25, 0.75, 2.5 / 4, 2.5 / 4, 3.0 / 4, 2.5 / 4};
  ASSERT_EQ(after.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_DOUBLE_EQ(after[i], want[i]) << ids[i];
  EXPECT_EQ(h[2].hints, 1);
  EXPECT_DOUBLE_EQ(h[2].score.value(), 0.5);
  ASSERT_EQ(h[2].detail.size(), 2u);
  EXPECT_EQ(h[2].detail[1].answered_at, Plus(Day(1), 20 * kSecond));
  EXPECT_TRUE(HistoryOf("c1", "u1", "e2").empty());  // never attempted: no rows
  EXPECT_EQ(world_.engine().History(kAcc, "c1", "u1", "e9", {}).status().code(),
            ErrorCode::kNotFound);
  ExpectOracleAgrees(Day(4));
}

TEST_F(EngineSpecTest, AccountReportHasOneRowPerActiveUserAndCourse) {
  Apply(Batch()
            .Group("g2", "Two")
            .Group("g1", "One")
            .Course(MakeCourse("c1", {{"ch1", {"e1"}}}))
            .Course(MakeCourse("c2", {{"ch1", {"e1"}}}))
            .User("u1", "Zoe", {"g2", "g1"})
            .User("u2", "Abe")
            .User("u3", "Max", {}, false)
            .Attempt(At("a1", "u1", "c1", "e1", Day(0)))
            .Attempt(At("a2", "u1", "c2", "e1", Day(0), kHinted))
            .Attempt(At("a3", "u2", "c2", "e1", Day(1)))
            .Attempt(At("a4", "u3", "c1", "e1", Day(1))));
  Result<Table<ReportRow>> r = world_.engine().Report(kAcc, TableQuery{}, Day(2));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->rows.size(), 3u);
  EXPECT_EQ(r->rows[0].user, "u2");
  EXPECT_EQ(r->rows[1].user, "u1");
  EXPECT_EQ(r->rows[1].course, "c1");
  EXPECT_EQ(r->rows[2].course, "c2");
  EXPECT_EQ(r->rows[1].groups, (Strings{"g1", "g2"}));
  EXPECT_EQ(r->rows[1].email, "u1@example.com");
  EXPECT_EQ(r->rows[2].hints, 1);
  EXPECT_EQ(r->rows[2].points, 5);
  EXPECT_DOUBLE_EQ(r->rows[2].mastery, 0.05);
  ExpectOracleAgrees(Day(2));
}

}  // namespace
}  // namespace cohort::metrics

// The engine's AttemptSource failing during a replay: Apply answers the error and drops the
// account (never a view built from a replay that read nothing); loaded again, it is whole.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "metrics/engine.h"
#include "metrics/testing/harness.h"

namespace cohort::metrics {
namespace {

constexpr char kAcc[] = "acme";
constexpr Instant kNow{1'773'144'000'000};  // 2026-03-10T12:00:00Z

domain::Attempt Clean(const std::string& id, std::int64_t started_ms) {
  domain::Attempt a;
  a.id = id;
  a.user = "ann";
  a.course = "py";
  a.exercise = "e1";
  a.started_at = Instant{started_ms};
  domain::Response r;
  r.question = "q1";
  r.correct = true;
  r.time_ms = 1000;
  r.answered_at = Instant{started_ms + 1000};
  a.responses.push_back(r);
  return a;
}

domain::WriteBatch Catalog() {
  domain::WriteBatch b;
  domain::Course c;
  c.key = "py";
  c.title = "Python";
  c.chapters.push_back({"c1", "One", {{"e1", "E1"}}});
  b.courses.items.push_back(c);
  domain::User u;
  u.key = "ann";
  u.name = "Ann";
  u.email = "ann@example.com";
  b.users.items.push_back({u, std::nullopt});
  return b;
}

// An account with a course, a learner and one attempt of hers, applied while the store answered.
class EngineSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_.PutAccount({kAcc, "Acme", "UTC"});
    world_.Apply(kAcc, Catalog(), kNow);
    domain::WriteBatch on_time;
    on_time.attempts.items.push_back(Clean("a2", kNow.ms - 1000 * 3600));
    world_.Apply(kAcc, on_time, kNow);
    ASSERT_TRUE(world_.engine().HasAccount(kAcc));
  }
  testing::World world_;
};

TEST_F(EngineSourceTest, AReplayThatCannotReadTheStoreFailsTheBatchAndDropsTheAccount) {
  // A late attempt needs the user × course replayed from the store, which now fails.
  domain::WriteBatch late;
  late.attempts.items.push_back(Clean("a1", kNow.ms - 2000 * 3600));
  world_.ref().Apply(kAcc, late, kNow);  // committed in the store
  world_.source().Fail(Status::Unavailable("the store is down"));
  const Status applied = world_.engine().Apply(kAcc, late, kNow);
  EXPECT_EQ(applied.code(), ErrorCode::kUnavailable);
  EXPECT_FALSE(world_.engine().HasAccount(kAcc)) << "the account must not keep a wrong state";
  EXPECT_EQ(world_.engine().UserLeague(kAcc, "py", {}, kNow).status().code(),
            ErrorCode::kNotFound);
}

TEST_F(EngineSourceTest, ACatalogChangeWhoseReplayFailsLeavesNothingBehind) {
  // A second exercise: the course's enrollments are replayed under the exclusive lock.
  domain::WriteBatch changed = Catalog();
  changed.courses.items[0].chapters[0].exercises.push_back({"e2", "E2"});
  world_.ref().Apply(kAcc, changed, kNow);
  world_.source().Fail(Status::Unavailable("the store is down"));
  EXPECT_EQ(world_.engine().Apply(kAcc, changed, kNow).code(), ErrorCode::kUnavailable);
  EXPECT_FALSE(world_.engine().HasAccount(kAcc));
}

// A group commit's attempts applied in parts (one part a request): a view read meanwhile sees
// each part whole or not at all, and the last view sees them all.
TEST(EngineGroupTest, AViewReadWhileAGroupIsAppliedSeesEachPartWholeOrNotAtAll) {
  constexpr int kParts = 4, kPerPart = 5, kGroups = 60;
  testing::World world;
  world.PutAccount({kAcc, "Acme", "UTC"});
  domain::WriteBatch catalog = Catalog();
  for (int i = 0; i < kParts * kPerPart * kGroups; ++i) {
    domain::User u;
    u.key = "u" + std::to_string(i);
    u.name = u.key;
    catalog.users.items.push_back({u, std::nullopt});
  }
  world.Apply(kAcc, catalog, kNow);

  std::atomic<bool> done{false};
  std::atomic<std::int64_t> reads{0}, torn{0};
  std::thread reader([&] {
    while (!done.load()) {
      Result<CourseView> v = world.engine().Course(kAcc, "py", kNow, nullptr);
      if (!v.ok()) continue;  // before the first attempt the course has no learner yet
      ++reads;
      if (v.value().users % kPerPart != 0) ++torn;
    }
  });
  int user = 0;
  for (int g = 0; g < kGroups; ++g) {
    std::vector<domain::WriteBatch> group(kParts);
    for (domain::WriteBatch& part : group) {
      for (int k = 0; k < kPerPart; ++k, ++user) {
        domain::Attempt a = Clean("g" + std::to_string(user), kNow.ms - 3'600'000 + user);
        a.user = "u" + std::to_string(user);
        part.attempts.items.push_back(a);
      }
    }
    world.ApplyGroup(kAcc, group, kNow);
  }
  done = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0) << "of " << reads.load() << " reads";
  Result<CourseView> last = world.engine().Course(kAcc, "py", kNow, nullptr);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last.value().users, kParts * kPerPart * kGroups);
}

}  // namespace
}  // namespace cohort::metrics

// Two services over one PostgreSQL database, as two nodes (issue 17): one follows what the other
// writes through the change log, keeps following when its store fails for a while (retrying,
// its lag growing), and stays exact.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/metric_registry.h"
#include "service/service.h"
#include "store/store.h"
#include "store/store_test_data.h"
#include "store/testing/failing_store.h"
#include "store/testing/pg_test_database.h"

namespace cohort::service {
namespace {

using namespace std::chrono_literals;
using store::test_data::Attempt;
using store::test_data::Attempts;
using store::test_data::Catalog;

class FollowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::string> uri = store::CreateTestDatabase();
    ASSERT_TRUE(uri.ok()) << uri.status().ToString();
    uri_ = uri.value();
    auto a = store::OpenStore(uri_);
    auto b = store::OpenStore(uri_);
    ASSERT_TRUE(a.ok() && b.ok());
    store_a_ = std::move(a).value();
    store_b_ = std::move(b).value();
    faulty_b_ = std::make_unique<store::FailingStore>(*store_b_);
    const AccountId acme = store_a_->CreateAccount({"acme", "Acme", "UTC"}).value();
    ASSERT_TRUE(store_a_->Apply(acme, Catalog(), store::test_data::kNow).ok());
    a_ = std::make_unique<Service>(*store_a_, clock_);
    b_ = std::make_unique<Service>(*faulty_b_, clock_);
    ASSERT_TRUE(a_->Rebuild({}).ok());
    ASSERT_TRUE(b_->Rebuild({}).ok());
    b_->SetMetrics(registry_);
    b_->StartFollowing(10ms);
    caller_a_ = a_->LocalAdmin("acme").value();
    caller_b_ = b_->LocalAdmin("acme").value();
  }
  void TearDown() override {
    if (b_) b_->StopFollowing();
    b_.reset();
    a_.reset();
    store::DropTestDatabase(uri_);
  }

  std::int64_t WriteThroughA(const std::string& id, const std::string& user, std::int64_t ms,
                             int responses = 3) {
    Result<domain::WriteSummary> done =
        a_->Write(caller_a_, Attempts({Attempt(id, user, "e1", ms, responses)}));
    EXPECT_TRUE(done.ok()) << done.status().ToString();
    return done.ok() ? done->change_seq : -1;
  }

  // What both nodes show of a learner: equal when B has followed A.
  void ExpectSameFigures(const std::string& user) {
    auto x = a_->UserInCourse(caller_a_, "c1", user);
    auto y = b_->UserInCourse(caller_b_, "c1", user);
    ASSERT_TRUE(x.ok() && y.ok());
    EXPECT_EQ(x->attempts, y->attempts) << user;
    EXPECT_EQ(x->mastery, y->mastery) << user;
    EXPECT_EQ(x->points, y->points) << user;
    EXPECT_EQ(x->time_ms, y->time_ms) << user;
  }

  // Whether `done` holds within 5 s (asked every 10 ms).
  template <typename Predicate>
  static bool Eventually(Predicate done) {
    for (int i = 0; i < 500; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return done();
  }

  std::string uri_;
  SystemClock clock_;
  MetricRegistry registry_;
  std::unique_ptr<store::Store> store_a_, store_b_;
  std::unique_ptr<store::FailingStore> faulty_b_;
  std::unique_ptr<Service> a_, b_;
  Caller caller_a_, caller_b_;
};

TEST_F(FollowTest, AFollowerRetriesThroughStoreFailuresShowsItsLagAndStaysExact) {
  const std::int64_t first = WriteThroughA("x1", "ann", 1'000'000);
  ASSERT_GT(first, 0);
  ASSERT_TRUE(b_->WaitForSeq(caller_b_, first, 5s).ok());
  ExpectSameFigures("ann");

  // B cannot read the store: it does not get there, says why, and its lag grows.
  faulty_b_->Fail("ListAccountPositions", Status::Unavailable("injected: the store is down"));
  const std::int64_t second = WriteThroughA("x2", "ann", 2'000'000);
  const Status waited = b_->WaitForSeq(caller_b_, second, 300ms);
  EXPECT_EQ(waited.code(), ErrorCode::kUnavailable);
  EXPECT_NE(waited.message().find(std::to_string(second)), std::string::npos) << waited.message();
  ASSERT_TRUE(b_->FollowLagSeconds().has_value());
  EXPECT_GT(*b_->FollowLagSeconds(), 0.2);
  // It keeps retrying (each poll fails and is counted). Waited for, bounded, rather than assumed
  // of the 300 ms above: on a loaded machine the follow thread may not run for a while.
  EXPECT_TRUE(Eventually([&] {
    return registry_.GetCounter("cohort_follow_errors_total", "").value() > 5u &&
           faulty_b_->Calls("ListAccountPositions") > 5;
  }));

  // A write through B meanwhile catches B up through the log first (the write path does not
  // need the failing poll): both of A's changes and B's own are applied, in order.
  Result<domain::WriteSummary> mine =
      b_->Write(caller_b_, Attempts({Attempt("y1", "bob", "e2", 3'000'000)}));
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  EXPECT_EQ(mine->change_seq, second + 1);
  EXPECT_EQ(b_->AppliedSeq(caller_b_), second + 1);
  ExpectSameFigures("ann");

  // The store is back: the follower catches up by itself and its lag falls.
  faulty_b_->Heal();
  const std::int64_t third = WriteThroughA("x3", "bob", 4'000'000);
  ASSERT_TRUE(b_->WaitForSeq(caller_b_, third, 5s).ok());
  // The lag is measured from the start of the last complete poll, which ends a little after the
  // change is applied: it falls below a second once that poll is done.
  EXPECT_TRUE(Eventually([&] { return *b_->FollowLagSeconds() < 1.0; }))
      << *b_->FollowLagSeconds();
  ExpectSameFigures("ann");
  ExpectSameFigures("bob");
}

TEST_F(FollowTest, AReplayOnTheFollowerLeavesOutAttemptsCommittedAfterTheChangeItApplies) {
  const std::int64_t first = WriteThroughA("x1", "ann", 2'000'000);
  ASSERT_TRUE(b_->WaitForSeq(caller_b_, first, 5s).ok());
  // A late attempt makes B replay ann × c1 from the store when it applies that change; just
  // before B reads the store for it, A commits one more attempt of ann's, without responses
  // (one with responses would make B replay again when it comes, which would hide the fault).
  // The replay must leave it out: B applies it with the next change, and it would count twice.
  std::atomic<int> hooked{0};
  auto write_more = [&] {
    if (hooked++ == 0) WriteThroughA("x3", "ann", 3'000'000, /*responses=*/0);
  };
  faulty_b_->Before("LoadAttempts", write_more);
  faulty_b_->Before("LoadAttemptsThrough", write_more);
  const std::int64_t late = WriteThroughA("x2", "ann", 1'000'000);
  ASSERT_TRUE(b_->WaitForSeq(caller_b_, late + 1, 5s).ok());
  EXPECT_EQ(hooked.load(), 1) << "B did not replay from the store";
  Result<metrics::UserCourseView> seen = b_->UserInCourse(caller_b_, "c1", "ann");
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->attempts, 3);
  ExpectSameFigures("ann");
}

TEST_F(FollowTest, ACatalogChangeElsewhereIsReloadedAndAnErasureReachesTheFollower) {
  domain::WriteBatch people;
  people.users.items = {store::test_data::User("cid", "cid@example.com")};
  Result<domain::WriteSummary> added = a_->Write(caller_a_, std::move(people));
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  const std::int64_t attempt = WriteThroughA("c1", "cid", 1'000'000);
  ASSERT_TRUE(b_->WaitForSeq(caller_b_, attempt, 5s).ok());
  ExpectSameFigures("cid");
  EXPECT_GE(registry_.GetCounter("cohort_follow_reloads_total", "").value(), 1u);

  ASSERT_TRUE(a_->RemoveUser(caller_a_, "cid", /*erase=*/true).ok());
  // The erasure is a change of its own; B reloads and forgets the person.
  EXPECT_TRUE(Eventually([&] {
    return b_->UserInCourse(caller_b_, "c1", "cid").status().code() == ErrorCode::kNotFound;
  }));
}

}  // namespace
}  // namespace cohort::service

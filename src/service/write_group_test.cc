// Group commit in Service::Write (issue 7): batches that arrive while a commit is in progress
// are stored together in one transaction, each answered on its own; the engine sees exactly the
// batches that were committed.
#include "service/service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/metric_registry.h"
#include "metrics/engine.h"
#include "service/testing/test_world.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/write_lock_holder.h"

namespace cohort::service {
namespace {

using ::testing::ElementsAre;
using testing::TestAttempt;
using testing::TestCatalog;

constexpr Instant kNow{1'772'000'000'000};

domain::WriteBatch Attempts(std::vector<domain::Attempt> attempts) {
  domain::WriteBatch b;
  b.attempts.origin = {"/attempts", true};
  b.attempts.items = std::move(attempts);
  return b;
}

// A database in a fresh directory with account acme (course c1: e1, e2, e3; users ann, bob),
// a Service with an engine over it, and the service's metrics.
class WriteGroupTest : public ::testing::Test {
 protected:
  void Open(int busy_timeout_ms) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "cohort-write-group-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = (dir_ / "cohort.db").string();
    auto opened = store::sqlite::SqliteStore::Open(path_, {.busy_timeout_ms = busy_timeout_ms});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    service_ = std::make_unique<Service>(*store_, clock_);
    service_->SetMetrics(registry_);
    ASSERT_TRUE(service_->CreateAccount({"acme", "Acme", "UTC"}).ok());
    ASSERT_TRUE(service_->Rebuild(nullptr).ok());
    caller_ = service_->LocalAdmin("acme").value();
    Result<domain::WriteSummary> done = service_->Write(*caller_, TestCatalog());
    ASSERT_TRUE(done.ok()) << done.status().ToString();
  }

  void TearDown() override {
    service_.reset();
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Write() on a thread of its own; its answer lands in `answer`.
  std::thread WriteOn(domain::WriteBatch batch, std::optional<Result<domain::WriteSummary>>& answer) {
    return std::thread([this, batch = std::move(batch), &answer]() mutable {
      answer = service_->Write(*caller_, std::move(batch));
    });
  }

  // Waits (up to 10 s) until `n` Write calls wait for their answer.
  void AwaitPending(std::size_t n) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (service_->PendingWrites() < n && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_EQ(service_->PendingWrites(), n);
  }

  std::uint64_t Transactions() {
    return registry_
        .GetHistogram("cohort_store_write_duration_seconds", "", LatencyBuckets())
        .Read()
        .cumulative.back();
  }

  store::TableCounts Counts() { return store_->Counts(caller_->account).value(); }

  std::filesystem::path dir_;
  std::string path_;
  FakeClock clock_{kNow};
  MetricRegistry registry_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  std::unique_ptr<Service> service_;
  std::optional<Caller> caller_;
};

// While a commit waits for the write lock (another process holds it), five batches queue; they
// are then committed as one group: the bad one in the middle is refused alone, the same attempt
// in two batches of the group is a duplicate (identical) or a conflict (changed), and the engine
// sees exactly what a fresh rebuild from the store sees.
TEST_F(WriteGroupTest, QueuedBatchesCommitAsOneGroupEachAnsweredOnItsOwn) {
  ASSERT_NO_FATAL_FAILURE(Open(10'000));
  const store::TableCounts before = Counts();
  const std::uint64_t transactions_before = Transactions();
  const domain::Attempt a1 = TestAttempt("a1", "ann", "e1", 2000);
  domain::Attempt a1_changed = a1;
  a1_changed.finished_at.reset();

  std::vector<std::optional<Result<domain::WriteSummary>>> answers(6);
  std::vector<std::thread> threads;
  {
    auto lock = store::sqlite::WriteLockHolder::Hold(path_);
    ASSERT_TRUE(lock.ok()) << lock.status().ToString();
    // The first writer, alone, leads and waits for the lock in BEGIN; the others queue.
    threads.push_back(WriteOn(Attempts({TestAttempt("a0", "ann", "e3", 1000)}), answers[0]));
    ASSERT_NO_FATAL_FAILURE(AwaitPending(1));
    std::vector<domain::WriteBatch> batches = {
        Attempts({a1}),
        Attempts({TestAttempt("a2", "bob", "e3", 3000), TestAttempt("a9", "zoe", "e1", 3000)}),
        Attempts({TestAttempt("a3", "bob", "e1", 4000), a1}),
        Attempts({a1_changed}),
        Attempts({TestAttempt("a4", "bob", "e2", 5000)}),
    };
    for (std::size_t i = 0; i < batches.size(); ++i) {
      threads.push_back(WriteOn(std::move(batches[i]), answers[i + 1]));
      ASSERT_NO_FATAL_FAILURE(AwaitPending(i + 2));
    }
  }  // releases the lock
  for (std::thread& t : threads) t.join();

  for (const std::size_t i : std::initializer_list<std::size_t>{0, 1, 3, 5}) {
    ASSERT_TRUE(answers[i].has_value() && answers[i]->ok())
        << i << ": " << (answers[i] ? answers[i]->status().ToString() : "no answer");
  }
  EXPECT_EQ(answers[1]->value().accepted, 1u);
  EXPECT_EQ(answers[2]->status().code(), ErrorCode::kInvalid);
  EXPECT_THAT(answers[2]->status().details(),
              ElementsAre(ErrorDetail{1, "/attempts/1/user", "user 'zoe' is unknown"}));
  EXPECT_EQ(answers[3]->value().accepted, 1u);
  EXPECT_EQ(answers[3]->value().duplicates, 1u);
  EXPECT_EQ(answers[4]->status().code(), ErrorCode::kConflict);
  EXPECT_EQ(answers[5]->value().accepted, 1u);
  // One transaction for the leader's batch and one for the five that queued behind it.
  EXPECT_EQ(Transactions() - transactions_before, 2u);

  store::TableCounts after = Counts();
  EXPECT_EQ(after.attempts, before.attempts + 4);  // a0, a1, a3, a4
  EXPECT_EQ(store_->GetAttempt(caller_->account, "a2").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetAttempt(caller_->account, "a1").value(), a1);
  // The engine applied the committed batches only: ann e3, e1 and bob e1, e2 (not bob e3).
  const metrics::Engine::Size live = service_->EngineSize();
  EXPECT_EQ(live.touched_cells, 4u);
  Service rebuilt(*store_, clock_);
  ASSERT_TRUE(rebuilt.Rebuild(nullptr).ok());
  const metrics::Engine::Size expected = rebuilt.EngineSize();
  EXPECT_EQ(live.users, expected.users);
  EXPECT_EQ(live.enrollments, expected.enrollments);
  EXPECT_EQ(live.cells, expected.cells);
  EXPECT_EQ(live.touched_cells, expected.touched_cells);
}

// A store fault fails every batch of the group with kUnavailable (503): nothing stored, nothing
// applied to the engine, each refusal counted; once the fault clears, writes go through.
TEST_F(WriteGroupTest, AFaultFailsEveryBatchOfTheGroupAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(Open(300));
  const store::TableCounts before = Counts();
  const metrics::Engine::Size engine_before = service_->EngineSize();
  std::vector<std::optional<Result<domain::WriteSummary>>> answers(3);
  std::vector<std::thread> threads;
  {
    auto lock = store::sqlite::WriteLockHolder::Hold(path_);
    ASSERT_TRUE(lock.ok()) << lock.status().ToString();
    threads.push_back(WriteOn(Attempts({TestAttempt("a0", "ann", "e3", 1000)}), answers[0]));
    ASSERT_NO_FATAL_FAILURE(AwaitPending(1));
    threads.push_back(WriteOn(Attempts({TestAttempt("a1", "ann", "e1", 2000)}), answers[1]));
    ASSERT_NO_FATAL_FAILURE(AwaitPending(2));
    threads.push_back(WriteOn(Attempts({TestAttempt("a2", "bob", "e1", 2000)}), answers[2]));
    ASSERT_NO_FATAL_FAILURE(AwaitPending(3));
    for (std::thread& t : threads) t.join();  // each group waits out the busy timeout, fails
  }
  for (const auto& answer : answers) {
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->status().code(), ErrorCode::kUnavailable) << answer->status().ToString();
  }
  EXPECT_EQ(Counts(), before);
  EXPECT_EQ(service_->EngineSize().touched_cells, engine_before.touched_cells);
  EXPECT_EQ(registry_.GetCounter("cohort_store_unavailable_total", "").value(), 3u);

  Result<domain::WriteSummary> done =
      service_->Write(*caller_, Attempts({TestAttempt("a1", "ann", "e1", 2000)}));
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(service_->EngineSize().touched_cells, engine_before.touched_cells + 1);
}

// A late attempt makes the engine replay its user × course from the store, which already holds
// the whole group: the later batches of the group must not then be counted a second time.
TEST_F(WriteGroupTest, ALateAttemptInAGroupDoesNotCountTheLaterBatchesTwice) {
  ASSERT_NO_FATAL_FAILURE(Open(10'000));
  ASSERT_TRUE(service_->Write(*caller_, Attempts({TestAttempt("a0", "ann", "e1", 100'000)})).ok());
  std::vector<std::optional<Result<domain::WriteSummary>>> answers(3);
  std::vector<std::thread> threads;
  {
    auto lock = store::sqlite::WriteLockHolder::Hold(path_);
    ASSERT_TRUE(lock.ok()) << lock.status().ToString();
    threads.push_back(WriteOn(Attempts({TestAttempt("b0", "bob", "e1", 1000)}), answers[0]));
    ASSERT_NO_FATAL_FAILURE(AwaitPending(1));
    // Late for ann in c1 (before a0), then a newer one of hers in the same group.
    threads.push_back(WriteOn(Attempts({TestAttempt("a1", "ann", "e2", 50'000)}), answers[1]));
    ASSERT_NO_FATAL_FAILURE(AwaitPending(2));
    // Without responses: such an attempt never makes the engine replay, it is appended.
    domain::Attempt a2 = TestAttempt("a2", "ann", "e3", 200'000);
    a2.responses.clear();
    threads.push_back(WriteOn(Attempts({a2}), answers[2]));
    ASSERT_NO_FATAL_FAILURE(AwaitPending(3));
  }
  for (std::thread& t : threads) t.join();
  for (const auto& answer : answers) {
    ASSERT_TRUE(answer.has_value() && answer->ok());
    EXPECT_EQ(answer->value().accepted, 1u);
  }
  Service rebuilt(*store_, clock_);
  ASSERT_TRUE(rebuilt.Rebuild(nullptr).ok());
  auto live = service_->UserInCourse(*caller_, "c1", "ann");
  auto expected = rebuilt.UserInCourse(*caller_, "c1", "ann");
  ASSERT_TRUE(live.ok() && expected.ok());
  EXPECT_EQ(expected->attempts, 3);
  EXPECT_EQ(live->attempts, expected->attempts);
  EXPECT_EQ(live->points, expected->points);
  EXPECT_EQ(live->time_ms, expected->time_ms);
  EXPECT_DOUBLE_EQ(live->progress, expected->progress);
}

}  // namespace
}  // namespace cohort::service

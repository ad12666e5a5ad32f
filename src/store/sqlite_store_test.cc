#include "store/sqlite/sqlite_store.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/statement.h"
#include "store/sqlite/write_lock_holder.h"
#include "store/store_test_data.h"

namespace cohort::store::sqlite {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

using namespace test_data;  // NOLINT: the tests' vocabulary

// SQLite by nature (the file, its locks, WAL, migrations from older files): the tests that
// every backend passes are in store_test.cc. A fresh temporary directory per test, removed
// afterwards, holding one database file.
class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "cohort-store-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = (dir_ / "cohort.db").string();
    Reopen();
    Result<AccountId> id = store_->CreateAccount({"acme", "Acme", "Europe/London"});
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    account_ = id.value();
    ApplyOk(Catalog());
  }

  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Reopen() {
    store_.reset();
    Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::Open(path_, {.busy_timeout_ms = 50});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  domain::WriteSummary ApplyOk(const domain::WriteBatch& batch) {
    Result<domain::WriteSummary> done = store_->Apply(account_, batch, kNow);
    EXPECT_TRUE(done.ok()) << done.status().ToString();
    return done.ok() ? done.value() : domain::WriteSummary{};
  }

  Status ApplyFails(const domain::WriteBatch& batch) {
    Result<domain::WriteSummary> done = store_->Apply(account_, batch, kNow);
    EXPECT_FALSE(done.ok());
    return done.status();
  }

  TableCounts CountsNow() {
    Result<TableCounts> counts = store_->Counts(account_);
    EXPECT_TRUE(counts.ok()) << counts.status().ToString();
    return counts.ok() ? counts.value() : TableCounts{};
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<SqliteStore> store_;
  AccountId account_;
};

TEST_F(SqliteStoreTest, MigrationsCreateEveryTableKeyedByAccount) {
  Result<int> version = store_->SchemaVersion();
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version.value(), store_->LatestSchemaVersion());
  auto tables = store_->DescribeTables();
  ASSERT_TRUE(tables.ok());
  std::vector<std::string> names;
  for (const auto& [name, columns] : tables.value()) {
    names.push_back(name);
    if (name == "accounts" || name == "schema_migrations") continue;
    EXPECT_NE(std::find(columns.begin(), columns.end(), "account_id"), columns.end()) << name;
  }
  EXPECT_THAT(names, ElementsAre("accounts", "api_tokens", "attempts", "awards", "certifications",
                                 "chapters", "courses", "enrollments", "exercises",
                                 "group_managers", "group_members", "groups",
                                 "schema_migrations", "sessions", "users", "xapi_documents",
                                 "xapi_statement_refs", "xapi_statements"));
}

// Writes a database file at `path` migrated only up to `version`: an account (acme), a learner
// (ann), a course (py) with a chapter (c1), then the test's own `rows` (SQL of that version).
void WriteOldDatabase(const std::string& path, int version, const char* rows) {
  Result<std::unique_ptr<Connection>> c = Connection::Open(path, {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Connection& db = *c.value();
  ASSERT_TRUE(MigrateTo(db, version).ok());
  ASSERT_TRUE(db.Exec(R"sql(
      INSERT INTO accounts VALUES (1, 'acme', 'Acme', 'UTC');
      INSERT INTO users VALUES (1, 1, 'ann', 'Ann', 'ann@x.org', 'ann@x.org', 1, 1, NULL);
      INSERT INTO courses VALUES (1, 1, 'py', 'Py', 'recent', 5, NULL, 0.1, 0.1, 0.1, 0.1, 10,
                                  3600, 0.8, NULL, 14);
      INSERT INTO chapters VALUES (1, 1, 1, 'c1', 'C1', 0, 0);
  )sql").ok());
  ASSERT_TRUE(db.Exec(rows).ok());
}

TEST_F(SqliteStoreTest, MigrationThreeMovesResponsesIntoTheirAttemptsRows) {
  const std::string old_path = (dir_ / "v2.db").string();
  ASSERT_NO_FATAL_FAILURE(WriteOldDatabase(old_path, 2, R"sql(
      INSERT INTO exercises VALUES (1, 1, 1, 1, 'e1', 'E1', 0, 0);
      INSERT INTO attempts VALUES (1, 1, 'a1', 1, 1, 1, 1000, 5000), (2, 1, 'a2', 1, 1, 1, 6000, NULL);
      INSERT INTO responses VALUES (1, 1, 0, 'q"1', 1, 0, 1200, 2200, NULL),
                                   (1, 1, 1, 'q2', 0, 2, 800, 3000, 7);
  )sql"));
  Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::Open(old_path, {});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  SqliteStore& store = *opened.value();
  EXPECT_EQ(store.SchemaVersion().value(), store.LatestSchemaVersion());
  const AccountId acme = store.FindAccount("acme").value().id;
  domain::Attempt a1{"a1", "ann", "py", "e1", Instant{1000}, Instant{5000},
                     {{"q\"1", true, 0, 1200, Instant{2200}, std::nullopt},
                      {"q2", false, 2, 800, Instant{3000}, 7}}};
  EXPECT_EQ(store.GetAttempt(acme, "a1").value(), a1);
  EXPECT_TRUE(store.GetAttempt(acme, "a2").value().responses.empty());
  EXPECT_EQ(store.Counts(acme).value().responses, 2);

  Result<std::unique_ptr<Connection>> c = Connection::Open(old_path, {});
  ASSERT_TRUE(c.ok());
  Statement view;
  ASSERT_TRUE(view.Prepare(c.value()->get(),
                           "SELECT attempt_id, idx, question, correct, hints, time_ms, "
                           "answered_at, points FROM responses ORDER BY attempt_id, idx").ok());
  Query query(view);
  std::vector<std::string> rows;
  while (query.Step().value()) {
    rows.push_back(fmt::format("{} {} {} {} {} {} {} {}", query.Int(0), query.Int(1),
                               query.Text(2), query.Int(3), query.Int(4), query.Int(5),
                               query.Int(6), query.IsNull(7) ? "-" : query.Text(7)));
  }
  EXPECT_THAT(rows, ElementsAre("1 0 q\"1 1 0 1200 2200 -", "1 1 q2 0 2 800 3000 7"));
}

// Migration 5 rebuilds the index by user with the attempt's id and exercise: the exercise
// history tests exercise_id in the index, and the rebuild's scan in (user, course, started_at,
// id) order still reads it without a sort. A database from before it reads back the same.
TEST_F(SqliteStoreTest, MigrationFiveIndexesAttemptsByExerciseWithoutASortForTheScan) {
  const std::string old_path = (dir_ / "v4.db").string();
  ASSERT_NO_FATAL_FAILURE(WriteOldDatabase(old_path, 4, R"sql(
      INSERT INTO exercises(id, account_id, course_id, chapter_id, key, title, position, removed)
        VALUES (1, 1, 1, 1, 'e1', 'E1', 0, 0), (2, 1, 1, 1, 'e2', 'E2', 1, 0);
      INSERT INTO attempts(id, account_id, client_id, user_id, course_id, exercise_id, started_at,
                           finished_at, responses)
        VALUES (1, 1, 'a1', 1, 1, 2, 1000, 5000, '[["q",1,0,1200,1200]]'),
               (2, 1, 'a2', 1, 1, 1, 6000, NULL, '[]');
  )sql"));
  Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::Open(old_path, {});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  SqliteStore& store = *opened.value();
  EXPECT_EQ(store.SchemaVersion().value(), 5);
  const AccountId acme = store.FindAccount("acme").value().id;
  Result<std::vector<domain::Attempt>> e2 = store.LoadExerciseAttempts(acme, "ann", "py", "e2");
  ASSERT_TRUE(e2.ok()) << e2.status().ToString();
  EXPECT_THAT(e2.value(), ElementsAre(domain::Attempt{"a1", "ann", "py", "e2", Instant{1000},
                                                      Instant{5000},
                                                      {{"q", true, 0, 1200, Instant{2200},
                                                        std::nullopt}}}));

  Result<std::unique_ptr<Connection>> c = Connection::Open(old_path, {});
  ASSERT_TRUE(c.ok());
  std::vector<std::string> columns;
  {
    Statement info;
    ASSERT_TRUE(info.Prepare(c.value()->get(), "PRAGMA index_info('attempts_by_account_user')").ok());
    Query query(info);
    while (query.Step().value()) columns.push_back(query.Text(2));
  }
  EXPECT_THAT(columns, ElementsAre("account_id", "user_id", "course_id", "started_at", "id",
                                   "exercise_id"));
  std::vector<std::string> plan;
  {
    Statement explain;
    ASSERT_TRUE(explain.Prepare(c.value()->get(),
                                "EXPLAIN QUERY PLAN SELECT user_id, course_id, client_id, "
                                "exercise_id, started_at, finished_at, responses FROM attempts "
                                "WHERE account_id = 1 ORDER BY user_id, course_id, started_at, id")
                    .ok());
    Query query(explain);
    while (query.Step().value()) plan.push_back(query.Text(3));
  }
  EXPECT_THAT(plan, ElementsAre(HasSubstr("USING INDEX attempts_by_account_user")));
}

TEST_F(SqliteStoreTest, LockedDatabaseIsUnavailableAndWorksAgainAfterRelease) {
  const TableCounts before = CountsNow();
  const domain::WriteBatch b = Attempts({Attempt("a1", "ann", "e1", 1000)});
  {
    Result<std::unique_ptr<WriteLockHolder>> lock = WriteLockHolder::Hold(path_);
    ASSERT_TRUE(lock.ok()) << lock.status().ToString();
    Status s = ApplyFails(b);
    EXPECT_EQ(s.code(), ErrorCode::kUnavailable);
    EXPECT_THAT(s.message(), Not(HasSubstr(path_)));
    EXPECT_THAT(s.message(), Not(HasSubstr("BEGIN")));
    EXPECT_TRUE(store_->FindAccount("acme").ok());  // reads do not wait for the writer
    EXPECT_EQ(CountsNow(), before);
  }
  EXPECT_EQ(ApplyOk(b).accepted, 1u);
}

// A token's last use is recorded with the read it comes with: when another process holds the
// write lock, the touch gives up at once instead of making the read wait out the busy timeout.
TEST_F(SqliteStoreTest, TouchingATokenNeverWaitsForAnotherProcesssWriteLock) {
  Result<std::unique_ptr<SqliteStore>> patient =
      SqliteStore::Open(path_, {.busy_timeout_ms = 3000});
  ASSERT_TRUE(patient.ok()) << patient.status().ToString();
  domain::ScopeSet read;
  read.Add(domain::Scope::kRead);
  const TokenId token =
      patient.value()->CreateToken(account_, "ci", read, "digest-touch", kNow).value();
  {
    Result<std::unique_ptr<WriteLockHolder>> lock = WriteLockHolder::Hold(path_);
    ASSERT_TRUE(lock.ok()) << lock.status().ToString();
    const auto started = std::chrono::steady_clock::now();
    Status touched = patient.value()->TouchToken(token, Instant{kNow.ms + 1});
    const auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(touched.code(), ErrorCode::kUnavailable);
    EXPECT_LT(waited, std::chrono::milliseconds(1000));  // not the 3 s busy timeout
  }
  ASSERT_TRUE(patient.value()->TouchToken(token, Instant{kNow.ms + 1}).ok());
  EXPECT_EQ(patient.value()->FindTokenByDigest("digest-touch").value().last_used_at,
            Instant{kNow.ms + 1});
}

TEST_F(SqliteStoreTest, ReadOnlyDatabaseIsUnavailableForWrites) {
  store_.reset();
  Result<std::unique_ptr<SqliteStore>> ro =
      SqliteStore::Open(fmt::format("file:{}?mode=ro", path_));
  ASSERT_TRUE(ro.ok()) << ro.status().ToString();
  Result<domain::WriteSummary> done =
      ro.value()->Apply(account_, Attempts({Attempt("a1", "ann", "e1", 1000)}), kNow);
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(ro.value()->Counts(account_).value().attempts, 0);
}

TEST_F(SqliteStoreTest, MissingDirectoryIsUnavailable) {
  Result<std::unique_ptr<Store>> s = OpenSqliteStore((dir_ / "no" / "such.db").string());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(s.status().message(), Not(HasSubstr("such.db")));
}

TEST_F(SqliteStoreTest, GroupFailsWholeWhenTheStoreCannotWrite) {
  const TableCounts before = CountsNow();
  std::vector<domain::WriteBatch> group = {Attempts({Attempt("a1", "ann", "e1", 1000)}),
                                           Attempts({Attempt("a2", "bob", "e1", 1000)})};
  {
    Result<std::unique_ptr<WriteLockHolder>> lock = WriteLockHolder::Hold(path_);
    ASSERT_TRUE(lock.ok()) << lock.status().ToString();
    auto done = ApplyGroupOf(*store_, account_, group);
    ASSERT_FALSE(done.ok());
    EXPECT_EQ(done.status().code(), ErrorCode::kUnavailable);
    EXPECT_EQ(CountsNow(), before);
  }
  auto done = ApplyGroupOf(*store_, account_, group);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done.value()[1]->accepted, 1u);
  EXPECT_EQ(CountsNow().attempts, before.attempts + 2);
}

// A disk that fills up while a group is written (here at its commit, which writes the WAL):
// nothing of any batch is stored, not even the small first one, and once there is room again
// the next group commits. The database lives on a small tmpfs (the tests run as root).
TEST_F(SqliteStoreTest, DiskFullDuringAGroupStoresNoBatchOfIt) {
  const std::filesystem::path disk = dir_ / "disk";
  std::filesystem::create_directories(disk);
  ASSERT_EQ(std::system(fmt::format("mount -t tmpfs -o size=3m cohort-store-test '{}'",
                                    disk.string()).c_str()),
            0)
      << "cannot mount a tmpfs (needs root)";
  struct Unmount {
    std::filesystem::path path;
    ~Unmount() { (void)std::system(fmt::format("umount -l '{}'", path.string()).c_str()); }
  } unmount{disk};
  store_.reset();
  path_ = (disk / "cohort.db").string();
  Reopen();
  account_ = store_->CreateAccount({"acme", "Acme", "Europe/London"}).value();
  ApplyOk(Catalog());
  const TableCounts before = CountsNow();
  // ~20,000 attempts with 6 responses: far more than 3 MiB of pages.
  std::vector<domain::Attempt> big;
  for (int i = 0; i < 20'000; ++i) {
    big.push_back(Attempt(fmt::format("big-{}", i), i % 2 ? "ann" : "bob", "e2", 1000 * i, 6));
  }
  std::vector<domain::WriteBatch> group = {Attempts({Attempt("small", "ann", "e1", 1000)}),
                                           Attempts(std::move(big))};
  auto done = ApplyGroupOf(*store_, account_, group);
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.status().code(), ErrorCode::kUnavailable) << done.status().ToString();
  EXPECT_EQ(CountsNow(), before);
  group.pop_back();
  done = ApplyGroupOf(*store_, account_, group);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done.value()[0]->accepted, 1u);
  Reopen();
  EXPECT_EQ(CountsNow().attempts, before.attempts + 1);
  store_.reset();
}

// The WAL is copied back into the database file by the store's checkpointer thread, not by the
// commit that passes 1,000 frames (store/sqlite/checkpointer.h); what was committed stays.
TEST_F(SqliteStoreTest, CheckpointsRunOnTheirOwnThreadOnceTheWalIsLarge) {
  EXPECT_EQ(store_->BackgroundCheckpoints(), 0);
  std::int64_t stored = CountsNow().attempts;
  for (int b = 0; b < 40 && store_->BackgroundCheckpoints() == 0; ++b) {
    std::vector<domain::Attempt> attempts;
    for (int i = 0; i < 2000; ++i) {
      attempts.push_back(Attempt(fmt::format("cp{}-{}", b, i), i % 2 ? "ann" : "bob", "e1",
                                 1000 * (b * 2000 + i), 6));
    }
    EXPECT_EQ(ApplyOk(Attempts(std::move(attempts))).accepted, 2000u);
    stored += 2000;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (store_->BackgroundCheckpoints() == 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(store_->BackgroundCheckpoints(), 1);
  EXPECT_EQ(CountsNow().attempts, stored);
  Reopen();
  EXPECT_EQ(CountsNow().attempts, stored);
  EXPECT_EQ(store_->IntegrityCheck().value(), std::vector<std::string>{});
}

// --- sign-in, sessions, tokens and awards (issue 4) ---

// Row ids are strong types (issue 16): a token id is taken where one is wanted, an award id or
// a bare integer does not compile.
static_assert(
    std::is_invocable_v<decltype(&Store::RevokeToken), Store&, AccountId, TokenId, Instant>);
static_assert(
    !std::is_invocable_v<decltype(&Store::RevokeToken), Store&, AccountId, AwardId, Instant>);
static_assert(
    !std::is_invocable_v<decltype(&Store::RevokeToken), Store&, AccountId, std::int64_t, Instant>);
static_assert(!std::is_invocable_v<decltype(&Store::CreateSession), Store&, AccountId, SessionId,
                                   std::string_view, std::string_view, Instant>);

}  // namespace
}  // namespace cohort::store::sqlite

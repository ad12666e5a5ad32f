#include "demo/demo.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/time.h"
#include "domain/user.h"
#include "store/store.h"

namespace cohort::demo {
namespace {

using service::Caller;
using service::Service;
using service::VerifyPassword;

const Instant kUntil = *ParseRfc3339("2026-03-01T00:00:00Z");

// A small organisation, quick to write: 60 people, 3 courses.
DemoOptions Small(std::uint64_t seed) {
  DemoOptions options;
  options.account_key = "acme";
  options.users = 60;
  options.courses = 3;
  options.seed = seed;
  options.until = kUntil;
  return options;
}

// One SQLite database in the test's directory, with a Service over it.
struct Database {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<FakeClock> clock;
  std::unique_ptr<Service> service;

  store::AccountId Account(const std::string& key) const {
    Result<store::AccountRecord> account = store->FindAccount(key);
    EXPECT_TRUE(account.ok()) << account.status().ToString();
    return account.ok() ? account->id : store::AccountId{};
  }
  store::TableCounts Counts(const std::string& key) const {
    Result<store::TableCounts> counts = store->Counts(Account(key));
    EXPECT_TRUE(counts.ok()) << counts.status().ToString();
    return counts.ok() ? counts.value() : store::TableCounts{};
  }
  domain::Attempt Attempt(const std::string& key, std::size_t n) const {
    Result<domain::Attempt> attempt = store->GetAttempt(Account(key), fmt::format("demo-{}", n));
    EXPECT_TRUE(attempt.ok()) << "demo-" << n << ": " << attempt.status().ToString();
    return attempt.ok() ? attempt.value() : domain::Attempt{};
  }
};

// A fresh temporary directory per test, removed afterwards.
class DemoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "cohort-demo-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Database Open(const std::string& name) {
    Database db;
    Result<std::unique_ptr<store::Store>> opened = store::OpenSqliteStore((dir_ / name).string());
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (!opened.ok()) return db;
    db.store = std::move(opened).value();
    db.clock = std::make_unique<FakeClock>(Instant{kUntil.ms + 3'600'000});
    db.service = std::make_unique<Service>(*db.store, *db.clock);
    return db;
  }

  static DemoResult CreateOk(Database& db, const DemoOptions& options) {
    Result<DemoResult> result = CreateDemoOrganisation(*db.service, options, nullptr);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? result.value() : DemoResult{};
  }

  std::filesystem::path dir_;
};

TEST_F(DemoTest, CreatesTheAccountWithOneWorkingSignInPerRole) {
  Database db = Open("demo.db");
  const DemoOptions options = Small(7);
  const DemoResult result = CreateOk(db, options);

  Result<store::AccountRecord> account = db.store->FindAccount("acme");
  ASSERT_TRUE(account.ok()) << account.status().ToString();
  EXPECT_EQ(account->account.name, options.account_name);
  EXPECT_EQ(account->account.timezone, options.timezone);

  ASSERT_EQ(result.sign_ins.size(), 4u);
  const std::vector<std::string> roles = {"account_manager", "executive", "group_manager",
                                          "learner"};
  for (std::size_t i = 0; i < roles.size(); ++i) {
    const DemoSignIn& s = result.sign_ins[i];
    EXPECT_EQ(s.role, roles[i]);
    EXPECT_EQ(s.email == "manager@acme.example", s.role == "account_manager");
    Result<store::UserRecord> user = db.store->FindUser(account->id, s.user);
    ASSERT_TRUE(user.ok()) << s.user << ": " << user.status().ToString();
    EXPECT_EQ(user->user.email, s.email);
    EXPECT_TRUE(user->user.active);
    EXPECT_TRUE(user->user.roles.Has(*domain::ParseRole(s.role))) << s.user;
    ASSERT_TRUE(user->password_hash.has_value()) << s.user;
    EXPECT_TRUE(VerifyPassword(*user->password_hash, s.password)) << s.user;
  }
  EXPECT_FALSE(
      VerifyPassword(*db.store->FindUser(account->id, result.sign_ins[0].user)->password_hash,
                     "not-the-password"));
}

TEST_F(DemoTest, TheLearnerSignInHasAttempts) {
  Database db = Open("demo.db");
  const DemoResult result = CreateOk(db, Small(7));
  ASSERT_EQ(result.sign_ins.size(), 4u);
  const std::string& learner = result.sign_ins[3].user;
  std::size_t theirs = 0;
  for (std::size_t n = 1; n <= result.attempts; ++n) {
    if (db.Attempt("acme", n).user == learner) ++theirs;
  }
  EXPECT_GT(theirs, 0u) << learner;
}

TEST_F(DemoTest, TheIngestTokenAuthenticatesWithReadAndIngestOnly) {
  Database db = Open("demo.db");
  const DemoResult result = CreateOk(db, Small(7));
  Result<Caller> caller = db.service->Authenticate(result.ingest_token);
  ASSERT_TRUE(caller.ok()) << caller.status().ToString();
  EXPECT_EQ(caller->account_key, "acme");
  EXPECT_TRUE(caller->scopes.Allows(domain::Scope::kRead));
  EXPECT_TRUE(caller->scopes.Allows(domain::Scope::kIngest));
  EXPECT_FALSE(caller->scopes.Allows(domain::Scope::kAdmin));
}

TEST_F(DemoTest, CountsArePlausibleAndMatchTheResult) {
  Database db = Open("demo.db");
  std::vector<std::pair<std::size_t, std::size_t>> reports;
  Result<DemoResult> result = CreateDemoOrganisation(
      *db.service, Small(7),
      [&reports](std::size_t done, std::size_t total) { reports.emplace_back(done, total); });
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const store::TableCounts c = db.Counts("acme");

  EXPECT_EQ(c.users, 60);
  EXPECT_EQ(c.courses, 3);
  EXPECT_GE(c.groups, 1);
  EXPECT_EQ(c.group_managers, c.groups);  // one manager per group
  EXPECT_GE(c.group_members, c.users);    // everyone is in one or two groups
  EXPECT_LE(c.group_members, 2 * c.users);
  EXPECT_GE(c.chapters, 3 * 3);
  EXPECT_GE(c.exercises, 3 * 3 * 3);
  EXPECT_GE(c.enrollments, c.users);
  EXPECT_GT(c.attempts, 0);
  EXPECT_GT(c.responses, c.attempts);
  EXPECT_GE(c.responses, 3 * c.attempts);  // 3-8 responses per attempt
  EXPECT_LE(c.responses, 8 * c.attempts);
  EXPECT_EQ(static_cast<std::int64_t>(result->attempts), c.attempts);
  EXPECT_EQ(static_cast<std::int64_t>(result->responses), c.responses);

  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back(), std::pair(result->attempts, result->attempts));
  for (std::size_t i = 1; i < reports.size(); ++i) {
    EXPECT_LE(reports[i - 1].first, reports[i].first);
  }
}

TEST_F(DemoTest, AttemptsAreChronologicalWellFormedAndNeverAfterUntil) {
  Database db = Open("demo.db");
  const DemoResult result = CreateOk(db, Small(7));
  ASSERT_GT(result.attempts, 0u);
  const Instant earliest{kUntil.ms - 121 * kMsPerDay};
  Instant previous{0};
  for (std::size_t n = 1; n <= result.attempts; ++n) {
    const domain::Attempt a = db.Attempt("acme", n);
    SCOPED_TRACE(a.id);
    EXPECT_GE(a.started_at, previous);
    previous = a.started_at;
    EXPECT_GE(a.started_at, earliest);
    if (a.finished_at) {
      EXPECT_LE(*a.finished_at, kUntil);
      EXPECT_GE(*a.finished_at, a.started_at);
    }
    EXPECT_GE(a.responses.size(), 3u);
    EXPECT_LE(a.responses.size(), 8u);
    for (std::size_t i = 0; i < a.responses.size(); ++i) {
      const domain::Response& r = a.responses[i];
      EXPECT_EQ(r.question, fmt::format("q{}", i + 1));
      EXPECT_GE(r.time_ms, 5'000);
      EXPECT_LE(r.time_ms, 120'000);
      EXPECT_GE(r.hints, 0);
      EXPECT_LE(r.answered_at, kUntil);
    }
  }
  Result<domain::Attempt> past_the_end =
      db.store->GetAttempt(db.Account("acme"), fmt::format("demo-{}", result.attempts + 1));
  EXPECT_EQ(past_the_end.status().code(), ErrorCode::kNotFound);
}

TEST_F(DemoTest, TheSameSeedGivesIdenticalData) {
  Database a = Open("a.db");
  Database b = Open("b.db");
  const DemoResult ra = CreateOk(a, Small(7));
  const DemoResult rb = CreateOk(b, Small(7));

  EXPECT_EQ(a.Counts("acme"), b.Counts("acme"));
  ASSERT_EQ(ra.attempts, rb.attempts);
  ASSERT_GT(ra.attempts, 3u);
  for (std::size_t n : {std::size_t{1}, ra.attempts / 3, ra.attempts / 2, ra.attempts}) {
    EXPECT_EQ(a.Attempt("acme", n), b.Attempt("acme", n)) << "demo-" << n;
  }
  ASSERT_EQ(ra.sign_ins.size(), rb.sign_ins.size());
  for (std::size_t i = 0; i < ra.sign_ins.size(); ++i) {
    EXPECT_EQ(ra.sign_ins[i].user, rb.sign_ins[i].user);
    EXPECT_EQ(ra.sign_ins[i].email, rb.sign_ins[i].email);
    EXPECT_EQ(ra.sign_ins[i].password, rb.sign_ins[i].password);
  }
  for (int i = 1; i <= 60; ++i) {
    const std::string key = fmt::format("u{:04}", i);
    Result<store::UserRecord> ua = a.store->FindUser(a.Account("acme"), key);
    Result<store::UserRecord> ub = b.store->FindUser(b.Account("acme"), key);
    ASSERT_TRUE(ua.ok() && ub.ok()) << key;
    EXPECT_EQ(ua->user.name, ub->user.name) << key;
    EXPECT_EQ(ua->user.email, ub->user.email) << key;
    EXPECT_EQ(ua->user.roles, ub->user.roles) << key;
    EXPECT_EQ(ua->user.groups, ub->user.groups) << key;
    EXPECT_EQ(ua->user.active, ub->user.active) << key;
  }
}

TEST_F(DemoTest, ADifferentSeedGivesDifferentData) {
  Database a = Open("a.db");
  Database b = Open("b.db");
  const DemoResult ra = CreateOk(a, Small(7));
  const DemoResult rb = CreateOk(b, Small(8));
  ASSERT_GT(ra.attempts, 0u);
  ASSERT_GT(rb.attempts, 0u);
  bool differs =
      !(a.Counts("acme") == b.Counts("acme")) || !(a.Attempt("acme", 1) == b.Attempt("acme", 1));
  for (int i = 3; i <= 60 && !differs; ++i) {
    const std::string key = fmt::format("u{:04}", i);
    differs = a.store->FindUser(a.Account("acme"), key)->user.name !=
              b.store->FindUser(b.Account("acme"), key)->user.name;
  }
  EXPECT_TRUE(differs);
}

TEST_F(DemoTest, ASecondRunOnTheSameDatabaseConflictsAndChangesNothing) {
  Database db = Open("demo.db");
  CreateOk(db, Small(7));
  const store::TableCounts before = db.Counts("acme");

  for (std::uint64_t seed : {std::uint64_t{7}, std::uint64_t{8}}) {
    Result<DemoResult> again = CreateDemoOrganisation(*db.service, Small(seed), nullptr);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.status().code(), ErrorCode::kConflict) << again.status().ToString();
  }
  EXPECT_EQ(db.Counts("acme"), before);
}

TEST_F(DemoTest, RefusesTooFewPeopleForTheSignInsAndCreatesNothing) {
  Database db = Open("demo.db");
  DemoOptions options = Small(7);
  options.users = 3;
  Result<DemoResult> result = CreateDemoOrganisation(*db.service, options, nullptr);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kInvalid);
  EXPECT_EQ(db.store->FindAccount("acme").status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace cohort::demo

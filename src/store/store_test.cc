// The store conformance suite (STYLE.md §8): every test runs against each backend — a SQLite
// file and a PostgreSQL database of its own on the suite's server (CTest fixture `postgres`).
// What is SQLite by nature is in sqlite_store_test.cc, PostgreSQL's own in
// postgres_store_test.cc.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "store/response_codec.h"
#include "store/store.h"
#include "store/store_test_data.h"
#include "store/testing/pg_test_database.h"

namespace cohort::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace test_data;  // NOLINT: the tests' vocabulary

// A fresh database per test: a file in a temporary directory, or a database of its own.
class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      Result<std::string> uri = CreateTestDatabase();
      ASSERT_TRUE(uri.ok()) << uri.status().ToString();
      where_ = uri.value();
    } else {
      std::string pattern =
          (std::filesystem::temp_directory_path() / "cohort-store-XXXXXX").string();
      ASSERT_NE(mkdtemp(pattern.data()), nullptr);
      dir_ = pattern;
      where_ = (dir_ / "cohort.db").string();
    }
    Reopen();
    Result<AccountId> id = store_->CreateAccount({"acme", "Acme", "Europe/London"});
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    account_ = id.value();
    ApplyOk(Catalog());
  }

  void TearDown() override {
    store_.reset();
    if (GetParam() == "postgres") {
      if (!where_.empty()) DropTestDatabase(where_);
    } else {
      std::filesystem::remove_all(dir_);
    }
  }

  void Reopen() {
    store_.reset();
    Result<std::unique_ptr<Store>> opened = OpenStore(where_);
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

  // The course as the catalog holds it; kNotFound when absent.
  Result<domain::Course> FindCourse(std::string_view key) {
    Result<domain::WriteBatch> catalog = store_->LoadCatalog(account_);
    if (!catalog.ok()) return catalog.status();
    for (const domain::Course& c : catalog->courses.items) {
      if (c.key == key) return c;
    }
    return Status::NotFound("no such course");
  }

  // When `user` was enrolled in `course`; kNotFound when not enrolled.
  Result<Instant> EnrolledAt(std::string_view user, std::string_view course) {
    Result<std::vector<EnrollmentRecord>> all = store_->ListEnrollments(account_);
    if (!all.ok()) return all.status();
    for (const EnrollmentRecord& e : all.value()) {
      if (e.user == user && e.course == course) return e.enrolled_at;
    }
    return Status::NotFound("not enrolled");
  }

  std::filesystem::path dir_;
  std::string where_;  // the file or the URI
  std::unique_ptr<Store> store_;
  AccountId account_;
};

TEST(ResponseCodecTest, EncodesEachResponseInOneArrayAndDecodesItBack) {
  domain::Attempt a;
  a.started_at = Instant{1'000'000};
  a.responses = {{"q1", true, 0, 1200, Instant{1'001'200}, std::nullopt},
                 {"say \"hi\"\\ \n\x01 é 🙂", false, 3, 800, Instant{999'000}, 7}};
  std::string text;
  EncodeResponses(a, text);
  EXPECT_EQ(text, "[[\"q1\",1,0,1200,1200],"
                  "[\"say \\\"hi\\\"\\\\ \\u000a\\u0001 é 🙂\",0,3,800,-1000,7]]");
  std::vector<domain::Response> back;
  ASSERT_TRUE(DecodeResponses(text, a.started_at, back).ok());
  EXPECT_EQ(back, a.responses);

  a.responses.clear();
  EncodeResponses(a, text);
  EXPECT_EQ(text, "[]");
  back.push_back({});
  ASSERT_TRUE(DecodeResponses(text, a.started_at, back).ok());
  EXPECT_TRUE(back.empty());
}

TEST(ResponseCodecTest, DecodesWhatSqliteWritesAndRejectsAnythingElse) {
  std::vector<domain::Response> back;
  // json_array: a null for points, \u escapes, \n and a surrogate pair.
  ASSERT_TRUE(DecodeResponses(R"([["a\n\u00e9\ud83d\ude42",1,2,3,4,null]])", Instant{10}, back).ok());
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0], (domain::Response{"a\né🙂", true, 2, 3, Instant{14}, std::nullopt}));
  for (const char* bad : {"", "[", "[[]]", R"([["q",1,0,0]])", R"([["q",1,0,0,0,"x"]])",
                          R"([["q",1,0,0,0]]x)", R"([["q,1,0,0,0]])", R"([["q\x",1,0,0,0]])",
                          R"([["q",1,0,0,0],])"}) {
    EXPECT_EQ(DecodeResponses(bad, Instant{0}, back).code(), ErrorCode::kInternal) << bad;
  }
}

// Whatever the encoder writes decodes back to the same responses: plain keys and integers (read
// by the fast path), escapes and 19-digit numbers (read by the general one), into a vector that
// already holds other responses (overwritten in place).
TEST(ResponseCodecTest, RandomResponsesRoundTripWhicheverPathReadsThem) {
  std::mt19937_64 rng(7);
  const std::vector<std::string> questions = {"q1", "", "a much longer question key than sixteen",
                                              "quote\"d", "back\\slash", "tab\t", "é🙂"};
  const std::vector<std::int64_t> numbers = {0, 1, 7, -1, 123456789012345678,
                                             std::numeric_limits<std::int64_t>::max(),
                                             std::numeric_limits<std::int64_t>::min()};
  std::vector<domain::Response> back;
  for (int round = 0; round < 2000; ++round) {
    domain::Attempt a;
    a.started_at = Instant{static_cast<std::int64_t>(rng() % 2'000'000'000'000)};
    const std::size_t count = rng() % 7;
    for (std::size_t i = 0; i < count; ++i) {
      domain::Response r;
      r.question = questions[rng() % questions.size()];
      r.correct = rng() % 2 == 0;
      r.hints = rng() % 4 == 0 ? numbers[rng() % numbers.size()] : static_cast<std::int64_t>(rng() % 5);
      r.time_ms = static_cast<std::int64_t>(rng() % 100'000);
      r.answered_at = Instant{a.started_at.ms + static_cast<std::int64_t>(rng() % 200'000) - 50'000};
      if (rng() % 3 == 0) r.points = numbers[rng() % numbers.size()];
      a.responses.push_back(r);
    }
    std::string text;
    EncodeResponses(a, text);
    ASSERT_TRUE(DecodeResponses(text, a.started_at, back).ok()) << text;
    ASSERT_EQ(back, a.responses) << text;
  }
}

// A database written before migration 3 (one row per response) reads back the same after it,
// and the `responses` view shows the old table's rows.
TEST_P(StoreTest, ReopeningAMigratedDatabaseKeepsItsVersionAndData) {
  const TableCounts before = CountsNow();
  Reopen();
  EXPECT_EQ(store_->SchemaVersion().value(), store_->LatestSchemaVersion());
  EXPECT_EQ(CountsNow(), before);
  EXPECT_TRUE(store_->FindAccount("acme").ok());
}

TEST_P(StoreTest, AccountsAreCreatedOnceAndFoundByKey) {
  Result<AccountId> again = store_->CreateAccount({"acme", "Other", "UTC"});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kConflict);
  EXPECT_THAT(again.status().message(), HasSubstr("'acme'"));

  Result<AccountRecord> found = store_->FindAccount("acme");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, account_);
  EXPECT_EQ(found->account, (domain::Account{"acme", "Acme", "Europe/London"}));
  EXPECT_EQ(store_->FindAccount("nope").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListAccounts().value().size(), 1u);
}

TEST_P(StoreTest, TokensAreFoundByBinaryDigest) {
  const std::string digest("\x00\xff\x10 digest", 10);
  domain::ScopeSet scopes;
  scopes.Add(domain::Scope::kRead);
  Result<TokenId> id = store_->CreateToken(account_, "ci", scopes, digest, kNow);
  ASSERT_TRUE(id.ok());
  Result<TokenRecord> token = store_->FindTokenByDigest(digest);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->id, id.value());
  EXPECT_EQ(token->account, account_);
  EXPECT_EQ(token->scopes, scopes);
  EXPECT_EQ(token->created_at, kNow);
  EXPECT_FALSE(token->revoked_at);
  EXPECT_EQ(store_->FindTokenByDigest(std::string("\x00\xff", 2)).status().code(),
            ErrorCode::kNotFound);
}

TEST_P(StoreTest, CourseWithEverySettingRoundTrips) {
  domain::Course course = Course("c2", {{"a", {"x", "y"}}});
  course.chapters[0].exercises[1].xapi_id = "https://authoring.example/quiz/7";
  course.settings = {
      domain::MasteryModel::kBkt, 7, 0.9, 0.3, 0.15, 0.25, 0.05, 20, 600, 0.7, 30, 21};
  domain::WriteBatch b;
  b.courses.items = {course};
  ApplyOk(b);
  Result<domain::Course> stored = FindCourse("c2");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored.value(), course);
  EXPECT_EQ(FindCourse("c1").value(), Catalog().courses.items[0]);
  EXPECT_EQ(FindCourse("zz").status().code(), ErrorCode::kNotFound);
}

TEST_P(StoreTest, ReputCourseMovesRemovesAndReaddsExercisesKeepingResponses) {
  ApplyOk(Attempts({Attempt("a1", "ann", "e3", 1000)}));
  domain::WriteBatch moved;  // e1 moves to ch2; e3 is no longer listed
  moved.courses.items = {Course("c1", {{"ch1", {"e2"}}, {"ch2", {"e1"}}})};
  ApplyOk(moved);
  EXPECT_EQ(FindCourse("c1").value(), moved.courses.items[0]);
  EXPECT_THAT(ApplyFails(Attempts({Attempt("x1", "ann", "e3", 1000)})).message(),
              HasSubstr("was removed"));
  EXPECT_EQ(CountsNow().exercises, 3);
  EXPECT_TRUE(store_->GetAttempt(account_, "a1").ok());  // kept, though no longer counted

  domain::WriteBatch readded;
  readded.courses.items = {Course("c1", {{"ch2", {"e3", "e1"}}, {"ch1", {"e2"}}})};
  ApplyOk(readded);
  EXPECT_EQ(FindCourse("c1").value(), readded.courses.items[0]);
  EXPECT_EQ(ApplyOk(Attempts({Attempt("x1", "ann", "e3", 1000)})).accepted, 1u);
  EXPECT_EQ(CountsNow().exercises, 3);
}

TEST_P(StoreTest, AttemptForRemovedExerciseIsInvalid) {
  domain::WriteBatch b;
  b.courses.items = {Course("c1", {{"ch1", {"e1"}}})};
  ApplyOk(b);
  Status s = ApplyFails(Attempts({Attempt("a1", "ann", "e2", 1000)}));
  EXPECT_EQ(s.code(), ErrorCode::kInvalid);
  EXPECT_THAT(s.details(), ElementsAre(ErrorDetail{0, "/0/exercise",
                                                   "exercise 'e2' was removed from course 'c1'"}));
}

TEST_P(StoreTest, UserUpsertReplacesFieldsAndGroupsAndKeepsThePasswordHash) {
  domain::WriteBatch first;
  first.users.items = {User("cy", "cy@example.com", {"g1"})};
  first.users.items[0].password_hash = "$argon2id$hash";
  ApplyOk(first);

  domain::WriteBatch second;
  second.users.items = {User("cy", "CY@Example.org", {"g2"})};
  second.users.items[0].user.active = false;
  second.users.items[0].user.roles.Add(domain::Role::kExecutive);
  ApplyOk(second);

  Result<UserRecord> cy = store_->FindUser(account_, "cy");
  ASSERT_TRUE(cy.ok());
  EXPECT_EQ(cy->user.email, "CY@Example.org");
  EXPECT_EQ(cy->user.roles, second.users.items[0].user.roles);
  EXPECT_FALSE(cy->user.active);
  EXPECT_THAT(cy->user.groups, ElementsAre("g2"));
  EXPECT_EQ(cy->password_hash, "$argon2id$hash");
  EXPECT_FALSE(cy->user.password);
  EXPECT_EQ(store_->FindUser(account_, "zed").status().code(), ErrorCode::kNotFound);
}

TEST_P(StoreTest, EmailOfAnotherUserInOtherCaseIsAConflictAndNothingApplies) {
  const TableCounts before = CountsNow();
  domain::WriteBatch b;
  b.users.origin = {"/users", true};
  b.users.items = {User("cy", "cy@example.com"), User("dan", "ANN@example.COM")};
  Status s = ApplyFails(b);
  EXPECT_EQ(s.code(), ErrorCode::kConflict);
  ASSERT_EQ(s.details().size(), 1u);
  EXPECT_EQ(s.details()[0].index, 1u);
  EXPECT_EQ(s.details()[0].pointer, "/users/1/email");
  EXPECT_EQ(CountsNow(), before);
  EXPECT_EQ(store_->FindUser(account_, "cy").status().code(), ErrorCode::kNotFound);
}

TEST_P(StoreTest, UnknownGroupOfAUserIsInvalid) {
  domain::WriteBatch b;
  b.users.origin = {"", false};  // a single PUT body
  b.users.items = {User("cy", "cy@example.com", {"g1", "nope"})};
  Status s = ApplyFails(b);
  EXPECT_EQ(s.code(), ErrorCode::kInvalid);
  EXPECT_THAT(s.details(),
              ElementsAre(ErrorDetail{std::nullopt, "/groups/1", "group 'nope' is unknown"}));
  EXPECT_EQ(store_->FindUser(account_, "cy").status().code(), ErrorCode::kNotFound);
}

TEST_P(StoreTest, GroupManagersAreReplacedAndMustBeKnownUsers) {
  domain::WriteBatch b;
  b.groups.items = {{"g1", "Group 1", {"ann", "bob"}}};
  ApplyOk(b);
  b.groups.items = {{"g1", "Group 1", {"bob"}}};
  ApplyOk(b);
  EXPECT_EQ(CountsNow().group_managers, 1);

  b.groups.origin = {"/groups", true};
  b.groups.items = {{"g2", "Renamed", {}}, {"g1", "Group 1", {"ann", "ghost"}}};
  Status s = ApplyFails(b);
  EXPECT_EQ(s.code(), ErrorCode::kInvalid);
  EXPECT_THAT(s.details(),
              ElementsAre(ErrorDetail{1, "/groups/1/managers/1", "user 'ghost' is unknown"}));
  EXPECT_EQ(CountsNow().group_managers, 1);
}

TEST_P(StoreTest, StoredAttemptReadsBackEqual) {
  domain::Attempt open = Attempt("a2", "bob", "e2", 5000, 0);
  open.finished_at.reset();
  const domain::WriteSummary done = ApplyOk(Attempts({Attempt("a1", "ann", "e1", 1000), open}));
  EXPECT_EQ(Counted(done), (Tally{2, 0, 3, 2}));
  EXPECT_THAT(done.new_attempts, ElementsAre(0, 1));
  EXPECT_EQ(store_->GetAttempt(account_, "a1").value(), Attempt("a1", "ann", "e1", 1000));
  EXPECT_EQ(store_->GetAttempt(account_, "a2").value(), open);
  EXPECT_EQ(store_->GetAttempt(account_, "a3").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(CountsNow().responses, 3);
}

// The exercise history's read: one user's attempts at one exercise, in start order, and no
// other's: not another exercise's, another user's, or the same exercise key in another course.
TEST_P(StoreTest, OneExercisesAttemptsOfAUserAreReadAloneInStartOrder) {
  domain::WriteBatch second;
  second.courses.items = {Course("c2", {{"ch1", {"e1"}}})};
  ApplyOk(second);
  domain::Attempt elsewhere = Attempt("c2a", "ann", "e1", 500);
  elsewhere.course = "c2";
  domain::Attempt tie = Attempt("a4", "ann", "e1", 9000, 0);
  ApplyOk(Attempts({Attempt("a3", "ann", "e1", 9000), Attempt("a1", "ann", "e1", 1000),
                    Attempt("a2", "ann", "e2", 5000), Attempt("b1", "bob", "e1", 2000),
                    elsewhere, tie}));
  Result<std::vector<domain::Attempt>> mine =
      store_->LoadExerciseAttempts(account_, "ann", "c1", "e1");
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  EXPECT_THAT(mine.value(), ElementsAre(Attempt("a1", "ann", "e1", 1000),
                                        Attempt("a3", "ann", "e1", 9000), tie));
  Result<std::vector<domain::Attempt>> whole = store_->LoadAttempts(account_, "ann", "c1");
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  std::vector<domain::Attempt> filtered;
  for (const domain::Attempt& a : whole.value()) {
    if (a.exercise == "e1") filtered.push_back(a);
  }
  EXPECT_EQ(mine.value(), filtered);
  EXPECT_THAT(store_->LoadExerciseAttempts(account_, "ann", "c2", "e1").value(),
              ElementsAre(elsewhere));
  for (auto [user, course, exercise] : {std::tuple{"ann", "c1", "e3"}, {"ann", "c1", "nope"},
                                        {"zed", "c1", "e1"}, {"ann", "c9", "e1"}}) {
    Result<std::vector<domain::Attempt>> none =
        store_->LoadExerciseAttempts(account_, user, course, exercise);
    ASSERT_TRUE(none.ok()) << none.status().ToString();
    EXPECT_TRUE(none->empty()) << user << " " << course << " " << exercise;
  }
}

TEST_P(StoreTest, IdenticalRepostCountsDuplicatesAndStoresNothing) {
  const domain::WriteBatch b = Attempts({Attempt("a1", "ann", "e1", 1000)});
  ApplyOk(b);
  const TableCounts before = CountsNow();
  EXPECT_EQ(Counted(ApplyOk(b)), (Tally{0, 1, 0, 0}));
  EXPECT_EQ(CountsNow(), before);
}

TEST_P(StoreTest, RepostWithOtherContentIsAConflictNamingTheId) {
  ApplyOk(Attempts({Attempt("a1", "ann", "e1", 1000)}));
  const TableCounts before = CountsNow();
  domain::Attempt changed = Attempt("a1", "ann", "e1", 1000);
  changed.responses[2].hints = 5;
  Status s = ApplyFails(Attempts({Attempt("a9", "bob", "e1", 1000), changed}, "/attempts"));
  EXPECT_EQ(s.code(), ErrorCode::kConflict);
  EXPECT_THAT(s.details(),
              ElementsAre(ErrorDetail{1, "/attempts/1/id",
                                      "attempt 'a1' was already stored with different content"}));
  EXPECT_EQ(CountsNow(), before);
}

TEST_P(StoreTest, SameIdTwiceInOneBatchIsADuplicateWhenIdentical) {
  const domain::Attempt a = Attempt("a1", "ann", "e1", 1000);
  const domain::WriteSummary done = ApplyOk(Attempts({a, a}));
  EXPECT_EQ(Counted(done), (Tally{1, 1, 3, 1}));
  EXPECT_THAT(done.new_attempts, ElementsAre(0));
}

TEST_P(StoreTest, SameIdTwiceInOneBatchIsAConflictWhenDifferent) {
  domain::Attempt other = Attempt("a1", "bob", "e1", 1000);
  Status s = ApplyFails(Attempts({Attempt("a1", "ann", "e1", 1000), other}));
  EXPECT_EQ(s.code(), ErrorCode::kConflict);
  ASSERT_EQ(s.details().size(), 1u);
  EXPECT_EQ(s.details()[0].pointer, "/1/id");
  EXPECT_EQ(CountsNow().attempts, 0);
}

TEST_P(StoreTest, LargeBatchStoresEveryAttemptOnceAcrossChunks) {
  const std::vector<domain::Attempt> attempts = LargeBatch();
  ASSERT_EQ(attempts[5].id, "a3");
  ASSERT_EQ(attempts[69].id, "a40");
  const domain::WriteSummary done = ApplyOk(Attempts(attempts));
  EXPECT_EQ(done.accepted, 68u);
  EXPECT_EQ(done.duplicates, 2u);
  ASSERT_EQ(done.new_attempts.size(), 68u);
  EXPECT_EQ(done.new_attempts[5], 6u);  // item 5 repeats a3: not new
  EXPECT_TRUE(std::is_sorted(done.new_attempts.begin(), done.new_attempts.end()));
  EXPECT_EQ(done.new_attempts.back(), 68u);  // item 69 repeats a40
  std::size_t responses = 0;
  for (int i = 0; i < 68; ++i) responses += static_cast<std::size_t>(i % 7);
  EXPECT_EQ(done.responses, responses);
  EXPECT_EQ(CountsNow().responses, static_cast<std::int64_t>(responses));
  for (const domain::Attempt& a : attempts)
    EXPECT_EQ(store_->GetAttempt(account_, a.id).value(), a);
  EXPECT_EQ(Counted(ApplyOk(Attempts(attempts))), (Tally{0, 70, 0, 0}));
}

TEST_P(StoreTest, LargeBatchWithAChangedRepeatInsideAChunkIsAConflict) {
  std::vector<domain::Attempt> attempts = LargeBatch();
  attempts[5].started_at.ms += 1;
  Status s = ApplyFails(Attempts(attempts));
  EXPECT_EQ(s.code(), ErrorCode::kConflict);
  EXPECT_THAT(s.details(),
              ElementsAre(ErrorDetail{5, "/5/id",
                                      "attempt 'a3' was already stored with different content"}));
  EXPECT_EQ(CountsNow().attempts, 0);
}

TEST_P(StoreTest, UnknownKeysOfAttemptsAreInvalidWithIndexAndPointerAndNothingApplies) {
  const TableCounts before = CountsNow();
  domain::Attempt bad_course = Attempt("a3", "ann", "e1", 1000);
  bad_course.course = "c9";
  Status s =
      ApplyFails(Attempts({Attempt("a1", "ann", "e1", 1000), Attempt("a2", "zoe", "e1", 1000),
                           bad_course, Attempt("a4", "bob", "e7", 1000)},
                          "/attempts"));
  EXPECT_EQ(s.code(), ErrorCode::kInvalid);
  EXPECT_THAT(s.details(),
              ElementsAre(ErrorDetail{1, "/attempts/1/user", "user 'zoe' is unknown"},
                          ErrorDetail{2, "/attempts/2/course", "course 'c9' is unknown"},
                          ErrorDetail{3, "/attempts/3/exercise",
                                      "exercise 'e7' is unknown in course 'c1'"}));
  EXPECT_EQ(CountsNow(), before);
}

TEST_P(StoreTest, DetailsStopAtOneHundred) {
  std::vector<domain::Attempt> attempts;
  for (int i = 0; i < 150; ++i) attempts.push_back(Attempt(std::to_string(i), "zoe", "e1", 1));
  Status s = ApplyFails(Attempts(attempts));
  EXPECT_EQ(s.code(), ErrorCode::kInvalid);
  EXPECT_EQ(s.details().size(), 100u);
}

TEST_P(StoreTest, AttemptEnrollmentIsAtTheEarliestStartedAtWhateverTheArrivalOrder) {
  EXPECT_EQ(ApplyOk(Attempts({Attempt("a1", "ann", "e1", 50'000)})).enrolled, 1u);
  EXPECT_EQ(EnrolledAt("ann", "c1").value(), Instant{50'000});
  EXPECT_EQ(
      ApplyOk(Attempts({Attempt("a2", "ann", "e2", 90'000), Attempt("a3", "ann", "e3", 20'000),
                        Attempt("a4", "ann", "e1", 30'000)}))
          .enrolled,
      0u);
  EXPECT_EQ(EnrolledAt("ann", "c1").value(), Instant{20'000});
  EXPECT_EQ(CountsNow().enrollments, 1);
}

TEST_P(StoreTest, ReenrollmentByAttemptTakesTheEarliestOfAllAttempts) {
  ApplyOk(Attempts({Attempt("a1", "ann", "e1", 10'000), Attempt("a2", "ann", "e1", 50'000)}));
  domain::WriteBatch removal;
  removal.enrollment_removals.items = {{"ann", "c1", std::nullopt}};
  ApplyOk(removal);
  EXPECT_EQ(ApplyOk(Attempts({Attempt("a3", "ann", "e2", 30'000)})).enrolled, 1u);
  EXPECT_EQ(EnrolledAt("ann", "c1").value(), Instant{10'000});
}

TEST_P(StoreTest, PutEnrollmentKeepsItsDateAgainstEarlierAttempts) {
  domain::WriteBatch b;
  b.enrollments.items = {{"ann", "c1", Instant{70'000}}, {"bob", "c1", std::nullopt}};
  EXPECT_EQ(ApplyOk(b).enrolled, 2u);
  EXPECT_EQ(EnrolledAt("bob", "c1").value(), kNow);
  EXPECT_EQ(ApplyOk(Attempts({Attempt("a1", "ann", "e1", 10'000)})).enrolled, 0u);
  EXPECT_EQ(EnrolledAt("ann", "c1").value(), Instant{70'000});
}

TEST_P(StoreTest, EnrollmentRemovalDeletesTheRowAndNeedsKnownKeys) {
  domain::WriteBatch b;
  b.enrollments.items = {{"ann", "c1", Instant{70'000}}};
  ApplyOk(b);
  domain::WriteBatch removal;
  removal.enrollment_removals.origin = {"", false};
  removal.enrollment_removals.items = {{"ann", "c1", std::nullopt}};
  ApplyOk(removal);
  EXPECT_EQ(EnrolledAt("ann", "c1").status().code(), ErrorCode::kNotFound);
  removal.enrollment_removals.items = {{"ann", "c9", std::nullopt}};
  EXPECT_THAT(ApplyFails(removal).details(),
              ElementsAre(ErrorDetail{std::nullopt, "/course", "course 'c9' is unknown"}));
}

TEST_P(StoreTest, ImportedCertificationsAreStoredOnceAndLoadedWithTheCatalog) {
  domain::WriteBatch b;
  b.certifications.origin = {"/certifications", true};
  b.certifications.items = {{"ann", "c1", Instant{5'000}, std::nullopt},
                            {"bob", "c1", Instant{6'000}, Instant{9'000}}};
  ApplyOk(b);
  ApplyOk(b);  // identical again: nothing new
  Result<domain::WriteBatch> catalog = store_->LoadCatalog(account_);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  EXPECT_EQ(catalog->certifications.items, b.certifications.items);

  domain::WriteBatch changed = b;
  changed.certifications.items = {{"bob", "c1", Instant{6'000}, Instant{8'000}}};
  const Status conflict = ApplyFails(changed);
  EXPECT_EQ(conflict.code(), ErrorCode::kConflict);
  EXPECT_THAT(conflict.details(),
              ElementsAre(ErrorDetail{0, "/certifications/0/expires_at",
                                      "a certification of 'bob' in 'c1' issued at that time was "
                                      "already imported with another expiry"}));
  domain::WriteBatch unknown = b;
  unknown.certifications.items = {{"zed", "c1", Instant{6'000}, std::nullopt},
                                  {"ann", "c9", Instant{6'000}, std::nullopt}};
  EXPECT_THAT(ApplyFails(unknown).details(),
              ElementsAre(ErrorDetail{0, "/certifications/0/user", "user 'zed' is unknown"},
                          ErrorDetail{1, "/certifications/1/course", "course 'c9' is unknown"}));
  EXPECT_EQ(store_->LoadCatalog(account_)->certifications.items.size(), 2u);

  domain::WriteBatch erase;
  erase.user_removals = {{"ann", true}};
  ApplyOk(erase);
  ASSERT_EQ(store_->LoadCatalog(account_)->certifications.items.size(), 1u);
  EXPECT_EQ(store_->LoadCatalog(account_)->certifications.items[0].user, "bob");
}

TEST_P(StoreTest, EraseRemovesEveryRowOfTheUserAndKeepsOthers) {
  domain::WriteBatch managers;
  managers.groups.items = {{"g1", "Group 1", {"ann", "bob"}}};
  managers.users.items = {User("bob", "bob@example.com", {"g1"})};
  ApplyOk(managers);
  ApplyOk(Attempts({Attempt("a1", "ann", "e1", 1000), Attempt("a2", "ann", "e2", 2000),
                    Attempt("b1", "bob", "e1", 1000)}));
  domain::WriteBatch erase;
  erase.user_removals = {{"ann", true}};
  ApplyOk(erase);

  EXPECT_EQ(CountsNow(), (TableCounts{.users = 1,
                                      .groups = 2,
                                      .group_members = 1,
                                      .group_managers = 1,
                                      .courses = 1,
                                      .chapters = 2,
                                      .exercises = 3,
                                      .enrollments = 1,
                                      .attempts = 1,
                                      .responses = 3}));
  EXPECT_EQ(store_->FindUser(account_, "ann").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetAttempt(account_, "a1").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetAttempt(account_, "b1").value(), Attempt("b1", "bob", "e1", 1000));
}

TEST_P(StoreTest, DeactivateKeepsTheUserAndTheirAttempts) {
  ApplyOk(Attempts({Attempt("a1", "ann", "e1", 1000)}));
  const TableCounts before = CountsNow();
  domain::WriteBatch b;
  b.user_removals = {{"ann", false}};
  ApplyOk(b);
  EXPECT_FALSE(store_->FindUser(account_, "ann").value().user.active);
  EXPECT_EQ(CountsNow(), before);
  EXPECT_EQ(ApplyOk(Attempts({Attempt("a2", "ann", "e1", 2000)})).accepted, 1u);
}

TEST_P(StoreTest, ReadsDuringWritesSeeWholeBatchesOnly) {
  std::atomic<bool> done = false;
  std::thread writer([&] {
    for (int b = 0; b < 30; ++b) {
      std::vector<domain::Attempt> batch;
      for (int i = 0; i < 10; ++i) {
        batch.push_back(Attempt(fmt::format("{}-{}", b, i), "ann", "e1", 1000 * i));
      }
      ApplyOk(Attempts(batch));
    }
    done = true;
  });
  int reads = 0;
  while (!done || reads == 0) {
    const TableCounts c = CountsNow();
    EXPECT_EQ(c.attempts % 10, 0);
    EXPECT_EQ(c.responses, c.attempts * 3);
    ++reads;
  }
  writer.join();
  EXPECT_EQ(CountsNow().attempts, 300);
}


TEST_P(StoreTest, GroupRollsBackABadBatchAloneAndLaterBatchesSeeTheEarlierOnes) {
  const TableCounts before = CountsNow();
  const domain::Attempt a1 = Attempt("a1", "ann", "e1", 1000);
  domain::Attempt a1_changed = a1;
  a1_changed.responses[0].correct = !a1_changed.responses[0].correct;
  std::vector<domain::WriteBatch> group(6);
  group[0] = Attempts({a1});
  // Refused: its new user and its good attempt go with it.
  group[1] = Attempts({Attempt("a2", "dan", "e1", 2000), Attempt("a3", "zoe", "e1", 2000)},
                      "/attempts");
  group[1].users.items = {User("dan", "dan@example.com")};
  // a1 again, identical: a duplicate of the first batch, though not committed yet.
  group[2] = Attempts({Attempt("a4", "bob", "e2", 3000), a1});
  group[3] = Attempts({a1_changed}, "/attempts");  // a1 with other content: a conflict
  group[4] = Attempts({Attempt("a5", "dan", "e1", 4000)}, "/attempts");  // dan was rolled back
  group[5].users.items = {User("cy", "cy@example.com")};
  group[5].attempts.items = {Attempt("a6", "cy", "e3", 5000)};

  auto done = ApplyGroupOf(*store_, account_, group);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  const auto& answers = done.value();
  ASSERT_EQ(answers.size(), 6u);
  ASSERT_TRUE(answers[0].ok()) << answers[0].status().ToString();
  EXPECT_EQ(Counted(answers[0].value()), (Tally{1, 0, 3, 1}));
  EXPECT_EQ(answers[1].status().code(), ErrorCode::kInvalid);
  EXPECT_THAT(answers[1].status().details(),
              ElementsAre(ErrorDetail{1, "/attempts/1/user", "user 'zoe' is unknown"}));
  ASSERT_TRUE(answers[2].ok()) << answers[2].status().ToString();
  EXPECT_EQ(Counted(answers[2].value()), (Tally{1, 1, 3, 1}));
  EXPECT_THAT(answers[2]->new_attempts, ElementsAre(0));
  EXPECT_EQ(answers[3].status().code(), ErrorCode::kConflict);
  EXPECT_THAT(answers[3].status().details(),
              ElementsAre(ErrorDetail{0, "/attempts/0/id",
                                      "attempt 'a1' was already stored with different content"}));
  EXPECT_EQ(answers[4].status().code(), ErrorCode::kInvalid);
  EXPECT_THAT(answers[4].status().details(),
              ElementsAre(ErrorDetail{0, "/attempts/0/user", "user 'dan' is unknown"}));
  ASSERT_TRUE(answers[5].ok()) << answers[5].status().ToString();
  EXPECT_EQ(Counted(answers[5].value()), (Tally{1, 0, 3, 1}));

  TableCounts expected = before;
  expected.users += 1;        // cy
  expected.attempts += 3;     // a1, a4, a6
  expected.responses += 9;
  expected.enrollments += 3;  // ann, bob and cy in c1, by their attempts
  EXPECT_EQ(CountsNow(), expected);
  EXPECT_EQ(store_->GetAttempt(account_, "a1").value(), a1);
  for (const char* missing : {"a2", "a3", "a5"}) {
    EXPECT_EQ(store_->GetAttempt(account_, missing).status().code(), ErrorCode::kNotFound)
        << missing;
  }
  EXPECT_EQ(store_->FindUser(account_, "dan").status().code(), ErrorCode::kNotFound);
  // What was committed is durable: it is still there after reopening.
  Reopen();
  EXPECT_EQ(CountsNow(), expected);
}

TEST_P(StoreTest, GroupOfRefusedOrEmptyBatchesStoresNothing) {
  ApplyOk(Attempts({Attempt("a1", "ann", "e1", 1000)}));
  const TableCounts before = CountsNow();
  domain::Attempt changed = Attempt("a1", "ann", "e1", 1000);
  changed.finished_at.reset();
  std::vector<domain::WriteBatch> group(3);
  group[0] = Attempts({Attempt("a2", "zoe", "e1", 1000)});
  group[2] = Attempts({changed});
  auto done = ApplyGroupOf(*store_, account_, group);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done.value()[0].status().code(), ErrorCode::kInvalid);
  ASSERT_TRUE(done.value()[1].ok());
  EXPECT_EQ(done.value()[1].value(), domain::WriteSummary{});
  EXPECT_EQ(done.value()[2].status().code(), ErrorCode::kConflict);
  EXPECT_EQ(CountsNow(), before);
}

TEST_P(StoreTest, SessionsAreFoundByDigestTouchedToTheMinuteAndDeleted) {
  const UserId ann = store_->FindUser(account_, "ann").value().id;
  Result<SessionId> id = store_->CreateSession(account_, ann, "digest-1", "csrf-1", kNow);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  Result<SessionCaller> found = store_->LoadSessionCaller("digest-1");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->session.id, id.value());
  EXPECT_EQ(found->session.account, account_);
  EXPECT_EQ(found->session.account_key, "acme");
  EXPECT_EQ(found->session.user_id, ann);
  EXPECT_EQ(found->session.user_key, "ann");
  EXPECT_EQ(found->session.csrf_token, "csrf-1");
  EXPECT_EQ(found->session.created_at, kNow);
  EXPECT_EQ(found->session.last_seen_at, kNow);
  EXPECT_TRUE(found->active);
  EXPECT_EQ(found->roles, store_->FindUser(account_, "ann")->user.roles);
  ASSERT_TRUE(store_->TouchSession(id.value(), Instant{kNow.ms + 59'000}).ok());
  EXPECT_EQ(store_->LoadSessionCaller("digest-1")->session.last_seen_at, kNow);  // under a minute
  ASSERT_TRUE(store_->TouchSession(id.value(), Instant{kNow.ms + 61'000}).ok());
  EXPECT_EQ(store_->LoadSessionCaller("digest-1")->session.last_seen_at,
            Instant{kNow.ms + 61'000});
  ASSERT_TRUE(store_->DeleteSession(id.value()).ok());
  EXPECT_EQ(store_->LoadSessionCaller("digest-1").status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->DeleteSession(id.value()).ok());  // already gone
}

TEST_P(StoreTest, ExpiredSessionsAreDeletedIdleOrOld) {
  const UserId ann = store_->FindUser(account_, "ann").value().id;
  ASSERT_TRUE(store_->CreateSession(account_, ann, "old", "c", kNow).ok());
  ASSERT_TRUE(store_->CreateSession(account_, ann, "idle", "c", Instant{kNow.ms + 10}).ok());
  const SessionId live =
      store_->CreateSession(account_, ann, "live", "c", Instant{kNow.ms + 10}).value();
  ASSERT_TRUE(store_->TouchSession(live, Instant{kNow.ms + 100'000}).ok());
  // Idle before +50 s, created before +5 ms: "old" by age, "idle" by idleness.
  Result<std::int64_t> purged =
      store_->DeleteExpiredSessions(Instant{kNow.ms + 50'000}, Instant{kNow.ms + 5});
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(purged.value(), 2);
  EXPECT_FALSE(store_->LoadSessionCaller("old").ok());
  EXPECT_FALSE(store_->LoadSessionCaller("idle").ok());
  EXPECT_TRUE(store_->LoadSessionCaller("live").ok());
}

TEST_P(StoreTest, ANewPasswordHashEndsTheOtherSessionsOfThatUserOnly) {
  const UserId ann = store_->FindUser(account_, "ann").value().id;
  const UserId bob = store_->FindUser(account_, "bob").value().id;
  const SessionId keep = store_->CreateSession(account_, ann, "a1", "c", kNow).value();
  ASSERT_TRUE(store_->CreateSession(account_, ann, "a2", "c", kNow).ok());
  ASSERT_TRUE(store_->CreateSession(account_, bob, "b1", "c", kNow).ok());
  ASSERT_TRUE(store_->SetPasswordHash(account_, ann, "$argon2id$x", keep).ok());
  EXPECT_EQ(store_->FindUser(account_, "ann")->password_hash, "$argon2id$x");
  EXPECT_TRUE(store_->LoadSessionCaller("a1").ok());
  EXPECT_FALSE(store_->LoadSessionCaller("a2").ok());
  EXPECT_TRUE(store_->LoadSessionCaller("b1").ok());
  EXPECT_EQ(store_->SetPasswordHash(account_, UserId{987654}, "h", SessionId{}).code(),
            ErrorCode::kNotFound);
  // A password written by Apply (PUT /users) ends all of them.
  domain::WriteBatch put;
  put.users.items = {User("ann", "ann@example.com", {"g1"})};
  put.users.items[0].password_hash = "$argon2id$y";
  ApplyOk(put);
  EXPECT_FALSE(store_->LoadSessionCaller("a1").ok());
  EXPECT_TRUE(store_->LoadSessionCaller("b1").ok());
}

TEST_P(StoreTest, TokensAreListedRevokedAndTouchedWithinTheirAccount) {
  const AccountId other = store_->CreateAccount({"globex", "Globex", "UTC"}).value();
  domain::ScopeSet read;
  read.Add(domain::Scope::kRead);
  const TokenId mine = store_->CreateToken(account_, "ci", read, "t1", kNow).value();
  const TokenId theirs = store_->CreateToken(other, "x", read, "t2", kNow).value();
  Result<std::vector<TokenRecord>> listed = store_->ListTokens(account_);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().id, mine);
  EXPECT_FALSE(listed->front().last_used_at);
  EXPECT_EQ(store_->RevokeToken(account_, theirs, kNow).code(), ErrorCode::kNotFound);
  EXPECT_FALSE(store_->FindTokenByDigest("t2")->revoked_at);
  ASSERT_TRUE(store_->TouchToken(mine, Instant{kNow.ms + 5}).ok());
  EXPECT_EQ(store_->ListTokens(account_)->front().last_used_at, Instant{kNow.ms + 5});
  ASSERT_TRUE(store_->RevokeToken(account_, mine, Instant{kNow.ms + 10}).ok());
  ASSERT_TRUE(store_->RevokeToken(account_, mine, Instant{kNow.ms + 20}).ok());  // kept
  EXPECT_EQ(store_->FindTokenByDigest("t1")->revoked_at, Instant{kNow.ms + 10});
}

TEST_P(StoreTest, UsersAreFoundByEmailAcrossAccountsWithTheirGroups) {
  const AccountId other = store_->CreateAccount({"globex", "Globex", "UTC"}).value();
  domain::WriteBatch twin;
  twin.users.items = {User("ann-g", "ANN@example.com")};
  ASSERT_TRUE(store_->Apply(other, twin, kNow).ok());
  Result<std::vector<SignInCandidate>> found = store_->FindUsersByEmail("ann@example.com");
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ(found->at(0).account.account.key, "acme");
  EXPECT_EQ(found->at(0).user.user.key, "ann");
  EXPECT_EQ(found->at(0).user.user.groups, std::vector<std::string>{"g1"});
  EXPECT_EQ(found->at(1).account.account.key, "globex");
  EXPECT_EQ(found->at(1).user.user.key, "ann-g");
  EXPECT_TRUE(store_->FindUsersByEmail("nobody@example.com")->empty());
}

TEST_P(StoreTest, ASessionComesWithTheGroupsItsUserManagesAndTheirMembers) {
  domain::WriteBatch b;
  b.users.items = {User("cat", "cat@example.com", {"g1", "g2"}), User("dan", "dan@example.com")};
  b.groups.items = {{"g1", "Group 1", {"dan"}}, {"g2", "Group 2", {"dan"}}};
  ApplyOk(b);
  const UserId dan = store_->FindUser(account_, "dan").value().id;
  const UserId ann = store_->FindUser(account_, "ann").value().id;
  ASSERT_TRUE(store_->CreateSession(account_, dan, "dan-1", "c", kNow).ok());
  ASSERT_TRUE(store_->CreateSession(account_, ann, "ann-1", "c", kNow).ok());
  Result<SessionCaller> manager = store_->LoadSessionCaller("dan-1");
  ASSERT_TRUE(manager.ok()) << manager.status().ToString();
  EXPECT_EQ(manager->session.user_key, "dan");
  EXPECT_EQ(manager->managed_groups, (std::vector<std::string>{"g1", "g2"}));
  EXPECT_EQ(manager->managed_members,
            (std::vector<std::string>{"ann", "cat"}));  // cat once, though in both
  Result<SessionCaller> member = store_->LoadSessionCaller("ann-1");
  ASSERT_TRUE(member.ok());
  EXPECT_TRUE(member->managed_groups.empty());
  EXPECT_TRUE(member->managed_members.empty());
  // An inactive user's session is found, marked inactive (the service refuses it).
  domain::WriteBatch off;
  off.users.items = {User("dan", "dan@example.com")};
  off.users.items[0].user.active = false;
  ApplyOk(off);
  EXPECT_FALSE(store_->LoadSessionCaller("dan-1")->active);
}

TEST_P(StoreTest, AwardsAreListedForTheirCourseOrEveryCourseRevokedAndErased) {
  const UserId bob = store_->FindUser(account_, "bob").value().id;
  domain::WriteBatch enroll;
  enroll.enrollments.items = {{"ann", "c1", std::nullopt}};
  ApplyOk(enroll);
  const AwardId general =
      store_->CreateAward(account_, {"ann", std::nullopt, "Helper", "", bob}, kNow).value();
  const AwardId in_c1 =
      store_
          ->CreateAward(account_, {"ann", "c1", "Star", "well done", std::nullopt},
                        Instant{kNow.ms + 1})
          .value();
  Result<AwardId> unknown = store_->CreateAward(account_, {"zed", {}, "T", "", {}}, kNow);
  EXPECT_EQ(unknown.status().code(), ErrorCode::kInvalid);
  EXPECT_EQ(unknown.status().details().at(0).pointer, "/user");
  EXPECT_EQ(store_->CreateAward(account_, {"ann", "c9", "T", "", {}}, kNow).status().code(),
            ErrorCode::kInvalid);
  domain::WriteBatch course2;
  course2.courses.items = {Course("c2", {{"ch", {"x"}}})};
  ApplyOk(course2);
  Result<AwardId> not_enrolled = store_->CreateAward(account_, {"ann", "c2", "T", "", {}}, kNow);
  EXPECT_EQ(not_enrolled.status().code(), ErrorCode::kInvalid);
  EXPECT_EQ(not_enrolled.status().message(), "user 'ann' is not enrolled in 'c2'");
  Result<std::vector<AwardRecord>> c1 = store_->ListAwards(account_, "ann", "c1");
  ASSERT_TRUE(c1.ok());
  ASSERT_EQ(c1->size(), 2u);
  EXPECT_EQ(c1->at(0).id, general);
  EXPECT_EQ(c1->at(0).granted_by, "bob");
  EXPECT_FALSE(c1->at(0).course);
  EXPECT_EQ(c1->at(1).id, in_c1);
  EXPECT_EQ(c1->at(1).course, "c1");
  EXPECT_EQ(c1->at(1).note, "well done");
  EXPECT_FALSE(c1->at(1).granted_by);
  EXPECT_EQ(store_->ListAwards(account_, "ann", "other")->size(), 1u);  // the general one
  // Every award of the user, whatever its course (the person page's one read).
  domain::Attempt in_course2 = Attempt("x1", "ann", "x", 2000);
  in_course2.course = "c2";
  ApplyOk(Attempts({in_course2}));
  const AwardId in_c2 =
      store_->CreateAward(account_, {"ann", "c2", "Two", "", std::nullopt}, Instant{kNow.ms + 2})
          .value();
  Result<std::vector<AwardRecord>> every = store_->ListAwards(account_, "ann", std::nullopt);
  ASSERT_TRUE(every.ok()) << every.status().ToString();
  std::vector<AwardId> ids;
  for (const AwardRecord& a : every.value()) ids.push_back(a.id);
  EXPECT_THAT(ids, ElementsAre(general, in_c1, in_c2));
  EXPECT_EQ(store_->ListAwards(account_, "ann", "c1")->size(), 2u);
  EXPECT_TRUE(store_->ListAwards(account_, "bob", std::nullopt)->empty());
  ASSERT_TRUE(store_->RevokeAward(account_, in_c2, kNow).ok());
  EXPECT_EQ(store_->FindAward(account_, in_c1)->user, "ann");
  ASSERT_TRUE(store_->RevokeAward(account_, in_c1, kNow).ok());
  EXPECT_EQ(store_->RevokeAward(account_, in_c1, kNow).code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->FindAward(account_, in_c1).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListAwards(account_, "ann", "c1")->size(), 1u);
  // Erasing the granter keeps the award without a granter; erasing its user removes it.
  domain::WriteBatch erase_bob;
  erase_bob.user_removals = {{"bob", true}};
  ApplyOk(erase_bob);
  EXPECT_FALSE(store_->FindAward(account_, general)->granted_by);
  domain::WriteBatch erase_ann;
  erase_ann.user_removals = {{"ann", true}};
  ApplyOk(erase_ann);
  EXPECT_EQ(store_->FindAward(account_, general).status().code(), ErrorCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

}  // namespace
}  // namespace cohort::store

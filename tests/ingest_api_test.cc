// End-to-end tests of the ingest API of SPEC §2 against the real server and a real SQLite file.
#include <fmt/format.h>

#include "api_fixture.h"
#include "support/log_audit.h"

namespace cohort::testing {
namespace {

using nlohmann::json;

std::string Attempt(const std::string& id, const std::string& user, const std::string& exercise,
                    int start_minutes, const std::string& responses) {
  return fmt::format(
      R"({{"id":"{}","user":"{}","course":"py","exercise":"{}","started_at":"{}",)"
      R"("finished_at":"{}","responses":{}}})",
      id, user, exercise, TimeAt(start_minutes), TimeAt(start_minutes + 2), responses);
}

const char* kTwoResponses =
    R"([{"question":"q1","correct":true,"time_ms":1000},{"question":"q2","correct":false,"hints":1,"time_ms":2000,"points":3}])";

class IngestApiTest : public ApiFixture {};

TEST_F(IngestApiTest, HealthzAnswersWithoutCredentials) {
  Reply r = Call("GET", "/healthz", "", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json["status"], "ok");
}

TEST_F(IngestApiTest, CatalogAndPeopleAreStored) {
  SeedCatalog();
  store::TableCounts c = Counts();
  EXPECT_EQ(c.courses, 1);
  EXPECT_EQ(c.chapters, 2);
  EXPECT_EQ(c.exercises, 3);
  EXPECT_EQ(c.groups, 1);
  EXPECT_EQ(c.users, 2);
  EXPECT_EQ(c.group_members, 2);
  Result<store::UserRecord> ann = store_->FindUser(account_, "ann");
  ASSERT_TRUE(ann.ok());
  EXPECT_EQ(ann->user.email, "ann@acme.example");
  EXPECT_TRUE(ann->user.active);
}

TEST_F(IngestApiTest, AttemptsAreStoredAndEnrollTheUser) {
  SeedCatalog();
  Reply r = Post("/api/v1/attempts", "[" + Attempt("a1", "ann", "e1", -60, kTwoResponses) + "," +
                                         Attempt("a2", "ann", "e2", -30, kTwoResponses) + "]");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json, json({{"accepted", 2}, {"duplicates", 0}}));
  store::TableCounts c = Counts();
  EXPECT_EQ(c.attempts, 2);
  EXPECT_EQ(c.responses, 4);
  EXPECT_EQ(c.enrollments, 1);
  Result<domain::Attempt> a1 = store_->GetAttempt(account_, "a1");
  ASSERT_TRUE(a1.ok());
  ASSERT_EQ(a1->responses.size(), 2u);
  EXPECT_EQ(a1->responses[1].hints, 1);
  EXPECT_EQ(a1->responses[1].points, 3);
  EXPECT_EQ(a1->responses[1].answered_at.ms, a1->started_at.ms + 3000);
}

TEST_F(IngestApiTest, RepostingIdenticalAttemptsChangesNothing) {
  SeedCatalog();
  const std::string body = "[" + Attempt("a1", "ann", "e1", -60, kTwoResponses) + "," +
                           Attempt("a2", "bob", "e1", -50, kTwoResponses) + "]";
  ASSERT_EQ(Post("/api/v1/attempts", body).status, 200);
  const store::TableCounts before = Counts();
  Reply again = Post("/api/v1/attempts", body);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json, json({{"accepted", 0}, {"duplicates", 2}}));
  EXPECT_EQ(Counts(), before);
}

TEST_F(IngestApiTest, SameContentWrittenDifferentlyIsStillIdentical) {
  SeedCatalog();
  ASSERT_EQ(Post("/api/v1/attempts", "[" + Attempt("a1", "ann", "e1", -60, kTwoResponses) + "]")
                .status,
            200);
  // Same instants with another offset, defaults spelled out: equal after parsing.
  const std::string same = fmt::format(
      R"([{{"id":"a1","user":"ann","course":"py","exercise":"e1","started_at":"{}",)"
      R"("finished_at":"{}","responses":[{{"question":"q1","correct":true,"hints":0,)"
      R"("time_ms":1000}},{{"question":"q2","correct":false,"hints":1,"time_ms":2000,"points":3}}]}}])",
      "2026-03-10T12:00:00+01:00", "2026-03-10T12:02:00+01:00");
  Reply r = Post("/api/v1/attempts", same);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["duplicates"], 1);
}

TEST_F(IngestApiTest, ConflictingRepostIs409NamingTheId) {
  SeedCatalog();
  ASSERT_EQ(Post("/api/v1/attempts", "[" + Attempt("a1", "ann", "e1", -60, kTwoResponses) + "]")
                .status,
            200);
  const store::TableCounts before = Counts();
  const std::string changed = R"([{"question":"q1","correct":false}])";
  Reply r = Post("/api/v1/attempts", "[" + Attempt("a9", "ann", "e1", -5, kTwoResponses) + "," +
                                         Attempt("a1", "ann", "e1", -60, changed) + "]");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.json["error"]["code"], "conflict");
  EXPECT_EQ(r.json["error"]["details"][0]["index"], 1);
  EXPECT_NE(r.body.find("a1"), std::string::npos);
  EXPECT_EQ(Counts(), before);  // a9 was not applied either
}

TEST_F(IngestApiTest, DeactivateKeepsTheUserAndEraseRemovesEveryTrace) {
  SeedCatalog();
  ASSERT_EQ(Post("/api/v1/attempts", "[" + Attempt("a1", "ann", "e1", -60, kTwoResponses) + "," +
                                         Attempt("b1", "bob", "e1", -60, kTwoResponses) + "]")
                .status,
            200);
  Reply off = Delete("/api/v1/users/bob");
  ASSERT_EQ(off.status, 200) << off.body;
  Result<store::UserRecord> bob = store_->FindUser(account_, "bob");
  ASSERT_TRUE(bob.ok());
  EXPECT_FALSE(bob->user.active);

  Reply erased = Delete("/api/v1/users/ann?erase=true");
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_EQ(store_->FindUser(account_, "ann").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetAttempt(account_, "a1").status().code(), ErrorCode::kNotFound);
  store::TableCounts c = Counts();
  EXPECT_EQ(c.users, 1);
  EXPECT_EQ(c.attempts, 1);
  EXPECT_EQ(c.responses, 2);
  EXPECT_EQ(c.enrollments, 1);
  EXPECT_EQ(c.group_members, 1);
  EXPECT_EQ(Delete("/api/v1/users/ann").status, 404);
}

TEST_F(IngestApiTest, EnrollmentsCanBePutAndDeleted) {
  SeedCatalog();
  ASSERT_EQ(Put("/api/v1/enrollments/ann/py", "{}").status, 200);
  ASSERT_EQ(Put("/api/v1/enrollments/bob/py", R"({"enrolled_at":"2026-01-05T08:00:00Z"})").status,
            200);
  EXPECT_EQ(Counts().enrollments, 2);
  ASSERT_EQ(Delete("/api/v1/enrollments/ann/py").status, 200);
  EXPECT_EQ(Counts().enrollments, 1);
  EXPECT_EQ(Delete("/api/v1/enrollments/nobody/py").status, 404);
}

TEST_F(IngestApiTest, RestructuringACourseKeepsResponses) {
  SeedCatalog();
  ASSERT_EQ(Post("/api/v1/attempts", "[" + Attempt("a1", "ann", "e3", -60, kTwoResponses) + "]")
                .status,
            200);
  // e3 removed from the catalog, e4 added, e1 moved to chapter c2.
  Reply r = Put("/api/v1/courses/py",
                R"({"title":"Python","chapters":[{"key":"c1","title":"Basics","exercises":[
                   {"key":"e2","title":"Loops"}]},{"key":"c2","title":"More","exercises":[
                   {"key":"e1","title":"Variables"},{"key":"e4","title":"Files"}]}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Counts().responses, 2);
  // A removed exercise takes no new attempts.
  Reply late = Post("/api/v1/attempts", "[" + Attempt("a2", "ann", "e3", -10, kTwoResponses) + "]");
  EXPECT_EQ(late.status, 422) << late.body;
  EXPECT_EQ(late.json["error"]["details"][0]["pointer"], "/0/exercise");
}

TEST_F(IngestApiTest, TokensAreAccountBoundAndScoped) {
  SeedCatalog();
  const std::string body = "[" + Attempt("a1", "ann", "e1", -60, kTwoResponses) + "]";
  EXPECT_EQ(Call("POST", "/api/v1/attempts", body, "").status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/attempts", body, "coh_not-a-real-token").status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/attempts", body, read_token_).status, 403);
  // Another account's token does not see this account's users.
  Reply other = Call("POST", "/api/v1/attempts", body, other_account_token_);
  EXPECT_EQ(other.status, 422) << other.body;
  EXPECT_EQ(Counts().attempts, 0);
  EXPECT_EQ(Call("POST", "/api/v1/attempts", body, admin_token_).status, 200);
}

TEST_F(IngestApiTest, PasswordsNeedTheAdminScopeAndAreStoredHashed) {
  AuditSecret("correct horse");
  SeedCatalog();
  const std::string body =
      R"({"name":"Ann","email":"ann@acme.example","groups":["g1"],"password":"correct horse"})";
  EXPECT_EQ(Put("/api/v1/users/ann", body).status, 403);
  ASSERT_EQ(Call("PUT", "/api/v1/users/ann", body, admin_token_).status, 200);
  Result<store::UserRecord> ann = store_->FindUser(account_, "ann");
  ASSERT_TRUE(ann.ok() && ann->password_hash);
  EXPECT_EQ(ann->password_hash->find("correct horse"), std::string::npos);
  EXPECT_TRUE(service::VerifyPassword(*ann->password_hash, "correct horse"));
  EXPECT_FALSE(service::VerifyPassword(*ann->password_hash, "wrong"));
}

TEST_F(IngestApiTest, UnknownRoutesAndMethodsAnswerJsonErrors) {
  Reply r = Call("GET", "/api/v1/nothing", "", ingest_token_);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json["error"]["code"], "not_found");
  EXPECT_EQ(Call("PATCH", "/api/v1/attempts", "[]", ingest_token_).status, 405);
}

}  // namespace
}  // namespace cohort::testing

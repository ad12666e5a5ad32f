// The LRS (/xapi/, docs/xapi.md) against a real server in this process, with the store in view:
// how answers become derived attempts, voiding, erasure, scopes. Real xAPI clients drive the
// same endpoint in tests/xapi/clients.mjs.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include "api_fixture.h"
#include "support/http_client.h"

namespace cohort::testing {
namespace {

constexpr const char* kRegistration = "6690e6c9-3ef0-4ed3-8b37-7f3964730bee";

class XapiApiTest : public ApiFixture {
 protected:
  // A call to /xapi/ with the version header and Basic credentials (the token as password).
  Reply Xapi(const std::string& method, const std::string& target, const std::string& body,
             const std::string& token) {
    HeaderList headers = {{"Content-Type", "application/json"},
                          {"X-Experience-API-Version", "1.0.3"}};
    if (!token.empty()) headers.emplace_back("Authorization", "Basic " + Base64("lms:" + token));
    HttpResponse r = SendOnce("127.0.0.1", server_->port(), method, target, body, headers);
    Reply out;
    out.status = r.status;
    out.body = r.body;
    out.json = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (out.json.is_discarded()) out.json = nullptr;
    return out;
  }

  static std::string Base64(const std::string& in) {
    std::string out(sodium_base64_ENCODED_LEN(in.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(in.data()),
                      in.size(), sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.find('\0'));
    return out;
  }

  // Ann answers a question of exercise `exercise` of course py, `minutes` before the clock.
  static std::string Answer(const std::string& question, bool success, int minutes,
                            const std::string& exercise = "e1",
                            const std::string& verb = "http://adlnet.gov/expapi/verbs/answered",
                            const std::string& actor = R"({"account":{"homePage":"https://lms.example","name":"ann"}})") {
    return fmt::format(
        R"({{"actor":{},"verb":{{"id":"{}"}},"object":{{"id":"https://lms.example/q/{}"}},)"
        R"("result":{{"success":{},"duration":"PT20S"}},)"
        R"("context":{{"registration":"{}","contextActivities":{{"parent":[{{"id":"urn:cohort:exercise:py/{}"}}]}}}},)"
        R"("timestamp":"{}"}})",
        actor, verb, question, success ? "true" : "false", kRegistration, exercise,
        TimeAt(-minutes));
  }

  nlohmann::json AnnInPy() {
    Reply r = Call("GET", "/api/v1/courses/py/users/ann", "", read_token_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json;
  }
};

TEST_F(XapiApiTest, AnswersOfOneRegistrationMakeOneAttemptThatGrowsAsTheyArrive) {
  SeedCatalog();
  Reply first = Xapi("POST", "/xapi/statements", Answer("q1", true, 30), ingest_token_);
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_TRUE(first.json.is_array());
  EXPECT_EQ(Counts().attempts, 1);
  EXPECT_EQ(Counts().responses, 1);
  EXPECT_EQ(AnnInPy()["exercises"][0]["attempts"], 1);

  Reply more = Xapi("POST", "/xapi/statements",
                    "[" + Answer("q2", false, 20) + "," + Answer("q3", true, 10) + "]",
                    ingest_token_);
  ASSERT_EQ(more.status, 200) << more.body;
  EXPECT_EQ(Counts().attempts, 1) << "the same user, exercise and registration: one attempt";
  EXPECT_EQ(Counts().responses, 3);
  EXPECT_EQ(Counts().statements, 3);
  nlohmann::json ann = AnnInPy();
  EXPECT_EQ(ann["exercises"][0]["attempts"], 1);
  EXPECT_DOUBLE_EQ(ann["exercises"][0]["score"].get<double>(), 2.0 / 3.0);
  // Mastery window 5: credits 1, 0, 1 in answer order.
  EXPECT_DOUBLE_EQ(ann["exercises"][0]["mastery"].get<double>(), 2.0 / 5.0);
}

TEST_F(XapiApiTest, VoidingTheOnlyAnswerOfAnAttemptRemovesTheAttempt) {
  SeedCatalog();
  Reply posted = Xapi("POST", "/xapi/statements", Answer("q1", true, 30), ingest_token_);
  ASSERT_EQ(posted.status, 200) << posted.body;
  const std::string id = posted.json[0];
  ASSERT_EQ(Counts().attempts, 1);
  Reply voided = Xapi(
      "POST", "/xapi/statements",
      fmt::format(R"({{"actor":{{"mbox":"mailto:admin@acme.example"}},)"
                  R"("verb":{{"id":"http://adlnet.gov/expapi/verbs/voided"}},)"
                  R"("object":{{"objectType":"StatementRef","id":"{}"}}}})",
                  id),
      ingest_token_);
  ASSERT_EQ(voided.status, 200) << voided.body;
  EXPECT_EQ(Counts().attempts, 0);
  EXPECT_EQ(Counts().statements, 2);
  EXPECT_EQ(AnnInPy()["attempts"], 0);
  EXPECT_EQ(Xapi("GET", "/xapi/statements?statementId=" + id, "", read_token_).status, 404);
  Reply kept = Xapi("GET", "/xapi/statements?voidedStatementId=" + id, "", read_token_);
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(kept.json["id"], id);
}

TEST_F(XapiApiTest, ErasingAPersonDeletesEveryStatementTheirActorNames) {
  SeedCatalog();
  ASSERT_EQ(Xapi("POST", "/xapi/statements",
                 "[" + Answer("q1", true, 30) + "," +
                     Answer("page", true, 20, "e1", "http://adlnet.gov/expapi/verbs/experienced",
                            R"({"mbox":"mailto:ANN@acme.example"})") +
                     "," +
                     Answer("q1", true, 10, "e1", "http://adlnet.gov/expapi/verbs/answered",
                            R"({"account":{"homePage":"https://lms.example","name":"bob"}})") +
                     "]",
                 ingest_token_)
                .status,
            200);
  // A statement that never counted, by an email nobody had when it came, which Ann takes later:
  // it names her all the same.
  ASSERT_EQ(Xapi("POST", "/xapi/statements",
                 Answer("intro", true, 5, "e1", "http://adlnet.gov/expapi/verbs/experienced",
                        R"({"mbox":"mailto:ann3@acme.example"})"),
                 ingest_token_)
                .status,
            200);
  ASSERT_EQ(Put("/api/v1/users/ann",
                R"({"name":"Ann Lee","email":"ANN3@acme.example","groups":["g1"]})")
                .status,
            200);
  ASSERT_EQ(Counts().statements, 4);
  ASSERT_EQ(Delete("/api/v1/users/ann?erase=true").status, 200);
  EXPECT_EQ(Counts().statements, 1) << "Bob's statement stays";
  Reply left = Xapi("GET", "/xapi/statements", "", read_token_);
  ASSERT_EQ(left.status, 200) << left.body;
  ASSERT_EQ(left.json["statements"].size(), 1u);
  EXPECT_EQ(left.json["statements"][0]["actor"]["account"]["name"], "bob");
}

TEST_F(XapiApiTest, StatementsWaitingForAPersonOrAnExerciseCountOnceTheyExist) {
  SeedCatalog();
  const std::string dee = R"({"mbox":"mailto:Dee@acme.example"})";
  ASSERT_EQ(Xapi("POST", "/xapi/statements",
                 "[" + Answer("q1", true, 30, "e1", "http://adlnet.gov/expapi/verbs/answered", dee) +
                     "," + Answer("q1", true, 20, "e9") + "]",
                 ingest_token_)
                .status,
            200);
  EXPECT_EQ(Counts().statements, 2);
  EXPECT_EQ(Counts().attempts, 0) << "nobody has Dee's email, and py has no e9 yet";

  // Dee arrives (by email, in another case): her answer counts.
  ASSERT_EQ(Put("/api/v1/users/dee", R"({"name":"Dee","email":"dee@ACME.example"})").status, 200);
  EXPECT_EQ(Counts().attempts, 1);
  Reply dee_in_py = Call("GET", "/api/v1/courses/py/users/dee", "", read_token_);
  ASSERT_EQ(dee_in_py.status, 200) << dee_in_py.body;
  EXPECT_EQ(dee_in_py.json["attempts"], 1);

  // e9 is added to the course: Ann's answer to it counts.
  Reply course = Put("/api/v1/courses/py",
                     R"({"title":"Python","chapters":[
                        {"key":"c1","title":"Basics","exercises":[{"key":"e1","title":"Variables"},
                                                                  {"key":"e2","title":"Loops"},
                                                                  {"key":"e9","title":"Late"}]},
                        {"key":"c2","title":"More","exercises":[{"key":"e3","title":"Functions"}]}],
                        "settings":{"mastery_window":5}})");
  ASSERT_EQ(course.status, 200) << course.body;
  EXPECT_EQ(Counts().attempts, 2);
  EXPECT_EQ(AnnInPy()["attempts"], 1);
  // Sent again, the same statements change nothing.
  EXPECT_EQ(Put("/api/v1/users/dee", R"({"name":"Dee","email":"dee@acme.example"})").status, 200);
  EXPECT_EQ(Counts().attempts, 2);
  EXPECT_EQ(Counts().responses, 2);
}

TEST_F(XapiApiTest, AnExerciseNamedByItsOwnXapiIdCountsItsAnswersFromTheMomentItIsSet) {
  SeedCatalog();
  // An authoring tool's quiz id, sent as the parent activity of each question.
  std::string answer = Answer("q1", true, 30);
  const std::string default_iri = "urn:cohort:exercise:py/e2";
  answer.replace(answer.find("urn:cohort:exercise:py/e1"), default_iri.size(),
                 "https://authoring.example/quiz/7");
  ASSERT_EQ(Xapi("POST", "/xapi/statements", answer, ingest_token_).status, 200);
  EXPECT_EQ(Counts().attempts, 0);

  const std::string course = R"({"title":"Python","chapters":[
      {"key":"c1","title":"Basics","exercises":[{"key":"e1","title":"Variables"},
        {"key":"e2","title":"Loops","xapi_id":"XAPI_ID"}]},
      {"key":"c2","title":"More","exercises":[{"key":"e3","title":"Functions"}]}],
      "settings":{"mastery_window":5}})";
  std::string bad = course;
  bad.replace(bad.find("XAPI_ID"), 7, "not an iri");
  Reply refused = Put("/api/v1/courses/py", bad);
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(refused.json["error"]["details"][0]["pointer"], "/chapters/0/exercises/1/xapi_id");

  std::string good = course;
  good.replace(good.find("XAPI_ID"), 7, "https://authoring.example/quiz/7");
  ASSERT_EQ(Put("/api/v1/courses/py", good).status, 200);
  EXPECT_EQ(Counts().attempts, 1) << "the waiting answer counts for e2";
  nlohmann::json ann = AnnInPy();
  EXPECT_EQ(ann["attempts"], 1);
  bool e2_attempted = false;
  for (const nlohmann::json& e : ann["exercises"]) {
    if (e["exercise"] == "e2") e2_attempted = e["attempts"] == 1;
  }
  EXPECT_TRUE(e2_attempted) << ann.dump();
  // New answers to the quiz count at once.
  std::string next = Answer("q2", true, 10);
  next.replace(next.find("urn:cohort:exercise:py/e1"), default_iri.size(),
               "https://authoring.example/quiz/7");
  ASSERT_EQ(Xapi("POST", "/xapi/statements", next, ingest_token_).status, 200);
  EXPECT_EQ(Counts().responses, 2);
}

TEST_F(XapiApiTest, ScopesAreThoseOfTheApi) {
  SeedCatalog();
  Reply denied = Xapi("POST", "/xapi/statements", Answer("q1", true, 30), read_token_);
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_EQ(Xapi("GET", "/xapi/statements", "", ingest_token_).status, 403);
  EXPECT_EQ(Xapi("GET", "/xapi/statements", "", "not-a-token").status, 401);
  EXPECT_EQ(Counts().statements, 0);
}

TEST_F(XapiApiTest, APutNamesItsStatementAndAgreesWithItsId) {
  SeedCatalog();
  const std::string id = "0d5a9e4c-2b8e-4d4b-9a6a-3f1e2d3c4b5a";
  Reply put = Xapi("PUT", "/xapi/statements?statementId=" + id, Answer("q1", true, 30),
                   ingest_token_);
  EXPECT_EQ(put.status, 204) << put.body;
  Reply again = Xapi("PUT", "/xapi/statements?statementId=" + id, Answer("q1", true, 30),
                     ingest_token_);
  EXPECT_EQ(again.status, 204) << again.body;
  EXPECT_EQ(Counts().responses, 1) << "the same statement again counts once";
  Reply other = Xapi("PUT", "/xapi/statements?statementId=" + id, Answer("q1", false, 30),
                     ingest_token_);
  EXPECT_EQ(other.status, 409) << other.body;
  const std::string with_id = R"({"id":"11111111-2222-4333-8444-555555555555",)" +
                              Answer("q1", true, 30).substr(1);
  Reply differs = Xapi("PUT", "/xapi/statements?statementId=" + id, with_id, ingest_token_);
  EXPECT_EQ(differs.status, 400) << differs.body;
  EXPECT_EQ(Xapi("PUT", "/xapi/statements", Answer("q1", true, 30), ingest_token_).status, 400);
}

}  // namespace
}  // namespace cohort::testing

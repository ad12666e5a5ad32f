// The LRS (/xapi/, docs/xapi.md) against a real server in this process, with the store in view:
// how answers become derived attempts, voiding, erasure, scopes. Real xAPI clients drive the
// same endpoint in tests/xapi/clients.mjs.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <cctype>
#include <map>

#include "api_fixture.h"
#include "support/http_client.h"

namespace cohort::testing {
namespace {

constexpr const char* kRegistration = "6690e6c9-3ef0-4ed3-8b37-7f3964730bee";

// A query parameter's value, percent-encoded.
std::string Enc(const std::string& value) {
  std::string out;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

class XapiApiTest : public ApiFixture {
 protected:
  // A call to /xapi/ with the version header and Basic credentials (the token as password).
  // `extra` headers are sent too (a Content-Type among them replaces application/json); the
  // answer's headers are kept in last_headers_.
  Reply Xapi(const std::string& method, const std::string& target, const std::string& body,
             const std::string& token, const HeaderList& extra = {}) {
    HeaderList headers = {{"X-Experience-API-Version", "1.0.3"}};
    bool typed = false;
    for (const auto& [name, value] : extra) {
      typed = typed || name == "Content-Type";
      headers.emplace_back(name, value);
    }
    if (!typed) headers.emplace_back("Content-Type", "application/json");
    if (!token.empty()) headers.emplace_back("Authorization", "Basic " + Base64("lms:" + token));
    HttpResponse r = SendOnce("127.0.0.1", server_->port(), method, target, body, headers);
    last_headers_ = r.headers;
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

  std::map<std::string, std::string> last_headers_;

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


// --- the document resources (xAPI 1.0.3 Communication §2.2–§2.7, §3.1) ---

constexpr const char* kActivity = "https://lms.example/au/1";
constexpr const char* kAnnAgent =
    R"({"objectType":"Agent","account":{"homePage":"https://lms.example","name":"ann"}})";

std::string StateOf(const std::string& state_id, const std::string& agent = kAnnAgent,
                    const std::string& extra = "") {
  std::string target = fmt::format("/xapi/activities/state?activityId={}&agent={}", Enc(kActivity),
                                   Enc(agent));
  if (!state_id.empty()) target += "&stateId=" + Enc(state_id);
  return target + extra;
}

TEST_F(XapiApiTest, AStateDocumentComesBackAsSentWithItsContentTypeETagAndLastModified) {
  // §2.3 (State Resource), §1.5 (documents have any content type), §3.1 (ETag on GET, quoted).
  Reply put = Xapi("PUT", StateOf("bookmark"), "page 7\n", ingest_token_,
                   {{"Content-Type", "text/plain"}});
  ASSERT_EQ(put.status, 204) << put.body;
  Reply got = Xapi("GET", StateOf("bookmark"), "", read_token_);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, "page 7\n");
  EXPECT_EQ(last_headers_["content-type"], "text/plain");
  const std::string etag = last_headers_["etag"];
  ASSERT_GE(etag.size(), 3u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  EXPECT_EQ(last_headers_["last-modified"], "Tue, 10 Mar 2026 12:00:00 GMT");
  EXPECT_EQ(last_headers_["x-experience-api-version"], "1.0.3");
  EXPECT_EQ(Xapi("GET", StateOf("nothing-here"), "", read_token_).status, 404);
}

TEST_F(XapiApiTest, APostedStateMergesIntoTheStoredJsonObjectAndElseIsRefused) {
  // §2.2 (JSON Procedure with Requirements): top-level members of the POSTed object replace or
  // are added; a document that is not application/json is not merged (400).
  ASSERT_EQ(Xapi("POST", StateOf("prefs"), R"({"a":1,"b":1})", ingest_token_).status, 204)
      << "POST to nothing stores as PUT";
  ASSERT_EQ(Xapi("POST", StateOf("prefs"), R"({"b":2,"c":{"d":3}})", ingest_token_).status, 204);
  Reply got = Xapi("GET", StateOf("prefs"), "", read_token_);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json, nlohmann::json::parse(R"({"a":1,"b":2,"c":{"d":3}})"));
  EXPECT_EQ(Xapi("POST", StateOf("prefs"), "text", ingest_token_, {{"Content-Type", "text/plain"}})
                .status,
            400);
  EXPECT_EQ(Xapi("POST", StateOf("prefs"), "[1,2]", ingest_token_).status, 400);
  ASSERT_EQ(Xapi("PUT", StateOf("note"), "plain", ingest_token_, {{"Content-Type", "text/plain"}})
                .status,
            204);
  EXPECT_EQ(Xapi("POST", StateOf("note"), R"({"a":1})", ingest_token_).status, 400);
  EXPECT_EQ(Xapi("GET", StateOf("prefs"), "", read_token_).json,
            nlohmann::json::parse(R"({"a":1,"b":2,"c":{"d":3}})"))
      << "a refused POST changes nothing";
}

TEST_F(XapiApiTest, StateIdsAreListedSinceATimeAndDeletedOneOrAllAtOnce) {
  // §2.3 (Multiple Document GET with since, exclusive; Multiple Document DELETE).
  ASSERT_EQ(Xapi("PUT", StateOf("s1"), "{}", ingest_token_).status, 204);
  clock_.Advance(60'000);
  ASSERT_EQ(Xapi("PUT", StateOf("s2"), "{}", ingest_token_).status, 204);
  Reply ids = Xapi("GET", StateOf(""), "", read_token_);
  ASSERT_EQ(ids.status, 200) << ids.body;
  EXPECT_EQ(ids.json, nlohmann::json::parse(R"(["s1","s2"])"));
  Reply since = Xapi("GET", StateOf("", kAnnAgent, "&since=" + Enc(TimeAt(0))), "", read_token_);
  ASSERT_EQ(since.status, 200) << since.body;
  EXPECT_EQ(since.json, nlohmann::json::parse(R"(["s2"])"));
  ASSERT_EQ(Xapi("DELETE", StateOf("s1"), "", ingest_token_).status, 204);
  EXPECT_EQ(Xapi("GET", StateOf(""), "", read_token_).json, nlohmann::json::parse(R"(["s2"])"));
  ASSERT_EQ(Xapi("DELETE", StateOf(""), "", ingest_token_).status, 204);
  EXPECT_EQ(Xapi("GET", StateOf(""), "", read_token_).json, nlohmann::json::array());
}

TEST_F(XapiApiTest, ARegistrationAndAnAgentEachKeepTheirOwnStates) {
  // §2.3: a state document is keyed by activityId, agent, registration (optional) and stateId.
  const std::string reg = std::string("&registration=") + kRegistration;
  ASSERT_EQ(Xapi("PUT", StateOf("s", kAnnAgent, reg), R"({"r":1})", ingest_token_).status, 204);
  ASSERT_EQ(Xapi("PUT", StateOf("s"), R"({"r":0})", ingest_token_).status, 204);
  const std::string bob = R"({"mbox":"mailto:bob@acme.example"})";
  ASSERT_EQ(Xapi("PUT", StateOf("s", bob), R"({"bob":1})", ingest_token_).status, 204);
  EXPECT_EQ(Xapi("GET", StateOf("s", kAnnAgent, reg), "", read_token_).json["r"], 1);
  EXPECT_EQ(Xapi("GET", StateOf("s"), "", read_token_).json["r"], 0);
  // The same agent written otherwise (member order, no objectType) is the same agent.
  EXPECT_EQ(Xapi("GET",
                 StateOf("s", R"({"account":{"name":"ann","homePage":"https://lms.example"}})"),
                 "", read_token_)
                .json["r"],
            0);
  EXPECT_EQ(Xapi("GET", StateOf("s", bob), "", read_token_).json["bob"], 1);
  // Without a registration, the ids and the delete of all cover every registration ("+
  // registration if specified").
  EXPECT_EQ(Xapi("GET", StateOf(""), "", read_token_).json, nlohmann::json::parse(R"(["s"])"));
  ASSERT_EQ(Xapi("DELETE", StateOf(""), "", ingest_token_).status, 204);
  EXPECT_EQ(Xapi("GET", StateOf("s", kAnnAgent, reg), "", read_token_).status, 404);
  EXPECT_EQ(Xapi("GET", StateOf("s", bob), "", read_token_).status, 200);
}

TEST_F(XapiApiTest, MissingUnknownOrInvalidDocumentParametersAre400) {
  // §3.2 (s3.b7: unknown parameters are 400), §2.3/§2.6/§2.7 (required parameters).
  const std::string agent = Enc(kAnnAgent);
  for (const std::string& target : {
           fmt::format("/xapi/activities/state?agent={}&stateId=s", agent),
           fmt::format("/xapi/activities/state?activityId={}&stateId=s", Enc(kActivity)),
           StateOf("s", kAnnAgent, "&color=red"),
           StateOf("s", R"({"name":"no identifier"})"),
           StateOf("s", "not json"),
           StateOf("s", kAnnAgent, "&registration=not-a-uuid"),
           StateOf("s", kAnnAgent, "&since=2026-01-01T00:00:00Z"),
           std::string("/xapi/agents/profile?profileId=p"),
           fmt::format("/xapi/activities/profile?activityId={}&profileId=p&agent={}",
                       Enc(kActivity), agent),
       }) {
    EXPECT_EQ(Xapi("PUT", target, "{}", ingest_token_).status, 400) << target;
  }
  EXPECT_EQ(Xapi("PUT", fmt::format("/xapi/agents/profile?agent={}", agent), "{}", ingest_token_)
                .status,
            400)
      << "PUT needs profileId";
  EXPECT_EQ(
      Xapi("DELETE", fmt::format("/xapi/agents/profile?agent={}", agent), "", ingest_token_).status,
      400)
      << "profiles are deleted one at a time";
}

std::string AgentProfileOf(const std::string& profile_id) {
  return fmt::format("/xapi/agents/profile?agent={}&profileId={}", Enc(kAnnAgent),
                     Enc(profile_id));
}

TEST_F(XapiApiTest, AProfilePutOverAnExistingDocumentWithoutAConcurrencyHeaderIs409) {
  // §3.1 (s4.b13–b15): 409 Conflict, and no modification.
  ASSERT_EQ(Xapi("PUT", AgentProfileOf("cmi5LearnerPreferences"), R"({"v":1})", ingest_token_)
                .status,
            204)
      << "creating needs no header";
  Reply again = Xapi("PUT", AgentProfileOf("cmi5LearnerPreferences"), R"({"v":2})", ingest_token_);
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_NE(again.body.find("If-Match"), std::string::npos) << "the answer says what to do";
  EXPECT_EQ(Xapi("GET", AgentProfileOf("cmi5LearnerPreferences"), "", read_token_).json["v"], 1);
  // A state document has no such requirement (§3.1, s3).
  ASSERT_EQ(Xapi("PUT", StateOf("s"), R"({"v":1})", ingest_token_).status, 204);
  EXPECT_EQ(Xapi("PUT", StateOf("s"), R"({"v":2})", ingest_token_).status, 204);
}

TEST_F(XapiApiTest, AnIfMatchThatNamesAnotherETagIs412AndTheCurrentOneWins) {
  // §3.1 (s4.b5, s4.b9–b12): If-Match on PUT (MUST), POST and DELETE (SHOULD*).
  ASSERT_EQ(Xapi("PUT", AgentProfileOf("p"), R"({"v":1})", ingest_token_).status, 204);
  ASSERT_EQ(Xapi("GET", AgentProfileOf("p"), "", read_token_).status, 200);
  const std::string etag = last_headers_["etag"];
  const HeaderList stale = {{"If-Match", "\"0000000000000000000000000000000000000000\""}};
  EXPECT_EQ(Xapi("PUT", AgentProfileOf("p"), R"({"v":2})", ingest_token_, stale).status, 412);
  EXPECT_EQ(Xapi("POST", AgentProfileOf("p"), R"({"w":2})", ingest_token_, stale).status, 412);
  EXPECT_EQ(Xapi("DELETE", AgentProfileOf("p"), "", ingest_token_, stale).status, 412);
  EXPECT_EQ(Xapi("GET", AgentProfileOf("p"), "", read_token_).json,
            nlohmann::json::parse(R"({"v":1})"));
  EXPECT_EQ(Xapi("PUT", AgentProfileOf("p"), R"({"v":3})", ingest_token_, {{"If-Match", etag}})
                .status,
            204);
  EXPECT_EQ(Xapi("GET", AgentProfileOf("p"), "", read_token_).json["v"], 3);
  const std::string current = last_headers_["etag"];
  EXPECT_NE(current, etag) << "the ETag follows the content";
  EXPECT_EQ(Xapi("PUT", AgentProfileOf("absent"), "{}", ingest_token_, {{"If-Match", etag}}).status,
            412)
      << "If-Match where nothing is stored";
  EXPECT_EQ(Xapi("DELETE", AgentProfileOf("p"), "", ingest_token_, {{"If-Match", current}}).status,
            204);
  EXPECT_EQ(Xapi("GET", AgentProfileOf("p"), "", read_token_).status, 404);
}

TEST_F(XapiApiTest, IfNoneMatchStarOverAnExistingProfileIs412) {
  // §3.1 (s4.b6, s4.b9): If-None-Match: * creates only when absent.
  const HeaderList none = {{"If-None-Match", "*"}};
  EXPECT_EQ(Xapi("PUT", AgentProfileOf("p"), R"({"v":1})", ingest_token_, none).status, 204);
  EXPECT_EQ(Xapi("PUT", AgentProfileOf("p"), R"({"v":2})", ingest_token_, none).status, 412);
  EXPECT_EQ(Xapi("GET", AgentProfileOf("p"), "", read_token_).json["v"], 1);
}

TEST_F(XapiApiTest, ActivityProfilesAreKeyedByActivityAndListedById) {
  // §2.7 (Activity Profile Resource: single document and Multiple Document GET).
  const std::string base = fmt::format("/xapi/activities/profile?activityId={}", Enc(kActivity));
  ASSERT_EQ(Xapi("PUT", base + "&profileId=b", R"({"x":1})", ingest_token_).status, 204);
  ASSERT_EQ(Xapi("PUT", base + "&profileId=a", "<xml/>", ingest_token_,
                 {{"Content-Type", "application/xml"}})
                .status,
            204);
  EXPECT_EQ(Xapi("GET", base, "", read_token_).json, nlohmann::json::parse(R"(["a","b"])"));
  Reply a = Xapi("GET", base + "&profileId=a", "", read_token_);
  EXPECT_EQ(a.body, "<xml/>");
  EXPECT_EQ(last_headers_["content-type"], "application/xml");
  const std::string other =
      fmt::format("/xapi/activities/profile?activityId={}", Enc("https://lms.example/au/2"));
  EXPECT_EQ(Xapi("GET", other, "", read_token_).json, nlohmann::json::array());
  EXPECT_EQ(Xapi("GET", other + "&profileId=a", "", read_token_).status, 404);
}

TEST_F(XapiApiTest, DocumentsNeedTheApiScopesAndStayInTheirAccount) {
  // §3.2 (s3.b10: 403 for credentials without permission); documents are per account.
  EXPECT_EQ(Xapi("PUT", StateOf("s"), "{}", read_token_).status, 403);
  ASSERT_EQ(Xapi("PUT", StateOf("s"), R"({"v":1})", ingest_token_).status, 204);
  EXPECT_EQ(Xapi("GET", StateOf("s"), "", ingest_token_).status, 403);
  EXPECT_EQ(Xapi("GET", StateOf("s"), "", "not-a-token").status, 401);
  // Another account's writes under the same key touch only its own documents.
  EXPECT_EQ(Xapi("PUT", StateOf("s"), R"({"v":9})", other_account_token_).status, 204);
  EXPECT_EQ(Xapi("DELETE", StateOf(""), "", other_account_token_).status, 204);
  EXPECT_EQ(Xapi("GET", StateOf("s"), "", read_token_).json["v"], 1);
}

TEST_F(XapiApiTest, ErasingAPersonDeletesTheStateAndAgentProfilesTheirAgentNames) {
  // Erasure (docs/xapi.md): documents whose agent names the user, by account name or email.
  SeedCatalog();
  const std::string ann_mail = R"({"mbox":"mailto:Ann@ACME.example"})";
  const std::string bob = R"({"account":{"homePage":"https://lms.example","name":"bob"}})";
  ASSERT_EQ(Xapi("PUT", StateOf("s"), "{}", ingest_token_).status, 204);
  ASSERT_EQ(Xapi("PUT", StateOf("s", ann_mail), "{}", ingest_token_).status, 204);
  ASSERT_EQ(Xapi("PUT", StateOf("s", bob), "{}", ingest_token_).status, 204);
  ASSERT_EQ(Xapi("PUT", AgentProfileOf("cmi5LearnerPreferences"), "{}", ingest_token_).status, 204);
  ASSERT_EQ(Delete("/api/v1/users/ann?erase=true").status, 200);
  EXPECT_EQ(Xapi("GET", StateOf("s"), "", read_token_).status, 404);
  EXPECT_EQ(Xapi("GET", StateOf("s", ann_mail), "", read_token_).status, 404);
  EXPECT_EQ(Xapi("GET", AgentProfileOf("cmi5LearnerPreferences"), "", read_token_).status, 404);
  EXPECT_EQ(Xapi("GET", StateOf("s", bob), "", read_token_).status, 200) << "Bob's stays";
}

TEST_F(XapiApiTest, TheActivitiesResourceGivesTheDefinitionOfTheLatestStatement) {
  // §2.5 (Activities Resource; s2.b1: an Activity Object even without a definition).
  const std::string target = "/xapi/activities?activityId=" + Enc(kActivity);
  Reply bare = Xapi("GET", target, "", read_token_);
  ASSERT_EQ(bare.status, 200) << bare.body;
  EXPECT_EQ(bare.json, nlohmann::json::parse(
                           R"({"objectType":"Activity","id":"https://lms.example/au/1"})"));
  ASSERT_EQ(Xapi("POST", "/xapi/statements",
                 fmt::format(R"({{"actor":{},)"
                             R"("verb":{{"id":"http://adlnet.gov/expapi/verbs/launched"}},)"
                             R"("object":{{"id":"{}","definition":{{"name":{{"en":"AU 1"}}}}}}}})",
                             kAnnAgent, kActivity),
                 ingest_token_)
                .status,
            200);
  Reply named = Xapi("GET", target, "", read_token_);
  ASSERT_EQ(named.status, 200) << named.body;
  EXPECT_EQ(named.json["definition"]["name"]["en"], "AU 1");
  EXPECT_EQ(Xapi("GET", "/xapi/activities", "", read_token_).status, 400);
}

TEST_F(XapiApiTest, TheAgentsResourceGivesAPersonOfTheAgentGiven) {
  // §2.4 (Agents Resource; s3.b3: only the information of the agent requested).
  const std::string agent = R"({"name":"Ann","mbox":"mailto:ann@acme.example"})";
  Reply person = Xapi("GET", "/xapi/agents?agent=" + Enc(agent), "", read_token_);
  ASSERT_EQ(person.status, 200) << person.body;
  EXPECT_EQ(person.json,
            nlohmann::json::parse(
                R"({"objectType":"Person","name":["Ann"],"mbox":["mailto:ann@acme.example"]})"));
  EXPECT_EQ(Xapi("GET", "/xapi/agents?agent=" + Enc(R"({"name":"Ann"})"), "", read_token_).status,
            400);
}

}  // namespace
}  // namespace cohort::testing

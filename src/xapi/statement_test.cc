// Validation of xAPI 1.0.3 statements (ParseStatements, ParseStatement, AgentKey): the spec's
// own examples are accepted, and each invalid statement breaks one MUST of the Data part.
#include "xapi/statement.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace cohort::xapi {
namespace {

using json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The smallest valid statement; tests change one thing in it.
json Base() {
  return json::parse(R"({
    "actor": {"mbox": "mailto:learner@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted", "display": {"en-US": "attempted"}},
    "object": {"id": "http://example.com/activities/quiz-1"}
  })");
}

Statement Accepted(const json& statement) {
  Result<Statement> parsed = ParseStatement(statement.dump());
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? parsed.value() : Statement{};
}

// Whether `statement` is rejected with kMalformed and a detail at `pointer` whose reason
// contains `fragment`.
::testing::AssertionResult RejectedText(std::string_view body, std::string_view pointer,
                                        std::string_view fragment) {
  Result<Statement> parsed = ParseStatement(body);
  if (parsed.ok()) return ::testing::AssertionFailure() << "accepted: " << body;
  const Status status = parsed.status();
  if (status.code() != ErrorCode::kMalformed) {
    return ::testing::AssertionFailure() << "code is not kMalformed: " << status.ToString();
  }
  for (const ErrorDetail& d : status.details()) {
    if (d.pointer == pointer && d.reason.find(fragment) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  std::string all;
  for (const ErrorDetail& d : status.details()) all += "\n  " + d.pointer + ": " + d.reason;
  return ::testing::AssertionFailure() << "no detail at '" << pointer << "' containing '"
                                       << fragment << "'; got:" << all;
}

::testing::AssertionResult Rejected(const json& statement, std::string_view pointer,
                                    std::string_view fragment) {
  return RejectedText(statement.dump(), pointer, fragment);
}

// §2.4 example: "the simplest possible Statement using all properties that MUST or SHOULD be
// used" is valid, and its parts are read out.
TEST(StatementTest, SimplestSpecExampleIsAcceptedAndReadOut) {
  const Statement s = Accepted(json::parse(R"({
    "id": "12345678-1234-5678-1234-567812345678",
    "actor": {"mbox": "mailto:xapi@adlnet.gov"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/created", "display": {"en-US": "created"}},
    "object": {"id": "http://example.adlnet.gov/xapi/example/activity"}
  })"));
  EXPECT_EQ(s.id, "12345678-1234-5678-1234-567812345678");
  EXPECT_EQ(s.actor, "mbox:mailto:xapi@adlnet.gov");
  EXPECT_EQ(s.verb, "http://adlnet.gov/expapi/verbs/created");
  EXPECT_EQ(s.object_type, "Activity");
  EXPECT_EQ(s.object_id, "http://example.adlnet.gov/xapi/example/activity");
  EXPECT_FALSE(s.timestamp.has_value());
  EXPECT_FALSE(s.version.has_value());
  EXPECT_FALSE(s.registration.has_value());
  EXPECT_FALSE(s.result.has_value());
  EXPECT_FALSE(s.session.has_value());
  EXPECT_THAT(s.agents, ElementsAre("mbox:mailto:xapi@adlnet.gov"));
  EXPECT_THAT(s.related_agents, ElementsAre("mbox:mailto:xapi@adlnet.gov"));
  EXPECT_THAT(s.related_activities, ElementsAre("http://example.adlnet.gov/xapi/example/activity"));
  EXPECT_TRUE(s.parents.empty());
  EXPECT_TRUE(s.groupings.empty());
}

// Appendix A, the "attempted" example: result with score, success, completion and a duration in
// seconds; the timestamp has a +00:00 offset.
TEST(StatementTest, AppendixAResultExampleFillsTheOutcome) {
  const Statement s = Accepted(json::parse(R"({
    "id": "7ccd3322-e1a5-411a-a67d-6a735c76f119",
    "timestamp": "2015-12-18T12:17:00+00:00",
    "actor": {"objectType": "Agent", "name": "Example Learner",
              "mbox": "mailto:example.learner@adlnet.gov"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted", "display": {"en-US": "attempted"}},
    "object": {"id": "http://example.adlnet.gov/xapi/example/simpleCBT",
               "definition": {"name": {"en-US": "simple CBT course"},
                              "description": {"en-US": "A fictitious example CBT course."}}},
    "result": {"score": {"scaled": 0.95}, "success": true, "completion": true,
               "duration": "PT1234S"}
  })"));
  ASSERT_TRUE(s.timestamp.has_value());
  EXPECT_EQ(s.timestamp->ms, 1450441020000);  // 2015-12-18T12:17:00Z
  ASSERT_TRUE(s.result.has_value());
  EXPECT_EQ(s.result->success, true);
  EXPECT_DOUBLE_EQ(s.result->scaled.value(), 0.95);
  EXPECT_FALSE(s.result->raw.has_value());
  EXPECT_EQ(s.result->duration_ms, 1'234'000);
  EXPECT_FALSE(s.result->hints.has_value());
}

// Appendix A, the long example: an identified Group actor with members, context with
// registration, contextActivities, instructor, team, platform, language, statement, and the
// LRS-set stored, authority and version.
TEST(StatementTest, AppendixALongExampleWithGroupActorAndContext) {
  const Statement s = Accepted(json::parse(R"({
    "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
    "actor": {"name": "Team PB", "mbox": "mailto:teampb@example.com", "objectType": "Group",
      "member": [
        {"name": "Andrew Downes", "account": {"homePage": "http://www.example.com",
                                              "name": "13936749"}, "objectType": "Agent"},
        {"name": "Toby Nichols", "openid": "http://toby.openid.example.org/",
         "objectType": "Agent"},
        {"name": "Ena Hills", "mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9",
         "objectType": "Agent"}]},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/attended",
             "display": {"en-GB": "attended", "en-US": "attended"}},
    "result": {"extensions": {"http://example.com/profiles/meetings/resultextensions/minuteslocation":
                              "X:\\meetings\\minutes\\examplemeeting.one"},
               "success": true, "completion": true,
               "response": "We agreed on some example actions.", "duration": "PT1H0M0S"},
    "context": {
      "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
      "contextActivities": {
        "parent": [{"id": "http://www.example.com/meetings/series/267", "objectType": "Activity"}],
        "category": [{"id": "http://www.example.com/meetings/categories/teammeeting",
                      "objectType": "Activity",
                      "definition": {"name": {"en": "team meeting"},
                                     "description": {"en": "A category of meeting."},
                                     "type": "http://example.com/expapi/activities/meetingcategory"}}],
        "other": [{"id": "http://www.example.com/meetings/occurances/34257", "objectType": "Activity"},
                  {"id": "http://www.example.com/meetings/occurances/3425567", "objectType": "Activity"}]},
      "instructor": {"name": "Andrew Downes", "account": {"homePage": "http://www.example.com",
                                                          "name": "13936749"},
                     "objectType": "Agent"},
      "team": {"name": "Team PB", "mbox": "mailto:teampb@example.com", "objectType": "Group"},
      "platform": "Example virtual meeting software",
      "language": "tlh",
      "statement": {"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}},
    "timestamp": "2013-05-18T05:32:34.804+00:00",
    "stored": "2013-05-18T05:32:34.804+00:00",
    "authority": {"account": {"homePage": "http://cloud.scorm.com/", "name": "anonymous"},
                  "objectType": "Agent"},
    "version": "1.0.0",
    "object": {"id": "http://www.example.com/meetings/occurances/34534",
      "definition": {
        "extensions": {"http://example.com/profiles/meetings/activitydefinitionextensions/room":
                       {"name": "Kilby", "id": "http://example.com/rooms/342"}},
        "name": {"en-GB": "example meeting", "en-US": "example meeting"},
        "description": {"en-GB": "An example meeting.", "en-US": "An example meeting."},
        "type": "http://adlnet.gov/expapi/activities/meeting",
        "moreInfo": "http://virtualmeeting.example.com/345256"},
      "objectType": "Activity"}
  })"));
  EXPECT_EQ(s.actor, "mbox:mailto:teampb@example.com");
  const std::vector<std::string> team = {
      "account:http://www.example.com 13936749", "mbox:mailto:teampb@example.com",
      "mbox_sha1sum:ebd31e95054c018b10727ccffd2ef2ec3a016ee9",
      "openid:http://toby.openid.example.org/"};
  EXPECT_EQ(s.agents, team);
  // The instructor and team are already there: deduplicated.
  EXPECT_EQ(s.related_agents, team);
  EXPECT_THAT(s.related_activities,
              ElementsAre("http://www.example.com/meetings/categories/teammeeting",
                          "http://www.example.com/meetings/occurances/3425567",
                          "http://www.example.com/meetings/occurances/34257",
                          "http://www.example.com/meetings/occurances/34534",
                          "http://www.example.com/meetings/series/267"));
  EXPECT_THAT(s.parents, ElementsAre("http://www.example.com/meetings/series/267"));
  EXPECT_TRUE(s.groupings.empty());
  EXPECT_EQ(s.registration, "ec531277-b57b-4c15-8d91-d292c5b2b8f7");
  EXPECT_EQ(s.version, "1.0.0");
  ASSERT_TRUE(s.timestamp.has_value());
  EXPECT_EQ(s.timestamp->ms, 1368855154804);
  ASSERT_TRUE(s.result.has_value());
  EXPECT_EQ(s.result->duration_ms, 3'600'000);
  EXPECT_FALSE(s.result->scaled.has_value());
}

// §2.4.4.3 SubStatement example: "I planned to visit 'Some Awesome Website'". The
// SubStatement's agents and activities are related, not direct.
TEST(StatementTest, SubStatementExampleContributesToRelatedSetsOnly) {
  const Statement s = Accepted(json::parse(R"({
    "actor": {"objectType": "Agent", "mbox": "mailto:test@example.com"},
    "verb": {"id": "http://example.com/planned", "display": {"en-US": "planned"}},
    "object": {"objectType": "SubStatement",
      "actor": {"objectType": "Agent", "mbox": "mailto:other@example.com"},
      "verb": {"id": "http://example.com/visited", "display": {"en-US": "will visit"}},
      "object": {"objectType": "Activity", "id": "http://example.com/website",
                 "definition": {"name": {"en-US": "Some Awesome Website"}}},
      "context": {"instructor": {"mbox": "mailto:teacher@example.com"},
                  "contextActivities": {"grouping": {"id": "http://example.com/course"}}},
      "timestamp": "2099-01-01T00:00:00Z"}
  })"));
  EXPECT_EQ(s.object_type, "SubStatement");
  EXPECT_EQ(s.object_id, "");
  EXPECT_THAT(s.agents, ElementsAre("mbox:mailto:test@example.com"));
  EXPECT_THAT(s.related_agents,
              ElementsAre("mbox:mailto:other@example.com", "mbox:mailto:teacher@example.com",
                          "mbox:mailto:test@example.com"));
  EXPECT_THAT(s.related_activities,
              ElementsAre("http://example.com/course", "http://example.com/website"));
  // The SubStatement's grouping is not the statement's.
  EXPECT_TRUE(s.groupings.empty());
}

// Appendix B: a SubStatement whose object is a Statement Reference.
TEST(StatementTest, AppendixBSubStatementWithStatementRefIsAccepted) {
  json s = Base();
  s["object"] = json::parse(R"({"objectType": "SubStatement",
    "actor": {"objectType": "Agent", "mbox": "mailto:agent@example.com"},
    "verb": {"id": "http://example.com/confirmed", "display": {"en": "confirmed"}},
    "object": {"objectType": "StatementRef", "id": "9e13cefd-53d3-4eac-b5ed-2cf6693903bb"}})");
  EXPECT_EQ(Accepted(s).object_type, "SubStatement");
}

// §2.3.2 voiding example; §2.4.4.3: a StatementRef's id is a UUID; object_id is lower-cased.
TEST(StatementTest, VoidingStatementRefIdIsLowerCased) {
  const Statement s = Accepted(json::parse(R"({
    "actor": {"objectType": "Agent", "name": "Example Admin",
              "mbox": "mailto:admin@example.adlnet.gov"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
    "object": {"objectType": "StatementRef", "id": "E05AA883-ACAF-40AD-BF54-02C8CE485FB0"}
  })"));
  EXPECT_EQ(s.verb, kVoidedVerb);
  EXPECT_EQ(s.object_type, "StatementRef");
  EXPECT_EQ(s.object_id, "e05aa883-acaf-40ad-bf54-02c8ce485fb0");
  EXPECT_TRUE(s.related_activities.empty());
}

// §2.3.2: a voiding statement's object MUST be a StatementRef.
TEST(StatementTest, VoidingStatementMustReferToAStatement) {
  json s = Base();
  s["verb"]["id"] = std::string(kVoidedVerb);
  EXPECT_TRUE(Rejected(s, "/object", "MUST be a StatementRef"));
  s["object"] = {{"objectType", "Agent"}, {"mbox", "mailto:x@example.com"}};
  EXPECT_TRUE(Rejected(s, "/object", "MUST be a StatementRef"));
}

// Appendix C: every cmi.interaction definition example is a valid Activity Definition
// (§2.4.4.1: interactionType and its component lists).
TEST(StatementTest, AppendixCInteractionDefinitionsAreAccepted) {
  const std::vector<std::string> definitions = {
      R"({"type": "http://adlnet.gov/expapi/activities/cmi.interaction",
          "interactionType": "true-false", "correctResponsesPattern": ["true"]})",
      R"({"interactionType": "choice", "correctResponsesPattern": ["golf[,]tetris"],
          "choices": [{"id": "golf", "description": {"en-US": "Golf Example"}},
                      {"id": "tetris", "description": {"en-US": "Tetris Example"}}]})",
      R"({"interactionType": "fill-in", "correctResponsesPattern": ["Bob's your uncle"]})",
      R"({"interactionType": "long-fill-in",
          "correctResponsesPattern": ["{case_matters=false}{lang=en}To store."]})",
      R"({"interactionType": "likert", "correctResponsesPattern": ["likert_3"],
          "scale": [{"id": "likert_0", "description": {"en-US": "It's OK"}},
                    {"id": "likert_3", "description": {"en-US": "It's Gonna Change the World"}}]})",
      R"({"interactionType": "matching", "correctResponsesPattern": ["ben[.]3[,]chris[.]2"],
          "source": [{"id": "ben", "description": {"en-US": "Ben"}}, {"id": "chris"}],
          "target": [{"id": "2"}, {"id": "3", "description": {"en-US": "Duck"}}]})",
      R"({"interactionType": "performance", "correctResponsesPattern": ["pong[.]1:[,]dg[.]:10"],
          "steps": [{"id": "pong"}, {"id": "dg"}]})",
      R"({"interactionType": "sequencing", "correctResponsesPattern": ["tim[,]mike"],
          "choices": [{"id": "tim"}, {"id": "mike"}]})",
      R"({"interactionType": "numeric", "correctResponsesPattern": ["4[:]"]})",
      R"j({"interactionType": "other", "correctResponsesPattern": ["(35.937432,-86.868896)"]})j",
      R"({"interactionType": "choice", "correctResponsesPattern": []})"};
  for (const std::string& definition : definitions) {
    json s = Base();
    s["object"]["definition"] = json::parse(definition);
    Result<Statement> parsed = ParseStatement(s.dump());
    EXPECT_TRUE(parsed.ok()) << definition << "\n" << parsed.status().ToString();
  }
}

// POST /statements takes an array: each element is validated; pointers start with its index
// and details carry it.
TEST(StatementTest, BatchIsValidatedElementByElementWithIndexedPointers) {
  json good = Base();
  json bad = Base();
  bad["actor"]["mbox"] = "learner@example.com";
  Result<std::vector<Statement>> ok = ParseStatements(json::array({good, good}).dump());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->size(), 2u);

  Result<std::vector<Statement>> failed = ParseStatements(json::array({good, bad}).dump());
  ASSERT_FALSE(failed.ok());
  ASSERT_EQ(failed.status().details().size(), 1u);
  const ErrorDetail d = failed.status().details()[0];
  EXPECT_EQ(d.index, 1u);
  EXPECT_EQ(d.pointer, "/1/actor/mbox");
  EXPECT_THAT(d.reason, HasSubstr("mailto"));
  EXPECT_THAT(failed.status().message(),
              HasSubstr("1 problem in the statement(s); nothing was stored (/1/actor/mbox: "));

  Result<std::vector<Statement>> single = ParseStatements(good.dump());
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->size(), 1u);
  Result<std::vector<Statement>> empty = ParseStatements("[]");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

// The body must be a statement object or an array of them.
TEST(StatementTest, BodyThatIsNotAnObjectOrArrayOfObjectsIsRejected) {
  EXPECT_TRUE(RejectedText("42", "", "must be a JSON object"));
  EXPECT_TRUE(RejectedText("\"statement\"", "", "must be a JSON object"));
  Result<std::vector<Statement>> batch = ParseStatements(R"([{"actor": 1}, 7])");
  ASSERT_FALSE(batch.ok());
  bool found = false;
  const Status status = batch.status();
  for (const ErrorDetail& d : status.details()) {
    if (d.pointer == "/1" && d.reason.find("JSON object") != std::string::npos) found = true;
  }
  EXPECT_TRUE(found) << batch.status().ToString();
  // PUT takes exactly one statement.
  EXPECT_TRUE(RejectedText(json::array({Base()}).dump(), "", "one statement object"));
}

// Malformed JSON, invalid UTF-8 and an empty body are kMalformed with one detail at the root.
TEST(StatementTest, MalformedJsonInvalidUtf8AndEmptyBodyAreRejected) {
  for (const std::string& body : {std::string(R"({"actor": )"), std::string(R"({"a" 1})"),
                                 std::string("{} {}"), std::string("[1,]"), std::string("")}) {
    Result<std::vector<Statement>> parsed = ParseStatements(body);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kMalformed) << body;
    ASSERT_EQ(parsed.status().details().size(), 1u);
    EXPECT_EQ(parsed.status().details()[0].pointer, "");
  }
  std::string utf8 = Base().dump();
  utf8.replace(utf8.find("learner"), 1, "\xC3\x28");
  Result<Statement> bad = ParseStatement(utf8);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("UTF-8"));
}

// Nesting deeper than 64 levels is rejected as malformed even inside extensions; 64 is fine.
TEST(StatementTest, NestingDeeperThanSixtyFourLevelsIsRejected) {
  auto with_depth = [](int total) {
    // The statement, "result" and "extensions" are 3 levels; the value makes up the rest.
    const int inner = total - 3;
    std::string value(static_cast<std::size_t>(inner), '[');
    value += std::string(static_cast<std::size_t>(inner), ']');
    json s = Base();
    std::string text = s.dump();
    text.insert(text.size() - 1,
                R"(,"result":{"extensions":{"http://example.com/deep":)" + value + "}}");
    return text;
  };
  Result<Statement> ok = ParseStatement(with_depth(64));
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
  Result<Statement> deep = ParseStatement(with_depth(65));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().code(), ErrorCode::kMalformed);
  EXPECT_THAT(deep.status().message(), HasSubstr("deeper than 64"));
}

// §2.2: "A Statement MUST use each property no more than one time" — also inside extensions.
TEST(StatementTest, DuplicatePropertiesAreRejected) {
  std::string top = Base().dump();
  top.insert(top.size() - 1, R"(,"verb":{"id":"http://example.com/v"})");
  EXPECT_TRUE(RejectedText(top, "/verb", "more than once"));
  std::string nested = Base().dump();
  nested.insert(nested.size() - 1,
                R"(,"context":{"extensions":{"http://e.com/x":{"a":1,"a":2}}})");
  EXPECT_TRUE(RejectedText(nested, "/context/extensions/http:~1~1e.com~1x/a", "more than once"));
}

// §2.2: "A Statement MUST use 'actor', 'verb', and 'object'"; the summary counts the problems.
TEST(StatementTest, MissingActorVerbAndObjectAreThreeProblems) {
  Result<Statement> parsed = ParseStatement(R"({"id": "12345678-1234-5678-1234-567812345678"})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().details().size(), 3u);
  EXPECT_THAT(parsed.status().message(),
              HasSubstr("3 problems in the statement(s); nothing was stored (first: the root: "));
  EXPECT_TRUE(RejectedText(R"({"verb": {"id": "http://e.com/v"}, "object": {"id": "http://e.com/a"}})",
                       "", "must have 'actor'"));
}

// §2.2 LRS: MUST reject keys not allowed by the specification, and keys whose case does not
// match ("Actor" is not "actor").
TEST(StatementTest, UnknownAndWronglyCasedPropertiesAreRejected) {
  json s = Base();
  s["foo"] = 1;
  EXPECT_TRUE(Rejected(s, "/foo", "not a property of a statement"));
  json cased = Base();
  cased["Actor"] = cased["actor"];
  EXPECT_TRUE(Rejected(cased, "/Actor", "case-sensitive"));
  json agent = Base();
  agent["actor"]["email"] = "x";
  EXPECT_TRUE(Rejected(agent, "/actor/email", "not a property of an Agent"));
  json top_type = Base();
  top_type["objectType"] = "Statement";
  EXPECT_TRUE(Rejected(top_type, "/objectType", "not a property"));
}

// §2.2 LRS: MUST reject null values, except inside extensions (§4.1: never reject on values).
TEST(StatementTest, NullValuesAreRejectedExceptInsideExtensions) {
  json s = Base();
  s["result"] = nullptr;
  EXPECT_TRUE(Rejected(s, "/result", "must not be null"));
  json name = Base();
  name["actor"]["name"] = nullptr;
  EXPECT_TRUE(Rejected(name, "/actor/name", "must not be null"));
  json display = Base();
  display["verb"]["display"]["en-US"] = nullptr;
  EXPECT_TRUE(Rejected(display, "/verb/display/en-US", "must not be null"));
  json extension = Base();
  extension["context"]["extensions"]["http://example.com/ext"] = nullptr;
  Accepted(extension);
}

// §2.4.1 / §4.4: the id MUST be a UUID in standard string form; any case is accepted and
// lower-cased.
TEST(StatementTest, StatementIdMustBeAUuid) {
  for (const char* bad : {"", "not-a-uuid", "12345678123456781234567812345678",
                          "12345678-1234-5678-1234-56781234567g",
                          "{12345678-1234-5678-1234-567812345678}"}) {
    json s = Base();
    s["id"] = bad;
    EXPECT_TRUE(Rejected(s, "/id", "UUID")) << bad;
  }
  json number = Base();
  number["id"] = 12;
  EXPECT_TRUE(Rejected(number, "/id", "must be a string"));
  json upper = Base();
  upper["id"] = "FD41C918-B88B-4B20-A0A5-A4C32391AAA0";
  EXPECT_EQ(Accepted(upper).id, "fd41c918-b88b-4b20-a0a5-a4c32391aaa0");
}

// §2.4.2.1: an Agent MUST be identified by one IFI and MUST NOT include more than one.
TEST(StatementTest, AgentNeedsExactlyOneInverseFunctionalIdentifier) {
  json none = Base();
  none["actor"] = {{"name", "Nobody"}};
  EXPECT_TRUE(Rejected(none, "/actor", "exactly one of mbox"));
  json two = Base();
  two["actor"]["openid"] = "http://openid.example.com/learner";
  EXPECT_TRUE(Rejected(two, "/actor", "more than one inverse functional identifier"));
  json not_object = Base();
  not_object["actor"] = "mailto:learner@example.com";
  EXPECT_TRUE(Rejected(not_object, "/actor", "JSON object"));
}

// §2.4.2.3: mbox is a mailto IRI ("mailto:email address"); the key lower-cases only the scheme.
TEST(StatementTest, MboxMustBeAMailtoIri) {
  for (const char* bad : {"learner@example.com", "mailto:", "mailto:learner",
                          "mailto:@example.com", "mailto:learner@", "http://example.com",
                          "mailto:lear ner@example.com", ""}) {
    json s = Base();
    s["actor"]["mbox"] = bad;
    EXPECT_TRUE(Rejected(s, "/actor/mbox", "mbox must be a mailto: IRI")) << bad;
  }
  json upper = Base();
  upper["actor"]["mbox"] = "MAILTO:Learner@Example.com";
  EXPECT_EQ(Accepted(upper).actor, "mbox:mailto:Learner@Example.com");
}

// §2.4.2.3: mbox_sha1sum is a hex SHA-1; openid a URI; §2.4.2.4: account has homePage (IRL)
// and name, both required, nothing else.
TEST(StatementTest, OtherIdentifiersAreValidatedAndKeyed) {
  json sha = Base();
  sha["actor"] = {{"mbox_sha1sum", "EBD31E95054C018B10727CCFFD2EF2EC3A016EE9"}};
  EXPECT_EQ(Accepted(sha).actor, "mbox_sha1sum:ebd31e95054c018b10727ccffd2ef2ec3a016ee9");
  sha["actor"]["mbox_sha1sum"] = "ebd31e95054c018b10727ccffd2ef2ec3a016ee";
  EXPECT_TRUE(Rejected(sha, "/actor/mbox_sha1sum", "40 hex digits"));

  json openid = Base();
  openid["actor"] = {{"openid", "http://toby.openid.example.org/"}};
  EXPECT_EQ(Accepted(openid).actor, "openid:http://toby.openid.example.org/");
  openid["actor"]["openid"] = "toby.openid.example.org";
  EXPECT_TRUE(Rejected(openid, "/actor/openid", "IRI"));

  json account = Base();
  account["actor"] = {{"account", {{"homePage", "http://www.example.com"}, {"name", "1625378"}}}};
  EXPECT_EQ(Accepted(account).actor, "account:http://www.example.com 1625378");
  json no_name = account;
  no_name["actor"]["account"].erase("name");
  EXPECT_TRUE(Rejected(no_name, "/actor/account", "must have 'name'"));
  json bad_home = account;
  bad_home["actor"]["account"]["homePage"] = "www.example.com";
  EXPECT_TRUE(Rejected(bad_home, "/actor/account/homePage", "IRI"));
  json extra = account;
  extra["actor"]["account"]["id"] = 1;
  EXPECT_TRUE(Rejected(extra, "/actor/account/id", "not a property of an account"));
  json number_name = account;
  number_name["actor"]["account"]["name"] = 1625378;
  EXPECT_TRUE(Rejected(number_name, "/actor/account/name", "must be a string"));
}

// §2.2: enumerated values are case-sensitive: objectType "agent" is not "Agent".
TEST(StatementTest, ActorObjectTypeIsCaseSensitive) {
  json s = Base();
  s["actor"]["objectType"] = "agent";
  EXPECT_TRUE(Rejected(s, "/actor/objectType", "\"Agent\" or \"Group\""));
  s["actor"]["objectType"] = "Activity";
  EXPECT_TRUE(Rejected(s, "/actor/objectType", "\"Agent\" or \"Group\""));
}

// §2.4.2.2: an anonymous Group MUST include "member"; Groups MUST NOT contain Groups; members
// are Agents, validated as such.
TEST(StatementTest, GroupMembersRules) {
  json anonymous = Base();
  anonymous["actor"] = {{"objectType", "Group"}, {"name", "Ad hoc"}};
  EXPECT_TRUE(Rejected(anonymous, "/actor", "must have \"member\""));
  anonymous["actor"]["member"] = json::array();
  EXPECT_TRUE(Rejected(anonymous, "/actor/member", "at least one Agent"));
  anonymous["actor"]["member"] = json::array(
      {{{"objectType", "Group"}, {"mbox", "mailto:g@example.com"}}});
  EXPECT_TRUE(Rejected(anonymous, "/actor/member/0", "not Groups"));
  anonymous["actor"]["member"] = json::array({{{"name", "No IFI"}}});
  EXPECT_TRUE(Rejected(anonymous, "/actor/member/0", "exactly one of mbox"));
  anonymous["actor"]["member"] = "mailto:a@example.com";
  EXPECT_TRUE(Rejected(anonymous, "/actor/member", "array of Agents"));

  json ok = Base();
  ok["actor"] = json::parse(R"({"objectType": "Group", "member": [
      {"mbox": "mailto:b@example.com"}, {"mbox": "mailto:a@example.com"},
      {"mbox": "mailto:a@example.com"}]})");
  const Statement s = Accepted(ok);
  EXPECT_EQ(s.actor, "");  // anonymous
  EXPECT_THAT(s.agents, ElementsAre("mbox:mailto:a@example.com", "mbox:mailto:b@example.com"));
}

// §2.4.2.2: an identified Group has exactly one IFI; Appendix B's Group example.
TEST(StatementTest, IdentifiedGroupIsKeyedByItsIdentifier) {
  json s = Base();
  s["object"] = json::parse(R"({"name": "Example Group",
    "account": {"homePage": "http://example.com/homePage", "name": "GroupAccount"},
    "objectType": "Group",
    "member": [{"name": "Andrew Downes", "mbox": "mailto:andrew@example.com", "objectType": "Agent"},
               {"name": "Aaron Silvers", "openid": "http://aaron.openid.example.org",
                "objectType": "Agent"}]})");
  const Statement st = Accepted(s);
  EXPECT_EQ(st.object_type, "Group");
  EXPECT_EQ(st.object_id, "account:http://example.com/homePage GroupAccount");
  EXPECT_THAT(st.agents, ElementsAre("account:http://example.com/homePage GroupAccount",
                                     "mbox:mailto:andrew@example.com",
                                     "mbox:mailto:learner@example.com",
                                     "openid:http://aaron.openid.example.org"));
  EXPECT_TRUE(st.related_activities.empty());
  s["object"]["mbox"] = "mailto:group@example.com";
  EXPECT_TRUE(Rejected(s, "/object", "more than one inverse functional identifier"));
}

// §2.4.4.2: an Agent as object MUST specify objectType (without it, it reads as an Activity).
TEST(StatementTest, AgentObjectNeedsObjectType) {
  json s = Base();
  s["object"] = {{"mbox", "mailto:jeff@example.com"}};
  EXPECT_TRUE(Rejected(s, "/object/mbox", "not a property of an Activity"));
  EXPECT_TRUE(Rejected(s, "/object", "must have 'id'"));
  s["object"]["objectType"] = "Agent";
  const Statement st = Accepted(s);
  EXPECT_EQ(st.object_type, "Agent");
  EXPECT_EQ(st.object_id, "mbox:mailto:jeff@example.com");
  EXPECT_THAT(st.agents,
              ElementsAre("mbox:mailto:jeff@example.com", "mbox:mailto:learner@example.com"));
}

// §2.4.3: the verb has an IRI id (required) and a language map display; nothing else.
TEST(StatementTest, VerbRules) {
  json no_id = Base();
  no_id["verb"].erase("id");
  EXPECT_TRUE(Rejected(no_id, "/verb", "must have 'id'"));
  json relative = Base();
  relative["verb"]["id"] = "verbs/attempted";
  EXPECT_TRUE(Rejected(relative, "/verb/id", "absolute IRI"));
  json empty = Base();
  empty["verb"]["id"] = "";
  EXPECT_TRUE(Rejected(empty, "/verb/id", "absolute IRI"));
  json tag = Base();
  tag["verb"]["display"] = {{"en US", "attempted"}};
  EXPECT_TRUE(Rejected(tag, "/verb/display/en US", "RFC 5646"));
  json value = Base();
  value["verb"]["display"] = {{"en-US", 1}};
  EXPECT_TRUE(Rejected(value, "/verb/display/en-US", "must be a string"));
  json not_map = Base();
  not_map["verb"]["display"] = "attempted";
  EXPECT_TRUE(Rejected(not_map, "/verb/display", "language map"));
  json extra = Base();
  extra["verb"]["name"] = "attempted";
  EXPECT_TRUE(Rejected(extra, "/verb/name", "not a property of a Verb"));
}

// §2.4.4: objectType is one of Activity, Agent, Group, SubStatement, StatementRef, exactly.
TEST(StatementTest, ObjectTypeMustBeAKnownValue) {
  for (const char* bad : {"activity", "Statement", "Person", ""}) {
    json s = Base();
    s["object"]["objectType"] = bad;
    EXPECT_TRUE(Rejected(s, "/object/objectType", "must be one of")) << bad;
  }
  json number = Base();
  number["object"]["objectType"] = 1;
  EXPECT_TRUE(Rejected(number, "/object/objectType", "must be a string"));
  json explicit_activity = Base();
  explicit_activity["object"]["objectType"] = "Activity";
  EXPECT_EQ(Accepted(explicit_activity).object_type, "Activity");
}

// §2.4.4.1: an Activity has an IRI id (relative IRIs and fragments are not IRIs, §2.2: IRIs
// without a scheme MUST be rejected).
TEST(StatementTest, ActivityIdMustBeAnAbsoluteIri) {
  for (const char* bad : {"activity/1", "#fragment", "", "http://example.com/a b",
                          "http://example.com/%zz", "1http://example.com"}) {
    json s = Base();
    s["object"]["id"] = bad;
    EXPECT_TRUE(Rejected(s, "/object/id", "absolute IRI")) << bad;
  }
  json urn = Base();
  urn["object"]["id"] = "urn:uuid:fd41c918-b88b-4b20-a0a5-a4c32391aaa0";
  Accepted(urn);
  json iri = Base();
  iri["object"]["id"] = "http://example.com/فعل/خواندن";
  Accepted(iri);
}

// §2.4.4.1: Activity Definition properties: language maps, type IRI, moreInfo IRL, extensions
// with IRI keys (§4.1), nothing else.
TEST(StatementTest, ActivityDefinitionRules) {
  auto with_definition = [](json definition) {
    json s = Base();
    s["object"]["definition"] = std::move(definition);
    return s;
  };
  EXPECT_TRUE(Rejected(with_definition({{"name", {{"en_US", "x"}}}}),
                       "/object/definition/name/en_US", "RFC 5646"));
  EXPECT_TRUE(Rejected(with_definition({{"type", "quiz"}}), "/object/definition/type", "IRI"));
  EXPECT_TRUE(
      Rejected(with_definition({{"moreInfo", "www.x"}}), "/object/definition/moreInfo", "IRI"));
  EXPECT_TRUE(Rejected(with_definition({{"extensions", {{"room", 1}}}}),
                       "/object/definition/extensions/room", "MUST be IRIs"));
  EXPECT_TRUE(Rejected(with_definition({{"title", "x"}}), "/object/definition/title",
                       "not a property of an Activity Definition"));
  EXPECT_TRUE(Rejected(with_definition(json::array()), "/object/definition", "JSON object"));
}

// §2.4.4.1: "Interaction Activities MUST have a valid interactionType"; component lists belong
// to their interaction types; component ids MUST be distinct.
TEST(StatementTest, InteractionRules) {
  auto with_definition = [](const char* definition) {
    json s = Base();
    s["object"]["definition"] = json::parse(definition);
    return s;
  };
  EXPECT_TRUE(Rejected(with_definition(R"({"interactionType": "multiple-choice"})"),
                       "/object/definition/interactionType", "MUST have a valid interactionType"));
  EXPECT_TRUE(Rejected(with_definition(R"({"interactionType": "Choice"})"),
                       "/object/definition/interactionType", "must be one of"));
  EXPECT_TRUE(Rejected(with_definition(R"({"choices": [{"id": "a"}]})"),
                       "/object/definition/choices", "MUST have an interactionType"));
  EXPECT_TRUE(Rejected(with_definition(R"({"correctResponsesPattern": ["a"]})"),
                       "/object/definition/correctResponsesPattern",
                       "MUST have an interactionType"));
  EXPECT_TRUE(Rejected(with_definition(R"({"interactionType": "choice", "scale": [{"id": "a"}]})"),
                       "/object/definition/scale", "no 'scale' component list"));
  EXPECT_TRUE(Rejected(
      with_definition(R"({"interactionType": "choice", "choices": [{"id": "a"}, {"id": "a"}]})"),
      "/object/definition/choices/1/id", "MUST be distinct"));
  EXPECT_TRUE(Rejected(
      with_definition(R"({"interactionType": "choice", "choices": [{"description": {"en": "x"}}]})"),
      "/object/definition/choices/0", "must have 'id'"));
  EXPECT_TRUE(
      Rejected(with_definition(R"({"interactionType": "choice", "correctResponsesPattern": "a"})"),
               "/object/definition/correctResponsesPattern", "array of strings"));
  EXPECT_TRUE(
      Rejected(with_definition(R"({"interactionType": "choice", "correctResponsesPattern": [1]})"),
               "/object/definition/correctResponsesPattern/0", "must be a string"));
  // Distinct within one list only: source and target may share ids.
  Accepted(with_definition(
      R"({"interactionType": "matching", "source": [{"id": "1"}], "target": [{"id": "1"}]})"));
}

// §2.4.4.3: a Statement Reference MUST have objectType "StatementRef" and a UUID id, nothing
// else.
TEST(StatementTest, StatementRefRules) {
  json s = Base();
  s["object"] = {{"objectType", "StatementRef"}};
  EXPECT_TRUE(Rejected(s, "/object", "must have 'id'"));
  s["object"]["id"] = "8f87ccde";
  EXPECT_TRUE(Rejected(s, "/object/id", "UUID"));
  s["object"]["id"] = "8f87ccde-bb56-4c2e-ab83-44982ef22df0";
  s["object"]["definition"] = json::object();
  EXPECT_TRUE(Rejected(s, "/object/definition", "not a property"));
}

// §2.4.4.3: a SubStatement MUST NOT have id, stored, version or authority, MUST NOT nest, and is
// validated as a statement.
TEST(StatementTest, SubStatementRestrictions) {
  const json sub = json::parse(R"({"objectType": "SubStatement",
      "actor": {"mbox": "mailto:a@example.com"}, "verb": {"id": "http://example.com/v"},
      "object": {"id": "http://example.com/a"}})");
  const std::vector<std::pair<std::string, json>> forbidden = {
      {"id", "8f87ccde-bb56-4c2e-ab83-44982ef22df0"},
      {"stored", "2013-05-18T05:32:34.804Z"},
      {"version", "1.0.0"},
      {"authority", {{"mbox", "mailto:a@example.com"}}}};
  for (const auto& [name, value] : forbidden) {
    json s = Base();
    s["object"] = sub;
    s["object"][name] = value;
    EXPECT_TRUE(Rejected(s, "/object/" + name, "MUST NOT have")) << name;
  }
  json nested = Base();
  nested["object"] = sub;
  nested["object"]["object"] = sub;
  EXPECT_TRUE(Rejected(nested, "/object/object", "MUST NOT contain a SubStatement"));
  json missing = Base();
  missing["object"] = sub;
  missing["object"].erase("verb");
  EXPECT_TRUE(Rejected(missing, "/object", "must have 'verb'"));
  json bad_actor = Base();
  bad_actor["object"] = sub;
  bad_actor["object"]["actor"]["mbox"] = "a@example.com";
  EXPECT_TRUE(Rejected(bad_actor, "/object/actor/mbox", "mailto"));
}

// §2.4.5.1: scaled in [-1, 1]; raw between min and max inclusive; min less than max; numbers,
// not strings (§2.2).
TEST(StatementTest, ScoreRules) {
  auto with_score = [](json score) {
    json s = Base();
    s["result"]["score"] = std::move(score);
    return s;
  };
  EXPECT_TRUE(Rejected(with_score({{"scaled", 1.5}}), "/result/score/scaled", "between -1 and 1"));
  EXPECT_TRUE(
      Rejected(with_score({{"scaled", -1.01}}), "/result/score/scaled", "between -1 and 1"));
  EXPECT_TRUE(Rejected(with_score({{"scaled", "0.5"}}), "/result/score/scaled", "must be a number"));
  EXPECT_TRUE(Rejected(with_score({{"raw", 5}, {"min", 6}}), "/result/score/raw", "between min"));
  EXPECT_TRUE(Rejected(with_score({{"raw", 11}, {"max", 10}}), "/result/score/raw", "between min"));
  EXPECT_TRUE(Rejected(with_score({{"min", 10}, {"max", 10}}), "/result/score/min", "less than max"));
  EXPECT_TRUE(Rejected(with_score({{"grade", "A"}}), "/result/score/grade", "not a property"));
  Statement edge = Accepted(with_score({{"scaled", -1}, {"raw", 0}, {"min", 0}, {"max", 10}}));
  ASSERT_TRUE(edge.result.has_value());
  EXPECT_DOUBLE_EQ(edge.result->scaled.value(), -1.0);
  EXPECT_DOUBLE_EQ(edge.result->raw.value(), 0.0);
  Statement top = Accepted(with_score({{"scaled", 1}, {"raw", 10}, {"max", 10}}));
  EXPECT_DOUBLE_EQ(top.result->scaled.value(), 1.0);
  EXPECT_DOUBLE_EQ(top.result->raw.value(), 10.0);
}

// §2.4.5 / §2.2: success and completion are booleans, not strings; response is a string.
TEST(StatementTest, ResultTypesAreChecked) {
  json success = Base();
  success["result"]["success"] = "true";
  EXPECT_TRUE(Rejected(success, "/result/success", "true or false"));
  json completion = Base();
  completion["result"]["completion"] = 1;
  EXPECT_TRUE(Rejected(completion, "/result/completion", "true or false"));
  json response = Base();
  response["result"]["response"] = 42;
  EXPECT_TRUE(Rejected(response, "/result/response", "must be a string"));
  json extra = Base();
  extra["result"]["grade"] = "A";
  EXPECT_TRUE(Rejected(extra, "/result/grade", "not a property of a result"));
  json failed = Base();
  failed["result"] = {{"success", false}};
  const Statement s = Accepted(failed);
  ASSERT_TRUE(s.result.has_value());
  EXPECT_EQ(s.result->success, false);
  EXPECT_FALSE(s.result->duration_ms.has_value());
}

// §4.6: result.duration MUST be an ISO 8601 duration; it is read to the millisecond, rounded
// down; years and months have no fixed length, so no milliseconds.
TEST(StatementTest, DurationIsValidatedAndConvertedToMilliseconds) {
  const std::vector<std::pair<std::string, std::optional<std::int64_t>>> good = {
      {"PT4H35M59.14S", 16'559'140}, {"PT1H30M", 5'400'000}, {"P1DT1S", 86'401'000},
      {"P2W", 1'209'600'000},        {"PT0.0019S", 1},        {"PT1,5S", 1'500},
      {"P3Y1M29DT4H35M59.14S", std::nullopt},                 {"P3Y", std::nullopt}};
  for (const auto& [text, ms] : good) {
    json s = Base();
    s["result"]["duration"] = text;
    const Statement st = Accepted(s);
    ASSERT_TRUE(st.result.has_value()) << text;
    EXPECT_EQ(st.result->duration_ms, ms) << text;
  }
  for (const char* bad : {"", "P", "PT", "1H", "PT1H30", "P1W1D", "PT-1S", "P1DT", "PT1.5H30M",
                          "pt1h", "PT1M1H", "P0.5Y2M", "01:30:00", "P1Y2M3DT4H5M6S7"}) {
    json s = Base();
    s["result"]["duration"] = bad;
    EXPECT_TRUE(Rejected(s, "/result/duration", "ISO 8601 duration")) << bad;
  }
}

// Cohort's hints extension (docs/xapi.md): an integer ≥ 0 is read; any other value is kept
// but ignored (§4.1: the LRS MUST NOT reject a statement based on extension values).
TEST(StatementTest, HintsExtensionIsReadWhenANonNegativeInteger) {
  auto hints_of = [](json value) {
    json s = Base();
    s["result"]["extensions"][std::string(kHintsExtension)] = std::move(value);
    return Accepted(s).result.value_or(Statement::Outcome{}).hints;
  };
  EXPECT_EQ(hints_of(3), 3);
  EXPECT_EQ(hints_of(0), 0);
  EXPECT_EQ(hints_of(-1), std::nullopt);
  EXPECT_EQ(hints_of("3"), std::nullopt);
  EXPECT_EQ(hints_of(2.5), std::nullopt);
  EXPECT_EQ(hints_of(nullptr), std::nullopt);
  json bad_key = Base();
  bad_key["result"]["extensions"]["hints"] = 1;
  EXPECT_TRUE(Rejected(bad_key, "/result/extensions/hints", "§4.1"));
}

// §2.4.6: registration is a UUID (lower-cased); instructor an Agent or Group; team MUST be a
// Group; language an RFC 5646 tag; statement a Statement Reference.
TEST(StatementTest, ContextPropertyRules) {
  json reg = Base();
  reg["context"]["registration"] = "EC531277-B57B-4C15-8D91-D292C5B2B8F7";
  EXPECT_EQ(Accepted(reg).registration, "ec531277-b57b-4c15-8d91-d292c5b2b8f7");
  reg["context"]["registration"] = "ec531277";
  EXPECT_TRUE(Rejected(reg, "/context/registration", "UUID"));

  json team = Base();
  team["context"]["team"] = {{"mbox", "mailto:team@example.com"}};
  EXPECT_TRUE(Rejected(team, "/context/team", "must be a Group"));
  team["context"]["team"]["objectType"] = "Group";
  team["context"]["instructor"] = {{"objectType", "Group"},
                                   {"member", json::array({{{"mbox", "mailto:t@example.com"}}})}};
  const Statement s = Accepted(team);
  EXPECT_THAT(s.agents, ElementsAre("mbox:mailto:learner@example.com"));
  EXPECT_THAT(s.related_agents,
              ElementsAre("mbox:mailto:learner@example.com", "mbox:mailto:t@example.com",
                          "mbox:mailto:team@example.com"));

  json instructor = Base();
  instructor["context"]["instructor"] = {{"name", "No IFI"}};
  EXPECT_TRUE(Rejected(instructor, "/context/instructor", "exactly one of mbox"));
  json language = Base();
  language["context"]["language"] = "english!";
  EXPECT_TRUE(Rejected(language, "/context/language", "RFC 5646"));
  json ref = Base();
  ref["context"]["statement"] = {{"objectType", "Statement"},
                                 {"id", "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}};
  EXPECT_TRUE(Rejected(ref, "/context/statement/objectType", "MUST be \"StatementRef\""));
  ref["context"]["statement"] = {{"id", "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}};
  EXPECT_TRUE(Rejected(ref, "/context/statement", "must have 'objectType'"));
  json extra = Base();
  extra["context"]["location"] = "x";
  EXPECT_TRUE(Rejected(extra, "/context/location", "not a property of a context"));
  json ext = Base();
  ext["context"]["extensions"] = {{"altitude", 1}};
  EXPECT_TRUE(Rejected(ext, "/context/extensions/altitude", "MUST be IRIs"));
}

// §2.4.6: revision and platform MUST only be used if the object is an Activity.
TEST(StatementTest, RevisionAndPlatformOnlyWithAnActivityObject) {
  json activity = Base();
  activity["context"] = {{"revision", "2"}, {"platform", "web"}};
  Accepted(activity);
  json ref = Base();
  ref["object"] = {{"objectType", "StatementRef"}, {"id", "8f87ccde-bb56-4c2e-ab83-44982ef22df0"}};
  ref["context"] = {{"revision", "2"}};
  EXPECT_TRUE(Rejected(ref, "/context/revision", "only be used if the statement's object is an"));
  json agent = Base();
  agent["object"] = {{"objectType", "Agent"}, {"mbox", "mailto:x@example.com"}};
  agent["context"] = {{"platform", "web"}};
  EXPECT_TRUE(Rejected(agent, "/context/platform", "only be used"));
  json number = Base();
  number["context"] = {{"revision", 2}};
  EXPECT_TRUE(Rejected(number, "/context/revision", "must be a string"));
}

// §2.4.6.2: contextActivities keys are parent, grouping, category, other; each value is an
// Activity or an array of Activities; parents and groupings are read in order.
TEST(StatementTest, ContextActivitiesRules) {
  json s = Base();
  s["context"]["contextActivities"] = json::parse(R"({
    "parent": [{"id": "http://example.com/test1"}, {"id": "http://example.com/test0"}],
    "grouping": {"id": "http://example.com/Algebra1", "objectType": "Activity"},
    "category": [], "other": [{"id": "http://example.com/book"}]})");
  const Statement st = Accepted(s);
  EXPECT_THAT(st.parents, ElementsAre("http://example.com/test1", "http://example.com/test0"));
  EXPECT_THAT(st.groupings, ElementsAre("http://example.com/Algebra1"));
  EXPECT_THAT(st.related_activities,
              ElementsAre("http://example.com/Algebra1", "http://example.com/activities/quiz-1",
                          "http://example.com/book", "http://example.com/test0",
                          "http://example.com/test1"));

  json unknown = Base();
  unknown["context"]["contextActivities"] = {{"sibling", json::array()}};
  EXPECT_TRUE(
      Rejected(unknown, "/context/contextActivities/sibling", "not a property of contextActivities"));
  json string = Base();
  string["context"]["contextActivities"] = {{"parent", "http://example.com/test1"}};
  EXPECT_TRUE(Rejected(string, "/context/contextActivities/parent", "MUST be an Activity object"));
  json no_id = Base();
  no_id["context"]["contextActivities"] = {{"parent", json::array({json::object()})}};
  EXPECT_TRUE(Rejected(no_id, "/context/contextActivities/parent/0", "must have 'id'"));
  json agent = Base();
  agent["context"]["contextActivities"] = {
      {"other", {{"objectType", "Agent"}, {"id", "http://example.com/x"}}}};
  EXPECT_TRUE(Rejected(agent, "/context/contextActivities/other/objectType", "MUST be \"Activity\""));
}

// docs/xapi.md: the session is context.extensions[attempt] when a string, else the cmi5
// session id when a string.
TEST(StatementTest, SessionComesFromTheAttemptOrCmi5Extension) {
  json cmi5 = Base();
  cmi5["context"]["extensions"][std::string(kCmi5SessionExtension)] = "session-1";
  EXPECT_EQ(Accepted(cmi5).session, "session-1");
  json both = cmi5;
  both["context"]["extensions"][std::string(kAttemptExtension)] = "attempt-7";
  EXPECT_EQ(Accepted(both).session, "attempt-7");
  json number = cmi5;
  number["context"]["extensions"][std::string(kAttemptExtension)] = 7;
  EXPECT_EQ(Accepted(number).session, "session-1");
  json neither = Base();
  neither["context"]["extensions"][std::string(kCmi5SessionExtension)] = 5;
  EXPECT_EQ(Accepted(neither).session, std::nullopt);
}

// §4.5: a timestamp MUST be ISO 8601; this LRS requires a time zone (the spec's SHOULD*; an
// instant without one is ambiguous). Offsets are applied; fractions are kept to the ms.
TEST(StatementTest, TimestampRules) {
  auto timestamp_of = [](const char* text) {
    json s = Base();
    s["timestamp"] = text;
    return Accepted(s).timestamp;
  };
  EXPECT_EQ(timestamp_of("2013-04-01T12:00:00Z")->ms, 1364817600000);
  EXPECT_EQ(timestamp_of("2013-04-01T14:00:00+02:00")->ms, 1364817600000);
  EXPECT_EQ(timestamp_of("2013-04-01T14:00:00+0200")->ms, 1364817600000);
  EXPECT_EQ(timestamp_of("2013-04-01T10:00:00-02")->ms, 1364817600000);
  EXPECT_EQ(timestamp_of("2013-04-01T12:00:00.123456Z")->ms, 1364817600123);
  json no_zone = Base();
  no_zone["timestamp"] = "2013-04-01T12:00:00";
  EXPECT_TRUE(Rejected(no_zone, "/timestamp", "has no time zone"));
  for (const char* bad : {"2013-04-01", "2013-13-01T12:00:00Z", "2013-02-30T12:00:00Z",
                          "yesterday", "2013-04-01 12:00:00Z", "2013-04-01T25:00:00Z", ""}) {
    json s = Base();
    s["timestamp"] = bad;
    EXPECT_TRUE(Rejected(s, "/timestamp", "ISO 8601 timestamp")) << bad;
  }
  json number = Base();
  number["timestamp"] = 1364817600;
  EXPECT_TRUE(Rejected(number, "/timestamp", "must be a string"));
  json stored = Base();
  stored["stored"] = "now";
  EXPECT_TRUE(Rejected(stored, "/stored", "ISO 8601 timestamp"));
}

// §2.4.10: the LRS MUST accept versions starting "1.0." and reject others; 2.0.x is accepted.
TEST(StatementTest, VersionRules) {
  for (const char* good : {"1.0.0", "1.0.3", "1.0.10", "2.0.0"}) {
    json s = Base();
    s["version"] = good;
    EXPECT_EQ(Accepted(s).version, good);
  }
  for (const char* bad : {"1.1.0", "0.95", "1.0", "1.0.", "1.0.x", "2.1.0", "1.0.01", ""}) {
    json s = Base();
    s["version"] = bad;
    EXPECT_TRUE(Rejected(s, "/version", "must start with \"1.0.\"")) << bad;
  }
  json number = Base();
  number["version"] = 1.0;
  EXPECT_TRUE(Rejected(number, "/version", "must be a string"));
}

// §2.4.9: the authority MUST be an Agent, or a Group of two Agents (3-legged OAuth).
TEST(StatementTest, AuthorityRules) {
  json agent = Base();
  agent["authority"] = {{"account", {{"homePage", "http://cloud.scorm.com/"}, {"name", "x"}}}};
  Accepted(agent);
  json oauth = Base();
  oauth["authority"] = json::parse(R"({"objectType": "Group", "member": [
      {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}},
      {"mbox": "mailto:bob@example.com"}]})");
  const Statement s = Accepted(oauth);
  // The authority is the LRS's to index (statement.h): not a related agent here.
  EXPECT_THAT(s.related_agents, ElementsAre("mbox:mailto:learner@example.com"));
  oauth["authority"]["member"].erase(1);
  EXPECT_TRUE(Rejected(oauth, "/authority", "exactly two Agents"));
  json bad = Base();
  bad["authority"] = {{"mbox", "bob@example.com"}};
  EXPECT_TRUE(Rejected(bad, "/authority/mbox", "mailto"));
}

// §2.4.11: attachment metadata: usageType IRI, display language map, contentType media type,
// length integer, sha2 string — all required; fileUrl an IRL; nothing else.
TEST(StatementTest, AttachmentRules) {
  const json attachment = json::parse(R"({
    "usageType": "http://adlnet.gov/expapi/attachments/signature",
    "display": {"en-US": "Signature"}, "description": {"en-US": "A test signature"},
    "contentType": "application/octet-stream", "length": 4235,
    "sha2": "672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634",
    "fileUrl": "http://example.com/signature"})");
  json s = Base();
  s["attachments"] = json::array({attachment});
  Accepted(s);
  auto broken = [&](const std::string& name, json value) {
    json b = Base();
    b["attachments"] = json::array({attachment});
    if (value.is_discarded()) {
      b["attachments"][0].erase(name);
    } else {
      b["attachments"][0][name] = std::move(value);
    }
    return b;
  };
  const json erase(json::value_t::discarded);
  for (const char* required : {"usageType", "display", "contentType", "length", "sha2"}) {
    EXPECT_TRUE(Rejected(broken(required, erase), "/attachments/0",
                         std::string("must have '") + required + "'"))
        << required;
  }
  EXPECT_TRUE(Rejected(broken("usageType", "signature"), "/attachments/0/usageType", "IRI"));
  EXPECT_TRUE(Rejected(broken("display", {{"xx-", "x"}}), "/attachments/0/display/xx-", "RFC 5646"));
  EXPECT_TRUE(Rejected(broken("contentType", "pdf"), "/attachments/0/contentType", "media type"));
  EXPECT_TRUE(Rejected(broken("length", "4235"), "/attachments/0/length", "non-negative integer"));
  EXPECT_TRUE(Rejected(broken("length", -1), "/attachments/0/length", "non-negative integer"));
  EXPECT_TRUE(Rejected(broken("length", 42.5), "/attachments/0/length", "non-negative integer"));
  EXPECT_TRUE(Rejected(broken("sha2", "abc"), "/attachments/0/sha2", "SHA-2"));
  EXPECT_TRUE(Rejected(broken("sha2", 1), "/attachments/0/sha2", "must be a string"));
  EXPECT_TRUE(Rejected(broken("fileUrl", "signature.jws"), "/attachments/0/fileUrl", "IRI"));
  EXPECT_TRUE(Rejected(broken("size", 1), "/attachments/0/size", "not a property of an Attachment"));
  json not_array = Base();
  not_array["attachments"] = attachment;
  EXPECT_TRUE(Rejected(not_array, "/attachments", "array of Attachment objects"));
}

// Reasons cite the section; the summary names the first problem; at most 20 are collected.
TEST(StatementTest, ProblemsAreCappedAtTwentyAndCiteTheSpec) {
  json s = Base();
  for (int i = 0; i < 30; ++i) s["unknown" + std::to_string(i)] = i;
  Result<Statement> parsed = ParseStatement(s.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().details().size(), 20u);
  EXPECT_THAT(parsed.status().message(), HasSubstr("at least 20 problems"));
  const Status status = parsed.status();
  for (const ErrorDetail& d : status.details()) {
    EXPECT_THAT(d.reason, HasSubstr("(xAPI 1.0.3 §")) << d.reason;
  }
  json one = Base();
  one["actor"]["mbox"] = "x@example.com";
  Result<Statement> single = ParseStatement(one.dump());
  ASSERT_FALSE(single.ok());
  EXPECT_THAT(single.status().message(),
              HasSubstr("1 problem in the statement(s); nothing was stored (/actor/mbox: mbox "
                        "must be a mailto: IRI"));
  EXPECT_THAT(single.status().details()[0].reason, HasSubstr("(xAPI 1.0.3 §2.4.2.3)"));
  EXPECT_FALSE(single.status().details()[0].index.has_value());
}

// Statement::body is the statement re-serialised compactly, members in the order sent.
TEST(StatementTest, BodyIsTheCompactStatementInTheOrderSent) {
  const std::string text = R"({ "verb" : {"id": "http://e.com/v"},
      "actor": {"mbox": "mailto:a@e.com", "name": "A \"quoted\" name"},
      "object": {"id": "http://e.com/a"}, "result": {"score": {"raw": 7}} })";
  Result<Statement> parsed = ParseStatement(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->body,
            R"({"verb":{"id":"http://e.com/v"},"actor":{"mbox":"mailto:a@e.com","name":"A \"quoted\" name"},"object":{"id":"http://e.com/a"},"result":{"score":{"raw":7}}})");
}

// AgentKey: the key of an Agent or identified Group given as the agent parameter (§2.2: the
// LRS MUST validate parameter values as in statements).
TEST(StatementTest, AgentKeyOfAgentsAndIdentifiedGroups) {
  EXPECT_EQ(AgentKey(R"({"mbox": "mailto:x@example.org"})").value(), "mbox:mailto:x@example.org");
  EXPECT_EQ(AgentKey(R"({"objectType": "Agent", "mbox": "Mailto:x@example.org"})").value(),
            "mbox:mailto:x@example.org");
  EXPECT_EQ(AgentKey(R"({"mbox_sha1sum": "EBD31E95054C018B10727CCFFD2EF2EC3A016EE9"})").value(),
            "mbox_sha1sum:ebd31e95054c018b10727ccffd2ef2ec3a016ee9");
  EXPECT_EQ(AgentKey(R"({"openid": "http://a.openid.example.org"})").value(),
            "openid:http://a.openid.example.org");
  EXPECT_EQ(
      AgentKey(R"({"account": {"homePage": "https://lms.example.com", "name": "jo smith"}})").value(),
      "account:https://lms.example.com jo smith");
  EXPECT_EQ(AgentKey(R"({"objectType": "Group", "mbox": "mailto:team@example.org",
                         "member": [{"mbox": "mailto:a@example.org"}]})")
                .value(),
            "mbox:mailto:team@example.org");

  Result<std::string> anonymous =
      AgentKey(R"({"objectType": "Group", "member": [{"mbox": "mailto:a@example.org"}]})");
  ASSERT_FALSE(anonymous.ok());
  EXPECT_EQ(anonymous.status().code(), ErrorCode::kMalformed);
  EXPECT_THAT(anonymous.status().message(), HasSubstr("anonymous Group"));
  Result<std::string> no_ifi = AgentKey(R"({"name": "x"})");
  ASSERT_FALSE(no_ifi.ok());
  EXPECT_THAT(no_ifi.status().details()[0].reason, HasSubstr("exactly one of mbox"));
  Result<std::string> bad_mbox = AgentKey(R"({"mbox": "x@example.org"})");
  ASSERT_FALSE(bad_mbox.ok());
  EXPECT_EQ(bad_mbox.status().details()[0].pointer, "/mbox");
  EXPECT_EQ(AgentKey("{\"mbox\": ").status().code(), ErrorCode::kMalformed);
  EXPECT_FALSE(AgentKey(R"({"mbox": "mailto:x@example.org", "extra": 1})").ok());
  EXPECT_FALSE(AgentKey(R"(["mailto:x@example.org"])").ok());
}

// §4.4: UUIDs in standard string form, any case.
TEST(StatementTest, IsUuidAndLowerUuid) {
  EXPECT_TRUE(IsUuid("fd41c918-b88b-4b20-a0a5-a4c32391aaa0"));
  EXPECT_TRUE(IsUuid("FD41C918-B88B-4B20-A0A5-A4C32391AAA0"));
  EXPECT_TRUE(IsUuid("00000000-0000-0000-0000-000000000000"));
  EXPECT_FALSE(IsUuid(""));
  EXPECT_FALSE(IsUuid("fd41c918b88b4b20a0a5a4c32391aaa0"));
  EXPECT_FALSE(IsUuid("fd41c918-b88b-4b20-a0a5-a4c32391aaa"));
  EXPECT_FALSE(IsUuid("fd41c918-b88b-4b20-a0a5-a4c32391aaa0 "));
  EXPECT_FALSE(IsUuid("fd41c918-b88b-4b20-a0a5_a4c32391aaa0"));
  EXPECT_FALSE(IsUuid("gd41c918-b88b-4b20-a0a5-a4c32391aaa0"));
  EXPECT_EQ(LowerUuid("FD41C918-B88B-4B20-A0A5-A4C32391AAA0"),
            "fd41c918-b88b-4b20-a0a5-a4c32391aaa0");
}

}  // namespace
}  // namespace cohort::xapi

namespace cohort::xapi {
namespace {

// §4.5.s1.b1: a Timestamp MUST be ISO 8601; the ADL conformance suite (XAPI-00123) expects the
// basic format as well as the extended one.
TEST(StatementTest, BasicFormatTimestampsAreIso8601Too) {
  json s = Base();
  s["timestamp"] = "20260102T030405Z";
  EXPECT_EQ(Accepted(s).timestamp, ParseRfc3339("2026-01-02T03:04:05Z"));
  s["timestamp"] = "20260102T030405.250+0100";
  EXPECT_EQ(Accepted(s).timestamp, ParseRfc3339("2026-01-02T02:04:05.250Z"));
  s["timestamp"] = "20260102T0304Z";
  EXPECT_TRUE(Rejected(s, "/timestamp", "ISO 8601"));
}

// §2.6.s4.b1, §2.6.s5.b1: a signature Attachment's contentType MUST be
// application/octet-stream, and the LRS rejects a malformed signature with 400.
TEST(StatementTest, ASignatureAttachmentMustBeAnOctetStream) {
  json s = Base();
  s["attachments"] = json::parse(R"([{
    "usageType": "http://adlnet.gov/expapi/attachments/signature",
    "display": {"en-US": "Signature"}, "contentType": "text/plain", "length": 10,
    "sha2": "672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634"}])");
  EXPECT_TRUE(Rejected(s, "/attachments/0/contentType", "application/octet-stream"));
  s["attachments"][0]["contentType"] = "application/octet-stream";
  (void)Accepted(s);
}

}  // namespace
}  // namespace cohort::xapi

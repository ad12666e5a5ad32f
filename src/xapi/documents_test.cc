// The stored form and the formats derived from it: StoredForm (§2.4.8–§2.4.10, §2.4.6.2),
// SameStatement (§2.3.1 Statement Comparison Requirements), IdsFormat and CanonicalFormat
// (Part Three §2.1.3 "format").
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "xapi/statement.h"

namespace cohort::xapi {
namespace {

using json = nlohmann::json;
using ordered = nlohmann::ordered_json;
using ::testing::ElementsAre;

constexpr std::string_view kAuthority =
    R"({"objectType":"Agent","account":{"homePage":"https://lrs.example.com","name":"client"}})";
constexpr std::string_view kId = "4e4b8a5c-0e3f-4a8e-9d3c-5b0f2c1d7e6a";
constexpr Instant kStored{1767323045678};  // 2026-01-02T03:04:05.678Z

Statement Parse(std::string_view body) {
  Result<Statement> parsed = ParseStatement(body);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? parsed.value() : Statement{};
}

std::vector<std::string> Keys(const ordered& object) {
  std::vector<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.push_back(it.key());
  return keys;
}

constexpr std::string_view kMinimal = R"({"actor":{"mbox":"mailto:a@example.com"},
    "verb":{"id":"http://adlnet.gov/expapi/verbs/attempted"},
    "object":{"id":"http://example.com/quiz"},
    "result":{"score":{"scaled":0.95,"raw":7},"response":"caf\u00e9 \"ok\""}})";

// §2.4.1 (the LRS assigns an id), §2.4.7 (timestamp = stored when missing), §2.4.8 (stored set
// by the LRS), §2.4.9 (authority set by the LRS), §2.4.10 (version 1.0.0 when missing).
TEST(StoredFormTest, AddsWhatTheLrsSetsAndKeepsTheRestAsSent) {
  const Statement s = Parse(kMinimal);
  const ordered out = ordered::parse(StoredForm(s, kId, kStored, kAuthority));
  EXPECT_THAT(Keys(out), ElementsAre("id", "actor", "verb", "object", "result", "timestamp",
                                     "stored", "authority", "version"));
  EXPECT_EQ(out["id"], kId);
  EXPECT_EQ(out["timestamp"], "2026-01-02T03:04:05.678Z");
  EXPECT_EQ(out["stored"], "2026-01-02T03:04:05.678Z");
  EXPECT_EQ(out["authority"], ordered::parse(kAuthority));
  EXPECT_EQ(out["version"], "1.0.0");
  EXPECT_EQ(out["result"], ordered::parse(R"({"score":{"scaled":0.95,"raw":7},
                                             "response":"café \"ok\""})"));
  EXPECT_EQ(out["object"], ordered::parse(R"({"id":"http://example.com/quiz"})"));
}

// §2.4.8: the LRS MUST overwrite any stored value; §2.4.9: it overwrites the authority;
// §2.4.10: a version sent is retained; §4.5: timestamps are returned in UTC with milliseconds.
TEST(StoredFormTest, OverwritesStoredAndAuthorityKeepsVersionAndNormalizesTimestamp) {
  const Statement s = Parse(R"({"version":"1.0.3","id":"4E4B8A5C-0E3F-4A8E-9D3C-5B0F2C1D7E6A",
      "actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://e.com/v"},
      "object":{"id":"http://e.com/a"},"timestamp":"2013-04-01T14:00:00.5+02:00",
      "stored":"2000-01-01T00:00:00Z","authority":{"mbox":"mailto:forged@example.com"}})");
  const ordered out = ordered::parse(StoredForm(s, s.id, kStored, kAuthority));
  EXPECT_THAT(Keys(out), ElementsAre("version", "id", "actor", "verb", "object", "timestamp",
                                     "stored", "authority"));
  EXPECT_EQ(out["version"], "1.0.3");
  EXPECT_EQ(out["id"], "4e4b8a5c-0e3f-4a8e-9d3c-5b0f2c1d7e6a");
  EXPECT_EQ(out["timestamp"], "2013-04-01T12:00:00.500Z");
  EXPECT_EQ(out["stored"], "2026-01-02T03:04:05.678Z");
  EXPECT_EQ(out["authority"], ordered::parse(kAuthority));
}

// §2.4.6.2: the LRS MUST return every contextActivities value as an array, even if it arrived
// as a single Activity object — in a SubStatement too.
TEST(StoredFormTest, ContextActivitiesAreReturnedAsArrays) {
  const Statement s = Parse(R"({"actor":{"mbox":"mailto:a@example.com"},
      "verb":{"id":"http://e.com/v"},
      "object":{"objectType":"SubStatement","actor":{"mbox":"mailto:b@example.com"},
        "verb":{"id":"http://e.com/w"},"object":{"id":"http://e.com/b"},
        "context":{"contextActivities":{"other":{"id":"http://e.com/o"}}}},
      "context":{"contextActivities":{"parent":{"id":"http://e.com/p"},
                                      "grouping":[{"id":"http://e.com/g"}]}}})");
  const ordered out = ordered::parse(StoredForm(s, kId, kStored, kAuthority));
  EXPECT_EQ(out["context"]["contextActivities"]["parent"],
            ordered::parse(R"([{"id":"http://e.com/p"}])"));
  EXPECT_EQ(out["context"]["contextActivities"]["grouping"],
            ordered::parse(R"([{"id":"http://e.com/g"}])"));
  EXPECT_EQ(out["object"]["context"]["contextActivities"]["other"],
            ordered::parse(R"([{"id":"http://e.com/o"}])"));
  // The SubStatement gets none of the LRS-set properties.
  EXPECT_FALSE(out["object"].contains("stored"));
  EXPECT_FALSE(out["object"].contains("id"));
}

// §2.3.1: a statement sent again compares equal to its stored form (the PUT/POST replay case).
TEST(SameStatementTest, StoredFormEqualsTheStatementAsSent) {
  const std::string sent = R"({"id":"4E4B8A5C-0E3F-4A8E-9D3C-5B0F2C1D7E6A",
      "actor":{"objectType":"Group","member":[{"mbox":"mailto:a@example.com"},
                                               {"mbox":"mailto:b@example.com"}]},
      "verb":{"id":"http://e.com/v","display":{"en-US":"did"}},
      "object":{"id":"http://e.com/a"},"timestamp":"2013-04-01T14:00:00+02:00",
      "context":{"contextActivities":{"parent":{"id":"http://e.com/p"}}}})";
  const Statement s = Parse(sent);
  const std::string stored = StoredForm(s, s.id, kStored, kAuthority);
  EXPECT_TRUE(SameStatement(stored, sent));
  EXPECT_TRUE(SameStatement(sent, stored));
}

// §2.3.1 exceptions: member order, whitespace, authority, stored, version, UUID case, language
// tag case, the writing of an instant, group member order are all ignored.
TEST(SameStatementTest, IgnoresTheDocumentedExceptions) {
  const std::string a = R"({"id":"4e4b8a5c-0e3f-4a8e-9d3c-5b0f2c1d7e6a","actor":{"mbox":"mailto:a@example.com"},
      "verb":{"id":"http://e.com/v","display":{"en-US":"did"}},"object":{"id":"http://e.com/a",
      "definition":{"name":{"en-GB":"A"},"interactionType":"choice","choices":[{"id":"x","description":{"de-DE":"X"}}]}},
      "context":{"registration":"ec531277-b57b-4c15-8d91-d292c5b2b8f7","language":"en-US",
                 "statement":{"objectType":"StatementRef","id":"6690e6c9-3ef0-4ed3-8b37-7f3964730bee"},
                 "team":{"objectType":"Group","member":[{"mbox":"mailto:x@e.com"},{"mbox":"mailto:y@e.com"}]}},
      "timestamp":"2013-04-01T12:00:00Z","stored":"2013-04-01T12:00:01Z","version":"1.0.0",
      "authority":{"mbox":"mailto:lrs@example.com"}})";
  const std::string b = R"({  "verb" : {"display":{"EN-us":"did"},"id":"http://e.com/v"},
      "actor":{"mbox":"mailto:a@example.com"},"id":"4E4B8A5C-0E3F-4A8E-9D3C-5B0F2C1D7E6A",
      "object":{"definition":{"choices":[{"description":{"de-de":"X"},"id":"x"}],"interactionType":"choice","name":{"en-gb":"A"}},"id":"http://e.com/a"},
      "context":{"registration":"EC531277-B57B-4C15-8D91-D292C5B2B8F7","language":"EN-us",
                 "statement":{"objectType":"StatementRef","id":"6690E6C9-3EF0-4ED3-8B37-7F3964730BEE"},
                 "team":{"objectType":"Group","member":[{"mbox":"mailto:y@e.com"},{"mbox":"mailto:x@e.com"}]}},
      "timestamp":"2013-04-01T13:00:00.000+01:00","stored":"2020-01-01T00:00:00Z",
      "version":"1.0.3","authority":{"mbox":"mailto:other@example.com"}})";
  EXPECT_TRUE(SameStatement(a, b));
}

// §2.3.1 s9.b2: differences in anything else MUST NOT be ignored — including the duration
// string (§2.3.1 b8), and verb display text (not listed by statement.h's contract).
TEST(SameStatementTest, OtherDifferencesMakeDifferentStatements) {
  const json base = json::parse(R"({"actor":{"mbox":"mailto:a@example.com"},
      "verb":{"id":"http://e.com/v","display":{"en-US":"did"}},"object":{"id":"http://e.com/a"},
      "result":{"success":true,"duration":"PT1H"},"timestamp":"2013-04-01T12:00:00Z"})");
  EXPECT_TRUE(SameStatement(base.dump(), base.dump()));
  auto differs = [&](const std::string& pointer, json value) {
    json other = base;
    other[json::json_pointer(pointer)] = std::move(value);
    return !SameStatement(base.dump(), other.dump());
  };
  EXPECT_TRUE(differs("/verb/id", "http://e.com/w"));
  EXPECT_TRUE(differs("/result/success", false));
  EXPECT_TRUE(differs("/result/duration", "PT60M"));
  EXPECT_TRUE(differs("/verb/display/en-US", "done"));
  EXPECT_TRUE(differs("/timestamp", "2013-04-01T12:00:00.001Z"));
  EXPECT_TRUE(differs("/actor/mbox", "mailto:A@example.com"));
  EXPECT_TRUE(differs("/result/response", "x"));
  EXPECT_TRUE(differs("/object/id", "http://e.com/A"));
  EXPECT_FALSE(SameStatement("{", base.dump()));
  EXPECT_FALSE(SameStatement(base.dump(), "not json"));
}

// Part Three §2.1.3 format=ids: Agents and identified Groups reduced to their IFI, anonymous
// Groups to their members' ids, Activities to objectType and id, Verbs to id.
TEST(IdsFormatTest, ReducesAgentsActivitiesAndVerbsToTheirIds) {
  const std::string stored = R"({"id":"4e4b8a5c-0e3f-4a8e-9d3c-5b0f2c1d7e6a",
      "actor":{"objectType":"Group","name":"Ad hoc","member":[
        {"name":"A","mbox":"mailto:a@example.com"},{"objectType":"Agent","name":"B","openid":"http://b.example.com"}]},
      "verb":{"id":"http://e.com/v","display":{"en-US":"did"}},
      "object":{"id":"http://e.com/a","definition":{"name":{"en":"A"}}},
      "result":{"success":true},
      "context":{"instructor":{"name":"T","objectType":"Agent","mbox":"mailto:t@example.com"},
                 "team":{"objectType":"Group","name":"Team","account":{"homePage":"http://e.com","name":"team"},
                         "member":[{"mbox":"mailto:m@example.com"}]},
                 "contextActivities":{"parent":[{"id":"http://e.com/p","definition":{"name":{"en":"P"}}}]},
                 "platform":"web"},
      "timestamp":"2013-04-01T12:00:00.000Z","stored":"2013-04-01T12:00:00.000Z",
      "authority":{"objectType":"Agent","name":"LRS","account":{"homePage":"http://lrs","name":"c"}},
      "version":"1.0.0"})";
  const ordered out = ordered::parse(IdsFormat(stored));
  EXPECT_EQ(out["actor"], ordered::parse(R"({"objectType":"Group","member":[
      {"mbox":"mailto:a@example.com"},{"objectType":"Agent","openid":"http://b.example.com"}]})"));
  EXPECT_EQ(out["verb"], ordered::parse(R"({"id":"http://e.com/v"})"));
  EXPECT_EQ(out["object"], ordered::parse(R"({"objectType":"Activity","id":"http://e.com/a"})"));
  EXPECT_EQ(out["context"]["instructor"],
            ordered::parse(R"({"objectType":"Agent","mbox":"mailto:t@example.com"})"));
  EXPECT_EQ(out["context"]["team"],
            ordered::parse(R"({"objectType":"Group","account":{"homePage":"http://e.com","name":"team"}})"));
  EXPECT_EQ(out["context"]["contextActivities"]["parent"],
            ordered::parse(R"([{"objectType":"Activity","id":"http://e.com/p"}])"));
  EXPECT_EQ(out["context"]["platform"], "web");
  EXPECT_EQ(out["authority"],
            ordered::parse(R"({"objectType":"Agent","account":{"homePage":"http://lrs","name":"c"}})"));
  EXPECT_EQ(out["result"], ordered::parse(R"({"success":true})"));
  EXPECT_EQ(out["id"], "4e4b8a5c-0e3f-4a8e-9d3c-5b0f2c1d7e6a");
}

// format=ids applies inside a SubStatement too; a StatementRef is already minimal.
TEST(IdsFormatTest, ReducesInsideSubStatementsAndKeepsStatementRefs) {
  const ordered sub = ordered::parse(IdsFormat(R"({"actor":{"mbox":"mailto:a@e.com","name":"A"},
      "verb":{"id":"http://e.com/v","display":{"en":"v"}},
      "object":{"objectType":"SubStatement","actor":{"name":"B","mbox":"mailto:b@e.com"},
        "verb":{"id":"http://e.com/w","display":{"en":"w"}},
        "object":{"objectType":"Agent","name":"C","mbox":"mailto:c@e.com"}}})"));
  EXPECT_EQ(sub["object"]["actor"], ordered::parse(R"({"mbox":"mailto:b@e.com"})"));
  EXPECT_EQ(sub["object"]["verb"], ordered::parse(R"({"id":"http://e.com/w"})"));
  EXPECT_EQ(sub["object"]["object"],
            ordered::parse(R"({"objectType":"Agent","mbox":"mailto:c@e.com"})"));
  const std::string ref = R"({"actor":{"mbox":"mailto:a@e.com"},"verb":{"id":"http://e.com/v"},"object":{"objectType":"StatementRef","id":"6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}})";
  EXPECT_EQ(ordered::parse(IdsFormat(ref)), ordered::parse(ref));
}

const std::string kMultilingual = R"({"actor":{"mbox":"mailto:a@e.com"},
    "verb":{"id":"http://e.com/v","display":{"en-US":"attended","en-GB":"attended-GB","fr":"assisté"}},
    "object":{"id":"http://e.com/a","definition":{
      "name":{"en-US":"meeting","fr-FR":"réunion"},
      "description":{"de":"Treffen","en-GB":"a meeting"},
      "interactionType":"choice","choices":[{"id":"x","description":{"en-US":"X","fr":"ixe"}}]}},
    "context":{"contextActivities":{"parent":[{"id":"http://e.com/p","definition":{"name":{"en":"P","fr":"Pé"}}}]}},
    "attachments":[{"usageType":"http://e.com/u","display":{"en-US":"A","fr":"B"},
                    "contentType":"text/plain","length":1,"sha2":"aa"}]})";

std::string VerbDisplay(std::string_view accept_language) {
  const ordered out = ordered::parse(CanonicalFormat(kMultilingual, accept_language));
  return out["verb"]["display"].dump();
}

// format=canonical: each language map reduced to the entry that best matches Accept-Language
// (RFC 4647 lookup); the first entry when none matches.
TEST(CanonicalFormatTest, PicksTheBestLanguageByLookup) {
  EXPECT_EQ(VerbDisplay("fr"), R"({"fr":"assisté"})");
  EXPECT_EQ(VerbDisplay("en-GB,en;q=0.8"), R"({"en-GB":"attended-GB"})");
  EXPECT_EQ(VerbDisplay("EN-gb"), R"({"en-GB":"attended-GB"})");
  EXPECT_EQ(VerbDisplay("fr-CA"), R"({"fr":"assisté"})");           // truncated to "fr"
  EXPECT_EQ(VerbDisplay("fr;q=0.5, en-GB"), R"({"en-GB":"attended-GB"})");
  EXPECT_EQ(VerbDisplay("en-GB;q=0, fr;q=0.1"), R"({"fr":"assisté"})");
  EXPECT_EQ(VerbDisplay("de"), R"({"en-US":"attended"})");        // no match: the first
  EXPECT_EQ(VerbDisplay("en"), R"({"en-US":"attended"})");        // lookup does not widen tags
  EXPECT_EQ(VerbDisplay("*"), R"({"en-US":"attended"})");
  EXPECT_EQ(VerbDisplay(""), R"({"en-US":"attended"})");
}

// format=canonical applies to activity names, descriptions, interaction components and context
// activities, and leaves agents and attachments as they were.
TEST(CanonicalFormatTest, FiltersEveryActivityLanguageMap) {
  const ordered out = ordered::parse(CanonicalFormat(kMultilingual, "fr"));
  const ordered& definition = out["object"]["definition"];
  // Lookup truncates the range, never the tag: "fr" does not match fr-FR; the first entry.
  EXPECT_EQ(definition["name"].dump(), R"({"en-US":"meeting"})");
  EXPECT_EQ(definition["description"].dump(), R"({"de":"Treffen"})");
  EXPECT_EQ(definition["choices"][0]["description"].dump(), R"({"fr":"ixe"})");
  EXPECT_EQ(out["context"]["contextActivities"]["parent"][0]["definition"]["name"].dump(),
            R"({"fr":"Pé"})");
  EXPECT_EQ(out["attachments"][0]["display"].dump(), R"({"en-US":"A","fr":"B"})");
  EXPECT_EQ(out["actor"].dump(), R"({"mbox":"mailto:a@e.com"})");
  const ordered fr_fr = ordered::parse(CanonicalFormat(kMultilingual, "fr-FR, fr;q=0.9"));
  EXPECT_EQ(fr_fr["object"]["definition"]["name"].dump(), R"({"fr-FR":"réunion"})");
  EXPECT_EQ(fr_fr["verb"]["display"].dump(), R"({"fr":"assisté"})");
}

}  // namespace
}  // namespace cohort::xapi

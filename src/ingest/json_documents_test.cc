#include "ingest/json_documents.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace cohort::ingest {
namespace {

const Instant kNow = *ParseRfc3339("2026-03-10T12:00:00Z");
const std::string kStart = "2026-03-10T10:00:00Z";
const std::string kTwoResponses =
    R"([{"question":"q1","correct":true,"time_ms":1000},)"
    R"({"question":"q2","correct":false,"hints":1,"time_ms":2000,"points":3}])";

// One attempt object; `extra` is spliced in after "started_at" (start it with a comma).
std::string AttemptJson(const std::string& id, const std::string& extra = "",
                        const std::string& responses = kTwoResponses) {
  return fmt::format(
      R"({{"id":"{}","user":"ann","course":"py","exercise":"e1","started_at":"{}"{},)"
      R"("responses":{}}})",
      id, kStart, extra, responses);
}

std::string Batch(const std::vector<std::string>& attempts) {
  return fmt::format("[{}]", fmt::join(attempts, ","));
}

std::string Responses(int n) {
  std::vector<std::string> items(static_cast<std::size_t>(n), R"({"question":"q","correct":true})");
  return fmt::format("[{}]", fmt::join(items, ","));
}

std::string Nested(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']');
}

template <typename Case>
std::string CaseName(const ::testing::TestParamInfo<Case>& param) {
  return param.param.name;
}

// The single detail of a failed parse, or a marker detail when there is not exactly one.
template <typename T>
ErrorDetail OnlyDetail(const Result<T>& r) {
  if (r.ok()) return {std::nullopt, "<ok>", ""};
  const Status status = r.status();
  const std::vector<ErrorDetail>& d = status.details();
  if (d.size() != 1)
    return {std::nullopt, fmt::format("<{} details>", d.size()), status.ToString()};
  return d[0];
}

TEST(ParseAttemptsTest, ReadsAnAttemptWithDefaultsResolved) {
  Result<domain::WriteBatch> r = ParseAttempts(Batch({AttemptJson("a1")}), kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts.origin.list_pointer, "");
  EXPECT_TRUE(r->attempts.origin.indexed);
  ASSERT_EQ(r->attempts.items.size(), 1u);
  const domain::Attempt& a = r->attempts.items[0];
  EXPECT_EQ(a.id, "a1");
  EXPECT_EQ(a.user, "ann");
  EXPECT_EQ(a.course, "py");
  EXPECT_EQ(a.exercise, "e1");
  EXPECT_EQ(a.started_at, *ParseRfc3339(kStart));
  EXPECT_FALSE(a.finished_at);
  ASSERT_EQ(a.responses.size(), 2u);
  EXPECT_EQ(a.responses[0].question, "q1");
  EXPECT_TRUE(a.responses[0].correct);
  EXPECT_EQ(a.responses[0].hints, 0);
  EXPECT_FALSE(a.responses[0].points);
  EXPECT_EQ(a.responses[1].hints, 1);
  EXPECT_EQ(a.responses[1].time_ms, 2000);
  EXPECT_EQ(a.responses[1].points, 3);
  EXPECT_TRUE(r->courses.items.empty() && r->users.items.empty());
}

TEST(ParseAttemptsTest, AnsweredAtDefaultsToStartPlusCumulativeTimeUnlessGiven) {
  const std::string responses =
      R"([{"question":"q1","correct":true,"time_ms":1000},)"
      R"({"question":"q2","correct":true,"time_ms":500,"answered_at":"2026-03-10T10:30:00Z"},)"
      R"({"question":"q3","correct":true,"time_ms":250},{"question":"q4","correct":true}])";
  Result<domain::WriteBatch> r = ParseAttempts(Batch({AttemptJson("a1", "", responses)}), kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& rs = r->attempts.items[0].responses;
  const std::int64_t start = ParseRfc3339(kStart)->ms;
  EXPECT_EQ(rs[0].answered_at.ms, start + 1000);
  EXPECT_EQ(rs[1].answered_at, *ParseRfc3339("2026-03-10T10:30:00Z"));
  EXPECT_EQ(rs[2].answered_at.ms, start + 1750);  // its own time included
  EXPECT_EQ(rs[3].answered_at.ms, start + 1750);  // time_ms defaults to 0
}

TEST(ParseAttemptsTest, NullForAnOptionalFieldMeansAbsent) {
  const std::string spelled = AttemptJson(
      "a1", R"(,"finished_at":null)",
      R"([{"question":"q1","correct":true,"hints":null,"time_ms":null,"answered_at":null,)"
      R"("points":null}])");
  const std::string absent = AttemptJson("a1", "", R"([{"question":"q1","correct":true}])");
  Result<domain::WriteBatch> a = ParseAttempts(Batch({spelled}), kNow);
  Result<domain::WriteBatch> b = ParseAttempts(Batch({absent}), kNow);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(a->attempts.items, b->attempts.items);
}

TEST(ParseAttemptsTest, EscapedKeysAndStringsAreUnescaped) {
  const std::string body =
      R"([{"\u0069d":"a\"1","user":"ann","course":"py","exercise":"e1",)"
      R"("started_at":"2026-03-10T10:00:00Z","responses":[{"question":"caf\u00e9","correct":true}]}])";
  Result<domain::WriteBatch> r = ParseAttempts(body, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts.items[0].id, "a\"1");
  EXPECT_EQ(r->attempts.items[0].responses[0].question, "caf\xc3\xa9");
}

struct DetailCase {
  const char* name;
  std::string body;
  std::optional<std::size_t> index;
  std::string pointer;
  std::string reason;  // a substring of the reason
};

class AttemptDetailTest : public ::testing::TestWithParam<DetailCase> {};

TEST_P(AttemptDetailTest, IsInvalidWithOneDetailNamingItemAndPointer) {
  const DetailCase& c = GetParam();
  Result<domain::WriteBatch> r = ParseAttempts(c.body, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalid) << r.status().ToString();
  const ErrorDetail d = OnlyDetail(r);
  EXPECT_EQ(d.index, c.index) << r.status().ToString();
  EXPECT_EQ(d.pointer, c.pointer) << r.status().ToString();
  EXPECT_NE(d.reason.find(c.reason), std::string::npos) << d.reason;
}

std::string WithResponse(const std::string& response) {
  return Batch({AttemptJson("ok"), AttemptJson("a1", "", fmt::format("[{}]", response))});
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, AttemptDetailTest,
    ::testing::Values(
        DetailCase{"UnknownField", Batch({AttemptJson("a1", R"(,"colour":"red")")}), 0, "/0/colour",
                   "unknown field 'colour'"},
        DetailCase{"UnknownFieldNeedingEscape", Batch({AttemptJson("a1", R"(,"a/b~c":1)")}), 0,
                   "/0/a~1b~0c", "unknown field 'a/b~c'"},
        DetailCase{"UnknownResponseField",
                   WithResponse(R"({"question":"q","correct":true,"hint":1})"), 1,
                   "/1/responses/0/hint", "unknown field 'hint'"},
        DetailCase{"DuplicateField", Batch({AttemptJson("a1", R"(,"user":"bob")")}), 0, "/0/user",
                   "duplicate field 'user'"},
        DetailCase{
            "MissingField",
            R"([{"id":"a1","course":"py","exercise":"e1","started_at":"2026-03-10T10:00:00Z","responses":[]}])",
            0, "/0", "missing field 'user'"},
        DetailCase{
            "MissingResponses",
            R"([{"id":"a1","user":"ann","course":"py","exercise":"e1","started_at":"2026-03-10T10:00:00Z"}])",
            0, "/0", "missing field 'responses'"},
        DetailCase{"MissingResponseField", WithResponse(R"({"question":"q"})"), 1, "/1/responses/0",
                   "missing field 'correct'"},
        DetailCase{
            "StringExpected",
            R"([{"id":7,"user":"ann","course":"py","exercise":"e1","started_at":"2026-03-10T10:00:00Z","responses":[]}])",
            0, "/0/id", "expected a string"},
        DetailCase{
            "NullForARequiredField",
            R"([{"id":"a","user":null,"course":"py","exercise":"e1","started_at":"2026-03-10T10:00:00Z","responses":[]}])",
            0, "/0/user", "expected a string"},
        DetailCase{"BooleanExpected", WithResponse(R"({"question":"q","correct":"yes"})"), 1,
                   "/1/responses/0/correct", "expected a boolean"},
        DetailCase{"IntegerExpectedNotString",
                   WithResponse(R"({"question":"q","correct":true,"hints":"2"})"), 1,
                   "/1/responses/0/hints", "expected an integer"},
        DetailCase{"IntegerExpectedNotFraction",
                   WithResponse(R"({"question":"q","correct":true,"hints":1.0})"), 1,
                   "/1/responses/0/hints", "expected an integer"},
        DetailCase{"IntegerExpectedNotExponent",
                   WithResponse(R"({"question":"q","correct":true,"time_ms":1e3})"), 1,
                   "/1/responses/0/time_ms", "expected an integer"},
        DetailCase{"FieldsAfterABadNumberAreStillRead",
                   WithResponse(R"({"question":"q","hints":1.5,"correct":true})"), 1,
                   "/1/responses/0/hints", "expected an integer"},
        DetailCase{"IntegerOutOfRange",
                   WithResponse(R"({"question":"q","correct":true,"points":99999999999999999999})"),
                   1, "/1/responses/0/points", "number out of range"},
        DetailCase{"ArrayExpected", Batch({AttemptJson("a1", "", "{}")}), 0, "/0/responses",
                   "expected an array"},
        DetailCase{"ObjectExpected", "[5]", 0, "/0", "expected an object"},
        DetailCase{"ResponseObjectExpected", WithResponse("[]"), 1, "/1/responses/0",
                   "expected an object"},
        DetailCase{
            "NotATime",
            R"([{"id":"a","user":"ann","course":"py","exercise":"e1","started_at":"yesterday","responses":[]}])",
            0, "/0/started_at", "'yesterday' is not an RFC 3339 time"},
        DetailCase{
            "NotAnAnsweredAtTime",
            WithResponse(R"({"question":"q","correct":true,"answered_at":"2026-02-30T00:00:00Z"})"),
            1, "/1/responses/0/answered_at", "is not an RFC 3339 time"},
        DetailCase{"RootNotAnArray", R"({"id":"a1"})", std::nullopt, "",
                   "expected an array of attempts"}),
    CaseName<DetailCase>);

INSTANTIATE_TEST_SUITE_P(
    Rules, AttemptDetailTest,
    ::testing::Values(
        DetailCase{
            "NegativeHints",
            Batch({AttemptJson("a1", "", R"([{"question":"q","correct":true,"hints":-1}])")}), 0,
            "/0/responses/0/hints", "hints must be 0-1000000; got -1"},
        DetailCase{"NegativeTime",
                   WithResponse(R"({"question":"q","correct":true,"time_ms":-5,)"
                                R"("answered_at":"2026-03-10T10:00:01Z"})"),
                   1, "/1/responses/0/time_ms", "time_ms must be"},
        // started_at + time_ms, answered_at's default, would overflow (undefined behaviour,
        // caught by UBSan): refused as it is read.
        DetailCase{"TimeMsOfInt64Max",
                   WithResponse(R"({"question":"q","correct":true,"time_ms":9223372036854775807})"),
                   1, "/1/responses/0/time_ms",
                   "time_ms must be 0-86400000 (24 h); got 9223372036854775807"},
        DetailCase{"TimeMsOfInt64Min",
                   WithResponse(R"({"question":"q","correct":true,"time_ms":-9223372036854775808})"),
                   1, "/1/responses/0/time_ms", "time_ms must be 0-86400000 (24 h)"},
        DetailCase{"NegativePoints", WithResponse(R"({"question":"q","correct":true,"points":-1})"),
                   1, "/1/responses/0/points", "points must be"},
        DetailCase{"EmptyQuestion", WithResponse(R"({"question":"","correct":true})"), 1,
                   "/1/responses/0/question", "question must be"},
        DetailCase{"FinishedBeforeStarted",
                   Batch({AttemptJson("a1", R"(,"finished_at":"2026-03-10T09:00:00Z")")}), 0,
                   "/0/finished_at", "finished_at is before started_at"},
        DetailCase{
            "StartedMoreThan24HoursAhead",
            R"([{"id":"a","user":"ann","course":"py","exercise":"e1","started_at":"2026-03-11T12:00:01Z","responses":[]}])",
            0, "/0/started_at", "more than 24 h in the future"},
        DetailCase{
            "AnsweredBeforeStarted",
            WithResponse(R"({"question":"q","correct":true,"answered_at":"2026-03-10T09:00:00Z"})"),
            1, "/1/responses/0/answered_at", "before started_at"},
        DetailCase{"BadUserKey", Batch({AttemptJson("a1").replace(19, 3, "a b")}), 0, "/0/user",
                   "'a b' is not a valid key"},
        DetailCase{"ThousandAndOneResponses", Batch({AttemptJson("a1", "", Responses(1001))}), 0,
                   "/0/responses", "1001 responses in one attempt; at most 1000"},
        DetailCase{"FiveThousandResponsesAreCountedNotRead",
                   Batch({AttemptJson("a1", "", Responses(5000))}), 0, "/0/responses",
                   "5000 responses in one attempt; at most 1000"}),
    CaseName<DetailCase>);

TEST(ParseAttemptsTest, AThousandResponsesAreFine) {
  Result<domain::WriteBatch> r =
      ParseAttempts(Batch({AttemptJson("a1", "", Responses(1000))}), kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts.items[0].responses.size(), 1000u);
}

TEST(ParseAttemptsTest, MoreThanTenThousandAttemptsAreRefusedAtTheRoot) {
  std::vector<std::string> attempts(10'000, AttemptJson("a", "", "[]"));
  Result<domain::WriteBatch> ok = ParseAttempts(Batch(attempts), kNow);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->attempts.items.size(), 10'000u);

  attempts.push_back(AttemptJson("a", "", "[]"));
  Result<domain::WriteBatch> r = ParseAttempts(Batch(attempts), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalid);
  const ErrorDetail d = OnlyDetail(r);
  EXPECT_EQ(d.index, std::nullopt);
  EXPECT_EQ(d.pointer, "");
  EXPECT_NE(d.reason.find("at most 10000"), std::string::npos) << d.reason;
}

TEST(ParseAttemptsTest, SeveralBadItemsAreReportedTogether) {
  const std::string body =
      Batch({AttemptJson("a0", R"(,"colour":1)"), AttemptJson("a1"),
             AttemptJson("a2", "", R"([{"question":"q","correct":true,"hints":-1}])"),
             AttemptJson("a3", R"(,"finished_at":"nope")"), AttemptJson("a4")});
  Result<domain::WriteBatch> r = ParseAttempts(body, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalid);
  const Status status = r.status();
  const std::vector<ErrorDetail>& d = status.details();
  ASSERT_EQ(d.size(), 3u) << r.status().ToString();
  EXPECT_EQ(d[0], (ErrorDetail{0, "/0/colour", "unknown field 'colour'"}));
  EXPECT_EQ(d[1].index, 2u);
  EXPECT_EQ(d[1].pointer, "/2/responses/0/hints");
  EXPECT_EQ(d[2].index, 3u);
  EXPECT_EQ(d[2].pointer, "/3/finished_at");
  EXPECT_EQ(r.status().message(),
            "3 problems in the request; nothing was applied (first: /0/colour: unknown field "
            "'colour')");
}

TEST(ParseAttemptsTest, DetailsStopAtTheCap) {
  std::vector<std::string> attempts(150, AttemptJson("a", R"(,"x":1,"y":2)"));
  Result<domain::WriteBatch> r = ParseAttempts(Batch(attempts), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().details().size(), kMaxDetails);
  EXPECT_EQ(r.status().details().back().index, 49u);
  EXPECT_EQ(r.status().message().rfind("at least 100 problems", 0), 0u) << r.status().message();
}

struct MalformedCase {
  const char* name;
  std::string body;
  std::string message;  // a substring of the message
};

class MalformedTest : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedTest, IsMalformed) {
  Result<domain::WriteBatch> r = ParseAttempts(GetParam().body, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kMalformed) << r.status().ToString();
  EXPECT_NE(r.status().message().find(GetParam().message), std::string::npos)
      << r.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, MalformedTest,
    ::testing::Values(
        MalformedCase{"Empty", "", "body is empty"},
        MalformedCase{"Truncated", R"([{"id": "x",)", "malformed JSON"},
        MalformedCase{"TruncatedInsideResponses", Batch({AttemptJson("a1")}).substr(0, 120),
                      "malformed JSON"},
        MalformedCase{"TrailingContent", "[] []", "malformed JSON near byte 3: unexpected content"},
        MalformedCase{"TrailingBracket", "[]]", "unexpected content after the JSON document"},
        MalformedCase{"NotJson", "hello", "malformed JSON"},
        MalformedCase{"NaN", WithResponse(R"({"question":"q","correct":true,"hints":NaN})"),
                      "malformed JSON"},
        MalformedCase{"BadLiteral", WithResponse(R"({"question":"q","correct":tru})"),
                      "malformed JSON"},
        MalformedCase{"BadNumber", WithResponse(R"({"question":"q","correct":true,"hints":-})"),
                      "not a valid number"},
        MalformedCase{"LeadingZero", WithResponse(R"({"question":"q","correct":true,"hints":01})"),
                      "malformed JSON"},
        MalformedCase{"MissingComma", R"([{"id":"a" "user":"b"}])", "malformed JSON"},
        MalformedCase{"BadEscape", Batch({AttemptJson("a\\x")}), "malformed JSON"},
        MalformedCase{"UnclosedString", R"(["abc)", "malformed JSON"},
        MalformedCase{"BrokenInsideAnUnknownField", Batch({AttemptJson("a1", R"(,"x":[1 2])")}),
                      "malformed JSON"},
        MalformedCase{"BrokenInsideAWrongTypedValue",
                      WithResponse(R"({"question":"q","correct":{"a":}})"), "malformed JSON"},
        MalformedCase{"InvalidUtf8", Batch({AttemptJson("bad\xff")}), "body is not valid UTF-8"},
        MalformedCase{"NestedDeeperThan64", Nested(65), "nesting deeper than 64"},
        MalformedCase{"DeepInsideAnUnknownField",
                      Batch({AttemptJson("a1", ",\"x\":" + Nested(63))}),
                      "nesting deeper than 64"}),
    CaseName<MalformedCase>);

TEST(ParseAttemptsTest, SixtyFourLevelsAreStillReadable) {
  Result<domain::WriteBatch> r = ParseAttempts(Nested(64), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalid);  // well-formed, just not attempts
  EXPECT_EQ(OnlyDetail(r).pointer, "/0");
  // An unknown field nested to exactly 64 levels: root, attempt and 62 more.
  Result<domain::WriteBatch> field =
      ParseAttempts(Batch({AttemptJson("a1", ",\"x\":" + Nested(62))}), kNow);
  ASSERT_FALSE(field.ok());
  EXPECT_EQ(field.status().code(), ErrorCode::kInvalid) << field.status().ToString();
  EXPECT_EQ(OnlyDetail(field).pointer, "/0/x");
}

TEST(ParseAttemptsTest, CanRunOnManyThreadsAtOnce) {
  const std::string body = Batch({AttemptJson("a1"), AttemptJson("a2")});
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (std::size_t t = 0; t < ok.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) ok[t] += ParseAttempts(body, kNow).ok() ? 1 : 0;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok, std::vector<int>(4, 200));
}

const std::string kCourseBody = R"({
  "title": "Python",
  "chapters": [
    {"key": "c1", "title": "Basics", "exercises": [{"key": "e1", "title": "Variables"},
                                                   {"key": "e2", "title": "Loops"}]},
    {"key": "c2", "title": "More", "exercises": []}
  ],
  "settings": {"mastery_model": "bkt", "mastery_window": 5, "mastery_threshold": 0.9,
               "p_init": 0.3, "p_learn": 0.2, "p_guess": 0.1, "p_slip": 0.05,
               "points_per_question": 20, "max_attempt_seconds": 600,
               "certification_mastery": 1, "certification_valid_days": null, "at_risk_days": 7}
})";

TEST(ParseCourseTest, ReadsChaptersExercisesAndSettings) {
  Result<domain::Course> r = ParseCourse("py", kCourseBody);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->key, "py");
  EXPECT_EQ(r->title, "Python");
  ASSERT_EQ(r->chapters.size(), 2u);
  EXPECT_EQ(r->chapters[0].exercises[1], (domain::ExerciseDef{"e2", "Loops"}));
  EXPECT_TRUE(r->chapters[1].exercises.empty());
  const domain::CourseSettings& s = r->settings;
  EXPECT_EQ(s.mastery_model, domain::MasteryModel::kBkt);
  EXPECT_EQ(s.mastery_window, 5);
  EXPECT_EQ(s.mastery_threshold, 0.9);
  EXPECT_EQ(s.p_slip, 0.05);
  EXPECT_EQ(s.points_per_question, 20);
  EXPECT_EQ(s.certification_mastery, 1.0);
  EXPECT_FALSE(s.certification_valid_days);
  EXPECT_EQ(s.at_risk_days, 7);
}

TEST(ParseCourseTest, SettingsDefaultWhenAbsent) {
  Result<domain::Course> r = ParseCourse("py", R"({"title":"T","chapters":[]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->settings, domain::CourseSettings());
}

class CourseDetailTest : public ::testing::TestWithParam<DetailCase> {};

TEST_P(CourseDetailTest, IsInvalidWithOneDetail) {
  const DetailCase& c = GetParam();
  Result<domain::Course> r = ParseCourse(c.index ? "bad key" : "py", c.body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalid) << r.status().ToString();
  const ErrorDetail d = OnlyDetail(r);
  EXPECT_EQ(d.index, std::nullopt);
  EXPECT_EQ(d.pointer, c.pointer) << r.status().ToString();
  EXPECT_NE(d.reason.find(c.reason), std::string::npos) << d.reason;
}

// `index` set means: put the course under the bad key "bad key".
INSTANTIATE_TEST_SUITE_P(
    Cases, CourseDetailTest,
    ::testing::Values(
        DetailCase{"BadKeyInPath", R"({"title":"T","chapters":[]})", 0, "",
                   "'bad key' is not a valid course key"},
        DetailCase{"UnknownSetting",
                   R"({"title":"T","chapters":[],"settings":{"mastery_windw":5}})", std::nullopt,
                   "/settings/mastery_windw", "unknown field 'mastery_windw'"},
        DetailCase{"SettingOutOfRange",
                   R"({"title":"T","chapters":[],"settings":{"mastery_window":40}})", std::nullopt,
                   "/settings/mastery_window", "mastery_window must be 1-32"},
        DetailCase{"SettingOutOfIntRange",
                   R"({"title":"T","chapters":[],"settings":{"at_risk_days":5000000000}})",
                   std::nullopt, "/settings/at_risk_days", "number out of range"},
        DetailCase{"SettingNotANumber",
                   R"({"title":"T","chapters":[],"settings":{"p_init":"0.5"}})", std::nullopt,
                   "/settings/p_init", "expected a number"},
        DetailCase{"UnknownMasteryModel",
                   R"({"title":"T","chapters":[],"settings":{"mastery_model":"elo"}})",
                   std::nullopt, "/settings/mastery_model", "'recent' or 'bkt'; got 'elo'"},
        DetailCase{"MissingTitle", R"({"chapters":[]})", std::nullopt, "", "missing field 'title'"},
        DetailCase{"KeyIsNotABodyField", R"({"key":"py","title":"T","chapters":[]})", std::nullopt,
                   "/key", "unknown field 'key'"},
        DetailCase{
            "MissingExerciseTitle",
            R"({"title":"T","chapters":[{"key":"c1","title":"C","exercises":[{"key":"e1"}]}]})",
            std::nullopt, "/chapters/0/exercises/0", "missing field 'title'"},
        DetailCase{
            "ExerciseTwice",
            R"({"title":"T","chapters":[{"key":"c1","title":"C","exercises":[{"key":"e1","title":"E"}]},)"
            R"({"key":"c2","title":"D","exercises":[{"key":"e1","title":"F"}]}]})",
            std::nullopt, "/chapters/1/exercises/0/key", "exercise 'e1' appears twice"},
        DetailCase{"BadChapterKey",
                   R"({"title":"T","chapters":[{"key":"c 1","title":"C","exercises":[]}]})",
                   std::nullopt, "/chapters/0/key", "is not a valid key"}),
    CaseName<DetailCase>);

TEST(ParseCourseTest, ABadPathKeyIsReportedWithTheBodysProblems) {
  Result<domain::Course> r = ParseCourse("..", R"({"title":"","chapters":[]})");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.status().details().size(), 2u) << r.status().ToString();
  EXPECT_EQ(r.status().details()[0].pointer, "");
  EXPECT_EQ(r.status().details()[1].pointer, "/title");
}

TEST(ParseUserTest, DefaultsToAnActiveLearnerInNoGroup) {
  Result<domain::User> r = ParseUser("ann", R"({"name":"Ann","email":"ann@acme.example"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->key, "ann");
  EXPECT_EQ(r->name, "Ann");
  EXPECT_EQ(r->email, "ann@acme.example");
  EXPECT_EQ(domain::RoleNames(r->roles), std::vector<std::string>{"learner"});
  EXPECT_TRUE(r->active);
  EXPECT_TRUE(r->groups.empty());
  EXPECT_FALSE(r->password);
}

TEST(ParseUserTest, ReadsRolesGroupsActiveAndPassword) {
  Result<domain::User> r = ParseUser(
      "ann", R"({"name":"Ann","email":"ann@acme.example","roles":["executive","group_manager"],)"
             R"("groups":["g1","g2"],"active":false,"password":"correct horse"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(domain::RoleNames(r->roles), (std::vector<std::string>{"executive", "group_manager"}));
  EXPECT_EQ(r->groups, (std::vector<std::string>{"g1", "g2"}));
  EXPECT_FALSE(r->active);
  EXPECT_EQ(r->password, "correct horse");
}

TEST(ParseUserTest, NamesEachBadPart) {
  Result<domain::User> r = ParseUser(
      "ann",
      R"({"name":"Ann","email":"ann-at-acme","roles":["king"],"groups":["g1",3],"active":1})");
  ASSERT_FALSE(r.ok());
  std::vector<std::string> pointers;
  const Status status = r.status();
  for (const ErrorDetail& d : status.details()) pointers.push_back(d.pointer);
  // The email rule is a domain rule: it runs only once the shape is right.
  EXPECT_EQ(pointers, (std::vector<std::string>{"/roles/0", "/groups/1", "/active"}));
  EXPECT_NE(r.status().details()[0].reason.find("unknown role 'king'"), std::string::npos);

  Result<domain::User> email = ParseUser("ann", R"({"name":"Ann","email":"ann-at-acme"})");
  ASSERT_FALSE(email.ok());
  EXPECT_EQ(OnlyDetail(email).pointer, "/email");
}

TEST(ParseGroupTest, ReadsNameAndManagers) {
  Result<domain::Group> r = ParseGroup("g1", R"({"name":"Group 1","managers":["ann","bob"]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->key, "g1");
  EXPECT_EQ(r->name, "Group 1");
  EXPECT_EQ(r->managers, (std::vector<std::string>{"ann", "bob"}));
  Result<domain::Group> missing = ParseGroup("g1", R"({"managers":[]})");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(OnlyDetail(missing), (ErrorDetail{std::nullopt, "", "missing field 'name'"}));
  Result<domain::Group> twice = ParseGroup("g1", R"({"name":"G","managers":["ann","ann"]})");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(OnlyDetail(twice).pointer, "/managers/1");
}

TEST(ParseEnrollmentTest, TakesNothingOrEnrolledAt) {
  for (const char* body : {"", " \n", "{}", R"({"enrolled_at":null})"}) {
    Result<std::optional<Instant>> r = ParseEnrollment(body);
    ASSERT_TRUE(r.ok()) << body << ": " << r.status().ToString();
    EXPECT_FALSE(r.value()) << body;
  }
  Result<std::optional<Instant>> at = ParseEnrollment(R"({"enrolled_at":"2026-01-05T08:00:00Z"})");
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at.value(), ParseRfc3339("2026-01-05T08:00:00Z"));
  Result<std::optional<Instant>> bad = ParseEnrollment(R"({"enrolled_at":"soon"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(OnlyDetail(bad).pointer, "/enrolled_at");
  EXPECT_EQ(ParseEnrollment(R"({"enroled_at":1})").status().code(), ErrorCode::kInvalid);
  EXPECT_EQ(ParseEnrollment("{").status().code(), ErrorCode::kMalformed);
}

const std::string kBundle = fmt::format(R"({{
  "groups": [{{"key": "g1", "name": "Group 1"}}],
  "courses": [{{"key": "py", "title": "Python", "chapters": [
      {{"key": "c1", "title": "Basics", "exercises": [{{"key": "e1", "title": "Variables"}}]}}]}}],
  "users": [{{"key": "ann", "name": "Ann", "email": "ann@acme.example", "groups": ["g1"],
             "password": "correct horse"}}],
  "enrollments": [{{"user": "ann", "course": "py", "enrolled_at": "2026-01-05T08:00:00Z"}},
                  {{"user": "ann", "course": "go"}}],
  "attempts": [{}, {}]
}})",
                                        AttemptJson("a1"), AttemptJson("a2"));

TEST(ParseImportJsonTest, ReadsEverySectionOfABundle) {
  Result<domain::WriteBatch> r = ParseImportJson(kBundle, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->groups.items.size(), 1u);
  EXPECT_EQ(r->groups.origin.list_pointer, "/groups");
  ASSERT_EQ(r->courses.items.size(), 1u);
  EXPECT_EQ(r->courses.items[0].key, "py");
  EXPECT_EQ(r->courses.origin.list_pointer, "/courses");
  ASSERT_EQ(r->users.items.size(), 1u);
  EXPECT_EQ(r->users.items[0].user.key, "ann");
  EXPECT_EQ(r->users.items[0].user.password, "correct horse");
  EXPECT_FALSE(r->users.items[0].password_hash);
  ASSERT_EQ(r->enrollments.items.size(), 2u);
  EXPECT_EQ(r->enrollments.items[0].enrolled_at, ParseRfc3339("2026-01-05T08:00:00Z"));
  EXPECT_FALSE(r->enrollments.items[1].enrolled_at);
  EXPECT_EQ(r->enrollments.origin.list_pointer, "/enrollments");
  EXPECT_EQ(r->attempts.items.size(), 2u);
  EXPECT_EQ(r->attempts.origin.list_pointer, "/attempts");
  EXPECT_TRUE(r->attempts.origin.indexed);
}

TEST(ParseImportJsonTest, PointersStartAtTheFilesRoot) {
  const std::string body =
      fmt::format(R"({{"users":[{{"key":"ann","name":"Ann","email":"ann@acme.example"}},)"
                  R"({{"key":"b b","name":"Bob","email":"bob@acme.example"}}],)"
                  R"("enrollments":[{{"user":"ann"}}],"attempts":[{},{}],"lessons":[]}})",
                  AttemptJson("a1"), AttemptJson("a2", R"(,"user":"x")"));
  Result<domain::WriteBatch> r = ParseImportJson(body, kNow);
  ASSERT_FALSE(r.ok());
  const Status status = r.status();
  const std::vector<ErrorDetail>& d = status.details();
  ASSERT_EQ(d.size(), 4u) << r.status().ToString();
  EXPECT_EQ(d[0].index, 1u);
  EXPECT_EQ(d[0].pointer, "/users/1/key");
  EXPECT_EQ(d[1], (ErrorDetail{0, "/enrollments/0", "missing field 'course'"}));
  EXPECT_EQ(d[2], (ErrorDetail{1, "/attempts/1/user", "duplicate field 'user'"}));
  EXPECT_EQ(d[3], (ErrorDetail{std::nullopt, "/lessons", "unknown field 'lessons'"}));
  EXPECT_EQ(r.status().message().rfind("4 problems in the file", 0), 0u) << r.status().message();
}

TEST(ParseImportJsonTest, ReadsImportedCertifications) {
  Result<domain::WriteBatch> r = ParseImportJson(
      R"({"certifications":[{"user":"ann","course":"py","issued_at":"2026-01-05T08:00:00Z"},)"
      R"({"user":"bob","course":"py","issued_at":"2026-01-05T08:00:00Z",)"
      R"("expires_at":"2027-01-05T08:00:00Z"}]})",
      kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->certifications.origin.list_pointer, "/certifications");
  ASSERT_EQ(r->certifications.items.size(), 2u);
  EXPECT_EQ(r->certifications.items[0],
            (domain::ImportedCertification{"ann", "py", *ParseRfc3339("2026-01-05T08:00:00Z"),
                                           std::nullopt}));
  EXPECT_EQ(r->certifications.items[1].expires_at, ParseRfc3339("2027-01-05T08:00:00Z"));
}

TEST(ParseImportJsonTest, ACertificationNamesWhatIsWrongWithIt) {
  Result<domain::WriteBatch> r = ParseImportJson(
      R"({"certifications":[{"user":"ann","course":"py","issued_at":"2026-01-05T08:00:00Z",)"
      R"("expires_at":"2026-01-05T08:00:00Z"},)"
      R"({"user":"ann","course":"py"},)"
      R"({"user":"ann","course":"py","issued_at":"2099-01-01T00:00:00Z"},)"
      R"({"user":"ann","course":"p y","issued_at":"2026-01-05T08:00:00Z","grade":"A"}]})",
      kNow);
  ASSERT_FALSE(r.ok());
  const Status status = r.status();
  const std::vector<ErrorDetail>& d = status.details();
  ASSERT_EQ(d.size(), 5u) << status.ToString();
  EXPECT_EQ(d[0], (ErrorDetail{0, "/certifications/0", "expires_at must be after issued_at"}));
  EXPECT_EQ(d[1], (ErrorDetail{1, "/certifications/1", "missing field 'issued_at'"}));
  EXPECT_EQ(d[2],
            (ErrorDetail{2, "/certifications/2", "issued_at is more than 24 hours in the future"}));
  EXPECT_EQ(d[3].pointer, "/certifications/3/course");
  EXPECT_EQ(d[4].pointer, "/certifications/3/grade");
}

TEST(ParseImportJsonTest, ABareArrayIsAttemptsWithoutTheRequestLimit) {
  std::vector<std::string> attempts(10'001, AttemptJson("a", "", "[]"));
  Result<domain::WriteBatch> r = ParseImportJson(Batch(attempts), kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts.items.size(), 10'001u);
  EXPECT_EQ(r->attempts.origin.list_pointer, "");
  Result<domain::WriteBatch> bad = ParseImportJson("[1]", kNow);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(OnlyDetail(bad), (ErrorDetail{0, "/0", "expected an object"}));
  EXPECT_EQ(ParseImportJson("[\"\xff\"]", kNow).status().message(), "file is not valid UTF-8");
}

}  // namespace
}  // namespace cohort::ingest

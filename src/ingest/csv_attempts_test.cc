#include "ingest/csv_attempts.h"

#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "ingest/csv_reader.h"
#include "ingest/json_documents.h"

namespace cohort::ingest {
namespace {

using internal::CsvReader;

const Instant kNow = *ParseRfc3339("2026-03-10T12:00:00Z");
const std::string kHeader =
    "attempt,user,course,exercise,started_at,finished_at,question,correct,hints,time_ms,"
    "answered_at,points\n";

std::vector<std::vector<std::string>> ReadAll(std::string_view text, std::string* error = nullptr,
                                              std::vector<std::size_t>* lines = nullptr) {
  CsvReader reader(text);
  std::vector<std::vector<std::string>> out;
  for (;;) {
    const CsvReader::Step step = reader.Next();
    if (step == CsvReader::Step::kEnd) break;
    if (step == CsvReader::Step::kError) {
      if (error) *error = reader.error();
      break;
    }
    out.emplace_back(reader.fields().begin(), reader.fields().end());
    if (lines) lines->push_back(reader.line());
  }
  return out;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvReaderTest, ReadsQuotedFieldsWithCommasQuotesAndLineBreaks) {
  std::vector<std::size_t> lines;
  const Rows rows =
      ReadAll("a,\"b,c\",\"say \"\"hi\"\"\"\n\"two\nlines\",,\"\"\nlast,x,y\n", nullptr, &lines);
  EXPECT_EQ(rows, (Rows{{"a", "b,c", "say \"hi\""}, {"two\nlines", "", ""}, {"last", "x", "y"}}));
  EXPECT_EQ(lines, (std::vector<std::size_t>{1, 2, 4}));
}

TEST(CsvReaderTest, TakesCrlfABomEmptyLinesAndNoFinalLineBreak) {
  std::vector<std::size_t> lines;
  const Rows rows = ReadAll("\xEF\xBB\xBFh1,h2\r\n\r\n1,\"2\r\n3\"\r\n4,5", nullptr, &lines);
  EXPECT_EQ(rows, (Rows{{"h1", "h2"}, {"1", "2\r\n3"}, {"4", "5"}}));
  EXPECT_EQ(lines, (std::vector<std::size_t>{1, 3, 5}));
  EXPECT_EQ(ReadAll("a,b,"), (Rows{{"a", "b", ""}}));
}

TEST(CsvReaderTest, RefusesBrokenQuotingNamingTheLine) {
  std::string error;
  ReadAll("a,b\nc,\"open\nstill open\n", &error);
  EXPECT_EQ(error, "a quoted field starting on line 2 is never closed");
  ReadAll("a,b\nc,d\"e\n", &error);
  EXPECT_NE(error.find("a quote inside an unquoted field on line 2"), std::string::npos) << error;
  ReadAll("a,\"b\"c\n", &error);
  EXPECT_EQ(error, "unexpected character after a closing quote on line 1");
}

// Two attempts of two responses each, the second with every optional column empty.
const std::string kTwoAttemptsCsv =
    kHeader +
    "a1,ann,py,e1,2026-03-10T10:00:00Z,2026-03-10T10:05:00Z,q1,true,0,1000,,\n"
    "a1,ann,py,e1,2026-03-10T10:00:00Z,2026-03-10T10:05:00Z,q2,false,1,2000,"
    "2026-03-10T10:04:00Z,3\n"
    "a2,bob,py,e2,2026-03-10T11:00:00Z,,q1,1,,,,\n"
    "a2,bob,py,e2,2026-03-10T11:00:00Z,,\"q,2\",0,,,,\n";

TEST(ParseAttemptsCsvTest, GroupsConsecutiveRowsIntoAttempts) {
  Result<domain::WriteBatch> r = ParseAttemptsCsv(kTwoAttemptsCsv, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts.origin.list_pointer, "/attempts");
  EXPECT_TRUE(r->attempts.origin.indexed);
  ASSERT_EQ(r->attempts.items.size(), 2u);
  const domain::Attempt& a1 = r->attempts.items[0];
  EXPECT_EQ(a1.id, "a1");
  EXPECT_EQ(a1.finished_at, ParseRfc3339("2026-03-10T10:05:00Z"));
  ASSERT_EQ(a1.responses.size(), 2u);
  EXPECT_EQ(a1.responses[0].answered_at, ParseRfc3339("2026-03-10T10:00:01Z"));
  EXPECT_EQ(a1.responses[1].answered_at, ParseRfc3339("2026-03-10T10:04:00Z"));
  EXPECT_EQ(a1.responses[1].points, 3);
  const domain::Attempt& a2 = r->attempts.items[1];
  EXPECT_EQ(a2.user, "bob");
  EXPECT_FALSE(a2.finished_at);
  ASSERT_EQ(a2.responses.size(), 2u);
  EXPECT_TRUE(a2.responses[0].correct);
  EXPECT_EQ(a2.responses[1].question, "q,2");
  EXPECT_EQ(a2.responses[1].hints, 0);
  EXPECT_EQ(a2.responses[1].time_ms, 0);
  EXPECT_FALSE(a2.responses[1].points);
  EXPECT_EQ(a2.responses[1].answered_at, a2.started_at);
}

TEST(ParseAttemptsCsvTest, EqualsTheSameAttemptsSentAsJson) {
  const std::string json = R"([
    {"id":"a1","user":"ann","course":"py","exercise":"e1","started_at":"2026-03-10T10:00:00Z",
     "finished_at":"2026-03-10T10:05:00Z","responses":[
       {"question":"q1","correct":true,"time_ms":1000},
       {"question":"q2","correct":false,"hints":1,"time_ms":2000,
        "answered_at":"2026-03-10T11:04:00+01:00","points":3}]},
    {"id":"a2","user":"bob","course":"py","exercise":"e2","started_at":"2026-03-10T11:00:00Z",
     "responses":[{"question":"q1","correct":true},{"question":"q,2","correct":false}]}])";
  Result<domain::WriteBatch> from_json = ParseAttempts(json, kNow);
  ASSERT_TRUE(from_json.ok()) << from_json.status().ToString();
  // CRLF line ends, a byte-order mark, columns in another order, no final line break.
  const std::string csv =
      "\xEF\xBB\xBFquestion,correct,attempt,user,course,exercise,started_at,finished_at,hints,"
      "time_ms,answered_at,points\r\n"
      "q1,TRUE,a1,ann,py,e1,2026-03-10T10:00:00Z,2026-03-10T10:05:00Z,,1000,,\r\n"
      "q2,FALSE,a1,ann,py,e1,2026-03-10T10:00:00Z,2026-03-10T10:05:00Z,1,2000,"
      "2026-03-10T10:04:00Z,3\r\n"
      "q1,true,a2,bob,py,e2,2026-03-10T11:00:00Z,,,,,\r\n"
      "\"q,2\",false,a2,bob,py,e2,2026-03-10T11:00:00Z,,,,,";
  Result<domain::WriteBatch> from_csv = ParseAttemptsCsv(csv, kNow);
  ASSERT_TRUE(from_csv.ok()) << from_csv.status().ToString();
  EXPECT_EQ(from_csv->attempts.items, from_json->attempts.items);
}

TEST(ParseAttemptsCsvTest, OptionalColumnsMayBeLeftOut) {
  const std::string csv =
      "attempt,user,course,exercise,started_at,question,correct\n"
      "a1,ann,py,e1,2026-03-10T10:00:00Z,q1,1\n";
  Result<domain::WriteBatch> r = ParseAttemptsCsv(csv, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->attempts.items.size(), 1u);
  EXPECT_EQ(r->attempts.items[0].responses[0].hints, 0);
  EXPECT_TRUE(ParseAttemptsCsv(kHeader, kNow).ok());  // a header alone: nothing to import
}

struct CsvCase {
  const char* name;
  std::string csv;
  std::optional<std::size_t> index;
  std::string pointer;
  std::string reason;  // a substring of the reason
};

class CsvDetailTest : public ::testing::TestWithParam<CsvCase> {};

TEST_P(CsvDetailTest, IsInvalidNamingLineAndColumn) {
  const CsvCase& c = GetParam();
  Result<domain::WriteBatch> r = ParseAttemptsCsv(c.csv, kNow);
  ASSERT_FALSE(r.ok());
  const Status status = r.status();
  EXPECT_EQ(status.code(), ErrorCode::kInvalid) << status.ToString();
  ASSERT_EQ(status.details().size(), 1u) << status.ToString();
  const ErrorDetail& d = status.details()[0];
  EXPECT_EQ(d.index, c.index);
  EXPECT_EQ(d.pointer, c.pointer);
  EXPECT_NE(d.reason.find(c.reason), std::string::npos) << d.reason;
}

const std::string kRow1 = "a1,ann,py,e1,2026-03-10T10:00:00Z,,q1,true,,,,\n";
const std::string kRow2 = "a2,ann,py,e1,2026-03-10T10:00:00Z,,q1,true,,,,\n";

std::string ManyRows(int n) {
  std::string out = kHeader;
  for (int i = 0; i < n; ++i) out += kRow1;
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CsvDetailTest,
    ::testing::Values(
        CsvCase{"UnknownColumn",
                "attempt,user,course,exercise,started_at,question,correct,colour\n", std::nullopt,
                "/line/1/colour", "unknown column 'colour'"},
        CsvCase{"MissingColumn", "attempt,user,course,exercise,started_at,question\n", std::nullopt,
                "/line/1", "missing column 'correct'"},
        CsvCase{"ColumnTwice", "attempt,user,course,exercise,started_at,question,correct,user\n",
                std::nullopt, "/line/1/user", "column 'user' appears twice"},
        CsvCase{"EmptyFile", "", std::nullopt, "/line/1", "the file is empty"},
        CsvCase{"TooFewFields", kHeader + kRow1 + "a1,ann,py\n", 0, "/line/3",
                "expected 12 fields as in the header, found 3"},
        CsvCase{"NotAnInteger",
                kHeader + kRow2 + "a1,ann,py,e1,2026-03-10T10:00:00Z,,q1,true,x,,,\n", 1,
                "/line/3/hints", "expected an integer; got 'x'"},
        CsvCase{"IntegerOutOfRange",
                kHeader + "a1,ann,py,e1,2026-03-10T10:00:00Z,,q1,true,,99999999999999999999,,\n", 0,
                "/line/2/time_ms", "number out of range"},
        // started_at + time_ms would overflow (undefined behaviour): refused as it is read.
        CsvCase{"TimeMsOfInt64Max",
                kHeader + "a1,ann,py,e1,2026-03-10T10:00:00Z,,q1,true,,9223372036854775807,,\n", 0,
                "/line/2/time_ms", "time_ms must be 0-86400000 (24 h); got 9223372036854775807"},
        CsvCase{"StartedInYear0", kHeader + "a1,ann,py,e1,0000-01-01T00:00:00Z,,q1,true,,,,\n", 0,
                "/line/2/started_at", "is before 1970-01-01T00:00:00Z"},
        CsvCase{"AnsweredBeforeTheEpoch",
                kHeader + "a1,ann,py,e1,2026-03-10T10:00:00Z,,q1,true,,,1969-12-31T23:59:59Z,\n",
                0, "/line/2/answered_at", "is before 1970-01-01T00:00:00Z"},
        CsvCase{"NotABoolean", kHeader + "a1,ann,py,e1,2026-03-10T10:00:00Z,,q1,yes,,,,\n", 0,
                "/line/2/correct", "expected true, false, 1 or 0; got 'yes'"},
        CsvCase{"NotATime", kHeader + "a1,ann,py,e1,soon,,q1,true,,,,\n", 0, "/line/2/started_at",
                "'soon' is not an RFC 3339 time"},
        CsvCase{"AttemptFieldsDiffer",
                kHeader + kRow1 + "a1,bob,py,e1,2026-03-10T10:00:00Z,,q2,true,,,,\n", 0,
                "/line/3/user", "user 'bob' differs from 'ann' on line 2"},
        CsvCase{"AttemptRowsNotConsecutive", kHeader + kRow1 + kRow2 + kRow1, 2, "/line/4/attempt",
                "attempt 'a1' already appeared on line 2"},
        CsvCase{"NegativeHints",
                kHeader + kRow2 + kRow1 + "a1,ann,py,e1,2026-03-10T10:00:00Z,,q2,true,-1,,,\n", 1,
                "/line/4/hints", "hints must be 0-1000000; got -1"},
        CsvCase{"FinishedBeforeStarted",
                kHeader + "a1,ann,py,e1,2026-03-10T10:00:00Z,2026-03-10T09:00:00Z,q1,true,,,,\n", 0,
                "/line/2/finished_at", "finished_at is before started_at"},
        CsvCase{"BadAttemptId", kHeader + "\"a\x01\",ann,py,e1,2026-03-10T10:00:00Z,,q1,true,,,,\n",
                0, "/line/2/attempt", "an attempt id must be"},
        CsvCase{"ThousandAndOneResponses", ManyRows(1001), 0, "/line/2",
                "1001 responses in one attempt"},
        CsvCase{"ThreeThousandResponses", ManyRows(3000), 0, "/line/2",
                "3000 responses in one attempt"}),
    [](const ::testing::TestParamInfo<CsvCase>& param) { return std::string(param.param.name); });

TEST(ParseAttemptsCsvTest, SeveralBadAttemptsAreReportedTogether) {
  const std::string csv = kHeader + kRow1 + "a2,ann,py,e1,2026-03-10T10:00:00Z,,q1,true,-1,,,\n" +
                          "a3,ann,py,e1,2026-03-10T10:00:00Z,,q1,true,,,,\n" +
                          "a4,ann,py,e1,2026-03-10T10:00:00Z,,q1,maybe,,,,\n";
  Result<domain::WriteBatch> r = ParseAttemptsCsv(csv, kNow);
  ASSERT_FALSE(r.ok());
  const Status status = r.status();
  ASSERT_EQ(status.details().size(), 2u) << status.ToString();
  EXPECT_EQ(status.details()[0].index, 1u);
  EXPECT_EQ(status.details()[0].pointer, "/line/3/hints");
  EXPECT_EQ(status.details()[1].index, 3u);
  EXPECT_EQ(status.details()[1].pointer, "/line/5/correct");
  EXPECT_EQ(status.message().rfind("2 problems in the file; nothing was applied", 0), 0u);
}

TEST(ParseAttemptsCsvTest, UnreadableFilesAreMalformedNamingTheLine) {
  Result<domain::WriteBatch> open = ParseAttemptsCsv(
      kHeader + kRow1 + "a1,ann,py,e1,2026-03-10T10:00:00Z,,\"q2,true,,,,\n", kNow);
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.status().code(), ErrorCode::kMalformed);
  EXPECT_NE(open.status().message().find("starting on line 3 is never closed"), std::string::npos)
      << open.status().message();
  EXPECT_EQ(open.status().details().at(0).pointer, "/line/3");

  Result<domain::WriteBatch> utf8 = ParseAttemptsCsv(
      kHeader + kRow1 + "a1,ann,py,e1,2026-03-10T10:00:00Z,,q\xff,true,,,,\n", kNow);
  ASSERT_FALSE(utf8.ok());
  EXPECT_EQ(utf8.status().code(), ErrorCode::kMalformed);
  EXPECT_EQ(utf8.status().message(), "file is not valid UTF-8 (line 3)");
}

}  // namespace
}  // namespace cohort::ingest

// CSV exports through HTTP (SPEC §6): every view's file, read by an independent RFC 4180
// reader, equals the JSON of the same request cell by cell — same rows, order and filters.
#include <gtest/gtest.h>

#include "export_test_support.h"

namespace cohort::testing {
namespace {

using nlohmann::json;

class ExportCsvTest : public ExportFixture {
 protected:
  // For each query, the CSV of `path?query` equals the JSON rows of the same request (all its
  // rows: the JSON is asked for 1,000 unless the query pages).
  void ExpectQueriesMatch(const std::string& path, const std::vector<std::string>& queries,
                          const std::vector<ExportColumn>& columns) {
    for (const std::string& query : queries) {
      const std::string base = path + "?" + query;
      const bool paged = query.find("limit") != std::string::npos;
      const json expected = GetJson(paged ? base : base + "&limit=1000");
      SCOPED_TRACE(query);
      ASSERT_FALSE(expected["rows"].empty());
      ExpectCsvMatchesJson(GetCsv(base + "&format=csv"), expected["rows"], columns);
    }
  }
};

TEST_F(ExportCsvTest, LeagueHasEveryRowWithoutALimitAndMatchesTheJson) {
  const json page = GetJson("/api/v1/courses/py/users");
  ASSERT_GT(page["total"].get<int>(), 100);
  ASSERT_EQ(page["rows"].size(), 100u);  // JSON pages by 100
  const json all = GetJson("/api/v1/courses/py/users?limit=1000");
  ASSERT_EQ(all["rows"].size(), page["total"].get<std::size_t>());
  ExpectCsvMatchesJson(GetCsv("/api/v1/courses/py/users?format=csv"), all["rows"], LeagueColumns());
}

TEST_F(ExportCsvTest, CompletionAndCertificationDatesAreTheJsonTimes) {
  const json certified = GetJson("/api/v1/courses/py/users?certified=true&limit=1000");
  ASSERT_EQ(certified["total"], 13);  // u000, u010, ..., u120
  ASSERT_TRUE(certified["rows"][0]["certified_at"].is_string());
  ASSERT_TRUE(certified["rows"][0]["completed_at"].is_string());
  const CsvRecords csv = GetCsv("/api/v1/courses/py/users?certified=true&format=csv");
  ExpectCsvMatchesJson(csv, certified["rows"], LeagueColumns());
  ASSERT_EQ(csv.size(), 14u);
  EXPECT_EQ(csv[1][9], certified["rows"][0]["certified_at"]);  // "2026-03-10T12:50:05.250+01:00"
  EXPECT_NE(csv[1][9].find("+01:00"), std::string::npos) << csv[1][9];  // Europe/Paris
}

TEST_F(ExportCsvTest, FiltersSortAndPagingAreThoseOfTheJson) {
  ExpectQueriesMatch("/api/v1/courses/py/users",
                     {"sort=score&order=desc", "sort=name&q=user%200", "group=g2&sort=last_active",
                      "limit=7&offset=5&sort=time&order=desc", "completed=false&at_risk=true"},
                     LeagueColumns());
}

TEST_F(ExportCsvTest, ReportSortsFiltersAndPagesAreThoseOfTheJson) {
  // By name (streamed page by page from the engine) and by another column (sorted first).
  ExpectQueriesMatch("/api/v1/report",
                     {"sort=name&order=desc", "q=user%2001", "limit=30&offset=95",
                      "sort=mastery&order=desc", "sort=last_active&limit=10"},
                     ReportColumns());
}

TEST_F(ExportCsvTest, TheExerciseSummaryIsArrangedAsTheTableAndNamesItsChapters) {
  const std::string user = "/api/v1/courses/py/users/t1";
  const json whole = GetJson(user);
  ASSERT_EQ(whole["exercises"].size(), 3u);
  EXPECT_EQ(whole["exercises"][2]["chapter"], "c2");
  EXPECT_EQ(whole["exercises"][2]["chapter_title"], "More");
  // A filter, a search, a sort and a page: the JSON's exercises are those rows, and so is the
  // export, which names each chapter by its title too.
  const json basics = GetJson(user + "?chapter=c1&sort=title&order=desc");
  ASSERT_EQ(basics["exercises"].size(), 2u);
  EXPECT_EQ(basics["exercises"][0]["title"], "Variables");
  EXPECT_EQ(basics["exercises"][1]["title"], "Loops");
  EXPECT_EQ(GetJson(user + "?q=LOOP")["exercises"].size(), 1u);
  EXPECT_EQ(GetJson(user + "?sort=chapter_title&limit=1&offset=2")["exercises"][0]["exercise"],
            "e3");
  for (const std::string query : {"chapter=c1&sort=title&order=desc", "q=o&sort=attempts",
                                  "mastered=false&sort=mastery&order=desc", "limit=1&offset=1"}) {
    SCOPED_TRACE(query);
    const json expected = GetJson(user + "?" + query)["exercises"];
    const CsvRecords csv = GetCsv(user + "?" + query + "&format=csv");
    ExpectCsvMatchesJson(csv, expected, UserColumns());
  }
  const CsvRecords by_chapter = GetCsv(user + "?chapter=c2&format=csv");
  ASSERT_EQ(by_chapter.size(), 2u);
  EXPECT_EQ(by_chapter[0][3], "Chapter title");
  EXPECT_EQ(by_chapter[1][3], "More");
  EXPECT_EQ(Get(user + "?sort=nope").status, 422);
  EXPECT_EQ(Get(user + "?group=g1").status, 422);
  EXPECT_EQ(Get(user + "?mastered=maybe").status, 422);
}

TEST_F(ExportCsvTest, TheHistoryIsSortedAndPagedAsTheTable) {
  const std::string history = "/api/v1/courses/py/users/u000/exercises/e1/attempts";
  const json whole = GetJson(history);
  ASSERT_EQ(whole["rows"].size(), 2u);
  const json newest = GetJson(history + "?sort=started_at&order=desc&limit=1");
  EXPECT_EQ(newest["total"], 2);
  ASSERT_EQ(newest["rows"].size(), 1u);
  EXPECT_EQ(newest["rows"][0]["attempt"], whole["rows"][1]["attempt"]);
  for (const std::string query : {"sort=started_at&order=desc", "sort=score", "limit=1&offset=1"}) {
    SCOPED_TRACE(query);
    ExpectCsvMatchesJson(GetCsv(history + "?" + query + "&format=csv"),
                         GetJson(history + "?" + query)["rows"], HistoryColumns());
  }
  EXPECT_EQ(Get(history + "?q=x").status, 422);
  EXPECT_EQ(Get(history + "?sort=detail").status, 422);
}

TEST_F(ExportCsvTest, EveryOtherViewMatchesItsJson) {
  ExpectCsvMatchesJson(GetCsv("/api/v1/courses?format=csv"), GetJson("/api/v1/courses")["rows"],
                       AllCoursesColumns());
  const json course = GetJson("/api/v1/courses/py");
  ExpectCsvMatchesJson(GetCsv("/api/v1/courses/py?format=csv"), CourseRowsJson(course),
                       CourseColumns());
  ExpectCsvMatchesJson(GetCsv("/api/v1/courses/py/groups?format=csv"),
                       GetJson("/api/v1/courses/py/groups")["rows"], GroupColumns());
  ExpectCsvMatchesJson(GetCsv("/api/v1/courses/py/users/t1?format=csv"),
                       GetJson("/api/v1/courses/py/users/t1")["exercises"], UserColumns());
  const std::string history = "/api/v1/courses/py/users/u000/exercises/e1/attempts";
  const json attempts = GetJson(history);
  ASSERT_EQ(attempts["rows"].size(), 2u);
  ExpectCsvMatchesJson(GetCsv(history + "?format=csv"), attempts["rows"], HistoryColumns());
  const json report = GetJson("/api/v1/report?limit=1000");
  ASSERT_GT(report["total"].get<int>(), 100);
  ExpectCsvMatchesJson(GetCsv("/api/v1/report?format=csv"), report["rows"], ReportColumns());
}

TEST_F(ExportCsvTest, FormulaLikeTextIsInertAndUnicodeSurvives) {
  const CsvRecords csv = GetCsv("/api/v1/report?format=csv&q=&sort=name");
  std::map<std::string, std::string> name_of;   // user key → Name cell
  std::map<std::string, std::string> title_of;  // course key → Title cell
  for (std::size_t r = 1; r < csv.size(); ++r) {
    name_of[csv[r][0]] = csv[r][1];
    title_of[csv[r][5]] = csv[r][6];  // after Group keys and Groups
  }
  EXPECT_EQ(name_of["t0"], "'=1+1");
  EXPECT_EQ(name_of["t1"], "'@SUM(A1)");
  EXPECT_EQ(name_of["t2"], "'-2");
  EXPECT_EQ(name_of["t3"], "'+x");
  EXPECT_EQ(name_of["t4"], "'\tTabbed");
  EXPECT_EQ(name_of["t5"], "'\rCarriage");
  EXPECT_EQ(name_of["t6"], "Zoë Çà Ñú");
  EXPECT_EQ(name_of["t7"], "Learner \xF0\x9F\x8E\x93\xF0\x9F\x9A\x80");
  EXPECT_EQ(name_of["t8"], "Lee, \"Ann\"");
  EXPECT_EQ(name_of["t9"], "two\r\nlines");
  EXPECT_EQ(title_of["inj"], "'=HYPERLINK(\"http://x\")");
  // Numbers are never guarded: a cell that is a number starts with a digit.
  const CsvRecords groups = GetCsv("/api/v1/courses/py/groups?format=csv");
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[1][1] == "g2" ? groups[1][2] : groups[2][2], "'@group");
  const CsvRecords chapters = GetCsv("/api/v1/courses/inj?format=csv");
  ASSERT_GE(chapters.size(), 3u);
  EXPECT_EQ(chapters[2][2], "'+chapter");
  EXPECT_EQ(GetCsv("/api/v1/courses/inj/users/t0?format=csv")[1][1], "'-minus");
}

TEST_F(ExportCsvTest, BomCrLfHeadersAndFileName) {
  HttpResponse r = Get("/api/v1/courses/py/users?format=csv");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_EQ(r.body.substr(r.body.size() - 2), "\r\n");
  // The account's zone is Europe/Paris and the clock 2026-03-10T12:00:00Z.
  EXPECT_EQ(r.Header("content-disposition"),
            "attachment; filename=\"acme-py-league-2026-03-10.csv\"");
  const std::string line_ends_without_cr = [&] {
    for (std::size_t i = 0; i < r.body.size(); ++i) {
      if (r.body[i] == '\n' && (i == 0 || r.body[i - 1] != '\r')) return std::to_string(i);
    }
    return std::string();
  }();
  EXPECT_EQ(line_ends_without_cr, "");
  EXPECT_EQ(Get("/api/v1/report?format=csv").Header("content-disposition"),
            "attachment; filename=\"acme-report-2026-03-10.csv\"");
  EXPECT_EQ(Get("/api/v1/courses/py/users/t6/exercises/e1/attempts?format=xlsx")
                .Header("content-disposition"),
            "attachment; filename=\"acme-py-t6-e1-history-2026-03-10.xlsx\"");
}

TEST_F(ExportCsvTest, TheBodyIsSentInChunks) {
  RawSocket socket("127.0.0.1", server_->port());
  ASSERT_TRUE(socket.connected()) << socket.error();
  ASSERT_TRUE(
      socket.Send("GET /api/v1/report?format=csv HTTP/1.1\r\nHost: test\r\n"
                  "Authorization: Bearer " +
                  read_token_ + "\r\nConnection: close\r\n\r\n"));
  const std::string answer = socket.ReadUntilClosed(std::chrono::seconds(10));
  const std::size_t header_end = answer.find("\r\n\r\n");
  ASSERT_NE(header_end, std::string::npos) << answer.substr(0, 500);
  const std::string header = answer.substr(0, header_end);
  EXPECT_NE(header.find("Transfer-Encoding: chunked"), std::string::npos) << header;
  EXPECT_EQ(header.find("Content-Length"), std::string::npos) << header;
  EXPECT_EQ(answer.substr(answer.size() - 5), "0\r\n\r\n");
  // The first chunk's size line, in hexadecimal: the BOM, the header and the first records.
  const std::size_t first_line_end = answer.find("\r\n", header_end + 4);
  const std::string size_line = answer.substr(header_end + 4, first_line_end - header_end - 4);
  EXPECT_GT(std::stoul(size_line, nullptr, 16), 1000u) << size_line;
}

TEST_F(ExportCsvTest, AcceptHeaderChoosesTheFormatAndUnknownFormatsAreRefused) {
  HttpResponse csv = Get("/api/v1/courses", {{"Accept", "text/csv"}});
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.Header("content-type"), "text/csv; charset=utf-8");
  HttpResponse xlsx =
      Get("/api/v1/courses/py/groups",
          {{"Accept", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}});
  EXPECT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");
  HttpResponse json_first = Get("/api/v1/courses", {{"Accept", "application/json, text/csv"}});
  EXPECT_EQ(json_first.Header("content-type"), "application/json");
  HttpResponse query_wins = Get("/api/v1/courses?format=json", {{"Accept", "text/csv"}});
  EXPECT_EQ(query_wins.Header("content-type"), "application/json");
  for (const std::string target : {"/api/v1/courses?format=pdf", "/api/v1/report?format=pdf",
                                   "/api/v1/courses/py/users/ann?format=pdf"}) {
    HttpResponse bad = Get(target);
    EXPECT_EQ(bad.status, 422) << target;
    EXPECT_NE(bad.body.find("'pdf'"), std::string::npos) << bad.body;
  }
  // Errors of the view stay JSON errors.
  HttpResponse missing = Get("/api/v1/courses/nope/users?format=csv");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Header("content-type"), "application/json");
  EXPECT_EQ(Get("/api/v1/courses/py/users?format=csv&sort=shoe_size").status, 422);
}

}  // namespace
}  // namespace cohort::testing

// XLSX exports through HTTP (SPEC §6), read back by independent readers: exceljs for types,
// values and formats, LibreOffice (headless) for what a spreadsheet shows.
#include <cmath>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "export_test_support.h"

namespace cohort::testing {
namespace {

using nlohmann::json;

void ExpectXlsxCell(const json& cell, const json& v, Shown shown, const std::string& where) {
  const std::string type = cell["t"];
  if (v.is_null()) {
    EXPECT_EQ(type, "null") << where;
    return;
  }
  switch (shown) {
    case Shown::kText:
      EXPECT_EQ(type, "string") << where;
      EXPECT_EQ(cell["v"], v) << where;  // text is never a formula: no ' needed
      return;
    case Shown::kGroups: {
      std::string joined;
      for (const json& g : v) joined += (joined.empty() ? "" : "; ") + g.get<std::string>();
      EXPECT_EQ(type, "string") << where;
      EXPECT_EQ(cell["v"], joined) << where;
      return;
    }
    case Shown::kInteger:
      EXPECT_EQ(type, "number") << where;
      EXPECT_EQ(cell["v"].get<double>(), v.get<double>()) << where;
      return;
    case Shown::kPercent:
      EXPECT_EQ(type, "number") << where;
      EXPECT_EQ(cell.value("f", ""), "0.0%") << where;
      EXPECT_NEAR(cell["v"].get<double>(), v.get<double>(), 1e-12) << where;
      return;
    case Shown::kSeconds:
      EXPECT_EQ(type, "number") << where;
      EXPECT_NEAR(cell["v"].get<double>(), v.get<double>(), 0.0005) << where;
      return;
    case Shown::kHms:
      // A duration: a number of days shown as [h]:mm:ss (exceljs calls any time format a date).
      EXPECT_TRUE(type == "date" || type == "number") << where << ": " << type;
      EXPECT_EQ(cell.value("f", ""), "[h]:mm:ss") << where;
      // Whole seconds (as the CSV's h:mm:ss), so every spreadsheet shows the same.
      EXPECT_NEAR(cell["v"].get<double>() * 86400.0, std::round(v.get<double>()), 1e-6) << where;
      return;
    case Shown::kTime:
      EXPECT_EQ(type, "date") << where;
      EXPECT_EQ(cell.value("f", ""), "yyyy-mm-dd hh:mm:ss") << where;
      EXPECT_NEAR(cell["v"].get<double>(), ExcelSerialOfLocalTime(v.get<std::string>()), 2e-8)
          << where << ": " << v;
      return;
    case Shown::kBoolean:
      EXPECT_EQ(type, "boolean") << where;
      EXPECT_EQ(cell["v"], v) << where;
      return;
  }
}

// Expects `sheet` to hold a bold frozen header of `columns`, an autofilter over all rows,
// fitted widths, and exactly `rows` with typed cells.
void ExpectSheetMatchesJson(const json& sheet, const json& rows,
                            const std::vector<ExportColumn>& columns) {
  ASSERT_TRUE(sheet.is_object());
  SCOPED_TRACE("sheet " + sheet["name"].get<std::string>());
  EXPECT_EQ(sheet["frozen"], json({{"x", 0}, {"y", 1}}));
  const char last_column = static_cast<char>('A' + columns.size() - 1);
  EXPECT_EQ(sheet["autoFilter"], fmt::format("A1:{}{}", last_column, rows.size() + 1));
  const json& cells = sheet["rows"];
  ASSERT_EQ(cells.size(), rows.size() + 1);
  ASSERT_EQ(sheet["widths"].size(), columns.size());
  for (std::size_t c = 0; c < columns.size(); ++c) {
    EXPECT_EQ(cells[0][c]["v"], columns[c].header);
    EXPECT_EQ(cells[0][c].value("b", false), true) << columns[c].header;
    // Fitted: at least the header, and the widest text of the column.
    std::size_t widest = columns[c].header.size();
    if (columns[c].shown == Shown::kText) {
      for (const json& row : rows) {
        const auto it = row.find(columns[c].field);
        if (it != row.end() && it->is_string()) {
          widest = std::max(widest, it->get<std::string>().size() / 2);
        }
      }
    }
    EXPECT_GE(sheet["widths"][c].get<double>(), static_cast<double>(widest)) << columns[c].header;
    EXPECT_LE(sheet["widths"][c].get<double>(), 62.0) << columns[c].header;
  }
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const json& row = rows[r];
      const json v = row.contains(columns[c].field) ? row[columns[c].field] : json(nullptr);
      ExpectXlsxCell(cells[r + 1][c], v, columns[c].shown,
                     fmt::format("row {}, column '{}'", r + 2, columns[c].header));
    }
  }
}

class ExportXlsxTest : public ExportFixture {
 protected:
  // GETs `target` (an XLSX export) into a file under the test's directory; returns its path.
  std::string Download(const std::string& target, const std::string& name) {
    HttpResponse r = Get(target);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("content-type"),
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << r.body;
    return path;
  }
};

TEST_F(ExportXlsxTest, LeagueCellsAreTypedAndFormatted) {
  const json book = ReadXlsx(Download("/api/v1/courses/py/users?format=xlsx", "league.xlsx"));
  ASSERT_TRUE(book.is_object());
  ASSERT_EQ(book["sheets"].size(), 1u);
  EXPECT_EQ(book["sheets"][0]["name"], "py league");
  const json all = GetJson("/api/v1/courses/py/users?limit=1000");
  ASSERT_GT(all["rows"].size(), 100u);
  ExpectSheetMatchesJson(book["sheets"][0], all["rows"], LeagueColumns());
}

TEST_F(ExportXlsxTest, EveryOtherViewIsOneTypedSheet) {
  struct Case {
    std::string target, sheet;
    json rows;
    std::vector<ExportColumn> columns;
  };
  const std::string history = "/api/v1/courses/py/users/t6/exercises/e1/attempts";
  const std::vector<Case> cases = {
      {"/api/v1/courses", "Courses", GetJson("/api/v1/courses")["rows"], AllCoursesColumns()},
      {"/api/v1/courses/py", "py", CourseRowsJson(GetJson("/api/v1/courses/py")), CourseColumns()},
      {"/api/v1/courses/py/groups", "py groups", GetJson("/api/v1/courses/py/groups")["rows"],
       GroupColumns()},
      {"/api/v1/courses/inj/users/t7", "inj t7",
       GetJson("/api/v1/courses/inj/users/t7")["exercises"], UserColumns()},
      {history, "t6 e1", GetJson(history)["rows"], HistoryColumns()},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].target);
    const json book =
        ReadXlsx(Download(cases[i].target + "?format=xlsx", fmt::format("view{}.xlsx", i)));
    ASSERT_TRUE(book.is_object());
    ASSERT_EQ(book["sheets"].size(), 1u);
    EXPECT_EQ(book["sheets"][0]["name"], cases[i].sheet);
    ExpectSheetMatchesJson(book["sheets"][0], cases[i].rows, cases[i].columns);
  }
}

TEST_F(ExportXlsxTest, ReportIsASummaryAndASheetPerCourse) {
  const json book = ReadXlsx(Download("/api/v1/report?format=xlsx", "report.xlsx"));
  ASSERT_TRUE(book.is_object());
  const json report = GetJson("/api/v1/report?limit=1000");
  std::map<std::string, json> by_course;  // the JSON's rows of each course, in its order
  for (const json& row : report["rows"]) {
    json& rows = by_course[row["course"].get<std::string>()];
    if (rows.is_null()) rows = json::array();
    rows.push_back(row);
  }
  ASSERT_EQ(by_course.size(), 2u);
  const json& sheets = book["sheets"];
  ASSERT_EQ(sheets.size(), 3u);
  EXPECT_EQ(sheets[0]["name"], "Summary");
  EXPECT_EQ(sheets[1]["name"], "inj");
  EXPECT_EQ(sheets[2]["name"], "py");
  ExpectSheetMatchesJson(sheets[1], by_course["inj"], ReportColumns());
  ExpectSheetMatchesJson(sheets[2], by_course["py"], ReportColumns());

  // Summary: per course over its rows — users, mean mastery, completed, sums.
  const json& summary = sheets[0]["rows"];
  ASSERT_EQ(summary.size(), 3u);
  EXPECT_EQ(summary[0][0]["v"], "Course");
  EXPECT_EQ(summary[0][3]["v"], "Mastery %");
  std::size_t line = 1;
  for (const auto& [course, rows] : by_course) {
    double mastery = 0, points = 0;
    for (const json& row : rows) {
      mastery += row["mastery"].get<double>();
      points += row["points"].get<double>();
    }
    const json& cells = summary[line++];
    EXPECT_EQ(cells[0]["v"], course);
    EXPECT_EQ(cells[1]["v"], rows[0]["title"]);
    EXPECT_EQ(cells[2]["v"].get<double>(), static_cast<double>(rows.size()));
    EXPECT_NEAR(cells[3]["v"].get<double>(), mastery / static_cast<double>(rows.size()), 1e-12);
    EXPECT_EQ(cells[3].value("f", ""), "0.0%");
    EXPECT_EQ(cells[8]["v"].get<double>(), points);
  }
}

// What a person sees: LibreOffice opens the workbook and saves it as CSV with the cells as shown.
TEST_F(ExportXlsxTest, LibreOfficeShowsPercentagesDatesAndDurations) {
  const std::string soffice = FindOnPath("soffice");
  ASSERT_FALSE(soffice.empty())
      << "LibreOffice (soffice) is not installed; `make setup` installs libreoffice-calc-nogui";
  const std::string target = "/api/v1/courses/py/users?format=xlsx&q=user%2000&sort=name";
  const std::string xlsx = Download(target, "shown.xlsx");
  const json expected = GetJson("/api/v1/courses/py/users?q=user%2000&sort=name");
  ASSERT_EQ(expected["rows"].size(), 10u);
  const std::string out_dir = (dir_ / "lo-out").string();
  const CommandOutput converted = RunCommand(
      fmt::format("'{}' -env:UserInstallation=file://{}/lo-profile --headless --convert-to "
                  "'csv:Text - txt - csv (StarCalc):44,34,76,1' --outdir '{}' '{}'",
                  soffice, dir_.string(), out_dir, xlsx));
  ASSERT_EQ(converted.exit_code, 0) << converted.output;
  std::ifstream in(out_dir + "/shown.csv", std::ios::binary);
  ASSERT_TRUE(in) << "LibreOffice wrote no CSV:\n" << converted.output;
  // LibreOffice ends lines with LF and quotes text; none of these cells holds a line break.
  std::string text;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    text += line + "\r\n";
  }
  const std::optional<CsvRecords> parsed = ParseRfc4180(text);
  ASSERT_TRUE(parsed.has_value()) << text;
  const CsvRecords& lines = *parsed;
  ASSERT_EQ(lines.size(), 11u);
  EXPECT_EQ(lines[0][0], "Rank");
  EXPECT_EQ(lines[0][4], "Mastery %");
  EXPECT_EQ(lines[0][18], "At risk");
  for (std::size_t r = 0; r < 10; ++r) {
    const json& row = expected["rows"][r];
    const std::vector<std::string>& shown = lines[r + 1];
    ASSERT_EQ(shown.size(), 19u) << r;
    EXPECT_EQ(shown[0], std::to_string(row["rank"].get<int>()));
    EXPECT_EQ(shown[2], row["name"]);
    EXPECT_EQ(shown[3], row["email"]);
    EXPECT_EQ(shown[4],
              fmt::format("{:.1f}%", std::round(row["mastery"].get<double>() * 1000) / 10));
    EXPECT_EQ(shown[6], row["completed"].get<bool>() ? "TRUE" : "FALSE");
    const long long seconds = std::llround(row["time"].get<double>());
    EXPECT_EQ(shown[13],
              fmt::format("{}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60));
    const std::string last_active = row["last_active"];  // 2026-03-09T11:00:04.500+01:00
    EXPECT_EQ(shown[15].substr(0, 16), last_active.substr(0, 10) + " " + last_active.substr(11, 5));
    EXPECT_EQ(shown[16], std::to_string(row["days_inactive"].get<int>()));
    EXPECT_EQ(shown[17], row["not_started"].get<bool>() ? "TRUE" : "FALSE");
  }
}

}  // namespace
}  // namespace cohort::testing

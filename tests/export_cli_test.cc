// `cohort export` (SPEC §8, §9) through the real binary: the same file as the HTTP export of the
// same view, for every view, in both formats.
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "exports/xlsx_reader.h"
#include "process_test_support.h"
#include "support/http_client.h"

namespace cohort::testing {
namespace {

using nlohmann::json;

class ExportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = (dir_.path() / "demo.db").string();
    CommandResult demo = RunCohort({"demo", "--users", "120", "--courses", "2", "--seed", "5",
                                    "--account", "acme", "--db", db_});
    ASSERT_EQ(demo.exit_code, 0) << demo.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(demo.out, m, std::regex("coh_[A-Za-z0-9_-]{43}")));
    token_ = m.str();
  }

  // Runs `cohort export` with `args` into `name`; returns the file's bytes.
  std::string Export(std::vector<std::string> args, const std::string& name) {
    const std::string out = (dir_.path() / name).string();
    std::vector<std::string> all = {"export", "--db", db_, "--account", "acme"};
    all.insert(all.end(), args.begin(), args.end());
    all.insert(all.end(), {"-o", out});
    CommandResult r = RunCohort(all);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return ReadAll(out);
  }

  HttpResponse Get(std::uint16_t port, const std::string& target) {
    HttpResponse r =
        SendOnce("127.0.0.1", port, "GET", target, {}, {{"Authorization", "Bearer " + token_}});
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return r;
  }

  TempDir dir_;
  std::string db_, token_;
};

TEST_F(ExportCliTest, WritesTheSameFilesAsTheHttpExport) {
  ServerProcess server(db_);
  ASSERT_TRUE(server.started());
  const json courses = json::parse(Get(server.port(), "/api/v1/courses").body);
  ASSERT_FALSE(courses["rows"].empty());
  const std::string course = courses["rows"][0]["course"];
  const json league = json::parse(
      Get(server.port(), "/api/v1/courses/" + course + "/users?sort=time&order=desc").body);
  ASSERT_GT(league["total"].get<int>(), 0);
  const std::string user = league["rows"][0]["user"];
  const json detail =
      json::parse(Get(server.port(), "/api/v1/courses/" + course + "/users/" + user).body);
  std::string exercise;
  for (const json& e : detail["exercises"]) {
    if (e["attempts"].get<int>() > 0) exercise = e["exercise"];
  }
  ASSERT_FALSE(exercise.empty());

  struct Case {
    std::vector<std::string> args;
    std::string target;
  };
  const std::string base = "/api/v1/courses/" + course;
  const std::vector<Case> cases = {
      {{"courses"}, "/api/v1/courses"},
      {{"course", "--course", course}, base},
      {{"league", "--course", course}, base + "/users"},
      {{"groups", "--course", course}, base + "/groups"},
      {{"user", "--course", course, "--user", user}, base + "/users/" + user},
      {{"history", "--course", course, "--user", user, "--exercise", exercise},
       base + "/users/" + user + "/exercises/" + exercise + "/attempts"},
      {{"report"}, "/api/v1/report"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].target);
    std::vector<std::string> csv_args = cases[i].args;
    csv_args.insert(csv_args.end(), {"--format", "csv"});
    const std::string file = Export(csv_args, fmt::format("view{}.csv", i));
    const std::string http = Get(server.port(), cases[i].target + "?format=csv").body;
    EXPECT_GT(file.size(), 3u);
    EXPECT_EQ(file, http);
  }
  // The report has every row (more than a page) and its workbook the same cells both ways
  // (the files' bytes differ only in the creation time libxlsxwriter stamps in them).
  const json report = json::parse(Get(server.port(), "/api/v1/report").body);
  ASSERT_GT(report["total"].get<int>(), 100);
  Export({"report", "--format", "xlsx"}, "report.xlsx");
  const std::string http_xlsx = (dir_.path() / "http-report.xlsx").string();
  std::ofstream(http_xlsx, std::ios::binary)
      << Get(server.port(), "/api/v1/report?format=xlsx").body;
  const json from_cli = ReadXlsx((dir_.path() / "report.xlsx").string());
  const json from_http = ReadXlsx(http_xlsx);
  ASSERT_TRUE(from_cli.is_object());
  EXPECT_EQ(from_cli, from_http);
  ASSERT_GE(from_cli["sheets"].size(), 3u);  // Summary + one per course
  std::size_t rows = 0;
  for (std::size_t s = 1; s < from_cli["sheets"].size(); ++s) {
    rows += from_cli["sheets"][s]["rows"].size() - 1;
  }
  EXPECT_EQ(rows, report["total"].get<std::size_t>());
}

TEST_F(ExportCliTest, RefusesMissingKeysAndUnknownCourses) {
  const std::string out = (dir_.path() / "x.csv").string();
  CommandResult no_course = RunCohort(
      {"export", "--db", db_, "--account", "acme", "league", "--format", "csv", "-o", out});
  EXPECT_EQ(no_course.exit_code, 1);
  EXPECT_NE(no_course.err.find("--course"), std::string::npos) << no_course.err;
  CommandResult unknown = RunCohort({"export", "--db", db_, "--account", "acme", "league",
                                     "--course", "nope", "--format", "csv", "-o", out});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("nope"), std::string::npos) << unknown.err;
  CommandResult account = RunCohort(
      {"export", "--db", db_, "--account", "globex", "courses", "--format", "csv", "-o", out});
  EXPECT_EQ(account.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(out));
  CommandResult format = RunCohort(
      {"export", "--db", db_, "--account", "acme", "courses", "--format", "pdf", "-o", out});
  EXPECT_NE(format.exit_code, 0);
  EXPECT_NE(format.err.find("pdf"), std::string::npos) << format.err;
}

}  // namespace
}  // namespace cohort::testing

// `cohort bench --scale XS` for real (issue 7): a tiny organisation through `cohort import`,
// `cohort serve`, SQLite and a PostgreSQL 15 server the bench starts itself. Checks that every
// figure is in the JSON and that every SQL answer matched Cohort's.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "process_test_support.h"
#include "support/log_audit.h"

namespace cohort::testing {
namespace {

using nlohmann::json;

void ExpectPositive(const json& j, const std::string& section, const std::string& field) {
  ASSERT_TRUE(j.contains(section)) << section;
  ASSERT_TRUE(j[section].contains(field)) << section << "." << field;
  ASSERT_TRUE(j[section][field].is_number()) << section << "." << field;
  EXPECT_GT(j[section][field].get<double>(), 0) << section << "." << field;
}

void ExpectLatency(const json& view, const std::string& name) {
  ASSERT_TRUE(view.contains("p50_ms")) << name;
  EXPECT_GT(view["p50_ms"].get<double>(), 0) << name;
  EXPECT_GE(view["p99_ms"].get<double>(), view["p50_ms"].get<double>()) << name;
  EXPECT_GE(view["requests"].get<int>(), 200) << name;
}

TEST(BenchSmokeTest, ExtraSmallRunMeasuresEveryFigureAndSqlAgreesWithCohort) {
  TempDir dir;
  const std::filesystem::path figures = dir.path() / "bench.json";
  const std::filesystem::path work = dir.path() / "work";
  const CommandResult run = RunCohort({"bench", "--scale", "XS", "--json", figures.string(),
                                       "--work-dir", work.string(), "--keep"});
  // The logs of the server and the commands the bench ran go to the audit too.
  KeepLogForAudit("server", ReadAll(work / "bench-XS" / "server.log"));
  KeepLogForAudit("command", ReadAll(work / "bench-XS" / "cli.log"));
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const json j = json::parse(ReadAll(figures));

  EXPECT_EQ(j["scale"], "XS");
  ExpectPositive(j, "world", "attempts");
  ExpectPositive(j, "world", "responses");
  ExpectPositive(j, "world", "busiest_course_enrolled");
  EXPECT_EQ(j["world"]["accounts"].get<int>(), 3);
  ExpectPositive(j, "import", "responses_per_s");
  EXPECT_EQ(j["import"]["responses"], j["world"]["responses"]);
  ExpectPositive(j, "start", "rebuild_s");
  ExpectPositive(j, "start", "rss_bytes");
  ExpectPositive(j, "start", "touched_cells");
  ExpectPositive(j, "start", "rss_bytes_per_response");
  ExpectPositive(j, "start", "rss_bytes_per_cell");
  ExpectPositive(j, "http_ingest", "responses_per_s");
  EXPECT_EQ(j["http_ingest"]["responses"].get<double>(), 4 * 5000.0);
  ExpectPositive(j, "freshness", "p99_ms");
  EXPECT_GE(j["freshness"]["requests"].get<int>(), 50);

  for (const char* view : {"all courses", "course + chapters", "user league (worst sort)",
                           "group league", "user in course", "exercise history"}) {
    ASSERT_TRUE(j["latency"].contains(view)) << view;
    ExpectLatency(j["latency"][view], view);
  }
  // Every column of the league, both orders.
  EXPECT_EQ(j["latency_league_sorts"].size(), 28u);
  const json& report = j["latency"]["account report (csv)"];
  EXPECT_GT(report["first_byte_p50_ms"].get<double>(), 0);
  EXPECT_GE(report["total_p50_ms"].get<double>(), report["first_byte_p50_ms"].get<double>());
  EXPECT_GE(report["total_p99_ms"].get<double>(), report["total_p50_ms"].get<double>());
  EXPECT_GE(report["requests"].get<int>(), 200);

  ExpectPositive(j["sql"], "postgres", "load_s");
  for (const char* view : {"all courses", "league", "chapters", "groups", "user"}) {
    ASSERT_TRUE(j["sql"]["views"].contains(view)) << view;
    const json& v = j["sql"]["views"][view];
    EXPECT_TRUE(v["sqlite_matches"].get<bool>()) << view;
    EXPECT_TRUE(v["postgres_matches"].get<bool>()) << view;
    EXPECT_TRUE(v["duckdb_matches"].get<bool>()) << view;  // the columnar peer (issue 18)
    EXPECT_GT(v["duckdb_ms"].get<double>(), 0) << view;
    EXPECT_TRUE(v["fastest_sql"].is_string()) << view;
    EXPECT_GT(v["rows_compared"].get<int>(), 0) << view;
    EXPECT_GT(v["sqlite_ms"].get<double>(), 0) << view;
    EXPECT_GT(v["postgres_ms"].get<double>(), 0) << view;
    EXPECT_GT(v["speedup_vs_fastest_sql"].get<double>(), 0) << view;
  }
  EXPECT_TRUE(j["sql"]["all_matched"].get<bool>());
  EXPECT_EQ(j["mismatches"].get<int>(), 0);
  EXPECT_TRUE(j["failures"].empty());
  // The table against the targets, one line per figure.
  EXPECT_GE(j["targets"].size(), 20u);
  EXPECT_NE(run.out.find("✔"), std::string::npos);
}

}  // namespace
}  // namespace cohort::testing

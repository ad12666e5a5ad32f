// `cohort bench --scale XS` for real (issue 7): a tiny organisation through `cohort import`,
// `cohort serve`, SQLite and a PostgreSQL 15 server the bench starts itself, then the cluster
// phase (`--cluster 2`: two nodes over a PostgreSQL of its own). Checks that every figure is in
// the JSON, that every SQL answer matched Cohort's and that no read with Cohort-Min-Seq through
// the other node missed its write.
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

void ExpectLatency(const json& view, const std::string& name, int requests = 200) {
  ASSERT_TRUE(view.contains("p50_ms")) << name;
  EXPECT_GT(view["p50_ms"].get<double>(), 0) << name;
  EXPECT_GE(view["p99_ms"].get<double>(), view["p50_ms"].get<double>()) << name;
  EXPECT_GE(view["requests"].get<int>(), requests) << name;
}

// The cluster phase: two nodes over PostgreSQL, every figure there and positive, and every read
// with Cohort-Min-Seq through the other node saw its write.
void ExpectClusterFigures(const json& j) {
  ASSERT_TRUE(j.contains("cluster"));
  const json& c = j["cluster"];
  EXPECT_EQ(c["nodes"].get<int>(), 2);
  ExpectPositive(c, "import", "responses_per_s");
  EXPECT_EQ(c["import"]["responses"], j["world"]["responses"]);
  ExpectPositive(c, "start", "median_s");
  ExpectPositive(c, "start", "max_s");
  EXPECT_EQ(c["start"]["per_node_s"].size(), 2u);
  ExpectPositive(c, "ingest", "attempts_per_s");
  ExpectPositive(c, "ingest", "responses_per_s");
  ExpectPositive(c, "background_ingest", "responses_per_s");
  for (const char* phase : {"freshness_quiet", "freshness_under_ingest"}) {
    ASSERT_TRUE(c.contains(phase)) << phase;
    EXPECT_GT(c[phase]["p50_ms"].get<double>(), 0) << phase;
    EXPECT_GE(c[phase]["p99_ms"].get<double>(), c[phase]["p50_ms"].get<double>()) << phase;
    EXPECT_GE(c[phase]["max_ms"].get<double>(), c[phase]["p99_ms"].get<double>()) << phase;
  }
  // At XS the bench probes 20 + 20 times (200 + 200 from S up), to keep this test short.
  EXPECT_GE(c["freshness_quiet"]["requests"].get<int>(), 20);
  EXPECT_GE(c["freshness_under_ingest"]["requests"].get<int>(), 20);
  for (const char* phase : {"read_your_writes_quiet", "read_your_writes_under_ingest"}) {
    ASSERT_TRUE(c.contains(phase)) << phase;
    EXPECT_GT(c[phase]["checks"].get<int>(), 0) << phase;
    EXPECT_EQ(c[phase]["failures"].get<int>(), 0) << phase;
  }
  EXPECT_EQ(c["follower"].get<int>(), 1);
  for (const char* view : {"all courses", "course + chapters", "user league (worst sort)",
                           "group league", "user in course", "exercise history"}) {
    ASSERT_TRUE(c["follower_views"].contains(view)) << view;
    const json& v = c["follower_views"][view];
    EXPECT_GT(v["p50_ms"].get<double>(), 0) << view;
    EXPECT_GE(v["p99_ms"].get<double>(), v["p50_ms"].get<double>()) << view;
    EXPECT_GE(v["requests"].get<int>(), 20) << view;
  }
  for (const char* ratio : {"import_responses_per_s", "ingest_responses_per_s", "start_s"}) {
    ASSERT_TRUE(c["vs_sqlite"][ratio].is_number()) << ratio;
    EXPECT_GT(c["vs_sqlite"][ratio].get<double>(), 0) << ratio;
  }
}

TEST(BenchSmokeTest, ExtraSmallRunMeasuresEveryFigureSqlAgreesAndTheClusterReadsItsWrites) {
  TempDir dir;
  const std::filesystem::path figures = dir.path() / "bench.json";
  const std::filesystem::path work = dir.path() / "work";
  const CommandResult run = RunCohort({"bench", "--scale", "XS", "--json", figures.string(),
                                       "--work-dir", work.string(), "--keep", "--cluster", "2"});
  // The logs of the server and the commands the bench ran go to the audit too.
  KeepLogForAudit("server", ReadAll(work / "bench-XS" / "server.log"));
  KeepLogForAudit("command", ReadAll(work / "bench-XS" / "cli.log"));
  for (const char* node : {"node-0.log", "node-1.log"}) {
    KeepLogForAudit("server", ReadAll(work / "bench-XS" / node));
  }
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
  // The xAPI phase (issue 19): statements stored, counted (the probe's league time grew) and
  // queried by every filter.
  ASSERT_TRUE(j.contains("xapi")) << j.dump();
  EXPECT_GT(j["xapi"]["stored_statements"].get<double>(), 0);
  EXPECT_GT(j["xapi"]["batches"]["statements_per_s"].get<double>(), 0);
  EXPECT_GT(j["xapi"]["freshness"]["probe_time_added_s"].get<double>(), 0);
  for (const char* filter : {"agent", "activity", "verb", "registration", "no filter"}) {
    EXPECT_GT(j["xapi"]["queries"][filter]["p99_ms"].get<double>(), 0) << filter;
  }

  for (const char* view : {"all courses", "course + chapters", "user league (worst sort)",
                           "group league", "user in course", "exercise history",
                           "group heat map", "group page", "dashboard, 12 weeks",
                           "dashboard, 52 weeks", "report, a group at risk", "person page"}) {
    ASSERT_TRUE(j["latency"].contains(view)) << view;
    ExpectLatency(j["latency"][view], view);
  }
  // Every column of the league, both orders.
  EXPECT_EQ(j["latency_league_sorts"].size(), 28u);
  // The same views again while 4 clients ingest (issue 18 item 5), without the whole CSV.
  ExpectPositive(j, "ingest_during_views", "responses_per_s");
  EXPECT_GT(j["ingest_during_views"]["batches"].get<double>(), 0);
  for (const auto& [view, p] : j["latency"].items()) {
    if (view == "account report (csv)") {
      EXPECT_FALSE(j["latency_under_ingest"].contains(view));
      continue;
    }
    ASSERT_TRUE(j["latency_under_ingest"].contains(view)) << view;
    ExpectLatency(j["latency_under_ingest"][view], view, 20);  // 20 requests a view at XS
  }
  EXPECT_EQ(j["latency_under_ingest_league_sorts"].size(), 28u);
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
  ExpectClusterFigures(j);
  // The table against the targets, one line per figure.
  EXPECT_GE(j["targets"].size(), 20u);
  EXPECT_NE(run.out.find("✔"), std::string::npos);
}

}  // namespace
}  // namespace cohort::testing

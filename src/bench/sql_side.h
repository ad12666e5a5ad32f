#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bench/bench_run.h"
#include "bench/cohort_driver.h"
#include "bench/sql_reports.h"

namespace cohort::bench {

// The SQL side of a bench run: the reports of sql_reports.h run in SQLite (over a `cohort
// backup` copy of Cohort's database, with the indexes a user would add), in PostgreSQL 15
// (a server of its own, loaded from the copy with COPY) and in DuckDB (bench/duckdb_side.mjs
// in Node, loaded from the copy's CSV with read_csv; duckdb_sql.h), timed, and each answer
// compared with Cohort's; the figures go into the run, the differences into mismatches(). Used on the run's
// thread. Owns the PostgreSQL server: stopped by Stop() or at destruction.
class SqlSide {
 public:
  // `cohort` must have served and measured (Serve, Latency, Freshness) before Run().
  SqlSide(BenchRun& run, CohortDriver& cohort) : run_(run), cohort_(cohort) {}
  ~SqlSide();
  SqlSide(const SqlSide&) = delete;
  SqlSide& operator=(const SqlSide&) = delete;

  // Runs and compares every report. False when a step failed (recorded in the run).
  bool Run();
  // --no-sql: records that the SQL side was skipped.
  bool Skip();
  // SQL answers that differ from Cohort's (fields, rows, or Cohort answering no rows).
  int mismatches() const { return mismatches_; }
  // Stops the PostgreSQL server if it was started.
  void Stop();

 private:
  // One engine's run of the reports, by view.
  struct EngineRun {
    std::map<std::string, double> median_ms;
    std::map<std::string, int> runs;
    std::map<std::string, Rows> rows;
    bool ok = false;
  };
  // How an engine's shell is named and reports a statement's time: the line that starts with
  // `timing` ("Run Time: real 0.25 ...", "Time: 250.1 ms") and its unit.
  struct Shell {
    std::string engine;   // "SQLite", "PostgreSQL"
    std::string program;  // "sqlite3", "psql"
    std::string timing;
    double ms_per_unit = 1;
  };
  // Runs `report` with `run_once` up to `repetitions` times (fewer once they took 30 s), and puts
  // the median time, the number of runs and the first run's rows in `out`. False when a run
  // failed (recorded in the run).
  bool TimeReport(const Shell& shell, const SqlReport& report, int repetitions, EngineRun& out,
                  const std::function<ProcessResult()>& run_once);
  EngineRun RunSqlite(const std::string& copy, const ReportTarget& target, int repetitions);
  EngineRun RunPostgres(const std::string& copy, const ReportTarget& target, int repetitions);
  EngineRun RunDuckdb(const std::string& copy, const ReportTarget& target, int repetitions);
  // Logs the first differences between an engine's answer and Cohort's; returns how many.
  int Compare(const std::string& engine, const SqlReport& report, const Rows& sql_rows,
              const Rows& cohort_rows);
  // argv prefixed so that it runs as the `postgres` user when we are root (initdb refuses root).
  std::vector<std::string> AsPostgres(std::vector<std::string> argv) const;

  BenchRun& run_;
  CohortDriver& cohort_;
  int pg_port_ = 0;
  bool pg_started_ = false;
  std::filesystem::path pg_dir_;
  int mismatches_ = 0;
};

}  // namespace cohort::bench

#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "bench/sql_reports.h"

namespace cohort::bench {

// The DuckDB side's SQL (issue 18): how the copy is loaded and laid out, and the five reports
// of sql_reports.h written for a columnar, vectorised engine. docs/performance.md shows and
// explains them. The load uses only DuckDB's built-ins (read_csv), never an extension.

// One statement of the load, timed on its own under `name`.
struct DuckdbStep {
  std::string name;
  std::string sql;
};

// Creates the tables from the CSV files `<table>.csv` in `csv_dir` (CopiedTables()'s tables and
// columns, no header), then lays them out for the reports: the attempts sorted by (account,
// course, user, exercise) and one wide `resp` table of the responses with their attempt's
// columns in the same order, so that a course's or a learner's rows are a few contiguous row
// groups that DuckDB's min/max zone maps find. Only rows are moved: nothing a report answers
// is computed before it is timed.
std::vector<DuckdbStep> DuckdbLoad(const std::filesystem::path& csv_dir);

// The SQL of report `view` ("all courses", "league", "chapters", "groups", "user"): the same
// columns, in the same order, as MakeReports(Dialect::kSqlite, target)'s.
std::string DuckdbReportSql(const ReportTarget& target, const std::string& view);

}  // namespace cohort::bench

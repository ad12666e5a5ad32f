#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cohort::bench {

enum class Dialect { kSqlite, kPostgres, kDuckdb };

// Which rows the reports are about: surrogate ids of Cohort's schema (the same in the SQLite
// copy and in PostgreSQL, which is loaded from it), and the same course and user by key for
// Cohort's API.
struct ReportTarget {
  std::int64_t account_id = 0;
  std::int64_t course_id = 0;  // the busiest course
  std::int64_t user_id = 0;    // for the user summary
  std::int64_t now_ms = 0;     // "now" for at_risk
  std::string course_key;
  std::string user_key;
};

// One report of SPEC §3 written as SQL over Cohort's schema (src/store/sqlite/migrations.cc;
// for DuckDB, over the layout of duckdb_sql.h),
// for the courses' default settings (the bench's courses use them): `recent` mastery over the
// last 10 responses, 10 points per clean answer, attempts capped at 7,200 s, at risk after 14
// days, and where Cohort answers the same question. `columns` names, in order, the Cohort JSON
// field each output column is compared with.
struct SqlReport {
  std::string view;  // "all courses", "league", "chapters", "groups", "user"
  std::string sql;   // one statement, no trailing semicolon
  std::vector<std::string> columns;
  std::string cohort_target;  // the GET that answers it in Cohort
  std::string cohort_rows;    // the answer's array of rows; "": the answer is the one row
  std::string cohort_view;    // the name of Cohort's view in the figures
  std::string cohort_latency; // JSON pointer to Cohort's latency figure for that GET
};

std::vector<SqlReport> MakeReports(Dialect dialect, const ReportTarget& target);

// A row of an answer, as text: SQL's CSV fields, or Cohort's JSON values (null "", booleans
// "1"/"0").
using Rows = std::vector<std::vector<std::string>>;

// Splits the CSV lines of sqlite3's or psql's output; the keys of these reports hold no commas
// or quotes.
Rows SplitRows(const std::string& text);
// Where an SQL answer differs from Cohort's, one line each ("row 3 (key) mastery: SQL '0.5',
// Cohort '0.25'"); empty when they agree. Numbers agree within a relative 1e-9, except in the
// first column, the row's key.
std::vector<std::string> CompareRows(const SqlReport& report, const Rows& sql_rows,
                                     const Rows& cohort_rows);

// Index statements a user would add for these reports, beyond Cohort's own (SQLite copy), and
// the schema + indexes of the PostgreSQL copy.
std::vector<std::string> SqliteExtraIndexes();
std::vector<std::string> PostgresSchema();
std::vector<std::string> PostgresIndexes();
// The tables and columns loaded into PostgreSQL, in COPY order: {table, "col1, col2, ..."}.
std::vector<std::pair<std::string, std::string>> CopiedTables();

}  // namespace cohort::bench

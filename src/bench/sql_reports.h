#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cohort::bench {

enum class Dialect { kSqlite, kPostgres };

// Which rows the reports are about: surrogate ids of Cohort's schema (the same in the SQLite
// copy and in PostgreSQL, which is loaded from it).
struct ReportTarget {
  std::int64_t account_id = 0;
  std::int64_t course_id = 0;  // the busiest course
  std::int64_t user_id = 0;    // for the user summary
  std::int64_t now_ms = 0;     // "now" for at_risk
};

// One report of SPEC §3 written as SQL over Cohort's schema (src/store/sqlite/migrations.cc),
// for the courses' default settings (the bench's courses use them): `recent` mastery over the
// last 10 responses, 10 points per clean answer, attempts capped at 7,200 s, at risk after 14
// days. `columns` names, in order, the Cohort JSON field each output column is compared with.
struct SqlReport {
  std::string view;  // "all courses", "league", "chapters", "groups", "user"
  std::string sql;   // one statement, no trailing semicolon
  std::vector<std::string> columns;
};

std::vector<SqlReport> MakeReports(Dialect dialect, const ReportTarget& target);

// Index statements a user would add for these reports, beyond Cohort's own (SQLite copy), and
// the schema + indexes of the PostgreSQL copy.
std::vector<std::string> SqliteExtraIndexes();
std::vector<std::string> PostgresSchema();
std::vector<std::string> PostgresIndexes();
// The tables and columns loaded into PostgreSQL, in COPY order: {table, "col1, col2, ..."}.
std::vector<std::pair<std::string, std::string>> CopiedTables();

}  // namespace cohort::bench

#include "bench/sql_side.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

#include "bench/duckdb_sql.h"
#include "bench/percentiles.h"
#include "bench/process.h"

namespace cohort::bench {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPgBin = "/usr/lib/postgresql/15/bin";
// Each SQL report runs up to 3 times (median), but stops repeating once its runs took this long:
// at M one run of the all-courses report is minutes, and a median of one is still a measurement.
constexpr double kSqlBudgetMs = 30'000;

}  // namespace

SqlSide::~SqlSide() { Stop(); }

void SqlSide::Stop() {
  if (pg_started_) {
    run_.Logged(AsPostgres({std::string(kPgBin) + "/pg_ctl", "-D", (pg_dir_ / "data").string(),
                            "-m", "fast", "-w", "stop"}));
    pg_started_ = false;
  }
}

int SqlSide::Compare(const std::string& engine, const SqlReport& report, const Rows& sql_rows,
                     const Rows& cohort_rows) {
  const std::vector<std::string> differences = CompareRows(report, sql_rows, cohort_rows);
  for (std::size_t i = 0; i < std::min<std::size_t>(differences.size(), 5); ++i) {
    run_.log("MISMATCH {} {}: {}", engine, report.view, differences[i]);
  }
  return static_cast<int>(differences.size());
}

std::vector<std::string> SqlSide::AsPostgres(std::vector<std::string> argv) const {
  if (geteuid() != 0) return argv;
  argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  return argv;
}

bool SqlSide::TimeReport(const Shell& shell, const SqlReport& report, int repetitions,
                         EngineRun& out, const std::function<ProcessResult()>& run_once) {
  // Up to `repetitions` runs, fewer when they take long (at M one run is minutes).
  std::vector<double> times;
  std::string first_rows;
  double spent_ms = 0;
  while (static_cast<int>(times.size()) < repetitions &&
         (times.empty() || spent_ms < kSqlBudgetMs)) {
    const ProcessResult r = run_once();
    if (r.exit_code != 0) {
      run_.Fail(fmt::format("{} {}: {}", shell.program, report.view, r.err.substr(0, 500)));
      return false;
    }
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(shell.timing, 0) == 0) {
        times.push_back(std::stod(line.substr(shell.timing.size())) * shell.ms_per_unit);
        spent_ms += times.back();
      } else if (times.size() == 0) {
        first_rows += line + "\n";
      }
    }
  }
  out.median_ms[report.view] = Median(times);
  out.runs[report.view] = static_cast<int>(times.size());
  out.rows[report.view] = SplitRows(first_rows);
  run_.log("{} {:<12} median {:10.1f} ms over {} runs", shell.engine, report.view, Median(times),
           times.size());
  return true;
}

SqlSide::EngineRun SqlSide::RunSqlite(const std::string& copy, const ReportTarget& target,
                                 int repetitions) {
  EngineRun run;
  for (const SqlReport& report : MakeReports(Dialect::kSqlite, target)) {
    const fs::path script = run_.dir / "sql" / "sqlite-report.sql";
    {
      std::ofstream out(script);
      // A page cache of 2 GiB and memory-mapped reads: what a user tuning SQLite for reports sets.
      out << ".output /dev/null\nPRAGMA cache_size=-2097152;\nPRAGMA mmap_size=8589934592;\n"
             "PRAGMA temp_store=MEMORY;\n.output stdout\n.timer on\n"
          << report.sql << ";\n";
    }
    // The rows, then "Run Time: real S user S sys S".
    const Shell shell{"SQLite", "sqlite3", "Run Time: real ", 1000.0};
    if (!TimeReport(shell, report, repetitions, run, [&] {
          return run_.Logged({"sqlite3", "-bail", "-csv", copy}, script.string());
        })) {
      return run;
    }
  }
  run.ok = true;
  return run;
}

SqlSide::EngineRun SqlSide::RunPostgres(const std::string& copy, const ReportTarget& target,
                                   int repetitions) {
  EngineRun run;
  pg_dir_ = run_.dir / "pg";
  std::error_code ec;
  fs::create_directories(pg_dir_, ec);
  if (geteuid() == 0) {
    if (run_.Logged({"chown", "postgres:postgres", pg_dir_.string()}).exit_code != 0) {
      run_.Fail("cannot give the PostgreSQL directory to the postgres user");
      return run;
    }
  }
  const std::string data = (pg_dir_ / "data").string();
  ProcessResult init = run_.Logged(AsPostgres({std::string(kPgBin) + "/initdb", "-D", data, "-A", "trust",
                                          "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"}));
  if (init.exit_code != 0) {
    run_.Fail("initdb: " + init.err.substr(0, 500));
    return run;
  }
  // A free port: bind port 0, read it, release it (PostgreSQL takes it a moment later).
  pg_port_ = FreePort();
  if (pg_port_ == 0) {
    run_.Fail("no free port for PostgreSQL");
    return run;
  }
  const bool big = cohort_.scale().name == "M";
  // Durability off for the SQL copy (it is a scratch copy); memory as a tuned server would have.
  const std::string settings = fmt::format(
      "-p {} -k {} -c listen_addresses=127.0.0.1 -c shared_buffers={} -c work_mem=256MB "
      "-c maintenance_work_mem=1GB -c fsync=off -c synchronous_commit=off "
      "-c full_page_writes=off -c max_wal_size=8GB -c effective_cache_size=16GB",
      pg_port_, pg_dir_.string(), big ? "4GB" : "256MB");
  ProcessResult start = run_.Logged(AsPostgres({std::string(kPgBin) + "/pg_ctl", "-D", data, "-l",
                                           (pg_dir_ / "postgres.log").string(), "-w", "-t", "120",
                                           "-o", settings, "start"}));
  if (start.exit_code != 0) {
    run_.Fail("pg_ctl start: " + start.err.substr(0, 500) + start.out.substr(0, 500));
    return run;
  }
  pg_started_ = true;
  const std::vector<std::string> psql = {"psql", "-X", "-q", "-A", "-t", "-F", ",", "-v",
                                         "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                                         std::to_string(pg_port_), "-U", "postgres", "-d",
                                         "postgres"};
  auto psql_script = [&](const std::string& text) {
    const fs::path script = run_.dir / "sql" / "pg.sql";
    std::ofstream(script) << text;
    std::vector<std::string> argv = psql;
    argv.push_back("-f");
    argv.push_back(script.string());
    return run_.Logged(argv);
  };
  std::string schema;
  for (const std::string& s : PostgresSchema()) schema += s + ";\n";
  if (ProcessResult r = psql_script(schema); r.exit_code != 0) {
    run_.Fail("PostgreSQL schema: " + r.err.substr(0, 500));
    return run;
  }
  const Clock::time_point load_start = Clock::now();
  for (const auto& [table, columns] : CopiedTables()) {
    // sqlite3 writes CSV straight into COPY FROM STDIN: no intermediate file.
    std::string command = fmt::format(
        "set -o pipefail; sqlite3 -csv '{}' 'SELECT {} FROM {}' | psql -X -q -v ON_ERROR_STOP=1 "
        "-h 127.0.0.1 -p {} -U postgres -d postgres -c 'COPY {} ({}) FROM STDIN WITH (FORMAT csv)'",
        copy, columns, table, pg_port_, table, columns);
    const Clock::time_point t = Clock::now();
    const ProcessResult r = run_.Logged({"bash", "-c", command});
    if (r.exit_code != 0) {
      run_.Fail(fmt::format("COPY {}: {}", table, r.err.substr(0, 500)));
      return run;
    }
    run_.log("PostgreSQL: COPY {} in {:.1f} s", table, Since(t));
  }
  const double load_s = Since(load_start);
  const Clock::time_point index_start = Clock::now();
  std::string indexes;
  for (const std::string& s : PostgresIndexes()) indexes += s + ";\n";
  if (ProcessResult r = psql_script(indexes); r.exit_code != 0) {
    run_.Fail("PostgreSQL indexes: " + r.err.substr(0, 500));
    return run;
  }
  const double index_s = Since(index_start);
  run_.figures["sql"]["postgres"]["load_s"] = load_s;
  run_.figures["sql"]["postgres"]["index_and_analyze_s"] = index_s;
  run_.log("PostgreSQL: loaded with COPY in {:.1f} s, indexed and analysed in {:.1f} s", load_s, index_s);
  for (const SqlReport& report : MakeReports(Dialect::kPostgres, target)) {
    const std::string text = "\\timing on\n" + report.sql + ";\n";
    const Shell shell{"PostgreSQL", "psql", "Time: ", 1.0};
    if (!TimeReport(shell, report, repetitions, run, [&] { return psql_script(text); })) {
      return run;
    }
  }
  run.ok = true;
  return run;
}

SqlSide::EngineRun SqlSide::RunDuckdb(const std::string& copy, const ReportTarget& target,
                                      int repetitions) {
  EngineRun run;
  // The same rows PostgreSQL's COPY gets, as CSV files (sqlite3 -csv), read by DuckDB's built-in
  // read_csv; the files are deleted once loaded.
  const fs::path csv_dir = run_.dir / "sql" / "duckdb-csv";
  const fs::path database = run_.dir / "sql" / "duckdb.db";
  std::error_code ec;
  fs::remove_all(csv_dir, ec);
  fs::remove(database, ec);
  fs::remove(database.string() + ".wal", ec);
  fs::create_directories(csv_dir, ec);
  const Clock::time_point export_start = Clock::now();
  for (const auto& [table, columns] : CopiedTables()) {
    const std::string command =
        fmt::format("sqlite3 -csv '{}' 'SELECT {} FROM {}' > '{}'", copy, columns, table,
                    (csv_dir / (table + ".csv")).string());
    if (ProcessResult r = run_.Logged({"bash", "-c", command}); r.exit_code != 0) {
      run_.Fail(fmt::format("DuckDB: CSV of {}: {}", table, r.err.substr(0, 500)));
      return run;
    }
  }
  const double export_s = Since(export_start);
  run_.log("DuckDB: the copy's tables written as CSV in {:.1f} s", export_s);

  json plan = {{"database", database.string()},
               {"repetitions", repetitions},
               {"budget_ms", kSqlBudgetMs},
               {"setup", json::array()},
               {"reports", json::array()}};
  for (const DuckdbStep& step : DuckdbLoad(csv_dir)) {
    plan["setup"].push_back({{"name", step.name}, {"sql", step.sql}});
  }
  for (const SqlReport& report : MakeReports(Dialect::kDuckdb, target)) {
    plan["reports"].push_back({{"view", report.view}, {"sql", report.sql}});
  }
  const fs::path plan_file = run_.dir / "sql" / "duckdb-plan.json";
  std::ofstream(plan_file) << plan.dump(2) << "\n";
  const ProcessResult r = run_.Logged({"node", COHORT_DUCKDB_SIDE_SCRIPT, plan_file.string()});
  fs::remove_all(csv_dir, ec);
  if (r.exit_code != 0) {
    run_.Fail(fmt::format("DuckDB ({} with @duckdb/node-api; `npm ci` installs it): {}",
                          COHORT_DUCKDB_SIDE_SCRIPT, r.err.substr(0, 500)));
    return run;
  }
  // The answer is read whole before anything is recorded: a malformed one fails the step.
  try {
    const json answer = json::parse(r.out);
    std::map<std::string, double> setup_s;
    for (const auto& [name, seconds] : answer.at("setup").items()) {
      setup_s[name] = seconds.get<double>();
    }
    for (const SqlReport& report : MakeReports(Dialect::kDuckdb, target)) {
      const json& a = answer.at("reports").at(report.view);
      const std::vector<double> times = a.at("times_ms").get<std::vector<double>>();
      Rows rows;
      for (const json& row : a.at("rows")) rows.push_back(row.get<std::vector<std::string>>());
      run.median_ms[report.view] = Median(times);
      run.runs[report.view] = static_cast<int>(times.size());
      run.rows[report.view] = std::move(rows);
    }
    json& figures = run_.figures["sql"]["duckdb"];
    figures["version"] = answer.at("version");
    figures["threads"] = answer.at("threads");
    figures["csv_export_s"] = export_s;
    for (const auto& [name, seconds] : setup_s) figures[name] = seconds;
    run_.log("DuckDB {} ({} threads): loaded with read_csv in {:.1f} s, laid out in {:.1f} s",
             answer.at("version").get<std::string>(), answer.at("threads").get<int>(),
             setup_s["load_s"], setup_s["layout_s"]);
  } catch (const json::exception& e) {
    run_.Fail(fmt::format("DuckDB: unreadable answer ({}): {}", e.what(), r.out.substr(0, 200)));
    return run;
  }
  for (const auto& [view, ms] : run.median_ms) {
    run_.log("DuckDB {:<12} median {:10.1f} ms over {} runs", view, ms, run.runs.at(view));
  }
  run.ok = true;
  return run;
}

bool SqlSide::Skip() {
  run_.log("SQL side skipped (--no-sql): no SQLite, PostgreSQL or DuckDB figures, no answers "
           "compared");
  run_.figures["sql"]["skipped"] = true;
  return true;
}

bool SqlSide::Run() {
  std::error_code ec;
  fs::create_directories(run_.dir / "sql", ec);
  const std::string copy = (run_.dir / "sql" / "copy.db").string();
  // A consistent copy of Cohort's database taken while the server runs, as a user would.
  const Clock::time_point backup_start = Clock::now();
  if (ProcessResult r = run_.Cohort({"backup", "-o", copy}); r.exit_code != 0) {
    return run_.Fail("cohort backup: " + r.err);
  }
  run_.log("SQLite: copied Cohort's database with `cohort backup` in {:.1f} s", Since(backup_start));
  const Clock::time_point index_start = Clock::now();
  {
    const fs::path script = run_.dir / "sql" / "sqlite-indexes.sql";
    {
      std::ofstream out(script);
      for (const std::string& s : SqliteExtraIndexes()) out << s << ";\n";
    }
    if (ProcessResult r = run_.Logged({"sqlite3", "-bail", copy}, script.string()); r.exit_code != 0) {
      return run_.Fail("sqlite3 indexes: " + r.err);
    }
  }
  run_.figures["sql"]["sqlite"]["index_and_analyze_s"] = Since(index_start);
  run_.log("SQLite: indexes added and analysed in the copy in {:.1f} s", Since(index_start));
  auto query_id = [&](const std::string& sql) -> std::int64_t {
    const ProcessResult r = run_.Logged({"sqlite3", "-bail", copy, sql});
    return r.exit_code == 0 ? std::atoll(r.out.c_str()) : 0;
  };
  ReportTarget target;
  target.account_id = query_id("SELECT id FROM accounts WHERE key = 'main'");
  target.course_id = query_id(fmt::format(
      "SELECT id FROM courses WHERE key = '{}' AND account_id = {}", cohort_.world().CourseKey(0), target.account_id));
  target.user_id = query_id(fmt::format("SELECT id FROM users WHERE key = '{}' AND account_id = {}",
                                        cohort_.world().UserKey(cohort_.freshness_user()), target.account_id));
  target.course_key = cohort_.world().CourseKey(0);
  target.user_key = cohort_.world().UserKey(cohort_.freshness_user());
  target.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  if (target.account_id == 0 || target.course_id == 0 || target.user_id == 0) {
    return run_.Fail("cannot find the main account, course or user in the copy");
  }
  const int repetitions = 3;
  const EngineRun sqlite = RunSqlite(copy, target, repetitions);
  if (!sqlite.ok) return false;
  const EngineRun postgres = RunPostgres(copy, target, repetitions);
  if (!postgres.ok) return false;
  const EngineRun duckdb = RunDuckdb(copy, target, repetitions);
  if (!duckdb.ok) return false;

  // Cohort's answers for the same reports, fetched now (no write since the copy).
  json views = json::object();
  for (const SqlReport& report : MakeReports(Dialect::kSqlite, target)) {
    const Rows cohort_rows = cohort_.RowsFor(report);
    const int bad_sqlite = Compare("SQLite", report, sqlite.rows.at(report.view), cohort_rows);
    const int bad_pg = Compare("PostgreSQL", report, postgres.rows.at(report.view), cohort_rows);
    const int bad_duck = Compare("DuckDB", report, duckdb.rows.at(report.view), cohort_rows);
    mismatches_ += bad_sqlite + bad_pg + bad_duck;
    const json& lat = run_.figures[json::json_pointer(report.cohort_latency)];
    const double cohort_ms = lat["p50_ms"].get<double>();
    const double sqlite_ms = sqlite.median_ms.at(report.view);
    const double pg_ms = postgres.median_ms.at(report.view);
    const double duck_ms = duckdb.median_ms.at(report.view);
    const double fastest = std::min({sqlite_ms, pg_ms, duck_ms});
    const char* fastest_engine = fastest == duck_ms  ? "DuckDB"
                                 : fastest == pg_ms ? "PostgreSQL"
                                                    : "SQLite";
    views[report.view] = {{"rows_compared", cohort_rows.size()},
                          {"sqlite_runs", sqlite.runs.at(report.view)},
                          {"postgres_runs", postgres.runs.at(report.view)},
                          {"duckdb_runs", duckdb.runs.at(report.view)},
                          {"fields_compared", report.columns},
                          {"sqlite_ms", sqlite_ms},
                          {"postgres_ms", pg_ms},
                          {"duckdb_ms", duck_ms},
                          {"fastest_sql", fastest_engine},
                          {"cohort_p50_ms", cohort_ms},
                          {"cohort_view", report.cohort_view},
                          {"speedup_vs_fastest_sql", cohort_ms > 0 ? fastest / cohort_ms : 0.0},
                          {"sqlite_matches", bad_sqlite == 0},
                          {"postgres_matches", bad_pg == 0},
                          {"duckdb_matches", bad_duck == 0}};
    auto said = [](int bad) { return bad == 0 ? "same answer" : "MISMATCH"; };
    run_.log("SQL {:<12} {} rows: SQLite {}, PostgreSQL {}, DuckDB {}; Cohort {:.3f} ms : "
             "fastest SQL ({}) {:.1f} ms = 1 : {:.0f}",
             report.view, cohort_rows.size(), said(bad_sqlite), said(bad_pg), said(bad_duck),
             cohort_ms, fastest_engine, fastest, fastest / cohort_ms);
    if (cohort_rows.empty()) {
      ++mismatches_;
      run_.log("MISMATCH {}: Cohort answered no rows to compare", report.view);
    }
  }
  run_.figures["sql"]["views"] = views;
  run_.figures["sql"]["max_repetitions"] = repetitions;
  run_.figures["sql"]["repeat_budget_ms"] = kSqlBudgetMs;
  run_.figures["sql"]["all_matched"] = mismatches_ == 0;
  run_.figures["sql"]["not_compared"] =
      "certified and certified_at (issued at the response that first meets completion and "
      "mastery: a path, not an aggregate), weekly series (weeks in the account's time zone), "
      "completed_at, last_active (formatted in the account's zone; last_active feeds at_risk, "
      "which is compared)";
  return true;
}

}  // namespace cohort::bench

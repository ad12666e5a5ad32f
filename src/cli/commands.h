#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cohort::cli {

// The subcommands of SPEC §8. Each returns the process exit code: 0 done, 1 refused (bad input,
// conflict; the reason is printed), 2 unexpected failure.

struct ServeOptions {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  std::string metrics_listen;  // host:port of the /metrics listener; empty: none
  int threads = 4;
  std::string web_root;      // the web UI's files (web/); empty: no UI
  std::string node_modules;  // the npm packages the UI loads (Chart.js)
  // The limits of docs/security.md (SPEC §9's defaults); tests shorten the timeouts.
  int request_timeout_s = 30;
  int idle_timeout_s = 60;
  std::size_t max_connections = 10'000;
};
int RunServe(const ServeOptions& options);

int RunAccountCreate(const std::string& db, const std::string& key, const std::string& name,
                     const std::string& timezone);
int RunTokenCreate(const std::string& db, const std::string& account, const std::string& scopes,
                   const std::string& name);

struct UserCreateOptions {
  std::string db, account, key, email, name;
  std::vector<std::string> roles, groups;
  bool password_stdin = false;
};
int RunUserCreate(const UserCreateOptions& options);

int RunImport(const std::string& db, const std::string& account,
              const std::vector<std::string>& files);

struct DemoCliOptions {
  std::string db;
  std::string account = "demo";
  int users = 2000;
  int courses = 8;
  std::uint64_t seed = 1;
};
int RunDemo(const DemoCliOptions& options);

// cohort backup: a consistent copy of `db` (which may be in use by a running server) written to
// `output` with the store's online backup, then checked. Refuses an existing `output` unless
// `force`.
int RunBackup(const std::string& db, const std::string& output, bool force);
// cohort restore: verifies `source` (integrity, schema), then copies it into `db`. Refuses an
// existing `db` unless `force` (the server using it must be stopped first).
int RunRestore(const std::string& db, const std::string& source, bool force);
// cohort check: integrity, schema at the latest migration, and that engines rebuilt from the
// stored events answer every view, identically; prints a report. 0 when sound, 1 otherwise.
int RunCheck(const std::string& db);

// cohort export: one view (courses, course, league, groups, user, history, report) of an
// account as a CSV or XLSX file at `output` (written whole or not at all), every row, the same
// bytes as the HTTP export. Opens `db` read-only, so it may run beside a server.
struct ExportCliOptions {
  std::string db, account, view, course, user, exercise, format, output;
};
int RunExport(const ExportCliOptions& options);

// cohort bench: the side-by-side benchmark of docs/performance.md (src/bench). Leaves --db alone:
// it works in its own directory.
struct BenchCliOptions {
  std::string scale = "S", json_file, work_dir;
  bool keep = false;
  bool no_sql = false;
  bool no_xapi = false;
  std::uint64_t seed = 1;
  int cluster = 0;  // nodes of the cluster phase; 0: no cluster phase
};
int RunBench(const BenchCliOptions& options);

}  // namespace cohort::cli

#include <csignal>
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "common/logging.h"

int main(int argc, char** argv) {
  using namespace cohort::cli;
  // A peer that closes a pipe or socket must not kill the process; writes report it instead.
  std::signal(SIGPIPE, SIG_IGN);
  // Logs go to stderr: stdout carries what commands print (a token, sign-in details).
  (void)cohort::ConfigureLogging("info");
  CLI::App app{"Cohort: learning-progress metrics server"};
  app.require_subcommand(1);
  std::string db = "cohort.db";
  app.add_option("--db", db,
                 "SQLite database file, or a PostgreSQL URI (postgresql://...)")->envname("COHORT_DB")->capture_default_str();
  std::string log_level = "info";
  app.add_option("--log-level", log_level,
                 "trace, debug, info, warn, error, critical or off (logs go to stderr: plain "
                 "text on a terminal, JSON lines otherwise)")
      ->envname("COHORT_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();

  ServeOptions serve;
  CLI::App* serve_cmd = app.add_subcommand("serve", "Serve the API on an address");
  serve_cmd->add_option("--listen", serve.listen, "host:port to listen on")
      ->envname("COHORT_LISTEN")
      ->capture_default_str();
  serve_cmd->add_option("--threads", serve.threads, "server threads")
      ->envname("COHORT_THREADS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  serve_cmd->add_option("--metrics-listen", serve.metrics_listen,
                        "host:port serving GET /metrics (Prometheus) without credentials; "
                        "off when empty. Keep it on a private address.")
      ->envname("COHORT_METRICS_LISTEN")
      ->capture_default_str();
  serve_cmd->add_option("--request-timeout", serve.request_timeout_s,
                        "seconds a request has to arrive whole (header and body); then 408")
      ->envname("COHORT_REQUEST_TIMEOUT")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve_cmd->add_option("--idle-timeout", serve.idle_timeout_s,
                        "seconds an idle keep-alive connection is kept open")
      ->envname("COHORT_IDLE_TIMEOUT")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve_cmd->add_option("--max-connections", serve.max_connections,
                        "open connections at most; above, new ones get 503 and are closed")
      ->envname("COHORT_MAX_CONNECTIONS")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  // A build finds the UI in its source tree, so `make demo` works from a clean checkout.
  serve.web_root = COHORT_DEFAULT_WEB_ROOT;
  serve.node_modules = COHORT_DEFAULT_NODE_MODULES;
  serve_cmd->add_option("--web-root", serve.web_root, "directory of the web UI's files")
      ->envname("COHORT_WEB_ROOT")
      ->capture_default_str();
  serve_cmd->add_option("--node-modules", serve.node_modules,
                        "node_modules directory the web UI loads Chart.js from")
      ->envname("COHORT_NODE_MODULES")
      ->capture_default_str();
  serve_cmd->footer(
      "Options of every command, accepted before or after the subcommand:\n"
      "  --db TEXT=cohort.db (Env:COHORT_DB)      SQLite database file, or a PostgreSQL\n"
      "                                           URI (postgresql://user@host/db)\n"
      "  --log-level TEXT=info (Env:COHORT_LOG_LEVEL)\n"
      "                                           trace, debug, info, warn, error, critical, off\n"
      "A flag given on the command line wins over its environment variable.");

  CLI::App* account_cmd = app.add_subcommand("account", "Manage accounts");
  account_cmd->require_subcommand(1);
  std::string account_key, account_name, account_zone = "UTC";
  CLI::App* account_create = account_cmd->add_subcommand("create", "Create an account");
  account_create->add_option("KEY", account_key, "account key")->required();
  account_create->add_option("--name", account_name, "display name")->required();
  account_create->add_option("--timezone", account_zone, "IANA time zone")->capture_default_str();

  CLI::App* token_cmd = app.add_subcommand("token", "Manage API tokens");
  token_cmd->require_subcommand(1);
  std::string token_account, token_scopes, token_name = "cli";
  CLI::App* token_create = token_cmd->add_subcommand("create", "Create an API token; prints it");
  token_create->add_option("--account", token_account, "account key")->required();
  token_create->add_option("--scope", token_scopes, "scopes: read,ingest,admin")->required();
  token_create->add_option("--name", token_name, "a label for the token")->capture_default_str();

  UserCreateOptions user;
  CLI::App* user_cmd = app.add_subcommand("user", "Manage users");
  user_cmd->require_subcommand(1);
  CLI::App* user_create = user_cmd->add_subcommand("create", "Create or update a user");
  user_create->add_option("--account", user.account, "account key")->required();
  user_create->add_option("--key", user.key, "user key")->required();
  user_create->add_option("--email", user.email, "email address")->required();
  user_create->add_option("--name", user.name, "full name")->required();
  user_create->add_option("--role", user.roles, "role (repeatable or comma-separated)")
      ->delimiter(',');
  user_create->add_option("--group", user.groups, "group membership (repeatable)")
      ->delimiter(',');
  user_create->add_flag("--password-stdin", user.password_stdin,
                        "read the password from the first line of standard input");

  std::string import_account;
  std::vector<std::string> import_files;
  CLI::App* import_cmd = app.add_subcommand("import", "Import JSON or CSV files");
  import_cmd->add_option("--account", import_account, "account key")->required();
  import_cmd->add_option("FILE", import_files, "files (.json or .csv)")->required();

  DemoCliOptions demo;
  CLI::App* demo_cmd = app.add_subcommand("demo", "Create a demo organisation");
  demo_cmd->add_option("--account", demo.account, "account key")->capture_default_str();
  demo_cmd->add_option("--users", demo.users, "number of people")
      ->check(CLI::Range(20, 200000))
      ->capture_default_str();
  demo_cmd->add_option("--courses", demo.courses, "number of courses")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  demo_cmd->add_option("--seed", demo.seed, "random seed")->capture_default_str();

  std::string backup_output;
  bool backup_force = false;
  CLI::App* backup_cmd = app.add_subcommand(
      "backup", "Copy the database consistently, even while a server runs and writes");
  backup_cmd->add_option("-o,--output", backup_output, "the copy to write")->required();
  backup_cmd->add_flag("--force", backup_force, "replace the output file if it exists");

  std::string restore_source;
  bool restore_force = false;
  CLI::App* restore_cmd = app.add_subcommand(
      "restore", "Verify a backup, then copy it into --db (stop the server first)");
  restore_cmd->add_option("FILE", restore_source, "the backup to restore")->required();
  restore_cmd->add_flag("--force", restore_force, "replace --db if it exists");

  ExportCliOptions export_options;
  CLI::App* export_cmd =
      app.add_subcommand("export", "Write a view as a CSV or XLSX file (every row)");
  export_cmd->add_option("--account", export_options.account, "account key")->required();
  export_cmd->add_option("VIEW", export_options.view,
                         "courses, course, league, groups, user, history or report")
      ->required()
      ->check(CLI::IsMember({"courses", "course", "league", "groups", "user", "history", "report"}));
  export_cmd->add_option("--course", export_options.course, "course key (course, league, groups, "
                                                            "user, history)");
  export_cmd->add_option("--user", export_options.user, "user key (user, history)");
  export_cmd->add_option("--exercise", export_options.exercise, "exercise key (history)");
  export_cmd->add_option("--format", export_options.format, "csv or xlsx")
      ->required()
      ->check(CLI::IsMember({"csv", "xlsx"}));
  export_cmd->add_option("-o,--output", export_options.output, "the file to write")->required();

  BenchCliOptions bench;
  CLI::App* bench_cmd = app.add_subcommand(
      "bench", "Measure import, start, memory, ingest, view latency and freshness at a scale, "
               "beside the same reports in SQLite and PostgreSQL (docs/performance.md)");
  bench_cmd->add_option("--scale", bench.scale, "XS, S or M (L is estimated on paper)")
      ->check(CLI::IsMember({"XS", "S", "M", "L"}))
      ->capture_default_str();
  bench_cmd->add_option("--json", bench.json_file, "write every figure to this JSON file");
  bench_cmd->add_option("--work-dir", bench.work_dir,
                        "where the data, databases and logs go (default: a temporary directory)");
  bench_cmd->add_flag("--keep", bench.keep, "keep the work directory's files afterwards");
  bench_cmd->add_flag("--no-sql", bench.no_sql,
                      "skip the SQLite and PostgreSQL side (Cohort's own figures only)");
  bench_cmd->add_flag("--no-xapi", bench.no_xapi,
                      "skip the xAPI phase (statements ingest, freshness, GET latency)");
  bench_cmd->add_option("--seed", bench.seed, "random seed of the organisation")
      ->capture_default_str();
  bench_cmd->add_option("--cluster", bench.cluster,
                        "also measure N `cohort serve` nodes over one PostgreSQL (0: off; 3 is "
                        "typical)")
      ->check(CLI::Range(0, 16));

  CLI::App* check_cmd = app.add_subcommand(
      "check", "Verify --db: integrity, migrations, and that a rebuild answers every view");

  // --db may stand anywhere on the command line (SPEC §9).
  for (CLI::App* sub : {serve_cmd, account_cmd, account_create, token_cmd, token_create, user_cmd,
                        user_create, import_cmd, demo_cmd, backup_cmd, restore_cmd, check_cmd,
                        export_cmd, bench_cmd}) {
    sub->fallthrough();
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (cohort::Status logging = cohort::ConfigureLogging(log_level); !logging.ok()) {
    std::cerr << "cohort: " << logging.message() << "\n";
    return 1;
  }

  try {
    if (serve_cmd->parsed()) {
      serve.db = db;
      return RunServe(serve);
    }
    if (account_create->parsed()) return RunAccountCreate(db, account_key, account_name, account_zone);
    if (token_create->parsed()) return RunTokenCreate(db, token_account, token_scopes, token_name);
    if (user_create->parsed()) {
      user.db = db;
      return RunUserCreate(user);
    }
    if (import_cmd->parsed()) return RunImport(db, import_account, import_files);
    if (backup_cmd->parsed()) return RunBackup(db, backup_output, backup_force);
    if (restore_cmd->parsed()) return RunRestore(db, restore_source, restore_force);
    if (check_cmd->parsed()) return RunCheck(db);
    if (bench_cmd->parsed()) return RunBench(bench);
    if (export_cmd->parsed()) {
      export_options.db = db;
      return RunExport(export_options);
    }
    if (demo_cmd->parsed()) {
      demo.db = db;
      return RunDemo(demo);
    }
  } catch (const std::exception& e) {
    std::cerr << "cohort: unexpected failure: " << e.what() << "\n";
    return 2;
  }
  return 2;
}

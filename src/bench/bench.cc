#include "bench/bench.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include "bench/bench_run.h"
#include "bench/cluster_side.h"
#include "bench/cohort_driver.h"
#include "bench/report.h"
#include "bench/sql_side.h"
#include "bench/world.h"
#include "bench/xapi_side.h"

// A run, in order: the work directory (here), Cohort's side (cohort_driver.h: generate, import,
// serve, ingest, views, freshness), the SQL side (sql_side.h), the xAPI phase on the same node
// unless options.xapi is off (xapi_side.h), the cluster phase when asked (cluster_side.h), the
// table (report.h), cleanup.

namespace cohort::bench {
namespace {

namespace fs = std::filesystem;

// Picks the scale, creates the work directory and checks that the disk can hold the run.
// nullopt when it cannot run (the run's failures say why).
std::optional<Scale> Prepare(BenchRun& run) {
  Result<Scale> named = ScaleNamed(run.options.scale);
  if (!named.ok()) {
    run.Fail(named.status().message());
    return std::nullopt;
  }
  if (named->name == "L") {
    run.Fail("scale L is estimated on paper from S and M (docs/performance.md), not run");
    return std::nullopt;
  }
  const Scale scale = named.value();
  if (run.options.work_dir.empty()) {
    std::string pattern = (fs::temp_directory_path() / "cohort-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      run.Fail("cannot create a temporary directory");
      return std::nullopt;
    }
    run.root = pattern;
    run.created_root = true;
  } else {
    run.root = fs::absolute(run.options.work_dir);
  }
  run.dir = run.root / fmt::format("bench-{}", scale.name);
  std::error_code ec;
  fs::remove_all(run.dir, ec);
  fs::create_directories(run.dir, ec);
  if (ec) {
    run.Fail(fmt::format("cannot create {}: {}", run.dir.string(), ec.message()));
    return std::nullopt;
  }
  // PostgreSQL runs as its own user: it must be able to walk down to its data directory.
  fs::permissions(run.root,
                  fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                      fs::perms::others_read | fs::perms::others_exec,
                  ec);
  fs::permissions(run.dir,
                  fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                      fs::perms::others_read | fs::perms::others_exec,
                  ec);
  run.db = run.dir / "cohort.db";
  const fs::space_info space = fs::space(run.dir, ec);
  run.log(
      "scale {}: {} users in the main account + {} accounts of {}, {} courses, {} attempts; "
      "work dir {} ({:.0f} GB free); load average {:.2f}",
      scale.name, scale.users, scale.small_accounts, scale.small_users, scale.courses,
      scale.attempts, run.dir.string(), static_cast<double>(space.available) / 1e9, LoadAverage());
  // ~400 bytes per response at M all told: CSV 90 (deleted after import unless --keep),
  // Cohort's file 49, its backup copy with indexes ~60, PostgreSQL with indexes ~100, DuckDB's
  // CSV (deleted once loaded) and file ~100.
  const double needed = static_cast<double>(scale.attempts) * 5 * 400;
  if (static_cast<double>(space.available) < needed) {
    run.Fail(fmt::format("{} needs about {:.0f} GB free in {}; {:.0f} GB are", scale.name,
                         needed / 1e9, run.dir.string(),
                         static_cast<double>(space.available) / 1e9));
    return std::nullopt;
  }
  run.figures["scale"] = scale.name;
  run.figures["seed"] = run.options.seed;
  run.figures["machine"] = {{"cores", std::thread::hardware_concurrency()},
                            {"load_average_at_start", LoadAverage()}};
  return scale;
}

// Removes what the run wrote, unless --keep.
void RemoveWorkDir(BenchRun& run) {
  if (!run.options.keep) {
    std::error_code ec;
    fs::remove_all(run.created_root ? run.root : run.dir, ec);
  } else {
    run.log("kept {}", run.dir.string());
  }
}

}  // namespace

int RunBench(const BenchOptions& options) {
  BenchRun run;
  run.options = options;
  if (run.options.cohort_binary.empty()) {
    std::error_code ec;
    run.options.cohort_binary = fs::read_symlink("/proc/self/exe", ec).string();
  }
  const std::optional<Scale> scale = Prepare(run);
  if (!scale) {
    // Nothing measured yet: no table, just the reason (Fail printed it).
    RemoveWorkDir(run);
    return 1;
  }
  CohortDriver cohort(run, *scale, MakeWorld(*scale, run.options.seed));
  SqlSide sql(run, cohort);
  ClusterSide cluster(run, cohort);
  XapiSide xapi(run, cohort);
  bool done = cohort.Generate() && cohort.Import() && cohort.Serve() && cohort.Ingest() &&
              cohort.Settle("the ingest") && cohort.Latency() && cohort.Freshness() &&
              cohort.LatencyUnderIngest() && cohort.Settle("the busy views") &&
              (run.options.sql ? sql.Run() : sql.Skip());
  if (done && run.options.xapi) {
    // After the SQL side, whose answers are checked against the node's: the statements change
    // them. Its server is done: the xAPI phase has the machine.
    sql.Stop();
    done = xapi.Run();
  }
  if (done && run.options.cluster_nodes > 0) {
    // The single node and the SQL side's server are done: the cluster has the machine.
    cohort.Stop();
    sql.Stop();
    done = cluster.Run();
  }
  PrintReport(run, scale->name, sql.mismatches());
  cluster.Stop();
  cohort.Stop();
  sql.Stop();
  RemoveWorkDir(run);
  if (sql.mismatches() > 0) {
    std::cerr << fmt::format("cohort bench: {} SQL answers differ from Cohort's\n",
                             sql.mismatches());
  }
  return done && run.failures.empty() && sql.mismatches() == 0 ? 0 : 1;
}

}  // namespace cohort::bench

#pragma once

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench.h"
#include "bench/process.h"

namespace cohort::bench {

using Clock = std::chrono::steady_clock;
using json = nlohmann::ordered_json;  // figures keep the order they were measured in

// Seconds since `t`.
double Since(Clock::time_point t);
// The one-minute load average of the machine (/proc/loadavg).
double LoadAverage();

// Progress lines (SPEC §8): one per step and every few seconds inside long ones, on stderr,
// each with the seconds since the run began.
class Log {
 public:
  Log() : start_(Clock::now()) {}
  template <typename... Args>
  void operator()(fmt::format_string<Args...> f, Args&&... args) {
    std::cerr << fmt::format("bench [{:7.1f} s] ", Since(start_))
              << fmt::format(f, std::forward<Args>(args)...) << "\n"
              << std::flush;
  }

 private:
  Clock::time_point start_;
};

// What the parts of one `cohort bench` run share: its options, where it works, the progress
// log, every figure measured so far (the --json document) and the steps that failed. One per
// run, used on the run's thread only.
struct BenchRun {
  BenchOptions options;
  Log log;
  std::filesystem::path root;  // the work directory (a fresh one under $TMPDIR by default)
  std::filesystem::path dir;   // root / "bench-<scale>": generated files, databases, logs
  std::filesystem::path db;    // Cohort's database
  bool created_root = false;   // root is the bench's own, removed whole at the end
  json figures = json::object();
  std::vector<std::string> failures;

  // Logs and records a failed step. Returns false, for `return run.Fail(...)`.
  bool Fail(const std::string& what);
  // Runs a program (its stdin from `stdin_file` when given); its stderr goes to dir/cli.log.
  ProcessResult Logged(const std::vector<std::string>& argv, const std::string& stdin_file = "");
  // Runs a `cohort` subcommand against the bench database, logged like Logged().
  ProcessResult Cohort(std::vector<std::string> args);
};

}  // namespace cohort::bench

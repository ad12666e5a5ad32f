#include "bench/bench_run.h"

#include <fstream>

namespace cohort::bench {

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double one = 0;
  in >> one;
  return one;
}

bool BenchRun::Fail(const std::string& what) {
  log("FAILED: {}", what);
  failures.push_back(what);
  return false;
}

ProcessResult BenchRun::Logged(const std::vector<std::string>& argv,
                               const std::string& stdin_file) {
  subprocess::RunOptions run_options;
  run_options.stdin_file = stdin_file;
  ProcessResult r = subprocess::Run(argv, run_options);
  std::ofstream out(dir / "cli.log", std::ios::app);
  out << r.err;
  return r;
}

ProcessResult BenchRun::Cohort(std::vector<std::string> args) {
  args.insert(args.begin(), {options.cohort_binary, "--db", db.string()});
  return Logged(args);
}

}  // namespace cohort::bench

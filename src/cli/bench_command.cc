#include <iostream>

#include "bench/bench.h"
#include "cli/commands.h"

namespace cohort::cli {

int RunBench(const BenchCliOptions& options) {
  bench::BenchOptions o;
  o.scale = options.scale;
  o.json_file = options.json_file;
  o.work_dir = options.work_dir;
  o.keep = options.keep;
  o.seed = options.seed;
  o.sql = !options.no_sql;
  o.xapi = !options.no_xapi;
  o.cluster_nodes = options.cluster;
  return bench::RunBench(o);
}

}  // namespace cohort::cli

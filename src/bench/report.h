#pragma once

#include <string>

#include "bench/bench_run.h"

namespace cohort::bench {

// The end of a bench run: prints every figure against the targets of issue 7 (the table on
// stdout, then the failed steps), adds that table, the failures, `mismatches` and the load
// average at the end to the figures, and writes them as JSON when --json asked for it.
void PrintReport(BenchRun& run, const std::string& scale, int mismatches);

}  // namespace cohort::bench

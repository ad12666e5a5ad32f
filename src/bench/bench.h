#pragma once

#include <cstdint>
#include <string>

namespace cohort::bench {

// `cohort bench`: generates an organisation at a scale, loads it through the real `cohort`
// binary, measures import, start, memory, HTTP ingest, the latency of every view, freshness,
// the same reports in SQLite and PostgreSQL 15 (each answer checked against Cohort's) and the
// xAPI statements resource (ingest, freshness, queries), then prints a table against the
// targets of issues 7 and 19 and optionally writes every figure as JSON.
struct BenchOptions {
  std::string scale = "S";   // XS, S or M (L is estimated on paper, never run)
  std::string json_file;     // empty: no JSON
  std::string work_dir;      // empty: a fresh directory under $TMPDIR
  bool keep = false;         // keep the generated files, databases and logs
  std::string cohort_binary; // the `cohort` to drive (the running one by default)
  std::uint64_t seed = 1;
  // false: the SQL side (SQLite and PostgreSQL) is skipped, for a rerun of Cohort's own figures
  // when the data and the SQL have not changed (the ratios then come from the earlier run).
  bool sql = true;
  // The xAPI phase (xapi_side.h, issue 19) on the single node; false skips it.
  bool xapi = true;
  // > 0: the cluster phase (cluster_side.h) — this many `cohort serve` nodes over one PostgreSQL.
  int cluster_nodes = 0;
};

// Returns the exit code: 0 when every step ran and every SQL answer matched Cohort's (missed
// targets are reported, not failures); 1 on a mismatch or a step that failed.
int RunBench(const BenchOptions& options);

}  // namespace cohort::bench

#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/bench_run.h"
#include "bench/cohort_driver.h"
#include "bench/percentiles.h"
#include "common/subprocess.h"
#include "http_client/http_client.h"

namespace cohort::bench {

// The cluster phase of a bench run (`--cluster N`, issue 17): the same organisation in a
// PostgreSQL 15 of its own (started like the SQL side's: initdb/pg_ctl, socket only, fsync off,
// synchronous_commit on as deployed), N `cohort serve` nodes over it, and what
// docs/deployment.md promises, measured: `cohort import` into PostgreSQL, each node's start
// (spawn → /healthz 200), HTTP ingest spread round-robin over the nodes, cross-node freshness
// (write through node i, poll node j ≠ i without Cohort-Min-Seq) on a quiet cluster and under
// ingest, every view of the single-node step on a follower while the other nodes ingest, and
// read-your-writes through another node with Cohort-Min-Seq (any miss is a failure). Figures go
// into the run's "cluster" object. Used on the run's thread (its writers run threads of their
// own). Owns PostgreSQL and the nodes: stopped by Stop() or at destruction.
class ClusterSide {
 public:
  // `cohort` must have generated the organisation (its files are imported again, then removed
  // unless --keep).
  ClusterSide(BenchRun& run, CohortDriver& cohort) : run_(run), cohort_(cohort) {}
  ~ClusterSide();
  ClusterSide(const ClusterSide&) = delete;
  ClusterSide& operator=(const ClusterSide&) = delete;

  // Every step; false when one failed (recorded in the run).
  bool Run();
  // Stops the nodes (SIGTERM), then PostgreSQL.
  void Stop();

 private:
  struct Node {
    std::unique_ptr<subprocess::Child> process;
    std::uint16_t port = 0;
    double start_s = 0;
  };
  // A learner whose league row in the probe course only the probes change, and its points.
  struct Probe {
    int user = -1;
    std::string target;  // the league filtered to that learner
    std::string key;
    std::int64_t points = 0;
    std::string prefix;  // of its attempts' ids
    int written = 0;
  };

  bool StartPostgres();
  bool Import();
  bool StartNodes();
  bool Ingest();
  // Freshness, read-your-writes and the follower's views while writers ingest through every
  // node but the last (the follower), or on a quiet cluster.
  bool Probes(bool under_ingest);
  // Writes one attempt of `probe` through `node`; the acknowledgement (status 200 expected).
  http_client::HttpResponse WriteProbe(Probe& probe, std::size_t node);
  // The probe learner's points in node's league, nullopt when not there or not 200.
  std::optional<std::int64_t> PointsOn(const Probe& probe, std::size_t node,
                                       const http_client::HeaderList& extra = {});
  // Learns how many points one probe attempt adds (the first write, untimed).
  bool Calibrate(Probe& probe);
  std::vector<std::string> AsPostgres(std::vector<std::string> argv) const;
  subprocess::Result Cohort(std::vector<std::string> args);

  BenchRun& run_;
  CohortDriver& cohort_;
  std::filesystem::path pg_dir_;
  bool pg_started_ = false;
  std::string uri_;
  std::string token_;
  http_client::HeaderList headers_;
  std::vector<Node> nodes_;
  std::vector<std::unique_ptr<http_client::HttpClient>> clients_;  // the prober's, one per node
  std::int64_t next_batch_ = 0;  // ingest batches written so far (their ids and times follow on)
  std::int64_t delta_ = 0;       // points one probe attempt adds
  Probe fresh_, ryw_;
  json figures_ = json::object();
};

}  // namespace cohort::bench

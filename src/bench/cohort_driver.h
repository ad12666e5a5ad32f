#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/bench_run.h"
#include "bench/percentiles.h"
#include "bench/sql_reports.h"
#include "bench/world.h"
#include "common/subprocess.h"
#include "http_client/http_client.h"

namespace cohort::bench {

// The Cohort side of a bench run: drives the real `cohort` binary as a user would — generates
// the organisation's files, loads them with `cohort import`, starts `cohort serve` — and measures
// it over HTTP: start, memory, HTTP ingest, the latency of every view, freshness. Each step logs
// its figures and writes them into the run's figures; a step that fails records why and returns
// false. Used on the run's thread (the ingest step runs 4 client threads of its own). Owns the
// server process: it is stopped by Stop() or at destruction.
class CohortDriver {
 public:
  CohortDriver(BenchRun& run, Scale scale, World world);
  ~CohortDriver();
  CohortDriver(const CohortDriver&) = delete;
  CohortDriver& operator=(const CohortDriver&) = delete;

  // The steps, in this order.
  bool Generate();
  bool Import();
  bool Serve();
  bool Ingest();
  // Waits until the server has been idle a moment (see cohort_driver.cc), logging how long.
  bool Settle(const std::string& after);
  bool Latency();
  bool Freshness();
  // Every view of Latency() timed again while HTTP ingest runs at full speed from other
  // clients (issue 18 item 5: a real server is never idle), without the whole-account CSV.
  bool LatencyUnderIngest();

  // Cohort's answer to the question of an SQL report (its `cohort_target`), as rows of text in
  // the report's columns. Requires: Serve() succeeded. Failures are recorded in the run.
  Rows RowsFor(const SqlReport& report);
  // One HTTP ingest batch: 1,000 attempts × 5 responses of the busiest course, the attempt ids
  // `prefix` + a number unique to `batch`, timed after every generated attempt (each user's
  // attempts arrive in order, as an LMS sends them). The Ingest() step's batches are prefix "h".
  std::string IngestBody(std::int64_t batch, const std::string& prefix) const;
  // Times every view of the Latency() step (`requests` each) through `client` with `headers`:
  // the views' percentiles by name, and every league sort's in `league`; `whole_report`: also the
  // account's whole report as CSV. Failures are recorded in the run. Requires: Generate() ran.
  json MeasureViews(http_client::HttpClient& client, const http_client::HeaderList& headers,
                    int requests, json& league, bool whole_report = true);
  // The generated files, for another import of the same organisation (the cluster phase).
  const std::vector<AccountFiles>& files() const { return files_; }
  // The learner whose summary the freshness step and the "user" report look at. Requires:
  // Freshness() ran.
  int freshness_user() const { return freshness_user_; }
  const Scale& scale() const { return scale_; }
  const World& world() const { return world_; }
  // The server's API port and the main account's token (read, ingest). Requires: Serve() ran.
  std::uint16_t port() const { return port_; }
  const std::string& token() const { return token_; }

  // GET `target` of the API through the driver's connection, parsed; nullopt (recorded in the
  // run) unless it answered 200 with JSON. Requires: Serve() succeeded.
  std::optional<json> GetJson(const std::string& target);

  // Stops the server (SIGTERM) if it runs.
  void Stop();

 private:
  Percentiles Measure(http_client::HttpClient& client, const http_client::HeaderList& headers,
                      const std::string& target, int requests, bool first_byte = false,
                      Percentiles* ttfb = nullptr);

  BenchRun& run_;
  const Scale scale_;
  const World world_;
  std::vector<AccountFiles> files_;
  std::string token_;
  std::unique_ptr<subprocess::Child> server_;
  std::uint16_t port_ = 0, metrics_port_ = 0;
  std::unique_ptr<http_client::HttpClient> http_;
  http_client::HeaderList api_headers_;  // the token, on every request to the API
  std::vector<int> enrolled_;         // users of the busiest course (index 0) in the main account
  std::vector<int> active_enrolled_;  // the active ones among them
  int freshness_user_ = -1;
};

}  // namespace cohort::bench

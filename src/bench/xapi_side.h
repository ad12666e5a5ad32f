#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bench/bench_run.h"
#include "bench/cohort_driver.h"
#include "bench/world.h"
#include "http_client/http_client.h"

namespace cohort::bench {

// The xAPI phase of a bench run (issue 19): statements sent to the single node's Learning Record
// Store (/xapi/statements) as an LMS sends them. Each statement is an "answered" by a real
// learner of the main account (actor account.name = user key) to a question of a real exercise
// of a course the learner is enrolled in (context parent urn:cohort:exercise:<course>/<exercise>),
// five per attempt (one registration each), so every one counts in the metrics. Measures, in
// order: single-statement POSTs from 4 clients; batches of 1,000 from 4 clients, which also fill
// the store up to StoredStatements(); the time from a batch's acknowledgement until the course's
// league shows it; GET /xapi/statements (limit 100) per common filter. Figures go into the run's
// "xapi" object. Used on the run's thread (the ingest steps run client threads of their own).
class XapiSide {
 public:
  // `cohort` must be serving (its Serve() succeeded) until Run() returns.
  XapiSide(BenchRun& run, CohortDriver& cohort);
  XapiSide(const XapiSide&) = delete;
  XapiSide& operator=(const XapiSide&) = delete;

  // Every step; false when one failed (recorded in the run).
  bool Run();

  // How many statements the phase stores at least: one per 20 generated attempts (1,000,000 at
  // M, 50,000 at S), never fewer than 25,000.
  static std::int64_t StoredStatements(const Scale& scale);

 private:
  // Where one attempt is answered: a learner enrolled in the course, and an exercise of it.
  struct Seat {
    int user = 0;
    int course = 0;
    const std::string* exercise = nullptr;
  };
  // How a set of client threads went: every answer's time, how many failed and the first error.
  struct Drive {
    std::vector<double> ms;
    double wall_s = 0;
    int failed = 0;
    std::string first_error;
  };

  Seat SeatOf(std::int64_t attempt) const;
  // Statement `seq` of the phase: answer seq % 5 of attempt seq / 5, made at `seat`.
  std::string Statement(std::int64_t seq, const Seat& seat) const;
  // Statements [first, first + 1000) as one JSON array; with `probe` ≥ 0 all in course 0, the
  // first attempt the probe learner's and none of the others.
  std::string Batch(std::int64_t first, int probe = -1) const;
  std::string Registration(std::int64_t attempt) const;
  std::string Question(const Seat& seat, int answer) const;
  // Sends `jobs` POST bodies from `clients` threads, client t sending jobs t, t + clients, ... in
  // order, logging progress every 10 s as `what`.
  Drive Post(int clients, std::int64_t jobs, const std::function<std::string(std::int64_t)>& body,
             const std::string& what);

  bool Singles(int clients, std::int64_t statements);
  bool Batches(int clients, std::int64_t batches);
  bool Freshness(int batches);
  bool Queries(int requests);

  BenchRun& run_;
  CohortDriver& cohort_;
  const World& world_;
  http_client::HeaderList headers_;                  // xAPI version, token, JSON
  std::vector<std::vector<int>> enrolled_;           // per course: main-account learners
  std::vector<std::vector<std::string>> exercises_;  // per course: exercise keys
  std::int64_t next_ = 0;    // statements sent so far: the next one's seq (multiple of 1,000)
  std::int64_t seated_ = 0;  // attempts of the single and batch steps: [0, seated_) are SeatOf's
  json figures_ = json::object();
};

}  // namespace cohort::bench

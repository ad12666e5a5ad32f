#include "bench/xapi_side.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <utility>

#include "bench/percentiles.h"
#include "bench/text.h"

namespace cohort::bench {
namespace {

using http_client::HttpClient;
using http_client::HttpResponse;

constexpr std::chrono::minutes kHttpTimeout{10};
constexpr std::string_view kAnswered = "http://adlnet.gov/expapi/verbs/answered";
constexpr std::string_view kHomePage = "https://lms.example";
constexpr int kBatch = 1000;  // statements per batch: 200 attempts of 5 answers
constexpr int kPerAttempt = 5;
constexpr int kLimit = 100;  // statements per GET page
constexpr std::int64_t kDayMs = 86'400'000;

std::string Agent(const World& world, int user) {
  return fmt::format(R"({{"account":{{"homePage":"{}","name":"{}"}}}})", kHomePage,
                     world.UserKey(user));
}

}  // namespace

XapiSide::XapiSide(BenchRun& run, CohortDriver& cohort)
    : run_(run), cohort_(cohort), world_(cohort.world()) {}

std::int64_t XapiSide::StoredStatements(const Scale& scale) {
  // XS (the smoke test, also under the sanitizers) keeps the phase short.
  return std::max<std::int64_t>(scale.name == "XS" ? 4'000 : 25'000, scale.attempts / 20);
}

XapiSide::Seat XapiSide::SeatOf(std::int64_t attempt) const {
  const auto courses = static_cast<std::int64_t>(enrolled_.size());
  const auto c = static_cast<std::size_t>(attempt % courses);
  const std::int64_t round = attempt / courses;
  const auto users = static_cast<std::int64_t>(enrolled_[c].size());
  const auto exercises = static_cast<std::int64_t>(exercises_[c].size());
  // A learner meets a different exercise each time round the course's list.
  return {enrolled_[c][static_cast<std::size_t>(round % users)], static_cast<int>(c),
          &exercises_[c][static_cast<std::size_t>((round * 7 + round / users) % exercises)]};
}

std::string XapiSide::Registration(std::int64_t attempt) const {
  return fmt::format("0000c0de-0000-4000-9000-{:012x}", attempt);
}

std::string XapiSide::Question(const Seat& seat, int answer) const {
  return fmt::format("{}/q/{}/{}/{}", kHomePage, world_.CourseKey(seat.course), *seat.exercise,
                     answer + 1);
}

std::string XapiSide::Statement(std::int64_t seq, const Seat& seat) const {
  const std::int64_t attempt = seq / kPerAttempt;
  const int answer = static_cast<int>(seq % kPerAttempt);
  // After every generated attempt and the other steps' ones (which end 40 days after the
  // window); 1,000,000 statements span 23 days, all in the past.
  const std::int64_t at =
      world_.window_end_ms + 60 * kDayMs + attempt * 10'000 + (answer + 1) * 20'000;
  return fmt::format(R"({{"id":"c0de0000-0000-4000-8000-{:012x}","actor":{},)"
                     R"("verb":{{"id":"{}","display":{{"en-US":"answered"}}}},)"
                     R"("object":{{"objectType":"Activity","id":"{}"}},)"
                     R"("result":{{"success":{},"duration":"PT20S"}},)"
                     R"("context":{{"registration":"{}","contextActivities":{{"parent":[{{"id":)"
                     R"("urn:cohort:exercise:{}/{}"}}]}}}},"timestamp":"{}"}})",
                     seq, Agent(world_, seat.user), kAnswered, Question(seat, answer),
                     seq % 10 < 7 ? "true" : "false", Registration(attempt),
                     world_.CourseKey(seat.course), *seat.exercise, FormatTimeMs(at));
}

std::string XapiSide::Batch(std::int64_t first, int probe) const {
  std::string body = "[";
  for (int i = 0; i < kBatch; ++i) {
    const std::int64_t seq = first + i;
    const std::int64_t attempt = seq / kPerAttempt;
    Seat seat = SeatOf(attempt);
    if (probe >= 0) {
      const std::vector<int>& users = enrolled_[0];
      auto at = static_cast<std::size_t>(attempt) % users.size();
      if (users[at] == probe) at = (at + 1) % users.size();
      seat = {i < kPerAttempt ? probe : users[at], 0,
              &exercises_[0][static_cast<std::size_t>(attempt) % exercises_[0].size()]};
    }
    if (i > 0) body += ',';
    body += Statement(seq, seat);
  }
  body += ']';
  return body;
}

XapiSide::Drive XapiSide::Post(int clients, std::int64_t jobs,
                               const std::function<std::string(std::int64_t)>& body,
                               const std::string& what) {
  Drive d;
  std::vector<std::vector<double>> ms(static_cast<std::size_t>(clients));
  std::atomic<std::int64_t> done{0};
  std::atomic<int> failed{0};
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client("127.0.0.1", cohort_.port(), kHttpTimeout);
      for (std::int64_t j = t; j < jobs; j += clients) {
        // Written here rather than beforehand: at M the batches would take ~0.5 GB. Writing
        // one takes well under a millisecond, against the server's tens.
        const HttpResponse a = client.Send("POST", "/xapi/statements", body(j), headers_);
        if (a.status == 200) {
          ms[static_cast<std::size_t>(t)].push_back(a.total_ms);
        } else if (failed++ == 0) {
          d.first_error = fmt::format("{} {}{}", a.status, a.error, a.body.substr(0, 300));
        }
        ++done;
      }
    });
  }
  Clock::time_point last = start;
  while (done < jobs) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (Since(last) >= 10) {
      last = Clock::now();
      run_.log("{}: {} of {} requests", what, done.load(), jobs);
    }
  }
  for (std::thread& th : threads) th.join();
  d.wall_s = Since(start);
  d.failed = failed;
  for (const std::vector<double>& v : ms) d.ms.insert(d.ms.end(), v.begin(), v.end());
  return d;
}

bool XapiSide::Singles(int clients, std::int64_t statements) {
  const std::int64_t first_attempt = next_ / kPerAttempt;
  // Client t answers attempts t, t + clients, ... one statement at a time, in order.
  const Drive d = Post(
      clients, statements,
      [&](std::int64_t j) {
        const std::int64_t k = j / clients;
        const std::int64_t attempt = first_attempt + k / kPerAttempt * clients + j % clients;
        return Statement(attempt * kPerAttempt + k % kPerAttempt, SeatOf(attempt));
      },
      "xAPI single statements");
  next_ += statements;
  if (d.failed > 0) {
    return run_.Fail(fmt::format("{} xAPI statements refused: {}", d.failed, d.first_error));
  }
  const Percentiles p = Summarise(d.ms);
  const double rate = static_cast<double>(statements) / d.wall_s;
  figures_["single"] = {{"clients", clients},   {"statements", statements},
                        {"wall_s", d.wall_s},   {"statements_per_s", rate},
                        {"post_p50_ms", p.p50}, {"post_p99_ms", p.p99}};
  run_.log(
      "xAPI ingest: {} single-statement POSTs from {} clients in {:.2f} s = {:.0f} "
      "statements/s (p50 {:.2f} ms, p99 {:.2f} ms)",
      statements, clients, d.wall_s, rate, p.p50, p.p99);
  return true;
}

bool XapiSide::Batches(int clients, std::int64_t batches) {
  const std::int64_t first = next_;
  const Drive d = Post(
      clients, batches, [&](std::int64_t b) { return Batch(first + b * kBatch); }, "xAPI batches");
  next_ += batches * kBatch;
  if (d.failed > 0) {
    return run_.Fail(fmt::format("{} xAPI batches refused: {}", d.failed, d.first_error));
  }
  const Percentiles p = Summarise(d.ms);
  const double statements = static_cast<double>(batches * kBatch);
  figures_["batches"] = {{"clients", clients},
                         {"batches", batches},
                         {"statements_per_batch", kBatch},
                         {"statements", statements},
                         {"wall_s", d.wall_s},
                         {"statements_per_s", statements / d.wall_s},
                         {"batch_p50_ms", p.p50},
                         {"batch_p99_ms", p.p99}};
  run_.log(
      "xAPI ingest: {} batches of 1,000 statements from {} clients in {:.2f} s = {:.0f} "
      "statements/s (batch p50 {:.1f} ms, p99 {:.1f} ms)",
      batches, clients, d.wall_s, statements / d.wall_s, p.p50, p.p99);
  return true;
}

bool XapiSide::Freshness(int batches) {
  // The probe: an active learner of course 0 whom only the probe batches' first attempts touch
  // from now on; its league row's time grows by the same amount with each batch.
  std::vector<int> active;
  for (int u : enrolled_[0]) {
    if (world_.Active(0, u)) active.push_back(u);
  }
  if (active.empty()) return run_.Fail("xAPI freshness: course 0 has no active learner");
  const int probe = active[active.size() / 3];
  const std::string key = world_.UserKey(probe);
  const std::string target = fmt::format("/api/v1/courses/{}/users?q={}&limit=10",
                                         world_.CourseKey(0), UrlEncode(world_.UserName(0, probe)));
  auto time_now = [&]() -> std::optional<double> {
    std::optional<json> j = cohort_.GetJson(target);
    if (!j) return std::nullopt;
    for (const json& row : (*j)["rows"]) {
      if (row["user"] == key && row["time"].is_number()) return row["time"].get<double>();
    }
    return std::nullopt;
  };
  HttpClient client("127.0.0.1", cohort_.port(), kHttpTimeout);
  std::optional<double> seen = time_now();
  if (!seen) return run_.Fail("xAPI freshness: the probe learner is not in the league");
  double expected = *seen;
  double delta = 0;
  std::vector<double> delays;
  // Batch 0 is untimed: it learns how much one batch adds to the probe's time.
  for (int i = 0; i <= batches; ++i) {
    const std::string body = Batch(next_, probe);
    next_ += kBatch;
    const HttpResponse ack = client.Send("POST", "/xapi/statements", body, headers_);
    const Clock::time_point acked = Clock::now();
    if (ack.status != 200) {
      return run_.Fail(fmt::format("xAPI freshness batch answered {} {}{}", ack.status, ack.error,
                                   ack.body.substr(0, 300)));
    }
    for (;;) {
      seen = time_now();
      if (!seen) return run_.Fail("xAPI freshness: the probe learner left the league");
      if (i == 0 ? *seen != expected : *seen >= expected + delta - 1e-6) break;
      if (Since(acked) > 10) {
        return run_.Fail("an acknowledged xAPI batch was not visible in the league after 10 s");
      }
    }
    if (i == 0) {
      delta = *seen - expected;
      if (delta <= 0) return run_.Fail("an xAPI batch made the probe learner's time shrink");
    } else {
      delays.push_back(Since(acked) * 1000.0);
    }
    expected = *seen;
  }
  const Percentiles p = Summarise(delays);
  figures_["freshness"] = PercentilesJson(p);
  figures_["freshness"]["probe_time_added_s"] = delta;
  run_.log(
      "xAPI freshness (batch of 1,000 acked → visible in the league row): p50 {:.2f} ms, "
      "p99 {:.2f} ms over {} batches",
      p.p50, p.p99, p.n);
  return true;
}

bool XapiSide::Queries(int requests) {
  // Every filter asks about statements of the single and batch steps, a different attempt's
  // each request, so no answer is the previous one again.
  const std::int64_t attempts = seated_;
  auto attempt_of = [&](int k) { return (static_cast<std::int64_t>(k) * 7919 + 13) % attempts; };
  const std::vector<std::pair<std::string, std::function<std::string(int)>>> filters = {
      {"agent",
       [&](int k) { return "&agent=" + UrlEncode(Agent(world_, SeatOf(attempt_of(k)).user)); }},
      {"activity",
       [&](int k) { return "&activity=" + UrlEncode(Question(SeatOf(attempt_of(k)), k % 5)); }},
      {"verb", [&](int) { return "&verb=" + UrlEncode(kAnswered); }},
      {"registration", [&](int k) { return "&registration=" + Registration(attempt_of(k)); }},
      {"no filter", [&](int) { return std::string(); }},
  };
  HttpClient client("127.0.0.1", cohort_.port(), kHttpTimeout);
  json queries = json::object();
  for (const auto& [name, param] : filters) {
    std::vector<double> ms;
    // Warm: the first answers fill caches and the connection; they are not counted.
    for (int k = -5; k < requests; ++k) {
      const std::string target = fmt::format("/xapi/statements?limit={}{}", kLimit, param(k + 5));
      const HttpResponse a = client.Get(target, headers_);
      if (a.status != 200 || a.body.starts_with(R"({"statements":[])")) {
        return run_.Fail(fmt::format("GET {} answered {} {}{}", target, a.status, a.error,
                                     a.body.substr(0, 200)));
      }
      if (k >= 0) ms.push_back(a.total_ms);
    }
    const Percentiles p = Summarise(ms);
    queries[name] = PercentilesJson(p);
    run_.log(
        "latency GET /xapi/statements {:<13} p50 {:8.3f} ms  p99 {:8.3f} ms  ({} requests, "
        "limit {}, {} stored)",
        name, p.p50, p.p99, p.n, kLimit, next_);
  }
  figures_["queries"] = queries;
  return true;
}

bool XapiSide::Run() {
  for (int c = 0; c < world_.scale.courses; ++c) {
    enrolled_.push_back(world_.Enrolled(0, c));
    exercises_.emplace_back();
    for (int ch = 0; ch < world_.scale.chapters; ++ch) {
      for (int e = 0; e < world_.ExercisesIn(c, ch); ++e) {
        exercises_.back().push_back(world_.ExerciseKey(c, ch, e));
      }
    }
    if (enrolled_.back().empty() || exercises_.back().empty()) {
      return run_.Fail(fmt::format("xAPI: course {} has no learners or no exercises", c));
    }
  }
  headers_ = {{"X-Experience-API-Version", "1.0.3"},
              {"Authorization", "Bearer " + cohort_.token()},
              {"Content-Type", "application/json"}};
  const bool tiny = world_.scale.name == "XS";
  const int clients = 4, fresh = tiny ? 5 : 20;
  const std::int64_t stored = StoredStatements(world_.scale);
  const std::int64_t singles = std::clamp<std::int64_t>(stored / 50 / kBatch * kBatch,
                                                        tiny ? 200 : kBatch, 20 * kBatch);
  const std::int64_t batches =
      std::max<std::int64_t>(4, (stored - singles - (fresh + 1) * kBatch + kBatch - 1) / kBatch);
  figures_["stored_statements"] = singles + (batches + fresh + 1) * kBatch;
  figures_["limit"] = kLimit;
  run_.log(
      "xAPI: {} statements ({} single POSTs, {} batches of 1,000, {} + 1 for freshness), "
      "then GET /xapi/statements",
      figures_["stored_statements"].get<std::int64_t>(), singles, batches, fresh);
  bool ok = Singles(clients, singles) && Batches(clients, batches);
  seated_ = next_ / kPerAttempt;
  ok = ok && Freshness(fresh) && cohort_.Settle("the xAPI ingest") && Queries(tiny ? 20 : 200);
  run_.figures["xapi"] = figures_;
  return ok;
}

}  // namespace cohort::bench

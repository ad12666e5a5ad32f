#include "bench/cohort_driver.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <regex>
#include <thread>
#include <utility>

#include "bench/process.h"
#include "bench/text.h"

namespace cohort::bench {
namespace {

namespace fs = std::filesystem;
using http_client::HttpClient;
using http_client::HttpResponse;

// How long the bench waits for an answer: the account report at M takes seconds, not minutes.
constexpr std::chrono::minutes kHttpTimeout{10};

// Clients posting batches of attempts to /api/v1/attempts, one thread and one connection each,
// as an LMS's workers would: each takes the next body from `next` (thread-safe; nullopt when
// there are no more) and posts it, until the bodies run out, Stop() is called, or the server
// refuses one (that client stops; the first refusal is kept). Join() waits for them to end.
class IngestClients {
 public:
  using NextBody = std::function<std::optional<std::string>()>;
  IngestClients(int clients, std::uint16_t port, const http_client::HeaderList& headers, NextBody next)
      : next_(std::move(next)) {
    for (int t = 0; t < clients; ++t) {
      threads_.emplace_back([this, port, &headers] { Post(port, headers); });
    }
  }
  ~IngestClients() { Stop(); }
  IngestClients(const IngestClients&) = delete;
  IngestClients& operator=(const IngestClients&) = delete;

  std::int64_t done() const { return done_.load(); }
  int failed() const { return failed_.load(); }
  // Ends the clients after the batches they are posting.
  void Stop() {
    stop_ = true;
    Join();
  }
  void Join() {
    for (std::thread& th : threads_) {
      if (th.joinable()) th.join();
    }
  }
  // After Join(): each accepted batch's time to its answer, and the first refusal.
  const std::vector<double>& batch_ms() const { return batch_ms_; }
  const std::string& first_error() const { return first_error_; }

 private:
  void Post(std::uint16_t port, const http_client::HeaderList& headers) {
    HttpClient client("127.0.0.1", port, kHttpTimeout);
    std::vector<double> mine;
    while (!stop_.load()) {
      const std::optional<std::string> body = next_();
      if (!body) break;
      const HttpResponse a = client.Send("POST", "/api/v1/attempts", *body, headers);
      if (a.status != 200) {
        std::lock_guard lock(mu_);
        if (failed_++ == 0) first_error_ = fmt::format("{} {}{}", a.status, a.error, a.body.substr(0, 300));
        break;
      }
      ++done_;
      mine.push_back(a.total_ms);
    }
    std::lock_guard lock(mu_);
    batch_ms_.insert(batch_ms_.end(), mine.begin(), mine.end());
  }

  NextBody next_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> done_{0};
  std::atomic<int> failed_{0};
  std::mutex mu_;
  std::string first_error_;
  std::vector<double> batch_ms_;
  std::vector<std::thread> threads_;
};

}  // namespace

CohortDriver::CohortDriver(BenchRun& run, Scale scale, World world)
    : run_(run), scale_(std::move(scale)), world_(std::move(world)) {}

CohortDriver::~CohortDriver() { Stop(); }

void CohortDriver::Stop() {
  if (server_) {
    server_->Stop(SIGTERM);
    server_.reset();
  }
}

bool CohortDriver::Generate() {
  const Clock::time_point start = Clock::now();
  Clock::time_point last = start;
  Result<std::vector<AccountFiles>> files = GenerateFiles(
      world_, (run_.dir / "data").string(), [&](std::int64_t done, std::int64_t total) {
        if (Since(last) >= 5 || done == total) {
          last = Clock::now();
          run_.log("generating: {} of {} attempts ({:.0f} %)", done, total,
               total ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0);
        }
      });
  if (!files.ok()) return run_.Fail(files.status().message());
  files_ = std::move(files).value();
  std::int64_t attempts = 0, responses = 0, bytes = 0;
  for (const AccountFiles& f : files_) {
    attempts += f.attempts;
    responses += f.responses;
    bytes += f.bytes;
  }
  enrolled_ = world_.Enrolled(0, 0);
  for (int u : enrolled_) {
    if (world_.Active(0, u)) active_enrolled_.push_back(u);
  }
  int exercises = 0;
  for (int c = 0; c < scale_.courses; ++c) {
    for (int ch = 0; ch < scale_.chapters; ++ch) exercises += world_.ExercisesIn(c, ch);
  }
  run_.figures["world"] = {{"accounts", files_.size()},
                       {"users_main", scale_.users},
                       {"users_total", scale_.users + scale_.small_accounts * scale_.small_users},
                       {"courses", scale_.courses},
                       {"exercises_per_account", exercises},
                       {"groups_main", scale_.groups},
                       {"busiest_course_enrolled", enrolled_.size()},
                       {"attempts", attempts},
                       {"responses", responses},
                       {"csv_bytes", bytes},
                       {"generate_s", Since(start)}};
  run_.log("generated {} attempts, {} responses, {:.2f} GB of CSV in {:.1f} s; busiest course: {} "
       "enrolled",
       attempts, responses, static_cast<double>(bytes) / 1e9, Since(start), enrolled_.size());
  return true;
}

bool CohortDriver::Import() {
  for (const AccountFiles& f : files_) {
    ProcessResult r = run_.Cohort({"account", "create", f.account, "--name", "Bench " + f.account});
    if (r.exit_code != 0) return run_.Fail("cohort account create: " + r.err);
  }
  ProcessResult token = run_.Cohort({"token", "create", "--account", "main", "--scope", "read,ingest"});
  if (token.exit_code != 0) return run_.Fail("cohort token create: " + token.err);
  token_ = Trim(token.out);
  const Clock::time_point catalog_start = Clock::now();
  for (const AccountFiles& f : files_) {
    ProcessResult r = run_.Cohort({"import", "--account", f.account, f.catalog});
    if (r.exit_code != 0) return run_.Fail("cohort import " + f.catalog + ": " + r.err);
  }
  const double catalog_s = Since(catalog_start);
  run_.log("catalog (courses, groups, users, enrollments) imported in {:.1f} s", catalog_s);
  std::int64_t responses = 0, attempts = 0;
  const Clock::time_point start = Clock::now();
  for (const AccountFiles& f : files_) {
    // `cohort import` as a user would run it, ten files at a time so that a progress line
    // comes at least every ~20 M responses.
    const Clock::time_point one = Clock::now();
    for (std::size_t first = 0; first < f.attempt_csvs.size(); first += 10) {
      std::vector<std::string> args = {"import", "--account", f.account};
      const std::size_t last = std::min(first + 10, f.attempt_csvs.size());
      args.insert(args.end(), f.attempt_csvs.begin() + static_cast<std::ptrdiff_t>(first),
                  f.attempt_csvs.begin() + static_cast<std::ptrdiff_t>(last));
      ProcessResult r = run_.Cohort(args);
      if (r.exit_code != 0) return run_.Fail("cohort import " + f.account + ": " + r.err);
      if (f.attempt_csvs.size() > 10) {
        run_.log("importing {}: {} of {} files", f.account, last, f.attempt_csvs.size());
      }
    }
    responses += f.responses;
    attempts += f.attempts;
    run_.log("imported {}: {} files, {} responses in {:.1f} s ({:.0f} responses/s so far)", f.account,
         f.attempt_csvs.size(), f.responses, Since(one),
         static_cast<double>(responses) / Since(start));
    // The cluster phase imports the same files into PostgreSQL, and removes them then.
    if (!run_.options.keep && run_.options.cluster_nodes == 0) {
      std::error_code ec;
      for (const std::string& csv : f.attempt_csvs) fs::remove(csv, ec);
    }
  }
  const double wall = Since(start);
  std::error_code ec;
  run_.figures["import"] = {{"attempts", attempts},
                        {"responses", responses},
                        {"wall_s", wall},
                        {"responses_per_s", static_cast<double>(responses) / wall},
                        {"catalog_s", catalog_s},
                        {"db_bytes", static_cast<double>(fs::file_size(run_.db, ec))}};
  run_.log("import: {} responses in {:.1f} s = {:.0f} responses/s", responses, wall,
       static_cast<double>(responses) / wall);
  return true;
}

bool CohortDriver::Serve() {
  const Clock::time_point start = Clock::now();
  server_ = std::make_unique<subprocess::Child>(
      std::vector<std::string>{run_.options.cohort_binary, "--db", run_.db.string(), "serve", "--listen",
                               "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"},
      (run_.dir / "server.log").string());
  server_->ReadUntil("stops it)", std::chrono::hours(1));
  const std::string printed = server_->printed();
  std::smatch m;
  static const std::regex address(R"(http://127\.0\.0\.1:(\d+)  \(metrics on http://127\.0\.0\.1:(\d+))");
  if (!std::regex_search(printed, m, address)) return run_.Fail("cohort serve did not start: " + printed);
  port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
  metrics_port_ = static_cast<std::uint16_t>(std::stoi(m[2].str()));
  api_headers_ = {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}};
  http_ = std::make_unique<HttpClient>("127.0.0.1", port_, kHttpTimeout);
  for (;;) {
    if (http_->Get("/healthz", api_headers_).status == 200) break;
    if (Since(start) > 3600) return run_.Fail("/healthz never answered");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double rebuild_s = Since(start);
  const double rss = ResidentBytes(server_->pid());
  HttpClient metrics("127.0.0.1", metrics_port_, kHttpTimeout);
  const HttpResponse answer = metrics.Get("/metrics");
  auto gauge = [&](const std::string& name) {
    const std::regex re("\n" + name + R"( ([0-9.e+]+))");
    std::smatch g;
    return std::regex_search(answer.body, g, re) ? std::stod(g[1].str()) : -1.0;
  };
  const double cells = gauge("cohort_engine_touched_cells");
  const double engine_bytes = gauge("cohort_engine_bytes");
  const double responses = run_.figures["world"]["responses"].get<double>();
  const double anon = StatusBytes(server_->pid(), "RssAnon");
  const double file = StatusBytes(server_->pid(), "RssFile");
  run_.figures["start"] = {{"rebuild_s", rebuild_s},
                       {"rss_bytes", rss},
                       {"rss_anon_bytes", anon},
                       {"rss_file_bytes", file},
                       {"peak_rss_bytes", StatusBytes(server_->pid(), "VmHWM")},
                       {"engine_bytes", engine_bytes},
                       {"touched_cells", cells},
                       {"rss_bytes_per_response", rss / responses},
                       {"rss_bytes_per_cell", cells > 0 ? rss / cells : 0.0},
                       {"engine_bytes_per_cell", cells > 0 ? engine_bytes / cells : 0.0}};
  run_.log("serve: answered /healthz after {:.2f} s; resident {:.0f} MiB (anonymous {:.0f}, file {:.0f}; "
       "{:.1f} B per response, {:.1f} B per touched cell; engine {:.0f} MiB)",
       rebuild_s, rss / 1048576.0, anon / 1048576.0, file / 1048576.0, rss / responses, cells > 0 ? rss / cells : 0.0,
       engine_bytes / 1048576.0);
  if (cells < 0 || engine_bytes < 0) return run_.Fail("/metrics lacks the engine gauges");
  return true;
}

std::string CohortDriver::IngestBody(std::int64_t batch, const std::string& prefix) const {
  std::vector<std::string> exercise_keys;
  for (int ch = 0; ch < scale_.chapters; ++ch) {
    for (int e = 0; e < world_.ExercisesIn(0, ch); ++e) exercise_keys.push_back(world_.ExerciseKey(0, ch, e));
  }
  std::string body = "[";
  for (int j = 0; j < 1000; ++j) {
    const std::int64_t seq = batch * 1000 + j;
    const int user = enrolled_[static_cast<std::size_t>(seq) % enrolled_.size()];
    const std::int64_t started = world_.window_end_ms + seq * 1000;
    body += fmt::format(
        "{}{{\"id\":\"{}{}\",\"user\":\"{}\",\"course\":\"{}\",\"exercise\":\"{}\","
        "\"started_at\":\"{}\",\"finished_at\":\"{}\",\"responses\":[",
        j ? "," : "", prefix, seq, world_.UserKey(user), world_.CourseKey(0),
        exercise_keys[static_cast<std::size_t>(seq) % exercise_keys.size()],
        FormatTimeMs(started), FormatTimeMs(started + 50'000));
    for (int i = 0; i < 5; ++i) {
      body += fmt::format("{}{{\"question\":\"q{}\",\"correct\":{},\"hints\":{},\"time_ms\":9000}}",
                          i ? "," : "", i + 1, (seq + i) % 3 != 0 ? "true" : "false", (seq + i) % 7 == 0 ? 1 : 0);
    }
    body += "]}";
  }
  body += "]";
  return body;
}

bool CohortDriver::Ingest() {
  const int clients = 4;
  const int batches = scale_.name == "XS" ? 4 : scale_.name == "S" ? 20 : 100;
  // Built before the clock starts: the bench measures the server, not JSON writing.
  std::vector<std::string> bodies;
  for (int b = 0; b < batches; ++b) bodies.push_back(IngestBody(b, "h"));
  std::atomic<std::size_t> next{0};
  const Clock::time_point start = Clock::now();
  IngestClients ingest(clients, port_, api_headers_, [&]() -> std::optional<std::string> {
    const std::size_t b = next++;
    if (b >= bodies.size()) return std::nullopt;
    return std::move(bodies[b]);
  });
  ingest.Join();
  const double wall = Since(start);
  if (ingest.failed() > 0) {
    return run_.Fail(fmt::format("{} ingest batches refused: {}", ingest.failed(), ingest.first_error()));
  }
  const Percentiles p = Summarise(ingest.batch_ms());
  const double responses = static_cast<double>(batches) * 5000.0;
  run_.figures["http_ingest"] = {{"clients", clients},
                             {"batches", batches},
                             {"attempts_per_batch", 1000},
                             {"responses", responses},
                             {"wall_s", wall},
                             {"responses_per_s", responses / wall},
                             {"batch_p50_ms", p.p50},
                             {"batch_p99_ms", p.p99}};
  run_.log("HTTP ingest: {} batches of 1,000 attempts × 5 responses from {} clients in {:.2f} s = "
       "{:.0f} responses/s (batch p50 {:.1f} ms, p99 {:.1f} ms)",
       batches, clients, wall, responses / wall, p.p50, p.p99);
  return true;
}

Percentiles CohortDriver::Measure(HttpClient& client, const http_client::HeaderList& headers,
                                  const std::string& target, int requests, bool first_byte,
                                  Percentiles* ttfb) {
  std::vector<double> total, first;
  // Warm: the first answers fill caches and the connection; they are not counted.
  for (int i = 0; i < std::min(requests, 5); ++i) client.Get(target, headers);
  for (int i = 0; i < requests; ++i) {
    const HttpResponse a = client.Get(target, headers);
    if (a.status != 200) {
      run_.Fail(fmt::format("GET {} answered {} {}", target, a.status, a.error + a.body.substr(0, 200)));
      break;
    }
    total.push_back(a.total_ms);
    first.push_back(a.first_byte_ms);
  }
  if (first_byte && ttfb) *ttfb = Summarise(first);
  return Summarise(total);
}

bool CohortDriver::Settle(const std::string& after) {
  // Warm, not busy: after an import or an ingest the server still copies the WAL into the file
  // (its checkpointer thread) and gives memory back. Views are timed once it has been idle (under
  // 2 % of a core and 1 MiB of I/O) for a whole second, or after 120 s whatever it does.
  const Clock::time_point start = Clock::now();
  Activity before = ActivityOf(server_->pid());
  int quiet = 0;
  while (quiet < 4 && Since(start) < 120) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    const Activity now = ActivityOf(server_->pid());
    const bool idle = now.cpu_s - before.cpu_s < 0.005 && now.io_bytes - before.io_bytes < 262144;
    quiet = idle ? quiet + 1 : 0;
    before = now;
  }
  const double s = Since(start);
  run_.log("settle: the server was idle {:.1f} s after {}{}", s, after, quiet < 4 ? " (never: timed anyway)" : "");
  run_.figures["settle_s"][after] = s;
  return true;
}

bool CohortDriver::Latency() {
  json league;
  run_.figures["latency"] = MeasureViews(*http_, api_headers_, 200, league);
  run_.figures["latency_league_sorts"] = league;
  return run_.failures.empty();
}

json CohortDriver::MeasureViews(HttpClient& client, const http_client::HeaderList& headers,
                                const int n, json& league, bool whole_report) {
  const std::string c = world_.CourseKey(0);
  json views = json::object();
  auto record = [&](const std::string& name, const Percentiles& p) {
    views[name] = PercentilesJson(p);
    run_.log("latency {:<34} p50 {:8.3f} ms  p99 {:8.3f} ms  ({} requests)", name, p.p50, p.p99, p.n);
  };
  record("all courses", Measure(client, headers, "/api/v1/courses", n));
  record("course + chapters", Measure(client, headers, "/api/v1/courses/" + c, n));
  const char* columns[] = {"rank",  "user",   "name",  "mastery",     "progress",
                           "completed", "completed_at", "certified", "certified_at", "score",
                           "points", "time", "last_active", "at_risk"};
  league = json::object();
  Percentiles worst;
  std::string worst_sort;
  for (const char* column : columns) {
    for (const char* order : {"asc", "desc"}) {
      const std::string sort = fmt::format("{} {}", column, order);
      const Percentiles p =
          Measure(client, headers, fmt::format("/api/v1/courses/{}/users?sort={}&order={}&limit=50", c, column, order), n);
      league[sort] = PercentilesJson(p);
      if (p.p99 >= worst.p99) {
        worst = p;
        worst_sort = sort;
      }
    }
  }
  views["user league (worst sort)"] = PercentilesJson(worst);
  views["user league (worst sort)"]["sort"] = worst_sort;
  run_.log("latency {:<34} p50 {:8.3f} ms  p99 {:8.3f} ms  (28 sorts × {} requests; worst: {})",
       "user league, first page", worst.p50, worst.p99, n, worst_sort);
  record("group league", Measure(client, headers, "/api/v1/courses/" + c + "/groups", n));
  // Issue 20's views: the heat map, a group's page, the dashboard, the filtered report.
  record("group heat map", Measure(client, headers, "/api/v1/courses/" + c + "/groups?chapters=true", n));
  record("group page", Measure(client, headers, "/api/v1/courses/" + c + "/groups/g001", n));
  record("dashboard, 12 weeks", Measure(client, headers, "/api/v1/activity", n));
  record("dashboard, 52 weeks", Measure(client, headers, "/api/v1/activity?weeks=52", n));
  record("report, a group at risk", Measure(client, headers, "/api/v1/report?group=g001&at_risk=true&limit=50", n));
  // User in course and history: a different user each request (the first 200 active learners of
  // the busiest course), so no answer is the previous one again.
  {
    std::vector<double> user_ms, history_ms, person_ms;
    for (int i = 0; i < 5; ++i) client.Get(fmt::format("/api/v1/courses/{}/users/{}", c, world_.UserKey(active_enrolled_[0])), headers);
    for (int i = 0; i < n; ++i) {
      const int u = active_enrolled_[static_cast<std::size_t>(i) % active_enrolled_.size()];
      const HttpResponse a = client.Get(fmt::format("/api/v1/courses/{}/users/{}", c, world_.UserKey(u)), headers);
      const HttpResponse h = client.Get(fmt::format("/api/v1/courses/{}/users/{}/exercises/{}/attempts", c,
                                                    world_.UserKey(u), world_.ExerciseKey(0, 0, 0)), headers);
      if (a.status != 200 || h.status != 200) {
        run_.Fail(fmt::format("user/history answered {} / {}", a.status, h.status));
        return views;
      }
      const HttpResponse p = client.Get("/api/v1/users/" + world_.UserKey(u), headers);
      if (p.status != 200) {
        run_.Fail(fmt::format("person answered {}", p.status));
        return views;
      }
      user_ms.push_back(a.total_ms);
      history_ms.push_back(h.total_ms);
      person_ms.push_back(p.total_ms);
    }
    record("user in course", Summarise(user_ms));
    record("exercise history", Summarise(history_ms));
    record("person page", Summarise(person_ms));
  }
  if (whole_report) {
    // As many requests as every other view (at M each is half a second: ~2 minutes).
    Percentiles ttfb;
    const Percentiles total = Measure(client, headers, "/api/v1/report?format=csv", n, true, &ttfb);
    views["account report (csv)"] = {{"first_byte_p50_ms", ttfb.p50},
                                     {"first_byte_p99_ms", ttfb.p99},
                                     {"first_byte_max_ms", ttfb.max},
                                     {"total_p50_ms", total.p50},
                                     {"total_p99_ms", total.p99},
                                     {"total_max_ms", total.max},
                                     {"requests", total.n}};
    run_.log("latency {:<34} first byte p50 {:.1f} ms, p99 {:.1f} ms; total p50 {:.1f} ms, p99 {:.1f} ms "
         "({} requests)",
         "account report (CSV, every row)", ttfb.p50, ttfb.p99, total.p50, total.p99, total.n);
  }
  return views;
}

bool CohortDriver::LatencyUnderIngest() {
  // The ingest: 4 clients posting batches of the Ingest() step's shape back to back, each batch
  // timed after the freshness step's attempts (batch 4,000 starts 46 days after the window, the
  // freshness attempts 40 days after it), so that every attempt arrives in order, as from an LMS.
  const int clients = 4;
  std::atomic<std::int64_t> next_batch{4000};
  const Clock::time_point start = Clock::now();
  IngestClients ingest(clients, port_, api_headers_,
                       [&]() -> std::optional<std::string> { return IngestBody(next_batch++, "busy"); });
  // The ingest at full speed before the first view is timed.
  while (ingest.done() < clients && ingest.failed() == 0 && Since(start) < 60) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::int64_t batches_before = ingest.done();
  const double views_start = Since(start);
  json league;
  json views;
  if (ingest.failed() == 0) {
    HttpClient reader("127.0.0.1", port_, kHttpTimeout);
    // 200 requests a view, as idle; 20 at XS (the smoke test, also run under the sanitizers,
    // where every batch ingested meanwhile is data the SQL side then loads).
    const int requests = scale_.name == "XS" ? 20 : 200;
    run_.log("latency while 4 clients ingest ({} requests a view):", requests);
    views = MeasureViews(reader, api_headers_, requests, league, false);
  }
  const double views_s = Since(start) - views_start;
  const std::int64_t batches_during = ingest.done() - batches_before;
  ingest.Stop();
  if (ingest.failed() > 0) {
    return run_.Fail(
        fmt::format("{} ingest batches refused while timing the views: {}", ingest.failed(), ingest.first_error()));
  }
  const double responses_per_s = static_cast<double>(batches_during) * 5000.0 / views_s;
  const Percentiles p = Summarise(ingest.batch_ms());
  run_.figures["latency_under_ingest"] = views;
  run_.figures["latency_under_ingest_league_sorts"] = league;
  run_.figures["ingest_during_views"] = {{"clients", clients},
                                         {"batches", batches_during},
                                         {"views_s", views_s},
                                         {"responses_per_s", responses_per_s},
                                         {"batch_p50_ms", p.p50},
                                         {"batch_p99_ms", p.p99}};
  run_.log("ingest while the views were timed: {} batches of 1,000 × 5 in {:.1f} s = {:.0f} responses/s "
           "(batch p50 {:.1f} ms, p99 {:.1f} ms)",
           batches_during, views_s, responses_per_s, p.p50, p.p99);
  return run_.failures.empty();
}

bool CohortDriver::Freshness() {
  // The user: an active learner of the busiest course, in the middle of the list.
  freshness_user_ = active_enrolled_[active_enrolled_.size() / 2];
  const std::string key = world_.UserKey(freshness_user_);
  const std::string c = world_.CourseKey(0);
  const std::string target = fmt::format("/api/v1/courses/{}/users?q={}&limit=10", c,
                                         UrlEncode(world_.UserName(0, freshness_user_)));
  auto points_now = [&]() -> std::optional<std::int64_t> {
    std::optional<json> j = GetJson(target);
    if (!j) return std::nullopt;
    for (const json& row : (*j)["rows"]) {
      if (row["user"] == key) return row["points"].get<std::int64_t>();
    }
    return std::nullopt;
  };
  std::optional<std::int64_t> points = points_now();
  if (!points) return run_.Fail("the freshness user is not in the league");
  std::vector<double> delays;
  const int tries = 50;
  for (int i = 0; i < tries; ++i) {
    const std::int64_t started = world_.window_end_ms + 40LL * 86'400'000 + i * 60'000LL;
    const std::string body = fmt::format(
        "[{{\"id\":\"f{}\",\"user\":\"{}\",\"course\":\"{}\",\"exercise\":\"{}\","
        "\"started_at\":\"{}\",\"finished_at\":\"{}\",\"responses\":[{{\"question\":\"q1\","
        "\"correct\":true,\"hints\":0,\"time_ms\":5000}}]}}]",
        i, key, c, world_.ExerciseKey(0, 0, 0), FormatTimeMs(started), FormatTimeMs(started + 5000));
    const HttpResponse ack = http_->Send("POST", "/api/v1/attempts", body, api_headers_);
    const Clock::time_point acked = Clock::now();
    if (ack.status != 200) return run_.Fail(fmt::format("freshness post answered {}: {}", ack.status, ack.body));
    const std::int64_t expected = *points + 10;
    for (;;) {
      const std::optional<std::int64_t> seen = points_now();
      if (seen && *seen == expected) break;
      if (Since(acked) > 10) return run_.Fail("an acknowledged attempt was not visible in the league after 10 s");
    }
    delays.push_back(Since(acked) * 1000.0);
    points = expected;
  }
  const Percentiles p = Summarise(delays);
  run_.figures["freshness"] = PercentilesJson(p);
  run_.log("freshness (ack → visible in the league row): p50 {:.2f} ms, p99 {:.2f} ms over {} tries",
       p.p50, p.p99, p.n);
  return true;
}

std::optional<json> CohortDriver::GetJson(const std::string& target) {
  const HttpResponse a = http_->Get(target, api_headers_);
  if (a.status != 200) {
    run_.Fail(fmt::format("GET {} answered {} {}", target, a.status, a.error));
    return std::nullopt;
  }
  try {
    return json::parse(a.body);
  } catch (const std::exception& e) {
    run_.Fail(fmt::format("GET {}: not JSON: {}", target, e.what()));
    return std::nullopt;
  }
}

Rows CohortDriver::RowsFor(const SqlReport& report) {
  json rows = json::array();
  if (std::optional<json> answer = GetJson(report.cohort_target)) {
    if (report.cohort_rows.empty()) {
      rows.push_back(*answer);
    } else {
      rows = (*answer)[report.cohort_rows];
    }
  }
  Rows out;
  for (const json& row : rows) {
    std::vector<std::string> fields;
    for (const std::string& column : report.columns) {
      const json& v = row.contains(column) ? row[column] : json();
      if (v.is_null()) {
        fields.emplace_back();
      } else if (v.is_boolean()) {
        fields.push_back(v.get<bool>() ? "1" : "0");
      } else if (v.is_string()) {
        fields.push_back(v.get<std::string>());
      } else if (v.is_number_integer()) {
        fields.push_back(std::to_string(v.get<std::int64_t>()));
      } else {
        fields.push_back(fmt::format("{}", v.get<double>()));
      }
    }
    out.push_back(std::move(fields));
  }
  return out;
}

}  // namespace cohort::bench

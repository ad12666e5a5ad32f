#include "bench/bench.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench/process.h"
#include "bench/sql_reports.h"
#include "bench/world.h"
#include "http_client/http_client.h"

namespace cohort::bench {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;
using http_client::HttpClient;
using http_client::HttpResponse;

constexpr const char* kPgBin = "/usr/lib/postgresql/15/bin";
// Each SQL report runs up to 3 times (median), but stops repeating once its runs took this long:
// at M one run of the all-courses report is minutes, and a median of one is still a measurement.
constexpr double kSqlBudgetMs = 30'000;
// How long the bench waits for an answer: the account report at M takes seconds, not minutes.
constexpr std::chrono::minutes kHttpTimeout{10};

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Progress lines (SPEC §8): one per step and every few seconds inside long ones, on stderr.
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

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
  std::size_t n = 0;
};

Percentiles Summarise(std::vector<double> v) {
  Percentiles p;
  p.n = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  p.p50 = v[(v.size() - 1) / 2];
  const std::size_t i99 = static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(v.size()))) - 1;
  p.p99 = v[std::min(i99, v.size() - 1)];
  p.max = v.back();
  return p;
}

json PercentilesJson(const Percentiles& p) {
  return {{"p50_ms", p.p50}, {"p99_ms", p.p99}, {"max_ms", p.max}, {"requests", p.n}};
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

std::string UrlEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

double LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double one = 0;
  in >> one;
  return one;
}

// The runner: one object per `cohort bench` run, holding the paths and what was measured.
class Runner {
 public:
  explicit Runner(const BenchOptions& options) : options_(options) {}
  int Run();

 private:
  bool Prepare();
  bool Generate();
  bool Import();
  bool Serve();
  bool Ingest();
  bool Latency();
  bool Freshness();
  bool Sql();
  bool SkipSql();
  void Report();
  void Cleanup();

  // Runs a `cohort` subcommand against the bench database; its stderr goes to cli.log.
  ProcessResult Cohort(std::vector<std::string> args);
  ProcessResult Logged(const std::vector<std::string>& argv, const std::string& stdin_file = "");
  // argv prefixed so that it runs as the `postgres` user when we are root (initdb refuses root).
  std::vector<std::string> AsPostgres(std::vector<std::string> argv) const;
  // Waits until the server has been idle a moment (see bench.cc), logging how long that took.
  bool Settle(const std::string& after);
  Percentiles Measure(const std::string& target, int requests, bool first_byte = false,
                      Percentiles* ttfb = nullptr);
  std::optional<json> GetJson(const std::string& target);
  bool Fail(const std::string& what) {
    log_("FAILED: {}", what);
    failures_.push_back(what);
    return false;
  }
  // SQL side: runs the reports in one engine; fills figures and compares with Cohort's answers.
  struct SqlRun {
    std::map<std::string, double> median_ms;
    std::map<std::string, int> runs;
    std::map<std::string, std::vector<std::vector<std::string>>> rows;
    bool ok = false;
  };
  SqlRun RunSqlite(const std::string& copy, const ReportTarget& target, int repetitions);
  SqlRun RunPostgres(const std::string& copy, const ReportTarget& target, int repetitions);
  std::vector<std::vector<std::string>> CohortRows(const SqlReport& report);
  int Compare(const std::string& engine, const SqlReport& report,
              const std::vector<std::vector<std::string>>& sql_rows,
              const std::vector<std::vector<std::string>>& cohort_rows);

  BenchOptions options_;
  Log log_;
  Scale scale_;
  World world_;
  fs::path root_, run_, db_;
  bool created_root_ = false;
  std::vector<AccountFiles> files_;
  std::string token_;
  std::unique_ptr<subprocess::Child> server_;
  std::uint16_t port_ = 0, metrics_port_ = 0;
  std::unique_ptr<HttpClient> http_;
  http_client::HeaderList api_headers_;  // the token, on every request to the API
  std::vector<int> enrolled_;         // users of the busiest course (index 0) in the main account
  std::vector<int> active_enrolled_;  // the active ones among them
  int freshness_user_ = -1;
  int pg_port_ = 0;
  bool pg_started_ = false;
  fs::path pg_dir_;

  json figures_ = json::object();
  std::vector<std::string> failures_;
  int mismatches_ = 0;
};

std::vector<std::string> Runner::AsPostgres(std::vector<std::string> argv) const {
  if (geteuid() != 0) return argv;
  argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  return argv;
}

ProcessResult Runner::Logged(const std::vector<std::string>& argv, const std::string& stdin_file) {
  subprocess::RunOptions options;
  options.stdin_file = stdin_file;
  ProcessResult r = subprocess::Run(argv, options);
  std::ofstream out(run_ / "cli.log", std::ios::app);
  out << r.err;
  return r;
}

ProcessResult Runner::Cohort(std::vector<std::string> args) {
  args.insert(args.begin(), {options_.cohort_binary, "--db", db_.string()});
  return Logged(args);
}

bool Runner::Prepare() {
  Result<Scale> scale = ScaleNamed(options_.scale);
  if (!scale.ok()) return Fail(scale.status().message());
  if (scale->name == "L") {
    return Fail("scale L is estimated on paper from S and M (docs/performance.md), not run");
  }
  scale_ = scale.value();
  world_ = MakeWorld(scale_, options_.seed);
  if (options_.work_dir.empty()) {
    std::string pattern = (fs::temp_directory_path() / "cohort-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return Fail("cannot create a temporary directory");
    root_ = pattern;
    created_root_ = true;
  } else {
    root_ = fs::absolute(options_.work_dir);
  }
  run_ = root_ / fmt::format("bench-{}", scale_.name);
  std::error_code ec;
  fs::remove_all(run_, ec);
  fs::create_directories(run_, ec);
  if (ec) return Fail(fmt::format("cannot create {}: {}", run_.string(), ec.message()));
  // PostgreSQL runs as its own user: it must be able to walk down to its data directory.
  fs::permissions(root_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                             fs::perms::others_read | fs::perms::others_exec, ec);
  fs::permissions(run_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec, ec);
  db_ = run_ / "cohort.db";
  const fs::space_info space = fs::space(run_, ec);
  log_("scale {}: {} users in the main account + {} accounts of {}, {} courses, {} attempts; "
       "work dir {} ({:.0f} GB free); load average {:.2f}",
       scale_.name, scale_.users, scale_.small_accounts, scale_.small_users, scale_.courses,
       scale_.attempts, run_.string(), static_cast<double>(space.available) / 1e9, LoadAverage());
  // ~300 bytes per response at M all told: CSV 90 (deleted after import unless --keep),
  // Cohort's file 49, its backup copy with indexes ~60, PostgreSQL with indexes ~100.
  const double needed = static_cast<double>(scale_.attempts) * 5 * 300;
  if (static_cast<double>(space.available) < needed) {
    return Fail(fmt::format("{} needs about {:.0f} GB free in {}; {:.0f} GB are", scale_.name,
                            needed / 1e9, run_.string(), static_cast<double>(space.available) / 1e9));
  }
  figures_["scale"] = scale_.name;
  figures_["seed"] = options_.seed;
  figures_["machine"] = {{"cores", std::thread::hardware_concurrency()},
                         {"load_average_at_start", LoadAverage()}};
  return true;
}

bool Runner::Generate() {
  const Clock::time_point start = Clock::now();
  Clock::time_point last = start;
  Result<std::vector<AccountFiles>> files = GenerateFiles(
      world_, (run_ / "data").string(), [&](std::int64_t done, std::int64_t total) {
        if (Since(last) >= 5 || done == total) {
          last = Clock::now();
          log_("generating: {} of {} attempts ({:.0f} %)", done, total,
               total ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0);
        }
      });
  if (!files.ok()) return Fail(files.status().message());
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
  figures_["world"] = {{"accounts", files_.size()},
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
  log_("generated {} attempts, {} responses, {:.2f} GB of CSV in {:.1f} s; busiest course: {} "
       "enrolled",
       attempts, responses, static_cast<double>(bytes) / 1e9, Since(start), enrolled_.size());
  return true;
}

bool Runner::Import() {
  for (const AccountFiles& f : files_) {
    ProcessResult r = Cohort({"account", "create", f.account, "--name", "Bench " + f.account});
    if (r.exit_code != 0) return Fail("cohort account create: " + r.err);
  }
  ProcessResult token = Cohort({"token", "create", "--account", "main", "--scope", "read,ingest"});
  if (token.exit_code != 0) return Fail("cohort token create: " + token.err);
  token_ = Trim(token.out);
  const Clock::time_point catalog_start = Clock::now();
  for (const AccountFiles& f : files_) {
    ProcessResult r = Cohort({"import", "--account", f.account, f.catalog});
    if (r.exit_code != 0) return Fail("cohort import " + f.catalog + ": " + r.err);
  }
  const double catalog_s = Since(catalog_start);
  log_("catalog (courses, groups, users, enrollments) imported in {:.1f} s", catalog_s);
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
      ProcessResult r = Cohort(args);
      if (r.exit_code != 0) return Fail("cohort import " + f.account + ": " + r.err);
      if (f.attempt_csvs.size() > 10) {
        log_("importing {}: {} of {} files", f.account, last, f.attempt_csvs.size());
      }
    }
    responses += f.responses;
    attempts += f.attempts;
    log_("imported {}: {} files, {} responses in {:.1f} s ({:.0f} responses/s so far)", f.account,
         f.attempt_csvs.size(), f.responses, Since(one),
         static_cast<double>(responses) / Since(start));
    if (!options_.keep) {
      std::error_code ec;
      for (const std::string& csv : f.attempt_csvs) fs::remove(csv, ec);
    }
  }
  const double wall = Since(start);
  std::error_code ec;
  figures_["import"] = {{"attempts", attempts},
                        {"responses", responses},
                        {"wall_s", wall},
                        {"responses_per_s", static_cast<double>(responses) / wall},
                        {"catalog_s", catalog_s},
                        {"db_bytes", static_cast<double>(fs::file_size(db_, ec))}};
  log_("import: {} responses in {:.1f} s = {:.0f} responses/s", responses, wall,
       static_cast<double>(responses) / wall);
  return true;
}

bool Runner::Serve() {
  const Clock::time_point start = Clock::now();
  server_ = std::make_unique<subprocess::Child>(
      std::vector<std::string>{options_.cohort_binary, "--db", db_.string(), "serve", "--listen",
                               "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"},
      (run_ / "server.log").string());
  server_->ReadUntil("stops it)", std::chrono::hours(1));
  const std::string printed = server_->printed();
  std::smatch m;
  static const std::regex address(R"(http://127\.0\.0\.1:(\d+)  \(metrics on http://127\.0\.0\.1:(\d+))");
  if (!std::regex_search(printed, m, address)) return Fail("cohort serve did not start: " + printed);
  port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
  metrics_port_ = static_cast<std::uint16_t>(std::stoi(m[2].str()));
  api_headers_ = {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}};
  http_ = std::make_unique<HttpClient>("127.0.0.1", port_, kHttpTimeout);
  for (;;) {
    if (http_->Get("/healthz", api_headers_).status == 200) break;
    if (Since(start) > 3600) return Fail("/healthz never answered");
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
  const double responses = figures_["world"]["responses"].get<double>();
  const double anon = StatusBytes(server_->pid(), "RssAnon");
  const double file = StatusBytes(server_->pid(), "RssFile");
  figures_["start"] = {{"rebuild_s", rebuild_s},
                       {"rss_bytes", rss},
                       {"rss_anon_bytes", anon},
                       {"rss_file_bytes", file},
                       {"peak_rss_bytes", StatusBytes(server_->pid(), "VmHWM")},
                       {"engine_bytes", engine_bytes},
                       {"touched_cells", cells},
                       {"rss_bytes_per_response", rss / responses},
                       {"rss_bytes_per_cell", cells > 0 ? rss / cells : 0.0},
                       {"engine_bytes_per_cell", cells > 0 ? engine_bytes / cells : 0.0}};
  log_("serve: answered /healthz after {:.2f} s; resident {:.0f} MiB (anonymous {:.0f}, file {:.0f}; "
       "{:.1f} B per response, {:.1f} B per touched cell; engine {:.0f} MiB)",
       rebuild_s, rss / 1048576.0, anon / 1048576.0, file / 1048576.0, rss / responses, cells > 0 ? rss / cells : 0.0,
       engine_bytes / 1048576.0);
  if (cells < 0 || engine_bytes < 0) return Fail("/metrics lacks the engine gauges");
  return true;
}

bool Runner::Ingest() {
  const int clients = 4;
  const int batches = scale_.name == "XS" ? 4 : scale_.name == "S" ? 20 : 100;
  std::vector<std::string> exercise_keys;
  for (int ch = 0; ch < scale_.chapters; ++ch) {
    for (int e = 0; e < world_.ExercisesIn(0, ch); ++e) exercise_keys.push_back(world_.ExerciseKey(0, ch, e));
  }
  // Built before the clock starts: the bench measures the server, not JSON writing. Times lie
  // after every generated attempt, so each user's attempts arrive in order, as an LMS sends them.
  std::vector<std::string> bodies;
  for (int b = 0; b < batches; ++b) {
    std::string body = "[";
    for (int j = 0; j < 1000; ++j) {
      const std::int64_t seq = static_cast<std::int64_t>(b) * 1000 + j;
      const int user = enrolled_[static_cast<std::size_t>(seq) % enrolled_.size()];
      const std::int64_t started = world_.window_end_ms + seq * 1000;
      body += fmt::format(
          "{}{{\"id\":\"h{}\",\"user\":\"{}\",\"course\":\"{}\",\"exercise\":\"{}\","
          "\"started_at\":\"{}\",\"finished_at\":\"{}\",\"responses\":[",
          j ? "," : "", seq, world_.UserKey(user), world_.CourseKey(0),
          exercise_keys[static_cast<std::size_t>(seq) % exercise_keys.size()],
          FormatTimeMs(started), FormatTimeMs(started + 50'000));
      for (int i = 0; i < 5; ++i) {
        body += fmt::format("{}{{\"question\":\"q{}\",\"correct\":{},\"hints\":{},\"time_ms\":9000}}",
                            i ? "," : "", i + 1, (seq + i) % 3 != 0 ? "true" : "false", (seq + i) % 7 == 0 ? 1 : 0);
      }
      body += "]}";
    }
    body += "]";
    bodies.push_back(std::move(body));
  }
  std::vector<std::vector<double>> latencies(clients);
  std::atomic<int> failed{0};
  std::string first_error;
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client("127.0.0.1", port_, kHttpTimeout);
      for (int b = t; b < batches; b += clients) {
        const HttpResponse a = client.Send("POST", "/api/v1/attempts", bodies[static_cast<std::size_t>(b)],
                                            api_headers_);
        if (a.status != 200) {
          if (failed++ == 0) first_error = fmt::format("{} {}{}", a.status, a.error, a.body.substr(0, 300));
          continue;
        }
        latencies[static_cast<std::size_t>(t)].push_back(a.total_ms);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  const double wall = Since(start);
  if (failed > 0) return Fail(fmt::format("{} ingest batches refused: {}", failed.load(), first_error));
  std::vector<double> all;
  for (const auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
  const Percentiles p = Summarise(all);
  const double responses = static_cast<double>(batches) * 5000.0;
  figures_["http_ingest"] = {{"clients", clients},
                             {"batches", batches},
                             {"attempts_per_batch", 1000},
                             {"responses", responses},
                             {"wall_s", wall},
                             {"responses_per_s", responses / wall},
                             {"batch_p50_ms", p.p50},
                             {"batch_p99_ms", p.p99}};
  log_("HTTP ingest: {} batches of 1,000 attempts × 5 responses from {} clients in {:.2f} s = "
       "{:.0f} responses/s (batch p50 {:.1f} ms, p99 {:.1f} ms)",
       batches, clients, wall, responses / wall, p.p50, p.p99);
  return true;
}

Percentiles Runner::Measure(const std::string& target, int requests, bool first_byte,
                            Percentiles* ttfb) {
  std::vector<double> total, first;
  // Warm: the first answers fill caches and the connection; they are not counted.
  for (int i = 0; i < std::min(requests, 5); ++i) http_->Get(target, api_headers_);
  for (int i = 0; i < requests; ++i) {
    const HttpResponse a = http_->Get(target, api_headers_);
    if (a.status != 200) {
      Fail(fmt::format("GET {} answered {} {}", target, a.status, a.error + a.body.substr(0, 200)));
      break;
    }
    total.push_back(a.total_ms);
    first.push_back(a.first_byte_ms);
  }
  if (first_byte && ttfb) *ttfb = Summarise(first);
  return Summarise(total);
}

bool Runner::Settle(const std::string& after) {
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
  log_("settle: the server was idle {:.1f} s after {}{}", s, after, quiet < 4 ? " (never: timed anyway)" : "");
  figures_["settle_s"][after] = s;
  return true;
}

bool Runner::Latency() {
  const int n = 200;
  const std::string c = world_.CourseKey(0);
  json views = json::object();
  auto record = [&](const std::string& name, const Percentiles& p) {
    views[name] = PercentilesJson(p);
    log_("latency {:<34} p50 {:8.3f} ms  p99 {:8.3f} ms  ({} requests)", name, p.p50, p.p99, p.n);
  };
  record("all courses", Measure("/api/v1/courses", n));
  record("course + chapters", Measure("/api/v1/courses/" + c, n));
  const char* columns[] = {"rank",  "user",   "name",  "mastery",     "progress",
                           "completed", "completed_at", "certified", "certified_at", "score",
                           "points", "time", "last_active", "at_risk"};
  json league = json::object();
  Percentiles worst;
  std::string worst_sort;
  for (const char* column : columns) {
    for (const char* order : {"asc", "desc"}) {
      const std::string sort = fmt::format("{} {}", column, order);
      const Percentiles p =
          Measure(fmt::format("/api/v1/courses/{}/users?sort={}&order={}&limit=50", c, column, order), n);
      league[sort] = PercentilesJson(p);
      if (p.p99 >= worst.p99) {
        worst = p;
        worst_sort = sort;
      }
    }
  }
  views["user league (worst sort)"] = PercentilesJson(worst);
  views["user league (worst sort)"]["sort"] = worst_sort;
  log_("latency {:<34} p50 {:8.3f} ms  p99 {:8.3f} ms  (28 sorts × {} requests; worst: {})",
       "user league, first page", worst.p50, worst.p99, n, worst_sort);
  record("group league", Measure("/api/v1/courses/" + c + "/groups", n));
  // User in course and history: a different user each request (the first 200 active learners of
  // the busiest course), so no answer is the previous one again.
  {
    std::vector<double> user_ms, history_ms;
    for (int i = 0; i < 5; ++i) http_->Get(fmt::format("/api/v1/courses/{}/users/{}", c, world_.UserKey(active_enrolled_[0])), api_headers_);
    for (int i = 0; i < n; ++i) {
      const int u = active_enrolled_[static_cast<std::size_t>(i) % active_enrolled_.size()];
      const HttpResponse a = http_->Get(fmt::format("/api/v1/courses/{}/users/{}", c, world_.UserKey(u)), api_headers_);
      const HttpResponse h = http_->Get(fmt::format("/api/v1/courses/{}/users/{}/exercises/{}/attempts", c,
                                                    world_.UserKey(u), world_.ExerciseKey(0, 0, 0)), api_headers_);
      if (a.status != 200 || h.status != 200) {
        return Fail(fmt::format("user/history answered {} / {}", a.status, h.status));
      }
      user_ms.push_back(a.total_ms);
      history_ms.push_back(h.total_ms);
    }
    record("user in course", Summarise(user_ms));
    record("exercise history", Summarise(history_ms));
  }
  {
    // As many requests as every other view (at M each is half a second: ~2 minutes).
    Percentiles ttfb;
    const Percentiles total = Measure("/api/v1/report?format=csv", n, true, &ttfb);
    views["account report (csv)"] = {{"first_byte_p50_ms", ttfb.p50},
                                     {"first_byte_p99_ms", ttfb.p99},
                                     {"first_byte_max_ms", ttfb.max},
                                     {"total_p50_ms", total.p50},
                                     {"total_p99_ms", total.p99},
                                     {"total_max_ms", total.max},
                                     {"requests", total.n}};
    log_("latency {:<34} first byte p50 {:.1f} ms, p99 {:.1f} ms; total p50 {:.1f} ms, p99 {:.1f} ms "
         "({} requests)",
         "account report (CSV, every row)", ttfb.p50, ttfb.p99, total.p50, total.p99, total.n);
  }
  figures_["latency"] = views;
  figures_["latency_league_sorts"] = league;
  return failures_.empty();
}

bool Runner::Freshness() {
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
  if (!points) return Fail("the freshness user is not in the league");
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
    if (ack.status != 200) return Fail(fmt::format("freshness post answered {}: {}", ack.status, ack.body));
    const std::int64_t expected = *points + 10;
    for (;;) {
      const std::optional<std::int64_t> seen = points_now();
      if (seen && *seen == expected) break;
      if (Since(acked) > 10) return Fail("an acknowledged attempt was not visible in the league after 10 s");
    }
    delays.push_back(Since(acked) * 1000.0);
    points = expected;
  }
  const Percentiles p = Summarise(delays);
  figures_["freshness"] = PercentilesJson(p);
  log_("freshness (ack → visible in the league row): p50 {:.2f} ms, p99 {:.2f} ms over {} tries",
       p.p50, p.p99, p.n);
  return true;
}

std::optional<json> Runner::GetJson(const std::string& target) {
  const HttpResponse a = http_->Get(target, api_headers_);
  if (a.status != 200) {
    Fail(fmt::format("GET {} answered {} {}", target, a.status, a.error));
    return std::nullopt;
  }
  try {
    return json::parse(a.body);
  } catch (const std::exception& e) {
    Fail(fmt::format("GET {}: not JSON: {}", target, e.what()));
    return std::nullopt;
  }
}

std::vector<std::vector<std::string>> Runner::CohortRows(const SqlReport& report) {
  const std::string c = world_.CourseKey(0);
  std::optional<json> answer;
  json rows = json::array();
  if (report.view == "all courses") {
    answer = GetJson("/api/v1/courses?sort=course&order=asc&limit=1000");
    if (answer) rows = (*answer)["rows"];
  } else if (report.view == "league") {
    answer = GetJson(fmt::format("/api/v1/courses/{}/users?sort=mastery&order=desc&limit=50", c));
    if (answer) rows = (*answer)["rows"];
  } else if (report.view == "chapters") {
    answer = GetJson("/api/v1/courses/" + c);
    if (answer) rows = (*answer)["chapters"];
  } else if (report.view == "groups") {
    answer = GetJson(fmt::format("/api/v1/courses/{}/groups?sort=group&order=asc&limit=1000", c));
    if (answer) rows = (*answer)["rows"];
  } else if (report.view == "user") {
    answer = GetJson(fmt::format("/api/v1/courses/{}/users/{}", c, world_.UserKey(freshness_user_)));
    if (answer) rows.push_back(*answer);
  }
  std::vector<std::vector<std::string>> out;
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

int Runner::Compare(const std::string& engine, const SqlReport& report,
                    const std::vector<std::vector<std::string>>& sql_rows,
                    const std::vector<std::vector<std::string>>& cohort_rows) {
  int bad = 0;
  auto loud = [&](const std::string& what) {
    if (bad++ < 5) log_("MISMATCH {} {}: {}", engine, report.view, what);
  };
  if (sql_rows.size() != cohort_rows.size()) {
    loud(fmt::format("{} rows in SQL, {} in Cohort", sql_rows.size(), cohort_rows.size()));
  }
  const std::size_t n = std::min(sql_rows.size(), cohort_rows.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (sql_rows[i].size() != report.columns.size()) {
      loud(fmt::format("row {} has {} fields in SQL", i + 1, sql_rows[i].size()));
      continue;
    }
    for (std::size_t k = 0; k < report.columns.size(); ++k) {
      const std::string& s = sql_rows[i][k];
      const std::string& h = cohort_rows[i][k];
      bool same = s == h;
      if (!same && k > 0 && !s.empty() && !h.empty()) {
        char* end_s = nullptr;
        char* end_h = nullptr;
        const double a = std::strtod(s.c_str(), &end_s);
        const double b = std::strtod(h.c_str(), &end_h);
        same = *end_s == '\0' && *end_h == '\0' &&
               std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)});
      }
      if (!same) {
        loud(fmt::format("row {} ({}) {}: SQL '{}', Cohort '{}'", i + 1, cohort_rows[i][0],
                         report.columns[k], s, h));
      }
    }
  }
  return bad;
}

// Splits the CSV lines of a shell's output; the keys of these reports hold no commas or quotes.
std::vector<std::vector<std::string>> SplitRows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (;;) {
      const std::size_t comma = line.find(',', start);
      fields.push_back(line.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    rows.push_back(std::move(fields));
  }
  return rows;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[(v.size() - 1) / 2];
}

Runner::SqlRun Runner::RunSqlite(const std::string& copy, const ReportTarget& target,
                                 int repetitions) {
  SqlRun run;
  for (const SqlReport& report : MakeReports(Dialect::kSqlite, target)) {
    const fs::path script = run_ / "sql" / "sqlite-report.sql";
    {
      std::ofstream out(script);
      // A page cache of 2 GiB and memory-mapped reads: what a user tuning SQLite for reports sets.
      out << ".output /dev/null\nPRAGMA cache_size=-2097152;\nPRAGMA mmap_size=8589934592;\n"
             "PRAGMA temp_store=MEMORY;\n.output stdout\n.timer on\n"
          << report.sql << ";\n";
    }
    // Up to `repetitions` runs, fewer when they take long (at M one run is minutes).
    std::vector<double> times;
    std::string first_rows;
    double spent_ms = 0;
    while (static_cast<int>(times.size()) < repetitions && (times.empty() || spent_ms < kSqlBudgetMs)) {
      const ProcessResult r = Logged({"sqlite3", "-bail", "-csv", copy}, script.string());
      if (r.exit_code != 0) {
        Fail(fmt::format("sqlite3 {}: {}", report.view, r.err.substr(0, 500)));
        return run;
      }
      // The rows, then "Run Time: real S user S sys S".
      std::istringstream in(r.out);
      std::string line;
      while (std::getline(in, line)) {
        if (line.rfind("Run Time: real ", 0) == 0) {
          times.push_back(std::stod(line.substr(15)) * 1000.0);
          spent_ms += times.back();
        } else if (times.size() == 0) {
          first_rows += line + "\n";
        }
      }
    }
    run.median_ms[report.view] = Median(times);
    run.runs[report.view] = static_cast<int>(times.size());
    run.rows[report.view] = SplitRows(first_rows);
    log_("SQLite {:<12} median {:10.1f} ms over {} runs", report.view, Median(times), times.size());
  }
  run.ok = true;
  return run;
}

Runner::SqlRun Runner::RunPostgres(const std::string& copy, const ReportTarget& target,
                                   int repetitions) {
  SqlRun run;
  pg_dir_ = run_ / "pg";
  std::error_code ec;
  fs::create_directories(pg_dir_, ec);
  if (geteuid() == 0) {
    if (Logged({"chown", "postgres:postgres", pg_dir_.string()}).exit_code != 0) {
      Fail("cannot give the PostgreSQL directory to the postgres user");
      return run;
    }
  }
  const std::string data = (pg_dir_ / "data").string();
  ProcessResult init = Logged(AsPostgres({std::string(kPgBin) + "/initdb", "-D", data, "-A", "trust",
                                          "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"}));
  if (init.exit_code != 0) {
    Fail("initdb: " + init.err.substr(0, 500));
    return run;
  }
  // A free port: bind port 0, read it, release it (PostgreSQL takes it a moment later).
  pg_port_ = FreePort();
  if (pg_port_ == 0) {
    Fail("no free port for PostgreSQL");
    return run;
  }
  const bool big = scale_.name == "M";
  // Durability off for the SQL copy (it is a scratch copy); memory as a tuned server would have.
  const std::string settings = fmt::format(
      "-p {} -k {} -c listen_addresses=127.0.0.1 -c shared_buffers={} -c work_mem=256MB "
      "-c maintenance_work_mem=1GB -c fsync=off -c synchronous_commit=off "
      "-c full_page_writes=off -c max_wal_size=8GB -c effective_cache_size=16GB",
      pg_port_, pg_dir_.string(), big ? "4GB" : "256MB");
  ProcessResult start = Logged(AsPostgres({std::string(kPgBin) + "/pg_ctl", "-D", data, "-l",
                                           (pg_dir_ / "postgres.log").string(), "-w", "-t", "120",
                                           "-o", settings, "start"}));
  if (start.exit_code != 0) {
    Fail("pg_ctl start: " + start.err.substr(0, 500) + start.out.substr(0, 500));
    return run;
  }
  pg_started_ = true;
  const std::vector<std::string> psql = {"psql", "-X", "-q", "-A", "-t", "-F", ",", "-v",
                                         "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                                         std::to_string(pg_port_), "-U", "postgres", "-d",
                                         "postgres"};
  auto psql_script = [&](const std::string& text) {
    const fs::path script = run_ / "sql" / "pg.sql";
    std::ofstream(script) << text;
    std::vector<std::string> argv = psql;
    argv.push_back("-f");
    argv.push_back(script.string());
    return Logged(argv);
  };
  std::string schema;
  for (const std::string& s : PostgresSchema()) schema += s + ";\n";
  if (ProcessResult r = psql_script(schema); r.exit_code != 0) {
    Fail("PostgreSQL schema: " + r.err.substr(0, 500));
    return run;
  }
  const Clock::time_point load_start = Clock::now();
  for (const auto& [table, columns] : CopiedTables()) {
    // sqlite3 writes CSV straight into COPY FROM STDIN: no intermediate file.
    std::string command = fmt::format(
        "set -o pipefail; sqlite3 -csv '{}' 'SELECT {} FROM {}' | psql -X -q -v ON_ERROR_STOP=1 "
        "-h 127.0.0.1 -p {} -U postgres -d postgres -c 'COPY {} ({}) FROM STDIN WITH (FORMAT csv)'",
        copy, columns, table, pg_port_, table, columns);
    const Clock::time_point t = Clock::now();
    const ProcessResult r = Logged({"bash", "-c", command});
    if (r.exit_code != 0) {
      Fail(fmt::format("COPY {}: {}", table, r.err.substr(0, 500)));
      return run;
    }
    log_("PostgreSQL: COPY {} in {:.1f} s", table, Since(t));
  }
  const double load_s = Since(load_start);
  const Clock::time_point index_start = Clock::now();
  std::string indexes;
  for (const std::string& s : PostgresIndexes()) indexes += s + ";\n";
  if (ProcessResult r = psql_script(indexes); r.exit_code != 0) {
    Fail("PostgreSQL indexes: " + r.err.substr(0, 500));
    return run;
  }
  const double index_s = Since(index_start);
  figures_["sql"]["postgres"]["load_s"] = load_s;
  figures_["sql"]["postgres"]["index_and_analyze_s"] = index_s;
  log_("PostgreSQL: loaded with COPY in {:.1f} s, indexed and analysed in {:.1f} s", load_s, index_s);
  for (const SqlReport& report : MakeReports(Dialect::kPostgres, target)) {
    const std::string text = "\\timing on\n" + report.sql + ";\n";
    std::vector<double> times;
    std::string first_rows;
    double spent_ms = 0;
    while (static_cast<int>(times.size()) < repetitions && (times.empty() || spent_ms < kSqlBudgetMs)) {
      const ProcessResult r = psql_script(text);
      if (r.exit_code != 0) {
        Fail(fmt::format("psql {}: {}", report.view, r.err.substr(0, 500)));
        return run;
      }
      std::istringstream in(r.out);
      std::string line;
      while (std::getline(in, line)) {
        if (line.rfind("Time: ", 0) == 0) {
          times.push_back(std::stod(line.substr(6)));
          spent_ms += times.back();
        } else if (times.size() == 0) {
          first_rows += line + "\n";
        }
      }
    }
    run.median_ms[report.view] = Median(times);
    run.runs[report.view] = static_cast<int>(times.size());
    run.rows[report.view] = SplitRows(first_rows);
    log_("PostgreSQL {:<12} median {:10.1f} ms over {} runs", report.view, Median(times),
         times.size());
  }
  run.ok = true;
  return run;
}

bool Runner::SkipSql() {
  log_("SQL side skipped (--no-sql): no SQLite or PostgreSQL figures, no answers compared");
  figures_["sql"]["skipped"] = true;
  return true;
}

bool Runner::Sql() {
  std::error_code ec;
  fs::create_directories(run_ / "sql", ec);
  const std::string copy = (run_ / "sql" / "copy.db").string();
  // A consistent copy of Cohort's database taken while the server runs, as a user would.
  const Clock::time_point backup_start = Clock::now();
  if (ProcessResult r = Cohort({"backup", "-o", copy}); r.exit_code != 0) {
    return Fail("cohort backup: " + r.err);
  }
  log_("SQLite: copied Cohort's database with `cohort backup` in {:.1f} s", Since(backup_start));
  const Clock::time_point index_start = Clock::now();
  {
    const fs::path script = run_ / "sql" / "sqlite-indexes.sql";
    {
      std::ofstream out(script);
      for (const std::string& s : SqliteExtraIndexes()) out << s << ";\n";
    }
    if (ProcessResult r = Logged({"sqlite3", "-bail", copy}, script.string()); r.exit_code != 0) {
      return Fail("sqlite3 indexes: " + r.err);
    }
  }
  figures_["sql"]["sqlite"]["index_and_analyze_s"] = Since(index_start);
  log_("SQLite: indexes added and analysed in the copy in {:.1f} s", Since(index_start));
  auto query_id = [&](const std::string& sql) -> std::int64_t {
    const ProcessResult r = Logged({"sqlite3", "-bail", copy, sql});
    return r.exit_code == 0 ? std::atoll(r.out.c_str()) : 0;
  };
  ReportTarget target;
  target.account_id = query_id("SELECT id FROM accounts WHERE key = 'main'");
  target.course_id = query_id(fmt::format(
      "SELECT id FROM courses WHERE key = '{}' AND account_id = {}", world_.CourseKey(0), target.account_id));
  target.user_id = query_id(fmt::format("SELECT id FROM users WHERE key = '{}' AND account_id = {}",
                                        world_.UserKey(freshness_user_), target.account_id));
  target.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  if (target.account_id == 0 || target.course_id == 0 || target.user_id == 0) {
    return Fail("cannot find the main account, course or user in the copy");
  }
  const int repetitions = 3;
  const SqlRun sqlite = RunSqlite(copy, target, repetitions);
  if (!sqlite.ok) return false;
  const SqlRun postgres = RunPostgres(copy, target, repetitions);
  if (!postgres.ok) return false;

  // Cohort's answers for the same reports, fetched now (no write since the copy).
  const std::map<std::string, std::string> latency_view = {{"all courses", "all courses"},
                                                           {"league", "user league, mastery desc"},
                                                           {"chapters", "course + chapters"},
                                                           {"groups", "group league"},
                                                           {"user", "user in course"}};
  json views = json::object();
  for (const SqlReport& report : MakeReports(Dialect::kSqlite, target)) {
    const auto cohort_rows = CohortRows(report);
    const int bad_sqlite = Compare("SQLite", report, sqlite.rows.at(report.view), cohort_rows);
    const int bad_pg = Compare("PostgreSQL", report, postgres.rows.at(report.view), cohort_rows);
    mismatches_ += bad_sqlite + bad_pg;
    // The league SQL is the first page by mastery, descending: compare with that very sort.
    const json& lat = report.view == "league" ? figures_["latency_league_sorts"]["mastery desc"]
                                              : figures_["latency"][latency_view.at(report.view)];
    const double cohort_ms = lat["p50_ms"].get<double>();
    const double sqlite_ms = sqlite.median_ms.at(report.view);
    const double pg_ms = postgres.median_ms.at(report.view);
    const double fastest = std::min(sqlite_ms, pg_ms);
    views[report.view] = {{"rows_compared", cohort_rows.size()},
                          {"sqlite_runs", sqlite.runs.at(report.view)},
                          {"postgres_runs", postgres.runs.at(report.view)},
                          {"fields_compared", report.columns},
                          {"sqlite_ms", sqlite_ms},
                          {"postgres_ms", pg_ms},
                          {"cohort_p50_ms", cohort_ms},
                          {"cohort_view", latency_view.at(report.view)},
                          {"speedup_vs_fastest_sql", cohort_ms > 0 ? fastest / cohort_ms : 0.0},
                          {"sqlite_matches", bad_sqlite == 0},
                          {"postgres_matches", bad_pg == 0}};
    log_("SQL {:<12} {} rows: SQLite {} , PostgreSQL {}; Cohort {:.3f} ms : fastest SQL {:.1f} ms "
         "= 1 : {:.0f}",
         report.view, cohort_rows.size(), bad_sqlite == 0 ? "same answer" : "MISMATCH",
         bad_pg == 0 ? "same answer" : "MISMATCH", cohort_ms, fastest, fastest / cohort_ms);
    if (cohort_rows.empty()) {
      ++mismatches_;
      log_("MISMATCH {}: Cohort answered no rows to compare", report.view);
    }
  }
  figures_["sql"]["views"] = views;
  figures_["sql"]["max_repetitions"] = repetitions;
  figures_["sql"]["repeat_budget_ms"] = kSqlBudgetMs;
  figures_["sql"]["all_matched"] = mismatches_ == 0;
  figures_["sql"]["not_compared"] =
      "certified and certified_at (issued at the response that first meets completion and "
      "mastery: a path, not an aggregate), weekly series (weeks in the account's time zone), "
      "completed_at, last_active (formatted in the account's zone; last_active feeds at_risk, "
      "which is compared)";
  return true;
}

void Runner::Report() {
  const json& f = figures_;
  struct Row {
    std::string figure, value, target;
    std::optional<bool> met;
  };
  std::vector<Row> rows;
  auto num = [](const json& j, const char* a, const char* b) -> double {
    if (!j.contains(a) || !j[a].contains(b)) return std::nan("");
    return j[a][b].get<double>();
  };
  auto add = [&](std::string figure, double value, const std::string& unit, std::string target,
                 std::optional<bool> met, int digits = 1) {
    rows.push_back({std::move(figure),
                    std::isnan(value) ? "—" : fmt::format("{:.{}f} {}", value, digits, unit),
                    std::move(target), std::isnan(value) ? std::optional<bool>(false) : met});
  };
  const double import_rate = num(f, "import", "responses_per_s");
  add("import", import_rate, "responses/s", "≥ 1,000,000", import_rate >= 1e6, 0);
  const double ingest_rate = num(f, "http_ingest", "responses_per_s");
  add("HTTP ingest (4 clients, batches of 1,000 × 5)", ingest_rate, "responses/s", "≥ 150,000",
      ingest_rate >= 150000, 0);
  const double fresh = num(f, "freshness", "p99_ms");
  add("freshness p99", fresh, "ms", "< 50 ms", fresh < 50, 2);
  const double rebuild = num(f, "start", "rebuild_s");
  add("start (rebuild until /healthz)", rebuild, "s", "≤ 30 s", rebuild <= 30, 2);
  const double rss = num(f, "start", "rss_bytes") / 1073741824.0;
  add("resident memory after start", rss, "GiB", "≤ 2.5 GiB", rss <= 2.5, 3);
  add("  per stored response", num(f, "start", "rss_bytes_per_response"), "B", "", std::nullopt);
  add("  per touched user × exercise cell", num(f, "start", "rss_bytes_per_cell"), "B", "",
      std::nullopt);
  if (f.contains("latency")) {
    for (const auto& [view, p] : f["latency"].items()) {
      if (view == "account report (csv)") {
        add(fmt::format("account report, first byte p99 (p50 {:.1f} ms)",
                        p["first_byte_p50_ms"].get<double>()),
            p["first_byte_p99_ms"].get<double>(), "ms", "(no target)", std::nullopt);
        add(fmt::format("account report, total p99 (p50 {:.1f} ms)", p["total_p50_ms"].get<double>()),
            p["total_p99_ms"].get<double>(), "ms", "(no target)", std::nullopt);
        continue;
      }
      const double bound = view == "all courses" || view == "course + chapters" ? 2.0 : 10.0;
      const double p99 = p["p99_ms"].get<double>();
      add(fmt::format("{} p99 (p50 {:.3f} ms)", view, p["p50_ms"].get<double>()), p99, "ms",
          fmt::format("< {:.0f} ms", bound), p99 < bound, 3);
    }
  }
  if (f.contains("sql") && f["sql"].contains("views")) {
    for (const auto& [view, v] : f["sql"]["views"].items()) {
      const double speedup = v["speedup_vs_fastest_sql"].get<double>();
      const bool aggregate = view != "user";
      add(fmt::format("{}: SQLite {:.1f} ms, PostgreSQL {:.1f} ms → Cohort 1 :", view,
                      v["sqlite_ms"].get<double>(), v["postgres_ms"].get<double>()),
          speedup, "", aggregate ? "≥ 100×" : "(no target)",
          aggregate ? std::optional<bool>(speedup >= 100) : std::nullopt, 0);
      rows.push_back({fmt::format("{}: same answer as Cohort", view),
                      v["sqlite_matches"].get<bool>() && v["postgres_matches"].get<bool>() ? "yes" : "NO",
                      "yes",
                      v["sqlite_matches"].get<bool>() && v["postgres_matches"].get<bool>()});
    }
  }
  std::size_t width = 0;
  for (const Row& r : rows) width = std::max(width, r.figure.size());
  std::cout << fmt::format("\ncohort bench --scale {} (targets of issue 7 are for scale M; load "
                           "average now {:.2f})\n",
                           scale_.name, LoadAverage());
  for (const Row& r : rows) {
    std::cout << fmt::format("  {:<{}}  {:>22}  {:<12} {}\n", r.figure, width, r.value, r.target,
                             r.met ? (*r.met ? "✔" : "✘") : "");
  }
  if (!failures_.empty()) {
    std::cout << "FAILED steps:\n";
    for (const std::string& s : failures_) std::cout << "  " << s << "\n";
  }
  json targets = json::array();
  for (const Row& r : rows) {
    targets.push_back({{"figure", r.figure}, {"value", r.value}, {"target", r.target},
                       {"met", r.met ? json(*r.met) : json()}});
  }
  figures_["targets"] = targets;
  figures_["machine"]["load_average_at_end"] = LoadAverage();
  figures_["failures"] = failures_;
  figures_["mismatches"] = mismatches_;
  if (!options_.json_file.empty()) {
    std::ofstream out(options_.json_file);
    out << figures_.dump(2) << "\n";
    if (!out) std::cerr << "cohort bench: cannot write " << options_.json_file << "\n";
  }
}

void Runner::Cleanup() {
  if (server_) {
    server_->Stop(SIGTERM);
    server_.reset();
  }
  if (pg_started_) {
    Logged(AsPostgres({std::string(kPgBin) + "/pg_ctl", "-D", (pg_dir_ / "data").string(), "-m",
                       "fast", "-w", "stop"}));
    pg_started_ = false;
  }
  if (!options_.keep) {
    std::error_code ec;
    fs::remove_all(created_root_ ? root_ : run_, ec);
  } else {
    log_("kept {}", run_.string());
  }
}

int Runner::Run() {
  // Nothing measured yet: no table, just the reason (Fail printed it).
  if (!Prepare()) {
    Cleanup();
    return 1;
  }
  const bool done = Generate() && Import() && Serve() && Ingest() && Settle("the ingest") && Latency() &&
                    Freshness() && (options_.sql ? Sql() : SkipSql());
  Report();
  Cleanup();
  if (mismatches_ > 0) {
    std::cerr << fmt::format("cohort bench: {} SQL answers differ from Cohort's\n", mismatches_);
  }
  return done && failures_.empty() && mismatches_ == 0 ? 0 : 1;
}

}  // namespace

int RunBench(const BenchOptions& options) {
  BenchOptions o = options;
  if (o.cohort_binary.empty()) {
    std::error_code ec;
    o.cohort_binary = fs::read_symlink("/proc/self/exe", ec).string();
  }
  Runner runner(o);
  return runner.Run();
}

}  // namespace cohort::bench

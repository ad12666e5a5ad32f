// Spreadsheet exports at company size (issue 5): the account report of 50,000 users × 4 courses
// (200,000 rows) as CSV and as XLSX, through service::StartExport — the stream both the HTTP
// route and `cohort export` read. Figures: rows/s, the time to the first piece of the body (what a
// client waits before bytes flow), and how much the process grows while the body is produced.
//
// Fed through the service into a SQLite file (as `cohort import` would): 4 courses of 12
// exercises, every user enrolled in each, 2 attempts of 5 responses per user × course.
// COHORT_BENCH_SCALE=S uses 2,500 users.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "common/clock.h"
#include "domain/write_batch.h"
#include "export/stream.h"
#include "metrics/engine.h"
#include "service/exports.h"
#include "service/service.h"
#include "store/store.h"

namespace cohort::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr const char* kAccount = "bench";
constexpr int kCourses = 4;
constexpr int kChapters = 3;
constexpr int kExercisesPerChapter = 4;
constexpr std::int64_t kDay = kMsPerDay;

int UsersFromEnv() {
  const char* env = std::getenv("COHORT_BENCH_SCALE");
  return env != nullptr && std::string(env) == "S" ? 2'500 : 50'000;
}

double ResidentMiB() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  if (!(statm >> pages >> resident)) return 0;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576.0;
}

// The store, the service over it (with its engine), and a caller of the account.
struct World {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  FakeClock clock{Instant{1'773'144'000'000}};  // 2026-03-10T12:00:00Z
  std::unique_ptr<service::Service> service;
  service::Caller caller;
  int users = 0;
};

World& TheWorld() {
  static World* world = [] {
    auto* w = new World();
    w->users = UsersFromEnv();
    w->dir = std::filesystem::temp_directory_path() /
             fmt::format("cohort-export-bench-{}", std::random_device{}());
    std::filesystem::create_directories(w->dir);
    w->store = std::move(store::OpenSqliteStore((w->dir / "bench.db").string())).value();
    w->service = std::make_unique<service::Service>(*w->store, w->clock);
    if (!w->service->CreateAccount({kAccount, "Bench Ltd", "Europe/Paris"}).ok() ||
        !w->service->Rebuild(nullptr).ok()) {
      throw std::runtime_error("cannot create the bench account");
    }
    const service::Caller admin = w->service->LocalAdmin(kAccount).value();
    auto write = [&](domain::WriteBatch b) {
      if (!w->service->Write(admin, std::move(b)).ok()) throw std::runtime_error("write failed");
    };
    domain::WriteBatch catalog;
    for (int g = 0; g < 20; ++g) {
      catalog.groups.items.push_back({fmt::format("g{:02}", g), fmt::format("Group {}", g), {}});
    }
    for (int c = 0; c < kCourses; ++c) {
      domain::Course course;
      course.key = fmt::format("course-{}", c);
      course.title = fmt::format("Course {} — fundamentals", c);
      for (int ch = 0; ch < kChapters; ++ch) {
        domain::ChapterDef chapter{fmt::format("c{}", ch), fmt::format("Chapter {}", ch), {}};
        for (int e = 0; e < kExercisesPerChapter; ++e) {
          chapter.exercises.push_back(
              {fmt::format("e{}-{}", ch, e), fmt::format("Exercise {}", e)});
        }
        course.chapters.push_back(std::move(chapter));
      }
      catalog.courses.items.push_back(std::move(course));
    }
    for (int u = 0; u < w->users; ++u) {
      domain::User user;
      user.key = fmt::format("u{:05}", u);
      user.name = fmt::format("Learner Zoë {:05}", u);
      user.email = fmt::format("learner{:05}@bench.example", u);
      user.roles.Add(domain::Role::kLearner);
      user.groups = {fmt::format("g{:02}", u % 20), fmt::format("g{:02}", (u * 7 + 3) % 20)};
      catalog.users.items.push_back({std::move(user), std::nullopt});
    }
    const Instant start{w->clock.Now().ms - 60 * kDay};
    write(std::move(catalog));
    domain::WriteBatch batch;
    std::mt19937 random(7);
    auto flush = [&] {
      write(std::move(batch));
      batch = domain::WriteBatch();
    };
    for (int u = 0; u < w->users; ++u) {
      for (int c = 0; c < kCourses; ++c) {
        for (int k = 0; k < 2; ++k) {
          domain::Attempt a;
          a.id = fmt::format("a{}-{}-{}", u, c, k);
          a.user = fmt::format("u{:05}", u);
          a.course = fmt::format("course-{}", c);
          const int ex = static_cast<int>(random() % (kChapters * kExercisesPerChapter));
          a.exercise = fmt::format("e{}-{}", ex / kExercisesPerChapter, ex % kExercisesPerChapter);
          a.started_at =
              Instant{start.ms + k * 20 * kDay + static_cast<std::int64_t>(random() % kDay)};
          std::int64_t at = a.started_at.ms;
          for (int r = 0; r < 5; ++r) {
            domain::Response resp;
            resp.question = fmt::format("q{}", r);
            resp.correct = random() % 3 != 0;
            resp.hints = random() % 4 == 0 ? 1 : 0;
            resp.time_ms = 5'000 + static_cast<std::int64_t>(random() % 60'000);
            at += resp.time_ms;
            resp.answered_at = Instant{at};
            a.responses.push_back(std::move(resp));
          }
          batch.attempts.items.push_back(std::move(a));
        }
      }
      if (batch.attempts.items.size() >= 10'000) flush();
    }
    flush();
    domain::ScopeSet read;
    read.Add(domain::Scope::kRead);
    w->caller = service::Caller{admin.account, kAccount, read, std::nullopt, 0};
    return w;
  }();
  return *world;
}

service::ExportRequest ReportRequest() {
  service::ExportRequest what;
  what.view = service::ExportView::kReport;
  what.query.sort = "name";
  what.query.limit = service::kAllRows;
  return what;
}

// Renders the report in `format` and drains its body, as the server would send it.
void RunExport(benchmark::State& state, service::ExportFormat format) {
  World& w = TheWorld();
  double first_ms = 0, total_ms = 0, growth_mib = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    const double rss_before = ResidentMiB();
    double rss_peak = rss_before;
    const auto start = SteadyClock::now();
    Result<service::ExportFile> started =
        service::StartExport(*w.service, w.caller, ReportRequest(), format, w.dir.string());
    if (!started.ok()) {
      state.SkipWithError(started.status().ToString().c_str());
      return;
    }
    exports::Stream& body = *started->body;
    std::string chunk;
    bytes = 0;
    bool first = true;
    for (int pieces = 0;; ++pieces) {
      const exports::Step step = body.Next(chunk);
      if (step == exports::Step::kPending) {  // the XLSX workbook is being written
        body.Wait();
        continue;
      }
      if (first && !chunk.empty()) {
        first_ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
        first = false;
      }
      bytes += chunk.size();
      if (pieces % 64 == 0) rss_peak = std::max(rss_peak, ResidentMiB());
      if (step != exports::Step::kMore) break;
    }
    total_ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
    growth_mib = std::max(rss_peak, ResidentMiB()) - rss_before;
  }
  const double rows = static_cast<double>(w.users) * kCourses;
  state.counters["rows"] = rows;
  state.counters["rows_per_s"] = rows / (total_ms / 1000.0);
  state.counters["first_chunk_ms"] = first_ms;
  state.counters["total_ms"] = total_ms;
  state.counters["MiB"] = static_cast<double>(bytes) / 1048576.0;
  state.counters["rss_growth_MiB"] = growth_mib;
}

void BM_ReportView(benchmark::State& state) {
  World& w = TheWorld();
  for (auto _ : state) {
    Result<metrics::Table<metrics::ReportRow>> t =
        w.service->Report(w.caller, ReportRequest().query);
    benchmark::DoNotOptimize(t);
  }
  state.counters["rows"] = static_cast<double>(w.users) * kCourses;
}

// The JSON view's default first page (100 rows by name): only the page's rows are built.
void BM_ReportFirstPage(benchmark::State& state) {
  World& w = TheWorld();
  metrics::TableQuery query = ReportRequest().query;
  query.limit = 100;
  for (auto _ : state) {
    Result<metrics::Table<metrics::ReportRow>> t = w.service->Report(w.caller, query);
    benchmark::DoNotOptimize(t);
  }
}

void BM_ReportCsv(benchmark::State& state) { RunExport(state, service::ExportFormat::kCsv); }
void BM_ReportXlsx(benchmark::State& state) { RunExport(state, service::ExportFormat::kXlsx); }

BENCHMARK(BM_ReportView)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_ReportFirstPage)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_ReportCsv)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_ReportXlsx)->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace
}  // namespace cohort::bench

BENCHMARK_MAIN();

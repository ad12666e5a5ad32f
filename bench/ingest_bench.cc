// Ingest throughput (issue 2): through HTTP in batches of 1,000 attempts × 5 responses, and
// through the `cohort import` path (parse + one transaction per file). As shipped: SQLite WAL
// with synchronous=FULL, every acknowledged batch committed before the answer, and then applied
// to the metrics engine.
#include <benchmark/benchmark.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "common/clock.h"
#include "http/api.h"
#include "http/server.h"
#include "ingest/csv_attempts.h"
#include "ingest/json_documents.h"
#include "metrics/engine.h"
#include "service/service.h"
#include "store/store.h"
#include "support/http_client.h"

namespace cohort::bench {
namespace {

constexpr int kUsers = 1000;
constexpr int kExercises = 50;
constexpr int kResponsesPerAttempt = 5;

// One SQLite file with an account, a 50-exercise course and 1,000 users, served on a free port.
struct World {
  World() {
    dir = std::filesystem::temp_directory_path() / fmt::format("cohort-bench-{}", getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    store = store::OpenSqliteStore((dir / "bench.db").string()).value();
    // As shipped: every committed write is also applied to the metrics engine (Rebuild below
    // makes the service serve views, so it keeps its engine up to date).
    service = std::make_unique<service::Service>(*store, clock);
    (void)service->CreateAccount({"acme", "Acme", "UTC"});
    if (!service->Rebuild(nullptr).ok()) throw std::runtime_error("rebuild failed");
    domain::ScopeSet scopes;
    scopes.Add(domain::Scope::kIngest);
    token = service->CreateToken("acme", "bench", scopes).value().secret;
    service::Caller admin = service->LocalAdmin("acme").value();
    domain::WriteBatch setup;
    domain::Course course{"py", "Python", {}, {}};
    for (int c = 0; c < 5; ++c) {
      domain::ChapterDef chapter{fmt::format("c{}", c), fmt::format("Chapter {}", c), {}};
      for (int e = 0; e < kExercises / 5; ++e) {
        chapter.exercises.push_back({fmt::format("e{}", c * 10 + e), "Exercise"});
      }
      course.chapters.push_back(chapter);
    }
    setup.courses.items.push_back(course);
    for (int u = 0; u < kUsers; ++u) {
      domain::User user;
      user.key = fmt::format("u{}", u);
      user.name = fmt::format("User {}", u);
      user.email = fmt::format("u{}@acme.example", u);
      setup.users.items.push_back({user, std::nullopt});
    }
    Result<domain::WriteSummary> done = service->Write(admin, std::move(setup));
    if (!done.ok()) throw std::runtime_error(done.status().ToString());
    api = std::make_unique<http::Api>(*service);
    http::ServerOptions options;
    options.port = 0;
    server = http::StartServer(options, [this](const http::Request& r) {
               return api->Handle(r);
             }).value();
  }
  ~World() {
    server->Stop();
    server.reset();
    api.reset();
    service.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  SystemClock clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<service::Service> service;
  std::unique_ptr<http::Api> api;
  std::unique_ptr<http::Server> server;
  std::string token;
};

// Reserves `n` consecutive attempt start slots; shared by every generator and thread.
std::int64_t Reserve(int n) {
  static std::atomic<std::int64_t> next{0};
  return next.fetch_add(n);
}

World& TheWorld() {
  static World world;
  return world;
}

// A JSON array of `n` attempts with ids "<prefix>-<i>", 5 responses each. Attempt i of a batch
// starts `seq` seconds after 2026-01-01 (`seq` grows across batches), so each user's attempts
// arrive in time order, as an LMS sends them; late arrivals are measured in the engine bench.
// Client `client` of `clients` sends the attempts of its own users (user % clients == client),
// as separate LMSs would: with shared users, a batch generated before another but sent after it
// would be late for all its users, and the engine would replay each of them from the store
// (that was why this benchmark fell from 389k to 127k responses/s with 4 clients).
std::string AttemptsJson(const std::string& prefix, int n, int client = 0, int clients = 1) {
  std::int64_t seq = Reserve(n);
  std::string out = "[";
  out.reserve(static_cast<std::size_t>(n) * 420);
  for (int i = 0; i < n; ++i) {
    if (i) out += ',';
    const Instant start{1'767'225'600'000 + 1'000 * seq++};
    out += fmt::format(
        R"({{"id":"{}-{}","user":"u{}","course":"py","exercise":"e{}",)"
        R"("started_at":"{}","finished_at":"{}","responses":[)",
        prefix, i, client + clients * ((i * 7) % (kUsers / clients)), i % kExercises, FormatRfc3339Utc(start),
        FormatRfc3339Utc(Instant{start.ms + 30'000}));
    for (int r = 0; r < kResponsesPerAttempt; ++r) {
      if (r) out += ',';
      out += fmt::format(R"({{"question":"q{}","correct":{},"hints":{},"time_ms":{}}})", r,
                         (i + r) % 4 ? "true" : "false", (i + r) % 5 == 0 ? 1 : 0,
                         1000 + (i * 13 + r) % 5000);
    }
    out += "]}";
  }
  out += ']';
  return out;
}

std::string AttemptsCsv(const std::string& prefix, int n) {
  std::int64_t seq = Reserve(n);
  std::string out =
      "attempt,user,course,exercise,started_at,finished_at,question,correct,hints,time_ms,"
      "answered_at,points\n";
  for (int i = 0; i < n; ++i) {
    for (int r = 0; r < kResponsesPerAttempt; ++r) {
      out += fmt::format("{}-{},u{},py,e{},{},,q{},{},{},{},,\n", prefix, i, (i * 7) % kUsers,
                         i % kExercises, FormatRfc3339Utc(Instant{1'767'225'600'000 + 1'000 * seq}),
                         r, (i + r) % 4 ? "true" : "false", (i + r) % 5 == 0 ? 1 : 0,
                         1000 + (i * 13 + r) % 5000);
    }
    ++seq;
  }
  return out;
}

void BM_HttpIngest(benchmark::State& state) {
  World& world = TheWorld();
  static std::atomic<int> run{0};
  const int this_run = run++;
  testing::HttpClient client("127.0.0.1", world.server->port());
  const testing::HeaderList auth = {{"Authorization", "Bearer " + world.token}};
  // Every body is made before the clock starts: made during the run, the other clients' bodies
  // would take the cores the server needs (fmt formatting ~250 KB a batch), which is not what
  // this measures.
  std::vector<std::string> bodies;
  for (benchmark::IterationCount b = 0; b < state.max_iterations; ++b) {
    bodies.push_back(AttemptsJson(fmt::format("h{}-t{}-b{}", this_run, state.thread_index(), b),
                                  1000, state.thread_index(), state.threads()));
  }
  std::size_t batch = 0;
  std::int64_t responses = 0;
  for (auto _ : state) {
    const std::string& body = bodies[batch++];
    testing::HttpResponse r = client.Send("POST", "/api/v1/attempts", body, auth);
    if (r.status != 200) {
      state.SkipWithError(("ingest failed: " + r.body + r.error).c_str());
      break;
    }
    responses += 1000 * kResponsesPerAttempt;
  }
  state.counters["responses_per_s"] =
      benchmark::Counter(static_cast<double>(responses), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_HttpIngest)->Iterations(60)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HttpIngest)->Iterations(30)->Threads(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HttpIngest)->Iterations(15)->Threads(4)->UseRealTime()->Unit(benchmark::kMillisecond);

// The `cohort import` path for one file of 100,000 attempts × 5 responses.
template <bool kCsv>
void BM_Import(benchmark::State& state) {
  World& world = TheWorld();
  // `cohort import` runs without an engine (a server rebuilds it at start).
  service::Service cli_service(*world.store, world.clock);
  service::Caller admin = cli_service.LocalAdmin("acme").value();
  static int file = 0;
  std::int64_t responses = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string prefix = fmt::format("{}{}", kCsv ? "csv" : "json", file++);
    const std::string text = kCsv ? AttemptsCsv(prefix, 100'000) : AttemptsJson(prefix, 100'000);
    state.ResumeTiming();
    Result<domain::WriteBatch> batch = kCsv ? ingest::ParseAttemptsCsv(text, world.clock.Now())
                                            : ingest::ParseImportJson(text, world.clock.Now());
    if (!batch.ok()) {
      state.SkipWithError(batch.status().ToString().c_str());
      break;
    }
    Result<domain::WriteSummary> done = cli_service.Write(admin, std::move(batch).value());
    if (!done.ok() || done->responses != 100'000 * kResponsesPerAttempt) {
      state.SkipWithError("import failed");
      break;
    }
    responses += static_cast<std::int64_t>(done->responses);
  }
  state.counters["responses_per_s"] =
      benchmark::Counter(static_cast<double>(responses), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Import<false>)->Name("BM_ImportJson")->Iterations(4)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Import<true>)->Name("BM_ImportCsv")->Iterations(4)->UseRealTime()->Unit(benchmark::kMillisecond);

// Parsing alone, to show where import time goes.
void BM_ParseAttemptsJson(benchmark::State& state) {
  const std::string text = AttemptsJson("p", 10'000);
  const Instant now{1'800'000'000'000};
  for (auto _ : state) {
    Result<domain::WriteBatch> batch = ingest::ParseImportJson(text, now);
    benchmark::DoNotOptimize(batch);
  }
  state.counters["responses_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * 10'000 * kResponsesPerAttempt,
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseAttemptsJson)->Unit(benchmark::kMillisecond);

void BM_ParseAttemptsCsv(benchmark::State& state) {
  const std::string text = AttemptsCsv("p", 10'000);
  const Instant now{1'800'000'000'000};
  for (auto _ : state) {
    Result<domain::WriteBatch> batch = ingest::ParseAttemptsCsv(text, now);
    benchmark::DoNotOptimize(batch);
  }
  state.counters["responses_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * 10'000 * kResponsesPerAttempt,
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseAttemptsCsv)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cohort::bench

BENCHMARK_MAIN();

// Issue 8, load (docs/load.md): the real `cohort serve` over a demo database, 4 writers posting
// batches of 100-1,000 attempts and 8 readers walking every dashboard view for 60 s on
// 127.0.0.1. Zero errors, every acknowledged attempt stored, memory flat after warm-up, and the
// latency of each route printed. Then: reads stay responsive while 10,000-attempt batches are
// applied.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "hostile/served.h"
#include "store/store.h"
#include "support/http_client.h"

namespace cohort::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Smaller in sanitizer builds (COHORT_TIME_FACTOR 10), where `cohort demo` takes ten times longer.
constexpr int kDemoUsers = COHORT_TIME_FACTOR == 1 ? 2000 : 500;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Latencies by route template, from many threads.
class Latencies {
 public:
  void Add(const std::string& route, double ms) {
    std::lock_guard<std::mutex> lock(mutex_);
    by_route_[route].push_back(ms);
  }
  static double Percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto at = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(at, v.size() - 1)];
  }
  std::vector<double> All() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<double> out;
    for (const auto& [route, v] : by_route_) out.insert(out.end(), v.begin(), v.end());
    return out;
  }
  void Print(const char* title) const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::printf("%s\n  %-66s %8s %9s %9s %9s\n", title, "route", "requests", "p50 ms", "p99 ms",
                "max ms");
    for (const auto& [route, v] : by_route_) {
      std::printf("  %-66s %8zu %9.2f %9.2f %9.2f\n", route.c_str(), v.size(), Percentile(v, 0.50),
                  Percentile(v, 0.99), Percentile(v, 1.0));
    }
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<double>> by_route_;
};

// What the demo holds that the load needs: each course's users and its exercises.
struct Catalog {
  struct Course {
    std::string key;
    std::vector<std::string> users, exercises;
  };
  std::vector<Course> courses;
};

Catalog Discover(const Served& served) {
  Catalog catalog;
  const nlohmann::json courses =
      nlohmann::json::parse(served.Call("GET", "/api/v1/courses?limit=1000").body);
  for (const auto& row : courses["rows"]) {
    Catalog::Course c;
    c.key = row["course"].get<std::string>();
    const nlohmann::json users = nlohmann::json::parse(
        served.Call("GET", "/api/v1/courses/" + c.key + "/users?limit=1000").body);
    for (const auto& u : users["rows"]) c.users.push_back(u["user"].get<std::string>());
    if (c.users.empty()) continue;
    const nlohmann::json one = nlohmann::json::parse(
        served.Call("GET", "/api/v1/courses/" + c.key + "/users/" + c.users.front()).body);
    for (const auto& e : one["exercises"]) c.exercises.push_back(e["exercise"].get<std::string>());
    if (!c.exercises.empty()) catalog.courses.push_back(std::move(c));
  }
  return catalog;
}

// A batch of `n` attempts with ids `<prefix>-<i>`, of 1-5 responses each, in the week before the
// demo's clock (the real clock: the demo's events end now).
std::string MakeBatch(const Catalog& catalog, const std::string& prefix, int n, std::mt19937& rng) {
  std::string out = "[";
  const auto now = std::chrono::system_clock::now();
  for (int i = 0; i < n; ++i) {
    const Catalog::Course& c = catalog.courses[rng() % catalog.courses.size()];
    const std::string& user = c.users[rng() % c.users.size()];
    const std::string& exercise = c.exercises[rng() % c.exercises.size()];
    const auto started = now - std::chrono::hours(1 + static_cast<int>(rng() % 160));
    const std::string at =
        fmt::format("{:%FT%TZ}", std::chrono::time_point_cast<std::chrono::seconds>(started));
    if (i) out += ",";
    out += fmt::format(R"({{"id":"{}-{}","user":"{}","course":"{}","exercise":"{}",)"
                       R"("started_at":"{}","responses":[)",
                       prefix, i, user, c.key, exercise, at);
    const int responses = 1 + static_cast<int>(rng() % 5);
    for (int r = 0; r < responses; ++r) {
      if (r) out += ",";
      out += fmt::format(R"({{"question":"q{}","correct":{},"hints":{},"time_ms":{}}})", r,
                         rng() % 3 != 0 ? "true" : "false", rng() % 4 == 0 ? 1 : 0,
                         1000 + rng() % 60000);
    }
    out += "]}";
  }
  return out + "]";
}

// The reads of a dashboard: every view of the API, by route template.
struct Read {
  std::string route, target;
};
std::vector<Read> Reads(const Catalog& catalog) {
  std::vector<Read> out;
  out.push_back({"/api/v1/courses", "/api/v1/courses"});
  out.push_back({"/api/v1/report", "/api/v1/report?limit=50"});
  for (const Catalog::Course& c : catalog.courses) {
    const std::string base = "/api/v1/courses/" + c.key;
    out.push_back({"/api/v1/courses/{course}", base});
    out.push_back({"/api/v1/courses/{course}/users", base + "/users?limit=50"});
    out.push_back({"/api/v1/courses/{course}/groups", base + "/groups"});
    for (std::size_t i = 0; i < std::min<std::size_t>(c.users.size(), 5); ++i) {
      out.push_back({"/api/v1/courses/{course}/users/{user}", base + "/users/" + c.users[i]});
      out.push_back(
          {"/api/v1/courses/{course}/users/{user}/exercises/{exercise}/attempts",
           base + "/users/" + c.users[i] + "/exercises/" + c.exercises.front() + "/attempts"});
    }
  }
  return out;
}

// What the engine holds (cohort_engine_bytes on /metrics), in KiB; -1 when unreadable.
long EngineKiB(const Served& served) {
  const HttpResponse scrape = SendOnce("127.0.0.1", served.metrics_port(), "GET", "/metrics");
  const std::string key = "\ncohort_engine_bytes ";
  const std::size_t at = scrape.body.find(key);
  if (at == std::string::npos) return -1;
  return static_cast<long>(std::stod(scrape.body.substr(at + key.size())) / 1024);
}

// Attempts in the store, read after the server has stopped (or before it starts).
std::int64_t StoredAttempts(const Served& served) {
  Result<std::unique_ptr<store::Store>> store = store::OpenSqliteStoreReadOnly(served.db());
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return -1;
  Result<store::AccountRecord> account = store.value()->FindAccount(served.account());
  EXPECT_TRUE(account.ok());
  if (!account.ok()) return -1;
  Result<store::TableCounts> counts = store.value()->Counts(account->id);
  EXPECT_TRUE(counts.ok());
  return counts.ok() ? counts->attempts : -1;
}

TEST(LoadTest, SixtySecondsOfWritersAndReadersWithoutErrorsOrGrowth) {
  constexpr int kWriters = 4, kReaders = 8;
  // 60 s; 30 s in the sanitizer builds, which run the whole suite twice more in CI.
  constexpr long kSeconds = COHORT_TIME_FACTOR == 1 ? 60 : 30;
  constexpr auto kDuration = seconds(kSeconds);
  constexpr auto kNewFor = seconds(kSeconds / 2);
  const Clock::time_point setup = Clock::now();
  Served served({}, kDemoUsers, /*start=*/false);
  const std::int64_t attempts_before = StoredAttempts(served);
  ASSERT_GT(attempts_before, 0);
  served.Start();
  ASSERT_TRUE(served.started());
  const Catalog catalog = Discover(served);
  ASSERT_GE(catalog.courses.size(), 4u);
  const std::vector<Read> reads = Reads(catalog);
  std::printf("setup (demo of %d users, %lld attempts; discovery) took %.1f s; %zu read targets\n",
              kDemoUsers, static_cast<long long>(attempts_before), MsSince(setup) / 1000,
              reads.size());

  Latencies latencies;
  std::atomic<bool> stop{false};
  std::atomic<long> errors{0}, acked_attempts{0}, acked_batches{0}, reads_done{0};
  std::mutex error_mutex;
  std::string first_error;
  auto fail = [&](const std::string& what) {
    ++errors;
    std::lock_guard<std::mutex> lock(error_mutex);
    if (first_error.empty()) first_error = what;
  };
  const HeaderList auth = {{"Authorization", "Bearer " + served.token()}};
  HeaderList post_headers = auth;
  post_headers.emplace_back("Content-Type", "application/json");

  std::vector<std::thread> threads;
  // Writers post new attempts for the first kNewFor, then re-post batches they had
  // acknowledged (the whole ingest path, parse to store comparison, without the data growing:
  // so that memory growth after warm-up can only be the server's own).
  const Clock::time_point start = Clock::now();
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937 rng(static_cast<unsigned>(100 + w));
      HttpClient client("127.0.0.1", served.port(), seconds(30));
      std::vector<std::pair<int, std::string>> acked;  // (attempts, body)
      for (int b = 0; !stop.load(); ++b) {
        const bool fresh = Clock::now() - start < kNewFor || acked.empty();
        std::pair<int, std::string> batch;
        if (fresh) {
          batch.first = 100 + static_cast<int>(rng() % 901);
          batch.second = MakeBatch(catalog, fmt::format("load-w{}-b{}", w, b), batch.first, rng);
        } else {
          batch = acked[rng() % acked.size()];
        }
        const Clock::time_point t = Clock::now();
        const HttpResponse r = client.Send("POST", "/api/v1/attempts", batch.second, post_headers);
        latencies.Add(fresh ? "POST /api/v1/attempts (new)" : "POST /api/v1/attempts (re-post)",
                      MsSince(t));
        const nlohmann::json json = nlohmann::json::parse(r.body, nullptr, false);
        if (r.status != 200 || !json.is_object() ||
            json.value(fresh ? "accepted" : "duplicates", -1) != batch.first) {
          fail(fmt::format("POST: {} {} {}", r.status, r.error, r.body.substr(0, 200)));
          continue;
        }
        if (fresh) {
          acked_attempts += batch.first;
          acked.push_back(std::move(batch));
        }
        ++acked_batches;
      }
    });
  }
  for (int reader = 0; reader < kReaders; ++reader) {
    threads.emplace_back([&, reader] {
      std::mt19937 rng(static_cast<unsigned>(200 + reader));
      HttpClient client("127.0.0.1", served.port(), seconds(30));
      while (!stop.load()) {
        const Read& read = reads[rng() % reads.size()];
        const Clock::time_point t = Clock::now();
        const HttpResponse r = client.Get(read.target, auth);
        latencies.Add("GET " + read.route, MsSince(t));
        if (r.status < 200 || r.status > 299) {
          fail(fmt::format("GET {}: {} {} {}", read.target, r.status, r.error,
                           r.body.substr(0, 200)));
        }
        ++reads_done;
      }
    });
  }
  // VmRSS of the server once a second, and what the engine says it holds (it grows with the
  // attempts written, legitimately).
  std::vector<long> rss(static_cast<std::size_t>(kDuration.count()), 0);
  std::vector<long> engine = rss;
  for (std::size_t second = 0; second < rss.size(); ++second) {
    std::this_thread::sleep_until(start + seconds(static_cast<long>(second) + 1));
    rss[second] = ResidentKiB(served.pid());
    engine[second] = EngineKiB(served);
  }
  stop.store(true);
  for (std::thread& t : threads) t.join();
  const double ran_s = MsSince(start) / 1000;
  std::printf("RSS KiB each second:");
  for (long kib : rss) std::printf(" %ld", kib);
  std::printf("\n");

  latencies.Print(fmt::format("latency per route over the {} s load:", kSeconds).c_str());
  auto window_max = [](const std::vector<long>& v, std::size_t from, std::size_t to) {
    long m = 0;
    for (std::size_t i = from; i < std::min(to, v.size()); ++i) m = std::max(m, v[i]);
    return m;
  };
  // Windows of the second and the last quarter: 15-30 s and 45-60 s of the 60 s.
  constexpr std::size_t q = kSeconds / 4;
  const long warm = window_max(rss, q, 2 * q), late = window_max(rss, 3 * q, 4 * q);
  const long engine_warm = window_max(engine, q, 2 * q),
             engine_late = window_max(engine, 3 * q, 4 * q);
  std::printf(
      "ran %.1f s: %ld batches, %ld attempts acknowledged (%.0f/s), %ld reads (%.0f/s), "
      "%ld errors\nRSS KiB: at 1 s %ld, max %zu-%zu s %ld, max %zu-%zu s %ld, at end %ld; "
      "engine KiB: max %zu-%zu s %ld, max %zu-%zu s %ld\n",
      ran_s, acked_batches.load(), acked_attempts.load(),
      static_cast<double>(acked_attempts.load()) / ran_s, reads_done.load(),
      static_cast<double>(reads_done.load()) / ran_s, errors.load(), rss.front(), q, 2 * q, warm,
      3 * q, 4 * q, late, rss.back(), q, 2 * q, engine_warm, 3 * q, 4 * q, engine_late);
  EXPECT_EQ(errors.load(), 0) << first_error;
  EXPECT_GT(acked_batches.load(), 20);
  EXPECT_GT(reads_done.load(), 1000);
  // Memory after warm-up: the last 15 s no more than 32 MiB above the 15-30 s window, beyond
  // what the engine grew by (it holds the attempts of the first 30 s). What grows in the first
  // 30 s with the data is mostly SQLite's page caches (64 MiB per connection, two connections).
  // A leak of 10 KiB per request (about 2,000 requests in 30 s) would show.
  ASSERT_GT(engine_warm, 0) << "no cohort_engine_bytes on /metrics";
  EXPECT_LE((late - warm) - (engine_late - engine_warm), (32 + COHORT_MEMORY_SLACK_MIB) * 1024)
      << "RSS grew from " << warm << " to " << late << " KiB, the engine from " << engine_warm
      << " to " << engine_late << " KiB";

  // Every acknowledged attempt is stored, once: the store after a clean stop.
  EXPECT_EQ(served.Stop(), 0);
  EXPECT_EQ(StoredAttempts(served), attempts_before + acked_attempts.load());
}

TEST(LoadTest, ReadsStayResponsiveWhileTenThousandAttemptBatchesAreApplied) {
  Served served({}, kDemoUsers);
  ASSERT_TRUE(served.started());
  const Catalog catalog = Discover(served);
  ASSERT_GE(catalog.courses.size(), 4u);
  const std::vector<Read> reads = Reads(catalog);
  const HeaderList auth = {{"Authorization", "Bearer " + served.token()}};
  HeaderList post_headers = auth;
  post_headers.emplace_back("Content-Type", "application/json");
  std::mt19937 rng(7);
  constexpr int kBatches = 3;
  std::vector<std::string> batches;
  for (int b = 0; b < kBatches; ++b) {
    batches.push_back(MakeBatch(catalog, fmt::format("big{}", b), 10'000, rng));
  }
  std::printf("a 10,000-attempt batch is %.1f MB\n", static_cast<double>(batches[0].size()) / 1e6);

  // Readers run throughout; only the reads that overlap a batch in flight are counted.
  Latencies during, all;
  std::atomic<bool> stop{false}, in_flight{false};
  std::atomic<long> errors{0};
  // Between batches, the gap: bumped as each batch ends. Each reader notes the gap its last
  // completed read started in, so the next batch waits (no sleep) until every reader has done a
  // read begun after the last batch: then no read straddles two batches, counted as overlapping
  // with the gap's time in it.
  constexpr int kReaders = 4;
  std::atomic<int> gap{0};
  std::array<std::atomic<int>, kReaders> read_in_gap{};
  for (std::atomic<int>& g : read_in_gap) g.store(-1);
  auto readers_caught_up = [&] {
    return std::all_of(read_in_gap.begin(), read_in_gap.end(),
                       [&](const std::atomic<int>& g) { return g.load() >= gap.load(); });
  };
  std::vector<std::thread> readers;
  for (int reader = 0; reader < kReaders; ++reader) {
    readers.emplace_back([&, reader] {
      std::mt19937 pick(static_cast<unsigned>(300 + reader));
      HttpClient client("127.0.0.1", served.port(), seconds(30));
      while (!stop.load()) {
        const Read& read = reads[pick() % reads.size()];
        const int gap_now = gap.load();  // before in_flight: see readers_caught_up
        const bool overlapped_start = in_flight.load();
        const int started_in_gap = overlapped_start ? -1 : gap_now;
        const Clock::time_point t = Clock::now();
        const HttpResponse r = client.Get(read.target, auth);
        const double ms = MsSince(t);
        if (r.status != 200) ++errors;
        if (overlapped_start && in_flight.load()) during.Add("GET " + read.route, ms);
        all.Add("GET " + read.route, ms);
        if (started_in_gap >= 0) read_in_gap[static_cast<std::size_t>(reader)] = started_in_gap;
      }
    });
  }
  HttpClient writer("127.0.0.1", served.port(), seconds(60));
  std::vector<double> batch_ms;
  for (const std::string& body : batches) {
    // The readers are reading (the first time: their connections are open and warm).
    EXPECT_TRUE(WaitUntil(readers_caught_up, seconds(30))) << "a reader is stuck";
    in_flight.store(true);
    const Clock::time_point t = Clock::now();
    const HttpResponse r = writer.Send("POST", "/api/v1/attempts", body, post_headers);
    batch_ms.push_back(MsSince(t));
    in_flight.store(false);
    ++gap;
    if (r.status != 200) {
      stop.store(true);
      for (std::thread& reader : readers) reader.join();
      FAIL() << r.status << " " << r.error << r.body.substr(0, 300);
    }
    EXPECT_EQ(nlohmann::json::parse(r.body)["accepted"], 10'000);
  }
  stop.store(true);
  for (std::thread& t : readers) t.join();

  during.Print("reads while a 10,000-attempt batch was being applied:");
  const std::vector<double> overlapped = during.All();
  std::printf("batches applied in");
  for (double ms : batch_ms) std::printf(" %.0f ms", ms);
  std::printf("; reads overlapping them: %zu, p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
              overlapped.size(), Latencies::Percentile(overlapped, 0.5),
              Latencies::Percentile(overlapped, 0.99), Latencies::Percentile(overlapped, 1.0));
  EXPECT_EQ(errors.load(), 0);
  ASSERT_GE(overlapped.size(), 20u) << "too few reads overlapped the batches to judge";
  EXPECT_LT(Latencies::Percentile(overlapped, 0.99), 1000.0 * COHORT_TIME_FACTOR);
}

}  // namespace
}  // namespace cohort::testing

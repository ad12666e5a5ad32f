// Graceful shutdown under load (issue 8, SPEC §8): clients post batches and read views while the
// real server gets SIGTERM. Every answer that came is whole and valid (2xx, or a clean 503 /
// refused connection for requests that came too late); every acknowledged batch is in the file
// and no other one in part; the process exits 0 within its shutdown timeout; the store was
// closed cleanly (the WAL checkpointed and removed, so the next start has nothing to recover);
// and the next start answers every view as the server did just before the signal.
#include <signal.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "process_test_support.h"
#include "reliability_support.h"

namespace cohort::testing {
namespace {

constexpr int kWriters = 3;
constexpr int kReaders = 3;

struct Posted {
  Batch batch;
  bool acked = false;
};

// What the clients saw, for the checks at the end.
struct Tally {
  std::mutex mu;
  std::vector<Posted> posted;
  std::vector<std::string> bad;  // answers that were not whole and valid
  std::atomic<int> new_acked{0}, duplicate_acked{0}, reads_ok{0}, unavailable{0}, refused{0};

  void Bad(std::string what) {
    std::lock_guard lock(mu);
    bad.push_back(std::move(what));
  }
};

// Classifies an answer that is not a 200: a clean 503, a refusal (no answer), or bad.
void NotOk(Tally& tally, const HttpResponse& r, const std::string& what) {
  if (r.status == 0) {
    // Refused, or closed before any byte of an answer. A partial answer is a failure.
    if (r.error.find("partial") != std::string::npos) {
      tally.Bad(what + ": partial answer: " + r.error);
    } else {
      ++tally.refused;
    }
    return;
  }
  const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
  if (r.status == 503 && body.is_object() && body.contains("error")) {
    ++tally.unavailable;
    return;
  }
  tally.Bad(fmt::format("{}: {} {}", what, r.status, r.body.substr(0, 300)));
}

TEST(ShutdownTest, SigtermUnderLoadFinishesInFlightRequestsAndClosesTheStoreCleanly) {
  TempDir dir;
  const std::filesystem::path db = dir.path() / "shutdown.db";
  const std::string token = CreateAccountWithToken(db, "read,ingest");
  auto server = std::make_unique<ServerProcess>(db);
  ASSERT_TRUE(server->started());
  const std::uint16_t port = server->port();
  {
    HttpClient client("127.0.0.1", port);
    PutCatalog(client, Bearer(token));
    // Enrolled from the start, so every view the readers ask for exists.
    for (int u = 0; u < kUsers; ++u) {
      HttpResponse r =
          client.Send("PUT", fmt::format("/api/v1/enrollments/u{}/py", u), "{}", Bearer(token));
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }

  const Batch big = MakeBatch("big", 10'000, 99);
  {
    HttpClient client("127.0.0.1", port);
    HttpResponse r = client.Send("POST", "/api/v1/attempts", big.body, Bearer(token));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // Phase 0: new batches. Phase 1: the writers re-post batches already acknowledged (still
  // write transactions, but the state no longer moves), so the views can be read just before
  // the signal. Phase 2: stop.
  std::atomic<int> phase{0};
  std::atomic<int> fresh_in_flight{0};
  Tally tally;
  std::vector<std::thread> clients;
  for (int w = 0; w < kWriters; ++w) {
    clients.emplace_back([&, w] {
      HttpClient client("127.0.0.1", port, std::chrono::seconds(20));
      std::mt19937_64 rng(static_cast<std::uint64_t>(w) + 1);
      std::vector<std::size_t> mine;
      for (int n = 0; phase.load() < 2; ++n) {
        ++fresh_in_flight;  // taken back below when this one is a re-post
        const bool fresh = phase.load() == 0 || mine.empty();
        if (!fresh) --fresh_in_flight;
        std::size_t index;
        Batch batch;
        if (fresh) {
          batch = MakeBatch(fmt::format("w{}-{}", w, n), 1 + static_cast<int>(rng() % 200), rng());
          std::lock_guard lock(tally.mu);
          tally.posted.push_back({batch, false});
          index = tally.posted.size() - 1;
        } else {
          index = mine[rng() % mine.size()];
          std::lock_guard lock(tally.mu);
          batch = tally.posted[index].batch;
        }
        HttpResponse r = client.Send("POST", "/api/v1/attempts", batch.body, Bearer(token));
        // Marked acknowledged before the count drops, so the views below include it.
        struct Done {
          std::atomic<int>& count;
          bool fresh;
          ~Done() {
            if (fresh) --count;
          }
        } done{fresh_in_flight, fresh};
        if (r.status != 200) {
          NotOk(tally, r, "POST " + batch.ids[0]);
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
          continue;
        }
        const nlohmann::json answer = nlohmann::json::parse(r.body, nullptr, false);
        const std::size_t accepted = answer.value("accepted", 0u);
        const std::size_t duplicates = answer.value("duplicates", 0u);
        if (accepted + duplicates != batch.ids.size() || (!fresh && accepted != 0)) {
          tally.Bad("POST " + batch.ids[0] + ": " + r.body);
          continue;
        }
        if (fresh) {
          std::lock_guard lock(tally.mu);
          tally.posted[index].acked = true;
          mine.push_back(index);
          ++tally.new_acked;
        } else {
          ++tally.duplicate_acked;
        }
      }
    });
  }
  const std::vector<std::string> targets = {"/api/v1/courses",
                                            "/api/v1/courses/py",
                                            "/api/v1/courses/py/users?sort=mastery&order=desc",
                                            "/api/v1/courses/py/groups",
                                            "/api/v1/report?limit=1000",
                                            "/api/v1/courses/py/users/u3",
                                            "/api/v1/courses/py/users/u4/exercises/e1/attempts"};
  for (int r = 0; r < kReaders; ++r) {
    clients.emplace_back([&, r] {
      HttpClient client("127.0.0.1", port, std::chrono::seconds(20));
      for (std::size_t n = static_cast<std::size_t>(r); phase.load() < 2; ++n) {
        const std::string& target = targets[n % targets.size()];
        HttpResponse answer = client.Get(target, Bearer(token));
        if (answer.status != 200) {
          NotOk(tally, answer, "GET " + target);
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
          continue;
        }
        const nlohmann::json body = nlohmann::json::parse(answer.body, nullptr, false);
        if (body.is_discarded() || !body.is_object()) {
          tally.Bad("GET " + target + ": not JSON: " + answer.body.substr(0, 300));
        } else {
          ++tally.reads_ok;
        }
      }
    });
  }

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (tally.new_acked.load() < 30 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  phase = 1;
  // The last new batches land (each client's timeout bounds this wait).
  EXPECT_TRUE(WaitUntil([&] { return fresh_in_flight.load() == 0; }, std::chrono::seconds(60),
                        std::chrono::milliseconds(1)));
  const std::map<std::string, std::string> before = Views(port, token);
  const int reads_before = tally.reads_ok.load();
  const int duplicates_before = tally.duplicate_acked.load();
  // The load goes on after the snapshot, then the signal comes in the middle of it.
  const auto settle = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((tally.reads_ok.load() < reads_before + 5 ||
          tally.duplicate_acked.load() < duplicates_before + 3) &&
         std::chrono::steady_clock::now() < settle) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // One long request in flight at the signal: the 10,000-attempt batch again (so that the
  // state does not move) on a connection opened before, the signal sent while the server reads
  // it. It must be answered. No sleep decides when "in flight" begins (one of 20 ms failed on a
  // busy machine: the POST had not started, so the server closed the idle connection): the
  // header and the first part of the body are written, and the signal goes once the server's
  // TCP has acknowledged them (the server then sees bytes of a request, and serves it); the
  // rest of the body follows after the signal.
  TcpConnection big_connection(port);
  const std::size_t sent_first = 64 * 1024;
  // Returns what went wrong, "" when the request is in flight; the clients run meanwhile, so
  // a failure stops them before the test ends.
  const std::string in_flight = [&]() -> std::string {
    if (!big_connection.connected()) return big_connection.error();
    // A first request on it, answered: the server has accepted the connection and keeps it.
    if (!big_connection.Write("GET /api/v1/courses HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Authorization: Bearer " +
                              token + "\r\n\r\n")) {
      return big_connection.error();
    }
    const HttpResponse first = big_connection.ReadAnswer(std::chrono::seconds(30));
    if (first.status != 200) {
      return fmt::format("GET: {} {}{}", first.status, first.error, first.body);
    }
    const std::string head = fmt::format(
        "POST /api/v1/attempts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\n"
        "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        token, big.body.size());
    if (!big_connection.Write(head + big.body.substr(0, sent_first))) {
      return big_connection.error();
    }
    if (!big_connection.WaitAcknowledged(std::chrono::seconds(10 * COHORT_TIME_FACTOR))) {
      return "the server's TCP did not acknowledge the request's first bytes";
    }
    return "";
  }();
  if (!in_flight.empty()) {
    phase = 2;
    for (std::thread& t : clients) t.join();
    FAIL() << "the request to have in flight at the signal: " << in_flight;
  }
  const auto signalled = std::chrono::steady_clock::now();
  server->Signal(SIGTERM);
  HttpResponse big_answer;
  std::thread big_post([&] {
    if (!big_connection.Write(std::string_view(big.body).substr(sent_first),
                              std::chrono::seconds(30))) {
      big_answer.error = big_connection.error();
      return;
    }
    big_answer = big_connection.ReadAnswer(std::chrono::seconds(30));
  });
  const int code = server->WaitForExit();
  big_post.join();
  const double shutdown_ms = MsSince(signalled);
  phase = 2;
  for (std::thread& t : clients) t.join();

  EXPECT_EQ(code, 0) << ReadAll(db.string() + ".server.log");
  EXPECT_EQ(big_answer.status, 200) << "the request in flight at the signal: " << big_answer.error;
  EXPECT_EQ(big_answer.body, R"({"accepted":0,"duplicates":10000})");
  EXPECT_LT(shutdown_ms, 12'000 * COHORT_TIME_FACTOR) << "beyond the 10 s shutdown timeout";
  EXPECT_GT(tally.reads_ok.load(), reads_before) << "no read was running at the signal";
  EXPECT_GT(tally.duplicate_acked.load(), duplicates_before) << "no write at the signal";
  for (const std::string& b : tally.bad) ADD_FAILURE() << b;
  // Closed cleanly: the last connection checkpointed the WAL and removed it.
  const std::filesystem::path wal = db.string() + "-wal";
  EXPECT_TRUE(!std::filesystem::exists(wal) || std::filesystem::file_size(wal) == 0)
      << "the WAL was left with " << std::filesystem::file_size(wal) << " bytes";
  EXPECT_NE(ReadAll(db.string() + ".server.log").find("stopped"), std::string::npos);

  const std::map<std::string, int> stored = StoredAttempts(db);
  std::size_t acked_attempts = 0, stored_rows = 0;
  for (const Posted& p : tally.posted) {
    std::size_t present = 0;
    for (const std::string& id : p.batch.ids) present += stored.count(id);
    if (p.acked) {
      EXPECT_EQ(present, p.batch.ids.size()) << "acknowledged " << p.batch.ids[0] << " lost";
      acked_attempts += present;
    } else {
      EXPECT_TRUE(present == 0 || present == p.batch.ids.size()) << p.batch.ids[0];
    }
    stored_rows += present;
  }
  for (const std::string& id : big.ids) stored_rows += stored.count(id);
  EXPECT_EQ(stored.count(big.ids.front()) + stored.count(big.ids.back()), 2u);
  EXPECT_EQ(stored.size(), stored_rows);
  EXPECT_EQ(IntegrityCheck(db), "ok");

  // The next start: no WAL to recover, and the views of just before the signal.
  const std::size_t log_before = ReadAll(db.string() + ".server.log").size();
  const auto restarted = std::chrono::steady_clock::now();
  server = std::make_unique<ServerProcess>(db);
  ASSERT_TRUE(server->started());
  const double restart_ms = MsSince(restarted);
  ExpectSameViews(before, Views(server->port(), token), "after SIGTERM and a restart");
  EXPECT_EQ(server->StopWith(SIGTERM), 0);
  const std::string second_log = ReadAll(db.string() + ".server.log").substr(log_before);
  EXPECT_EQ(second_log.find("recover"), std::string::npos) << second_log;
  std::cout << fmt::format(
      "shutdown_test figures: {} batches ({} attempts) acknowledged, {} duplicate re-posts, {} "
      "reads answered, {} clean 503s, {} refused after the signal; SIGTERM to exit {:.0f} ms; "
      "restart {:.0f} ms\n",
      tally.posted.size(), acked_attempts, tally.duplicate_acked.load(), tally.reads_ok.load(),
      tally.unavailable.load(), tally.refused.load(), shutdown_ms, restart_ms);
}

}  // namespace
}  // namespace cohort::testing

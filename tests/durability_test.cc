// Acknowledged data is never lost: a client streams attempt batches to the real `cohort serve`,
// the test kills it with SIGKILL mid-stream, and checks the database after each kill.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "process_test_support.h"
#include "store/store.h"
#include "support/http_client.h"

namespace cohort::testing {
namespace {

constexpr int kAttemptsPerBatch = 200;
constexpr int kResponsesPerAttempt = 5;

std::string BatchBody(int batch) {
  std::string body = "[";
  for (int i = 0; i < kAttemptsPerBatch; ++i) {
    if (i) body += ",";
    body += fmt::format(
        R"({{"id":"b{}-{}","user":"u{}","course":"py","exercise":"e{}",)"
        R"("started_at":"2026-01-0{}T10:00:00Z","responses":[)",
        batch, i, i % 20, i % 4, 1 + batch % 9);
    for (int r = 0; r < kResponsesPerAttempt; ++r) {
      if (r) body += ",";
      body += fmt::format(R"({{"question":"q{}","correct":{},"time_ms":1000}})", r,
                          (i + r) % 3 ? "true" : "false");
    }
    body += "]}";
  }
  return body + "]";
}

// Sets up an account, a token, a course and 20 users; returns the ingest token.
std::string Prepare(const std::filesystem::path& db) {
  EXPECT_EQ(RunCohort({"account", "create", "acme", "--name", "Acme", "--db", db.string()})
                .exit_code,
            0);
  CommandResult token =
      RunCohort({"--db", db.string(), "token", "create", "--account", "acme", "--scope", "ingest"});
  EXPECT_EQ(token.exit_code, 0) << token.err;
  std::string secret = token.out.substr(0, token.out.find('\n'));
  ServerProcess server(db);
  EXPECT_TRUE(server.started());
  HttpClient client("127.0.0.1", server.port());
  const HeaderList auth = {{"Authorization", "Bearer " + secret}};
  EXPECT_EQ(client
                .Send("PUT", "/api/v1/courses/py",
                      R"({"title":"Python","chapters":[{"key":"c1","title":"One","exercises":[
                  {"key":"e0","title":"E0"},{"key":"e1","title":"E1"},{"key":"e2","title":"E2"},
                  {"key":"e3","title":"E3"}]}]})",
                      auth)
                .status,
            200);
  for (int u = 0; u < 20; ++u) {
    EXPECT_EQ(client
                  .Send("PUT", fmt::format("/api/v1/users/u{}", u),
                        fmt::format(R"({{"name":"User {}","email":"u{}@acme.example"}})", u, u),
                        auth)
                  .status,
              200);
  }
  EXPECT_EQ(server.StopWith(SIGTERM), 0);
  return secret;
}

TEST(DurabilityTest, EveryAcknowledgedBatchSurvivesSigkillAndNoneIsHalfApplied) {
  TempDir dir;
  const std::filesystem::path db = dir.path() / "durable.db";
  const std::string token = Prepare(db);
  const HeaderList auth = {{"Authorization", "Bearer " + token}};
  std::set<int> acked;
  std::set<int> sent;
  std::mt19937 rng(12345);
  int next_batch = 0;
  constexpr int kRounds = 6;
  for (int round = 0; round < kRounds; ++round) {
    ServerProcess server(db);
    ASSERT_TRUE(server.started()) << "round " << round;
    std::atomic<bool> stop{false};
    std::atomic<int> acked_now{0};
    std::vector<int> round_acked;
    std::thread streamer([&] {
      HttpClient client("127.0.0.1", server.port(), std::chrono::seconds(10));
      while (!stop.load()) {
        const int batch = next_batch++;
        sent.insert(batch);
        HttpResponse r = client.Send("POST", "/api/v1/attempts", BatchBody(batch), auth);
        if (r.status == 200) {
          round_acked.push_back(batch);
          ++acked_now;
        } else {
          break;  // the server is gone (status 0): this batch's fate is unknown
        }
      }
    });
    // Kill at a random moment once the stream is flowing (a loaded machine may take a while
    // to start the server and acknowledge the first batch).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (acked_now.load() == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 400));
    server.StopWith(SIGKILL);
    stop = true;
    streamer.join();
    acked.insert(round_acked.begin(), round_acked.end());
    EXPECT_FALSE(round_acked.empty()) << "round " << round << " acknowledged nothing";

    Result<std::unique_ptr<store::Store>> opened = store::OpenSqliteStore(db.string());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store::Store& store = *opened.value();
    Result<store::AccountRecord> account = store.FindAccount("acme");
    ASSERT_TRUE(account.ok());
    std::int64_t complete_batches = 0;
    for (int batch : sent) {
      int present = 0;
      for (int i = 0; i < kAttemptsPerBatch; ++i) {
        Result<domain::Attempt> a = store.GetAttempt(account->id, fmt::format("b{}-{}", batch, i));
        if (a.ok()) {
          ++present;
          EXPECT_EQ(a->responses.size(), static_cast<std::size_t>(kResponsesPerAttempt));
        }
      }
      if (acked.count(batch)) {
        EXPECT_EQ(present, kAttemptsPerBatch) << "acknowledged batch " << batch << " lost";
      } else {
        EXPECT_TRUE(present == 0 || present == kAttemptsPerBatch)
            << "batch " << batch << " half applied: " << present;
      }
      if (present == kAttemptsPerBatch) ++complete_batches;
    }
    Result<store::TableCounts> counts = store.Counts(account->id);
    ASSERT_TRUE(counts.ok());
    // Exactly once: no attempt or response stored twice.
    EXPECT_EQ(counts->attempts, complete_batches * kAttemptsPerBatch);
    EXPECT_EQ(counts->responses, complete_batches * kAttemptsPerBatch * kResponsesPerAttempt);
  }
  EXPECT_GE(acked.size(), static_cast<std::size_t>(kRounds));
}

TEST(DurabilityTest, SigtermFinishesCleanlyAndRepostsAreDuplicates) {
  TempDir dir;
  const std::filesystem::path db = dir.path() / "clean.db";
  const std::string token = Prepare(db);
  const HeaderList auth = {{"Authorization", "Bearer " + token}};
  {
    ServerProcess server(db);
    ASSERT_TRUE(server.started());
    HttpClient client("127.0.0.1", server.port());
    for (int b = 0; b < 3; ++b) {
      ASSERT_EQ(client.Send("POST", "/api/v1/attempts", BatchBody(b), auth).status, 200);
    }
    EXPECT_EQ(server.StopWith(SIGTERM), 0);
  }
  ServerProcess server(db);
  ASSERT_TRUE(server.started());
  HttpClient client("127.0.0.1", server.port());
  for (int b = 0; b < 3; ++b) {
    HttpResponse r = client.Send("POST", "/api/v1/attempts", BatchBody(b), auth);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, fmt::format(R"({{"accepted":0,"duplicates":{}}})", kAttemptsPerBatch));
  }
  EXPECT_EQ(server.StopWith(SIGTERM), 0);
}

}  // namespace
}  // namespace cohort::testing

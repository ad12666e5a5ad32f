// Crash safety (issue 8): several clients stream attempt batches to the real `cohort serve`,
// which is killed with SIGKILL at random moments and restarted, many times. After each kill the
// SQLite file holds every acknowledged attempt exactly once and no batch in part; re-posts of
// acknowledged batches are duplicates, conflicting ones 409; and at several rounds and at the
// end, the long-running server (its engine fed batch by batch since it started) answers every
// view byte-identically to a second server that rebuilt from a copy of the file. A `cohort
// import` killed mid-run leaves its file wholly in or wholly out.
//
// The seed is random and printed; COHORT_CRASH_SEED=N repeats a run.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "process_test_support.h"
#include "reliability_support.h"

namespace cohort::testing {
namespace {

// SIGKILLs of the server: 22; 8 in the sanitizer builds (COHORT_TIME_FACTOR 10), which look
// for memory and thread errors on the same paths and would otherwise take minutes.
constexpr int kRounds = COHORT_TIME_FACTOR == 1 ? 22 : 8;
constexpr int kClients = 3;     // concurrent streaming clients
constexpr int kMaxBatch = 250;  // attempts per batch: 1..kMaxBatch
// Rounds after which every view is compared with a fresh rebuild (and after the last).
const std::set<int> kViewCheckRounds = {kRounds / 5, kRounds / 2, 3 * kRounds / 4};

std::uint64_t Seed() {
  if (const char* s = std::getenv("COHORT_CRASH_SEED")) return std::strtoull(s, nullptr, 10);
  return std::random_device{}();
}

// What the test knows of one batch it sent.
struct Sent {
  Batch batch;
  std::uint64_t seed = 0;
  bool acked = false;
};

// Every batch sent so far, shared by the streaming threads.
class Ledger {
 public:
  int Add(Batch batch, std::uint64_t seed) {
    std::lock_guard lock(mu_);
    sent_.push_back({std::move(batch), seed, false});
    return static_cast<int>(sent_.size()) - 1;
  }
  void Ack(int index) {
    std::lock_guard lock(mu_);
    sent_[static_cast<std::size_t>(index)].acked = true;
  }
  std::vector<Sent> Snapshot() {
    std::lock_guard lock(mu_);
    return sent_;
  }
  int size() {
    std::lock_guard lock(mu_);
    return static_cast<int>(sent_.size());
  }

 private:
  std::mutex mu_;
  std::vector<Sent> sent_;
};

// Clients that post batches to one server until stopped or until the server is gone.
class Streamers {
 public:
  Streamers(std::uint16_t port, const std::string& token, Ledger& ledger, std::uint64_t seed)
      : port_(port), token_(token), ledger_(ledger), seed_(seed) {}
  ~Streamers() { Stop(); }

  void Start() {
    stop_ = false;
    for (int c = 0; c < kClients; ++c) {
      threads_.emplace_back([this, c] { Run(c); });
    }
  }
  void Stop() {
    stop_ = true;
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }
  int acked() const { return acked_.load(); }
  int failures() const { return failures_.load(); }

 private:
  void Run(int client_index) {
    HttpClient client("127.0.0.1", port_, std::chrono::seconds(20));
    const HeaderList auth = Bearer(token_);
    std::mt19937_64 rng(seed_ * 7919 + static_cast<std::uint64_t>(client_index) + 1 +
                        static_cast<std::uint64_t>(generation_++) * 131);
    while (!stop_.load()) {
      const std::uint64_t seed = rng();
      const int count = 1 + static_cast<int>(rng() % kMaxBatch);
      const std::string tag = fmt::format("s{}", next_tag_++);
      Batch batch = MakeBatch(tag, count, seed);
      const std::string body = batch.body;
      const int at = ledger_.Add(std::move(batch), seed);
      HttpResponse r = client.Send("POST", "/api/v1/attempts", body, auth);
      if (r.status == 200) {
        ledger_.Ack(at);
        ++acked_;
        const nlohmann::json answer = nlohmann::json::parse(r.body, nullptr, false);
        if (answer.value("accepted", -1) != count || answer.value("duplicates", -1) != 0) {
          ++failures_;
          ADD_FAILURE() << tag << " answered " << r.body;
        }
      } else if (r.status != 0) {
        ++failures_;
        ADD_FAILURE() << tag << ": " << r.status << " " << r.body;
        return;
      } else {
        return;  // the server is gone: this batch's fate is unknown
      }
    }
  }

  std::uint16_t port_;
  std::string token_;
  Ledger& ledger_;
  std::uint64_t seed_;
  std::atomic<bool> stop_{false};
  std::atomic<int> acked_{0}, failures_{0}, generation_{0};
  static inline std::atomic<int> next_tag_{0};
  std::vector<std::thread> threads_;
};

// Checks the file against the ledger: acknowledged batches wholly present with every response,
// others wholly present or wholly absent, nothing else stored besides `other` (imports).
// Returns the number of stored attempts.
std::size_t CheckStored(const std::filesystem::path& db, const std::vector<Sent>& sent,
                        const std::map<std::string, int>& other, const std::string& when) {
  std::map<std::string, int> stored = StoredAttempts(db);
  std::size_t expected_rows = 0;
  for (const Sent& s : sent) {
    std::size_t present = 0;
    for (std::size_t i = 0; i < s.batch.ids.size(); ++i) {
      auto it = stored.find(s.batch.ids[i]);
      if (it == stored.end()) continue;
      ++present;
      EXPECT_EQ(it->second, s.batch.responses[i]) << when << ": " << s.batch.ids[i];
    }
    if (s.acked) {
      EXPECT_EQ(present, s.batch.ids.size())
          << when << ": acknowledged batch " << s.batch.ids[0] << " lost attempts";
    } else {
      EXPECT_TRUE(present == 0 || present == s.batch.ids.size())
          << when << ": unacknowledged batch " << s.batch.ids[0] << " half applied: " << present
          << " of " << s.batch.ids.size();
    }
    expected_rows += present;
  }
  for (const auto& [id, responses] : other) {
    auto it = stored.find(id);
    if (it != stored.end()) {
      ++expected_rows;
      EXPECT_EQ(it->second, responses) << when << ": " << id;
    }
  }
  EXPECT_EQ(stored.size(), expected_rows) << when << ": attempts stored that nobody sent";
  return stored.size();
}

// The attempt ids the API shows across every exercise history: each acknowledged attempt once.
std::multiset<std::string> AttemptsShownByApi(const std::map<std::string, std::string>& views) {
  std::multiset<std::string> ids;
  for (const auto& [target, body] : views) {
    if (target.find("/exercises/") == std::string::npos) continue;
    const nlohmann::json page = nlohmann::json::parse(body, nullptr, false);
    if (!page.is_object()) continue;
    for (const nlohmann::json& row : page["rows"]) ids.insert(row.value("attempt", ""));
  }
  return ids;
}

// The import part: a large JSON file, `cohort import` killed at a random point of its run (the
// run's length: the shortest unkilled import so far), and the file checked whole in or out.
struct ImportFigures {
  int killed = 0, completed = 0, killed_in = 0;
  double full_ms = 0;
};

std::map<std::string, int> KillImports(const std::filesystem::path& dir,
                                       const std::filesystem::path& db, std::mt19937_64& rng,
                                       ImportFigures& figures) {
  constexpr int kFiles = 5;
  constexpr int kAttemptsPerFile = 30'000;
  std::map<std::string, int> imported;  // what ended in the store
  std::vector<Batch> files;
  for (int f = 0; f < kFiles; ++f) {
    files.push_back(MakeBatch(fmt::format("imp{}", f), kAttemptsPerFile, rng()));
    std::ofstream(dir / fmt::format("import{}.json", f)) << files.back().body;
  }
  const std::filesystem::path log = dir / "import.log";
  auto run = [&](int f, std::optional<double> kill_after_ms) {
    const auto started = std::chrono::steady_clock::now();
    const pid_t pid = SpawnCohort({"import", "--account", "acme", "--db", db.string(),
                                   (dir / fmt::format("import{}.json", f)).string()},
                                  log);
    if (kill_after_ms) {
      std::this_thread::sleep_for(
          std::chrono::microseconds(static_cast<int>(*kill_after_ms * 1000)));
      kill(pid, SIGKILL);
    }
    const int code = WaitChild(pid);
    // The shortest whole run so far: runs vary (a loaded machine, sanitizer builds), and a kill
    // aimed past the end of a faster run would not land.
    if (code == 0 && (figures.full_ms == 0 || MsSince(started) < figures.full_ms)) {
      figures.full_ms = MsSince(started);
    }
    return code;
  };
  auto check = [&](int f, const std::string& when) {
    std::map<std::string, int> stored = StoredAttempts(db);
    std::size_t present = 0;
    for (const std::string& id : files[static_cast<std::size_t>(f)].ids)
      present += stored.count(id);
    EXPECT_TRUE(present == 0 || present == files[static_cast<std::size_t>(f)].ids.size())
        << when << ": import file " << f << " half applied: " << present;
    return present != 0;
  };
  EXPECT_EQ(run(0, std::nullopt), 0) << ReadAll(log);
  EXPECT_TRUE(check(0, "complete import"));
  for (int f = 1; f < kFiles; ++f) {
    // The first anywhere in the first half of the run (it lands); the later files aim at the
    // end of the run, where the transaction commits and the WAL is synced.
    const double from = f == 1 ? 0.05 : 0.75, to = f == 1 ? 0.5 : 1.1;
    std::uniform_real_distribution<double> at(from * figures.full_ms, to * figures.full_ms);
    const double kill_ms = at(rng);
    const int code = run(f, kill_ms);
    const bool in = check(f, fmt::format("import {} killed at {:.0f} ms", f, kill_ms));
    std::cout << fmt::format("import {} killed at {:.0f} ms of {:.0f}: exit {}, file {}\n", f,
                             kill_ms, figures.full_ms, code, in ? "in" : "out");
    if (code == 128 + SIGKILL) {
      ++figures.killed;
      if (in) ++figures.killed_in;
    } else {
      EXPECT_EQ(code, 0);
      EXPECT_TRUE(in);
      ++figures.completed;
    }
    if (!in) {  // the killed import leaves nothing that stops it from running again
      EXPECT_EQ(run(f, std::nullopt), 0) << ReadAll(log);
      EXPECT_TRUE(check(f, "import re-run"));
    }
  }
  KeepChildLog(log);
  for (const Batch& file : files) {
    for (std::size_t i = 0; i < file.ids.size(); ++i) imported[file.ids[i]] = file.responses[i];
  }
  EXPECT_GE(figures.killed, 1) << "no kill landed inside an import run";
  return imported;
}

TEST(CrashTest, RandomSigkillsLoseNothingApplyNothingHalfwayAndViewsEqualAFreshRebuild) {
  const std::uint64_t seed = Seed();
  std::cout << "crash_test seed: " << seed << " (COHORT_CRASH_SEED=" << seed
            << " repeats this run)\n";
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  const auto test_started = std::chrono::steady_clock::now();
  TempDir dir;
  const std::filesystem::path db = dir.path() / "crash.db";
  const std::string token = CreateAccountWithToken(db, "read,ingest");
  const HeaderList auth = Bearer(token);
  {
    ServerProcess server(db);
    ASSERT_TRUE(server.started());
    HttpClient client("127.0.0.1", server.port());
    PutCatalog(client, auth);
    ASSERT_EQ(server.StopWith(SIGTERM), 0);
  }

  // The import part runs on a copy of this catalog-only file, so that the server rounds below
  // do not rebuild its attempts at every start.
  ImportFigures import_figures;
  const std::filesystem::path import_db = dir.path() / "import.db";
  ASSERT_EQ(RunCohort({"backup", "--db", db.string(), "-o", import_db.string()}).exit_code, 0);
  const std::map<std::string, int> import_ids =
      KillImports(dir.path(), import_db, rng, import_figures);
  EXPECT_EQ(StoredAttempts(import_db).size(), import_ids.size());
  EXPECT_EQ(IntegrityCheck(import_db), "ok");
  const std::map<std::string, int> imported;  // nothing imported into `db` itself
  const double import_phase_s = MsSince(test_started) / 1000;

  Ledger ledger;
  std::vector<double> restart_ms, rebuild_ms, kill_after_ms;
  int reposts = 0, conflicts = 0, resolved = 0, resolved_in = 0, view_checks = 0;
  auto repost_checks = [&](std::uint16_t port) {
    // After a restart: an acknowledged batch again is all duplicates; one of its attempts with
    // other content is a 409 naming it; a batch of unknown fate (sent when the server died)
    // again is applied whole or was already whole.
    HttpClient client("127.0.0.1", port, std::chrono::seconds(20));
    std::vector<Sent> sent = ledger.Snapshot();
    std::vector<int> acked, unknown;
    for (std::size_t i = 0; i < sent.size(); ++i) {
      (sent[i].acked ? acked : unknown).push_back(static_cast<int>(i));
    }
    if (!acked.empty()) {
      const Sent& s = sent[static_cast<std::size_t>(acked[rng() % acked.size()])];
      HttpResponse r = client.Send("POST", "/api/v1/attempts", s.batch.body, auth);
      EXPECT_EQ(r.status, 200) << r.body << r.error;
      EXPECT_EQ(r.body, fmt::format(R"({{"accepted":0,"duplicates":{}}})", s.batch.ids.size()));
      ++reposts;
      const std::string tag = s.batch.ids[0].substr(0, s.batch.ids[0].rfind('-'));
      const Batch changed = MakeBatch(tag, 1, s.seed + 1);
      HttpResponse conflict = client.Send("POST", "/api/v1/attempts", changed.body, auth);
      EXPECT_EQ(conflict.status, 409) << conflict.body;
      EXPECT_NE(conflict.body.find(s.batch.ids[0]), std::string::npos) << conflict.body;
      ++conflicts;
    }
    for (int i : unknown) {
      const Sent& s = sent[static_cast<std::size_t>(i)];
      HttpResponse r = client.Send("POST", "/api/v1/attempts", s.batch.body, auth);
      ASSERT_EQ(r.status, 200) << r.body << r.error;
      const nlohmann::json answer = nlohmann::json::parse(r.body);
      const std::size_t accepted = answer.value("accepted", 0u);
      EXPECT_TRUE(accepted == 0 || accepted == s.batch.ids.size()) << r.body;
      EXPECT_EQ(accepted + answer.value("duplicates", 0u), s.batch.ids.size()) << r.body;
      ledger.Ack(i);
      ++resolved;
      if (accepted == 0) ++resolved_in;  // committed before the kill, the answer lost
    }
  };
  auto compare_views = [&](ServerProcess& server, const std::string& when) {
    const std::map<std::string, std::string> live = Views(server.port(), token);
    double ms = 0;
    const std::map<std::string, std::string> fresh =
        RebuiltViews(db, dir.path() / "copy.db", token, &ms);
    rebuild_ms.push_back(ms);
    ExpectSameViews(fresh, live, when + ": live server vs a fresh rebuild");
    ++view_checks;
    return live;
  };

  std::size_t stored = 0;
  for (int round = 0; round < kRounds; ++round) {
    const auto started = std::chrono::steady_clock::now();
    ServerProcess server(db);
    ASSERT_TRUE(server.started()) << "round " << round;
    restart_ms.push_back(MsSince(started));
    repost_checks(server.port());
    Streamers streamers(server.port(), token, ledger, rng());
    streamers.Start();
    auto wait_for_acks = [&](int n) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (streamers.acked() < n && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    };
    if (kViewCheckRounds.count(round)) {
      wait_for_acks(6);
      streamers.Stop();
      compare_views(server, fmt::format("round {}", round));
      streamers.Start();
    }
    // Kill at a random moment once the stream flows: 0-500 ms after the first acknowledgement.
    wait_for_acks(streamers.acked() + 1);
    const int delay = static_cast<int>(rng() % 500);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    kill_after_ms.push_back(delay);
    EXPECT_EQ(server.StopWith(SIGKILL), 128 + SIGKILL);
    streamers.Stop();
    EXPECT_EQ(streamers.failures(), 0) << "round " << round;
    EXPECT_GT(streamers.acked(), 0) << "round " << round << " acknowledged nothing";
    const auto check_started = std::chrono::steady_clock::now();
    stored = CheckStored(db, ledger.Snapshot(), imported, fmt::format("after kill {}", round));
    std::cout << fmt::format(
        "round {}: restart {:.0f} ms, {} batches acknowledged, killed {} ms after an ack, "
        "{} attempts stored (checked in {:.0f} ms), round {:.0f} ms\n",
        round, restart_ms.back(), streamers.acked(), delay, stored, MsSince(check_started),
        MsSince(started));
    if (HasFatalFailure()) return;
  }

  // The last start: settle the batches of unknown fate, stream more (applied incrementally by
  // this server), then every view equals a fresh rebuild's, and the API shows each attempt once.
  ServerProcess server(db);
  ASSERT_TRUE(server.started());
  repost_checks(server.port());
  {
    Streamers streamers(server.port(), token, ledger, rng());
    streamers.Start();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (streamers.acked() < 10 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    streamers.Stop();
    EXPECT_EQ(streamers.failures(), 0);
  }
  const std::vector<Sent> sent = ledger.Snapshot();
  for (const Sent& s : sent) EXPECT_TRUE(s.acked) << s.batch.ids[0] << " still of unknown fate";
  const std::map<std::string, std::string> live = compare_views(server, "final");
  stored = CheckStored(db, sent, imported, "final");
  std::size_t expected = imported.size();
  std::multiset<std::string> expected_ids;
  for (const Sent& s : sent) {
    expected += s.batch.ids.size();
    expected_ids.insert(s.batch.ids.begin(), s.batch.ids.end());
  }
  for (const auto& [id, responses] : imported) expected_ids.insert(id);
  EXPECT_EQ(stored, expected);
  const std::multiset<std::string> shown = AttemptsShownByApi(live);
  EXPECT_EQ(shown.size(), expected_ids.size()) << "attempts the API shows vs acknowledged";
  EXPECT_TRUE(shown == expected_ids) << "the API's attempt ids differ from the acknowledged ones";
  EXPECT_EQ(IntegrityCheck(db), "ok");
  EXPECT_EQ(server.StopWith(SIGTERM), 0);

  std::sort(restart_ms.begin(), restart_ms.end());
  std::cout << fmt::format(
      "crash_test figures: seed {}, {} SIGKILLs, {} batches ({} attempts) acknowledged, "
      "{} imported attempts in the server's file; kill 0-500 ms after an ack; restart (start + "
      "rebuild) median "
      "{:.0f} ms, max {:.0f} ms; fresh-rebuild server start {} checks, max {:.0f} ms; "
      "{} idempotent re-posts, {} conflicting (409), {} unknown-fate batches re-posted ({} of "
      "them already in); "
      "imports of {} attempts: {} killed ({} of them already in), {} finished before the kill, "
      "full import {:.0f} ms, import part {:.1f} s; total {:.1f} s\n",
      seed, kRounds, sent.size(), expected - imported.size(), imported.size(),
      restart_ms[restart_ms.size() / 2], restart_ms.back(), view_checks,
      *std::max_element(rebuild_ms.begin(), rebuild_ms.end()), reposts, conflicts, resolved,
      resolved_in, import_ids.size(), import_figures.killed, import_figures.killed_in,
      import_figures.completed, import_figures.full_ms, import_phase_s,
      MsSince(test_started) / 1000);
}

}  // namespace
}  // namespace cohort::testing

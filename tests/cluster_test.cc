// The cluster test (issue 17): a PostgreSQL primary with a synchronous streaming standby
// (tests/support/pg_cluster.sh), three `cohort serve` nodes over the pair through libpq's
// multi-host URI, Debian's haproxy in front of them (health-checking /healthz, the
// configuration of docs/deployment.md), writers logging every acknowledged attempt id through
// different nodes and through haproxy, and a prober measuring how soon a write through one node
// shows on another. Mid-load nodes are killed with SIGKILL and started again, ten times, and
// twice the primary dies, the standby is promoted and the dead server rejoins as its standby.
// Afterwards every acknowledged attempt is stored (once: attempt ids are unique), and every
// view is byte-identical on all nodes and on a node started fresh.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/subprocess.h"
#include "process_test_support.h"
#include "store/store.h"
#include "support/http_client.h"

namespace cohort::testing {
namespace {

using Clock = std::chrono::steady_clock;

const std::string kScript = std::string(COHORT_SOURCE_DIR) + "/tests/support/pg_cluster.sh";

std::string TokenOf(const std::string& out) {
  const std::size_t at = out.find("API token (read, ingest): ");
  if (at == std::string::npos) return "";
  const std::size_t start = out.find("coh_", at);
  return out.substr(start, out.find('\n', start) - start);
}

HttpResponse Get(std::uint16_t port, const std::string& token, const std::string& target) {
  return SendOnce("127.0.0.1", port, "GET", target, "", {{"Authorization", "Bearer " + token}});
}

bool Eventually(const std::function<bool()>& done, double seconds) {
  const auto until = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// The views compared across nodes: All courses, each course, every league sort's first page,
// the group league, the report (JSON and CSV), and a sample of user and history views.
std::vector<std::string> ViewTargets(std::uint16_t port, const std::string& token,
                                     const std::string& exercise) {
  std::vector<std::string> targets = {"/api/v1/courses", "/api/v1/report?limit=500",
                                      "/api/v1/report?format=csv"};
  const nlohmann::json courses = nlohmann::json::parse(Get(port, token, "/api/v1/courses").body);
  for (const nlohmann::json& row : courses["rows"]) {
    const std::string c = row["course"];
    targets.push_back("/api/v1/courses/" + c);
    for (const char* sort : {"rank", "name", "mastery", "progress", "completed_at", "certified_at",
                             "score", "points", "time", "last_active"}) {
      targets.push_back(fmt::format("/api/v1/courses/{}/users?sort={}", c, sort));
    }
    targets.push_back("/api/v1/courses/" + c + "/groups");
    for (const char* user : {"u0001", "u0007", "u0013", "u0029"}) {
      targets.push_back(fmt::format("/api/v1/courses/{}/users/{}", c, user));
    }
  }
  const std::string first = courses["rows"][0]["course"];
  targets.push_back(
      fmt::format("/api/v1/courses/{}/users/u0001/exercises/{}/attempts", first, exercise));
  return targets;
}

std::string FirstDifference(const std::vector<std::uint16_t>& ports, const std::string& token,
                            const std::vector<std::string>& targets) {
  for (const std::string& target : targets) {
    const HttpResponse first = Get(ports[0], token, target);
    if (first.status != 200) return fmt::format("{} answered {}", target, first.status);
    for (std::size_t i = 1; i < ports.size(); ++i) {
      const HttpResponse other = Get(ports[i], token, target);
      if (other.status != first.status || other.body != first.body) {
        return fmt::format("{} differs on node {}", target, i);
      }
    }
  }
  return "";
}

// A port nothing listens on now (the kernel's choice), for haproxy's frontend.
std::uint16_t FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fmt::format("/tmp/cohort-cluster-{}", getpid());
    subprocess::Result started = subprocess::Run({"sh", kScript, "start", dir_});
    ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
    uri_ = fmt::format(
        "postgresql:///cohort?host={0}/as,{0}/bs&port=5501,5502&user=postgres&"
        "target_session_attrs=read-write&connect_timeout=2",
        dir_);
  }
  void TearDown() override {
    balancer_.reset();
    nodes_.clear();
    subprocess::Run({"sh", kScript, "stop", dir_});
  }
  // Starts node `slot` on `port` (0: any free one).
  void StartNode(std::size_t slot, std::uint16_t port = 0) {
    if (nodes_.size() <= slot) nodes_.resize(slot + 1);
    nodes_[slot] = std::make_unique<ServerProcess>(
        std::vector<std::string>{"serve", "--db", uri_, "--listen",
                                 fmt::format("127.0.0.1:{}", port)},
        std::filesystem::path(logs_.path()) / fmt::format("node{}.log", slot));
  }
  // haproxy in front of the first three nodes, as docs/deployment.md configures it.
  void StartBalancer() {
    balancer_port_ = FreePort();
    const std::filesystem::path config = std::filesystem::path(logs_.path()) / "haproxy.cfg";
    std::ofstream out(config);
    out << fmt::format(
        "global\n  maxconn 512\n"
        "defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n"
        "  timeout server 30s\n  option redispatch\n  retries 2\n"
        "frontend cohort\n  bind 127.0.0.1:{}\n  default_backend nodes\n"
        "backend nodes\n  balance roundrobin\n  option httpchk GET /healthz\n"
        "  http-check expect status 200\n  default-server inter 200ms fall 2 rise 2\n",
        balancer_port_);
    for (std::size_t i = 0; i < 3; ++i) {
      out << fmt::format("  server n{} 127.0.0.1:{} check\n", i, nodes_[i]->port());
    }
    out.close();
    balancer_ = std::make_unique<subprocess::Child>(
        std::vector<std::string>{"haproxy", "-db", "-f", config.string()},
        (std::filesystem::path(logs_.path()) / "haproxy.log").string());
  }
  bool Healthy(std::size_t slot) {
    return SendOnce("127.0.0.1", nodes_[slot]->port(), "GET", "/healthz", "", {}).status == 200;
  }

  std::string dir_, uri_;
  TempDir logs_;
  std::vector<std::unique_ptr<ServerProcess>> nodes_;
  std::unique_ptr<subprocess::Child> balancer_;
  std::uint16_t balancer_port_ = 0;
};

TEST_F(ClusterTest, ThreeNodesLoseNothingThroughTenNodeKillsAndTwoFailovers) {
  subprocess::Result demo = RunCohort(
      {"demo", "--users", "60", "--courses", "2", "--seed", "11", "--db", uri_});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  const std::string token = TokenOf(demo.out);
  for (std::size_t i = 0; i < 3; ++i) StartNode(i);
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(nodes_[i]->started());
    ASSERT_TRUE(Eventually([&] { return Healthy(i); }, 20)) << "node " << i;
  }
  StartBalancer();
  ASSERT_TRUE(balancer_->running());
  ASSERT_TRUE(Eventually([&] { return Get(balancer_port_, token, "/api/v1/courses").status == 200; },
                         20));
  const nlohmann::json courses =
      nlohmann::json::parse(Get(nodes_[0]->port(), token, "/api/v1/courses").body);
  const std::string course = courses["rows"][0]["course"];
  const nlohmann::json person = nlohmann::json::parse(
      Get(nodes_[0]->port(), token, "/api/v1/courses/" + course + "/users/u0001").body);
  std::vector<std::string> exercises;
  for (const nlohmann::json& e : person["exercises"]) exercises.push_back(e["exercise"]);
  ASSERT_GE(exercises.size(), 2u);

  // A node that restarts keeps its port (haproxy's configuration names it).
  const std::vector<std::uint16_t> ports = {nodes_[0]->port(), nodes_[1]->port(),
                                            nodes_[2]->port(), balancer_port_};
  auto port_of = [&](std::size_t i) { return ports[i % ports.size()]; };

  std::atomic<bool> stop{false};
  std::mutex acked_mu;
  std::set<std::string> acked;
  std::atomic<int> refused{0};
  // Every answer to a write that was not 200, by status (0: no answer, a node down); through
  // haproxy, by 1000 + status (haproxy answers 502 itself for a request its node died under).
  std::mutex statuses_mu;
  std::map<int, int> statuses;
  auto writer = [&](int w) {
    for (int n = 0; !stop; ++n) {
      std::string body = "[";
      std::vector<std::string> ids;
      for (int k = 0; k < 5; ++k) {
        const std::string id = fmt::format("w{}-{}-{}", w, n, k);
        ids.push_back(id);
        body += fmt::format(
            R"({}{{"id": "{}", "user": "u{:04}", "course": "{}", "exercise": "{}",
                "started_at": "2026-12-0{}T10:{:02}:{:02}Z",
                "responses": [{{"question": "q1", "correct": {}, "time_ms": 1500}}]}})",
            k ? "," : "", id, (w * 7 + n + k) % 58 + 1, course,
            exercises[static_cast<std::size_t>(n + k) % exercises.size()], 1 + n % 5, n % 60,
            k * 7, (n + k) % 3 ? "true" : "false");
      }
      body += "]";
      // The same batch again, through the next node, until a node acknowledges it: a re-sent
      // attempt counts once.
      for (int tries = 0;; ++tries) {
        const std::uint16_t port = port_of(static_cast<std::size_t>(w + n + tries));
        const HttpResponse r = SendOnce(
            "127.0.0.1", port, "POST", "/api/v1/attempts", body,
            {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}},
            std::chrono::seconds(10));
        if (r.status == 200) {
          std::lock_guard lock(acked_mu);
          acked.insert(ids.begin(), ids.end());
          break;
        }
        ++refused;
        {
          std::lock_guard lock(statuses_mu);
          const int via = port == balancer_port_ ? 1000 : 0;
          ++statuses[via + r.status];
          if (via == 0 && r.status == 503 && r.Header("retry-after").empty()) ++statuses[-503];
        }
        if (stop && tries >= 100) break;  // never acknowledged: nothing to check
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  };
  // Freshness: a write through node 0, then node 1 polled (no Cohort-Min-Seq) until it shows,
  // timed from the write's acknowledgement.
  std::vector<double> freshness_ms;
  auto prober = [&] {
    const std::string view = "/api/v1/courses/" + course + "/users/u0060";
    for (int n = 0; !stop; ++n) {
      const std::string before = Get(port_of(1), token, view).body;
      const std::string body = fmt::format(
          R"([{{"id": "p{}", "user": "u0060", "course": "{}", "exercise": "{}",
                "started_at": "2026-12-04T09:{:02}:{:02}Z",
                "responses": [{{"question": "q1", "correct": true, "time_ms": 800}}]}}])",
          n, course, exercises[0], n / 60 % 60, n % 60);
      const auto sent = Clock::now();
      const HttpResponse r = SendOnce(
          "127.0.0.1", port_of(0), "POST", "/api/v1/attempts", body,
          {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
      if (r.status == 200) {
        const auto committed = Clock::now();  // acknowledged: committed and applied on node 0
        {
          std::lock_guard lock(acked_mu);
          acked.insert(fmt::format("p{}", n));
        }
        while (!stop && Clock::now() - sent < std::chrono::seconds(5)) {
          const HttpResponse seen = Get(port_of(1), token, view);
          if (seen.status == 200 && seen.body != before) {
            freshness_ms.push_back(
                std::chrono::duration<double, std::milli>(Clock::now() - committed).count());
            break;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) threads.emplace_back(writer, w);
  threads.emplace_back(prober);

  std::this_thread::sleep_for(std::chrono::seconds(3));
  // Nodes die outright mid-load, one after the other, and come back on their ports.
  int kills = 0;
  auto kill_nodes = [&](int times) {
    for (int k = 0; k < times; ++k) {
      const std::size_t slot = static_cast<std::size_t>(kills++ % 3);
      EXPECT_EQ(nodes_[slot]->StopWith(SIGKILL), 128 + SIGKILL) << "node " << slot;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      StartNode(slot, ports[slot]);
      ASSERT_TRUE(nodes_[slot]->started()) << "node " << slot;
      std::this_thread::sleep_for(std::chrono::milliseconds(700));
    }
  };
  // The primary dies mid-load and the standby is promoted; writes go on through it once the
  // nodes have reconnected. Then the dead server rejoins as the new primary's synchronous
  // standby, for the next failover. Returns the seconds until 30 new acknowledgements.
  std::vector<double> failovers_s;
  auto fail_over = [&] {
    const auto failed_at = Clock::now();
    subprocess::Result failed = subprocess::Run({"sh", kScript, "fail", dir_});
    ASSERT_EQ(failed.exit_code, 0) << failed.out << failed.err;
    // Counted from the primary's death, with the acknowledgements of writes that may have
    // committed before it (or after the promotion) left out: an upper bound.
    const std::size_t acked_before = [&] {
      std::lock_guard lock(acked_mu);
      return acked.size();
    }();
    EXPECT_TRUE(Eventually(
        [&] {
          std::lock_guard lock(acked_mu);
          return acked.size() > acked_before + 30;
        },
        30));
    failovers_s.push_back(std::chrono::duration<double>(Clock::now() - failed_at).count());
    subprocess::Result rejoined = subprocess::Run({"sh", kScript, "rejoin", dir_});
    ASSERT_EQ(rejoined.exit_code, 0) << rejoined.out << rejoined.err;
  };
  kill_nodes(5);
  fail_over();
  kill_nodes(5);
  fail_over();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  stop = true;
  for (std::thread& t : threads) t.join();

  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(Eventually([&] { return Healthy(i); }, 20)) << "node " << i;
  }
  // Refusals were 503 with Retry-After (a store failing over) or no answer (a node down):
  // never a 500, never a hang (each write is bounded by its 10 s timeout). Through haproxy,
  // also its own 502/503 while a node is down.
  std::string refusals;
  for (const auto& [status, count] : statuses) refusals += fmt::format(" {}×{}", count, status);
  for (const auto& [status, count] : statuses) {
    EXPECT_TRUE(status == 0 || status == 503 || status == 1000 || status == 1502 ||
                status == 1503)
        << "refusals:" << refusals;
  }
  // Through haproxy too, once every node is healthy again.
  EXPECT_EQ(Get(balancer_port_, token, "/api/v1/courses").status, 200);
  // Every acknowledged attempt is stored.
  Result<std::unique_ptr<store::Store>> store = store::OpenStoreReadOnly(uri_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Result<store::AccountRecord> account = store.value()->FindAccount("demo");
  ASSERT_TRUE(account.ok());
  std::size_t missing = 0;
  for (const std::string& id : acked) {
    if (!store.value()->GetAttempt(account->id, id).ok()) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged attempts";
  EXPECT_GT(acked.size(), 200u);

  // Every view the same on every node and on one started now.
  StartNode(3);
  ASSERT_TRUE(nodes_[3]->started());
  ASSERT_TRUE(Eventually([&] { return Healthy(3); }, 20));
  const std::vector<std::uint16_t> all = {nodes_[0]->port(), nodes_[1]->port(),
                                          nodes_[2]->port(), nodes_[3]->port()};
  const std::vector<std::string> targets = ViewTargets(all[0], token, exercises[0]);
  std::string difference;
  EXPECT_TRUE(Eventually([&] { return (difference = FirstDifference(all, token, targets)).empty(); },
                         10))
      << difference;

  std::printf(
      "cluster: %zu attempts acknowledged (%d refusals retried:%s) through %d node kills and %zu "
      "failovers (%.1f s and %.1f s to the first 30 new acknowledgements), %zu views compared on "
      "4 nodes; cross-node freshness over %zu probes: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
      acked.size(), refused.load(), refusals.c_str(), kills, failovers_s.size(),
      failovers_s.empty() ? 0.0 : failovers_s.front(), failovers_s.empty() ? 0.0 : failovers_s.back(),
      targets.size(), freshness_ms.size(),
      Percentile(freshness_ms, 0.5), Percentile(freshness_ms, 0.99),
      Percentile(freshness_ms, 1.0));
  EXPECT_GT(freshness_ms.size(), 20u);
  EXPECT_EQ(kills, 10);
  EXPECT_EQ(failovers_s.size(), 2u);
}

}  // namespace
}  // namespace cohort::testing

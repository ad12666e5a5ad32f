#include "bench/cluster_side.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <mutex>
#include <regex>
#include <thread>

#include "bench/process.h"
#include "bench/text.h"

namespace cohort::bench {
namespace {

namespace fs = std::filesystem;
using http_client::HeaderList;
using http_client::HttpClient;
using http_client::HttpResponse;

constexpr const char* kPgBin = "/usr/lib/postgresql/15/bin";
constexpr std::chrono::seconds kHttpTimeout{60};
// How long a probe waits for a write to show on another node before the run fails.
constexpr double kVisibleWithinS = 10;

// The writers of the ingest steps: `threads` clients sending the driver's batches, numbered from
// `first`, each to node `nodes[batch % nodes.size()]`, until `count` batches were sent (count
// < 0: until `stop`). Ids and times follow on from every earlier batch, so each is new work.
struct Writers {
  std::atomic<std::int64_t> next{0};
  std::atomic<std::int64_t> sent{0};
  std::atomic<int> failed{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<double> batch_ms;  // guarded by mu
  std::string first_error;       // guarded by mu
  std::vector<std::thread> threads;

  ~Writers() { Join(); }
  void Start(const CohortDriver& cohort, const std::vector<std::uint16_t>& ports,
             const HeaderList& headers, int count_threads, std::int64_t first, std::int64_t count,
             std::vector<std::string> prebuilt) {
    for (int t = 0; t < count_threads; ++t) {
      threads.emplace_back([&, ports, headers, first, count, prebuilt] {
        std::vector<std::unique_ptr<HttpClient>> clients;
        for (std::uint16_t port : ports) {
          clients.push_back(std::make_unique<HttpClient>("127.0.0.1", port, kHttpTimeout));
        }
        for (;;) {
          const std::int64_t i = next++;
          if ((count >= 0 && i >= count) || (count < 0 && stop)) break;
          const std::string body =
              i < static_cast<std::int64_t>(prebuilt.size())
                  ? prebuilt[static_cast<std::size_t>(i)]
                  : cohort.IngestBody(first + i, "c");
          HttpClient& client = *clients[static_cast<std::size_t>(i) % clients.size()];
          const HttpResponse a = client.Send("POST", "/api/v1/attempts", body, headers);
          std::lock_guard<std::mutex> lock(mu);
          if (a.status != 200) {
            if (failed++ == 0) {
              first_error = fmt::format("{} {}{}", a.status, a.error, a.body.substr(0, 300));
            }
            continue;
          }
          ++sent;
          batch_ms.push_back(a.total_ms);
        }
      });
    }
  }
  void Join() {
    stop = true;
    for (std::thread& t : threads) t.join();
    threads.clear();
  }
};

}  // namespace

ClusterSide::~ClusterSide() { Stop(); }

void ClusterSide::Stop() {
  clients_.clear();
  for (Node& n : nodes_) {
    if (n.process) n.process->Stop(SIGTERM);
  }
  nodes_.clear();
  if (pg_started_) {
    run_.Logged(AsPostgres({std::string(kPgBin) + "/pg_ctl", "-D", (pg_dir_ / "data").string(),
                            "-m", "fast", "-w", "stop"}));
    pg_started_ = false;
  }
}

std::vector<std::string> ClusterSide::AsPostgres(std::vector<std::string> argv) const {
  if (geteuid() != 0) return argv;
  argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  return argv;
}

subprocess::Result ClusterSide::Cohort(std::vector<std::string> args) {
  args.insert(args.begin(), {run_.options.cohort_binary, "--db", uri_});
  return run_.Logged(args);
}

bool ClusterSide::Run() {
  const int n = run_.options.cluster_nodes;
  if (n < 2) return run_.Fail("--cluster needs at least 2 nodes (one follower, one writer)");
  figures_["nodes"] = n;
  const bool done = StartPostgres() && Import() && StartNodes() && Ingest() && Probes(true) &&
                    Probes(false);
  // The same run's single-node SQLite figures, where there are some: cluster ÷ SQLite.
  const json& f = run_.figures;
  auto ratio = [&](const char* section, const char* field, const json& cluster) -> json {
    if (!f.contains(section) || !f[section].contains(field) || cluster.is_null()) return nullptr;
    const double sqlite = f[section][field].get<double>();
    return sqlite > 0 ? json(cluster.get<double>() / sqlite) : json(nullptr);
  };
  auto get = [&](const char* a, const char* b) -> json {
    return figures_.contains(a) && figures_[a].contains(b) ? figures_[a][b] : json(nullptr);
  };
  figures_["vs_sqlite"] = {
      {"import_responses_per_s", ratio("import", "responses_per_s", get("import", "responses_per_s"))},
      {"ingest_responses_per_s",
       ratio("http_ingest", "responses_per_s", get("ingest", "responses_per_s"))},
      {"start_s", ratio("start", "rebuild_s", get("start", "median_s"))},
      {"freshness_p99_ms", ratio("freshness", "p99_ms", get("freshness_quiet", "p99_ms"))}};
  run_.figures["cluster"] = figures_;
  return done;
}

bool ClusterSide::StartPostgres() {
  pg_dir_ = run_.dir / "cluster-pg";
  std::error_code ec;
  fs::create_directories(pg_dir_, ec);
  if (geteuid() == 0 && run_.Logged({"chown", "postgres:postgres", pg_dir_.string()}).exit_code != 0) {
    return run_.Fail("cannot give the cluster's PostgreSQL directory to the postgres user");
  }
  const std::string data = (pg_dir_ / "data").string();
  const ProcessResult init = run_.Logged(AsPostgres({std::string(kPgBin) + "/initdb", "-D", data,
                                                     "-A", "trust", "-U", "postgres", "-E", "UTF8",
                                                     "--locale=C", "--no-sync"}));
  if (init.exit_code != 0) return run_.Fail("initdb (cluster): " + init.err.substr(0, 500));
  // Socket only. Commits are synchronous as in docs/deployment.md, but fsync is off: a
  // throwaway server on a shared VM disk measures Cohort, not the disk's flush latency.
  const std::string settings = fmt::format(
      "-c listen_addresses= -k {} -c shared_buffers={} -c fsync=off -c full_page_writes=off "
      "-c max_connections=200 -c max_wal_size=4GB",
      pg_dir_.string(), cohort_.scale().name == "M" ? "2GB" : "256MB");
  figures_["postgres_settings"] = settings;
  const ProcessResult start = run_.Logged(AsPostgres(
      {std::string(kPgBin) + "/pg_ctl", "-D", data, "-l", (pg_dir_ / "postgres.log").string(),
       "-w", "-t", "120", "-o", settings, "start"}));
  if (start.exit_code != 0) {
    return run_.Fail("pg_ctl start (cluster): " + start.err.substr(0, 500) + start.out.substr(0, 500));
  }
  pg_started_ = true;
  const ProcessResult db = run_.Logged({"psql", "-X", "-q", "-h", pg_dir_.string(), "-U", "postgres",
                                        "-d", "postgres", "-c", "CREATE DATABASE cohort_bench"});
  if (db.exit_code != 0) return run_.Fail("CREATE DATABASE: " + db.err.substr(0, 500));
  uri_ = fmt::format("postgresql:///cohort_bench?host={}&user=postgres", pg_dir_.string());
  run_.log("cluster: PostgreSQL started ({})", uri_);
  return true;
}

bool ClusterSide::Import() {
  const std::vector<AccountFiles>& files = cohort_.files();
  for (const AccountFiles& f : files) {
    const ProcessResult r = Cohort({"account", "create", f.account, "--name", "Bench " + f.account});
    if (r.exit_code != 0) return run_.Fail("cohort account create (PostgreSQL): " + r.err);
  }
  const ProcessResult token =
      Cohort({"token", "create", "--account", "main", "--scope", "read,ingest"});
  if (token.exit_code != 0) return run_.Fail("cohort token create (PostgreSQL): " + token.err);
  token_ = Trim(token.out);
  headers_ = {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}};
  const Clock::time_point catalog_start = Clock::now();
  for (const AccountFiles& f : files) {
    const ProcessResult r = Cohort({"import", "--account", f.account, f.catalog});
    if (r.exit_code != 0) return run_.Fail("cohort import (PostgreSQL) " + f.catalog + ": " + r.err);
  }
  const double catalog_s = Since(catalog_start);
  std::int64_t responses = 0, attempts = 0;
  const Clock::time_point start = Clock::now();
  for (const AccountFiles& f : files) {
    for (std::size_t first = 0; first < f.attempt_csvs.size(); first += 10) {
      std::vector<std::string> args = {"import", "--account", f.account};
      const std::size_t last = std::min(first + 10, f.attempt_csvs.size());
      args.insert(args.end(), f.attempt_csvs.begin() + static_cast<std::ptrdiff_t>(first),
                  f.attempt_csvs.begin() + static_cast<std::ptrdiff_t>(last));
      const ProcessResult r = Cohort(args);
      if (r.exit_code != 0) return run_.Fail("cohort import (PostgreSQL) " + f.account + ": " + r.err);
    }
    responses += f.responses;
    attempts += f.attempts;
    run_.log("cluster: imported {} into PostgreSQL ({:.0f} responses/s so far)", f.account,
             static_cast<double>(responses) / Since(start));
    if (!run_.options.keep) {
      std::error_code ec;
      for (const std::string& csv : f.attempt_csvs) fs::remove(csv, ec);
    }
  }
  const double wall = Since(start);
  figures_["import"] = {{"attempts", attempts},
                        {"responses", responses},
                        {"wall_s", wall},
                        {"responses_per_s", static_cast<double>(responses) / wall},
                        {"catalog_s", catalog_s}};
  run_.log("cluster: import into PostgreSQL: {} responses in {:.1f} s = {:.0f} responses/s",
           responses, wall, static_cast<double>(responses) / wall);
  return true;
}

bool ClusterSide::StartNodes() {
  // One at a time, as docs/deployment.md advises behind haproxy: each start is a node's own.
  json starts = json::array(), rss = json::array();
  static const std::regex address(R"(http://127\.0\.0\.1:(\d+))");
  for (int i = 0; i < run_.options.cluster_nodes; ++i) {
    Node node;
    const Clock::time_point start = Clock::now();
    node.process = std::make_unique<subprocess::Child>(
        std::vector<std::string>{run_.options.cohort_binary, "--db", uri_, "serve", "--listen",
                                 "127.0.0.1:0"},
        (run_.dir / fmt::format("node-{}.log", i)).string());
    node.process->ReadUntil("stops it)", std::chrono::hours(1));
    std::smatch m;
    const std::string printed = node.process->printed();
    if (!std::regex_search(printed, m, address)) {
      return run_.Fail(fmt::format("node {} did not start: {}", i, printed));
    }
    node.port = static_cast<std::uint16_t>(std::stoi(m[1].str()));
    auto client = std::make_unique<HttpClient>("127.0.0.1", node.port, kHttpTimeout);
    while (client->Get("/healthz").status != 200) {
      if (Since(start) > 3600) return run_.Fail(fmt::format("node {}: /healthz never 200", i));
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    node.start_s = Since(start);
    starts.push_back(node.start_s);
    rss.push_back(ResidentBytes(node.process->pid()));
    run_.log("cluster: node {} on port {}: spawn → /healthz 200 in {:.2f} s, resident {:.0f} MiB",
             i, node.port, node.start_s, ResidentBytes(node.process->pid()) / 1048576.0);
    nodes_.push_back(std::move(node));
    clients_.push_back(std::move(client));
  }
  std::vector<double> s;
  for (const Node& node : nodes_) s.push_back(node.start_s);
  figures_["start"] = {{"per_node_s", starts},
                       {"max_s", *std::max_element(s.begin(), s.end())},
                       {"median_s", Median(s)},
                       {"rss_bytes", rss}};
  return true;
}

bool ClusterSide::Ingest() {
  // The single-node step's batches and clients, spread round-robin over every node.
  const Scale& scale = cohort_.scale();
  const int clients = 4;
  const int batches = scale.name == "XS" ? 4 : scale.name == "S" ? 20 : 100;
  std::vector<std::string> bodies;
  for (int b = 0; b < batches; ++b) bodies.push_back(cohort_.IngestBody(b, "c"));
  std::vector<std::uint16_t> ports;
  for (const Node& node : nodes_) ports.push_back(node.port);
  Writers w;
  const Clock::time_point start = Clock::now();
  w.Start(cohort_, ports, headers_, clients, 0, batches, std::move(bodies));
  w.Join();
  const double wall = Since(start);
  next_batch_ = batches;
  if (w.failed > 0) {
    return run_.Fail(fmt::format("cluster: {} ingest batches refused: {}", w.failed.load(),
                                 w.first_error));
  }
  const Percentiles p = Summarise(w.batch_ms);
  const double attempts = batches * 1000.0;
  figures_["ingest"] = {{"clients", clients},
                        {"nodes", nodes_.size()},
                        {"batches", batches},
                        {"attempts_per_batch", 1000},
                        {"responses", attempts * 5},
                        {"wall_s", wall},
                        {"attempts_per_s", attempts / wall},
                        {"responses_per_s", attempts * 5 / wall},
                        {"batch_p50_ms", p.p50},
                        {"batch_p99_ms", p.p99}};
  run_.log("cluster: HTTP ingest through {} nodes: {} batches from {} clients in {:.2f} s = {:.0f} "
           "attempts/s, {:.0f} responses/s (batch p50 {:.1f} ms, p99 {:.1f} ms)",
           nodes_.size(), batches, clients, wall, attempts / wall, attempts * 5 / wall, p.p50, p.p99);
  return true;
}

HttpResponse ClusterSide::WriteProbe(Probe& probe, std::size_t node) {
  const Scale& scale = cohort_.scale();
  const World& world = cohort_.world();
  const int course = scale.courses > 1 ? 1 : 0;
  // A minute apart, weeks after everything generated or ingested: always the newest attempt.
  const std::int64_t started = world.window_end_ms + 50LL * 86'400'000 + probe.written * 60'000LL;
  const std::string body = fmt::format(
      "[{{\"id\":\"{}{}\",\"user\":\"{}\",\"course\":\"{}\",\"exercise\":\"{}\","
      "\"started_at\":\"{}\",\"finished_at\":\"{}\",\"responses\":[{{\"question\":\"q1\","
      "\"correct\":true,\"hints\":0,\"time_ms\":5000}}]}}]",
      probe.prefix, probe.written, probe.key, world.CourseKey(course),
      world.ExerciseKey(course, 0, 0), FormatTimeMs(started), FormatTimeMs(started + 5000));
  ++probe.written;
  return clients_[node]->Send("POST", "/api/v1/attempts", body, headers_);
}

std::optional<std::int64_t> ClusterSide::PointsOn(const Probe& probe, std::size_t node,
                                                  const HeaderList& extra) {
  HeaderList headers = headers_;
  headers.insert(headers.end(), extra.begin(), extra.end());
  const HttpResponse a = clients_[node]->Get(probe.target, headers);
  if (a.status != 200) return std::nullopt;
  try {
    const json j = json::parse(a.body);
    for (const json& row : j["rows"]) {
      if (row["user"] == probe.key) return row["points"].get<std::int64_t>();
    }
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

bool ClusterSide::Calibrate(Probe& probe) {
  // The probes write into another course than the ingest (course 1), so only they change these
  // learners' rows there; the first write, untimed, tells how many points one adds.
  const std::optional<std::int64_t> before = PointsOn(probe, 0);
  if (!before) return run_.Fail("cluster: a probe learner is not in the league");
  const HttpResponse ack = WriteProbe(probe, 0);
  if (ack.status != 200) return run_.Fail(fmt::format("cluster: probe write answered {}", ack.status));
  const std::optional<std::int64_t> after = PointsOn(probe, 0);
  if (!after || *after <= *before) return run_.Fail("cluster: a probe attempt added no points");
  delta_ = *after - *before;
  probe.points = *after;
  return true;
}

bool ClusterSide::Probes(const bool under_ingest) {
  const std::size_t n = nodes_.size();
  const std::size_t follower = n - 1;
  const std::string phase = under_ingest ? "under_ingest" : "quiet";
  if (fresh_.user < 0) {
    const World& world = cohort_.world();
    const int course = cohort_.scale().courses > 1 ? 1 : 0;
    std::vector<int> active;
    for (int u : world.Enrolled(0, course)) {
      if (world.Active(0, u)) active.push_back(u);
    }
    if (active.size() < 2) return run_.Fail("cluster: the probe course has too few learners");
    Probe* probes[] = {&fresh_, &ryw_};
    for (std::size_t k = 0; k < 2; ++k) {
      Probe& p = *probes[k];
      p.user = active[active.size() / 3 * (k + 1)];
      p.key = world.UserKey(p.user);
      p.prefix = k == 0 ? "cf" : "cr";
      p.target = fmt::format("/api/v1/courses/{}/users?q={}&limit=10", world.CourseKey(course),
                             UrlEncode(world.UserName(0, p.user)));
      if (!Calibrate(p)) return false;
    }
  }
  if (!under_ingest) {
    // Quiet: every node has followed the ingest before the first probe.
    for (std::size_t i = 0; i < n; ++i) {
      while (clients_[i]->Get("/healthz").status != 200) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  Writers w;
  const Clock::time_point load_start = Clock::now();
  if (under_ingest) {
    std::vector<std::uint16_t> ports;
    for (std::size_t i = 0; i < follower; ++i) ports.push_back(nodes_[i].port);
    w.Start(cohort_, ports, headers_, 2, next_batch_, -1, {});
  }
  // At XS (the smoke test) a few of each, to keep it short; 200 + 200 probes from S up.
  const bool xs = cohort_.scale().name == "XS";
  // Cross-node freshness: the writer i and the reader j ≠ i go round every pair.
  std::vector<double> delays;
  const int probes = xs ? 20 : 200;
  for (int k = 0; k < probes; ++k) {
    const std::size_t i = static_cast<std::size_t>(k) % n;
    const std::size_t j = (i + 1 + (static_cast<std::size_t>(k) / n) % (n - 1)) % n;
    const HttpResponse ack = WriteProbe(fresh_, i);
    const Clock::time_point acked = Clock::now();
    if (ack.status != 200) {
      w.Join();
      return run_.Fail(fmt::format("cluster: probe write answered {} {}", ack.status, ack.error));
    }
    fresh_.points += delta_;
    for (;;) {
      const std::optional<std::int64_t> seen = PointsOn(fresh_, j);
      if (seen && *seen >= fresh_.points) break;
      if (Since(acked) > kVisibleWithinS) {
        w.Join();
        return run_.Fail(fmt::format("cluster: a write through node {} was not visible on node {} "
                                     "after {:.0f} s", i, j, kVisibleWithinS));
      }
    }
    delays.push_back(Since(acked) * 1000.0);
  }
  const Percentiles fresh = Summarise(delays);
  figures_["freshness_" + phase] = PercentilesJson(fresh);
  run_.log("cluster: cross-node freshness ({}): p50 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms over "
           "{} probes", phase, fresh.p50, fresh.p99, fresh.max, fresh.n);
  // Read-your-writes: write through node 0, read through node 1 with the write's Cohort-Seq.
  int checks = 0, failures = 0;
  for (int k = 0; k < (xs ? 10 : 50); ++k) {
    const HttpResponse ack = WriteProbe(ryw_, 0);
    ++checks;
    const std::string seq = ack.Header("cohort-seq");
    if (ack.status != 200 || seq.empty()) {
      ++failures;
      continue;
    }
    ryw_.points += delta_;
    const std::optional<std::int64_t> seen = PointsOn(ryw_, 1, {{"Cohort-Min-Seq", seq}});
    if (!seen || *seen < ryw_.points) ++failures;
  }
  figures_["read_your_writes_" + phase] = {{"checks", checks}, {"failures", failures}};
  run_.log("cluster: read-your-writes through another node ({}): {} failures in {} checks", phase,
           failures, checks);
  if (failures > 0) {
    run_.Fail(fmt::format("cluster: {} of {} reads with Cohort-Min-Seq missed the write ({})",
                          failures, checks, phase));
  }
  if (under_ingest) {
    // Every view of the single-node step, on the follower, while the others ingest.
    json league;
    figures_["follower_views"] =
        cohort_.MeasureViews(*clients_[follower], headers_, xs ? 20 : 200, league);
    figures_["follower"] = follower;
    const double load_s = Since(load_start);
    w.Join();
    next_batch_ += w.next.load();  // the last few numbers were taken but not sent: harmless gaps
    if (w.failed > 0) {
      return run_.Fail(fmt::format("cluster: {} background batches refused: {}", w.failed.load(),
                                   w.first_error));
    }
    const double responses = static_cast<double>(w.sent.load()) * 5000.0;
    figures_["background_ingest"] = {{"nodes", follower},
                                     {"clients", 2},
                                     {"batches", w.sent.load()},
                                     {"wall_s", load_s},
                                     {"responses_per_s", responses / load_s}};
    run_.log("cluster: background ingest through {} nodes while probing: {:.0f} responses/s",
             follower, responses / load_s);
  }
  return failures == 0;
}

}  // namespace cohort::bench

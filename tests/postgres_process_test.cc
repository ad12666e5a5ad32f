// The real `cohort` binary on PostgreSQL (issue 17): the same demo on SQLite and on PostgreSQL
// serves the same views, and `cohort check` passes on it. The database comes from the suite's
// PostgreSQL (CTest fixture `postgres`).
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "process_test_support.h"
#include "common/subprocess.h"
#include "store/testing/pg_test_database.h"
#include "support/http_client.h"

namespace cohort::testing {
namespace {

// The token `cohort demo` printed.
std::string TokenOf(const std::string& out) {
  const std::size_t at = out.find("API token (read, ingest): ");
  if (at == std::string::npos) return "";
  const std::size_t start = out.find("coh_", at);
  return out.substr(start, out.find('\n', start) - start);
}

TEST(PostgresProcessTest, DemoServeAndCheckOnPostgresAnswerAsOnSqlite) {
  Result<std::string> uri = store::CreateTestDatabase();
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  TempDir dir;
  const std::string sqlite = (dir.path() / "demo.db").string();
  std::string courses[2];
  const std::string dbs[2] = {sqlite, uri.value()};
  for (int i = 0; i < 2; ++i) {
    SCOPED_TRACE(dbs[i]);
    CommandResult demo = RunCohort(
        {"demo", "--users", "30", "--courses", "2", "--seed", "7", "--db", dbs[i]});
    ASSERT_EQ(demo.exit_code, 0) << demo.err;
    ServerProcess server({"serve", "--db", dbs[i], "--listen", "127.0.0.1:0"},
                         dir.path() / fmt::format("server{}.log", i));
    ASSERT_TRUE(server.started());
    HttpResponse r = SendOnce("127.0.0.1", server.port(), "GET", "/api/v1/courses", "",
                              {{"Authorization", "Bearer " + TokenOf(demo.out)}});
    ASSERT_EQ(r.status, 200) << r.body;
    courses[i] = r.body;
    EXPECT_EQ(server.StopWith(SIGTERM), 0);
  }
  EXPECT_EQ(courses[0], courses[1]);
  CommandResult check = RunCohort({"check", "--db", uri.value()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("result: ok"), std::string::npos) << check.out;
  CommandResult backup = RunCohort({"backup", "--db", uri.value(), "-o", (dir.path() / "b.db").string()});
  EXPECT_EQ(backup.exit_code, 1);
  EXPECT_NE(backup.err.find("pg_dump"), std::string::npos) << backup.err;
  EXPECT_NE(backup.err.find("https://www.postgresql.org/docs/15/backup-dump.html"),
            std::string::npos);
  store::DropTestDatabase(uri.value());
}

// Several `cohort serve` nodes over one PostgreSQL database (issue 17): a node started on it.
class Node {
 public:
  Node(const std::string& uri, const std::filesystem::path& log)
      : server_(std::make_unique<ServerProcess>(
            std::vector<std::string>{"serve", "--db", uri, "--listen", "127.0.0.1:0"}, log)) {}
  bool started() const { return server_->started(); }
  std::uint16_t port() const { return server_->port(); }
  ServerProcess& process() { return *server_; }

 private:
  std::unique_ptr<ServerProcess> server_;
};

HttpResponse Get(std::uint16_t port, const std::string& token, const std::string& target,
                 const std::string& min_seq = "") {
  HeaderList headers = {{"Authorization", "Bearer " + token}};
  if (!min_seq.empty()) headers.push_back({"Cohort-Min-Seq", min_seq});
  return SendOnce("127.0.0.1", port, "GET", target, "", headers);
}

HttpResponse PostAttempt(std::uint16_t port, const std::string& token, const std::string& id,
                         const std::string& user, const std::string& course,
                         const std::string& exercise, bool correct) {
  const std::string body = fmt::format(
      R"([{{"id": "{}", "user": "{}", "course": "{}", "exercise": "{}",
            "started_at": "2026-12-01T10:00:00Z",
            "responses": [{{"question": "q1", "correct": {}, "time_ms": 1000}}]}}])",
      id, user, course, exercise, correct ? "true" : "false");
  return SendOnce("127.0.0.1", port, "POST", "/api/v1/attempts", body,
                  {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
}

// Polls until `done` or `seconds` pass.
bool Eventually(const std::function<bool()>& done, double seconds = 10) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

// Every view a node serves for the demo, by target: what must be byte-identical across nodes.
std::vector<std::string> ViewTargets(std::uint16_t port, const std::string& token) {
  std::vector<std::string> targets = {"/api/v1/courses", "/api/v1/report?limit=500",
                                      "/api/v1/report?format=csv"};
  const nlohmann::json courses = nlohmann::json::parse(Get(port, token, "/api/v1/courses").body);
  for (const nlohmann::json& row : courses["rows"]) {
    const std::string c = row["course"];
    for (const char* sort : {"rank", "name", "mastery", "time", "last_active"}) {
      targets.push_back(fmt::format("/api/v1/courses/{}/users?sort={}", c, sort));
    }
    targets.push_back("/api/v1/courses/" + c);
    targets.push_back("/api/v1/courses/" + c + "/groups");
    targets.push_back("/api/v1/courses/" + c + "/users/u0001");
    targets.push_back("/api/v1/courses/" + c + "/users/u0002");
  }
  return targets;
}

// The first target whose answer differs between the two nodes ("" when none).
std::string FirstDifference(std::uint16_t a, std::uint16_t b, const std::string& token) {
  for (const std::string& target : ViewTargets(a, token)) {
    const HttpResponse x = Get(a, token, target);
    const HttpResponse y = Get(b, token, target);
    if (x.status != 200 || x.status != y.status || x.body != y.body) return target;
  }
  return "";
}

TEST(PostgresNodesTest, NodesOverOneDatabaseFollowEachOtherAndTheCommandLine) {
  Result<std::string> uri = store::CreateTestDatabase();
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  TempDir dir;
  CommandResult demo =
      RunCohort({"demo", "--users", "30", "--courses", "2", "--seed", "7", "--db", uri.value()});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  const std::string token = TokenOf(demo.out);
  Node a(uri.value(), dir.path() / "a.log");
  auto b = std::make_unique<Node>(uri.value(), dir.path() / "b.log");
  ASSERT_TRUE(a.started() && b->started());
  for (std::uint16_t port : {a.port(), b->port()}) {
    EXPECT_TRUE(Eventually([&] {
      return SendOnce("127.0.0.1", port, "GET", "/healthz", "", {}).status == 200;
    })) << "port " << port;
  }
  EXPECT_EQ(FirstDifference(a.port(), b->port(), token), "");

  // The course, a learner and an exercise of the demo.
  const nlohmann::json courses = nlohmann::json::parse(Get(a.port(), token, "/api/v1/courses").body);
  const std::string course = courses["rows"][0]["course"];
  const nlohmann::json person = nlohmann::json::parse(
      Get(a.port(), token, "/api/v1/courses/" + course + "/users/u0001").body);
  ASSERT_TRUE(person.contains("exercises")) << person.dump();
  const std::string exercise = person["exercises"][0]["exercise"];
  const std::string league = "/api/v1/courses/" + course + "/users/u0001";

  // A write through one node, read through the other with its Cohort-Seq: read-your-writes.
  std::uint16_t ports[2] = {a.port(), b->port()};
  for (int i = 0; i < 20; ++i) {
    const std::uint16_t writer = ports[i % 2], reader = ports[(i + 1) % 2];
    const HttpResponse wrote =
        PostAttempt(writer, token, fmt::format("n{}", i), "u0001", course, exercise, i % 3 != 0);
    ASSERT_EQ(wrote.status, 200) << wrote.body;
    const std::string seq = wrote.Header("cohort-seq");
    ASSERT_FALSE(seq.empty());
    const HttpResponse mine = Get(writer, token, league);
    const HttpResponse theirs = Get(reader, token, league, seq);
    ASSERT_EQ(theirs.status, 200) << theirs.body;
    EXPECT_EQ(theirs.body, mine.body) << "write " << i;
  }
  // The same attempt again through the other node: stored once, counted once.
  const HttpResponse again = PostAttempt(b->port(), token, "n0", "u0001", course, exercise, false);
  EXPECT_EQ(nlohmann::json::parse(again.body)["duplicates"], 1) << again.body;

  // A bad Cohort-Min-Seq is named; one no node has reached is 503 after the wait, not a hang.
  const HttpResponse bad = Get(a.port(), token, "/api/v1/courses", "soon");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("Cohort-Min-Seq"), std::string::npos) << bad.body;
  const HttpResponse ahead = Get(a.port(), token, "/api/v1/courses", "999999");
  EXPECT_EQ(ahead.status, 503) << ahead.body;
  EXPECT_EQ(ahead.Header("retry-after"), "1");

  // The command line writes while the nodes run: both follow without a restart.
  const std::filesystem::path file = dir.path() / "more.json";
  {
    std::ofstream out(file);
    out << R"({"attempts": [)";
    for (int i = 0; i < 30; ++i) {
      out << (i ? "," : "")
          << fmt::format(R"({{"id": "imp{}", "user": "u00{:02}", "course": "{}", "exercise": "{}",
              "started_at": "2026-12-02T10:00:00Z",
              "responses": [{{"question": "q1", "correct": true, "time_ms": 900}}]}})",
                         i, i % 20 + 1, course, exercise);
    }
    out << "]}";
  }
  const std::string before = Get(a.port(), token, "/api/v1/courses/" + course).body;
  CommandResult imported =
      RunCohort({"import", "--db", uri.value(), "--account", "demo", file.string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  for (std::uint16_t port : ports) {
    EXPECT_TRUE(Eventually([&] {
      return Get(port, token, "/api/v1/courses/" + course).body != before;
    })) << "port " << port;
  }
  CommandResult user = RunCohort({"user", "create", "--db", uri.value(), "--account", "demo",
                                  "--key", "late", "--email", "late@acme.example", "--name",
                                  "Lena Late", "--role", "learner"});
  ASSERT_EQ(user.exit_code, 0) << user.err;
  ASSERT_EQ(PostAttempt(a.port(), token, "late1", "late", course, exercise, true).status, 200);
  for (std::uint16_t port : ports) {
    EXPECT_TRUE(Eventually([&] {
      return Get(port, token, "/api/v1/courses/" + course + "/users/late").status == 200;
    })) << "port " << port;
  }
  EXPECT_TRUE(Eventually([&] { return FirstDifference(a.port(), b->port(), token).empty(); }))
      << FirstDifference(a.port(), b->port(), token);

  // A node killed outright and started again serves what the others wrote meanwhile.
  EXPECT_EQ(b->process().StopWith(SIGKILL), 128 + SIGKILL);
  b.reset();
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(PostAttempt(a.port(), token, fmt::format("k{}", i), "u0002", course, exercise, true)
                  .status,
              200);
  }
  b = std::make_unique<Node>(uri.value(), dir.path() / "b2.log");
  ASSERT_TRUE(b->started());
  EXPECT_TRUE(Eventually([&] {
    return SendOnce("127.0.0.1", b->port(), "GET", "/healthz", "", {}).status == 200;
  }));
  EXPECT_EQ(FirstDifference(a.port(), b->port(), token), "");
  store::DropTestDatabase(uri.value());
}

TEST(PostgresNodesTest, WrongPasswordsCountOnceAcrossNodes) {
  Result<std::string> uri = store::CreateTestDatabase();
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  TempDir dir;
  CommandResult demo =
      RunCohort({"demo", "--users", "20", "--courses", "1", "--seed", "3", "--db", uri.value()});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  Node a(uri.value(), dir.path() / "a.log");
  Node b(uri.value(), dir.path() / "b.log");
  ASSERT_TRUE(a.started() && b.started());
  auto sign_in = [](std::uint16_t port, const char* password) {
    return SendOnce("127.0.0.1", port, "POST", "/api/v1/session",
                    fmt::format(R"({{"email": "manager@acme.example", "password": "{}"}})",
                                password),
                    {{"Content-Type", "application/json"}});
  };
  // Five free failures in all, whichever node each goes to: then the wait, on both nodes.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(sign_in(i % 2 ? b.port() : a.port(), "wrong-guess").status, 401) << i;
  }
  for (std::uint16_t port : {a.port(), b.port()}) {
    const HttpResponse held = sign_in(port, "wrong-guess");
    EXPECT_EQ(held.status, 429) << held.body;
    EXPECT_EQ(held.Header("retry-after"), "1");
  }
  // The counts are digests: no email or address is stored in the clear.
  subprocess::Result rows = subprocess::Run(
      {"psql", uri.value(), "-Atc",
       "SELECT count(*), count(*) FILTER (WHERE key LIKE '%acme%' OR key LIKE '%127.0.0.1%') "
       "FROM sign_in_throttle"});
  ASSERT_EQ(rows.exit_code, 0) << rows.err;
  EXPECT_EQ(rows.out, "3|0\n");  // (email, address), address, email
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(sign_in(b.port(), "demo-manager-1").status, 200);
  store::DropTestDatabase(uri.value());
}

}  // namespace
}  // namespace cohort::testing

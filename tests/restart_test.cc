// Every view answers the same before and after a restart on the same file: the engine rebuilt
// from the store equals the one maintained live, request by request.
#include <signal.h>

#include <regex>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "process_test_support.h"
#include "support/http_client.h"

namespace cohort::testing {
namespace {

using nlohmann::json;

// GETs every view of SPEC §4.1 that the demo data reaches; returns them by target.
std::map<std::string, std::string> Snapshot(std::uint16_t port, const std::string& token) {
  HttpClient client("127.0.0.1", port);
  const HeaderList auth = {{"Authorization", "Bearer " + token}};
  std::map<std::string, std::string> out;
  auto get = [&](const std::string& target) {
    HttpResponse r = client.Get(target, auth);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    out[target] = r.body;
    return json::parse(r.body, nullptr, false);
  };
  json courses = get("/api/v1/courses");
  EXPECT_FALSE(courses["rows"].empty());
  for (const json& c : courses["rows"]) {
    const std::string key = c["course"];
    get("/api/v1/courses/" + key);
    get("/api/v1/courses/" + key + "/groups");
    for (const char* sort : {"rank", "name", "score", "last_active", "certified_at"}) {
      for (const char* order : {"asc", "desc"}) {
        get(fmt::format("/api/v1/courses/{}/users?sort={}&order={}&limit=1000", key, sort, order));
      }
    }
    get("/api/v1/courses/" + key + "/users?active=false&limit=1000");
    json league = get("/api/v1/courses/" + key + "/users?limit=5&sort=points&order=desc");
    for (const json& row : league["rows"]) {
      const std::string user = row["user"];
      json detail = get(fmt::format("/api/v1/courses/{}/users/{}", key, user));
      for (const json& ex : detail["exercises"]) {
        if (ex["attempts"].get<int>() == 0) continue;
        get(fmt::format("/api/v1/courses/{}/users/{}/exercises/{}/attempts", key, user,
                        ex["exercise"].get<std::string>()));
      }
    }
  }
  for (int offset = 0;; offset += 1000) {
    json page = get(fmt::format("/api/v1/report?limit=1000&offset={}", offset));
    if (page["rows"].size() < 1000) break;
  }
  return out;
}

TEST(RestartTest, EveryViewIsTheSameAfterARestart) {
  TempDir dir;
  const std::string db = (dir.path() / "restart.db").string();
  CommandResult demo =
      RunCohort({"demo", "--users", "120", "--courses", "3", "--seed", "3", "--db", db});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(demo.out, m, std::regex("coh_[A-Za-z0-9_-]{43}")));
  const std::string token = m.str();

  std::map<std::string, std::string> before;
  {
    ServerProcess server(db);
    ASSERT_TRUE(server.started());
    // Live ingest on top of the demo: late and in-order attempts, applied incrementally.
    HttpClient client("127.0.0.1", server.port());
    const HeaderList auth = {{"Authorization", "Bearer " + token}};
    json courses = json::parse(client.Get("/api/v1/courses", auth).body);
    const std::string course = courses["rows"][0]["course"];
    json league = json::parse(
        client.Get("/api/v1/courses/" + course + "/users?limit=3&sort=points&order=desc", auth)
            .body);
    json detail = json::parse(client
                                  .Get(fmt::format("/api/v1/courses/{}/users/{}", course,
                                                   league["rows"][0]["user"].get<std::string>()),
                                       auth)
                                  .body);
    const std::string user = detail["user"];
    const std::string exercise = detail["exercises"][0]["exercise"];
    // One far in the past (a replay) and one now-ish (an append).
    const std::string body = fmt::format(
        R"([{{"id":"late-1","user":"{0}","course":"{1}","exercise":"{2}",)"
        R"("started_at":"2020-01-01T10:00:00Z","responses":[{{"question":"q1","correct":false}}]}},)"
        R"({{"id":"new-1","user":"{0}","course":"{1}","exercise":"{2}",)"
        R"("started_at":"2030-01-01T10:00:00Z","responses":[{{"question":"q1","correct":true}}]}}])",
        user, course, exercise);
    HttpResponse posted = client.Send("POST", "/api/v1/attempts", body, auth);
    // 2030 is more than 24 h ahead: refused whole, so post the two separately.
    EXPECT_EQ(posted.status, 422) << posted.body;
    const std::string late = fmt::format(
        R"([{{"id":"late-1","user":"{0}","course":"{1}","exercise":"{2}",)"
        R"("started_at":"2020-01-01T10:00:00Z","responses":[{{"question":"q1","correct":false}}]}}])",
        user, course, exercise);
    EXPECT_EQ(client.Send("POST", "/api/v1/attempts", late, auth).status, 200);
    before = Snapshot(server.port(), token);
    EXPECT_EQ(server.StopWith(SIGTERM), 0);
  }
  ServerProcess again(db);
  ASSERT_TRUE(again.started());
  std::map<std::string, std::string> after = Snapshot(again.port(), token);
  ASSERT_EQ(before.size(), after.size());
  for (const auto& [target, body] : before) {
    EXPECT_EQ(body, after[target]) << target;
  }
  EXPECT_EQ(again.StopWith(SIGTERM), 0);
}

}  // namespace
}  // namespace cohort::testing

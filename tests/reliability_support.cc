#include "reliability_support.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <regex>
#include <stdexcept>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "process_test_support.h"
#include "support/log_audit.h"


namespace cohort::testing {
namespace {

// A read-only connection to a test's database, closed on scope exit.
class ReadOnlyDb {
 public:
  explicit ReadOnlyDb(const std::filesystem::path& db) {
    Open("file:" + db.string() + "?mode=ro");
    // On a read-only disk a WAL database without its -wal and -shm files opens only as
    // immutable (as the server opens it there).
    if (sqlite3_exec(db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) ==
        SQLITE_CANTOPEN) {
      sqlite3_close_v2(db_);
      Open("file:" + db.string() + "?mode=ro&immutable=1");
    }
  }
  void Open(const std::string& uri) {
    if (sqlite3_open_v2(uri.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) !=
        SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << uri << ": " << sqlite3_errmsg(db_);
    }
    sqlite3_busy_timeout(db_, 10'000);
  }
  ~ReadOnlyDb() { sqlite3_close_v2(db_); }
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

HeaderList Bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

std::string CreateAccountWithToken(const std::filesystem::path& db, const std::string& scopes) {
  CommandResult account =
      RunCohort({"account", "create", "acme", "--name", "Acme", "--db", db.string()});
  EXPECT_EQ(account.exit_code, 0) << account.err;
  CommandResult token =
      RunCohort({"token", "create", "--account", "acme", "--scope", scopes, "--db", db.string()});
  EXPECT_EQ(token.exit_code, 0) << token.err;
  return token.out.substr(0, token.out.find('\n'));
}

void PutCatalog(HttpClient& client, const HeaderList& auth) {
  std::string chapters;
  for (int c = 0; c < 2; ++c) {
    std::string exercises;
    for (int e = c * 3; e < c * 3 + 3; ++e) {
      exercises += fmt::format(R"({}{{"key":"e{}","title":"Exercise {}"}})",
                               exercises.empty() ? "" : ",", e, e);
    }
    chapters += fmt::format(R"({}{{"key":"c{}","title":"Chapter {}","exercises":[{}]}})",
                            c ? "," : "", c + 1, c + 1, exercises);
  }
  HttpResponse course =
      client.Send("PUT", "/api/v1/courses/py",
                  fmt::format(R"({{"title":"Python","chapters":[{}]}})", chapters), auth);
  ASSERT_EQ(course.status, 200) << course.body << course.error;
  for (int g = 0; g < 2; ++g) {
    HttpResponse r = client.Send("PUT", fmt::format("/api/v1/groups/g{}", g),
                                 fmt::format(R"({{"name":"Group {}"}})", g), auth);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  for (int u = 0; u < kUsers; ++u) {
    HttpResponse r = client.Send(
        "PUT", fmt::format("/api/v1/users/u{}", u),
        fmt::format(R"({{"name":"User {:02}","email":"u{}@acme.example","groups":["g{}"]}})", u, u,
                    u % 2),
        auth);
    ASSERT_EQ(r.status, 200) << r.body;
  }
}

Batch MakeBatch(const std::string& tag, int count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Batch batch;
  batch.body.reserve(static_cast<std::size_t>(count) * 300);
  batch.body = "[";
  for (int i = 0; i < count; ++i) {
    const std::string id = fmt::format("{}-{}", tag, i);
    const int responses = 1 + static_cast<int>(rng() % 4);
    // Spread over ten months of 2026 (all in the past), to the millisecond, so that the order
    // of arrival differs from the order of the responses (mastery depends on the latter).
    const int day = 1 + static_cast<int>(rng() % 28);
    const int month = 1 + static_cast<int>(rng() % 10);
    batch.body +=
        fmt::format(R"({}{{"id":"{}","user":"u{}","course":"py","exercise":"e{}",)"
                    R"("started_at":"2026-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z","responses":[)",
                    i ? "," : "", id, rng() % kUsers, rng() % kExercises, month, day, rng() % 24,
                    rng() % 60, rng() % 60, rng() % 1000);
    for (int r = 0; r < responses; ++r) {
      batch.body += fmt::format(R"({}{{"question":"q{}","correct":{},"hints":{},"time_ms":{}}})",
                                r ? "," : "", r, rng() % 3 ? "true" : "false", rng() % 3,
                                500 + rng() % 60'000);
    }
    batch.body += "]}";
    batch.ids.push_back(id);
    batch.responses.push_back(responses);
  }
  batch.body += "]";
  return batch;
}

std::map<std::string, std::string> Views(std::uint16_t port, const std::string& token) {
  HttpClient client("127.0.0.1", port, std::chrono::seconds(30));
  const HeaderList auth = Bearer(token);
  std::map<std::string, std::string> out;
  auto get = [&](const std::string& target) {
    HttpResponse r = client.Get(target, auth);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body << r.error;
    out[target] = r.body;
  };
  get("/api/v1/courses");
  get("/api/v1/courses/py");
  for (const char* query :
       {"limit=1000", "sort=mastery&order=desc&limit=1000", "sort=name&order=asc&limit=1000",
        "sort=time&order=desc&limit=1000", "sort=last_active&order=asc&limit=1000",
        "sort=score&order=desc&limit=5&offset=3", "group=g1&sort=points&order=desc"}) {
    get(fmt::format("/api/v1/courses/py/users?{}", query));
  }
  get("/api/v1/courses/py/groups");
  get("/api/v1/courses/py/groups?sort=mastery&order=asc");
  get("/api/v1/report?limit=1000");
  for (int u = 0; u < kUsers; ++u) {
    get(fmt::format("/api/v1/courses/py/users/u{}", u));
    for (int e = 0; e < kExercises; ++e) {
      get(fmt::format("/api/v1/courses/py/users/u{}/exercises/e{}/attempts?limit=1000", u, e));
    }
  }
  return out;
}

void ExpectSameViews(const std::map<std::string, std::string>& expected,
                     const std::map<std::string, std::string>& actual, std::string_view what) {
  ASSERT_EQ(expected.size(), actual.size()) << what;
  int differing = 0;
  for (const auto& [target, body] : expected) {
    auto it = actual.find(target);
    ASSERT_NE(it, actual.end()) << what << ": " << target << " missing";
    if (it->second != body && ++differing <= 3) {
      ADD_FAILURE() << what << ": " << target << " differs\nexpected: " << body.substr(0, 2000)
                    << "\nactual:   " << it->second.substr(0, 2000);
    }
  }
  EXPECT_EQ(differing, 0) << what << ": views that differ";
}

std::map<std::string, int> StoredAttempts(const std::filesystem::path& db) {
  ReadOnlyDb connection(db);
  std::map<std::string, int> out;
  sqlite3_stmt* statement = nullptr;
  const char* sql =
      "SELECT a.client_id, count(r.idx) FROM attempts a "
      "LEFT JOIN responses r ON r.attempt_id = a.id GROUP BY a.id";
  if (sqlite3_prepare_v2(connection.get(), sql, -1, &statement, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "prepare: " << sqlite3_errmsg(connection.get());
    return out;
  }
  int rc;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    const std::string id(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
    // A second row with the same client id would be a duplicate: count it as such.
    out[id] += static_cast<int>(sqlite3_column_int(statement, 1)) + (out.count(id) ? 100000 : 0);
  }
  EXPECT_EQ(rc, SQLITE_DONE) << sqlite3_errmsg(connection.get());
  sqlite3_finalize(statement);
  return out;
}

std::string IntegrityCheck(const std::filesystem::path& db) {
  ReadOnlyDb connection(db);
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(connection.get(), "PRAGMA integrity_check", -1, &statement, nullptr) !=
      SQLITE_OK) {
    return std::string("prepare failed: ") + sqlite3_errmsg(connection.get());
  }
  std::string answer;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    const std::string line = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    // SQLite 3.40 (Debian 12) reports "NULL value in T.C" for every row of a WITHOUT ROWID
    // table whose key columns come in another order than its columns (see
    // src/store/sqlite/sqlite_store_ops.cc): such a line counts only if T.C holds a NULL.
    std::smatch m;
    static const std::regex kNullReport(R"(NULL value in (\w+)\.(\w+))");
    if (std::regex_match(line, m, kNullReport)) {
      sqlite3_stmt* nulls = nullptr;
      const std::string sql =
          fmt::format("SELECT count(*) FROM \"{}\" WHERE \"{}\" IS NULL", m[1].str(), m[2].str());
      int count = 1;
      if (sqlite3_prepare_v2(connection.get(), sql.c_str(), -1, &nulls, nullptr) == SQLITE_OK &&
          sqlite3_step(nulls) == SQLITE_ROW) {
        count = sqlite3_column_int(nulls, 0);
      }
      sqlite3_finalize(nulls);
      if (count == 0) continue;
    }
    if (!answer.empty()) answer += "\n";
    answer += line;
  }
  sqlite3_finalize(statement);
  return answer.empty() ? "ok" : answer;
}

std::map<std::string, std::string> RebuiltViews(const std::filesystem::path& db,
                                                const std::filesystem::path& copy,
                                                const std::string& token, double* rebuild_ms) {
  std::filesystem::remove(copy);
  CommandResult backup = RunCohort({"backup", "--db", db.string(), "-o", copy.string()});
  EXPECT_EQ(backup.exit_code, 0) << backup.out << backup.err;
  const auto started = std::chrono::steady_clock::now();
  ServerProcess server(copy);
  if (rebuild_ms != nullptr) *rebuild_ms = MsSince(started);
  EXPECT_TRUE(server.started()) << "no server on the copy " << copy;
  if (!server.started()) return {};
  std::map<std::string, std::string> views = Views(server.port(), token);
  EXPECT_EQ(server.StopWith(SIGTERM), 0);
  return views;
}

pid_t SpawnCohort(const std::vector<std::string>& args, const std::filesystem::path& log) {
  std::vector<std::string> argv{COHORT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = subprocess::StartLogged(argv, log.string());
  if (pid < 0) throw std::runtime_error("cannot start " + argv.front());
  return pid;
}

int WaitChild(pid_t pid) { return subprocess::Wait(pid); }

void KeepChildLog(const std::filesystem::path& log) { KeepLogForAudit("command", ReadAll(log)); }

int RunShell(const std::string& command, std::string* output) {
  subprocess::Result r = subprocess::Run({"/bin/sh", "-c", command + " 2>&1"});
  if (output != nullptr) *output += r.out;
  return r.exit_code;
}

void ExpectCleanUnavailable(const HttpResponse& r, std::string_view what) {
  EXPECT_EQ(r.status, 503) << what << ": " << r.body << r.error;
  EXPECT_FALSE(r.Header("retry-after").empty()) << what << ": no Retry-After";
  nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_TRUE(body.is_object() && body.contains("error")) << what << ": " << r.body;
  EXPECT_EQ(body["error"].value("code", ""), "unavailable") << what << ": " << r.body;
  EXPECT_FALSE(body["error"].value("message", "").empty()) << what << ": " << r.body;
  for (const char* leak : {"sqlite", "SQLITE", "INSERT", "SELECT", "BEGIN", "COMMIT", ".db", "/tmp",
                           "cohort-proc", "disk I/O"}) {
    EXPECT_EQ(r.body.find(leak), std::string::npos) << what << ": '" << leak << "' in " << r.body;
  }
}

}  // namespace cohort::testing

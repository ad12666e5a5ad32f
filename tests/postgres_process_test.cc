// The real `cohort` binary on PostgreSQL (issue 17): the same demo on SQLite and on PostgreSQL
// serves the same views, and `cohort check` passes on it. The database comes from the suite's
// PostgreSQL (CTest fixture `postgres`).
#include <signal.h>

#include <string>

#include <gtest/gtest.h>

#include "process_test_support.h"
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

}  // namespace
}  // namespace cohort::testing

// The CLI of SPEC §8, run as the real binary.
#include <signal.h>

#include <fstream>
#include <regex>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "process_test_support.h"
#include "support/log_audit.h"
#include "service/service.h"
#include "store/store.h"
#include "support/http_client.h"

namespace cohort::testing {
namespace {

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = (dir_.path() / "cli.db").string();
    ASSERT_EQ(RunCohort({"--db", db_, "account", "create", "acme", "--name", "Acme Ltd",
                         "--timezone", "Europe/London"})
                  .exit_code,
              0);
  }
  store::TableCounts Counts() {
    auto store = store::OpenSqliteStore(db_);
    EXPECT_TRUE(store.ok());
    auto account = store.value()->FindAccount("acme");
    EXPECT_TRUE(account.ok());
    return store.value()->Counts(account->id).value();
  }
  TempDir dir_;
  std::string db_;
};

TEST_F(CliTest, AccountCreateRefusesAnUnknownTimeZoneAndADuplicateKey) {
  CommandResult bad = RunCohort({"account", "create", "globex", "--name", "Globex", "--timezone",
                                 "Mars/Olympus", "--db", db_});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("Mars/Olympus"), std::string::npos) << bad.err;
  CommandResult dup = RunCohort({"account", "create", "acme", "--name", "Again", "--db", db_});
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_NE(dup.err.find("acme"), std::string::npos) << dup.err;
}

TEST_F(CliTest, TokenCreatePrintsOnlyTheToken) {
  CommandResult r = RunCohort({"token", "create", "--db", db_, "--account", "acme", "--scope",
                               "read,ingest"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex("coh_[A-Za-z0-9_-]{43}\n"))) << r.out;
  CommandResult bad = RunCohort({"token", "create", "--db", db_, "--account", "acme", "--scope",
                                 "read,root"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("root"), std::string::npos);
  EXPECT_EQ(RunCohort({"token", "create", "--db", db_, "--account", "nope", "--scope", "read"})
                .exit_code,
            1);
}

TEST_F(CliTest, UserCreateReadsThePasswordFromStdinAndStoresItHashed) {
  AuditSecret("s3cret-passphrase");
  CommandResult r = RunCohort({"user", "create", "--account", "acme", "--key", "mia", "--email",
                               "Mia@Acme.example", "--name", "Mia Wong", "--role",
                               "account_manager", "--password-stdin", "--db", db_},
                              "s3cret-passphrase\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto store = store::OpenSqliteStore(db_);
  ASSERT_TRUE(store.ok());
  auto account = store.value()->FindAccount("acme");
  auto mia = store.value()->FindUser(account->id, "mia");
  ASSERT_TRUE(mia.ok());
  EXPECT_TRUE(mia->user.roles.Has(domain::Role::kAccountManager));
  ASSERT_TRUE(mia->password_hash.has_value());
  EXPECT_TRUE(service::VerifyPassword(*mia->password_hash, "s3cret-passphrase"));
  CommandResult bad = RunCohort({"user", "create", "--account", "acme", "--key", "bad key",
                                 "--email", "x@y.z", "--name", "X", "--db", db_});
  EXPECT_EQ(bad.exit_code, 1);
}

TEST_F(CliTest, ImportLoadsJsonAndCsvAndRejectsABadFileWhole) {
  WriteFile(dir_.path() / "catalog.json", R"({
    "courses": [{"key": "py", "title": "Python", "chapters": [
      {"key": "c1", "title": "Basics", "exercises": [{"key": "e1", "title": "Variables"}]}]}],
    "groups": [{"key": "g1", "name": "Group one"}],
    "users": [{"key": "ann", "name": "Ann", "email": "ann@acme.example", "groups": ["g1"]},
              {"key": "bob", "name": "Bob", "email": "bob@acme.example"}],
    "attempts": [{"id": "j1", "user": "ann", "course": "py", "exercise": "e1",
                  "started_at": "2026-01-05T10:00:00Z",
                  "responses": [{"question": "q1", "correct": true, "time_ms": 3000}]}]})");
  WriteFile(dir_.path() / "more.csv",
            "attempt,user,course,exercise,started_at,finished_at,question,correct,hints,time_ms,"
            "answered_at,points\r\n"
            "c1,bob,py,e1,2026-01-06T10:00:00Z,,q1,true,0,1000,,\r\n"
            "c1,bob,py,e1,2026-01-06T10:00:00Z,,q2,false,2,1000,,\r\n"
            "c2,ann,py,e1,2026-01-07T10:00:00Z,2026-01-07T10:05:00Z,q1,1,1,2000,,5\r\n");
  WriteFile(dir_.path() / "bad.csv",
            "attempt,user,course,exercise,started_at,question,correct\n"
            "c3,ann,py,e1,2026-01-08T10:00:00Z,q1,true\n"
            "c4,zed,py,e1,2026-01-08T10:00:00Z,q1,true\n");
  CommandResult r = RunCohort({"import", "--account", "acme", "--db", db_,
                               (dir_.path() / "catalog.json").string(),
                               (dir_.path() / "more.csv").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  store::TableCounts c = Counts();
  EXPECT_EQ(c.users, 2);
  EXPECT_EQ(c.attempts, 3);
  EXPECT_EQ(c.responses, 4);
  EXPECT_EQ(c.enrollments, 2);

  CommandResult bad = RunCohort({"import", "--account", "acme", "--db", db_,
                                 (dir_.path() / "bad.csv").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("zed"), std::string::npos) << bad.err;
  EXPECT_EQ(Counts(), c);  // c3 was not imported either: one transaction per file

  // Importing the same files again stores nothing twice.
  ASSERT_EQ(RunCohort({"import", "--account", "acme", "--db", db_,
                       (dir_.path() / "more.csv").string()})
                .exit_code,
            0);
  EXPECT_EQ(Counts(), c);
}

TEST_F(CliTest, DemoCreatesAnOrganisationThatServes) {
  const std::string demo_db = (dir_.path() / "demo.db").string();
  CommandResult r = RunCohort({"demo", "--users", "40", "--courses", "2", "--seed", "7", "--db",
                               demo_db});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("account_manager"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("learner"), std::string::npos) << r.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("coh_[A-Za-z0-9_-]{43}")));
  const std::string token = m.str();
  ServerProcess server(demo_db);
  ASSERT_TRUE(server.started());
  HttpResponse health = SendOnce("127.0.0.1", server.port(), "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  HttpResponse repost = SendOnce("127.0.0.1", server.port(), "POST", "/api/v1/attempts", "[]",
                                 {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(repost.status, 200) << repost.body;
  EXPECT_EQ(server.StopWith(SIGTERM), 0);
  // A second demo on the same database refuses: the account exists.
  EXPECT_EQ(RunCohort({"demo", "--users", "40", "--courses", "2", "--db", demo_db}).exit_code, 1);
}

TEST_F(CliTest, ServeRefusesABadListenAddress) {
  CommandResult r = RunCohort({"serve", "--db", db_, "--listen", "localhost"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--listen"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cohort::testing

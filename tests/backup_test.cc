// cohort backup, restore and check on the real binary, with a server writing meanwhile.
#include <signal.h>

#include <atomic>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "process_test_support.h"
#include "store/store.h"
#include "support/http_client.h"

namespace cohort::testing {
namespace {

using nlohmann::json;

constexpr int kAttemptsPerBatch = 10;
const std::vector<std::string> kUsers = {"ann", "bob", "cy"};
const std::vector<std::string> kExercises = {"e1", "e2", "e3"};

// Batch `b` of the writer: deterministic, so a reference database can be built with the same.
std::string Batch(int b) {
  json attempts = json::array();
  for (int i = 0; i < kAttemptsPerBatch; ++i) {
    const int n = b * kAttemptsPerBatch + i;
    attempts.push_back(
        {{"id", fmt::format("b{}-{}", b, i)},
         {"user", kUsers[static_cast<std::size_t>(n) % kUsers.size()]},
         {"course", "py"},
         {"exercise", kExercises[static_cast<std::size_t>(n / 3) % kExercises.size()]},
         {"started_at",
          fmt::format("2024-01-{:02}T{:02}:{:02}:00Z", 1 + n / 1440, n / 60 % 24, n % 60)},
         {"responses",
          json::array({{{"question", "q1"}, {"correct", n % 2 == 0}},
                       {{"question", "q2"}, {"correct", n % 3 == 0}, {"hints", n % 4}}})}});
  }
  return attempts.dump();
}

// An account "acme" with a read/ingest token; returns the token.
std::string CreateAccount(const std::string& db) {
  EXPECT_EQ(RunCohort({"account", "create", "acme", "--name", "Acme", "--db", db}).exit_code, 0);
  CommandResult token =
      RunCohort({"token", "create", "--account", "acme", "--scope", "read,ingest", "--db", db});
  EXPECT_EQ(token.exit_code, 0) << token.err;
  return token.out.substr(0, token.out.find('\n'));
}

void PutCatalog(HttpClient& client, const HeaderList& auth) {
  HttpResponse course = client.Send(
      "PUT", "/api/v1/courses/py",
      R"({"title":"Python","chapters":[{"key":"c1","title":"One","exercises":[)"
      R"({"key":"e1","title":"E1"},{"key":"e2","title":"E2"},{"key":"e3","title":"E3"}]}]})",
      auth);
  ASSERT_EQ(course.status, 200) << course.body;
  ASSERT_EQ(client.Send("PUT", "/api/v1/groups/g1", R"({"name":"Group"})", auth).status, 200);
  for (const std::string& user : kUsers) {
    HttpResponse r = client.Send(
        "PUT", "/api/v1/users/" + user,
        fmt::format(R"({{"name":"User {0}","email":"{0}@acme.example","groups":["g1"]}})", user),
        auth);
    ASSERT_EQ(r.status, 200) << r.body;
  }
}

// Every view the data reaches, by target.
std::map<std::string, std::string> Views(std::uint16_t port, const std::string& token) {
  HttpClient client("127.0.0.1", port);
  const HeaderList auth = {{"Authorization", "Bearer " + token}};
  std::map<std::string, std::string> out;
  auto get = [&](const std::string& target) {
    HttpResponse r = client.Get(target, auth);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    out[target] = r.body;
  };
  get("/api/v1/courses");
  get("/api/v1/courses/py");
  get("/api/v1/courses/py/users?limit=1000");
  get("/api/v1/courses/py/groups");
  get("/api/v1/report?limit=1000");
  for (const std::string& user : kUsers) {
    get("/api/v1/courses/py/users/" + user);
    for (const std::string& exercise : kExercises) {
      get(fmt::format("/api/v1/courses/py/users/{}/exercises/{}/attempts", user, exercise));
    }
  }
  return out;
}

store::TableCounts Counts(const std::string& db) {
  auto store = store::OpenSqliteStore(db);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return {};
  auto account = store.value()->FindAccount("acme");
  EXPECT_TRUE(account.ok());
  return store.value()->Counts(account->id).value();
}

TEST(BackupTest, ABackupTakenWhileTheServerWritesRestoresToTheStateOfOneCommit) {
  TempDir dir;
  const std::string db = (dir.path() / "live.db").string();
  const std::string token = CreateAccount(db);
  const HeaderList auth = {{"Authorization", "Bearer " + token}};
  const std::string copy = (dir.path() / "copy.db").string();
  int posted = 0;
  {
    ServerProcess server(db);
    ASSERT_TRUE(server.started());
    HttpClient setup("127.0.0.1", server.port());
    PutCatalog(setup, auth);
    std::atomic<int> done{0};
    std::atomic<bool> stop{false}, writer_done{false};
    std::thread writer([&] {
      HttpClient client("127.0.0.1", server.port());
      for (int b = 0; b < 2000 && !stop.load(); ++b) {
        HttpResponse r = client.Send("POST", "/api/v1/attempts", Batch(b), auth);
        if (r.status != 200) {
          ADD_FAILURE() << "batch " << b << ": " << r.status << " " << r.body << r.error;
          break;
        }
        done.store(b + 1);
      }
      writer_done.store(true);
    });
    while (done.load() < 20 && !writer_done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CommandResult backup = RunCohort({"backup", "--db", db, "-o", copy});
    const int after_backup = done.load();
    // Let the writer go on after the copy, so that the live file moves past it.
    while (done.load() < after_backup + 20 && !writer_done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    stop.store(true);
    writer.join();
    posted = done.load();
    ASSERT_EQ(backup.exit_code, 0) << backup.out << backup.err;
    EXPECT_NE(backup.out.find("integrity: ok"), std::string::npos) << backup.out;
    EXPECT_EQ(server.StopWith(SIGTERM), 0);
  }

  const std::string restored = (dir.path() / "restored.db").string();
  CommandResult restore = RunCohort({"restore", "--db", restored, copy});
  ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
  const store::TableCounts counts = Counts(restored);
  // Whole requests only: every attempt with both its responses, batches never split.
  ASSERT_GT(counts.attempts, 0);
  EXPECT_EQ(counts.attempts % kAttemptsPerBatch, 0);
  EXPECT_EQ(counts.responses, 2 * counts.attempts);
  const int batches = static_cast<int>(counts.attempts / kAttemptsPerBatch);
  EXPECT_GE(batches, 20);
  EXPECT_LT(batches, posted) << "the copy should predate the last writes";
  EXPECT_EQ(Counts(db).attempts, std::int64_t{posted} * kAttemptsPerBatch);
  CommandResult check = RunCohort({"check", "--db", restored});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("result: ok"), std::string::npos) << check.out;

  // The source as of the backup: a fresh database given the same catalog and the same first
  // `batches` requests. Every view of the restored copy equals it. Both are read from a server
  // started on the file (the engine rebuilt from the store), so what is compared is the stored
  // state alone.
  const std::string reference = (dir.path() / "reference.db").string();
  const std::string reference_token = CreateAccount(reference);
  std::map<std::string, std::string> live, expected, actual;
  {
    ServerProcess server(reference);
    ASSERT_TRUE(server.started());
    HttpClient client("127.0.0.1", server.port());
    const HeaderList reference_auth = {{"Authorization", "Bearer " + reference_token}};
    PutCatalog(client, reference_auth);
    for (int b = 0; b < batches; ++b) {
      ASSERT_EQ(client.Send("POST", "/api/v1/attempts", Batch(b), reference_auth).status, 200);
    }
    live = Views(server.port(), reference_token);
    EXPECT_EQ(server.StopWith(SIGTERM), 0);
  }
  {
    ServerProcess server(reference);
    ASSERT_TRUE(server.started());
    expected = Views(server.port(), reference_token);
    EXPECT_EQ(server.StopWith(SIGTERM), 0);
  }
  {
    ServerProcess server(restored);
    ASSERT_TRUE(server.started());
    actual = Views(server.port(), token);  // the token came along with the copy
    EXPECT_EQ(server.StopWith(SIGTERM), 0);
  }
  ASSERT_EQ(expected.size(), actual.size());
  for (const auto& [target, body] : expected) EXPECT_EQ(actual[target], body) << target;
  // And the engine maintained request by request equals the one rebuilt from the file, to the
  // last digit (SPEC §3.8).
  ASSERT_EQ(live.size(), expected.size());
  for (const auto& [target, body] : expected) EXPECT_EQ(live[target], body) << target;
}

TEST(BackupTest, BackupAndRestoreRefuseToOverwriteWithoutForce) {
  TempDir dir;
  const std::string db = (dir.path() / "a.db").string();
  CreateAccount(db);
  const std::string copy = (dir.path() / "copy.db").string();
  ASSERT_EQ(RunCohort({"backup", "--db", db, "-o", copy}).exit_code, 0);
  CommandResult again = RunCohort({"backup", "--db", db, "-o", copy});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  EXPECT_EQ(RunCohort({"backup", "--db", db, "-o", copy, "--force"}).exit_code, 0);

  CommandResult restore = RunCohort({"restore", "--db", db, copy});
  EXPECT_EQ(restore.exit_code, 1);
  EXPECT_NE(restore.err.find("--force"), std::string::npos) << restore.err;
  EXPECT_EQ(RunCohort({"restore", "--db", db, copy, "--force"}).exit_code, 0);
  EXPECT_EQ(RunCohort({"check", "--db", db}).exit_code, 0);
  // A missing database is not created by backup or check.
  const std::string missing = (dir.path() / "missing.db").string();
  EXPECT_EQ(RunCohort({"backup", "--db", missing, "-o", copy, "--force"}).exit_code, 1);
  EXPECT_EQ(RunCohort({"check", "--db", missing}).exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(missing));
}

TEST(BackupTest, CheckAndRestoreRefuseACorruptedFile) {
  TempDir dir;
  const std::string db = (dir.path() / "demo.db").string();
  ASSERT_EQ(RunCohort({"demo", "--users", "40", "--courses", "2", "--db", db}).exit_code, 0);
  const std::string copy = (dir.path() / "copy.db").string();
  ASSERT_EQ(RunCohort({"backup", "--db", db, "-o", copy}).exit_code, 0);
  CommandResult sound = RunCohort({"check", "--db", copy});
  ASSERT_EQ(sound.exit_code, 0) << sound.out << sound.err;
  EXPECT_NE(sound.out.find("integrity: ok"), std::string::npos) << sound.out;

  // Overwrite pages in the middle of the file (never the header page).
  const auto size = std::filesystem::file_size(copy);
  ASSERT_GT(size, 64u * 1024u);
  {
    std::fstream file(copy, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(size / 2));
    const std::string garbage(16 * 1024, '\x5a');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  CommandResult broken = RunCohort({"check", "--db", copy});
  EXPECT_EQ(broken.exit_code, 1) << broken.out << broken.err;
  EXPECT_NE(broken.out.find("FAILED"), std::string::npos) << broken.out;

  const std::string restored = (dir.path() / "restored.db").string();
  CommandResult restore = RunCohort({"restore", "--db", restored, copy});
  EXPECT_EQ(restore.exit_code, 1) << restore.out << restore.err;
  EXPECT_FALSE(std::filesystem::exists(restored));

  const std::string text = (dir.path() / "notes.db").string();
  std::ofstream(text) << "not a database at all, just some text that is long enough to look like "
                         "a header of a file\n";
  EXPECT_EQ(RunCohort({"check", "--db", text}).exit_code, 1);
}

}  // namespace
}  // namespace cohort::testing

// Store faults (issue 8): the real server's database lives on a small tmpfs the test mounts (the
// tests run as root; a mount that fails fails the test). The disk fills up, the disk is
// read-only, or another process holds the write lock. Each time: ingest answers 503 with
// Retry-After and the JSON error shape (no SQL, no path), nothing of the batch shows in any view,
// every view still answers 200 (promptly, also for a token whose use is due to be recorded),
// the file passes PRAGMA integrity_check, and once the fault clears the next write succeeds
// without a restart and every view equals a fresh rebuild's.
#include <fcntl.h>
#include <signal.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <functional>
#include <regex>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "process_test_support.h"
#include "reliability_support.h"
#include "store/sqlite/write_lock_holder.h"

namespace cohort::testing {
namespace {

// A tmpfs mounted on `path` for the test's life; unmounted (lazily when still busy) at the end.
class TmpfsMount {
 public:
  TmpfsMount(const std::filesystem::path& path, const std::string& size) : path_(path) {
    std::filesystem::create_directories(path);
    const int rc = RunShell(
        fmt::format("mount -t tmpfs -o size={},mode=0755 cohort-fault '{}'", size, path.string()),
        &error_);
    mounted_ = rc == 0;
  }
  ~TmpfsMount() {
    if (!mounted_) return;
    if (RunShell(fmt::format("umount '{}'", path_.string())) != 0) {
      RunShell(fmt::format("umount -l '{}'", path_.string()));
    }
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::filesystem::path path_;
  bool mounted_ = false;
  std::string error_;
};

// Fills the filesystem holding `dir` with one file until a write fails with ENOSPC.
void FillDisk(const std::filesystem::path& file) {
  const int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0) << "cannot create " << file;
  std::string chunk(1 << 16, 'x');
  std::size_t size = chunk.size();
  while (true) {
    const ssize_t n = write(fd, chunk.data(), size);
    if (n > 0) continue;
    if (errno == ENOSPC && size > 512) {  // fill the last pages too
      size /= 2;
      continue;
    }
    EXPECT_EQ(errno, ENOSPC);
    break;
  }
  close(fd);
  struct statvfs fs {};
  ASSERT_EQ(statvfs(file.parent_path().c_str(), &fs), 0);
  ASSERT_EQ(fs.f_bavail, 0u) << "the disk is not full";
}

class StoreFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mount_ = std::make_unique<TmpfsMount>(dir_.path() / "disk", "24m");
    ASSERT_TRUE(mount_->mounted())
        << "cannot mount a tmpfs for the store-fault test (it needs root, or CAP_SYS_ADMIN): "
        << mount_->error();
    db_ = dir_.path() / "disk" / "fault.db";
    token_ = CreateAccountWithToken(db_, "read,ingest");
    StartServer();
    HttpClient client("127.0.0.1", server_->port());
    PutCatalog(client, Bearer(token_));
    for (int b = 0; b < 3; ++b) {
      HttpResponse r =
          client.Send("POST", "/api/v1/attempts", MakeBatch(fmt::format("base{}", b), 200, b).body,
                      Bearer(token_));
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }
  void TearDown() override {
    if (server_) server_->StopWith(SIGTERM);
    server_.reset();
    mount_.reset();
  }

  void StartServer() {
    // The log stays off the faulty disk.
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"serve", "--db", db_.string(), "--listen", "127.0.0.1:0",
                                 "--metrics-listen", "127.0.0.1:0"},
        dir_.path() / "server.log");
    ASSERT_TRUE(server_->started()) << ReadAll(dir_.path() / "server.log");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(server_->printed(), m,
                                  std::regex(R"(metrics on http://127\.0\.0\.1:(\d+)/metrics)")))
        << server_->printed();
    metrics_port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
  }

  // cohort_store_unavailable_total as /metrics shows it; -1 when absent.
  long RefusedWrites() {
    HttpResponse r = SendOnce("127.0.0.1", metrics_port_, "GET", "/metrics");
    EXPECT_EQ(r.status, 200) << r.error;
    std::smatch m;
    if (!std::regex_search(r.body, m, std::regex(R"(\ncohort_store_unavailable_total (\d+))"))) {
      return -1;
    }
    return std::stol(m[1].str());
  }

  // The common part of every fault: `make` starts it, `clear` ends it.
  // `small_writes_fail`: false for a full disk, where a write that fits in the WAL's already
  // allocated pages still succeeds (rightly).
  // `retries_allowed`: how many 503s (each followed by the Retry-After wait, as a client does)
  // the first write after the fault cleared may get.
  void ExerciseFault(const std::string& name, const std::function<void()>& make,
                     const std::function<void()>& clear, bool small_writes_fail = true,
                     int retries_allowed = 0) {
    // A second read token, never used yet: its first use is due to be recorded (a write), which
    // must not hold up or fail the read while the store cannot write.
    CommandResult fresh = RunCohort(
        {"token", "create", "--account", "acme", "--scope", "read", "--db", db_.string()});
    ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
    const std::string fresh_token = fresh.out.substr(0, fresh.out.find('\n'));
    const std::map<std::string, std::string> before = Views(server_->port(), token_);
    const Batch batch = MakeBatch("fault-" + name, 3000, 42);

    make();
    if (HasFatalFailure()) return;
    HttpClient client("127.0.0.1", server_->port(), std::chrono::seconds(30));
    HttpResponse refused = client.Send("POST", "/api/v1/attempts", batch.body, Bearer(token_));
    ExpectCleanUnavailable(refused, name + ": a batch");
    if (small_writes_fail) {
      HttpResponse user =
          client.Send("PUT", "/api/v1/users/u0", R"({"name":"Renamed","email":"u0@acme.example"})",
                      Bearer(token_));
      ExpectCleanUnavailable(user, name + ": a user");
    }
    const auto read_started = std::chrono::steady_clock::now();
    HttpResponse first_use = client.Get("/api/v1/courses", Bearer(fresh_token));
    const double first_use_ms = MsSince(read_started);
    EXPECT_EQ(first_use.status, 200) << name << ": " << first_use.body;
    // Generous: a read must not wait for the store's write lock (5 s busy timeout).
    EXPECT_LT(first_use_ms, 2500) << name << ": a read with a fresh token waited";
    // The refused writes are counted (this process's: a read-only disk restarts the server).
    EXPECT_EQ(RefusedWrites(), small_writes_fail ? 2 : 1) << name;
    const std::map<std::string, std::string> during = Views(server_->port(), token_);
    ExpectSameViews(before, during, name + ": views while the store cannot write");
    EXPECT_EQ(IntegrityCheck(db_), "ok") << name;

    clear();
    if (HasFatalFailure()) return;
    const auto cleared = std::chrono::steady_clock::now();
    HttpResponse accepted = client.Send("POST", "/api/v1/attempts", batch.body, Bearer(token_));
    int retries = 0;
    for (; accepted.status == 503 && retries < retries_allowed; ++retries) {
      std::this_thread::sleep_for(std::chrono::seconds(std::stoi(accepted.Header("retry-after"))));
      accepted = client.Send("POST", "/api/v1/attempts", batch.body, Bearer(token_));
    }
    const double recover_ms = MsSince(cleared);
    ASSERT_EQ(accepted.status, 200) << name << " after the fault cleared: " << accepted.body;
    EXPECT_EQ(accepted.body, R"({"accepted":3000,"duplicates":0})");
    std::cout << fmt::format(
        "store_fault {}: first write after the fault cleared accepted after {:.0f} ms ({} "
        "503s before); a read with a fresh token during the fault took {:.0f} ms\n",
        name, recover_ms, retries, first_use_ms);
    const std::map<std::string, int> stored = StoredAttempts(db_);
    for (std::size_t i = 0; i < batch.ids.size(); ++i) {
      ASSERT_EQ(stored.count(batch.ids[i]), 1u) << batch.ids[i];
      EXPECT_EQ(stored.at(batch.ids[i]), batch.responses[i]);
    }
    const std::map<std::string, std::string> live = Views(server_->port(), token_);
    ExpectSameViews(RebuiltViews(db_, dir_.path() / "copy.db", token_), live,
                    name + ": live server after recovery vs a fresh rebuild");
    EXPECT_EQ(IntegrityCheck(db_), "ok") << name;
    // And the store goes on writing (the next batch too, and a catalog change).
    HttpResponse next = client.Send("POST", "/api/v1/attempts",
                                    MakeBatch("after-" + name, 10, 7).body, Bearer(token_));
    EXPECT_EQ(next.status, 200) << next.body;
  }

  TempDir dir_;
  std::unique_ptr<TmpfsMount> mount_;
  std::filesystem::path db_;
  std::string token_;
  std::unique_ptr<ServerProcess> server_;
  std::uint16_t metrics_port_ = 0;
};

TEST_F(StoreFaultTest, DiskFullAnswers503AndWritesResumeOnceSpaceIsFreed) {
  const std::filesystem::path filler = dir_.path() / "disk" / "filler";
  ExerciseFault(
      "disk-full", [&] { FillDisk(filler); }, [&] { std::filesystem::remove(filler); }, false);
}

// A disk cannot turn read-only under a running server: the kernel refuses `mount -o remount,ro`
// (EBUSY) while a process holds files on it open for writing, as the server does. So the disk
// goes read-only between a clean stop and a start (the remount is tried live first, in case a
// kernel allows it): the server starts, serves reads, refuses writes with 503, and writes
// resume without a restart once the disk is writable again.
TEST_F(StoreFaultTest, ReadOnlyDiskServesReadsAnswers503AndWritesResumeOnceWritable) {
  const std::string disk = (dir_.path() / "disk").string();
  bool live = false;
  ExerciseFault(
      "read-only",
      [&] {
        std::string output;
        live = RunShell(fmt::format("mount -o remount,ro '{}'", disk), &output) == 0;
        std::cout << "remount,ro with the server running: "
                  << (live ? "done" : "refused: " + output);
        if (live) return;
        ASSERT_EQ(server_->StopWith(SIGTERM), 0);
        ASSERT_EQ(RunShell(fmt::format("mount -o remount,ro '{}'", disk), &output), 0) << output;
        StartServer();
      },
      [&] {
        std::string output;
        ASSERT_EQ(RunShell(fmt::format("mount -o remount,rw '{}'", disk), &output), 0) << output;
      },
      true, 1);
}

TEST_F(StoreFaultTest, AnotherProcessHoldingTheWriteLockAnswers503AndWritesResumeOnRelease) {
  std::unique_ptr<store::sqlite::WriteLockHolder> holder;
  ExerciseFault(
      "locked",
      [&] {
        Result<std::unique_ptr<store::sqlite::WriteLockHolder>> held =
            store::sqlite::WriteLockHolder::Hold(db_.string());
        ASSERT_TRUE(held.ok()) << held.status().ToString();
        holder = std::move(held).value();
      },
      [&] { holder.reset(); });
}

}  // namespace
}  // namespace cohort::testing

#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace cohort::store::sqlite {

class Connection;

// Copies the WAL back into the database file (a PASSIVE checkpoint) on a thread of its own,
// with its own connection, instead of in the commit that happened to pass SQLite's
// auto-checkpoint threshold: that commit used to write ~1,000 pages into the database file and
// fsync it before its caller got an answer, holding the write lock meanwhile
// (docs/performance.md, "Ingest"). Durability is unchanged: a commit is durable once its WAL
// frames are fsynced (synchronous=FULL); the checkpoint only moves them, and a crash during it
// is recovered by SQLite from the WAL.
//
// Attach() replaces the writer connection's auto-checkpoint with a hook that wakes this thread
// once the WAL holds kWakeFrames frames. When the WAL still grows past kWriterFrames (the
// thread cannot keep up, or its checkpoints fail), the committing writer checkpoints itself, as
// SQLite's default does, so the WAL stays bounded. Thread-safe.
class Checkpointer {
 public:
  static constexpr int kWakeFrames = 1000;      // SQLite's default auto-checkpoint threshold
  static constexpr int kWriterFrames = 16'000;  // ~64 MiB of 4 KiB pages

  // Starts the thread; its connection to `path` is opened at the first checkpoint.
  Checkpointer(std::string path, int busy_timeout_ms);
  // Stops the thread, after the checkpoint in progress if any.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Hooks the WAL commits of `writer` (call again after reopening it). The hook refers to this
  // object: it must outlive the writer connection's writes.
  void Attach(Connection& writer);

  // Checkpoints done by the thread so far (for tests).
  long checkpoints();

 private:
  static int OnCommit(void* self, sqlite3* db, const char* schema, int frames);
  void Run();

  const std::string path_;
  const int busy_timeout_ms_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool due_ = false;   // under mu_
  bool stop_ = false;  // under mu_
  long checkpoints_ = 0;  // under mu_
  std::unique_ptr<Connection> connection_;  // the thread's own
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace cohort::store::sqlite

#include "store/sqlite/checkpointer.h"

#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include "store/sqlite/connection.h"

namespace cohort::store::sqlite {

Checkpointer::Checkpointer(std::string path, int busy_timeout_ms)
    : path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms), thread_([this] { Run(); }) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Checkpointer::Attach(Connection& writer) {
  // Replaces SQLite's auto-checkpoint hook (sqlite3_wal_autocheckpoint installs one).
  sqlite3_wal_hook(writer.get(), &Checkpointer::OnCommit, this);
}

long Checkpointer::checkpoints() {
  std::lock_guard lock(mu_);
  return checkpoints_;
}

int Checkpointer::OnCommit(void* self, sqlite3* db, const char* schema, int frames) {
  auto* checkpointer = static_cast<Checkpointer*>(self);
  if (frames >= kWriterFrames) {
    // The thread is behind: checkpoint here, like SQLite's default hook (errors ignored as it
    // does: the commit itself succeeded, and the frames stay in the WAL).
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }
  if (frames >= kWakeFrames) {
    {
      std::lock_guard lock(checkpointer->mu_);
      checkpointer->due_ = true;
    }
    checkpointer->wake_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return due_ || stop_; });
    if (stop_) break;
    due_ = false;
    lock.unlock();
    if (!connection_) {
      Result<std::unique_ptr<Connection>> opened =
          Connection::Open(path_, {.read_only = false, .busy_timeout_ms = busy_timeout_ms_});
      if (opened.ok() && !opened.value()->read_only()) connection_ = std::move(opened).value();
    }
    int rc = SQLITE_CANTOPEN;
    if (connection_) {
      rc = sqlite3_wal_checkpoint_v2(connection_->get(), "main", SQLITE_CHECKPOINT_PASSIVE,
                                     nullptr, nullptr);
    }
    // BUSY: another checkpoint runs (another process's). Anything else (a full or read-only
    // disk) leaves the frames in the WAL, which is as durable; the next commit wakes us again.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      spdlog::debug("sqlite: background checkpoint failed (code {}); the WAL keeps the data", rc);
      connection_.reset();  // reopened next time: the disk may have become writable again
    }
    lock.lock();
    if (rc == SQLITE_OK) ++checkpoints_;
  }
}

}  // namespace cohort::store::sqlite

#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "common/status.h"

struct sqlite3;

namespace cohort::store::sqlite {

// `path` as an SQLite URI ("file:…", with '?', '#' and '%' escaped), for options to be added.
std::string FileUri(const std::string& path);

// How a connection is opened.
struct ConnectionOptions {
  bool read_only = false;
  int busy_timeout_ms = 5000;  // how long a write waits for another writer's lock
};

// One SQLite connection, owned: closed on destruction (after its statements are finalized,
// whatever the order). Not thread-safe: its owner guards it with a mutex.
class Connection {
 public:
  // Opens `path` (created when missing, unless read-only; a "file:" URI is accepted) in WAL mode
  // with synchronous=FULL, foreign keys on and the busy timeout set. A file on a read-only disk
  // opens read-only (immutable when its WAL is empty), for reads only.
  // Errors: kUnavailable when the file cannot be opened, created or switched to WAL.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path,
                                                  const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL text (one or more statements) that takes no parameters and returns no rows:
  // pragmas, migrations, transaction control.
  Status Exec(const char* sql);
  sqlite3* get() const { return db_; }

  // True when the connection is read-only: asked so, or because the file or its disk was not
  // writable when it opened (it stays so even once the disk is writable again).
  bool read_only() const;

  // Sets how long a write waits for another connection's lock; 0 fails at once with BUSY.
  void SetBusyTimeout(int ms);
  int busy_timeout_ms() const { return busy_timeout_ms_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  int busy_timeout_ms_ = 0;
};

// While alive, writes on `connection` fail at once (kUnavailable) instead of waiting for another
// process's write lock; then the connection's own busy timeout is back. For best-effort writes
// (a token's or a session's last use), which must never hold up the read they come with.
class NoBusyWait {
 public:
  explicit NoBusyWait(Connection& connection)
      : connection_(connection), saved_ms_(connection.busy_timeout_ms()) {
    connection_.SetBusyTimeout(0);
  }
  ~NoBusyWait() { connection_.SetBusyTimeout(saved_ms_); }
  NoBusyWait(const NoBusyWait&) = delete;
  NoBusyWait& operator=(const NoBusyWait&) = delete;

 private:
  Connection& connection_;
  int saved_ms_;
};

// A write transaction (BEGIN IMMEDIATE) on a connection: rolled back on destruction unless
// Commit() succeeded, so an early return or an exception changes nothing.
class WriteTransaction {
 public:
  explicit WriteTransaction(Connection& connection) : connection_(connection) {}
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  // Takes the write lock, waiting up to the busy timeout. Errors: kUnavailable when locked.
  Status Begin();
  // Commits durably. On failure the transaction is rolled back by the destructor.
  Status Commit();

 private:
  Connection& connection_;
  bool open_ = false;
};

}  // namespace cohort::store::sqlite

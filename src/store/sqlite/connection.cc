#include "store/sqlite/connection.h"

#include <mutex>

#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include "store/sqlite/statement.h"

namespace cohort::store::sqlite {
namespace {

// Reads the one-row, one-column answer of a pragma such as journal_mode.
Result<std::string> PragmaText(sqlite3* db, const char* sql) {
  Statement statement;
  COHORT_RETURN_IF_ERROR(statement.Prepare(db, sql));
  Query query(statement);
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::string();
  return query.Text(0);
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                     const ConnectionOptions& options) {
  const int flags =
      (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE;
  // Memory statistics take a global mutex on every allocation; nothing reads them. This only
  // works before SQLite initializes, hence once, before the first open.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  // The handle is returned even on failure (to read the message) and must be closed.
  std::unique_ptr<Connection> connection(new Connection(db));
  if (rc != SQLITE_OK) return SqliteError(db, rc, "open " + path);
  sqlite3_extended_result_codes(db, 1);
  connection->SetBusyTimeout(options.busy_timeout_ms);

  Result<std::string> mode = PragmaText(db, "PRAGMA journal_mode=WAL");
  if (!mode.ok()) return mode.status();
  if (mode.value() != "wal") {
    spdlog::error("sqlite: {} stays in journal mode '{}' instead of WAL", path, mode.value());
    return Status::Unavailable("the database cannot use write-ahead logging");
  }
  // FULL: a commit is on disk (WAL fsynced) before it returns, so an acknowledged write
  // survives a power loss, not only a process crash. temp_store and the 64 MiB page cache
  // keep large imports off the disk until commit.
  COHORT_RETURN_IF_ERROR(
      connection->Exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
                       "PRAGMA cache_size=-65536;"));
  return connection;
}

Connection::~Connection() { sqlite3_close_v2(db_); }

void Connection::SetBusyTimeout(int ms) {
  sqlite3_busy_timeout(db_, ms);
  busy_timeout_ms_ = ms;
}

Status Connection::Exec(const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  sqlite3_free(message);  // SqliteError reads the same text from the connection
  if (rc != SQLITE_OK) return SqliteError(db_, rc, sql);
  return Status();
}

WriteTransaction::~WriteTransaction() {
  if (!open_) return;
  if (sqlite3_get_autocommit(connection_.get()) != 0) return;  // SQLite already rolled back
  Status s = connection_.Exec("ROLLBACK");
  if (!s.ok()) spdlog::error("sqlite: rollback failed: {}", s.ToString());
}

Status WriteTransaction::Begin() {
  COHORT_RETURN_IF_ERROR(connection_.Exec("BEGIN IMMEDIATE"));
  open_ = true;
  return Status();
}

Status WriteTransaction::Commit() {
  COHORT_RETURN_IF_ERROR(connection_.Exec("COMMIT"));
  open_ = false;
  return Status();
}

}  // namespace cohort::store::sqlite

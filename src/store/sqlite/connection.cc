#include "store/sqlite/connection.h"

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <mutex>

#include <fmt/format.h>
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

std::string FileUri(const std::string& path) {
  std::string uri = "file:";
  for (const char c : path) {
    if (c == '?' || c == '#' || c == '%') {
      uri += fmt::format("%{:02X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
    } else {
      uri += c;
    }
  }
  return uri;
}

namespace {

// On a read-only disk SQLite cannot open a WAL database at all unless its -wal and -shm files
// exist (it would have to create them), and a clean close removes them. When the file cannot be
// written and its WAL holds nothing (so nothing committed is only in the WAL), the file is
// opened as immutable instead: read as it is, without WAL or locks. Nothing can change it while
// the disk is read-only; once it is writable, the store reopens both connections
// (SqliteStore::WriterReady). Returns the URI to open, or "" to open `path` as usual.
std::string ReadOnlyDiskUri(const std::string& path) {
  if (path.starts_with("file:")) return "";  // the caller chose its own options
  if (access(path.c_str(), F_OK) != 0 || access(path.c_str(), W_OK) == 0) return "";
  if (errno != EROFS) return "";  // only a read-only disk: nobody else can write the file
  std::error_code ec;
  const std::uintmax_t wal = std::filesystem::file_size(path + "-wal", ec);
  if (!ec && wal > 0) return "";  // committed data may be in the WAL: a plain read-only open
  return FileUri(path) + "?mode=ro&immutable=1";
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                     const ConnectionOptions& options) {
  const std::string immutable = ReadOnlyDiskUri(path);
  const int flags =
      (options.read_only || !immutable.empty() ? SQLITE_OPEN_READONLY
                                               : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE;
  // Memory statistics take a global mutex on every allocation; nothing reads them. This only
  // works before SQLite initializes, hence once, before the first open.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(immutable.empty() ? path.c_str() : immutable.c_str(), &db, flags, nullptr);
  // The handle is returned even on failure (to read the message) and must be closed.
  std::unique_ptr<Connection> connection(new Connection(db));
  if (rc != SQLITE_OK) return SqliteError(db, rc, "open " + path);
  sqlite3_extended_result_codes(db, 1);
  connection->SetBusyTimeout(options.busy_timeout_ms);

  // A read-only connection cannot switch the journal mode and need not: WAL mode is recorded
  // in the file, and a reader follows it. A read-write connection is read-only too when the
  // file or its disk is not writable (see ReadOnlyDiskUri; SQLite also falls back to read-only
  // by itself): writes through it fail with SQLITE_READONLY, i.e. kUnavailable, until the store
  // reopens it once the disk is writable again (SqliteStore::WriterReady).
  if (connection->read_only()) {
    if (!options.read_only) {
      spdlog::info("sqlite: {} is not writable: reads only until it becomes writable", path);
    }
    COHORT_RETURN_IF_ERROR(
        connection->Exec("PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
                         "PRAGMA cache_size=-65536;"));
    return connection;
  }
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
  // The reader maps the file: the rebuild at start reads every attempt once, and pread's copy
  // of each page was a tenth of its time. (SQLite caps the size at its compile-time maximum.)
  if (options.read_only) COHORT_RETURN_IF_ERROR(connection->Exec("PRAGMA mmap_size=17179869184;"));
  return connection;
}

Connection::~Connection() { sqlite3_close_v2(db_); }

bool Connection::read_only() const { return sqlite3_db_readonly(db_, "main") == 1; }

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

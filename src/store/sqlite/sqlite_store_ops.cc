// Operations on the whole database: the online backup, the integrity checks, read-only opening.
#include <chrono>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <thread>

#include <sqlite3.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/statement.h"
#include "store/sqlite/store_side.h"

namespace cohort::store::sqlite {
namespace {

// A raw connection closed on destruction (the backup's source and destination).
struct Handle {
  sqlite3* db = nullptr;
  ~Handle() { sqlite3_close_v2(db); }
};

// How long the backup waits, in total, for a lock held by another connection.
constexpr std::chrono::seconds kBackupLockWait{30};

// Whether `column` of `table` really holds a NULL. typeof() reads each stored value, where
// "column IS NULL" on a NOT NULL column may be folded to false by the planner.
Result<bool> HasNull(sqlite3* db, const std::string& table, const std::string& column) {
  Statement statement;
  const std::string sql = fmt::format(
      "SELECT EXISTS (SELECT 1 FROM \"{}\" WHERE typeof(\"{}\") = 'null')", table, column);
  COHORT_RETURN_IF_ERROR(statement.Prepare(db, sql.c_str()));
  Query query(statement);
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  return row.value() && query.Int(0) != 0;
}

// The problems integrity_check reports, up to 100. SQLite 3.40.0-3.41.0 (Debian 12 ships
// 3.40.1) reports "NULL value in T.C" for every row of a WITHOUT ROWID table whose primary key
// columns are declared in another order than the table's columns (our group_members and
// group_managers); such a report is kept only when the column really holds a NULL.
Status IntegrityProblems(sqlite3* db, std::vector<std::string>& out) {
  static const std::regex kNullReport(
      R"(NULL value in ([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*))");
  std::map<std::string, bool> verified;  // "table.column" → really has a NULL
  Statement statement;
  COHORT_RETURN_IF_ERROR(statement.Prepare(db, "PRAGMA integrity_check(1000000)"));
  Query query(statement);
  while (out.size() < 100) {
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return Status();
    std::string text = query.Text(0);
    if (text == "ok") continue;
    std::smatch m;
    if (std::regex_match(text, m, kNullReport)) {
      const std::string key = m[1].str() + "." + m[2].str();
      auto it = verified.find(key);
      if (it == verified.end()) {
        Result<bool> has_null = HasNull(db, m[1].str(), m[2].str());
        if (!has_null.ok()) return has_null.status();
        it = verified.emplace(key, has_null.value()).first;
      }
      if (!it->second) continue;
    }
    out.push_back(std::move(text));
  }
  return Status();
}
}  // namespace

Status SqliteStore::Backup(const std::string& path) {
  try {
    // Its own source connection, so the store's reader stays free for the server meanwhile.
    std::string source_path;
    {
      std::lock_guard lock(read_mu_);
      const char* name = sqlite3_db_filename(reader_->connection->get(), "main");
      source_path = name != nullptr ? name : "";
    }
    if (source_path.empty()) return Status::Internal("the database has no file to back up");
    Handle source, destination;
    int rc = sqlite3_open_v2(source_path.c_str(), &source.db,
                             SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) return SqliteError(source.db, rc, "backup: open " + source_path);
    sqlite3_busy_timeout(source.db, 5000);
    rc = sqlite3_open_v2(path.c_str(), &destination.db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) return SqliteError(destination.db, rc, "backup: open " + path);
    sqlite3_busy_timeout(destination.db, 5000);
    sqlite3_backup* backup = sqlite3_backup_init(destination.db, "main", source.db, "main");
    if (backup == nullptr) {
      return SqliteError(destination.db, sqlite3_errcode(destination.db), "backup: start");
    }
    // One step of all pages: the copy is made within one read transaction on the source, so it
    // is one committed state however many writes land meanwhile (WAL lets them).
    const auto deadline = std::chrono::steady_clock::now() + kBackupLockWait;
    while (true) {
      rc = sqlite3_backup_step(backup, -1);
      if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) &&
          std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      if (rc != SQLITE_OK) break;
    }
    const int finished = sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) return SqliteError(destination.db, rc, "backup: copy to " + path);
    if (finished != SQLITE_OK) return SqliteError(destination.db, finished, "backup: finish");
    // The copy is opened like any database later, in WAL mode: make it one now so that even a
    // read-only open of it works.
    char* message = nullptr;
    rc = sqlite3_exec(destination.db, "PRAGMA journal_mode=WAL", nullptr, nullptr, &message);
    sqlite3_free(message);
    if (rc != SQLITE_OK) return SqliteError(destination.db, rc, "backup: journal_mode");
    spdlog::info("sqlite: backed up {} to {}", source_path, path);
    return Status();
  } catch (const std::exception& e) {
    spdlog::error("store: Backup failed with an exception: {}", e.what());
    return Status::Internal("the store failed unexpectedly");
  }
}

Result<std::vector<std::string>> SqliteStore::IntegrityCheck() {
  try {
    std::lock_guard lock(read_mu_);
    std::vector<std::string> problems;
    sqlite3* db = reader_->connection->get();
    COHORT_RETURN_IF_ERROR(IntegrityProblems(db, problems));
    // foreign_key_check answers rows of (table, rowid, parent, fkid): one line each.
    Statement statement;
    COHORT_RETURN_IF_ERROR(statement.Prepare(db, "PRAGMA foreign_key_check"));
    Query query(statement);
    while (true) {
      Result<bool> row = query.Step();
      if (!row.ok()) return row.status();
      if (!row.value()) break;
      problems.push_back(fmt::format("foreign key: row {} of {} refers to a missing {} row",
                                     query.Int(1), query.Text(0), query.Text(2)));
    }
    return problems;
  } catch (const std::exception& e) {
    spdlog::error("store: IntegrityCheck failed with an exception: {}", e.what());
    return Status::Internal("the store failed unexpectedly");
  }
}

int SqliteStore::LatestSchemaVersion() const { return sqlite::LatestSchemaVersion(); }

}  // namespace cohort::store::sqlite

namespace cohort::store {

Result<std::unique_ptr<Store>> OpenSqliteStoreReadOnly(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::Unavailable(fmt::format("{} is not a database file", path));
  }
  const std::string uri = sqlite::FileUri(path) + "?mode=ro";
  Result<std::unique_ptr<sqlite::SqliteStore>> store = sqlite::SqliteStore::Open(uri);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(store).value());
}

}  // namespace cohort::store

#include "store/sqlite/statement.h"

#include <sqlite3.h>
#include <spdlog/spdlog.h>

namespace cohort::store::sqlite {

Status SqliteError(sqlite3* db, int rc, std::string_view context) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const char* file = db != nullptr ? sqlite3_db_filename(db, "main") : nullptr;
  const int primary = rc & 0xff;
  const bool transient = primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
  spdlog::log(transient ? spdlog::level::warn : spdlog::level::err,
              "sqlite: {} (code {}) in '{}' on {}", detail, rc, context,
              file != nullptr && *file != '\0' ? file : "(no file)");
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable("the database is busy with another writer; try again");
    case SQLITE_READONLY:
      return Status::Unavailable("the database is read-only");
    case SQLITE_FULL:
      return Status::Unavailable("the disk holding the database is full");
    case SQLITE_IOERR:
      return Status::Unavailable("the database file could not be read or written");
    case SQLITE_CANTOPEN:
      return Status::Unavailable("the database file cannot be opened");
    default:
      return Status::Internal("the database failed unexpectedly");
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Status Statement::Prepare(sqlite3* db, const char* sql) {
  sqlite3_finalize(stmt_);
  stmt_ = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db, rc, sql);
  return Status();
}

Query::~Query() {
  // The step's error, if any, was reported by Step(); reset repeats it and is ignored here.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Query::BindInt(int index, std::int64_t value) {
  Check(sqlite3_bind_int64(stmt_, index, value));
}

void Query::BindDouble(int index, double value) { Check(sqlite3_bind_double(stmt_, index, value)); }

void Query::BindText(int index, std::string_view value) {
  Check(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8));
}

void Query::BindBlob(int index, std::string_view value) {
  Check(sqlite3_bind_blob64(stmt_, index, value.data(), value.size(), SQLITE_STATIC));
}

void Query::BindNull(int index) { Check(sqlite3_bind_null(stmt_, index)); }

void Query::BindOptionalInt(int index, std::optional<std::int64_t> value) {
  if (value) {
    BindInt(index, *value);
  } else {
    BindNull(index);
  }
}

void Query::BindOptionalDouble(int index, std::optional<double> value) {
  if (value) {
    BindDouble(index, *value);
  } else {
    BindNull(index);
  }
}

Result<bool> Query::Step() {
  sqlite3* db = sqlite3_db_handle(stmt_);
  if (bind_rc_ != SQLITE_OK) return SqliteError(db, bind_rc_, sqlite3_sql(stmt_));
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db, rc, sqlite3_sql(stmt_));
}

Status Query::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return Status();
  }
}

std::int64_t Query::Changes() const { return sqlite3_changes64(sqlite3_db_handle(stmt_)); }

std::int64_t Query::LastInsertRowid() const {
  return sqlite3_last_insert_rowid(sqlite3_db_handle(stmt_));
}

bool Query::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t Query::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

double Query::Double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Query::Text(int column) const { return std::string(TextView(column)); }

std::string_view Query::TextView(int column) const {
  const auto* text = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) return std::string_view();
  return std::string_view(text, static_cast<std::size_t>(size));
}

std::optional<std::int64_t> Query::OptionalInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

std::optional<double> Query::OptionalDouble(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Double(column);
}

}  // namespace cohort::store::sqlite

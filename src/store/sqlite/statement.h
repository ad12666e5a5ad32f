#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace cohort::store::sqlite {

// Turns a failed SQLite result code into a Status and logs the details (SQLite's message, the
// statement or action `context`, the database file) that must not reach clients.
// BUSY, LOCKED, READONLY, FULL, IOERR*, CANTOPEN → kUnavailable; anything else → kInternal.
Status SqliteError(sqlite3* db, int rc, std::string_view context);

// A prepared statement, owned: finalized on destruction. Prepared once per connection and
// reused; executed through Query. Not thread-safe: used under the mutex of its connection.
class Statement {
 public:
  Statement() = default;
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Prepares `sql` (one statement) on `db`, replacing what was held. Errors: kInternal (logged).
  Status Prepare(sqlite3* db, const char* sql);
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// One execution of a Statement: bind, step, read columns. The destructor resets the statement
// and clears its bindings, so a read transaction never outlives the Query that opened it.
//
// Text and blobs are bound without copying: the bytes must stay alive until the Query dies
// (binding a temporary std::string does not compile for that reason). Bindings are 1-based,
// columns 0-based. A failed bind is reported by the next Step() or Run().
class Query {
 public:
  explicit Query(Statement& statement) : stmt_(statement.get()) {}
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  void BindInt(int index, std::int64_t value);
  void BindDouble(int index, double value);
  void BindText(int index, std::string_view value);
  void BindText(int index, std::string&& value) = delete;
  void BindBlob(int index, std::string_view value);
  void BindBlob(int index, std::string&& value) = delete;
  void BindNull(int index);
  void BindOptionalInt(int index, std::optional<std::int64_t> value);
  void BindOptionalDouble(int index, std::optional<double> value);

  // Runs one step: true when a row is ready, false when the statement is done.
  Result<bool> Step();
  // Runs the statement to completion, ignoring any rows (for writes).
  Status Run();
  // Rows changed by the last completed INSERT, UPDATE or DELETE on this connection.
  std::int64_t Changes() const;
  // The rowid of the last successful INSERT on this connection.
  std::int64_t LastInsertRowid() const;

  bool IsNull(int column) const;
  std::int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;
  // The text of `column`, valid until the next Step() or the Query's end.
  std::string_view TextView(int column) const;
  std::optional<std::int64_t> OptionalInt(int column) const;
  std::optional<double> OptionalDouble(int column) const;

 private:
  void Check(int rc) {
    if (rc != 0 && bind_rc_ == 0) bind_rc_ = rc;
  }

  sqlite3_stmt* stmt_;
  int bind_rc_ = 0;  // the first failed bind's result code, 0 (SQLITE_OK) when none failed
};

}  // namespace cohort::store::sqlite

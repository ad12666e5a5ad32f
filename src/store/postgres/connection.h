#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

struct pg_conn;
struct pg_result;

namespace cohort::store::postgres {

// The text parameters of one statement ($1, $2, ...), in order. Values are always sent as
// parameters, never formatted into SQL.
class Params {
 public:
  Params& Int(std::int64_t v);
  Params& Double(double v);
  Params& Text(std::string_view v);
  Params& Null();
  // An array in PostgreSQL's input syntax, for a bigint[] parameter: "{1,2,3}".
  Params& IntArray(const std::vector<std::int64_t>& v);
  // An array in PostgreSQL's input syntax, for a text[] parameter: each element double-quoted,
  // with its '"' and '\' escaped by a backslash.
  Params& TextArray(const std::vector<std::string>& v);
  Params& OptionalInt(std::optional<std::int64_t> v) { return v ? Int(*v) : Null(); }
  Params& OptionalText(const std::optional<std::string>& v) { return v ? Text(*v) : Null(); }
  Params& OptionalDouble(std::optional<double> v) { return v ? Double(*v) : Null(); }
  Params& Bool(bool v) { return Text(v ? "t" : "f"); }
  // Binary data as hex text: the SQL decodes it with decode($n, 'hex').
  Params& Hex(std::string_view bytes);

  int size() const { return static_cast<int>(values_.size()); }
  // Pointers into this object's strings (NULL for a null), valid while it lives unchanged.
  std::vector<const char*> Pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

// A query's answer (an owned PGresult), read in text format.
class Rows {
 public:
  explicit Rows(pg_result* result);
  ~Rows();
  Rows(Rows&& other) noexcept;
  Rows& operator=(Rows&& other) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;

  int size() const;
  bool empty() const { return size() == 0; }
  // Rows changed by an INSERT/UPDATE/DELETE without RETURNING.
  std::int64_t affected() const;
  bool IsNull(int row, int column) const;
  std::string_view TextView(int row, int column) const;
  std::string Text(int row, int column) const { return std::string(TextView(row, column)); }
  std::int64_t Int(int row, int column) const;
  double Double(int row, int column) const;
  bool Bool(int row, int column) const { return TextView(row, column) == "t"; }
  std::optional<std::int64_t> OptionalInt(int row, int column) const;
  std::optional<double> OptionalDouble(int row, int column) const;

 private:
  pg_result* result_ = nullptr;
};

// A named statement: prepared on a connection the first time it runs there (and again after a
// reconnect), then executed by name with text parameters.
struct Statement {
  const char* name;
  const char* sql;
};

// One libpq connection (RAII). Not thread-safe: one owner at a time (the store's mutexes).
//
// Errors map SQLSTATEs to the store's codes: a lost or refused connection, a server shutting
// down, a read-only server (failover), a deadlock or serialization failure → kUnavailable;
// a unique violation → kConflict; anything else → kInternal. SQL text goes to the log only, and
// the URI only with its password masked (store::MaskDbUri).
class Connection {
 public:
  // Connects with a libpq URI or conninfo string. kUnavailable when it cannot.
  static Result<std::unique_ptr<Connection>> Open(const std::string& uri);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without parameters.
  Status Exec(const char* sql);
  // Runs `sql` with parameters (unnamed statement).
  Result<Rows> Query(const char* sql, const Params& params);
  // Runs a named statement, preparing it first on this connection when needed.
  Result<Rows> Run(const Statement& statement, const Params& params);

  // When the connection was lost (the server restarted, failover), connects again (at most
  // every 250 ms) before the next use; kUnavailable while it cannot. Call before each use.
  Status Ready();
  bool in_transaction() const;

 private:
  Connection(pg_conn* conn, std::string masked_uri);
  Result<Rows> Check(pg_result* result, const char* what);

  pg_conn* conn_;
  const std::string masked_uri_;
  std::set<std::string> prepared_;  // names prepared on this session
  std::int64_t next_reset_ms_ = 0;
};

// Opens a transaction on `connection` and rolls it back on scope exit unless committed.
class Transaction {
 public:
  // `begin` is the statement that opens it (e.g. "BEGIN ISOLATION LEVEL REPEATABLE READ").
  explicit Transaction(Connection& connection) : connection_(connection) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status Begin(const char* begin = "BEGIN");
  Status Commit();

 private:
  Connection& connection_;
  bool open_ = false;
};

}  // namespace cohort::store::postgres

#include "store/postgres/connection.h"

#include <libpq-fe.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/store.h"

namespace cohort::store::postgres {
namespace {

std::int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// libpq's messages end with a newline; logs want one line.
std::string OneLine(const char* message) {
  std::string s = message == nullptr ? "" : message;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

// The store's code for a SQLSTATE (docs/decisions.md, "PostgreSQL").
ErrorCode CodeOf(std::string_view state) {
  if (state.starts_with("08") || state.starts_with("57P") || state.starts_with("53") ||
      state == "25006" || state == "40001" || state == "40P01" || state == "55P03") {
    return ErrorCode::kUnavailable;  // connection, shutdown, resources, read-only, lock
  }
  if (state == "23505") return ErrorCode::kConflict;
  return ErrorCode::kInternal;
}

}  // namespace

Params& Params::Int(std::int64_t v) {
  values_.emplace_back(std::to_string(v));
  return *this;
}

Params& Params::Double(double v) {
  values_.emplace_back(fmt::format("{}", v));  // shortest text that reads back the same double
  return *this;
}

Params& Params::Text(std::string_view v) {
  values_.emplace_back(std::string(v));
  return *this;
}

Params& Params::IntArray(const std::vector<std::int64_t>& v) {
  values_.emplace_back(fmt::format("{{{}}}", fmt::join(v, ",")));
  return *this;
}

Params& Params::TextArray(const std::vector<std::string>& v) {
  std::string out = "{";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : v[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  values_.emplace_back(std::move(out));
  return *this;
}

Params& Params::Null() {
  values_.emplace_back(std::nullopt);
  return *this;
}

Params& Params::Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    hex += kDigits[b >> 4];
    hex += kDigits[b & 15];
  }
  values_.emplace_back(std::move(hex));
  return *this;
}

std::vector<const char*> Params::Pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const std::optional<std::string>& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

Rows::Rows(pg_result* result) : result_(result) {}
Rows::~Rows() {
  if (result_ != nullptr) PQclear(result_);
}
Rows::Rows(Rows&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
Rows& Rows::operator=(Rows&& other) noexcept {
  if (this != &other) {
    if (result_ != nullptr) PQclear(result_);
    result_ = other.result_;
    other.result_ = nullptr;
  }
  return *this;
}

int Rows::size() const { return PQntuples(result_); }

std::int64_t Rows::affected() const {
  const char* n = PQcmdTuples(result_);
  return n == nullptr || *n == '\0' ? 0 : std::strtoll(n, nullptr, 10);
}

bool Rows::IsNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string_view Rows::TextView(int row, int column) const {
  return {PQgetvalue(result_, row, column),
          static_cast<std::size_t>(PQgetlength(result_, row, column))};
}

std::int64_t Rows::Int(int row, int column) const {
  const std::string_view text = TextView(row, column);
  std::int64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

double Rows::Double(int row, int column) const {
  return std::strtod(PQgetvalue(result_, row, column), nullptr);
}

std::optional<std::int64_t> Rows::OptionalInt(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int(row, column);
}

std::optional<double> Rows::OptionalDouble(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Double(row, column);
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& uri) {
  const std::string masked = MaskDbUri(uri);
  PGconn* conn = PQconnectdb(uri.c_str());
  if (conn == nullptr) return Status::Unavailable("cannot connect to PostgreSQL (out of memory)");
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string why = OneLine(PQerrorMessage(conn));
    PQfinish(conn);
    spdlog::error("postgres: cannot connect to {}: {}", masked, why);
    return Status::Unavailable(fmt::format("cannot connect to PostgreSQL at {}: {}", masked, why));
  }
  auto connection = std::unique_ptr<Connection>(new Connection(conn, masked));
  // Warnings (e.g. "relation already exists, skipping") are not worth a log line each.
  COHORT_RETURN_IF_ERROR(connection->Exec("SET client_min_messages = warning"));
  return connection;
}

Connection::Connection(pg_conn* conn, std::string masked_uri)
    : conn_(conn), masked_uri_(std::move(masked_uri)) {}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::in_transaction() const {
  return PQtransactionStatus(conn_) != PQTRANS_IDLE;
}

Status Connection::Ready() {
  if (PQstatus(conn_) == CONNECTION_OK) return Status();
  const std::int64_t now = SteadyMs();
  if (now < next_reset_ms_) return Status::Unavailable("the connection to PostgreSQL is lost");
  next_reset_ms_ = now + 250;
  PQreset(conn_);
  prepared_.clear();
  if (PQstatus(conn_) != CONNECTION_OK) {
    spdlog::warn("postgres: cannot reconnect to {}: {}", masked_uri_,
                 OneLine(PQerrorMessage(conn_)));
    return Status::Unavailable("the connection to PostgreSQL is lost");
  }
  spdlog::info("postgres: reconnected to {}", masked_uri_);
  return Exec("SET client_min_messages = warning");
}

Result<Rows> Connection::Check(pg_result* result, const char* what) {
  Rows rows(result);
  const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return rows;
  const char* state_field = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const std::string state = state_field == nullptr ? "" : state_field;
  const std::string message =
      OneLine(result == nullptr ? PQerrorMessage(conn_) : PQresultErrorMessage(result));
  // No SQLSTATE: the connection failed (the server went away mid-statement).
  const ErrorCode code = state.empty() || PQstatus(conn_) != CONNECTION_OK
                             ? ErrorCode::kUnavailable
                             : CodeOf(state);
  if (code == ErrorCode::kConflict) {
    return Status(code, "a row with this key exists");
  }
  spdlog::error("postgres: {} failed ({}): {}", what, state.empty() ? "no sqlstate" : state,
                message);
  if (code == ErrorCode::kUnavailable) {
    return Status::Unavailable("PostgreSQL is unavailable: " + message);
  }
  return Status::Internal("the database failed");
}

Status Connection::Exec(const char* sql) {
  Result<Rows> rows = Check(PQexec(conn_, sql), "a statement");
  return rows.status();
}

Result<Rows> Connection::Query(const char* sql, const Params& params) {
  const std::vector<const char*> values = params.Pointers();
  return Check(PQexecParams(conn_, sql, params.size(), nullptr, values.data(), nullptr, nullptr, 0),
               "a query");
}

Result<Rows> Connection::Run(const Statement& statement, const Params& params) {
  if (!prepared_.contains(statement.name)) {
    Result<Rows> prepared =
        Check(PQprepare(conn_, statement.name, statement.sql, 0, nullptr), statement.name);
    if (!prepared.ok()) return prepared.status();
    prepared_.insert(statement.name);
  }
  const std::vector<const char*> values = params.Pointers();
  return Check(
      PQexecPrepared(conn_, statement.name, params.size(), values.data(), nullptr, nullptr, 0),
      statement.name);
}

Transaction::~Transaction() {
  if (open_) {
    Status rolled_back = connection_.Exec("ROLLBACK");
    if (!rolled_back.ok()) spdlog::warn("postgres: rollback failed: {}", rolled_back.message());
  }
}

Status Transaction::Begin(const char* begin) {
  COHORT_RETURN_IF_ERROR(connection_.Exec(begin));
  open_ = true;
  return Status();
}

Status Transaction::Commit() {
  open_ = false;
  return connection_.Exec("COMMIT");
}

}  // namespace cohort::store::postgres

#include "store/sqlite/migrations.h"

#include <chrono>
#include <span>

#include <spdlog/spdlog.h>

#include "store/sqlite/statement.h"

namespace cohort::store::sqlite {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Migration 1: the whole schema of SPEC §1. Conventions:
// - every table carries account_id (the tenant; `accounts.id` itself for accounts), so the
//   schema distributes by account on PostgreSQL/Citus later;
// - integer surrogate ids internally, the client's keys in `key` columns unique per account
//   (chapters and exercises: per course);
// - times are INTEGER milliseconds since the Unix epoch, UTC; booleans are 0/1;
// - chapters and exercises are never deleted: a re-put course that no longer lists one sets
//   `removed` = 1, so responses to it are kept (but not counted);
// - enrollments.by_attempts = 1 while enrolled_at is derived from attempts (the earliest
//   started_at), 0 once a PUT set it;
// - foreign keys are DEFERRABLE INITIALLY DEFERRED, checked at COMMIT: the store resolves every
//   reference itself, they are a safety net, and immediate ones would make each multi-row
//   INSERT keep a statement journal (a third of import time);
// - responses declare none: a response is written only by BatchWriter, right after its
//   attempt, and erased with it; the two checks per row cost a fifth of import throughput.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  timezone TEXT NOT NULL
) STRICT;

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) DEFERRABLE INITIALLY DEFERRED,
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  email_folded TEXT NOT NULL,
  roles INTEGER NOT NULL,
  active INTEGER NOT NULL,
  password_hash TEXT,
  UNIQUE (account_id, key),
  UNIQUE (account_id, email_folded)
) STRICT;

CREATE TABLE groups (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) DEFERRABLE INITIALLY DEFERRED,
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  UNIQUE (account_id, key)
) STRICT;

CREATE TABLE group_members (
  account_id INTEGER NOT NULL REFERENCES accounts(id) DEFERRABLE INITIALLY DEFERRED,
  group_id INTEGER NOT NULL REFERENCES groups(id) DEFERRABLE INITIALLY DEFERRED,
  user_id INTEGER NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID, STRICT;
CREATE INDEX group_members_by_user ON group_members(user_id);

CREATE TABLE group_managers (
  account_id INTEGER NOT NULL REFERENCES accounts(id) DEFERRABLE INITIALLY DEFERRED,
  group_id INTEGER NOT NULL REFERENCES groups(id) DEFERRABLE INITIALLY DEFERRED,
  user_id INTEGER NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID, STRICT;
CREATE INDEX group_managers_by_user ON group_managers(user_id);

CREATE TABLE courses (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) DEFERRABLE INITIALLY DEFERRED,
  key TEXT NOT NULL,
  title TEXT NOT NULL,
  mastery_model TEXT NOT NULL CHECK (mastery_model IN ('recent', 'bkt')),
  mastery_window INTEGER NOT NULL,
  mastery_threshold REAL,
  p_init REAL NOT NULL,
  p_learn REAL NOT NULL,
  p_guess REAL NOT NULL,
  p_slip REAL NOT NULL,
  points_per_question INTEGER NOT NULL,
  max_attempt_seconds INTEGER NOT NULL,
  certification_mastery REAL NOT NULL,
  certification_valid_days INTEGER,
  at_risk_days INTEGER NOT NULL,
  UNIQUE (account_id, key)
) STRICT;

CREATE TABLE chapters (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) DEFERRABLE INITIALLY DEFERRED,
  course_id INTEGER NOT NULL REFERENCES courses(id) DEFERRABLE INITIALLY DEFERRED,
  key TEXT NOT NULL,
  title TEXT NOT NULL,
  position INTEGER NOT NULL,
  removed INTEGER NOT NULL DEFAULT 0,
  UNIQUE (course_id, key)
) STRICT;

CREATE TABLE exercises (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) DEFERRABLE INITIALLY DEFERRED,
  course_id INTEGER NOT NULL REFERENCES courses(id) DEFERRABLE INITIALLY DEFERRED,
  chapter_id INTEGER NOT NULL REFERENCES chapters(id) DEFERRABLE INITIALLY DEFERRED,
  key TEXT NOT NULL,
  title TEXT NOT NULL,
  position INTEGER NOT NULL,
  removed INTEGER NOT NULL DEFAULT 0,
  UNIQUE (course_id, key)
) STRICT;

CREATE TABLE enrollments (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) DEFERRABLE INITIALLY DEFERRED,
  user_id INTEGER NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
  course_id INTEGER NOT NULL REFERENCES courses(id) DEFERRABLE INITIALLY DEFERRED,
  enrolled_at INTEGER NOT NULL,
  by_attempts INTEGER NOT NULL,
  UNIQUE (user_id, course_id)
) STRICT;
CREATE INDEX enrollments_by_course ON enrollments(course_id);

CREATE TABLE attempts (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) DEFERRABLE INITIALLY DEFERRED,
  client_id TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
  course_id INTEGER NOT NULL REFERENCES courses(id) DEFERRABLE INITIALLY DEFERRED,
  exercise_id INTEGER NOT NULL REFERENCES exercises(id) DEFERRABLE INITIALLY DEFERRED,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  UNIQUE (account_id, client_id)
) STRICT;
CREATE INDEX attempts_by_user ON attempts(user_id, course_id, started_at);

CREATE TABLE responses (
  account_id INTEGER NOT NULL,
  attempt_id INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  question TEXT NOT NULL,
  correct INTEGER NOT NULL,
  hints INTEGER NOT NULL,
  time_ms INTEGER NOT NULL,
  answered_at INTEGER NOT NULL,
  points INTEGER,
  PRIMARY KEY (attempt_id, idx)
) WITHOUT ROWID, STRICT;

CREATE TABLE certifications (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) DEFERRABLE INITIALLY DEFERRED,
  user_id INTEGER NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
  course_id INTEGER NOT NULL REFERENCES courses(id) DEFERRABLE INITIALLY DEFERRED,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER,
  UNIQUE (user_id, course_id, issued_at)
) STRICT;

CREATE TABLE awards (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) DEFERRABLE INITIALLY DEFERRED,
  user_id INTEGER NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
  course_id INTEGER REFERENCES courses(id) DEFERRABLE INITIALLY DEFERRED,
  title TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  granted_by INTEGER REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
  granted_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;
CREATE INDEX awards_by_user ON awards(user_id);
CREATE INDEX awards_by_granter ON awards(granted_by);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) DEFERRABLE INITIALLY DEFERRED,
  name TEXT NOT NULL,
  digest BLOB NOT NULL UNIQUE,
  scopes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) DEFERRABLE INITIALLY DEFERRED,
  user_id INTEGER NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
  digest BLOB NOT NULL UNIQUE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions(user_id);
)sql";

// Migration 2: sign-in and API token administration (issue 4). When a token was last used
// (listed by GET /api/v1/tokens), and sign-in finds users by email across accounts.
constexpr const char* kSchemaV2 = R"sql(
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;
CREATE INDEX users_by_email ON users(email_folded);
CREATE INDEX api_tokens_by_account ON api_tokens(account_id);
)sql";

// Migration 3: an attempt's responses move into its row, as the JSON array of
// store/response_codec.h (one row per attempt instead of one per response: imports
// twice as fast, and the engine's rebuild reads a fifth of the rows). Stored responses are
// converted in SQL (a WITHOUT ROWID scan by attempt_id visits them in idx order); the view
// `responses` keeps the old table's columns for anyone who reads the file with SQL.
// The index by user gains the account in front: the rebuild at start reads an account's
// attempts grouped by user × course straight from it, where it used to sort them all.
constexpr const char* kSchemaV3 = R"sql(
DROP INDEX attempts_by_user;
CREATE INDEX attempts_by_account_user ON attempts(account_id, user_id, course_id, started_at);
ALTER TABLE attempts ADD COLUMN responses TEXT NOT NULL DEFAULT '[]';
UPDATE attempts SET responses = (
  SELECT json_group_array(json_array(r.question, r.correct, r.hints, r.time_ms,
                                     r.answered_at - attempts.started_at, r.points))
  FROM responses r WHERE r.attempt_id = attempts.id)
WHERE id IN (SELECT DISTINCT attempt_id FROM responses);
DROP TABLE responses;
CREATE VIEW responses(account_id, attempt_id, idx, question, correct, hints, time_ms,
                      answered_at, points) AS
SELECT a.account_id, a.id, CAST(r.key AS INTEGER), json_extract(r.value, '$[0]'),
       json_extract(r.value, '$[1]'), json_extract(r.value, '$[2]'),
       json_extract(r.value, '$[3]'), a.started_at + json_extract(r.value, '$[4]'),
       json_extract(r.value, '$[5]')
FROM attempts a, json_each(a.responses) r;
)sql";

// Migration 4: xAPI statements (issue 19, docs/xapi.md). `seq` is the account's storage order
// (one writer: ascending with stored_at); `body` the stored form. `user_id` is the user the
// actor names (erasure), `attempt` the client id of the derived attempt the statement counts
// in, or else `outcome` says why it does not count (docs/xapi.md); `actor_hint` names the user
// the actor would be ("key:<name>" of an account, "email:<folded>" of an mbox) so that a user
// created later finds the statements waiting for them. An exercise may name its own xAPI IRI. xapi_statement_refs holds what the agent and related filters match, one row per
// (kind, value) of a statement (domain::StatementRefKind). xapi_documents holds the State, Agent
// Profile and Activity Profile documents (store::DocumentKind), their bytes and Content-Type as
// sent; "" stands for an activity, agent or registration the kind has not; `actor_hint` as in
// xapi_statements, for erasure.
constexpr const char* kSchemaV4 = R"sql(
CREATE TABLE xapi_statements (
  seq INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) DEFERRABLE INITIALLY DEFERRED,
  statement_id TEXT NOT NULL,
  stored_at INTEGER NOT NULL,
  body TEXT NOT NULL,
  verb TEXT NOT NULL,
  activity TEXT,
  registration TEXT,
  voids TEXT,
  voided INTEGER NOT NULL DEFAULT 0,
  user_id INTEGER REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
  attempt TEXT,
  outcome TEXT NOT NULL,
  actor_hint TEXT,
  UNIQUE (account_id, statement_id)
) STRICT;
CREATE INDEX xapi_statements_by_account ON xapi_statements(account_id, voided, seq);
CREATE INDEX xapi_statements_by_verb ON xapi_statements(account_id, verb, voided, seq);
CREATE INDEX xapi_statements_by_activity ON xapi_statements(account_id, activity, voided, seq)
  WHERE activity IS NOT NULL;
CREATE INDEX xapi_statements_by_registration ON xapi_statements(account_id, registration, voided, seq)
  WHERE registration IS NOT NULL;
CREATE INDEX xapi_statements_by_attempt ON xapi_statements(account_id, attempt)
  WHERE attempt IS NOT NULL;
CREATE INDEX xapi_statements_by_user ON xapi_statements(user_id) WHERE user_id IS NOT NULL;
CREATE INDEX xapi_statements_by_actor ON xapi_statements(account_id, actor_hint);
CREATE TABLE xapi_statement_refs (
  account_id INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  value TEXT NOT NULL,
  seq INTEGER NOT NULL REFERENCES xapi_statements(seq) ON DELETE CASCADE
    DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (account_id, kind, value, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX xapi_statement_refs_by_seq ON xapi_statement_refs(seq);
ALTER TABLE exercises ADD COLUMN xapi_id TEXT;
CREATE TABLE xapi_documents (
  account_id INTEGER NOT NULL REFERENCES accounts(id) DEFERRABLE INITIALLY DEFERRED,
  kind INTEGER NOT NULL,
  activity TEXT NOT NULL,
  agent TEXT NOT NULL,
  registration TEXT NOT NULL,
  document_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  body BLOB NOT NULL,
  etag TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  actor_hint TEXT,
  PRIMARY KEY (account_id, kind, activity, agent, registration, document_id)
) STRICT;
CREATE INDEX xapi_documents_by_actor ON xapi_documents(account_id, actor_hint)
  WHERE actor_hint IS NOT NULL;
)sql";

// Migration 5: the index by user holds the attempt's id and exercise (issue 20). The exercise
// history reads one user × exercise: SQLite tests exercise_id in the index and reads only the
// matching attempts' rows, instead of every attempt of the user in the course. With `id` as a
// key column the rebuild still reads an account's attempts in (user, course, started_at, id)
// order straight from the index, without a sort.
constexpr const char* kSchemaV5 = R"sql(
DROP INDEX attempts_by_account_user;
CREATE INDEX attempts_by_account_user
  ON attempts(account_id, user_id, course_id, started_at, id, exercise_id);
)sql";

// Append only: a released migration is never edited, a change is a new number.
constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
    {2, kSchemaV2},
    {3, kSchemaV3},
    {4, kSchemaV4},
    {5, kSchemaV5},
};

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT";

Result<std::int64_t> QueryInt(Connection& connection, const char* sql) {
  Statement statement;
  COHORT_RETURN_IF_ERROR(statement.Prepare(connection.get(), sql));
  Query query(statement);
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  return row.value() ? query.Int(0) : 0;
}

Status ApplyMigration(Connection& connection, const Migration& migration) {
  WriteTransaction transaction(connection);
  COHORT_RETURN_IF_ERROR(transaction.Begin());
  COHORT_RETURN_IF_ERROR(connection.Exec(kCreateMigrationsTable));
  // Another process may have applied it between our read and our lock.
  Result<int> version = SchemaVersion(connection);
  if (!version.ok()) return version.status();
  if (version.value() >= migration.version) return Status();
  COHORT_RETURN_IF_ERROR(connection.Exec(migration.sql));
  Statement insert;
  COHORT_RETURN_IF_ERROR(insert.Prepare(
      connection.get(), "INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)"));
  {
    Query query(insert);
    query.BindInt(1, migration.version);
    query.BindInt(2, std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count());
    COHORT_RETURN_IF_ERROR(query.Run());
  }
  COHORT_RETURN_IF_ERROR(transaction.Commit());
  spdlog::info("sqlite: applied schema migration {}", migration.version);
  return Status();
}

}  // namespace

int LatestSchemaVersion() { return std::span(kMigrations).back().version; }

Result<int> SchemaVersion(Connection& connection) {
  Result<std::int64_t> exists = QueryInt(
      connection,
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (!exists.ok()) return exists.status();
  if (exists.value() == 0) return 0;
  Result<std::int64_t> version =
      QueryInt(connection, "SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!version.ok()) return version.status();
  return static_cast<int>(version.value());
}

Status Migrate(Connection& connection) { return MigrateTo(connection, LatestSchemaVersion()); }

Status MigrateTo(Connection& connection, int last) {
  Result<int> version = SchemaVersion(connection);
  if (!version.ok()) return version.status();
  if (version.value() > LatestSchemaVersion()) {
    spdlog::error("sqlite: schema version {} is newer than this binary's {}", version.value(),
                  LatestSchemaVersion());
    return Status::Unavailable("the database was written by a newer version of cohort");
  }
  for (const Migration& migration : kMigrations) {
    if (migration.version <= version.value() || migration.version > last) continue;
    COHORT_RETURN_IF_ERROR(ApplyMigration(connection, migration));
  }
  return Status();
}

}  // namespace cohort::store::sqlite

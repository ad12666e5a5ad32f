#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/time.h"
#include "domain/account.h"
#include "domain/attempt.h"
#include "domain/token.h"
#include "domain/user.h"
#include "domain/write_batch.h"

namespace cohort::store {

using cohort::AccountId;
using cohort::AwardId;
using cohort::SessionId;
using cohort::TokenId;
using cohort::UserId;

struct AccountRecord {
  AccountId id;
  domain::Account account;
};

struct TokenRecord {
  TokenId id;
  AccountId account;
  std::string account_key;  // so that a bearer token costs one store read
  std::string name;
  domain::ScopeSet scopes;
  Instant created_at;
  std::optional<Instant> revoked_at;
  std::optional<Instant> last_used_at;  // to the minute (see Store::TouchToken)
};

// A user as stored, for sign-in and the CLI (password hash included; never sent to clients).
struct UserRecord {
  UserId id;
  domain::User user;  // password is never filled
  std::optional<std::string> password_hash;
};

// A user found by email for sign-in, with their account.
struct SignInCandidate {
  AccountRecord account;
  UserRecord user;
};

// A browser session as stored: the secret itself is never stored, only its digest.
struct SessionRecord {
  SessionId id;
  AccountId account;
  std::string account_key;
  UserId user_id;
  std::string user_key;
  std::string csrf_token;
  Instant created_at, last_seen_at;
};

// A session with what each request of its person needs (Store::LoadSessionCaller).
struct SessionCaller {
  SessionRecord session;
  domain::RoleSet roles;  // the user's
  bool active = false;    // the user's
  // Keys of the groups the user is listed as managing, sorted (whatever their roles say).
  std::vector<std::string> managed_groups;
  // Keys of the members of those groups, sorted, each once.
  std::vector<std::string> managed_members;
};

// A manager's award to a user (SPEC §3.6), as listed: keys, not row ids.
struct AwardRecord {
  AwardId id;
  std::string user;
  std::optional<std::string> course;      // nullopt: not tied to a course
  std::string title, note;
  std::optional<std::string> granted_by;  // user key; nullopt for an API token or an erased user
  Instant granted_at;
};

// A new award: `granted_by` is the granting user's row id (nullopt for an API token).
struct NewAward {
  std::string user;
  std::optional<std::string> course;
  std::string title, note;
  std::optional<UserId> granted_by;
};

// An enrollment as stored: `explicit_date` when enrolled_at came from PUT, not from attempts.
struct EnrollmentRecord {
  std::string user, course;
  Instant enrolled_at;
  bool explicit_date = false;
};

// One batch of a group commit (Store::ApplyGroup): the account it writes to, and the batch,
// which must outlive the call.
struct GroupWrite {
  AccountId account;
  const domain::WriteBatch* batch = nullptr;
};

// Called once per user × course with all their stored attempts (any order). It may move the
// vector away, or swap it for one it has finished with: the scan overwrites that vector's
// attempts in place, reusing their allocations.
using AttemptVisitor = std::function<void(const std::string& user, const std::string& course,
                                          std::vector<domain::Attempt>& attempts)>;

// An account with its change counter: the seq of its last committed change (Store::ListChanges).
struct AccountPosition {
  AccountRecord record;
  std::int64_t change_seq = 0;
};

// One committed change of an account's data, as its change log holds it (PostgreSQL).
struct ChangeRecord {
  std::int64_t seq = 0;
  // What it changed: "groups", "courses", "users", "enrollments", "attempts", "certifications",
  // "removals" (what the engine derives from), "tokens", "awards", "password" (what it does not).
  std::vector<std::string> kinds;
  // The row ids of the attempts it stored (Store::LoadAttemptRows), in insertion order.
  std::vector<std::int64_t> attempt_rows;
};

// What an account's rebuild reads before its attempts, as of the same committed state
// (Store::ReadAccountState): its catalog and people (as LoadCatalog), its enrollments, and the
// seq of the last change that state holds.
struct AccountHead {
  domain::WriteBatch catalog;
  std::vector<EnrollmentRecord> enrollments;
  std::int64_t change_seq = 0;
};

// One key of the shared sign-in throttle (Store::ReadThrottle): its failures, the latest one,
// and when a sign-in last succeeded under it (a pair key only).
struct ThrottleRecord {
  std::string key;
  std::int64_t failures = 0;
  std::int64_t last_failure_ms = 0;
  std::optional<std::int64_t> known_at_ms;
};

// Row counts of one account, per table: what tests use to prove "nothing applied".
struct TableCounts {
  std::int64_t users = 0, groups = 0, group_members = 0, group_managers = 0, courses = 0,
               chapters = 0, exercises = 0, enrollments = 0, attempts = 0, responses = 0,
               statements = 0;
  bool operator==(const TableCounts&) const = default;
};

// xAPI statements (docs/xapi.md): one stored statement as GET /xapi/statements returns it.
struct StoredStatement {
  std::int64_t seq = 0;  // the account's storage order (ascending with `stored`)
  std::string id;
  std::string body;      // the stored form
  Instant stored;
  bool voided = false;
  std::optional<std::string> attempt;  // the derived attempt it counts in, if any
};

// An xAPI document's resource (xAPI 1.0.3 Communication §2.3, §2.6, §2.7).
enum class DocumentKind { kState = 1, kAgentProfile = 2, kActivityProfile = 3 };

// Which document(s): `activity` for state and activity profile documents, `agent` (an agent
// key, xapi::AgentKey) for state and agent profile ones, `registration` for state ("" none),
// `id` the stateId or profileId ("" in a list or a delete of all).
struct DocumentKey {
  DocumentKind kind = DocumentKind::kState;
  std::string activity, agent, registration, id;
};

// A stored document as sent: its bytes and Content-Type, with its ETag (without quotes) and the
// time it was last stored. ListDocuments fills only `id` and `updated`.
struct StoredDocument {
  std::string id, content_type, body, etag;
  Instant updated;
};

// A document to store under `key`; `actor_hint` ("key:<name>", "email:<folded email>") names
// the user its agent would be, so that erasing that user deletes it.
struct DocumentWrite {
  DocumentKey key;
  std::string content_type, body, etag;
  Instant updated;
  std::optional<std::string> actor_hint;
};

// The filters of GET /xapi/statements (xAPI 1.0.3 §2.1.3), every one optional. Voided
// statements are never matched.
struct StatementQuery {
  std::optional<std::string> agent;  // an agent key (xapi::AgentKey)
  bool related_agents = false;
  std::optional<std::string> verb;
  std::optional<std::string> activity;
  bool related_activities = false;
  std::optional<std::string> registration;
  std::optional<Instant> since;  // stored strictly after
  std::optional<Instant> until;  // stored at or before
  bool ascending = false;
  // Paging: only statements with seq strictly beyond this one, in the query's direction.
  std::optional<std::int64_t> after_seq;
  std::size_t limit = 100;
};

// The system of record (SPEC §1, §7): accounts, catalog, people, events, tokens.
//
// Every write is one transaction, committed durably before the call returns OK; a failed call
// changes nothing. Thread-safe: writes are serialized (one writer), reads may run concurrently
// with a write and see the last committed state.
//
// Errors: kInvalid for a broken rule that needs the store to see (unknown user/course/exercise/
// group, naming the item and pointer), kConflict (attempt id re-posted with other content,
// email taken, account exists), kNotFound, kUnavailable when the database cannot take writes
// now (locked, read-only, disk full), kInternal for anything else.
class Store {
 public:
  virtual ~Store() = default;

  virtual Result<AccountId> CreateAccount(const domain::Account& account) = 0;
  virtual Result<AccountRecord> FindAccount(std::string_view key) = 0;
  virtual Result<std::vector<AccountRecord>> ListAccounts() = 0;

  // Stores a token by the digest of its secret (never the secret). Returns the token id.
  virtual Result<TokenId> CreateToken(AccountId account, std::string_view name,
                                      domain::ScopeSet scopes, std::string_view secret_digest,
                                      Instant now) = 0;
  // kNotFound when no token has this digest (revoked tokens are returned with revoked_at).
  virtual Result<TokenRecord> FindTokenByDigest(std::string_view secret_digest) = 0;

  // Every token of the account, newest first (revoked ones included).
  virtual Result<std::vector<TokenRecord>> ListTokens(AccountId account) = 0;
  // Sets revoked_at (kept when already revoked). kNotFound when the account has no such token.
  virtual Status RevokeToken(AccountId account, TokenId token_id, Instant now) = 0;
  // Records a use of the token: last_used_at = now when it is unset or older than a minute
  // (so that a stream of requests costs one write a minute, not one per request). Best effort:
  // it never waits for another write or for the file's lock (a read waits on it), and answers
  // kUnavailable instead; the next use tries again.
  virtual Status TouchToken(TokenId token_id, Instant now) = 0;

  // --- people signing in (SPEC §5) ---
  // Every user, in any account, whose email folds to `folded_email` (domain::FoldEmail).
  virtual Result<std::vector<SignInCandidate>> FindUsersByEmail(std::string_view folded_email) = 0;
  // Stores a session by the digest of its secret. Returns the session id.
  virtual Result<SessionId> CreateSession(AccountId account, UserId user_id,
                                          std::string_view secret_digest,
                                          std::string_view csrf_token, Instant now) = 0;
  // The session with this digest and what its person's requests need — the user's roles and
  // standing, the groups they manage and those groups' members — read in ONE query, as of one
  // committed state: a signed-in request costs one store read. kNotFound when no session has
  // this digest.
  virtual Result<SessionCaller> LoadSessionCaller(std::string_view secret_digest) = 0;
  // last_seen_at = now when it is older than a minute (one write a minute per active session).
  // Best effort like TouchToken: never waits, kUnavailable when the store is busy.
  virtual Status TouchSession(SessionId session_id, Instant now) = 0;
  // Deletes one session (OK when it is already gone).
  virtual Status DeleteSession(SessionId session_id) = 0;
  // Deletes every session last seen before `idle_before` or created before `created_before`
  // (the expired ones, in every account). Returns how many.
  virtual Result<std::int64_t> DeleteExpiredSessions(Instant idle_before,
                                                     Instant created_before) = 0;
  // Sets a user's password hash and deletes their sessions except `keep_session` (SessionId{}:
  // all of them), in one transaction. kNotFound for an unknown user.
  virtual Status SetPasswordHash(AccountId account, UserId user_id, std::string_view password_hash,
                                 SessionId keep_session) = 0;

  // --- awards (SPEC §3.6) ---
  // kInvalid (pointer /user or /course) for an unknown user or course, or a course the user is
  // not enrolled in. Returns the award id.
  virtual Result<AwardId> CreateAward(AccountId account, const NewAward& award, Instant now) = 0;
  // An award that is not revoked; kNotFound otherwise.
  virtual Result<AwardRecord> FindAward(AccountId account, AwardId award_id) = 0;
  // Sets revoked_at. kNotFound when the account has no such award or it is already revoked.
  virtual Status RevokeAward(AccountId account, AwardId award_id, Instant now) = 0;
  // The user's awards that are not revoked and either have no course or are for `course_key`
  // (every one of the user's when nullopt: the person page), by granted_at then id.
  virtual Result<std::vector<AwardRecord>> ListAwards(
      AccountId account, std::string_view user_key,
      std::optional<std::string_view> course_key) = 0;

  // Applies a batch in one transaction (see WriteBatch for the order). `now` is the default
  // enrolled_at of PUT enrollments.
  virtual Result<domain::WriteSummary> Apply(AccountId account, const domain::WriteBatch& batch, Instant now) = 0;
  // Group commit: applies several batches, in order, in ONE transaction with one durable commit
  // (one fsync for all), each batch inside its own savepoint. A batch the store refuses
  // (kInvalid, kConflict: what Apply would answer for it alone) is rolled back alone and gets
  // that error in its slot of the answer; the others commit. Each batch sees the ones before it:
  // an attempt stored earlier in the group is a duplicate (same content) or a conflict in a
  // later batch, as if they had been applied one after the other.
  // A fault of the store (kUnavailable: locked, read-only, disk full; kInternal), in any batch
  // or at the commit, fails the whole call and stores nothing of the group.
  virtual Result<std::vector<Result<domain::WriteSummary>>> ApplyGroup(
      const std::vector<GroupWrite>& writes, Instant now) = 0;

  virtual Result<UserRecord> FindUser(AccountId account, std::string_view user_key) = 0;
  // The attempt with this id, with responses in index order; kNotFound when absent.
  virtual Result<domain::Attempt> GetAttempt(AccountId account, std::string_view attempt_id) = 0;
  virtual Result<TableCounts> Counts(AccountId account) = 0;

  // --- for the metrics engine: rebuild at start and replays ---
  // The account's catalog and people as a WriteBatch (groups with managers, courses with their
  // current chapters and exercises, users with groups, imported certifications), no attempts.
  virtual Result<domain::WriteBatch> LoadCatalog(AccountId account) = 0;
  virtual Result<std::vector<EnrollmentRecord>> ListEnrollments(AccountId account) = 0;
  // Visits every user × course that has attempts, with all of them.
  virtual Status ScanAttempts(AccountId account, const AttemptVisitor& visit) = 0;
  // Every attempt of one user in one course (empty when none or unknown).
  virtual Result<std::vector<domain::Attempt>> LoadAttempts(AccountId account,
                                                            std::string_view user,
                                                            std::string_view course) = 0;
  // The attempts of one user at one exercise of a course, as LoadAttempts (the exercise history
  // reads the one cell it shows: O(the cell's attempts), not the user's whole course).
  virtual Result<std::vector<domain::Attempt>> LoadExerciseAttempts(AccountId account,
                                                                    std::string_view user,
                                                                    std::string_view course,
                                                                    std::string_view exercise) = 0;
  // As LoadAttempts, without the attempts stored by the account's changes after `through_seq`
  // in its change log: the user × course as of that change. A node applying the log replays a
  // user × course as of the change it is at, not with attempts other nodes committed since
  // (which it applies later: read now, they would count twice). A store without a change log
  // answers LoadAttempts.
  virtual Result<std::vector<domain::Attempt>> LoadAttemptsThrough(AccountId account,
                                                                   std::string_view user,
                                                                   std::string_view course,
                                                                   std::int64_t through_seq) = 0;

  // Reads what a rebuild needs as of ONE committed state: `head` gets the catalog, enrollments
  // and change seq, then `visit` every user × course with its attempts (as ScanAttempts). Both
  // are called on the calling thread and must not call the store. Errors: the store's, or
  // `head`'s, which stops the read.
  virtual Status ReadAccountState(AccountId account,
                                  const std::function<Status(AccountHead&)>& head,
                                  const AttemptVisitor& visit) = 0;

  // --- several processes over one database (issue 17, docs/deployment.md) ---
  // True when the backend records each account's committed changes in a log that processes
  // follow (PostgreSQL): another process may write while this one serves. False for SQLite,
  // which one serving process owns; its change seqs stay 0 and its log empty.
  virtual bool KeepsChangeLog() const = 0;

  // --- xAPI statements (written by Apply's WriteBatch::statements) ---
  // Whether this backend stores statements (SQLite; PostgreSQL not yet: docs/xapi.md).
  virtual bool StoresStatements() const = 0;
  // The stored statements with these ids (voided or not), in any order.
  virtual Result<std::vector<StoredStatement>> FindStatements(
      AccountId account, const std::vector<std::string>& ids) = 0;
  // The stored statements that count in these derived attempts, voided ones left out.
  virtual Result<std::vector<StoredStatement>> StatementsOfAttempts(
      AccountId account, const std::vector<std::string>& attempts) = 0;
  // Statements that count in no attempt (voided ones left out) whose actor hint is one of
  // `actor_hints` or that name one of `activities` (object or context activity): those a new
  // user or exercise may make count. Each at most once, in any order.
  virtual Result<std::vector<StoredStatement>> UnmappedStatements(
      AccountId account, const std::vector<std::string>& actor_hints,
      const std::vector<std::string>& activities) = 0;
  // The statements `query` matches, in its order, at most query.limit of them.
  virtual Result<std::vector<StoredStatement>> QueryStatements(AccountId account,
                                                               const StatementQuery& query) = 0;

  // --- xAPI documents: the State, Agent Profile and Activity Profile resources ---
  // (xAPI 1.0.3 Communication §2.3, §2.6, §2.7; docs/xapi.md). Stored where statements are:
  // PostgreSQL answers kUnavailable naming kNoStatementsHere.
  // The document `key` names (key.id not empty), or nullopt when there is none.
  virtual Result<std::optional<StoredDocument>> FindDocument(AccountId account,
                                                             const DocumentKey& key) = 0;
  // The ids and times of the documents of key.kind under key's activity, agent and
  // registration (any registration when key.registration is empty; key.id ignored), updated
  // strictly after `since` when given; each id once, by id.
  virtual Result<std::vector<StoredDocument>> ListDocuments(AccountId account,
                                                            const DocumentKey& key,
                                                            std::optional<Instant> since) = 0;
  // Stores (creating or replacing) the document write.key names.
  virtual Status PutDocument(AccountId account, const DocumentWrite& write) = 0;
  // Deletes the document `key` names, or when key.id is empty every document under its
  // activity, agent and registration (any registration when it is empty). Deleting nothing is
  // not an error.
  virtual Status DeleteDocuments(AccountId account, const DocumentKey& key) = 0;

  // Every account with the seq of its last committed change, in one read.
  virtual Result<std::vector<AccountPosition>> ListAccountPositions() = 0;
  // The account's changes with seq > `after`, in seq order, at most `limit` of them.
  virtual Result<std::vector<ChangeRecord>> ListChanges(AccountId account, std::int64_t after,
                                                        std::size_t limit) = 0;
  // The attempts with these row ids (ChangeRecord::attempt_rows) that are still stored (an
  // erased person's are not), with their responses; in any order.
  virtual Result<std::vector<domain::Attempt>> LoadAttemptRows(
      AccountId account, const std::vector<std::int64_t>& rows) = 0;

  // The sign-in throttle's counts, shared by every process over a change log (where N nodes
  // keeping their own would allow N times the guesses). Keys are opaque digests (no email or
  // address is stored). SQLite: kInternal, its one process keeps them in memory.
  // The records of those of `keys` that exist.
  virtual Result<std::vector<ThrottleRecord>> ReadThrottle(
      const std::vector<std::string>& keys) = 0;
  // One more failure under each key at `now`; a key whose latest failure is `forget_ms` old or
  // more starts again from one. Keys with no failure for `forget_ms` and no success for
  // `known_ms` may be deleted.
  virtual Status AddThrottleFailures(const std::vector<std::string>& keys, Instant now,
                                     std::int64_t forget_ms, std::int64_t known_ms) = 0;
  // A success under `key` at `now`: its failures are cleared and known_at_ms set.
  virtual Status SetThrottleKnown(const std::string& key, Instant now) = 0;

  // --- operations (cohort backup, restore, check) ---
  // Copies the whole database, as of one committed state, into the database file at `path`
  // (created when missing, its content replaced otherwise) with the backend's online backup:
  // writers to this store or to the same file in other processes go on meanwhile, and `path`
  // receives either the whole copy or nothing. Errors: kUnavailable when `path` cannot be
  // opened or written (or is locked), kInternal otherwise.
  virtual Status Backup(const std::string& path) = 0;
  // The backend's own consistency checks (SQLite: integrity_check and foreign_key_check): the
  // problems found, empty when the database is sound. Errors: the check could not run (e.g. the
  // file is too damaged to read).
  virtual Result<std::vector<std::string>> IntegrityCheck() = 0;
  // The schema version recorded in the database, and the latest this binary knows.
  virtual Result<int> SchemaVersion() = 0;
  virtual int LatestSchemaVersion() const = 0;
};

// Opens the store `db` names: a PostgreSQL database when it is a libpq connection URI
// (IsPostgresUri: "postgresql://" or "postgres://"; multi-host URIs such as
// postgresql://h1:5432,h2:5432/cohort?target_session_attrs=read-write go to libpq as they are),
// else a SQLite database file. Applies pending migrations. Errors: kUnavailable when it cannot
// be opened or migrated; messages show the URI with its password masked.
Result<std::unique_ptr<Store>> OpenStore(const std::string& db);
// The same, read-only: nothing is migrated or written (writes fail with kUnavailable).
// Errors: kUnavailable when missing, unreadable, or not at the latest schema.
Result<std::unique_ptr<Store>> OpenStoreReadOnly(const std::string& db);

// True when `db` is a PostgreSQL connection URI rather than a SQLite file path.
bool IsPostgresUri(std::string_view db);
// `db` fit for logs and error messages: the password of a URI's user info or of a
// `password=` parameter replaced by "****". Anything else is returned as it is.
std::string MaskDbUri(std::string_view db);
// What the xAPI statement calls answer on a store that does not keep statements (PostgreSQL for
// now: docs/xapi.md).
inline constexpr std::string_view kNoStatementsHere =
    "xAPI statements are stored only in a SQLite store in this version; see docs/xapi.md";
// What `cohort backup`/`restore` answer on PostgreSQL.
inline constexpr std::string_view kPostgresBackupAdvice =
    "cohort backup and restore work on SQLite files; back up a PostgreSQL database with "
    "pg_dump and restore it with pg_restore (or use pgBackRest): "
    "https://www.postgresql.org/docs/15/backup-dump.html";

// Opens (creating if missing) a SQLite database file and applies pending migrations.
// Errors: kUnavailable when the file cannot be opened or migrated.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);
// Opens an existing SQLite database file read-only: nothing is migrated or written (writes fail
// with kUnavailable). Errors: kUnavailable when it is missing, unreadable, not a database, or
// needs a migration.
Result<std::unique_ptr<Store>> OpenSqliteStoreReadOnly(const std::string& path);

}  // namespace cohort::store

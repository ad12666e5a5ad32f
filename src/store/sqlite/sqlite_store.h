#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "domain/course.h"
#include "store/store.h"

namespace cohort::store::sqlite {

class Checkpointer;
class Connection;
struct Statements;

struct SqliteStoreOptions {
  int busy_timeout_ms = 5000;  // how long a write waits for another process's write lock
};

// The Store on one SQLite file (SPEC §7): WAL, synchronous=FULL, foreign keys on, numbered
// migrations applied at open (store/sqlite/migrations.cc holds the schema).
//
// Thread-safety: one writer connection, used under `write_mu_`, so writes are serialized and
// each is one BEGIN IMMEDIATE transaction; one reader connection under `read_mu_`, which in WAL
// mode sees the last committed state and never waits behind a write in progress. Never throws:
// an exception from below becomes kInternal.
//
// `path` may be a "file:" URI (e.g. "file:cohort.db?mode=ro" opens it read-only; writes then
// fail with kUnavailable).
class SqliteStore final : public Store {
 public:
  // Opens (creating when missing) and migrates. Errors: kUnavailable when the file cannot be
  // opened, created or migrated (locked, read-only, missing directory, newer schema).
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   const SqliteStoreOptions& options = {});
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Result<AccountId> CreateAccount(const domain::Account& account) override;
  Result<AccountRecord> FindAccount(std::string_view key) override;
  Result<std::vector<AccountRecord>> ListAccounts() override;
  Result<TokenId> CreateToken(AccountId account, std::string_view name, domain::ScopeSet scopes,
                              std::string_view secret_digest, Instant now) override;
  Result<TokenRecord> FindTokenByDigest(std::string_view secret_digest) override;
  Result<std::vector<TokenRecord>> ListTokens(AccountId account) override;
  Status RevokeToken(AccountId account, TokenId token_id, Instant now) override;
  Status TouchToken(TokenId token_id, Instant now) override;
  Result<std::vector<SignInCandidate>> FindUsersByEmail(std::string_view folded_email) override;
  Result<SessionId> CreateSession(AccountId account, UserId user_id, std::string_view secret_digest,
                                  std::string_view csrf_token, Instant now) override;
  Result<SessionCaller> LoadSessionCaller(std::string_view secret_digest) override;
  Status TouchSession(SessionId session_id, Instant now) override;
  Status DeleteSession(SessionId session_id) override;
  Result<std::int64_t> DeleteExpiredSessions(Instant idle_before, Instant created_before) override;
  Status SetPasswordHash(AccountId account, UserId user_id, std::string_view password_hash,
                         SessionId keep_session) override;
  Result<AwardId> CreateAward(AccountId account, const NewAward& award, Instant now) override;
  Result<AwardRecord> FindAward(AccountId account, AwardId award_id) override;
  Status RevokeAward(AccountId account, AwardId award_id, Instant now) override;
  Result<std::vector<AwardRecord>> ListAwards(
      AccountId account, std::string_view user_key,
      std::optional<std::string_view> course_key) override;
  Result<domain::WriteSummary> Apply(AccountId account, const domain::WriteBatch& batch,
                                     Instant now) override;
  Result<std::vector<Result<domain::WriteSummary>>> ApplyGroup(
      const std::vector<GroupWrite>& writes, Instant now) override;
  Result<UserRecord> FindUser(AccountId account, std::string_view user_key) override;
  Result<domain::Attempt> GetAttempt(AccountId account, std::string_view attempt_id) override;
  Result<TableCounts> Counts(AccountId account) override;
  Result<domain::WriteBatch> LoadCatalog(AccountId account) override;
  Result<std::vector<EnrollmentRecord>> ListEnrollments(AccountId account) override;
  Status ScanAttempts(AccountId account, const AttemptVisitor& visit) override;
  // LoadCatalog, ListEnrollments, ScanAttempts one after the other: one process writes a SQLite
  // file while it serves, and the service holds its writes back during a rebuild. change_seq 0.
  Status ReadAccountState(AccountId account, const std::function<Status(AccountHead&)>& head,
                          const AttemptVisitor& visit) override;
  // No change log: one serving process owns the file.
  bool KeepsChangeLog() const override { return false; }
  bool StoresStatements() const override { return true; }
  Result<std::vector<StoredStatement>> FindStatements(AccountId account,
                                                      const std::vector<std::string>& ids) override;
  Result<std::vector<StoredStatement>> StatementsOfAttempts(
      AccountId account, const std::vector<std::string>& attempts) override;
  Result<std::vector<StoredStatement>> QueryStatements(AccountId account,
                                                       const StatementQuery& query) override;
  Result<std::vector<StoredStatement>> UnmappedStatements(
      AccountId account, const std::vector<std::string>& actor_hints,
      const std::vector<std::string>& activities) override;
  Result<std::optional<StoredDocument>> FindDocument(AccountId account,
                                                     const DocumentKey& key) override;
  Result<std::vector<StoredDocument>> ListDocuments(AccountId account, const DocumentKey& key,
                                                    std::optional<Instant> since) override;
  Status PutDocument(AccountId account, const DocumentWrite& write) override;
  Status DeleteDocuments(AccountId account, const DocumentKey& key) override;
  Result<std::vector<ThrottleRecord>> ReadThrottle(const std::vector<std::string>& keys) override;
  Status AddThrottleFailures(const std::vector<std::string>& keys, Instant now,
                             std::int64_t forget_ms, std::int64_t known_ms) override;
  Status SetThrottleKnown(const std::string& key, Instant now) override;
  Result<std::vector<AccountPosition>> ListAccountPositions() override;
  Result<std::vector<ChangeRecord>> ListChanges(AccountId account, std::int64_t after,
                                                std::size_t limit) override;
  Result<std::vector<domain::Attempt>> LoadAttemptRows(
      AccountId account, const std::vector<std::int64_t>& rows) override;
  Result<std::vector<domain::Attempt>> LoadAttempts(AccountId account, std::string_view user,
                                                    std::string_view course) override;
  Result<std::vector<domain::Attempt>> LoadExerciseAttempts(AccountId account,
                                                            std::string_view user,
                                                            std::string_view course,
                                                            std::string_view exercise) override;
  Result<std::vector<domain::Attempt>> LoadAttemptsThrough(AccountId account,
                                                           std::string_view user,
                                                           std::string_view course,
                                                           std::int64_t through_seq) override;
  Status Backup(const std::string& path) override;
  Result<std::vector<std::string>> IntegrityCheck() override;
  int LatestSchemaVersion() const override;

  // The course as last put: its listed chapters and exercises in order, and its settings.
  // kNotFound when absent.
  Result<domain::Course> FindCourse(AccountId account, std::string_view course_key);
  // Keys of the course's exercises that a later put no longer lists (kept, marked removed).
  Result<std::vector<std::string>> RemovedExercises(AccountId account, std::string_view course_key);
  // When `user_key` was enrolled in `course_key`; kNotFound when not enrolled.
  Result<Instant> EnrolledAt(AccountId account, std::string_view user_key,
                             std::string_view course_key);
  // The version recorded in schema_migrations.
  Result<int> SchemaVersion() override;
  // WAL checkpoints done off the commit path so far (store/sqlite/checkpointer.h): for tests.
  long BackgroundCheckpoints();
  // Every table (schema_migrations included) with its column names, by table name.
  Result<std::vector<std::pair<std::string, std::vector<std::string>>>> DescribeTables();

 private:
  struct Side;  // a connection with its prepared statements

  SqliteStore(std::string path, int busy_timeout_ms, std::unique_ptr<Side> writer,
              std::unique_ptr<Side> reader);
  // Opens a connection and prepares its statements; the writer also migrates the schema.
  static Result<std::unique_ptr<Side>> OpenSide(const std::string& path, bool read_only,
                                                int busy_timeout_ms);

  // Hands the writer's WAL checkpoints to checkpointer_ (started when missing); nothing for a
  // read-only writer. Under write_mu_ (or in the constructor).
  void StartCheckpointer();

  // Called first by every write, under write_mu_. A writer that SQLite opened read-only (the
  // disk was read-only) stays so: this reopens it, at most every 250 ms, so that writes resume
  // by themselves once the disk is writable again. kUnavailable while it is still read-only.
  Status WriterReady();

  const std::string path_;
  const int busy_timeout_ms_;
  // Guards writer_: its connection, statements and open transaction. A best-effort write
  // (TouchToken) polls it with try_lock and gives up soon when a long write holds it (not a
  // timed_mutex: ThreadSanitizer does not follow pthread_mutex_clocklock).
  std::mutex write_mu_;
  // Declared before writer_ so that it outlives the writer's commits, which call its hook.
  // Null while the writer is read-only.
  std::unique_ptr<Checkpointer> checkpointer_;
  std::unique_ptr<Side> writer_;
  std::chrono::steady_clock::time_point next_reopen_;  // under write_mu_
  std::mutex read_mu_;  // guards reader_: its connection and statements
  std::unique_ptr<Side> reader_;
};

}  // namespace cohort::store::sqlite

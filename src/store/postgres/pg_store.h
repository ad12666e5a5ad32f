#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "domain/course.h"
#include "store/store.h"

namespace cohort::store::postgres {

class Connection;
class Params;
struct Statement;

// The Store on a PostgreSQL database (issue 17), reached by a libpq connection URI (multi-host
// URIs with target_session_attrs=read-write fail over as libpq does). The schema and its
// numbered migrations are in store/postgres/migrations.cc; the SQL in statements.h.
//
// Thread-safety: one writer connection under `write_mu_` (writes are serialized in this
// process; other processes may write at the same time: PostgreSQL's row locks and the unique
// constraints decide), one reader connection under `read_mu_`, in autocommit (each read is one
// statement) or one REPEATABLE READ transaction when a read takes several statements. A lost
// connection is re-established before the next call; meanwhile calls answer kUnavailable.
// Never throws.
//
// Every write that changes an account's data bumps accounts.change_seq under the account's row
// lock in its own transaction and appends (account, seq, kinds) to account_changes: per account
// the sequence is 1, 2, 3... in commit order (docs/decisions.md, "PostgreSQL").
class PgStore final : public Store {
 public:
  // Connects (two connections) and, unless `read_only`, applies pending migrations.
  // Errors: kUnavailable when it cannot connect or migrate, or (read-only) the schema is not
  // the latest.
  static Result<std::unique_ptr<PgStore>> Open(const std::string& uri, bool read_only = false);
  ~PgStore() override;
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

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
  // kUnavailable: PostgreSQL is backed up with its own tools (pg_dump, pgBackRest).
  Status Backup(const std::string& path) override;
  // PostgreSQL checks its constraints itself; this checks what it cannot: every attempt's
  // responses are the codec's JSON array, and each account's change log is gap-free and ends at
  // its change_seq.
  Result<std::vector<std::string>> IntegrityCheck() override;
  Result<int> SchemaVersion() override;
  int LatestSchemaVersion() const override;

  // Reads in one REPEATABLE READ transaction: the head and every attempt of one snapshot.
  Status ReadAccountState(AccountId account, const std::function<Status(AccountHead&)>& head,
                          const AttemptVisitor& visit) override;
  bool KeepsChangeLog() const override { return true; }
  // Not yet (docs/xapi.md): the calls answer kUnavailable naming kNoStatementsHere.
  bool StoresStatements() const override { return false; }
  Result<std::vector<StoredStatement>> FindStatements(AccountId,
                                                      const std::vector<std::string>&) override {
    return Status::Unavailable(std::string(kNoStatementsHere));
  }
  Result<std::vector<StoredStatement>> StatementsOfAttempts(
      AccountId, const std::vector<std::string>&) override {
    return Status::Unavailable(std::string(kNoStatementsHere));
  }
  Result<std::vector<StoredStatement>> QueryStatements(AccountId,
                                                       const StatementQuery&) override {
    return Status::Unavailable(std::string(kNoStatementsHere));
  }
  Result<std::vector<StoredStatement>> UnmappedStatements(
      AccountId, const std::vector<std::string>&, const std::vector<std::string>&) override {
    return Status::Unavailable(std::string(kNoStatementsHere));
  }
  Result<std::optional<StoredDocument>> FindDocument(AccountId, const DocumentKey&) override {
    return Status::Unavailable(std::string(kNoStatementsHere));
  }
  Result<std::vector<StoredDocument>> ListDocuments(AccountId, const DocumentKey&,
                                                    std::optional<Instant>) override {
    return Status::Unavailable(std::string(kNoStatementsHere));
  }
  Status PutDocument(AccountId, const DocumentWrite&) override {
    return Status::Unavailable(std::string(kNoStatementsHere));
  }
  Status DeleteDocuments(AccountId, const DocumentKey&) override {
    return Status::Unavailable(std::string(kNoStatementsHere));
  }
  Result<std::vector<ThrottleRecord>> ReadThrottle(const std::vector<std::string>& keys) override;
  Status AddThrottleFailures(const std::vector<std::string>& keys, Instant now,
                             std::int64_t forget_ms, std::int64_t known_ms) override;
  Status SetThrottleKnown(const std::string& key, Instant now) override;
  Result<std::vector<AccountPosition>> ListAccountPositions() override;
  Result<std::vector<ChangeRecord>> ListChanges(AccountId account, std::int64_t after,
                                                std::size_t limit) override;
  Result<std::vector<domain::Attempt>> LoadAttemptRows(
      AccountId account, const std::vector<std::int64_t>& rows) override;

  // The account's change counter (0 before its first change).
  Result<std::int64_t> ChangeSeq(AccountId account);

 private:
  // The reads of LoadCatalog, ListEnrollments and ScanAttempts on reader_, in the caller's
  // transaction. Under read_mu_.
  Result<domain::WriteBatch> ReadCatalog(AccountId account);
  Result<std::vector<EnrollmentRecord>> ReadEnrollments(AccountId account);
  Status ReadAttempts(AccountId account, const AttemptVisitor& visit);
  // The attempts rows `statement` answers for `params` (kLoadAttempts' columns), on reader_ in
  // one statement; `operation` names it in errors.
  Result<std::vector<domain::Attempt>> QueryAttempts(const char* operation,
                                                     const Statement& statement,
                                                     const Params& params);
  PgStore(std::unique_ptr<Connection> writer, std::unique_ptr<Connection> reader);
  // The course row's settings and listed chapters and exercises; kNotFound when absent. Under
  // read_mu_.
  Result<domain::Course> ReadCourse(AccountId account, std::string_view course_key);

  std::mutex write_mu_;  // guards writer_ and throttle_writes_
  std::uint64_t throttle_writes_ = 0;
  std::unique_ptr<Connection> writer_;
  std::mutex read_mu_;  // guards reader_
  std::unique_ptr<Connection> reader_;
};

}  // namespace cohort::store::postgres

#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace cohort::store {

// Test support (library cohort_store_testing; STYLE.md §8, "fakes over mocks"): a Store in front
// of a real one that counts every call by method name ("LoadSessionCaller") and answers an
// injected error instead of calling through when a test asks it to — to show what a request
// costs the store, or what a store fault does to it.
//
// Thread-safe: its counts and failures are under a mutex; calls go on to `inner` (itself
// thread-safe) outside it. `inner` must outlive it. LatestSchemaVersion (no store access) is
// passed on uncounted.
class FailingStore final : public Store {
 public:
  // Fail's `times` for "every call until Heal()".
  static constexpr int kAlways = -1;

  explicit FailingStore(Store& inner) : inner_(inner) {}
  FailingStore(const FailingStore&) = delete;
  FailingStore& operator=(const FailingStore&) = delete;

  // The next `times` calls of `method` (kAlways: all of them until Heal) answer `error`, which
  // must not be OK, without reaching the inner store. They are counted like any call.
  void Fail(std::string_view method, Status error, int times = kAlways);
  // Ends every injected failure.
  void Heal();
  // The next call of `method` runs `first` (on the caller's thread, outside the mutex) before
  // it calls through: to make something happen at an exact point of another operation.
  void Before(std::string_view method, std::function<void()> first);

  // How many times `method` was called since the start or the last ResetCalls.
  std::int64_t Calls(std::string_view method) const;
  // Every method called since the start or the last ResetCalls, with its count.
  std::map<std::string, std::int64_t, std::less<>> CallCounts() const;
  void ResetCalls();

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
  Status ReadAccountState(AccountId account, const std::function<Status(AccountHead&)>& head,
                          const AttemptVisitor& visit) override;
  bool KeepsChangeLog() const override { return inner_.KeepsChangeLog(); }
  bool StoresStatements() const override { return inner_.StoresStatements(); }
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
  Result<int> SchemaVersion() override;
  int LatestSchemaVersion() const override { return inner_.LatestSchemaVersion(); }

 private:
  struct Failure {
    Status error;
    int times = kAlways;
  };

  // Counts a call of `method`; the error it must answer instead of calling through, or OK.
  // Runs the hook Before set for it, if any.
  Status Enter(std::string_view method);
  // Enter, then `call()` unless it must fail.
  template <typename Call>
  auto Forward(std::string_view method, Call call) -> decltype(call()) {
    Status injected = Enter(method);
    if (!injected.ok()) return injected;
    return call();
  }

  Store& inner_;
  mutable std::mutex mu_;
  std::map<std::string, std::int64_t, std::less<>> calls_;  // under mu_
  std::map<std::string, Failure, std::less<>> failures_;    // under mu_
  std::map<std::string, std::function<void()>, std::less<>> before_;  // under mu_
};

}  // namespace cohort::store

#include "store/testing/failing_store.h"

namespace cohort::store {

void FailingStore::Fail(std::string_view method, Status error, int times) {
  std::lock_guard lock(mu_);
  failures_.insert_or_assign(std::string(method), Failure{std::move(error), times});
}

void FailingStore::Heal() {
  std::lock_guard lock(mu_);
  failures_.clear();
}

std::int64_t FailingStore::Calls(std::string_view method) const {
  std::lock_guard lock(mu_);
  const auto it = calls_.find(method);
  return it == calls_.end() ? 0 : it->second;
}

std::map<std::string, std::int64_t, std::less<>> FailingStore::CallCounts() const {
  std::lock_guard lock(mu_);
  return calls_;
}

void FailingStore::ResetCalls() {
  std::lock_guard lock(mu_);
  calls_.clear();
}

void FailingStore::Before(std::string_view method, std::function<void()> first) {
  std::lock_guard lock(mu_);
  before_.insert_or_assign(std::string(method), std::move(first));
}

Status FailingStore::Enter(std::string_view method) {
  std::function<void()> first;
  {
    std::lock_guard lock(mu_);
    if (auto hook = before_.find(method); hook != before_.end()) {
      first = std::move(hook->second);
      before_.erase(hook);
    }
  }
  if (first) first();
  std::lock_guard lock(mu_);
  auto counted = calls_.find(method);
  if (counted == calls_.end()) counted = calls_.emplace(std::string(method), 0).first;
  ++counted->second;
  const auto failing = failures_.find(method);
  if (failing == failures_.end()) return Status();
  Status error = failing->second.error;
  if (failing->second.times != kAlways && --failing->second.times <= 0) failures_.erase(failing);
  return error;
}

Result<AccountId> FailingStore::CreateAccount(const domain::Account& account) {
  return Forward("CreateAccount", [&] { return inner_.CreateAccount(account); });
}

Result<AccountRecord> FailingStore::FindAccount(std::string_view key) {
  return Forward("FindAccount", [&] { return inner_.FindAccount(key); });
}

Result<std::vector<AccountRecord>> FailingStore::ListAccounts() {
  return Forward("ListAccounts", [&] { return inner_.ListAccounts(); });
}

Result<TokenId> FailingStore::CreateToken(AccountId account, std::string_view name,
                                          domain::ScopeSet scopes, std::string_view secret_digest,
                                          Instant now) {
  return Forward("CreateToken",
                 [&] { return inner_.CreateToken(account, name, scopes, secret_digest, now); });
}

Result<TokenRecord> FailingStore::FindTokenByDigest(std::string_view secret_digest) {
  return Forward("FindTokenByDigest", [&] { return inner_.FindTokenByDigest(secret_digest); });
}

Result<std::vector<TokenRecord>> FailingStore::ListTokens(AccountId account) {
  return Forward("ListTokens", [&] { return inner_.ListTokens(account); });
}

Status FailingStore::RevokeToken(AccountId account, TokenId token_id, Instant now) {
  return Forward("RevokeToken", [&] { return inner_.RevokeToken(account, token_id, now); });
}

Status FailingStore::TouchToken(TokenId token_id, Instant now) {
  return Forward("TouchToken", [&] { return inner_.TouchToken(token_id, now); });
}

Result<std::vector<SignInCandidate>> FailingStore::FindUsersByEmail(std::string_view folded_email) {
  return Forward("FindUsersByEmail", [&] { return inner_.FindUsersByEmail(folded_email); });
}

Result<SessionId> FailingStore::CreateSession(AccountId account, UserId user_id,
                                              std::string_view secret_digest,
                                              std::string_view csrf_token, Instant now) {
  return Forward("CreateSession", [&] {
    return inner_.CreateSession(account, user_id, secret_digest, csrf_token, now);
  });
}

Result<SessionCaller> FailingStore::LoadSessionCaller(std::string_view secret_digest) {
  return Forward("LoadSessionCaller", [&] { return inner_.LoadSessionCaller(secret_digest); });
}

Status FailingStore::TouchSession(SessionId session_id, Instant now) {
  return Forward("TouchSession", [&] { return inner_.TouchSession(session_id, now); });
}

Status FailingStore::DeleteSession(SessionId session_id) {
  return Forward("DeleteSession", [&] { return inner_.DeleteSession(session_id); });
}

Result<std::int64_t> FailingStore::DeleteExpiredSessions(Instant idle_before,
                                                         Instant created_before) {
  return Forward("DeleteExpiredSessions",
                 [&] { return inner_.DeleteExpiredSessions(idle_before, created_before); });
}

Status FailingStore::SetPasswordHash(AccountId account, UserId user_id,
                                     std::string_view password_hash, SessionId keep_session) {
  return Forward("SetPasswordHash", [&] {
    return inner_.SetPasswordHash(account, user_id, password_hash, keep_session);
  });
}

Result<AwardId> FailingStore::CreateAward(AccountId account, const NewAward& award, Instant now) {
  return Forward("CreateAward", [&] { return inner_.CreateAward(account, award, now); });
}

Result<AwardRecord> FailingStore::FindAward(AccountId account, AwardId award_id) {
  return Forward("FindAward", [&] { return inner_.FindAward(account, award_id); });
}

Status FailingStore::RevokeAward(AccountId account, AwardId award_id, Instant now) {
  return Forward("RevokeAward", [&] { return inner_.RevokeAward(account, award_id, now); });
}

Result<std::vector<AwardRecord>> FailingStore::ListAwards(
    AccountId account, std::string_view user_key, std::optional<std::string_view> course_key) {
  return Forward("ListAwards", [&] { return inner_.ListAwards(account, user_key, course_key); });
}

Result<domain::WriteSummary> FailingStore::Apply(AccountId account, const domain::WriteBatch& batch,
                                                 Instant now) {
  return Forward("Apply", [&] { return inner_.Apply(account, batch, now); });
}

Result<std::vector<Result<domain::WriteSummary>>> FailingStore::ApplyGroup(
    const std::vector<GroupWrite>& writes, Instant now) {
  return Forward("ApplyGroup", [&] { return inner_.ApplyGroup(writes, now); });
}

Result<UserRecord> FailingStore::FindUser(AccountId account, std::string_view user_key) {
  return Forward("FindUser", [&] { return inner_.FindUser(account, user_key); });
}

Result<domain::Attempt> FailingStore::GetAttempt(AccountId account, std::string_view attempt_id) {
  return Forward("GetAttempt", [&] { return inner_.GetAttempt(account, attempt_id); });
}

Result<TableCounts> FailingStore::Counts(AccountId account) {
  return Forward("Counts", [&] { return inner_.Counts(account); });
}

Result<domain::WriteBatch> FailingStore::LoadCatalog(AccountId account) {
  return Forward("LoadCatalog", [&] { return inner_.LoadCatalog(account); });
}

Result<std::vector<EnrollmentRecord>> FailingStore::ListEnrollments(AccountId account) {
  return Forward("ListEnrollments", [&] { return inner_.ListEnrollments(account); });
}

Status FailingStore::ScanAttempts(AccountId account, const AttemptVisitor& visit) {
  return Forward("ScanAttempts", [&] { return inner_.ScanAttempts(account, visit); });
}

Status FailingStore::ReadAccountState(AccountId account,
                                      const std::function<Status(AccountHead&)>& head,
                                      const AttemptVisitor& visit) {
  return Forward("ReadAccountState",
                 [&] { return inner_.ReadAccountState(account, head, visit); });
}

Result<std::vector<AccountPosition>> FailingStore::ListAccountPositions() {
  return Forward("ListAccountPositions", [&] { return inner_.ListAccountPositions(); });
}

Result<std::vector<ChangeRecord>> FailingStore::ListChanges(AccountId account,
                                                           std::int64_t after,
                                                           std::size_t limit) {
  return Forward("ListChanges", [&] { return inner_.ListChanges(account, after, limit); });
}

Result<std::vector<domain::Attempt>> FailingStore::LoadAttemptRows(
    AccountId account, const std::vector<std::int64_t>& rows) {
  return Forward("LoadAttemptRows", [&] { return inner_.LoadAttemptRows(account, rows); });
}

Result<std::vector<ThrottleRecord>> FailingStore::ReadThrottle(
    const std::vector<std::string>& keys) {
  return Forward("ReadThrottle", [&] { return inner_.ReadThrottle(keys); });
}

Status FailingStore::AddThrottleFailures(const std::vector<std::string>& keys, Instant now,
                                         std::int64_t forget_ms, std::int64_t known_ms) {
  return Forward("AddThrottleFailures",
                 [&] { return inner_.AddThrottleFailures(keys, now, forget_ms, known_ms); });
}

Status FailingStore::SetThrottleKnown(const std::string& key, Instant now) {
  return Forward("SetThrottleKnown", [&] { return inner_.SetThrottleKnown(key, now); });
}

Result<std::vector<domain::Attempt>> FailingStore::LoadAttempts(AccountId account,
                                                                std::string_view user,
                                                                std::string_view course) {
  return Forward("LoadAttempts", [&] { return inner_.LoadAttempts(account, user, course); });
}

Result<std::vector<domain::Attempt>> FailingStore::LoadExerciseAttempts(AccountId account,
                                                                        std::string_view user,
                                                                        std::string_view course,
                                                                        std::string_view exercise) {
  return Forward("LoadExerciseAttempts",
                 [&] { return inner_.LoadExerciseAttempts(account, user, course, exercise); });
}

Result<std::vector<StoredStatement>> FailingStore::FindStatements(
    AccountId account, const std::vector<std::string>& ids) {
  return Forward("FindStatements", [&] { return inner_.FindStatements(account, ids); });
}

Result<std::vector<StoredStatement>> FailingStore::StatementsOfAttempts(
    AccountId account, const std::vector<std::string>& attempts) {
  return Forward("StatementsOfAttempts",
                 [&] { return inner_.StatementsOfAttempts(account, attempts); });
}

Result<std::vector<StoredStatement>> FailingStore::QueryStatements(AccountId account,
                                                                   const StatementQuery& query) {
  return Forward("QueryStatements", [&] { return inner_.QueryStatements(account, query); });
}

Result<std::vector<StoredStatement>> FailingStore::UnmappedStatements(
    AccountId account, const std::vector<std::string>& actor_hints,
    const std::vector<std::string>& activities) {
  return Forward("UnmappedStatements",
                 [&] { return inner_.UnmappedStatements(account, actor_hints, activities); });
}

Result<std::optional<StoredDocument>> FailingStore::FindDocument(AccountId account,
                                                                 const DocumentKey& key) {
  return Forward("FindDocument", [&] { return inner_.FindDocument(account, key); });
}

Result<std::vector<StoredDocument>> FailingStore::ListDocuments(AccountId account,
                                                                const DocumentKey& key,
                                                                std::optional<Instant> since) {
  return Forward("ListDocuments", [&] { return inner_.ListDocuments(account, key, since); });
}

Status FailingStore::PutDocument(AccountId account, const DocumentWrite& write) {
  return Forward("PutDocument", [&] { return inner_.PutDocument(account, write); });
}

Status FailingStore::DeleteDocuments(AccountId account, const DocumentKey& key) {
  return Forward("DeleteDocuments", [&] { return inner_.DeleteDocuments(account, key); });
}

Result<std::vector<domain::Attempt>> FailingStore::LoadAttemptsThrough(AccountId account,
                                                                       std::string_view user,
                                                                       std::string_view course,
                                                                       std::int64_t through_seq) {
  return Forward("LoadAttemptsThrough", [&] {
    return inner_.LoadAttemptsThrough(account, user, course, through_seq);
  });
}

Status FailingStore::Backup(const std::string& path) {
  return Forward("Backup", [&] { return inner_.Backup(path); });
}

Result<std::vector<std::string>> FailingStore::IntegrityCheck() {
  return Forward("IntegrityCheck", [&] { return inner_.IntegrityCheck(); });
}

Result<int> FailingStore::SchemaVersion() {
  return Forward("SchemaVersion", [&] { return inner_.SchemaVersion(); });
}

}  // namespace cohort::store

#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "store/store.h"

namespace cohort::store::testing {

// A Store for tests that forwards every call to a real one, counts the calls by name, and fails
// the calls it is told to fail (with kUnavailable, as a store that cannot be read or written
// now): the fault injection of STYLE §8 ("a FailingStore that injects errors").
// Thread-safe as the store it wraps.
class FaultyStore final : public Store {
 public:
  explicit FaultyStore(Store& real) : real_(real) {}

  // Makes the next `times` calls of `call` (e.g. "LoadAttempts") fail; -1: every call.
  void FailNext(const std::string& call, int times = 1) {
    std::lock_guard lock(mu_);
    failures_[call] = times;
  }
  void Heal() {
    std::lock_guard lock(mu_);
    failures_.clear();
  }
  std::int64_t Calls(const std::string& call) const {
    std::lock_guard lock(mu_);
    auto it = calls_.find(call);
    return it == calls_.end() ? 0 : it->second;
  }

  Result<AccountId> CreateAccount(const domain::Account& account) override {
    return Call("CreateAccount", [&] { return real_.CreateAccount(account); });
  }
  Result<AccountRecord> FindAccount(std::string_view key) override {
    return Call("FindAccount", [&] { return real_.FindAccount(key); });
  }
  Result<std::vector<AccountRecord>> ListAccounts() override {
    return Call("ListAccounts", [&] { return real_.ListAccounts(); });
  }
  Result<std::int64_t> CreateToken(AccountId account, std::string_view name,
                                   domain::ScopeSet scopes, std::string_view secret_digest,
                                   Instant now) override {
    return Call("CreateToken",
                [&] { return real_.CreateToken(account, name, scopes, secret_digest, now); });
  }
  Result<TokenRecord> FindTokenByDigest(std::string_view secret_digest) override {
    return Call("FindTokenByDigest", [&] { return real_.FindTokenByDigest(secret_digest); });
  }
  Result<std::vector<TokenRecord>> ListTokens(AccountId account) override {
    return Call("ListTokens", [&] { return real_.ListTokens(account); });
  }
  Status RevokeToken(AccountId account, std::int64_t token_id, Instant now) override {
    return Call("RevokeToken", [&] { return real_.RevokeToken(account, token_id, now); });
  }
  Status TouchToken(std::int64_t token_id, Instant now) override {
    return Call("TouchToken", [&] { return real_.TouchToken(token_id, now); });
  }
  Result<std::vector<SignInCandidate>> FindUsersByEmail(std::string_view folded_email) override {
    return Call("FindUsersByEmail", [&] { return real_.FindUsersByEmail(folded_email); });
  }
  Result<std::int64_t> CreateSession(AccountId account, std::int64_t user_id,
                                     std::string_view secret_digest, std::string_view csrf_token,
                                     Instant now) override {
    return Call("CreateSession", [&] {
      return real_.CreateSession(account, user_id, secret_digest, csrf_token, now);
    });
  }
  Result<SessionRecord> FindSessionByDigest(std::string_view secret_digest) override {
    return Call("FindSessionByDigest", [&] { return real_.FindSessionByDigest(secret_digest); });
  }
  Status TouchSession(std::int64_t session_id, Instant now) override {
    return Call("TouchSession", [&] { return real_.TouchSession(session_id, now); });
  }
  Status DeleteSession(std::int64_t session_id) override {
    return Call("DeleteSession", [&] { return real_.DeleteSession(session_id); });
  }
  Result<std::int64_t> DeleteExpiredSessions(Instant idle_before,
                                             Instant created_before) override {
    return Call("DeleteExpiredSessions",
                [&] { return real_.DeleteExpiredSessions(idle_before, created_before); });
  }
  Status SetPasswordHash(AccountId account, std::int64_t user_id,
                         std::string_view password_hash, std::int64_t keep_session) override {
    return Call("SetPasswordHash", [&] {
      return real_.SetPasswordHash(account, user_id, password_hash, keep_session);
    });
  }
  Result<std::vector<std::string>> ManagedGroups(AccountId account,
                                                 std::string_view user_key) override {
    return Call("ManagedGroups", [&] { return real_.ManagedGroups(account, user_key); });
  }
  Result<std::vector<std::string>> ManagedMembers(AccountId account,
                                                  std::string_view user_key) override {
    return Call("ManagedMembers", [&] { return real_.ManagedMembers(account, user_key); });
  }
  Result<std::int64_t> CreateAward(AccountId account, const NewAward& award,
                                   Instant now) override {
    return Call("CreateAward", [&] { return real_.CreateAward(account, award, now); });
  }
  Result<AwardRecord> FindAward(AccountId account, std::int64_t award_id) override {
    return Call("FindAward", [&] { return real_.FindAward(account, award_id); });
  }
  Status RevokeAward(AccountId account, std::int64_t award_id, Instant now) override {
    return Call("RevokeAward", [&] { return real_.RevokeAward(account, award_id, now); });
  }
  Result<std::vector<AwardRecord>> ListAwards(AccountId account, std::string_view user_key,
                                              std::string_view course_key) override {
    return Call("ListAwards", [&] { return real_.ListAwards(account, user_key, course_key); });
  }
  Result<domain::WriteSummary> Apply(AccountId account, const domain::WriteBatch& batch,
                                     Instant now) override {
    return Call("Apply", [&] { return real_.Apply(account, batch, now); });
  }
  Result<std::vector<Result<domain::WriteSummary>>> ApplyGroup(
      const std::vector<GroupWrite>& writes, Instant now) override {
    return Call("ApplyGroup", [&] { return real_.ApplyGroup(writes, now); });
  }
  Result<UserRecord> FindUser(AccountId account, std::string_view user_key) override {
    return Call("FindUser", [&] { return real_.FindUser(account, user_key); });
  }
  Result<domain::Attempt> GetAttempt(AccountId account, std::string_view attempt_id) override {
    return Call("GetAttempt", [&] { return real_.GetAttempt(account, attempt_id); });
  }
  Result<TableCounts> Counts(AccountId account) override {
    return Call("Counts", [&] { return real_.Counts(account); });
  }
  Result<domain::WriteBatch> LoadCatalog(AccountId account) override {
    return Call("LoadCatalog", [&] { return real_.LoadCatalog(account); });
  }
  Result<std::vector<EnrollmentRecord>> ListEnrollments(AccountId account) override {
    return Call("ListEnrollments", [&] { return real_.ListEnrollments(account); });
  }
  Status ScanAttempts(AccountId account, const AttemptVisitor& visit) override {
    return Call("ScanAttempts", [&] { return real_.ScanAttempts(account, visit); });
  }
  Result<std::vector<domain::Attempt>> LoadAttempts(AccountId account, std::string_view user,
                                                    std::string_view course) override {
    return Call("LoadAttempts", [&] { return real_.LoadAttempts(account, user, course); });
  }
  Status Backup(const std::string& path) override {
    return Call("Backup", [&] { return real_.Backup(path); });
  }
  Result<std::vector<std::string>> IntegrityCheck() override {
    return Call("IntegrityCheck", [&] { return real_.IntegrityCheck(); });
  }
  Result<int> SchemaVersion() override {
    return Call("SchemaVersion", [&] { return real_.SchemaVersion(); });
  }
  int LatestSchemaVersion() const override { return real_.LatestSchemaVersion(); }

 private:
  // Counts the call, then fails it if asked, else forwards it.
  template <typename F>
  auto Call(const std::string& name, F&& forward) -> decltype(forward()) {
    {
      std::lock_guard lock(mu_);
      ++calls_[name];
      auto it = failures_.find(name);
      if (it != failures_.end() && it->second != 0) {
        if (it->second > 0) --it->second;
        return Status::Unavailable("injected fault: " + name);
      }
    }
    return forward();
  }

  Store& real_;
  mutable std::mutex mu_;
  std::map<std::string, int> failures_;       // under mu_: call -> failures left (-1: always)
  std::map<std::string, std::int64_t> calls_;  // under mu_
};

}  // namespace cohort::store::testing

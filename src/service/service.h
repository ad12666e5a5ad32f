#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "domain/account.h"
#include "domain/token.h"
#include "domain/user.h"
#include "domain/write_batch.h"
#include "store/store.h"

namespace cohort::service {

// Who is calling, once their credential is checked: the account they act in and what they may
// do there. The account always comes from the credential, never from the request.
struct Caller {
  store::AccountId account;
  std::string account_key;
  domain::ScopeSet scopes;
};

// A new API token: the secret is returned only here and never stored.
struct NewToken {
  std::int64_t id = 0;
  std::string secret;
};

// The use cases of ingest and administration: the only code that combines the store with
// (later) the metrics engine. Thread-safe: the store serializes writes.
class Service {
 public:
  Service(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Creates an account. kInvalid for a bad key, empty name or unknown time zone; kConflict when
  // the key is taken.
  Result<store::AccountId> CreateAccount(const domain::Account& account);

  // Creates an API token for an account; `scopes` must not be empty. kNotFound for an unknown
  // account.
  Result<NewToken> CreateToken(std::string_view account_key, std::string_view name,
                               domain::ScopeSet scopes);

  // Checks a bearer token. kUnauthenticated when it is unknown or revoked.
  Result<Caller> Authenticate(std::string_view bearer_token);

  // A Caller acting for an account with every scope (the CLI: whoever holds the database file).
  Result<Caller> LocalAdmin(std::string_view account_key);

  // Applies one request's writes atomically. Hashes any clear password first (argon2id) —
  // setting a password needs the admin scope. Requires the ingest scope (kForbidden otherwise).
  Result<domain::WriteSummary> Write(const Caller& caller, domain::WriteBatch batch);

  // DELETE /api/v1/users/{user}: deactivate, or erase every trace. kNotFound for an unknown user.
  Status RemoveUser(const Caller& caller, std::string_view user_key, bool erase);
  // DELETE /api/v1/enrollments/{user}/{course}. kNotFound when there is no such enrollment.
  Status RemoveEnrollment(const Caller& caller, std::string_view user_key,
                          std::string_view course_key);

  const Clock& clock() const { return clock_; }
  store::Store& store() { return store_; }

 private:
  store::Store& store_;
  const Clock& clock_;
};

// Hashes a password with argon2id (libsodium crypto_pwhash_str, interactive limits).
Result<std::string> HashPassword(std::string_view password);
// True when `password` matches a hash made by HashPassword.
bool VerifyPassword(std::string_view hash, std::string_view password);

}  // namespace cohort::service

// Signing in and out, sessions and password changes (SPEC §5, §9).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/logging.h"
#include "domain/user.h"
#include "service/secrets.h"
#include "service/service.h"
#include "store/store.h"

namespace cohort::service {
namespace {

constexpr std::string_view kSessionPrefix = "cs_";
constexpr const char* kWrongCredentials = "the email or password is wrong";
constexpr const char* kThrottled = "too many failed sign-ins: wait before trying again";

// A hash of a password nobody knows, verified against when there is no real hash to check, so
// that an unknown email costs as much time as a wrong password. Empty if hashing failed.
const std::string& DummyHash() {
  static const std::string hash = [] {
    Result<std::string> h = HashPassword("cohort: no such user, no such password");
    return h.ok() ? h.value() : std::string();
  }();
  return hash;
}

Status BadPassword(const char* pointer, std::string reason) {
  return Status::Invalid(reason, {{std::nullopt, pointer, reason}});
}

// The Caller of a signed-in person, from their session as Store::LoadSessionCaller reads it:
// no further store read. kUnauthenticated when the user is no longer active.
Result<Caller> PersonCaller(store::SessionCaller loaded) {
  if (!loaded.active) return Status::Unauthenticated("the session has ended: sign in again");
  const store::SessionRecord& session = loaded.session;
  Person person;
  person.user_id = session.user_id;
  person.user_key = session.user_key;
  person.roles = loaded.roles;
  person.session_id = session.id;
  person.csrf_token = session.csrf_token;
  // Only the role makes a manager: a listing in group_managers without it counts for nothing.
  if (person.roles.Has(domain::Role::kGroupManager)) {
    person.managed_groups = std::move(loaded.managed_groups);
    person.managed_members = std::move(loaded.managed_members);
    std::sort(person.managed_members.begin(), person.managed_members.end());
    person.visible_users = person.managed_members;
  }
  if (person.roles.Has(domain::Role::kLearner)) person.visible_users.push_back(person.user_key);
  std::sort(person.managed_groups.begin(), person.managed_groups.end());
  std::sort(person.visible_users.begin(), person.visible_users.end());
  person.visible_users.erase(std::unique(person.visible_users.begin(), person.visible_users.end()),
                             person.visible_users.end());
  Caller caller{session.account, session.account_key, {}, std::nullopt, TokenId{}};
  if (person.roles.Has(domain::Role::kAccountManager)) {
    caller.scopes.Add(domain::Scope::kAdmin);
  } else {
    // Read, scoped by Person: someone without a role sees an account with nothing in it.
    caller.scopes.Add(domain::Scope::kRead);
  }
  caller.person = std::move(person);
  return caller;
}

}  // namespace

bool Person::MaySee(std::string_view user) const {
  return SeesEveryone() || std::binary_search(visible_users.begin(), visible_users.end(), user);
}

bool Person::MayAward(std::string_view user) const {
  return roles.Has(domain::Role::kAccountManager) ||
         (roles.Has(domain::Role::kGroupManager) &&
          std::binary_search(managed_members.begin(), managed_members.end(), user));
}

Status Service::Denied(const Caller& caller, std::string_view scope) {
  if (caller.person) return Status::NotFound("no such resource");
  return Status::Forbidden(fmt::format("this token's scopes do not include '{}'", scope));
}

std::int64_t Service::SignInRetryAfterSeconds(std::string_view email,
                                              std::string_view client_address) {
  Result<std::int64_t> wait =
      throttle_->WaitMs(domain::FoldEmail(email), client_address, clock_.Now());
  return wait.ok() ? WaitSeconds(wait.value()) : 1;
}

std::int64_t Service::PasswordRetryAfterSeconds(const Caller& caller,
                                                std::string_view client_address) {
  if (!caller.person) return 0;
  Result<store::UserRecord> user = store_.FindUser(caller.account, caller.person->user_key);
  return SignInRetryAfterSeconds(user.ok() ? user->user.email : "", client_address);
}

Status Service::Throttled(std::string_view folded_email, std::string_view client_address) {
  Result<std::int64_t> wait = throttle_->WaitMs(folded_email, client_address, clock_.Now());
  if (!wait.ok()) return wait.status();
  if (wait.value() > 0) return Status::TooManyRequests(kThrottled);
  return Status();
}

Result<std::string> Service::PersonName(const Caller& caller) {
  if (!caller.person) return Status::NotFound("no person is signed in");
  Result<store::UserRecord> user = store_.FindUser(caller.account, caller.person->user_key);
  if (!user.ok()) return user.status();
  return std::move(user).value().user.name;
}

Result<SignedIn> Service::SignIn(std::string_view email, std::string_view password,
                                 const std::optional<std::string>& account,
                                 std::string_view client_address) {
  if (!internal::EnsureSodium()) return Status::Internal("libsodium failed to initialise");
  (void)DummyHash();  // made on the first sign-in of any kind, so that its cost tells nothing
  const std::string folded = domain::FoldEmail(email);
  COHORT_RETURN_IF_ERROR(Throttled(folded, client_address));
  Result<std::vector<store::SignInCandidate>> found = store_.FindUsersByEmail(folded);
  if (!found.ok()) return found.status();
  // Every candidate costs one verification, against the dummy hash when there is nothing real
  // to check, and there is always at least one: the time does not tell what exists.
  std::vector<const store::SignInCandidate*> matches;
  bool verified = false;
  for (const store::SignInCandidate& c : found.value()) {
    if (account && c.account.account.key != *account) continue;
    const bool usable = c.user.user.active && c.user.password_hash.has_value();
    verified = true;
    if (!usable) {
      (void)VerifyPassword(DummyHash(), password);
    } else if (VerifyPassword(*c.user.password_hash, password)) {
      matches.push_back(&c);
    }
  }
  if (!verified) (void)VerifyPassword(DummyHash(), password);
  if (matches.empty()) {
    COHORT_RETURN_IF_ERROR(throttle_->RecordFailure(folded, client_address, clock_.Now()));
    spdlog::info(StructuredLog("sign-in refused").Text());
    return Status::Unauthenticated(kWrongCredentials);
  }
  if (matches.size() > 1) {
    std::string keys;
    for (const store::SignInCandidate* c : matches) {
      keys += (keys.empty() ? "" : ", ") + c->account.account.key;
    }
    const std::string reason =
        fmt::format("this email signs in to several accounts ({}): say which in 'account'", keys);
    return Status::Invalid(reason, {{std::nullopt, "/account", reason}});
  }
  const store::SignInCandidate& who = *matches.front();
  COHORT_RETURN_IF_ERROR(throttle_->RecordSuccess(folded, client_address, clock_.Now()));
  // Sessions left to expire are deleted now and then: at each sign-in, so the table holds
  // only live sessions plus those that expired since.
  const Instant now = clock_.Now();
  Result<std::int64_t> purged = store_.DeleteExpiredSessions(Instant{now.ms - kSessionIdleMs},
                                                             Instant{now.ms - kSessionMaxAgeMs});
  if (!purged.ok()) spdlog::warn("cannot delete expired sessions: {}", purged.status().ToString());
  const std::string secret = internal::NewSecret(kSessionPrefix);
  const std::string csrf = internal::NewSecret("");
  const std::string digest = internal::SecretDigest(secret);
  Result<SessionId> id = store_.CreateSession(who.account.id, who.user.id, digest, csrf, now);
  if (!id.ok()) return id.status();
  Result<store::SessionCaller> session = store_.LoadSessionCaller(digest);
  if (!session.ok()) {
    if (session.status().code() == ErrorCode::kNotFound) {
      // Deleted since (the user erased meanwhile): as if it had ended.
      return Status::Unauthenticated("the session has ended: sign in again");
    }
    return session.status();
  }
  Result<Caller> caller = PersonCaller(std::move(session).value());
  if (!caller.ok()) return caller.status();
  spdlog::info(StructuredLog("signed in")
                   .Add("account", who.account.account.key)
                   .Add("user", who.user.user.key)
                   .Text());
  return SignedIn{std::move(caller).value(), secret};
}

Result<Caller> Service::AuthenticateSession(std::string_view secret) {
  if (!internal::EnsureSodium()) return Status::Internal("libsodium failed to initialise");
  if (!secret.starts_with(kSessionPrefix) || secret.size() > 200) {
    return Status::Unauthenticated("not signed in");
  }
  // The request's one store read: the session with its person's roles, groups and members.
  Result<store::SessionCaller> loaded =
      store_.LoadSessionCaller(internal::SecretDigest(secret));
  if (!loaded.ok()) {
    if (loaded.status().code() == ErrorCode::kNotFound) {
      return Status::Unauthenticated("the session has ended: sign in again");
    }
    return loaded.status();
  }
  const SessionId session_id = loaded->session.id;
  const Instant last_seen = loaded->session.last_seen_at;
  const Instant now = clock_.Now();
  if (now.ms - last_seen.ms >= kSessionIdleMs ||
      now.ms - loaded->session.created_at.ms >= kSessionMaxAgeMs) {
    Status deleted = store_.DeleteSession(session_id);
    if (!deleted.ok()) spdlog::warn("cannot delete an expired session: {}", deleted.ToString());
    return Status::Unauthenticated("the session has expired: sign in again");
  }
  Result<Caller> caller = PersonCaller(std::move(loaded).value());
  if (!caller.ok()) return caller;
  // A write, at most once a minute per session (and never for a session refused above).
  if (now.ms - last_seen.ms >= kLastUseResolutionMs) {
    Status touched = store_.TouchSession(session_id, now);
    // Unavailable: the store is busy or failing (logged there); the next request tries again.
    if (!touched.ok() && touched.code() != ErrorCode::kUnavailable) {
      spdlog::warn("cannot record a session's use: {}", touched.ToString());
    }
  }
  return caller;
}

Status Service::SignOut(const Caller& caller) {
  if (!caller.person) return Status::NotFound("no such resource");
  return store_.DeleteSession(caller.person->session_id);
}

Status Service::ChangePassword(const Caller& caller, std::string_view current_password,
                               std::string_view new_password, std::string_view client_address) {
  if (!caller.person) return Status::NotFound("no such resource");
  if (new_password.size() < 8 || new_password.size() > 1024) {
    return BadPassword("/new_password", "a password must be 8-1024 bytes long");
  }
  Result<store::UserRecord> user = store_.FindUser(caller.account, caller.person->user_key);
  if (!user.ok()) return user.status();
  const std::string folded = domain::FoldEmail(user->user.email);
  COHORT_RETURN_IF_ERROR(Throttled(folded, client_address));
  if (!user->password_hash || !VerifyPassword(*user->password_hash, current_password)) {
    COHORT_RETURN_IF_ERROR(throttle_->RecordFailure(folded, client_address, clock_.Now()));
    return BadPassword("/current_password", "the current password is wrong");
  }
  Result<std::string> hash = HashPassword(new_password);
  if (!hash.ok()) return hash.status();
  return store_.SetPasswordHash(caller.account, caller.person->user_id, hash.value(),
                                caller.person->session_id);
}

}  // namespace cohort::service

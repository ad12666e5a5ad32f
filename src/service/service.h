#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/metric_registry.h"
#include "common/result.h"
#include "domain/account.h"
#include "domain/token.h"
#include "domain/user.h"
#include "domain/write_batch.h"
#include "metrics/engine.h"
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
  // Without an engine, only writes and administration work (the CLI's import, demo, ...).
  Service(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}
  // With an engine: each committed write is applied to it, and the views read from it.
  Service(store::Store& store, const Clock& clock, metrics::Engine& engine)
      : store_(store), clock_(clock), engine_(&engine) {}
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

  // Loads every account from the store into the engine (on start, before serving).
  // `progress(done, total)` reports accounts × stages. Errors: the store's.
  Status Rebuild(const std::function<void(std::size_t, std::size_t)>& progress);

  // The views of SPEC §4.1 for the caller's account; the `read` scope is required (kForbidden),
  // unknown keys are kNotFound, a bad sort column is kInvalid.
  Result<metrics::Table<metrics::AllCoursesRow>> AllCourses(const Caller& caller);
  Result<metrics::CourseView> CourseDetail(const Caller& caller, std::string_view course);
  Result<metrics::Table<metrics::LeagueRow>> UserLeague(const Caller& caller,
                                                        std::string_view course,
                                                        const metrics::TableQuery& query);
  Result<metrics::Table<metrics::GroupRow>> GroupLeague(const Caller& caller,
                                                        std::string_view course,
                                                        const metrics::TableQuery& query);
  Result<metrics::UserCourseView> UserInCourse(const Caller& caller, std::string_view course,
                                               std::string_view user);
  Result<std::vector<metrics::HistoryRow>> History(const Caller& caller, std::string_view course,
                                                   std::string_view user,
                                                   std::string_view exercise);
  Result<metrics::Table<metrics::ReportRow>> Report(const Caller& caller,
                                                    const metrics::TableQuery& query);
  // The report in pages for streamed exports (metrics::Engine::PlanReport, ReportRows): the same
  // scope and errors as Report, and kInvalid for a sort the plan cannot follow (use Report).
  Result<metrics::ReportPlan> PlanReport(const Caller& caller, const metrics::TableQuery& query);
  Result<std::vector<std::optional<metrics::ReportRow>>> ReportRows(
      const Caller& caller, const metrics::ReportPlan& plan, std::size_t first,
      std::size_t count);
  // The caller's account time zone, for rendering.
  Result<TimeZone> Zone(const Caller& caller);

  // Observes each store write's time in cohort_store_write_duration_seconds. Call before the
  // service is shared between threads.
  void SetMetrics(MetricRegistry& registry);

  const Clock& clock() const { return clock_; }
  store::Store& store() { return store_; }

 private:
  Status CheckRead(const Caller& caller);
  // Loads one account from the store into the engine. Requires: write_mutex_ held.
  Status RebuildAccount(const store::AccountRecord& account);

  store::Store& store_;
  const Clock& clock_;
  metrics::Engine* engine_ = nullptr;
  Histogram* store_write_seconds_ = nullptr;
  std::mutex write_mutex_;  // orders commits and engine applies: the engine sees commit order
};

// Hashes a password with argon2id (libsodium crypto_pwhash_str, interactive limits).
Result<std::string> HashPassword(std::string_view password);
// True when `password` matches a hash made by HashPassword.
bool VerifyPassword(std::string_view hash, std::string_view password);

}  // namespace cohort::service

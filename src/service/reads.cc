// The read side of Service: views for the caller's account, straight from the engine.
#include "service/service.h"

namespace cohort::service {

Status Service::CheckRead(const Caller& caller) {
  if (!caller.scopes.Allows(domain::Scope::kRead)) {
    return Status::Forbidden("this token's scopes do not include 'read'");
  }
  if (engine_ == nullptr) return Status::Internal("the metrics engine is not running");
  if (!engine_->HasAccount(caller.account_key)) {
    // An account created after the engine was built (e.g. by `cohort account create`).
    std::lock_guard lock(write_mutex_);
    if (!engine_->HasAccount(caller.account_key)) {
      Result<store::AccountRecord> account = store_.FindAccount(caller.account_key);
      if (!account.ok()) return account.status();
      COHORT_RETURN_IF_ERROR(RebuildAccount(account.value()));
    }
  }
  return Status();
}

Result<metrics::Table<metrics::AllCoursesRow>> Service::AllCourses(const Caller& caller) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  return engine_->AllCourses(caller.account_key, clock_.Now(), nullptr);
}

Result<metrics::CourseView> Service::CourseDetail(const Caller& caller, std::string_view course) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  return engine_->Course(caller.account_key, course, clock_.Now(), nullptr);
}

Result<metrics::Table<metrics::LeagueRow>> Service::UserLeague(const Caller& caller,
                                                               std::string_view course,
                                                               const metrics::TableQuery& query) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  return engine_->UserLeague(caller.account_key, course, query, clock_.Now());
}

Result<metrics::Table<metrics::GroupRow>> Service::GroupLeague(const Caller& caller,
                                                               std::string_view course,
                                                               const metrics::TableQuery& query) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  return engine_->GroupLeague(caller.account_key, course, query, clock_.Now(), nullptr);
}

Result<metrics::UserCourseView> Service::UserInCourse(const Caller& caller,
                                                      std::string_view course,
                                                      std::string_view user) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  return engine_->UserInCourse(caller.account_key, course, user, clock_.Now());
}

Result<std::vector<metrics::HistoryRow>> Service::History(const Caller& caller,
                                                          std::string_view course,
                                                          std::string_view user,
                                                          std::string_view exercise) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  Result<std::vector<domain::Attempt>> attempts = store_.LoadAttempts(caller.account, user, course);
  if (!attempts.ok()) return attempts.status();
  return engine_->History(caller.account_key, course, user, exercise, attempts.value());
}

Result<metrics::Table<metrics::ReportRow>> Service::Report(const Caller& caller,
                                                           const metrics::TableQuery& query) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  return engine_->Report(caller.account_key, query, clock_.Now());
}

Result<metrics::ReportPlan> Service::PlanReport(const Caller& caller,
                                                 const metrics::TableQuery& query) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  return engine_->PlanReport(caller.account_key, query);
}

Result<std::vector<std::optional<metrics::ReportRow>>> Service::ReportRows(
    const Caller& caller, const metrics::ReportPlan& plan, std::size_t first, std::size_t count) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  return engine_->ReportRows(caller.account_key, plan, first, count, clock_.Now());
}

Result<TimeZone> Service::Zone(const Caller& caller) {
  if (engine_ == nullptr) return Status::Internal("the metrics engine is not running");
  return engine_->Zone(caller.account_key);
}

}  // namespace cohort::service

// The read side of Service: views for the caller's account, straight from the engine, scoped to
// what the caller's roles let them see (SPEC §5). Whatever is out of scope answers exactly what
// an unknown key would.
#include <algorithm>

#include "metrics/user_course.h"
#include "service/service.h"
#include "store/store.h"

namespace cohort::service {
namespace {

// The engine's answers for unknown keys, repeated for keys the caller may not see.
Status NoSuchCourse(std::string_view course) {
  return Status::NotFound("course '" + std::string(course) + "' is unknown");
}
Status NotEnrolled(std::string_view user, std::string_view course) {
  return Status::NotFound("user '" + std::string(user) + "' is not enrolled in '" +
                          std::string(course) + "'");
}

// The person whose figures are restricted, or nullptr when the caller sees everyone.
const Person* Restricted(const Caller& caller) {
  return caller.person && !caller.person->SeesEveryone() ? &*caller.person : nullptr;
}

// The report's group filter: a group the restricted caller does not manage is unknown to them.
Status CheckGroupFilter(const Person& restricted, const metrics::TableQuery& query) {
  if (query.group && !std::binary_search(restricted.managed_groups.begin(),
                                         restricted.managed_groups.end(), *query.group)) {
    return Status::NotFound("group '" + *query.group + "' is unknown");
  }
  return Status();
}

}  // namespace

Status Service::CheckRead(const Caller& caller) {
  if (!caller.scopes.Allows(domain::Scope::kRead)) return Denied(caller, "read");
  if (!engine_->HasAccount(caller.account_key) || !serving_) {
    // The first view (cohort export), an account created after the engine was built (e.g. by
    // `cohort account create`), or one dropped after an apply failed.
    MutexLock lock(write_mutex_);
    serving_ = true;
    COHORT_RETURN_IF_ERROR(EnsureLoaded(caller.account, caller.account_key));
  }
  return Status();
}

Result<metrics::Table<metrics::AllCoursesRow>> Service::AllCourses(const Caller& caller) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  const Person* restricted = Restricted(caller);
  return engine_->AllCourses(caller.account_key, clock_.Now(),
                             restricted ? &restricted->visible_users : nullptr);
}

Result<metrics::Table<metrics::AllCoursesRow>> Service::AllCourses(
    const Caller& caller, const metrics::TableQuery& query) {
  Result<metrics::Table<metrics::AllCoursesRow>> table = AllCourses(caller);
  if (!table.ok()) return table;
  COHORT_RETURN_IF_ERROR(metrics::ArrangeAllCourses(table.value(), query));
  if (!query.weekly) return table;
  std::vector<std::string_view> keys;
  for (const metrics::AllCoursesRow& r : table->rows) keys.push_back(r.course);
  const Person* restricted = Restricted(caller);
  Result<std::vector<std::vector<metrics::WeekPoint>>> series = engine_->WeeklySeries(
      caller.account_key, keys, clock_.Now(), restricted ? &restricted->visible_users : nullptr);
  if (!series.ok()) return series.status();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    table.value().rows[i].weekly = std::move(series.value()[i]);
  }
  return table;
}

Result<metrics::CourseView> Service::CourseDetail(const Caller& caller, std::string_view course) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  const Person* restricted = Restricted(caller);
  if (restricted && !restricted->SeesCourseViews()) return NoSuchCourse(course);
  return engine_->Course(caller.account_key, course, clock_.Now(),
                         restricted ? &restricted->visible_users : nullptr);
}

Result<metrics::Table<metrics::LeagueRow>> Service::UserLeague(const Caller& caller,
                                                               std::string_view course,
                                                               const metrics::TableQuery& query) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  const Person* restricted = Restricted(caller);
  if (!restricted) return engine_->UserLeague(caller.account_key, course, query, clock_.Now());
  if (!restricted->SeesCourseViews()) return NoSuchCourse(course);
  metrics::TableQuery scoped = query;
  scoped.only_users = &restricted->visible_users;
  if (scoped.group && !std::binary_search(restricted->managed_groups.begin(),
                                          restricted->managed_groups.end(), *scoped.group)) {
    // A group they do not manage is unknown to them — after the course is checked, as the
    // engine does.
    const std::string group = *scoped.group;
    scoped.group.reset();
    Result<metrics::Table<metrics::LeagueRow>> course_check =
        engine_->UserLeague(caller.account_key, course, scoped, clock_.Now());
    if (!course_check.ok() && course_check.status().code() == ErrorCode::kNotFound) {
      return course_check.status();
    }
    return Status::NotFound("group '" + group + "' is unknown");
  }
  return engine_->UserLeague(caller.account_key, course, scoped, clock_.Now());
}

Result<metrics::Table<metrics::GroupRow>> Service::GroupLeague(const Caller& caller,
                                                               std::string_view course,
                                                               const metrics::TableQuery& query) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  const Person* restricted = Restricted(caller);
  if (restricted && !restricted->SeesCourseViews()) return NoSuchCourse(course);
  return engine_->GroupLeague(caller.account_key, course, query, clock_.Now(),
                              restricted ? &restricted->managed_groups : nullptr);
}

Result<metrics::GroupCourseView> Service::GroupInCourse(const Caller& caller,
                                                        std::string_view course,
                                                        std::string_view group) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  const Person* restricted = Restricted(caller);
  if (restricted && !restricted->SeesCourseViews()) return NoSuchCourse(course);
  if (restricted && !std::binary_search(restricted->managed_groups.begin(),
                                        restricted->managed_groups.end(), group)) {
    // A group they do not manage is unknown to them — after the course is checked.
    Result<metrics::CourseView> known =
        engine_->Course(caller.account_key, course, clock_.Now(), &restricted->visible_users);
    if (!known.ok()) return known.status();
    return Status::NotFound("group '" + std::string(group) + "' is unknown");
  }
  return engine_->GroupInCourse(caller.account_key, course, group, clock_.Now(),
                                restricted ? &restricted->visible_users : nullptr);
}

Result<metrics::PersonView> Service::PersonOverview(const Caller& caller, std::string_view user) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  if (caller.person && !caller.person->MaySee(user)) {
    return Status::NotFound("user '" + std::string(user) + "' is unknown");
  }
  Result<metrics::PersonView> view = engine_->Person(caller.account_key, user, clock_.Now());
  if (!view.ok()) return view;
  metrics::PersonView out = std::move(view).value();
  // Awards are few per user and read from the store in one query, by granted_at then id: those
  // for no course and every course's, including a course the person has since left.
  Result<std::vector<store::AwardRecord>> awards =
      store_.ListAwards(caller.account, user, std::nullopt);
  if (!awards.ok()) return awards.status();
  for (store::AwardRecord& a : std::move(awards).value()) {
    out.awards.push_back({a.id, std::move(a.title), std::move(a.note), std::move(a.granted_by),
                          a.granted_at, std::move(a.course)});
  }
  return out;
}

Result<metrics::ActivityView> Service::Activity(const Caller& caller,
                                                std::optional<std::int64_t> from_day,
                                                std::optional<std::int64_t> to_day,
                                                std::int64_t weeks) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  Result<TimeZone> zone = engine_->Zone(caller.account_key);
  if (!zone.ok()) return zone.status();
  const Instant now = clock_.Now();
  const std::int64_t to = to_day.value_or(zone->LocalDay(now));
  const std::int64_t from = from_day.value_or(to - 7 * (weeks - 1));
  auto invalid = [](const std::string& name, const std::string& reason) {
    return Status::Invalid("query parameter '" + name + "': " + reason,
                           {{std::nullopt, "", name + ": " + reason}});
  };
  if (from > to) return invalid("from", "must not be after to");
  if ((metrics::WeekOfLocalDay(to) - metrics::WeekOfLocalDay(from)) / 7 + 1 > kMaxActivityWeeks) {
    return invalid("weeks", "the range must be at most " + std::to_string(kMaxActivityWeeks) +
                                " weeks");
  }
  const Person* restricted = Restricted(caller);
  return engine_->Activity(caller.account_key, from, to, now,
                           restricted ? &restricted->visible_users : nullptr);
}

Result<CallerScope> Service::Scope(const Caller& caller) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  CallerScope scope;
  const Person* restricted = Restricted(caller);
  if (!restricted) return scope;
  if (!restricted->roles.Has(domain::Role::kGroupManager)) {
    scope.kind = CallerScope::Kind::kSelf;
    scope.members = 1;
    return scope;
  }
  scope.kind = CallerScope::Kind::kGroups;
  scope.groups = engine_->GroupNames(caller.account_key, restricted->managed_groups);
  scope.members = static_cast<std::int64_t>(restricted->managed_members.size());
  return scope;
}

Result<std::vector<metrics::GroupListing>> Service::Groups(const Caller& caller) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  const Person* restricted = Restricted(caller);
  // A group manager lists the groups they manage; a learner, none.
  return engine_->Groups(caller.account_key, restricted ? &restricted->managed_groups : nullptr);
}

std::optional<Instant> Service::AsOf(const Caller& caller) {
  return engine_->AsOf(caller.account_key);
}

Result<metrics::UserCourseView> Service::UserInCourse(const Caller& caller, std::string_view course,
                                                      std::string_view user) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  Result<metrics::UserCourseView> view =
      engine_->UserInCourse(caller.account_key, course, user, clock_.Now());
  if (!view.ok()) return view;
  if (caller.person && !caller.person->MaySee(user)) return NotEnrolled(user, course);
  // Awards are few per user: read them from the store, not kept in the engine.
  Result<std::vector<store::AwardRecord>> awards = store_.ListAwards(caller.account, user, course);
  if (!awards.ok()) return awards.status();
  metrics::UserCourseView out = std::move(view).value();
  for (store::AwardRecord& a : std::move(awards).value()) {
    out.awards.push_back({a.id, std::move(a.title), std::move(a.note), std::move(a.granted_by),
                          a.granted_at, std::move(a.course)});
  }
  return out;
}

Result<std::vector<metrics::HistoryRow>> Service::History(const Caller& caller,
                                                          std::string_view course,
                                                          std::string_view user,
                                                          std::string_view exercise) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  if (caller.person && !caller.person->MaySee(user)) {
    // The course and enrollment checks of an unknown user's history, without their attempts.
    Result<metrics::UserCourseView> known =
        engine_->UserInCourse(caller.account_key, course, user, clock_.Now());
    if (!known.ok()) return known.status();
    return NotEnrolled(user, course);
  }
  Result<std::vector<domain::Attempt>> attempts =
      store_.LoadExerciseAttempts(caller.account, user, course, exercise);
  if (!attempts.ok()) return attempts.status();
  return engine_->History(caller.account_key, course, user, exercise, attempts.value());
}

Result<metrics::Table<metrics::ReportRow>> Service::Report(const Caller& caller,
                                                           const metrics::TableQuery& query) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  const Person* restricted = Restricted(caller);
  if (!restricted) return engine_->Report(caller.account_key, query, clock_.Now());
  if (!restricted->SeesCourseViews()) return Status::NotFound("no such resource");
  COHORT_RETURN_IF_ERROR(CheckGroupFilter(*restricted, query));
  metrics::TableQuery scoped = query;
  scoped.only_users = &restricted->visible_users;
  return engine_->Report(caller.account_key, scoped, clock_.Now());
}

Result<metrics::ReportPlan> Service::PlanReport(const Caller& caller,
                                                const metrics::TableQuery& query) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  // Scoped exactly as Report: the plan lists only the people the caller may see, and
  // ReportRows builds rows from the plan alone.
  const Person* restricted = Restricted(caller);
  if (!restricted) return engine_->PlanReport(caller.account_key, query, clock_.Now());
  if (!restricted->SeesCourseViews()) return Status::NotFound("no such resource");
  COHORT_RETURN_IF_ERROR(CheckGroupFilter(*restricted, query));
  metrics::TableQuery scoped = query;
  scoped.only_users = &restricted->visible_users;
  return engine_->PlanReport(caller.account_key, scoped, clock_.Now());
}

Result<std::vector<std::optional<metrics::ReportRow>>> Service::ReportRows(
    const Caller& caller, const metrics::ReportPlan& plan, std::size_t first, std::size_t count) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  return engine_->ReportRows(caller.account_key, plan, first, count, clock_.Now());
}

Result<TimeZone> Service::Zone(const Caller& caller) {
  COHORT_RETURN_IF_ERROR(CheckRead(caller));
  return engine_->Zone(caller.account_key);
}

}  // namespace cohort::service

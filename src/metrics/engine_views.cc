// The read side of the engine: each view of SPEC §4.1 takes the shared lock, finds the account
// (course, user) and calls its builder over the account's state (account_views.h).
#include <mutex>
#include <shared_mutex>

#include "metrics/account_views.h"
#include "metrics/engine.h"
#include "metrics/engine_state.h"

namespace cohort::metrics {
namespace {

Status NoAccount() { return Status::NotFound("no such account"); }
Status NoCourse(std::string_view course) {
  return Status::NotFound("course '" + std::string(course) + "' is unknown");
}
Status NotEnrolled(std::string_view user, std::string_view course) {
  return Status::NotFound("user '" + std::string(user) + "' is not enrolled in '" +
                          std::string(course) + "'");
}

// The enrollment of `user` in `c`; nullptr when the user is unknown or not enrolled.
const Enrolled* FindEnrolled(const AccountState& a, const CourseState& c, std::string_view user) {
  auto u = a.user_of.find(std::string(user));
  return u == a.user_of.end() ? nullptr : c.Find(u->second);
}

}  // namespace

Result<Table<AllCoursesRow>> Engine::AllCourses(std::string_view account, Instant now,
                                                const std::vector<std::string>* only_users) const {
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccountState(*state_, account);
  if (a == nullptr) return NoAccount();
  return AllCoursesOf(*a, now, only_users);
}

Result<CourseView> Engine::Course(std::string_view account, std::string_view course, Instant now,
                                  const std::vector<std::string>* only_users) const {
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccountState(*state_, account);
  if (a == nullptr) return NoAccount();
  const CourseState* c = FindCourseState(*a, course);
  if (c == nullptr) return NoCourse(course);
  return CourseOf(*a, *c, now, only_users);
}

Result<std::vector<std::vector<WeekPoint>>> Engine::WeeklySeries(
    std::string_view account, const std::vector<std::string_view>& courses, Instant now,
    const std::vector<std::string>* only_users) const {
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccountState(*state_, account);
  if (a == nullptr) return NoAccount();
  std::vector<std::vector<WeekPoint>> out;
  out.reserve(courses.size());
  for (const std::string_view course : courses) {
    const CourseState* c = FindCourseState(*a, course);
    if (c == nullptr) return NoCourse(course);
    out.push_back(CourseOf(*a, *c, now, only_users).weekly);
  }
  return out;
}

Result<Table<LeagueRow>> Engine::UserLeague(std::string_view account, std::string_view course,
                                            const TableQuery& query, Instant now) const {
  const KeyFilter only(query.only_users);  // built before the lock: readers hold it briefly
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccountState(*state_, account);
  if (a == nullptr) return NoAccount();
  const CourseState* c = FindCourseState(*a, course);
  if (c == nullptr) return NoCourse(course);
  return UserLeagueOf(*a, *c, query, only, now);
}

Result<Table<GroupRow>> Engine::GroupLeague(std::string_view account, std::string_view course,
                                            const TableQuery& query, Instant now,
                                            const std::vector<std::string>* only_groups) const {
  const KeyFilter only(only_groups);  // built before the lock: readers hold it briefly
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccountState(*state_, account);
  if (a == nullptr) return NoAccount();
  const CourseState* c = FindCourseState(*a, course);
  if (c == nullptr) return NoCourse(course);
  return GroupLeagueOf(*a, *c, query, only, now);
}

Result<GroupCourseView> Engine::GroupInCourse(std::string_view account, std::string_view course,
                                              std::string_view group, Instant now,
                                              const std::vector<std::string>* only_users) const {
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccountState(*state_, account);
  if (a == nullptr) return NoAccount();
  const CourseState* c = FindCourseState(*a, course);
  if (c == nullptr) return NoCourse(course);
  return GroupCourseOf(*a, *c, group, now, only_users);
}

Result<UserCourseView> Engine::UserInCourse(std::string_view account, std::string_view course,
                                            std::string_view user, Instant now) const {
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccountState(*state_, account);
  if (a == nullptr) return NoAccount();
  const CourseState* c = FindCourseState(*a, course);
  if (c == nullptr) return NoCourse(course);
  const Enrolled* e = FindEnrolled(*a, *c, user);
  if (e == nullptr) return NotEnrolled(user, course);
  return UserInCourseOf(*a, *c, *e, now);
}

Result<std::vector<HistoryRow>> Engine::History(
    std::string_view account, std::string_view course, std::string_view user,
    std::string_view exercise, const std::vector<domain::Attempt>& attempts) const {
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccountState(*state_, account);
  if (a == nullptr) return NoAccount();
  const CourseState* c = FindCourseState(*a, course);
  if (c == nullptr) return NoCourse(course);
  if (FindEnrolled(*a, *c, user) == nullptr) return NotEnrolled(user, course);
  auto slot = c->slot_of.find(std::string(exercise));
  if (slot == c->slot_of.end() ||
      c->shape.chapter_of_slot[static_cast<std::size_t>(slot->second)] < 0) {
    return Status::NotFound("exercise '" + std::string(exercise) + "' is unknown");
  }
  return HistoryOf(*c, exercise, attempts);
}

Result<ActivityView> Engine::Activity(std::string_view account, std::int64_t from_day,
                                      std::int64_t to_day, Instant now,
                                      const std::vector<std::string>* only_users) const {
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccountState(*state_, account);
  if (a == nullptr) return NoAccount();
  return ActivityOf(*a, from_day, to_day, now, only_users);
}

Result<PersonView> Engine::Person(std::string_view account, std::string_view user,
                                  Instant now) const {
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccountState(*state_, account);
  if (a == nullptr) return NoAccount();
  auto u = a->user_of.find(std::string(user));
  if (u == a->user_of.end()) return Status::NotFound("user '" + std::string(user) + "' is unknown");
  return PersonOf(*a, u->second, now);
}

std::vector<GroupName> Engine::GroupNames(std::string_view account,
                                          const std::vector<std::string>& groups) const {
  ReaderLock lock(mutex_);
  std::vector<GroupName> out;
  const AccountState* a = FindAccountState(*state_, account);
  if (a == nullptr) return out;
  for (const std::string& key : groups) {
    auto g = a->group_of.find(key);
    if (g != a->group_of.end()) out.push_back({key, a->groups[static_cast<std::size_t>(g->second)].name});
  }
  return out;
}

std::optional<Instant> Engine::AsOf(std::string_view account) const {
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccountState(*state_, account);
  if (a == nullptr || a->as_of_ms == 0) return std::nullopt;
  return Instant{a->as_of_ms};
}

Result<Table<ReportRow>> Engine::Report(std::string_view account, const TableQuery& query,
                                        Instant now) const {
  const KeyFilter only(query.only_users);  // built before the lock: readers hold it briefly
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccountState(*state_, account);
  if (a == nullptr) return NoAccount();
  return ReportOf(*a, query, only, now);
}

Result<ReportPlan> Engine::PlanReport(std::string_view account, const TableQuery& query,
                                      Instant now) const {
  if (!PlannableReport(query)) {
    return Status::Invalid("only the report's order by name can be planned, not '" + query.sort +
                           "'");
  }
  const KeyFilter only(query.only_users);  // built before the lock: readers hold it briefly
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccountState(*state_, account);
  if (a == nullptr) return NoAccount();
  return PlanReportOf(*a, query, only, now);
}

Result<std::vector<std::optional<ReportRow>>> Engine::ReportRows(std::string_view account,
                                                                 const ReportPlan& plan,
                                                                 std::size_t first,
                                                                 std::size_t count,
                                                                 Instant now) const {
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccountState(*state_, account);
  if (a == nullptr) return NoAccount();
  return ReportRowsOf(*a, plan, first, count, now);
}

}  // namespace cohort::metrics

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

// A view over one account, or one of its courses: `view(account[, course])`, or kNotFound
// for an unknown key. The caller holds the engine's shared lock.
template <typename R, typename F>
Result<R> InAccount(const Engine::State& s, std::string_view account, F&& view) {
  const AccountState* a = FindAccountState(s, account);
  if (a == nullptr) return NoAccount();
  return view(*a);
}
template <typename R, typename F>
Result<R> InCourse(const Engine::State& s, std::string_view account, std::string_view course,
                   F&& view) {
  const AccountState* a = FindAccountState(s, account);
  if (a == nullptr) return NoAccount();
  const CourseState* c = FindCourseState(*a, course);
  if (c == nullptr) return NoCourse(course);
  return view(*a, *c);
}

}  // namespace

Result<Table<AllCoursesRow>> Engine::AllCourses(std::string_view account, Instant now,
                                                const std::vector<std::string>* only_users) const {
  ReaderLock lock(mutex_);
  return InAccount<Table<AllCoursesRow>>(
      *state_, account, [&](const AccountState& a) { return AllCoursesOf(a, now, only_users); });
}

Result<CourseView> Engine::Course(std::string_view account, std::string_view course, Instant now,
                                  const std::vector<std::string>* only_users) const {
  ReaderLock lock(mutex_);
  return InCourse<CourseView>(
      *state_, account, course,
      [&](const AccountState& a, const CourseState& c) { return CourseOf(a, c, now, only_users); });
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
  return InCourse<Table<LeagueRow>>(*state_, account, course,
                                    [&](const AccountState& a, const CourseState& c) {
                                      return UserLeagueOf(a, c, query, only, now);
                                    });
}

Result<Table<GroupRow>> Engine::GroupLeague(std::string_view account, std::string_view course,
                                            const TableQuery& query, Instant now,
                                            const std::vector<std::string>* only_groups) const {
  const KeyFilter only(only_groups);  // built before the lock: readers hold it briefly
  ReaderLock lock(mutex_);
  return InCourse<Table<GroupRow>>(*state_, account, course,
                                   [&](const AccountState& a, const CourseState& c) {
                                     return GroupLeagueOf(a, c, query, only, now);
                                   });
}

Result<GroupCourseView> Engine::GroupInCourse(std::string_view account, std::string_view course,
                                              std::string_view group, Instant now,
                                              const std::vector<std::string>* only_users) const {
  ReaderLock lock(mutex_);
  return InCourse<GroupCourseView>(*state_, account, course,
                                   [&](const AccountState& a, const CourseState& c) {
                                     return GroupCourseOf(a, c, group, now, only_users);
                                   });
}

Result<UserCourseView> Engine::UserInCourse(std::string_view account, std::string_view course,
                                            std::string_view user, Instant now) const {
  ReaderLock lock(mutex_);
  return InCourse<UserCourseView>(
      *state_, account, course,
      [&](const AccountState& a, const CourseState& c) -> Result<UserCourseView> {
        const Enrolled* e = FindEnrolled(a, c, user);
        if (e == nullptr) return NotEnrolled(user, course);
        return UserInCourseOf(a, c, *e, now);
      });
}

Result<std::vector<HistoryRow>> Engine::History(
    std::string_view account, std::string_view course, std::string_view user,
    std::string_view exercise, const std::vector<domain::Attempt>& attempts) const {
  ReaderLock lock(mutex_);
  return InCourse<std::vector<HistoryRow>>(
      *state_, account, course,
      [&](const AccountState& a, const CourseState& c) -> Result<std::vector<HistoryRow>> {
        if (FindEnrolled(a, c, user) == nullptr) return NotEnrolled(user, course);
        auto slot = c.slot_of.find(std::string(exercise));
        if (slot == c.slot_of.end() ||
            c.shape.chapter_of_slot[static_cast<std::size_t>(slot->second)] < 0) {
          return Status::NotFound("exercise '" + std::string(exercise) + "' is unknown");
        }
        return HistoryOf(c, exercise, attempts);
      });
}

Result<ActivityView> Engine::Activity(std::string_view account, std::int64_t from_day,
                                      std::int64_t to_day, Instant now,
                                      const std::vector<std::string>* only_users) const {
  ReaderLock lock(mutex_);
  return InAccount<ActivityView>(*state_, account, [&](const AccountState& a) {
    return ActivityOf(a, from_day, to_day, now, only_users);
  });
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
    if (g != a->group_of.end())
      out.push_back({key, a->groups[static_cast<std::size_t>(g->second)].name});
  }
  return out;
}

std::vector<GroupListing> Engine::Groups(std::string_view account,
                                         const std::vector<std::string>* only_groups) const {
  ReaderLock lock(mutex_);
  std::vector<GroupListing> out;
  const AccountState* a = FindAccountState(*state_, account);
  if (a == nullptr) return out;
  std::vector<std::int64_t> members(a->groups.size());
  for (const UserState& u : a->users) {
    if (!u.active || u.erased) continue;
    for (int g : u.groups) ++members[static_cast<std::size_t>(g)];
  }
  for (std::size_t g = 0; g < a->groups.size(); ++g) {
    const GroupState& gs = a->groups[g];
    if (only_groups && !std::binary_search(only_groups->begin(), only_groups->end(), gs.key)) {
      continue;
    }
    out.push_back({gs.key, gs.name, members[g]});
  }
  std::sort(out.begin(), out.end(), [](const GroupListing& x, const GroupListing& y) {
    return std::tie(x.name, x.group) < std::tie(y.name, y.group);
  });
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
  return InAccount<Table<ReportRow>>(
      *state_, account, [&](const AccountState& a) { return ReportOf(a, query, only, now); });
}

Result<ReportPlan> Engine::PlanReport(std::string_view account, const TableQuery& query,
                                      Instant now) const {
  if (!PlannableReport(query)) {
    return Status::Invalid("only the report's order by name can be planned, not '" + query.sort +
                           "'");
  }
  const KeyFilter only(query.only_users);  // built before the lock: readers hold it briefly
  ReaderLock lock(mutex_);
  return InAccount<ReportPlan>(
      *state_, account, [&](const AccountState& a) { return PlanReportOf(a, query, only, now); });
}

Result<std::vector<std::optional<ReportRow>>> Engine::ReportRows(std::string_view account,
                                                                 const ReportPlan& plan,
                                                                 std::size_t first,
                                                                 std::size_t count,
                                                                 Instant now) const {
  ReaderLock lock(mutex_);
  return InAccount<std::vector<std::optional<ReportRow>>>(
      *state_, account,
      [&](const AccountState& a) { return ReportRowsOf(a, plan, first, count, now); });
}

}  // namespace cohort::metrics

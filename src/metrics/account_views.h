#pragma once

// The views of SPEC §4.1 as free functions over one account's state (engine_state.h; private to
// metrics/), one file each. The Engine's methods find the account (and course, user) under the
// shared lock and call these; they read the state and never change it, except the course's view
// caches (CourseState::names, ranks), which they fill under its cache_mutex.
//
// Requires: the caller holds the engine's lock (shared is enough) for as long as the call runs,
// and `c`, `e` belong to `a`.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "domain/attempt.h"
#include "metrics/engine.h"
#include "metrics/engine_state.h"
#include "metrics/view_helpers.h"
#include "metrics/views.h"

namespace cohort::metrics {

// All courses (all_courses_view.cc): the courses with an enrolled active user, by title; with
// `only_users`, figures over those users only (a group manager's members).
Table<AllCoursesRow> AllCoursesOf(const AccountState& a, Instant now,
                                  const std::vector<std::string>* only_users);

// The course view (course_view.cc): headline figures, chapters and the weekly series; from the
// running totals, or over `only_users` when given.
CourseView CourseOf(const AccountState& a, const CourseState& c, Instant now,
                    const std::vector<std::string>* only_users);

// A group's page in course `c` (course_view.cc): the course view over the group's members that
// `only_users` allows (all of them when nullptr). kNotFound for an unknown group.
Result<GroupCourseView> GroupCourseOf(const AccountState& a, const CourseState& c,
                                      std::string_view group, Instant now,
                                      const std::vector<std::string>* only_users);

// The user league (user_league_view.cc) over the users `only` allows: filtered, ranked, sorted
// and paged as `query` says. kNotFound for an unknown `query.group`; kInvalid for a column
// kLeagueColumns does not declare sortable.
Result<Table<LeagueRow>> UserLeagueOf(const AccountState& a, const CourseState& c,
                                      const TableQuery& query, const KeyFilter& only, Instant now);

// The group league (group_league_view.cc) over the groups `only_groups` allows. kInvalid for a
// column kGroupColumns does not declare sortable.
Result<Table<GroupRow>> GroupLeagueOf(const AccountState& a, const CourseState& c,
                                      const TableQuery& query, const KeyFilter& only_groups,
                                      Instant now);

// The user-in-course view of enrollment `e` of course `c` (user_in_course_view.cc); awards are
// left empty (the service fills them in).
UserCourseView UserInCourseOf(const AccountState& a, const CourseState& c, const Enrolled& e,
                              Instant now);

// The dashboard (activity_view.cc): see Engine::Activity. Requires from_day <= to_day.
ActivityView ActivityOf(const AccountState& a, std::int64_t from_day, std::int64_t to_day,
                        Instant now, const std::vector<std::string>* only_users);

// One person's page (person_view.cc): `user` is an index of a user of `a` that is not erased.
PersonView PersonOf(const AccountState& a, int user, Instant now);

// The history of one exercise (history_view.cc) from `attempts`, the user's attempts in course
// `c` (any order; those of other exercises are skipped), under the course's settings.
std::vector<HistoryRow> HistoryOf(const CourseState& c, std::string_view exercise,
                                  const std::vector<domain::Attempt>& attempts);

// The account report (report_view.cc) over the users `only` allows, filtered by `query`'s
// course, group, completed, certified and at_risk. kInvalid for a column kReportColumns does not
// declare sortable (`rank` orders by name); kNotFound for an unknown course or group.
Result<Table<ReportRow>> ReportOf(const AccountState& a, const TableQuery& query,
                                  const KeyFilter& only, Instant now);
// Whether PlanReportOf can order the report as `query` asks: by name (sort=name or rank).
bool PlannableReport(const TableQuery& query);
// The report as a plan of (user, course) indexes (report_view.cc). Requires
// PlannableReport(query).
// kNotFound for an unknown `query.course` or `query.group`.
Result<ReportPlan> PlanReportOf(const AccountState& a, const TableQuery& query,
                                const KeyFilter& only, Instant now);
// Rows [first, first + count) of `plan` built from the current state; nullopt for a row whose
// person was deactivated, erased or unenrolled since the plan.
std::vector<std::optional<ReportRow>> ReportRowsOf(const AccountState& a, const ReportPlan& plan,
                                                   std::size_t first, std::size_t count,
                                                   Instant now);

}  // namespace cohort::metrics

#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/thread_annotations.h"
#include "domain/account.h"
#include "domain/course.h"
#include "metrics/course_totals.h"
#include "metrics/engine.h"
#include "metrics/user_course.h"

namespace cohort::metrics {

// The engine's data, private to metrics/. Invariants:
// - every index stored anywhere (user, group, course, slot) is valid in its account;
// - an erased user keeps its index (tombstone, `erased` = true) but is in no map, course or
//   group, so nothing of them is visible;
// - CourseState::enrollment_of_user[u] is -1 or the position of u's entry in `enrolled`.
// - CourseState::totals is the sum of its enrollments' `share`s, and each share is what
//   MakeShare gives for the enrollment's summary and its user's `active` now (engine.cc Update).
// - CourseState::version changes whenever anything a view of the course reads changes (an
//   enrollment's figures, its user's name or active flag, the set of enrollments, the catalog);
//   roster_version whenever the set of enrollments, their positions or their users' names or
//   emails change.

struct UserState {
  std::string key, name, email;
  bool active = true;
  bool erased = false;
  std::vector<int> groups;  // group indexes, sorted
  // For the account's people counts (AccountState::learners, active_people): how many of the
  // user's enrollments are counted, and in how many courses they had a response each week
  // ((Monday, courses), by week). Written only by the engine's writer (engine.cc MovePeople).
  std::int32_t counted_enrollments = 0;
  std::vector<std::pair<std::int32_t, std::int32_t>> active_weeks;
};

struct GroupState {
  std::string key, name;
  std::vector<std::string> managers;  // user keys
  std::vector<int> members;           // user indexes (active or not), sorted
};

struct Enrolled {
  int user = -1;
  bool explicit_date = false;  // enrolled_at came from PUT, not from attempts
  std::unique_ptr<UserCourse> state;
  std::vector<Certification> imported;
  UserCourse::Summary summary;  // what the scanning views read; Refresh after any change
  Share share;                  // what this enrollment adds to its course's totals
  void Refresh(const CourseShape& shape) { summary = state->MakeSummary(shape); }
};

// The league's orders of a course's enrollments (indexes into `enrolled`), built by the first
// view after a change and shared by the views until the next (user_league_view.cc).
struct NameOrder {
  std::uint64_t roster_version = 0;
  std::vector<std::uint32_t> name_pos;   // per enrollment: its position by (name, key)
  std::vector<std::uint32_t> name_rank;  // per enrollment: position of the first of its name
  std::vector<std::uint32_t> key_pos;    // per enrollment: its position by key
  std::vector<std::uint32_t> email_rank;  // per enrollment: position of the first of its email
  // Every enrolled name and email folded (FoldForSearch), each ended by '\0' (name, then email),
  // in enrollment order: a search (`q`) is one pass of std::string_view::find over it.
  std::string folded;
  std::vector<std::uint32_t> folded_start;  // per enrollment, and one past the last
};
struct RankOrder {
  std::uint64_t version = 0, roster_version = 0;
  std::vector<std::uint32_t> by_rank;  // enrollments by mastery descending, then name, then key
};
struct CourseState {
  std::string key, title;
  CourseShape shape;
  std::vector<std::string> slot_keys, slot_titles;
  std::unordered_map<std::string, int> slot_of;
  // Listed exercises' own xAPI IRIs (domain::ExerciseDef::xapi_id) → slot.
  std::unordered_map<std::string, int> slot_of_xapi_id;
  std::vector<std::string> chapter_keys, chapter_titles;
  std::vector<int> enrollment_of_user;
  std::vector<Enrolled> enrolled;
  CourseTotals totals;
  // The same figures over each group's members (by group index; missing at the end: no member
  // enrolled yet), kept with ReplaceFigures alongside `totals`: the group league and its
  // heat map in O(groups · chapters) instead of O(enrollments · groups · chapters).
  std::vector<CourseTotals> group_totals;
  // The writer's scratch (engine.cc Recount): a new share, and weekly steps. `steps_before`
  // holds the steps of user `steps_before_user` as they were in the totals before their
  // UserCourse changed (BeforeSteps), until Recount takes them away.
  Share spare;
  CourseTotals::Steps steps_before, steps_old, steps_new;
  int steps_before_user = -1;
  std::uint64_t version = 0;
  std::uint64_t roster_version = 0;
  // Guards the caches below, which views fill under the engine's shared lock; a view copies the
  // pointer and reads the (immutable) cache without it. The writer takes it too (uncontended:
  // it holds the engine exclusively) to note a changed enrollment.
  mutable Mutex cache_mutex;
  mutable std::shared_ptr<const NameOrder> names GUARDED_BY(cache_mutex);
  mutable std::shared_ptr<const RankOrder> ranks GUARDED_BY(cache_mutex);
  // Enrollments (positions) whose figures changed since `ranks` was built, so that the next
  // view re-places only them; `rank_changes_overflow` once there are too many to be worth it.
  mutable std::vector<std::uint32_t> rank_changes GUARDED_BY(cache_mutex);
  mutable bool rank_changes_overflow GUARDED_BY(cache_mutex) = false;

  Enrolled* Find(int user) {
    if (user < 0 || static_cast<std::size_t>(user) >= enrollment_of_user.size()) return nullptr;
    const int e = enrollment_of_user[static_cast<std::size_t>(user)];
    return e < 0 ? nullptr : &enrolled[static_cast<std::size_t>(e)];
  }
  const Enrolled* Find(int user) const { return const_cast<CourseState*>(this)->Find(user); }
};

struct AccountState {
  AccountId id;  // the store's, for the AttemptSource
  domain::Account account;
  std::unique_ptr<TimeZone> zone;  // stable address: CourseShape points at it
  std::vector<UserState> users;
  std::unordered_map<std::string, int> user_of;
  std::vector<GroupState> groups;
  std::unordered_map<std::string, int> group_of;
  std::vector<std::unique_ptr<CourseState>> courses;
  std::unordered_map<std::string, int> course_of;
  // (user, course) pairs unenrolled while they had attempts: a later enrollment replays them.
  std::set<std::pair<int, int>> unenrolled_with_history;
  // Imported certifications by (user, course index), sorted by issued_at; an enrollment of the
  // pair holds a copy (Enrolled::imported), made when it is created.
  std::map<std::pair<int, int>, std::vector<Certification>> imported;
  // The `now` of the latest Apply (0: none yet): the views' "as of".
  std::int64_t as_of_ms = 0;
  // People with a counted enrollment, and people with a response in each local week (by its
  // Monday), each counted once whatever their courses (the dashboard, issue 20). Kept by the
  // engine's writer as shares change (engine.cc MovePeople).
  std::int64_t learners = 0;
  std::map<std::int64_t, std::int64_t> active_people;
};

struct Engine::State {
  std::unordered_map<std::string, std::unique_ptr<AccountState>> accounts;
};

}  // namespace cohort::metrics

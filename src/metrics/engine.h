#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "common/time.h"
#include "domain/account.h"
#include "domain/write_batch.h"
#include "metrics/user_course.h"
#include "metrics/views.h"

namespace cohort::metrics {

// Where the engine reads the stored attempts of a user × course, when it must replay them (a
// late attempt, a catalog or settings change, a re-enrollment). The service implements it over
// the store (service/stored_attempts.h); the engine never calls the store itself.
// Thread-safety: called from the engine's writer, one call at a time.
class AttemptSource {
 public:
  virtual ~AttemptSource() = default;
  // Every stored attempt of `user` in `course` of the account (any order; empty when none).
  // Errors: the store's (kUnavailable when it cannot be read now).
  virtual Result<std::vector<domain::Attempt>> Load(AccountId account, std::string_view user,
                                                    std::string_view course) const = 0;
};

// Filters and paging of a table view (SPEC §3.8, §4.1).
struct TableQuery {
  std::string sort = "rank";
  bool descending = false;
  bool order_given = false;  // `order` was in the request
  std::size_t limit = 100;
  std::size_t offset = 0;
  std::string q;  // case-insensitive substring of the name
  std::optional<std::string> group;
  bool active = true;  // false: inactive users only
  std::optional<bool> completed, certified, at_risk;
  // The exercise summary's filters (ArrangeExercises): mastered or not, one chapter's key.
  std::optional<bool> mastered;
  std::optional<std::string> chapter;
  // All courses: each row carries its course's weekly series (AllCoursesRow::weekly).
  bool weekly = false;
  // The group league: each row carries its members' mean mastery per chapter (GroupRow::chapters).
  bool chapters = false;
  // The account report: one course's rows only (its key).
  std::optional<std::string> course;
  // Restricts every figure to these users (a group manager's members); nullopt = everyone.
  const std::vector<std::string>* only_users = nullptr;
};

template <typename Row>
struct Table {
  std::vector<Row> rows;
  std::size_t total = 0;
};

struct AllCoursesRow;
// Searches (`q` in the title or key), orders (any column of the view; ties by title, then key)
// and pages All courses' rows as `query` says; `total` counts the rows that match. kInvalid for
// an unknown column.
Status ArrangeAllCourses(Table<AllCoursesRow>& table, const TableQuery& query);

// The tables a view answers whole (SPEC §4: an export holds exactly the rows and order the web
// UI's table shows). Each keeps the rows that match, orders them by `query.sort` (empty: the
// order given), and keeps the page [offset, offset + limit). Returns how many matched; kInvalid
// for a column the table does not declare sortable.
// The user-in-course exercise summary: `q` in the exercise's title (case-insensitive), the
// `mastered` and `chapter` (key) filters; ties by title, then key.
// TableQuery's default sort, "rank" (neither table has such a column), is the order given.
inline std::string_view OwnOrderOr(std::string_view sort) {
  return sort == "rank" ? std::string_view() : sort;
}
Result<std::size_t> ArrangeExercises(std::vector<ExerciseFigure>& rows, const TableQuery& query);
// The exercise history: no filter; ties by started_at, then attempt (chronological).
Result<std::size_t> ArrangeHistory(std::vector<HistoryRow>& rows, const TableQuery& query);

// The account report's rows in order, as (user, course) indexes into the engine's account, not
// yet built: what a streamed export walks through page by page (Engine::PlanReport).
struct ReportPlan {
  struct Entry {
    std::int32_t user = -1;    // index of the account's user
    std::int32_t course = -1;  // index of the account's course
  };
  std::vector<Entry> entries;  // the requested page (offset, limit) of the ordered rows
  std::size_t total = 0;       // rows that match the filters, as Report's total
};

// The in-memory metrics engine (SPEC §3, §7): per account, the catalog and people as dense
// arrays, and per enrollment a UserCourse with its user × exercise cells. Every figure is a
// pure function of the stored events in SPEC order; the service applies each committed write
// here, after the commit.
//
// Thread-safety: one writer at a time (the service serializes writes); readers take a shared
// lock while they build a view, so a view never sees half a request.
class Engine {
 public:
  // `source` must outlive the engine.
  explicit Engine(const AttemptSource& source);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- writes (after the store committed them) ---
  // Adds the account (empty) or updates its name and time zone; `id` is the store's, which the
  // engine passes back to its AttemptSource.
  void PutAccount(AccountId id, const domain::Account& account);
  bool HasAccount(std::string_view account) const;
  // Forgets everything of the account (it is loaded again from the store by the service).
  void DropAccount(std::string_view account);
  // Applies a committed batch, in WriteBatch order. Attempts that were duplicates must not be
  // in it: pass only what the store newly stored (the service filters).
  // Errors: the AttemptSource's, when a replay the batch needs cannot read the store. The
  // account's derived state is then dropped (HasAccount turns false) rather than left behind
  // the store: the service loads it again from the store before it is read or written next.
  [[nodiscard]] Status Apply(std::string_view account, const domain::WriteBatch& batch,
                             Instant now);
  // The same for a batch of attempts alone made of several requests' (a group commit's):
  // `parts` holds where each ends in `batch.attempts.items`. Each part is applied under the
  // exclusive lock on its own, so a view waits for one request's attempts at most, and never
  // sees part of one; when an attempt arrives late (a replay reads the store, which holds every
  // part), the batch is applied as one, as by Apply above.
  [[nodiscard]] Status Apply(std::string_view account, const domain::WriteBatch& batch,
                             Instant now, std::span<const std::size_t> parts);
  // Rebuild: an enrollment as stored; `explicit_date` when it came from PUT (attempt-made
  // enrollments take the earliest start of the user's attempts in the course).
  void SetEnrollment(std::string_view account, std::string_view user, std::string_view course,
                     Instant enrolled_at, bool explicit_date);
  // Rebuild: replaces a user × course's derived state from all its attempts.
  void Replay(std::string_view account, std::string_view user, std::string_view course,
              const std::vector<domain::Attempt>& attempts);

  // --- views (SPEC §4.1); kNotFound for unknown account, course, user ---
  Result<Table<AllCoursesRow>> AllCourses(std::string_view account, Instant now,
                                          const std::vector<std::string>* only_users) const;
  Result<CourseView> Course(std::string_view account, std::string_view course, Instant now,
                            const std::vector<std::string>* only_users) const;
  // The weekly series of each course of `courses` (keys; the course view's `weekly`) in one
  // read, over `only_users` when given: what All courses' rows carry when asked. kNotFound for
  // an unknown account or course.
  Result<std::vector<std::vector<WeekPoint>>> WeeklySeries(
      std::string_view account, const std::vector<std::string_view>& courses, Instant now,
      const std::vector<std::string>* only_users) const;
  Result<Table<LeagueRow>> UserLeague(std::string_view account, std::string_view course,
                                      const TableQuery& query, Instant now) const;
  Result<Table<GroupRow>> GroupLeague(std::string_view account, std::string_view course,
                                      const TableQuery& query, Instant now,
                                      const std::vector<std::string>* only_groups) const;
  // A group's own page in a course: the course view over its members (those of `only_users`
  // when given). kNotFound for an unknown course or group.
  Result<GroupCourseView> GroupInCourse(std::string_view account, std::string_view course,
                                        std::string_view group, Instant now,
                                        const std::vector<std::string>* only_users) const;
  Result<UserCourseView> UserInCourse(std::string_view account, std::string_view course,
                                      std::string_view user, Instant now) const;
  // History rows need the attempts themselves; the caller loads them from the store.
  Result<std::vector<HistoryRow>> History(std::string_view account, std::string_view course,
                                          std::string_view user, std::string_view exercise,
                                          const std::vector<domain::Attempt>& attempts) const;
  Result<Table<ReportRow>> Report(std::string_view account, const TableQuery& query,
                                  Instant now) const;
  // The report in pages, for exports too large to copy (SPEC §6): PlanReport orders and filters
  // the rows as Report would — only in the order by name (sort=name or rank, either direction;
  // kInvalid for another column) — and returns them as indexes, in a few bytes per row.
  // ReportRows then builds entries [first, first + count) of the plan from the current state,
  // one shared lock per call, so pages reflect writes made between calls: a row whose user was
  // deactivated, erased or unenrolled since the plan is nullopt.
  Result<ReportPlan> PlanReport(std::string_view account, const TableQuery& query,
                                Instant now) const;
  Result<std::vector<std::optional<ReportRow>>> ReportRows(std::string_view account,
                                                           const ReportPlan& plan,
                                                           std::size_t first, std::size_t count,
                                                           Instant now) const;
  // The dashboard (issue 20): headline figures at `now` and the weeks from the Monday of local
  // day `from_day` to that of `to_day` (both days since 1970-01-01 in the account's zone;
  // Requires: from_day <= to_day), over `only_users` when given. Account-wide it reads running
  // counts: O(courses × weeks).
  Result<ActivityView> Activity(std::string_view account, std::int64_t from_day,
                                std::int64_t to_day, Instant now,
                                const std::vector<std::string>* only_users) const;
  // One person's page: groups and every enrollment's figures (awards left empty). kNotFound for
  // an unknown (or erased) user.
  Result<PersonView> Person(std::string_view account, std::string_view user, Instant now) const;
  // The names of these groups of the account (unknown keys left out), in the order given.
  std::vector<GroupName> GroupNames(std::string_view account,
                                    const std::vector<std::string>& groups) const;
  // The account's groups, or those of `only_groups` (sorted keys), by name then key, each with
  // its active members (GET /api/v1/groups).
  std::vector<GroupListing> Groups(std::string_view account,
                                   const std::vector<std::string>* only_groups) const;
  // When the account's figures last changed: the `now` of the latest Apply (nullopt before any).
  std::optional<Instant> AsOf(std::string_view account) const;
  // The account's time zone (for rendering times).
  Result<TimeZone> Zone(std::string_view account) const;
  // For the xAPI mapping (docs/xapi.md): whether the account has this user (not erased), and
  // whether the course's current catalog lists this exercise.
  bool HasUser(std::string_view account, std::string_view user) const;
  bool ListsExercise(std::string_view account, std::string_view course,
                     std::string_view exercise) const;
  // The (course, exercise) whose catalog entry names `iri` as its xapi_id (the smallest course
  // key when several do); nullopt when none.
  std::optional<std::pair<std::string, std::string>> ExerciseOfXapiId(std::string_view account,
                                                                      std::string_view iri) const;

  // Sizes, for logs and /metrics.
  struct Size {
    std::size_t accounts = 0, users = 0, enrollments = 0;
    std::size_t cells = 0;          // user × exercise: enrollments × the course's exercises
    std::size_t touched_cells = 0;  // of those, cells with at least one attempt (stored)
    std::size_t bytes = 0;          // held by the enrollments (cells, series, certifications)
    // Of `bytes`, the views' running totals and caches (shares, time-indexed counts, orders).
    std::size_t view_bytes = 0;
  };
  Size size() const;

  struct State;  // defined in engine_state.h, private to metrics/
  // Stored attempts read ahead of a replay, by (user key, course key).
  using Prefetched =
      std::map<std::pair<std::string, std::string>, std::vector<domain::Attempt>>;

 private:
  // The stored attempts of each (user, course) of `batch` that Apply will replay because the
  // batch's attempts arrive late, read under the shared lock only (docs/performance.md).
  // Errors: the AttemptSource's.
  Result<Prefetched> PrefetchReplays(std::string_view account,
                                     const domain::WriteBatch& batch) const;

  mutable SharedMutex mutex_;  // exclusive for writes, shared for views
  std::unique_ptr<State> state_ GUARDED_BY(mutex_);
  const AttemptSource& source_;
};

}  // namespace cohort::metrics

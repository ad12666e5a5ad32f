#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "domain/account.h"
#include "domain/attempt.h"
#include "domain/course.h"
#include "domain/user.h"
#include "domain/write_batch.h"
#include "metrics/engine.h"  // TableQuery and Table<Row> only: the views' input and output shapes
#include "metrics/views.h"

namespace cohort::metrics::testing {

// The test oracle: SPEC §3 and §4.1 written out as plainly as possible, independently of the
// engine. It keeps the raw events the way the store does (accounts, courses as given, users,
// groups, enrollments, every attempt) and recomputes each view from scratch on every call, by
// sorting every user × course's responses into SPEC order and walking them one by one. It is
// slow on purpose; only tests use it.
//
// It doubles as the tests' in-memory store: Attempts() is what a loader returns, and the
// accessors below are what a rebuild reads.
//
// Readings of SPEC taken here (the engine must agree; see the tests for each):
// - An attempt whose id is stored already is a duplicate and changes nothing.
// - Enrollment by attempt: if (user, course) has no enrollment, one is created with enrolled_at =
//   the earliest started_at of every stored attempt of the user in the course; while it stays an
//   attempt-made enrollment, an earlier attempt moves it back. A PUT sets the date (default: the
//   batch's `now`) and makes it explicit, so attempts no longer move it. DELETE removes only
//   the enrollment: the attempts stay stored and count again when the user is enrolled again.
// - Deactivated users are left out of every aggregate and of the report; they appear in the
//   user league only with active=false. Erasing removes the user, their enrollments and attempts.
// - Responses of exercises not in the current catalog are stored but not counted anywhere.
// - A chapter without exercises has null mastery and earns no chapter-master badge; a course
//   without exercises has mastery 0 and progress 0 and is never completed.
// - An attempt without responses counts in `attempts` and `time`; its history row shows the
//   cell's mastery from the responses that sort before its start (answered_at < started_at,
//   or equal with an earlier (started_at, id)).
// - Weekly series: a response counts for every week from its own local week on; the series runs
//   from the earliest week with a counted response of a counted user to the week of `now`.
// - Badges are listed by (awarded_at, badge); certifications by issued_at.
//
// Not thread-safe.
class Reference {
 public:
  void PutAccount(const domain::Account& account);
  // Applies a batch in WriteBatch order, as the store commits it. Unknown accounts, users,
  // courses and exercises are ignored (the store would have refused the batch).
  void Apply(std::string_view account, const domain::WriteBatch& batch, Instant now);

  // --- the store side ---
  bool HasAttempt(std::string_view account, std::string_view attempt_id) const;
  // Every stored attempt of the user in the course, in arrival order.
  std::vector<domain::Attempt> Attempts(std::string_view account, std::string_view user,
                                        std::string_view course) const;
  struct EnrollmentRecord {
    std::string user, course;
    Instant enrolled_at;
    bool by_attempts = false;
  };
  std::vector<EnrollmentRecord> Enrollments(std::string_view account) const;
  std::vector<domain::User> Users(std::string_view account) const;  // sorted by key
  std::vector<domain::Group> Groups(std::string_view account) const;
  std::vector<domain::Course> Courses(std::string_view account) const;

  // --- the views of SPEC §4.1, same contracts as Engine's ---
  Result<Table<AllCoursesRow>> AllCourses(std::string_view account, Instant now,
                                          const std::vector<std::string>* only_users) const;
  Result<CourseView> Course(std::string_view account, std::string_view course, Instant now,
                            const std::vector<std::string>* only_users) const;
  Result<Table<LeagueRow>> UserLeague(std::string_view account, std::string_view course,
                                      const TableQuery& query, Instant now) const;
  Result<Table<GroupRow>> GroupLeague(std::string_view account, std::string_view course,
                                      const TableQuery& query, Instant now,
                                      const std::vector<std::string>* only_groups) const;
  Result<UserCourseView> UserInCourse(std::string_view account, std::string_view course,
                                      std::string_view user, Instant now) const;
  // Uses the attempts it stores itself.
  Result<std::vector<HistoryRow>> History(std::string_view account, std::string_view course,
                                          std::string_view user, std::string_view exercise) const;
  Result<Table<ReportRow>> Report(std::string_view account, const TableQuery& query,
                                  Instant now) const;
  // The dashboard (issue 20), recomputed from every attempt.
  Result<ActivityView> Activity(std::string_view account, std::int64_t from_day,
                                std::int64_t to_day, Instant now,
                                const std::vector<std::string>* only_users) const;

  struct UserRecord {
    std::string name, email;
    bool active = true;
    std::vector<std::string> groups;
  };
  struct GroupRecord {
    std::string name;
    std::vector<std::string> managers;
  };
  struct EnrollmentState {
    Instant enrolled_at;
    bool by_attempts = false;
  };
  struct AccountData {
    domain::Account account;
    std::map<std::string, GroupRecord> groups;
    std::map<std::string, domain::Course> courses;
    std::map<std::string, UserRecord> users;
    std::map<std::pair<std::string, std::string>, EnrollmentState> enrollments;  // (user, course)
    std::vector<domain::Attempt> attempts;                                       // arrival order
  };

 private:
  const AccountData* Find(std::string_view account) const;
  std::map<std::string, AccountData, std::less<>> accounts_;
};

}  // namespace cohort::metrics::testing

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/time.h"
#include "domain/course.h"

namespace cohort::metrics {

// The rows and documents of the views of SPEC §4.1, as plain values. Times are Instants (the
// http layer formats them in the account's zone); durations are milliseconds; fractions are
// in [0, 1]; std::nullopt renders as null.

// How many of some enrollments (active users) are in each mastery band of their course (issue
// 20): not started (no response counted, in the course or, for a chapter, in its exercises);
// of the started, mastered (mastery at the course's threshold, SPEC §3.8's tolerance), below
// half (mastery < min(0.5, threshold)) and below the threshold (the rest). The four add up to
// the users counted.
struct Bands {
  std::int64_t not_started = 0, below_half = 0, below_threshold = 0, mastered = 0;
  bool operator==(const Bands&) const = default;
};

struct WeekPoint {
  std::int64_t week_day = 0;       // days since 1970-01-01 of the week's Monday (account zone)
  std::optional<double> mastery;   // mean over the users counted that week; null when none
};

struct AllCoursesRow {
  std::string course, title;
  std::int64_t users = 0;
  std::optional<double> mastery;
  std::int64_t certified = 0, completed = 0, at_risk = 0;
  double at_risk_share = 0;  // at_risk / users (a listed course has users)
  std::optional<double> score;
  // Not a column: the course's weekly series (as CourseView::weekly), filled only when asked
  // (TableQuery::weekly), so that All courses draws every course's line from one request.
  std::vector<WeekPoint> weekly;
};

struct ChapterFigure {
  std::string chapter, title;
  std::optional<double> mastery;  // null for a mean over no one
};

struct CourseView {
  std::string course, title;
  domain::CourseSettings settings;
  double mastery_threshold = 0;  // settings.ResolvedThreshold()
  std::int64_t users = 0;
  std::optional<double> mastery;
  std::int64_t certified = 0, completed = 0, at_risk = 0;
  std::optional<double> at_risk_share;  // at_risk / users; null with no users
  std::optional<double> score;
  std::int64_t points = 0;
  std::int64_t time_ms = 0;
  std::optional<double> avg_time_ms;  // mean time per user
  std::vector<ChapterFigure> chapters;
  std::vector<WeekPoint> weekly;
  Bands bands;
  std::vector<Bands> chapter_bands;  // parallel to chapters
};

// A group's own page in a course (issue 20): the course view over the group's members.
struct GroupCourseView {
  std::string group, name;
  CourseView figures;
};

struct LeagueRow {
  std::int64_t rank = 0;
  std::string user, name, email;
  double mastery = 0, progress = 0;
  bool completed = false;
  std::optional<Instant> completed_at;
  bool certified = false;
  std::optional<Instant> certified_at;
  std::optional<double> score;
  std::int64_t points = 0;
  std::int64_t time_ms = 0;
  Instant enrolled_at;
  std::optional<Instant> last_active;
  // Whole days (24 h) from last_active, or from enrolled_at with no response, to now; the clock
  // at_risk reads (SPEC §3.3), never negative.
  std::int64_t days_inactive = 0;
  bool not_started = false;  // no response counted in the course yet
  bool at_risk = false;
  bool active = true;  // not a column; lets callers filter
};

struct GroupRow {
  std::int64_t rank = 0;
  std::string group, name;
  std::int64_t users = 0;
  std::optional<double> mastery;
  std::int64_t completed = 0, certified = 0, at_risk = 0;
  double at_risk_share = 0;  // at_risk / users (a listed group has users)
  std::optional<double> score;
  std::int64_t points = 0;
  std::int64_t time_ms = 0;
  // Fair comparison of groups of different sizes: shares of the members, time per member.
  double completed_share = 0, certified_share = 0;
  double avg_time_ms = 0;  // time_ms / users
  // Not columns: the members' mastery bands, and (TableQuery::chapters) their mean mastery per
  // chapter, the cells of a groups × chapters heat map.
  Bands bands;
  std::vector<ChapterFigure> chapters;
};

struct Certification {
  Instant issued_at;
  std::optional<Instant> expires_at;
  bool imported = false;
  bool operator==(const Certification&) const = default;
};

struct Badge {
  std::string badge;
  Instant awarded_at;
  bool operator==(const Badge&) const = default;
};

// A manager's award (SPEC §3.6). The engine does not keep awards: the service fills them in.
struct AwardFigure {
  AwardId id;
  std::string title, note;
  std::optional<std::string> granted_by;  // user key; null for an API token or an erased user
  Instant granted_at;
  std::optional<std::string> course;      // null: an award for the person, shown in every course
};

// The account's dashboard (issue 20, point 2): headline rates now, and per local week (its
// Monday) what happened. Over the counted (active) enrollments, or a manager's members'.
struct ActivityWeek {
  std::int64_t week_day = 0;  // days since 1970-01-01 of the Monday
  std::int64_t active = 0;    // people with a response that week (in any course, once)
  std::int64_t attempts = 0, completions = 0, certifications = 0;
  std::optional<double> mastery;  // mean over the enrollments counted by then, at the week's end
};
struct ActivityView {
  std::int64_t from_day = 0, to_day = 0;  // the first and last weeks' Mondays
  std::int64_t learners = 0;              // people with a counted enrollment
  std::int64_t enrolments = 0;            // counted enrollments
  std::optional<double> mastery, completion_rate, certification_rate;  // null with none
  std::int64_t active_this_week = 0, at_risk = 0;
  std::vector<ActivityWeek> weeks;
};

// One person across their courses (issue 20): who they are, and each enrollment's figures.
struct PersonCourse {
  std::string course, title;
  double mastery_threshold = 0;
  LeagueRow figures;  // rank left 0
};
struct PersonCertification {
  std::string course, title;
  Certification certification;
};
struct PersonBadge {
  std::string course, title;
  Badge badge;
  std::optional<std::string> chapter_title;  // a chapter's badge: that chapter's title
};
// One of the account's groups, with its active members (GET /api/v1/groups).
struct GroupListing {
  std::string group, name;
  std::int64_t members = 0;
};
struct GroupName {
  std::string group, name;
};
struct PersonView {
  std::string user, name, email;
  bool active = true;
  std::vector<GroupName> groups;              // by key
  std::vector<PersonCourse> courses;          // by title, then key
  std::vector<PersonCertification> certifications;  // by issued_at, then course
  std::vector<PersonBadge> badges;            // by awarded_at, then course, then badge
  std::vector<AwardFigure> awards;            // the service fills them in
};

struct ExerciseFigure {
  std::string exercise, title, chapter;
  std::string chapter_title;
  double mastery = 0;
  bool mastered = false;
  std::optional<double> score;
  std::int64_t attempts = 0, hints = 0;
  std::optional<double> avg_time_ms;
  std::optional<Instant> last_attempt;
};

struct UserCourseView {
  std::string user, name, course, title;
  double mastery = 0, progress = 0;
  double mastery_threshold = 0;  // the course's (CourseSettings::ResolvedThreshold)
  bool completed = false;
  std::optional<Instant> completed_at;
  bool certified = false;
  std::optional<Instant> certified_at;
  std::optional<double> score;
  std::int64_t points = 0, time_ms = 0, attempts = 0, hints = 0;
  std::optional<Instant> last_active;
  bool at_risk = false;
  Instant enrolled_at;
  std::vector<Certification> certifications;
  std::vector<Badge> badges;
  std::vector<AwardFigure> awards;
  std::vector<ChapterFigure> chapters;
  std::vector<ExerciseFigure> exercises;
};

struct HistoryResponse {
  std::string question;
  bool correct = false;
  std::int64_t hints = 0, time_ms = 0;
  Instant answered_at;
  std::int64_t points = 0;
};

struct HistoryRow {
  std::string attempt;
  Instant started_at;
  std::int64_t duration_ms = 0;  // capped
  std::int64_t responses = 0, correct = 0, incorrect = 0, hints = 0;
  std::optional<double> score;
  std::int64_t points = 0;
  double mastery_after = 0;
  std::vector<HistoryResponse> detail;
};

struct ReportRow {
  std::string user, name, email;
  std::vector<std::string> groups;       // keys, sorted
  std::vector<std::string> group_names;  // the names of `groups`, in the same order
  std::string course, title;
  double mastery = 0, progress = 0;
  std::optional<Instant> completed_at, certified_at;
  std::optional<double> score;
  std::int64_t points = 0, time_ms = 0, attempts = 0, hints = 0;
  std::optional<Instant> last_active;
  bool at_risk = false;
};

}  // namespace cohort::metrics

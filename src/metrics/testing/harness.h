#pragma once

// Test support for the engine's tests: a World that feeds an Engine the way the service will
// (store first, then only the newly stored attempts), with the Reference as both the in-memory
// store and the oracle; and field-by-field comparisons of every view of two sources.

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/engine.h"
#include "metrics/testing/function_source.h"
#include "metrics/testing/reference.h"

namespace cohort::metrics::testing {

// An Engine fed like the service feeds it, and the Reference that plays the store for its loader.
class World {
 public:
  World()
      : source_([this](std::string_view account, std::string_view user, std::string_view course) {
          return ref_.Attempts(account, user, course);
        }),
        engine_(source_) {}
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  void PutAccount(const domain::Account& account) {
    ref_.PutAccount(account);
    engine_.PutAccount(source_.Id(account.key), account);
  }

  // Commits `batch` to the store (the Reference), then applies it to the engine with only the
  // attempts that were newly stored, as the service does.
  void Apply(std::string_view account, const domain::WriteBatch& batch, Instant now) {
    domain::WriteBatch fresh = batch;
    fresh.attempts.items.clear();
    std::set<std::string> ids;
    for (const domain::Attempt& a : batch.attempts.items) {
      if (ref_.HasAttempt(account, a.id) || !ids.insert(a.id).second) continue;
      fresh.attempts.items.push_back(a);
    }
    ref_.Apply(account, batch, now);
    Status applied = engine_.Apply(account, fresh, now);
    if (!applied.ok()) ADD_FAILURE() << "the engine refused a batch: " << applied.ToString();
  }

  // A group commit: commits each batch of attempts in `batches` to the store in turn, then
  // applies the newly stored attempts to the engine as one batch in parts, as the service does.
  void ApplyGroup(std::string_view account, const std::vector<domain::WriteBatch>& batches,
                  Instant now) {
    domain::WriteBatch fresh;
    std::vector<std::size_t> parts;
    std::set<std::string> ids;
    for (const domain::WriteBatch& batch : batches) {
      for (const domain::Attempt& a : batch.attempts.items) {
        if (ref_.HasAttempt(account, a.id) || !ids.insert(a.id).second) continue;
        fresh.attempts.items.push_back(a);
      }
      ref_.Apply(account, batch, now);
      parts.push_back(fresh.attempts.items.size());
    }
    Status applied = engine_.Apply(account, fresh, now, parts);
    if (!applied.ok()) ADD_FAILURE() << "the engine refused a group: " << applied.ToString();
  }

  Reference& ref() { return ref_; }
  const Reference& ref() const { return ref_; }
  Engine& engine() { return engine_; }
  const Engine& engine() const { return engine_; }
  std::size_t loads() const { return source_.loads(); }
  FunctionSource& source() { return source_; }

 private:
  Reference ref_;  // declared first: the engine's source reads it
  FunctionSource source_;
  Engine engine_;
};

// The views of SPEC §4.1 from some source (an engine or the oracle).
class ViewSource {
 public:
  virtual ~ViewSource() = default;
  virtual Result<Table<AllCoursesRow>> AllCourses(std::string_view account, Instant now,
                                                  const std::vector<std::string>* only) const = 0;
  virtual Result<CourseView> Course(std::string_view account, std::string_view course, Instant now,
                                    const std::vector<std::string>* only) const = 0;
  virtual Result<Table<LeagueRow>> UserLeague(std::string_view account, std::string_view course,
                                              const TableQuery& query, Instant now) const = 0;
  virtual Result<Table<GroupRow>> GroupLeague(std::string_view account, std::string_view course,
                                              const TableQuery& query, Instant now,
                                              const std::vector<std::string>* only) const = 0;
  virtual Result<UserCourseView> UserInCourse(std::string_view account, std::string_view course,
                                              std::string_view user, Instant now) const = 0;
  virtual Result<std::vector<HistoryRow>> History(std::string_view account, std::string_view course,
                                                  std::string_view user,
                                                  std::string_view exercise) const = 0;
  virtual Result<Table<ReportRow>> Report(std::string_view account, const TableQuery& query,
                                          Instant now) const = 0;
};

// An engine's views; History loads the attempts from `store` as the service will.
class EngineSource final : public ViewSource {
 public:
  EngineSource(const Engine& engine, const Reference& store) : engine_(engine), store_(store) {}
  Result<Table<AllCoursesRow>> AllCourses(std::string_view account, Instant now,
                                          const std::vector<std::string>* only) const override {
    return engine_.AllCourses(account, now, only);
  }
  Result<CourseView> Course(std::string_view account, std::string_view course, Instant now,
                            const std::vector<std::string>* only) const override {
    return engine_.Course(account, course, now, only);
  }
  Result<Table<LeagueRow>> UserLeague(std::string_view account, std::string_view course,
                                      const TableQuery& query, Instant now) const override {
    return engine_.UserLeague(account, course, query, now);
  }
  Result<Table<GroupRow>> GroupLeague(std::string_view account, std::string_view course,
                                      const TableQuery& query, Instant now,
                                      const std::vector<std::string>* only) const override {
    return engine_.GroupLeague(account, course, query, now, only);
  }
  Result<UserCourseView> UserInCourse(std::string_view account, std::string_view course,
                                      std::string_view user, Instant now) const override {
    return engine_.UserInCourse(account, course, user, now);
  }
  Result<std::vector<HistoryRow>> History(std::string_view account, std::string_view course,
                                          std::string_view user,
                                          std::string_view exercise) const override {
    return engine_.History(account, course, user, exercise, store_.Attempts(account, user, course));
  }
  Result<Table<ReportRow>> Report(std::string_view account, const TableQuery& query,
                                  Instant now) const override {
    return engine_.Report(account, query, now);
  }

 private:
  const Engine& engine_;
  const Reference& store_;
};

class ReferenceSource final : public ViewSource {
 public:
  explicit ReferenceSource(const Reference& ref) : ref_(ref) {}
  Result<Table<AllCoursesRow>> AllCourses(std::string_view account, Instant now,
                                          const std::vector<std::string>* only) const override {
    return ref_.AllCourses(account, now, only);
  }
  Result<CourseView> Course(std::string_view account, std::string_view course, Instant now,
                            const std::vector<std::string>* only) const override {
    return ref_.Course(account, course, now, only);
  }
  Result<Table<LeagueRow>> UserLeague(std::string_view account, std::string_view course,
                                      const TableQuery& query, Instant now) const override {
    return ref_.UserLeague(account, course, query, now);
  }
  Result<Table<GroupRow>> GroupLeague(std::string_view account, std::string_view course,
                                      const TableQuery& query, Instant now,
                                      const std::vector<std::string>* only) const override {
    return ref_.GroupLeague(account, course, query, now, only);
  }
  Result<UserCourseView> UserInCourse(std::string_view account, std::string_view course,
                                      std::string_view user, Instant now) const override {
    return ref_.UserInCourse(account, course, user, now);
  }
  Result<std::vector<HistoryRow>> History(std::string_view account, std::string_view course,
                                          std::string_view user,
                                          std::string_view exercise) const override {
    return ref_.History(account, course, user, exercise);
  }
  Result<Table<ReportRow>> Report(std::string_view account, const TableQuery& query,
                                  Instant now) const override {
    return ref_.Report(account, query, now);
  }

 private:
  const Reference& ref_;
};

inline std::string Show(Instant t) { return FormatRfc3339Utc(t); }
inline std::string Show(const std::optional<Instant>& t) { return t ? Show(*t) : "null"; }
inline std::string Show(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}
inline std::string Show(const std::optional<double>& v) { return v ? Show(*v) : "null"; }
inline std::string Show(std::int64_t v) { return std::to_string(v); }
inline std::string Show(bool v) { return v ? "true" : "false"; }
inline std::string Show(const std::string& v) { return "'" + v + "'"; }
inline std::string Show(const std::optional<std::string>& v) { return v ? Show(*v) : "null"; }
inline std::string Show(const std::vector<std::string>& v) {
  std::string out = "[";
  for (const std::string& s : v) out += (out.size() > 1 ? "," : "") + s;
  return out + "]";
}

// Collects differences between an expected and an actual value, field by field. Doubles match
// within 1e-9.
class Diff {
 public:
  static constexpr double kTolerance = 1e-9;

  template <typename T>
  void Eq(const std::string& where, const T& want, const T& got) {
    if (!(want == got)) Add(where, Show(want), Show(got));
  }
  void Eq(const std::string& where, double want, double got) {
    if (!(std::fabs(want - got) <= kTolerance)) Add(where, Show(want), Show(got));
    InRange(where, got);
  }
  void Eq(const std::string& where, const std::optional<double>& want,
          const std::optional<double>& got) {
    if (want.has_value() != got.has_value() || (want && !(std::fabs(*want - *got) <= kTolerance))) {
      Add(where, Show(want), Show(got));
    }
    if (got) InRange(where, *got);
  }
  // A fraction of SPEC §3 (mastery, progress, score) is in [0, 1] exactly, not within the
  // tolerance: a client validating the API's schema refuses 1.0000000000000002.
  void InRange(const std::string& where, double got) {
    static constexpr std::string_view kFractions[] = {".mastery", ".progress", ".score",
                                                       ".mastery_after"};
    for (const std::string_view suffix : kFractions) {
      if (where.size() >= suffix.size() &&
          where.compare(where.size() - suffix.size(), suffix.size(), suffix) == 0 &&
          !(got >= 0.0 && got <= 1.0)) {
        problems_.push_back(where + ": " + Show(got) + " is outside [0, 1]");
      }
    }
  }
  void Eq(const std::string& where, const char* want, const std::string& got) {
    Eq(where, std::string(want), got);
  }
  void Add(const std::string& where, const std::string& want, const std::string& got) {
    problems_.push_back(where + ": want " + want + ", got " + got);
  }
  void Note(const std::string& problem) { problems_.push_back(problem); }
  bool ok() const { return problems_.empty(); }
  std::size_t size() const { return problems_.size(); }

  ::testing::AssertionResult Result() const {
    if (problems_.empty()) return ::testing::AssertionSuccess();
    ::testing::AssertionResult r = ::testing::AssertionFailure();
    r << problems_.size() << " difference(s):";
    for (std::size_t i = 0; i < problems_.size() && i < 40; ++i) r << "\n  " << problems_[i];
    return r;
  }

 private:
  std::vector<std::string> problems_;
};

// Compares two Results: the same status code, and equal values when both are OK.
template <typename T, typename Compare>
void CompareResult(Diff& d, const std::string& where, const cohort::Result<T>& want,
                   const cohort::Result<T>& got, Compare compare) {
  if (want.ok() != got.ok() || (!want.ok() && want.status().code() != got.status().code())) {
    d.Add(where + " status", want.ok() ? "ok" : want.status().ToString(),
          got.ok() ? "ok" : got.status().ToString());
    return;
  }
  if (want.ok()) compare(d, where, *want, *got);
}

inline void CompareChapters(Diff& d, const std::string& w, const std::vector<ChapterFigure>& want,
                            const std::vector<ChapterFigure>& got) {
  d.Eq(w + ".chapters.size", static_cast<std::int64_t>(want.size()),
       static_cast<std::int64_t>(got.size()));
  for (std::size_t i = 0; i < want.size() && i < got.size(); ++i) {
    const std::string p = w + ".chapters[" + want[i].chapter + "]";
    d.Eq(p + ".chapter", want[i].chapter, got[i].chapter);
    d.Eq(p + ".title", want[i].title, got[i].title);
    d.Eq(p + ".mastery", want[i].mastery, got[i].mastery);
  }
}

inline void CompareBands(Diff& d, const std::string& w, const Bands& x, const Bands& y) {
  d.Eq(w + ".not_started", x.not_started, y.not_started);
  d.Eq(w + ".below_half", x.below_half, y.below_half);
  d.Eq(w + ".below_threshold", x.below_threshold, y.below_threshold);
  d.Eq(w + ".mastered", x.mastered, y.mastered);
}

inline void CompareAllCourses(Diff& d, const std::string& w, const Table<AllCoursesRow>& want,
                              const Table<AllCoursesRow>& got) {
  d.Eq(w + ".total", static_cast<std::int64_t>(want.total), static_cast<std::int64_t>(got.total));
  d.Eq(w + ".rows", static_cast<std::int64_t>(want.rows.size()),
       static_cast<std::int64_t>(got.rows.size()));
  for (std::size_t i = 0; i < want.rows.size() && i < got.rows.size(); ++i) {
    const AllCoursesRow& x = want.rows[i];
    const AllCoursesRow& y = got.rows[i];
    const std::string p = w + "[" + std::to_string(i) + ":" + x.course + "]";
    d.Eq(p + ".course", x.course, y.course);
    if (x.course != y.course) continue;
    d.Eq(p + ".title", x.title, y.title);
    d.Eq(p + ".users", x.users, y.users);
    d.Eq(p + ".mastery", x.mastery, y.mastery);
    d.Eq(p + ".certified", x.certified, y.certified);
    d.Eq(p + ".completed", x.completed, y.completed);
    d.Eq(p + ".at_risk", x.at_risk, y.at_risk);
    d.Eq(p + ".at_risk_share", x.at_risk_share, y.at_risk_share);
    d.Eq(p + ".score", x.score, y.score);
  }
}

inline void CompareCourse(Diff& d, const std::string& w, const CourseView& x, const CourseView& y) {
  d.Eq(w + ".course", x.course, y.course);
  d.Eq(w + ".title", x.title, y.title);
  if (!(x.settings == y.settings)) d.Note(w + ".settings differ");
  d.Eq(w + ".users", x.users, y.users);
  d.Eq(w + ".mastery", x.mastery, y.mastery);
  d.Eq(w + ".certified", x.certified, y.certified);
  d.Eq(w + ".completed", x.completed, y.completed);
  d.Eq(w + ".at_risk", x.at_risk, y.at_risk);
  d.Eq(w + ".at_risk_share", x.at_risk_share, y.at_risk_share);
  d.Eq(w + ".score", x.score, y.score);
  d.Eq(w + ".points", x.points, y.points);
  d.Eq(w + ".time_ms", x.time_ms, y.time_ms);
  d.Eq(w + ".avg_time_ms", x.avg_time_ms, y.avg_time_ms);
  d.Eq(w + ".mastery_threshold", x.mastery_threshold, y.mastery_threshold);
  CompareBands(d, w + ".bands", x.bands, y.bands);
  CompareChapters(d, w, x.chapters, y.chapters);
  d.Eq(w + ".chapter_bands.size", static_cast<std::int64_t>(x.chapter_bands.size()),
       static_cast<std::int64_t>(y.chapter_bands.size()));
  for (std::size_t i = 0; i < x.chapter_bands.size() && i < y.chapter_bands.size(); ++i) {
    CompareBands(d, w + ".chapter_bands[" + std::to_string(i) + "]", x.chapter_bands[i],
                 y.chapter_bands[i]);
  }
  d.Eq(w + ".weekly.size", static_cast<std::int64_t>(x.weekly.size()),
       static_cast<std::int64_t>(y.weekly.size()));
  for (std::size_t i = 0; i < x.weekly.size() && i < y.weekly.size(); ++i) {
    const std::string p = w + ".weekly[" + std::to_string(i) + "]";
    d.Eq(p + ".week_day", x.weekly[i].week_day, y.weekly[i].week_day);
    d.Eq(p + ".mastery", x.weekly[i].mastery, y.weekly[i].mastery);
  }
}

inline void CompareLeague(Diff& d, const std::string& w, const Table<LeagueRow>& want,
                          const Table<LeagueRow>& got) {
  d.Eq(w + ".total", static_cast<std::int64_t>(want.total), static_cast<std::int64_t>(got.total));
  d.Eq(w + ".rows", static_cast<std::int64_t>(want.rows.size()),
       static_cast<std::int64_t>(got.rows.size()));
  for (std::size_t i = 0; i < want.rows.size() && i < got.rows.size(); ++i) {
    const LeagueRow& x = want.rows[i];
    const LeagueRow& y = got.rows[i];
    const std::string p = w + "[" + std::to_string(i) + ":" + x.user + "]";
    if (x.user != y.user) {
      d.Add(p + ".user", Show(x.user) + " (mastery " + Show(x.mastery) + ")",
            Show(y.user) + " (mastery " + Show(y.mastery) + ")");
      continue;
    }
    d.Eq(p + ".rank", x.rank, y.rank);
    d.Eq(p + ".name", x.name, y.name);
    d.Eq(p + ".email", x.email, y.email);
    d.Eq(p + ".mastery", x.mastery, y.mastery);
    d.Eq(p + ".progress", x.progress, y.progress);
    d.Eq(p + ".completed", x.completed, y.completed);
    d.Eq(p + ".completed_at", x.completed_at, y.completed_at);
    d.Eq(p + ".certified", x.certified, y.certified);
    d.Eq(p + ".certified_at", x.certified_at, y.certified_at);
    d.Eq(p + ".score", x.score, y.score);
    d.Eq(p + ".points", x.points, y.points);
    d.Eq(p + ".time_ms", x.time_ms, y.time_ms);
    d.Eq(p + ".enrolled_at", x.enrolled_at, y.enrolled_at);
    d.Eq(p + ".last_active", x.last_active, y.last_active);
    d.Eq(p + ".days_inactive", x.days_inactive, y.days_inactive);
    d.Eq(p + ".not_started", x.not_started, y.not_started);
    d.Eq(p + ".at_risk", x.at_risk, y.at_risk);
    d.Eq(p + ".active", x.active, y.active);
  }
}

inline void CompareGroups(Diff& d, const std::string& w, const Table<GroupRow>& want,
                          const Table<GroupRow>& got) {
  d.Eq(w + ".total", static_cast<std::int64_t>(want.total), static_cast<std::int64_t>(got.total));
  d.Eq(w + ".rows", static_cast<std::int64_t>(want.rows.size()),
       static_cast<std::int64_t>(got.rows.size()));
  for (std::size_t i = 0; i < want.rows.size() && i < got.rows.size(); ++i) {
    const GroupRow& x = want.rows[i];
    const GroupRow& y = got.rows[i];
    const std::string p = w + "[" + std::to_string(i) + ":" + x.group + "]";
    if (x.group != y.group) {
      d.Add(p + ".group", Show(x.group) + " (mastery " + Show(x.mastery) + ")",
            Show(y.group) + " (mastery " + Show(y.mastery) + ")");
      continue;
    }
    d.Eq(p + ".rank", x.rank, y.rank);
    d.Eq(p + ".name", x.name, y.name);
    d.Eq(p + ".users", x.users, y.users);
    d.Eq(p + ".mastery", x.mastery, y.mastery);
    d.Eq(p + ".completed", x.completed, y.completed);
    d.Eq(p + ".certified", x.certified, y.certified);
    d.Eq(p + ".at_risk", x.at_risk, y.at_risk);
    d.Eq(p + ".at_risk_share", x.at_risk_share, y.at_risk_share);
    d.Eq(p + ".score", x.score, y.score);
    d.Eq(p + ".points", x.points, y.points);
    d.Eq(p + ".time_ms", x.time_ms, y.time_ms);
    d.Eq(p + ".completed_share", x.completed_share, y.completed_share);
    d.Eq(p + ".certified_share", x.certified_share, y.certified_share);
    if (!(std::fabs(x.avg_time_ms - y.avg_time_ms) <= 1e-6 * std::max(1.0, x.avg_time_ms))) {
      d.Add(p + ".avg_time_ms", Show(x.avg_time_ms), Show(y.avg_time_ms));
    }
    CompareBands(d, p + ".bands", x.bands, y.bands);
    CompareChapters(d, p, x.chapters, y.chapters);
  }
}

inline void CompareUserInCourse(Diff& d, const std::string& w, const UserCourseView& x,
                                const UserCourseView& y) {
  d.Eq(w + ".user", x.user, y.user);
  d.Eq(w + ".name", x.name, y.name);
  d.Eq(w + ".course", x.course, y.course);
  d.Eq(w + ".title", x.title, y.title);
  d.Eq(w + ".mastery", x.mastery, y.mastery);
  d.Eq(w + ".progress", x.progress, y.progress);
  d.Eq(w + ".completed", x.completed, y.completed);
  d.Eq(w + ".completed_at", x.completed_at, y.completed_at);
  d.Eq(w + ".certified", x.certified, y.certified);
  d.Eq(w + ".certified_at", x.certified_at, y.certified_at);
  d.Eq(w + ".score", x.score, y.score);
  d.Eq(w + ".points", x.points, y.points);
  d.Eq(w + ".time_ms", x.time_ms, y.time_ms);
  d.Eq(w + ".attempts", x.attempts, y.attempts);
  d.Eq(w + ".hints", x.hints, y.hints);
  d.Eq(w + ".last_active", x.last_active, y.last_active);
  d.Eq(w + ".at_risk", x.at_risk, y.at_risk);
  d.Eq(w + ".enrolled_at", x.enrolled_at, y.enrolled_at);
  d.Eq(w + ".certifications.size", static_cast<std::int64_t>(x.certifications.size()),
       static_cast<std::int64_t>(y.certifications.size()));
  for (std::size_t i = 0; i < x.certifications.size() && i < y.certifications.size(); ++i) {
    const std::string p = w + ".certifications[" + std::to_string(i) + "]";
    d.Eq(p + ".issued_at", x.certifications[i].issued_at, y.certifications[i].issued_at);
    d.Eq(p + ".expires_at", x.certifications[i].expires_at, y.certifications[i].expires_at);
    d.Eq(p + ".imported", x.certifications[i].imported, y.certifications[i].imported);
  }
  d.Eq(w + ".badges.size", static_cast<std::int64_t>(x.badges.size()),
       static_cast<std::int64_t>(y.badges.size()));
  for (std::size_t i = 0; i < x.badges.size() && i < y.badges.size(); ++i) {
    const std::string p = w + ".badges[" + std::to_string(i) + "]";
    d.Eq(p + ".badge", x.badges[i].badge, y.badges[i].badge);
    d.Eq(p + ".awarded_at", x.badges[i].awarded_at, y.badges[i].awarded_at);
  }
  CompareChapters(d, w, x.chapters, y.chapters);
  d.Eq(w + ".exercises.size", static_cast<std::int64_t>(x.exercises.size()),
       static_cast<std::int64_t>(y.exercises.size()));
  for (std::size_t i = 0; i < x.exercises.size() && i < y.exercises.size(); ++i) {
    const ExerciseFigure& a = x.exercises[i];
    const ExerciseFigure& b = y.exercises[i];
    const std::string p = w + ".exercises[" + a.exercise + "]";
    d.Eq(p + ".exercise", a.exercise, b.exercise);
    d.Eq(p + ".title", a.title, b.title);
    d.Eq(p + ".chapter", a.chapter, b.chapter);
    d.Eq(p + ".mastery", a.mastery, b.mastery);
    d.Eq(p + ".mastered", a.mastered, b.mastered);
    d.Eq(p + ".score", a.score, b.score);
    d.Eq(p + ".attempts", a.attempts, b.attempts);
    d.Eq(p + ".hints", a.hints, b.hints);
    d.Eq(p + ".avg_time_ms", a.avg_time_ms, b.avg_time_ms);
    d.Eq(p + ".last_attempt", a.last_attempt, b.last_attempt);
  }
}

inline void CompareHistory(Diff& d, const std::string& w, const std::vector<HistoryRow>& want,
                           const std::vector<HistoryRow>& got) {
  d.Eq(w + ".size", static_cast<std::int64_t>(want.size()), static_cast<std::int64_t>(got.size()));
  for (std::size_t i = 0; i < want.size() && i < got.size(); ++i) {
    const HistoryRow& x = want[i];
    const HistoryRow& y = got[i];
    const std::string p =
        w + "[" + std::to_string(i) + ":" + x.attempt + " responses=" + Show(x.responses) + "]";
    d.Eq(p + ".attempt", x.attempt, y.attempt);
    if (x.attempt != y.attempt) continue;
    d.Eq(p + ".started_at", x.started_at, y.started_at);
    d.Eq(p + ".duration_ms", x.duration_ms, y.duration_ms);
    d.Eq(p + ".responses", x.responses, y.responses);
    d.Eq(p + ".correct", x.correct, y.correct);
    d.Eq(p + ".incorrect", x.incorrect, y.incorrect);
    d.Eq(p + ".hints", x.hints, y.hints);
    d.Eq(p + ".score", x.score, y.score);
    d.Eq(p + ".points", x.points, y.points);
    d.Eq(p + ".mastery_after", x.mastery_after, y.mastery_after);
    d.Eq(p + ".detail.size", static_cast<std::int64_t>(x.detail.size()),
         static_cast<std::int64_t>(y.detail.size()));
    for (std::size_t k = 0; k < x.detail.size() && k < y.detail.size(); ++k) {
      const std::string q = p + ".detail[" + std::to_string(k) + "]";
      d.Eq(q + ".question", x.detail[k].question, y.detail[k].question);
      d.Eq(q + ".correct", x.detail[k].correct, y.detail[k].correct);
      d.Eq(q + ".hints", x.detail[k].hints, y.detail[k].hints);
      d.Eq(q + ".time_ms", x.detail[k].time_ms, y.detail[k].time_ms);
      d.Eq(q + ".answered_at", x.detail[k].answered_at, y.detail[k].answered_at);
      d.Eq(q + ".points", x.detail[k].points, y.detail[k].points);
    }
  }
}

inline void CompareReport(Diff& d, const std::string& w, const Table<ReportRow>& want,
                          const Table<ReportRow>& got) {
  d.Eq(w + ".total", static_cast<std::int64_t>(want.total), static_cast<std::int64_t>(got.total));
  d.Eq(w + ".rows", static_cast<std::int64_t>(want.rows.size()),
       static_cast<std::int64_t>(got.rows.size()));
  for (std::size_t i = 0; i < want.rows.size() && i < got.rows.size(); ++i) {
    const ReportRow& x = want.rows[i];
    const ReportRow& y = got.rows[i];
    const std::string p = w + "[" + std::to_string(i) + ":" + x.user + "/" + x.course + "]";
    d.Eq(p + ".user", x.user, y.user);
    d.Eq(p + ".course", x.course, y.course);
    if (x.user != y.user || x.course != y.course) continue;
    d.Eq(p + ".name", x.name, y.name);
    d.Eq(p + ".email", x.email, y.email);
    d.Eq(p + ".groups", x.groups, y.groups);
    d.Eq(p + ".group_names", x.group_names, y.group_names);
    d.Eq(p + ".at_risk", x.at_risk, y.at_risk);
    d.Eq(p + ".title", x.title, y.title);
    d.Eq(p + ".mastery", x.mastery, y.mastery);
    d.Eq(p + ".progress", x.progress, y.progress);
    d.Eq(p + ".completed_at", x.completed_at, y.completed_at);
    d.Eq(p + ".certified_at", x.certified_at, y.certified_at);
    d.Eq(p + ".score", x.score, y.score);
    d.Eq(p + ".points", x.points, y.points);
    d.Eq(p + ".time_ms", x.time_ms, y.time_ms);
    d.Eq(p + ".attempts", x.attempts, y.attempts);
    d.Eq(p + ".hints", x.hints, y.hints);
    d.Eq(p + ".last_active", x.last_active, y.last_active);
  }
}

inline std::string Describe(const TableQuery& q) {
  std::string s = "sort=" + q.sort + (q.descending ? " desc" : " asc");
  if (q.offset != 0 || q.limit != TableQuery{}.limit) {
    s += " offset=" + std::to_string(q.offset) + " limit=" + std::to_string(q.limit);
  }
  if (!q.q.empty()) s += " q=" + q.q;
  if (q.group) s += " group=" + *q.group;
  if (!q.active) s += " active=false";
  if (q.completed) s += std::string(" completed=") + (*q.completed ? "yes" : "no");
  if (q.certified) s += std::string(" certified=") + (*q.certified ? "yes" : "no");
  if (q.at_risk) s += std::string(" at_risk=") + (*q.at_risk ? "yes" : "no");
  if (q.only_users) s += " only_users=" + Show(*q.only_users);
  return s;
}

// Which views to compare.
struct ViewPlan {
  std::vector<TableQuery> league_queries{TableQuery{}};  // for every course
  std::vector<TableQuery> group_queries{TableQuery{}};   // for every course
  std::vector<TableQuery> report_queries{TableQuery{}};
  std::vector<std::vector<std::string>> only_users;   // extra AllCourses/Course restrictions
  std::vector<std::vector<std::string>> only_groups;  // extra GroupLeague restrictions
  bool every_user_in_course = true;
  // (course, user, exercise); empty with all_histories = every exercise of every enrollment.
  std::vector<std::array<std::string, 3>> histories;
  bool all_histories = true;
};

// Every (course, user, exercise) the history view can be asked about in `ref`'s account,
// including exercises no longer in the catalog and a user's unattempted ones.
inline std::vector<std::array<std::string, 3>> AllHistoryKeys(const Reference& ref,
                                                              std::string_view account) {
  std::vector<std::array<std::string, 3>> out;
  std::map<std::string, std::set<std::string>> exercises;
  for (const domain::Course& c : ref.Courses(account)) {
    for (const domain::ChapterDef& ch : c.chapters) {
      for (const domain::ExerciseDef& e : ch.exercises) exercises[c.key].insert(e.key);
    }
  }
  for (const Reference::EnrollmentRecord& e : ref.Enrollments(account)) {
    std::set<std::string> keys = exercises[e.course];
    for (const domain::Attempt& a : ref.Attempts(account, e.user, e.course))
      keys.insert(a.exercise);
    for (const std::string& k : keys) out.push_back({e.course, e.user, k});
  }
  return out;
}

// Every sortable column of each table in both directions, each filter, paging, `q`, and
// restrictions to a subset of users and groups: for small worlds.
inline ViewPlan ThoroughPlan(const Reference& ref, std::string_view account) {
  ViewPlan plan;
  plan.league_queries.clear();
  plan.group_queries.clear();
  plan.report_queries.clear();
  for (const char* column :
       {"rank", "user", "name", "email", "mastery", "progress", "completed", "completed_at",
        "certified", "certified_at", "score", "points", "time", "enrolled_at", "last_active",
        "days_inactive", "not_started", "at_risk"}) {
    for (bool desc : {false, true}) {
      TableQuery q;
      q.sort = column;
      q.descending = desc;
      plan.league_queries.push_back(q);
    }
  }
  for (const char* column : {"rank", "group", "name", "users", "mastery", "completed", "certified",
                             "at_risk", "at_risk_share", "score", "points", "time"}) {
    for (bool desc : {false, true}) {
      TableQuery q;
      q.sort = column;
      q.descending = desc;
      plan.group_queries.push_back(q);
    }
  }
  for (const char* column :
       {"rank", "user", "name", "email", "course", "title", "mastery", "progress", "completed_at",
        "certified_at", "score", "points", "time", "attempts", "hints", "last_active"}) {
    for (bool desc : {false, true}) {
      TableQuery q;
      q.sort = column;
      q.descending = desc;
      plan.report_queries.push_back(q);
    }
  }
  auto filtered = [&](auto set) {
    TableQuery q;
    set(q);
    plan.league_queries.push_back(q);
  };
  filtered([](TableQuery& q) { q.active = false; });
  for (bool b : {false, true}) {
    filtered([b](TableQuery& q) { q.completed = b; });
    filtered([b](TableQuery& q) { q.certified = b; });
    filtered([b](TableQuery& q) { q.at_risk = b; });
  }
  filtered([](TableQuery& q) { q.q = "A"; });
  filtered([](TableQuery& q) { q.q = "@"; });  // every email, no name
  filtered([](TableQuery& q) {
    q.offset = 1;
    q.limit = 2;
  });
  filtered([](TableQuery& q) {
    q.sort = "mastery";
    q.descending = true;
    q.offset = 2;
    q.limit = 3;
    q.completed = false;
  });
  filtered([](TableQuery& q) { q.offset = 1000; });
  for (const domain::Group& g : ref.Groups(account)) {
    filtered([&](TableQuery& q) { q.group = g.key; });
    filtered([&](TableQuery& q) {
      q.group = g.key;
      q.sort = "score";
      q.descending = true;
    });
  }
  filtered([](TableQuery& q) { q.group = "no-such-group"; });
  filtered([](TableQuery& q) { q.sort = "no-such-column"; });
  {
    TableQuery q;
    q.q = "a";
    plan.group_queries.push_back(q);
    q.q = "";
    q.offset = 1;
    q.limit = 1;
    plan.group_queries.push_back(q);
    q = TableQuery{};
    q.q = "e";
    plan.report_queries.push_back(q);
    q.q = "";
    q.offset = 2;
    q.limit = 3;
    q.sort = "mastery";
    q.descending = true;
    plan.report_queries.push_back(q);
  }
  const std::vector<domain::User> users = ref.Users(account);
  if (!users.empty()) {
    std::vector<std::string> half;
    for (std::size_t i = 0; i < users.size(); i += 2) half.push_back(users[i].key);
    plan.only_users.push_back(half);
    plan.only_users.push_back({});
  }
  const std::vector<domain::Group> groups = ref.Groups(account);
  if (!groups.empty()) plan.only_groups.push_back({groups.front().key});
  return plan;
}

// Compares every view of the plan between `want` and `got`. `ref` says what exists (courses,
// enrollments). Field-by-field, doubles within 1e-9.
inline ::testing::AssertionResult SameViews(const ViewSource& want, const ViewSource& got,
                                            const Reference& ref, std::string_view account,
                                            Instant now, const ViewPlan& plan = ViewPlan{}) {
  Diff d;
  CompareResult(d, "all_courses", want.AllCourses(account, now, nullptr),
                got.AllCourses(account, now, nullptr), CompareAllCourses);
  for (std::size_t i = 0; i < plan.only_users.size(); ++i) {
    CompareResult(d, "all_courses(only " + Show(plan.only_users[i]) + ")",
                  want.AllCourses(account, now, &plan.only_users[i]),
                  got.AllCourses(account, now, &plan.only_users[i]), CompareAllCourses);
  }
  const std::vector<domain::Course> courses = ref.Courses(account);
  for (const domain::Course& c : courses) {
    const std::string w = "course[" + c.key + "]";
    CompareResult(d, w, want.Course(account, c.key, now, nullptr),
                  got.Course(account, c.key, now, nullptr), CompareCourse);
    for (const std::vector<std::string>& only : plan.only_users) {
      CompareResult(d, w + "(only " + Show(only) + ")", want.Course(account, c.key, now, &only),
                    got.Course(account, c.key, now, &only), CompareCourse);
    }
    for (const TableQuery& q : plan.league_queries) {
      CompareResult(d, "league[" + c.key + " " + Describe(q) + "]",
                    want.UserLeague(account, c.key, q, now), got.UserLeague(account, c.key, q, now),
                    CompareLeague);
    }
    for (const std::vector<std::string>& only : plan.only_users) {
      TableQuery q;
      q.only_users = &only;
      q.sort = "mastery";
      CompareResult(d, "league[" + c.key + " " + Describe(q) + "]",
                    want.UserLeague(account, c.key, q, now), got.UserLeague(account, c.key, q, now),
                    CompareLeague);
    }
    for (const TableQuery& q : plan.group_queries) {
      CompareResult(d, "groups[" + c.key + " " + Describe(q) + "]",
                    want.GroupLeague(account, c.key, q, now, nullptr),
                    got.GroupLeague(account, c.key, q, now, nullptr), CompareGroups);
      for (const std::vector<std::string>& only : plan.only_groups) {
        CompareResult(d, "groups[" + c.key + " " + Describe(q) + " only " + Show(only) + "]",
                      want.GroupLeague(account, c.key, q, now, &only),
                      got.GroupLeague(account, c.key, q, now, &only), CompareGroups);
      }
    }
  }
  if (plan.every_user_in_course) {
    for (const Reference::EnrollmentRecord& e : ref.Enrollments(account)) {
      CompareResult(d, "user_in_course[" + e.course + "/" + e.user + "]",
                    want.UserInCourse(account, e.course, e.user, now),
                    got.UserInCourse(account, e.course, e.user, now), CompareUserInCourse);
    }
  }
  const std::vector<std::array<std::string, 3>> histories =
      plan.all_histories ? AllHistoryKeys(ref, account) : plan.histories;
  for (const auto& [course, user, exercise] : histories) {
    CompareResult(d, "history[" + course + "/" + user + "/" + exercise + "]",
                  want.History(account, course, user, exercise),
                  got.History(account, course, user, exercise), CompareHistory);
  }
  for (const TableQuery& q : plan.report_queries) {
    CompareResult(d, "report[" + Describe(q) + "]", want.Report(account, q, now),
                  got.Report(account, q, now), CompareReport);
  }
  for (const std::vector<std::string>& only : plan.only_users) {
    TableQuery q;
    q.only_users = &only;
    q.limit = 1000;
    CompareResult(d, "report[" + Describe(q) + "]", want.Report(account, q, now),
                  got.Report(account, q, now), CompareReport);
  }
  return d.Result();
}

// The engine of `world` against its oracle.
inline ::testing::AssertionResult EngineMatchesOracle(const World& world, std::string_view account,
                                                      Instant now,
                                                      const ViewPlan& plan = ViewPlan{}) {
  const ReferenceSource oracle(world.ref());
  const EngineSource engine(world.engine(), world.ref());
  return SameViews(oracle, engine, world.ref(), account, now, plan);
}

}  // namespace cohort::metrics::testing

#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/time.h"
#include "domain/attempt.h"
#include "domain/course.h"
#include "metrics/mastery.h"
#include "metrics/views.h"

namespace cohort::metrics {

// A course's catalog resolved to dense exercise slots, shared by all its enrollments.
// Slots are never reused: a removed exercise keeps its slot (and its responses stay stored) but
// has chapter -1 and is not counted.
struct CourseShape {
  domain::CourseSettings settings;
  std::vector<int> chapter_of_slot;             // -1 for a removed exercise
  std::vector<std::vector<int>> chapter_slots;  // live slots of each chapter, in order
  std::vector<int> live_slots;                  // in catalog order
  const TimeZone* zone = nullptr;               // the account's
};

// The Monday (a local day number, days since 1970-01-01) that starts the week of `local_day`.
inline std::int64_t WeekOfLocalDay(std::int64_t local_day) {
  constexpr std::int64_t kMonday = 4;  // 1970-01-01 was a Thursday: day 4 was a Monday
  const std::int64_t since = local_day - kMonday;
  const std::int64_t weeks = since >= 0 ? since / 7 : -((-since + 6) / 7);
  return kMonday + weeks * 7;
}

// The figures of one user × exercise (SPEC §3.2). 56 bytes; an enrollment stores only the
// cells its user has touched (see UserCourse::Cell).
struct ExerciseCell {
  MasteryState mastery;
  std::uint32_t attempts = 0, responses = 0, correct = 0, hints = 0;  // hints saturate
  std::int64_t time_ms = 0;                                           // Σ capped attempt durations
  std::int64_t points = 0;
  std::int64_t last_started_ms = 0;  // valid when attempts > 0
};

// The SPEC ordering key of a response: (answered_at, attempt started_at, attempt id, index).
// The same key borrowing the attempt id: the transient keys of Append and NeedsReplay.
struct OrderKeyView {
  std::int64_t answered_ms = 0;
  std::int64_t started_ms = 0;
  std::string_view attempt_id;
  std::uint32_t index = 0;
};
struct OrderKey {
  std::int64_t answered_ms = 0;
  std::int64_t started_ms = 0;
  std::string attempt_id;
  std::uint32_t index = 0;
  bool operator<(const OrderKey& o) const;
  bool operator<(const OrderKeyView& o) const;
  void Assign(const OrderKeyView& v) {
    answered_ms = v.answered_ms;
    started_ms = v.started_ms;
    attempt_id.assign(v.attempt_id);
    index = v.index;
  }
};

// The mean of `n` fractions from their running sum, kept in [0, 1]: a sum kept by adding
// deltas drifts by a few ulps (1.0000000000000002 for a learner at full mastery), and a
// figure of SPEC §3 never leaves [0, 1]. 0 when n is 0.
inline double MeanFraction(double sum, std::size_t n) {
  if (n == 0) return 0.0;
  return std::clamp(sum / static_cast<double>(n), 0.0, 1.0);
}

// Everything derived for one user in one course, as a pure function of their attempts in SPEC
// order (SPEC §3.8). Attempts that arrive after everything seen so far are appended; anything
// else is answered by Reset + Append of the full list (see NeedsReplay).
//
// Not thread-safe; the engine guards it.
class UserCourse {
 public:
  explicit UserCourse(std::size_t slots) : cell_of_slot_(slots, 0) {}

  // True when appending `attempts` would not follow SPEC order (one of its responses sorts
  // before the last one applied), so the caller must replay the full list instead.
  bool NeedsReplay(const std::vector<const domain::Attempt*>& attempts,
                   const std::vector<int>& slots) const;
  // Applies attempts (each with its exercise slot, -1 = not counted) whose responses all sort
  // after what was applied before.
  void Append(const CourseShape& shape, const std::vector<const domain::Attempt*>& attempts,
              const std::vector<int>& slots);
  // Forgets every derived figure (keeps the enrollment).
  void Reset(std::size_t slots);

  // Figures pooled over the course's live exercises (SPEC §3.3), kept as responses arrive.
  struct Totals {
    std::int64_t responses = 0, correct = 0, points = 0, time_ms = 0, attempts = 0, hints = 0;
    std::optional<double> score() const {
      if (responses == 0) return std::nullopt;
      return static_cast<double>(correct) / static_cast<double>(responses);
    }
  };

  // Read side.
  // The cell of an exercise slot; a slot never touched reads as an all-zero cell.
  const ExerciseCell& Cell(std::size_t slot) const {
    static const ExerciseCell kUntouched;
    const std::uint32_t i = slot < cell_of_slot_.size() ? cell_of_slot_[slot] : 0;
    return i == 0 ? kUntouched : cells_[i - 1];
  }
  std::size_t touched_cells() const { return cells_.size(); }
  // Bytes this object owns on the heap (vector capacities, long strings), for size figures.
  std::size_t HeapBytes() const;
  const Totals& totals() const { return totals_; }
  double Mastery(const CourseShape& shape) const;  // mean over live exercises
  double Progress(const CourseShape& shape) const;
  std::optional<Instant> CompletedAt(const CourseShape& shape) const;
  std::optional<Instant> LastActive() const;
  // The certification held at `now` (issued ≤ now < expires), counting `imported` ones too.
  std::optional<Certification> HeldAt(Instant now,
                                      const std::vector<Certification>& imported) const;
  bool AtRisk(const CourseShape& shape, Instant now) const;
  const std::vector<Certification>& certifications() const { return certifications_; }
  // Σ mastery of the chapter's cells, kept as responses arrive.
  double ChapterSum(std::size_t ch) const {
    return ch < chapters_.size() ? chapters_[ch].sum : 0.0;
  }
  // Whether a response to one of the chapter's exercises is counted (its mastery band is
  // "not started" until then).
  bool ChapterStarted(std::size_t ch) const {
    return ch < chapters_.size() && chapters_[ch].answered_cells > 0;
  }
  // What the scanning views read, copied into the enrollment (see Enrolled::Refresh).
  struct Summary {
    double mastery = 0, progress = 0;
    std::optional<std::int64_t> completed_ms, last_active_ms;
    std::int64_t enrolled_ms = 0;
    std::int64_t enrolled_week = 0;          // the local Monday of enrolled_at (WeekOfLocalDay)
    std::optional<std::int64_t> first_week;  // FirstWeek()
    std::int64_t at_risk_ms = 0;
    std::optional<Certification> latest_cert;
    Totals totals;
  };
  Summary MakeSummary(const CourseShape& shape) const {
    Summary s;
    s.mastery = Mastery(shape);
    s.progress = Progress(shape);
    if (std::optional<Instant> done = CompletedAt(shape)) s.completed_ms = done->ms;
    s.last_active_ms = last_active_ms_;
    s.enrolled_ms = enrolled_at.ms;
    s.enrolled_week = WeekOfLocalDay(shape.zone->LocalDay(enrolled_at));
    s.first_week = FirstWeek();
    s.at_risk_ms = std::int64_t{shape.settings.at_risk_days} * kMsPerDay;
    if (!certifications_.empty()) s.latest_cert = certifications_.back();
    s.totals = totals_;
    return s;
  }
  std::vector<Badge> Badges(const CourseShape& shape,
                            const std::vector<std::string>& chapter_keys) const;
  // Course mastery at the end of local week `week_day` (a Monday), from responses before then.
  double MasteryAtWeek(std::int64_t week_day) const;
  // Calls f(monday, course mastery at the end of that week) for each local week with
  // responses, in ascending order.
  template <typename F>
  void ForEachWeekStep(F f) const {
    for (std::size_t i = 0; i < week_days_.size(); ++i) f(week_days_[i], week_mastery_[i]);
  }
  std::optional<std::int64_t> FirstWeek() const;
  // Attempts counted (on live exercises) by the local week their started_at falls in: (Monday,
  // count), ascending — the dashboard's weekly attempts (issue 20).
  const std::vector<std::pair<std::int32_t, std::int32_t>>& attempt_weeks() const {
    return attempt_weeks_;
  }
  // Asks the CPU to fetch the arrays a course view reads (chapter sums, weekly steps): views that
  // walk many enrollments call it a few enrollments ahead.
  void PrefetchForViews() const {
    __builtin_prefetch(chapters_.data());
    __builtin_prefetch(week_days_.data());
    __builtin_prefetch(week_mastery_.data());
  }

  Instant enrolled_at;
  bool active_enrollment = true;

 private:
  ExerciseCell& Touch(std::size_t slot);

  // Sparse cells: most learners touch a fraction of a course's exercises. 4 bytes per slot, and
  // 56 per touched cell (grown by a quarter at a time, so little capacity is left unused).
  std::vector<std::uint32_t> cell_of_slot_;  // 0 = untouched, else 1 + index into cells_
  std::vector<ExerciseCell> cells_;
  OrderKey last_;
  bool any_ = false;
  double mastery_sum_ = 0;  // running Σ of live cells' mastery, in application order
  Totals totals_;
  std::optional<std::int64_t> completed_ms_;  // answered_at of the response that completed it
  std::uint32_t attempted_live_ = 0;
  std::optional<std::int64_t> last_active_ms_;
  std::vector<Certification> certifications_;
  struct ChapterFigures {
    double sum = 0;                      // Σ mastery of the chapter's cells
    std::int64_t mastered_ms = kNotYet;  // chapter-master badge time
    std::size_t mastered_cells = 0;      // cells at the mastery threshold
    std::size_t answered_cells = 0;      // cells with a response counted
  };
  static constexpr std::int64_t kNotYet = std::numeric_limits<std::int64_t>::min();
  std::vector<ChapterFigures> chapters_;  // per chapter index
  std::optional<Instant> flawless_;
  // streak-5 needs only the current run of consecutive local days with responses.
  bool has_day_ = false;
  std::int32_t last_day_ = 0;
  int day_run_ = 0;
  std::optional<Instant> streak5_;
  // Course mastery at the end of each local week with responses: (Monday, mastery), by week.
  std::vector<std::int32_t> week_days_;  // the Mondays, ascending
  std::vector<double> week_mastery_;     // parallel to week_days_
  std::vector<std::pair<std::int32_t, std::int32_t>> attempt_weeks_;
};

}  // namespace cohort::metrics

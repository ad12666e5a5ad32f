#include "metrics/user_course.h"

#include <algorithm>
#include <limits>
#include <tuple>

namespace cohort::metrics {
namespace {

std::int64_t PointsOf(const domain::Response& r, const domain::CourseSettings& s) {
  if (r.points) return *r.points;
  if (!r.correct) return 0;
  return r.hints == 0 ? s.points_per_question : s.points_per_question / 2;
}

std::int64_t CappedDuration(const domain::Attempt& a, const domain::CourseSettings& s) {
  std::int64_t ms;
  if (a.finished_at) {
    ms = a.finished_at->ms - a.started_at.ms;
  } else {
    ms = 0;
    for (const domain::Response& r : a.responses) ms += r.time_ms;
  }
  return std::min<std::int64_t>(ms, std::int64_t{s.max_attempt_seconds} * 1000);
}

bool ViewLess(const OrderKeyView& x, const OrderKeyView& y) {
  return std::tie(x.answered_ms, x.started_ms, x.attempt_id, x.index) <
         std::tie(y.answered_ms, y.started_ms, y.attempt_id, y.index);
}

struct Step {
  OrderKeyView key;
  const domain::Response* response;
  int slot;
};

}  // namespace

bool OrderKey::operator<(const OrderKey& o) const {
  return std::tie(answered_ms, started_ms, attempt_id, index) <
         std::tie(o.answered_ms, o.started_ms, o.attempt_id, o.index);
}

bool OrderKey::operator<(const OrderKeyView& o) const {
  const std::string_view id = attempt_id;
  return std::tie(answered_ms, started_ms, id, index) <
         std::tie(o.answered_ms, o.started_ms, o.attempt_id, o.index);
}

bool UserCourse::NeedsReplay(const std::vector<const domain::Attempt*>& attempts,
                             const std::vector<int>& slots) const {
  if (!any_) return false;
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    if (slots[i] < 0) continue;
    const domain::Attempt& a = *attempts[i];
    for (std::size_t r = 0; r < a.responses.size(); ++r) {
      const OrderKeyView k{a.responses[r].answered_at.ms, a.started_at.ms, a.id,
                           static_cast<std::uint32_t>(r)};
      if (!(last_ < k)) return true;
    }
  }
  return false;
}

void UserCourse::Reset(std::size_t slots) {
  const Instant enrolled = enrolled_at;
  const bool active = active_enrollment;
  *this = UserCourse(slots);
  enrolled_at = enrolled;
  active_enrollment = active;
}

namespace {
std::size_t StringHeap(const std::string& s) {
  return s.capacity() > 15 ? s.capacity() + 1 : 0;  // libstdc++ keeps ≤ 15 bytes inline
}
}  // namespace

std::size_t UserCourse::HeapBytes() const {
  std::size_t n =
      cell_of_slot_.capacity() * sizeof(std::uint32_t) + cells_.capacity() * sizeof(ExerciseCell) +
      StringHeap(last_.attempt_id) + chapters_.capacity() * sizeof(ChapterFigures) +
      certifications_.capacity() * sizeof(Certification) +
      week_days_.capacity() * sizeof(std::int32_t) + week_mastery_.capacity() * sizeof(double) +
      attempt_weeks_.capacity() * sizeof(attempt_weeks_[0]);
  return n;
}

ExerciseCell& UserCourse::Touch(std::size_t slot) {
  std::uint32_t& i = cell_of_slot_[slot];
  if (i == 0) {
    if (cells_.size() == cells_.capacity()) cells_.reserve(cells_.size() + 2 + cells_.size() / 4);
    cells_.emplace_back();
    i = static_cast<std::uint32_t>(cells_.size());
  }
  return cells_[i - 1];
}

void UserCourse::Append(const CourseShape& shape,
                        const std::vector<const domain::Attempt*>& attempts,
                        const std::vector<int>& slots) {
  const domain::CourseSettings& s = shape.settings;
  if (cell_of_slot_.size() < shape.chapter_of_slot.size()) {
    cell_of_slot_.resize(shape.chapter_of_slot.size(), 0);
  }
  if (chapters_.size() < shape.chapter_slots.size()) chapters_.resize(shape.chapter_slots.size());
  const double live = static_cast<double>(shape.live_slots.size());
  const double threshold = s.ResolvedThreshold();
  const bool untouched_mastered = MeetsThreshold(0.0, threshold);

  // Attempt-level figures do not depend on order.
  std::vector<Step> steps;
  std::optional<OrderKeyView> first_clean;  // by its last response
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    const int slot = slots[i];
    if (slot < 0 || shape.chapter_of_slot[static_cast<std::size_t>(slot)] < 0) continue;
    const domain::Attempt& a = *attempts[i];
    ExerciseCell& cell = Touch(static_cast<std::size_t>(slot));
    if (cell.attempts == 0 || a.started_at.ms > cell.last_started_ms) {
      cell.last_started_ms = a.started_at.ms;
    }
    ++cell.attempts;
    const auto week = static_cast<std::int32_t>(WeekOfLocalDay(shape.zone->LocalDay(a.started_at)));
    auto at = std::lower_bound(
        attempt_weeks_.begin(), attempt_weeks_.end(), week,
        [](const std::pair<std::int32_t, std::int32_t>& x, std::int32_t w) { return x.first < w; });
    if (at != attempt_weeks_.end() && at->first == week) {
      ++at->second;
    } else {
      attempt_weeks_.insert(at, {week, 1});
    }
    const std::int64_t duration = CappedDuration(a, s);
    cell.time_ms += duration;
    ++totals_.attempts;
    totals_.time_ms += duration;
    bool clean = a.responses.size() >= 5;
    for (std::size_t r = 0; r < a.responses.size(); ++r) {
      const domain::Response& resp = a.responses[r];
      clean = clean && resp.correct && resp.hints == 0;
      steps.push_back({{resp.answered_at.ms, a.started_at.ms, a.id, static_cast<std::uint32_t>(r)},
                       &resp,
                       slot});
    }
    if (clean && !flawless_) {
      // Dated by the attempt's last response in SPEC order.
      OrderKeyView last{a.responses[0].answered_at.ms, a.started_at.ms, a.id, 0};
      for (std::size_t r = 1; r < a.responses.size(); ++r) {
        OrderKeyView k{a.responses[r].answered_at.ms, a.started_at.ms, a.id,
                       static_cast<std::uint32_t>(r)};
        if (ViewLess(last, k)) last = k;
      }
      if (!first_clean || ViewLess(last, *first_clean)) first_clean = last;
    }
  }
  // Appended responses all sort after those applied before, so an earlier Append's flawless
  // attempt is never beaten; within this one, the earliest clean attempt wins.
  if (first_clean) flawless_ = Instant{first_clean->answered_ms};
  std::sort(steps.begin(), steps.end(),
            [](const Step& x, const Step& y) { return ViewLess(x.key, y.key); });

  for (const Step& step : steps) {
    const domain::Response& r = *step.response;
    ExerciseCell& cell = Touch(static_cast<std::size_t>(step.slot));
    const double before = cell.mastery.Value(s);
    cell.mastery.Apply(CreditOf(r.correct, r.hints), s);
    const double after = cell.mastery.Value(s);
    const double delta = after - before;
    mastery_sum_ += delta;
    const auto chapter =
        static_cast<std::size_t>(shape.chapter_of_slot[static_cast<std::size_t>(step.slot)]);
    ChapterFigures& figures = chapters_[chapter];
    figures.sum += delta;
    const bool was_mastered = MeetsThreshold(before, threshold);
    if (MeetsThreshold(after, threshold) != was_mastered) {
      if (was_mastered) {
        --figures.mastered_cells;
      } else {
        ++figures.mastered_cells;
      }
    }
    if (cell.responses == 0) {
      ++figures.answered_cells;
      ++attempted_live_;
      if (attempted_live_ == shape.live_slots.size()) completed_ms_ = r.answered_at.ms;
    }
    ++cell.responses;
    ++totals_.responses;
    if (r.correct) {
      ++cell.correct;
      ++totals_.correct;
    }
    const std::uint32_t hints_before = cell.hints;
    const std::uint64_t hints = std::uint64_t{cell.hints} + static_cast<std::uint64_t>(r.hints);
    cell.hints = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(hints, std::numeric_limits<std::uint32_t>::max()));
    totals_.hints += cell.hints - hints_before;
    const std::int64_t points = PointsOf(r, s);
    cell.points += points;
    totals_.points += points;
    last_active_ms_ = r.answered_at.ms;

    const Instant at = r.answered_at;
    const std::int64_t day = shape.zone->LocalDay(at);
    if (!has_day_ || last_day_ != day) {
      day_run_ = has_day_ && day == std::int64_t{last_day_} + 1 ? day_run_ + 1 : 1;
      last_day_ = static_cast<std::int32_t>(day);
      has_day_ = true;
      if (day_run_ == 5 && !streak5_) streak5_ = at;
    }
    const double course_mastery = MeanFraction(mastery_sum_, shape.live_slots.size());
    const auto week = static_cast<std::int32_t>(WeekOfLocalDay(day));
    if (week_days_.empty() || week_days_.back() != week) {
      week_days_.push_back(week);
      week_mastery_.push_back(course_mastery);
    } else {
      week_mastery_.back() = course_mastery;
    }

    // Certification (SPEC §3.5, §3.8): completed and at the line; again after expiry.
    const bool completed = live > 0 && attempted_live_ == shape.live_slots.size();
    const bool holding = !certifications_.empty() && (!certifications_.back().expires_at ||
                                                      at < *certifications_.back().expires_at);
    if (!holding && completed && MeetsThreshold(course_mastery, s.certification_mastery)) {
      Certification c{at, std::nullopt, false};
      if (s.certification_valid_days) {
        c.expires_at = Instant{at.ms + std::int64_t{*s.certification_valid_days} * kMsPerDay};
      }
      certifications_.push_back(c);
    }

    // chapter-master: the first response after which every exercise of the chapter is mastered
    // (its live cells at the line, counted as each one's mastery crosses it).
    // An untouched cell reads 0: under a threshold within the tolerance of 0 it counts too, so
    // there every cell is looked at.
    if (figures.mastered_ms == kNotYet) {
      bool all = figures.mastered_cells == shape.chapter_slots[chapter].size();
      if (!all && untouched_mastered) {
        all = true;
        for (int slot : shape.chapter_slots[chapter]) {
          all = all && MeetsThreshold(Cell(static_cast<std::size_t>(slot)).mastery.Value(s),
                                      threshold);
        }
      }
      if (all) figures.mastered_ms = at.ms;
    }
  }
  if (!steps.empty()) {
    last_.Assign(steps.back().key);
    any_ = true;
  }
  // Appends are rare per enrollment and small; keeping no spare capacity halves the memory of
  // the cells and the weekly series of a large organisation.
  cells_.shrink_to_fit();
  week_days_.shrink_to_fit();
  week_mastery_.shrink_to_fit();
}

double UserCourse::Mastery(const CourseShape& shape) const {
  return MeanFraction(mastery_sum_, shape.live_slots.size());
}

double UserCourse::Progress(const CourseShape& shape) const {
  if (shape.live_slots.empty()) return 0.0;
  return static_cast<double>(attempted_live_) / static_cast<double>(shape.live_slots.size());
}

std::optional<Instant> UserCourse::CompletedAt(const CourseShape& shape) const {
  // In SPEC order the response that completes the course is the latest of the exercises'
  // first responses, so it was noted as it was applied.
  if (shape.live_slots.empty() || !completed_ms_) return std::nullopt;
  return Instant{*completed_ms_};
}

std::optional<Instant> UserCourse::LastActive() const {
  if (!last_active_ms_) return std::nullopt;
  return Instant{*last_active_ms_};
}

std::optional<Certification> UserCourse::HeldAt(Instant now,
                                                const std::vector<Certification>& imported) const {
  std::optional<Certification> held;
  auto consider = [&](const Certification& c) {
    if (c.issued_at > now || (c.expires_at && !(now < *c.expires_at))) return;
    if (!held || held->issued_at < c.issued_at) held = c;
  };
  for (const Certification& c : certifications_) consider(c);
  for (const Certification& c : imported) consider(c);
  return held;
}

bool UserCourse::AtRisk(const CourseShape& shape, Instant now) const {
  if (CompletedAt(shape)) return false;
  const std::int64_t since = last_active_ms_ ? *last_active_ms_ : enrolled_at.ms;
  return now.ms - since >= std::int64_t{shape.settings.at_risk_days} * kMsPerDay;
}

std::vector<Badge> UserCourse::Badges(const CourseShape& shape,
                                      const std::vector<std::string>& chapter_keys) const {
  std::vector<Badge> out;
  for (std::size_t c = 0; c < chapters_.size() && c < chapter_keys.size(); ++c) {
    if (chapters_[c].mastered_ms != kNotYet) {
      out.push_back({"chapter-master:" + chapter_keys[c], Instant{chapters_[c].mastered_ms}});
    }
  }
  if (flawless_) out.push_back({"flawless", *flawless_});
  if (std::optional<Instant> done = CompletedAt(shape)) out.push_back({"finisher", *done});
  if (streak5_) out.push_back({"streak-5", *streak5_});
  std::sort(out.begin(), out.end(), [](const Badge& a, const Badge& b) {
    return std::tie(a.awarded_at, a.badge) < std::tie(b.awarded_at, b.badge);
  });
  return out;
}

double UserCourse::MasteryAtWeek(std::int64_t week_day) const {
  double value = 0;
  for (std::size_t i = 0; i < week_days_.size() && week_days_[i] <= week_day; ++i) {
    value = week_mastery_[i];
  }
  return value;
}

std::optional<std::int64_t> UserCourse::FirstWeek() const {
  if (week_days_.empty()) return std::nullopt;
  return week_days_.front();
}

}  // namespace cohort::metrics

#pragma once

#include <array>
#include <climits>
#include <cstdint>
#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "common/time.h"
#include "metrics/exact_sum.h"
#include "metrics/mastery.h"

namespace cohort::metrics {

// The mastery bands of views.h's Bands, as indexes: 0 not started, 1 below half, 2 below the
// threshold, 3 mastered.
inline constexpr std::size_t kBandCount = 4;
inline std::int8_t BandOf(bool started, double mastery, double threshold) {
  if (!started) return 0;
  if (MeetsThreshold(mastery, threshold)) return 3;
  return MeetsThreshold(mastery, threshold < 0.5 ? threshold : 0.5) ? 2 : 1;
}

// Instants tagged with a user index, counting those at or before a time in O(log n): the
// figures of a course that change with the clock alone, with no write (SPEC §3.5: a user turns
// at risk N days after their last activity; a certification stops being held when it expires).
// An order-statistics tree from libstdc++ (policy-based data structures, part of GCC).
// Not thread-safe; its CourseTotals' owner guards it.
class InstantCounter {
 public:
  void Insert(std::int64_t ms, int user) { tree_.insert({ms, user}); }
  void Erase(std::int64_t ms, int user) { tree_.erase({ms, user}); }
  // How many instants are ≤ ms (user indexes are below INT_MAX).
  std::int64_t AtOrBefore(std::int64_t ms) const {
    return static_cast<std::int64_t>(tree_.order_of_key({ms, INT_MAX}));
  }
  std::size_t size() const { return tree_.size(); }
  void Clear() { tree_.clear(); }

 private:
  using Key = std::pair<std::int64_t, int>;
  __gnu_pbds::tree<Key, __gnu_pbds::null_type, std::less<Key>, __gnu_pbds::rb_tree_tag,
                   __gnu_pbds::tree_order_statistics_node_update>
      tree_;
};

// What one enrollment, or a whole course or account, did in one local week (issue 20's weekly
// activity): learners with a response (for an enrollment 0 or 1), attempts started,
// completions and certifications issued.
struct WeekActivity {
  std::int32_t week = 0;  // the Monday, days since 1970-01-01 (local)
  std::int32_t active = 0, attempts = 0, completions = 0, certifications = 0;
  bool operator==(const WeekActivity&) const = default;
};
struct ActivityCounts {
  std::int64_t active = 0, attempts = 0, completions = 0, certifications = 0;
  bool Empty() const { return active == 0 && attempts == 0 && completions == 0 && certifications == 0; }
};

// One enrollment's share of its course's totals: exactly what was added, so that it can be taken
// away exactly when the enrollment changes (ExactSum subtracts without rounding drift).
struct Share {
  bool counted = false;  // the user is active: everything below is in the totals
  double mastery = 0;
  bool completed = false;
  std::optional<double> score;
  std::int64_t points = 0, time_ms = 0;
  std::optional<std::int64_t> at_risk_from_ms;  // not completed: when "at risk" starts
  // The times a certification is held, as disjoint [from, until) (until = nullopt: forever).
  std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>> held;
  std::vector<double> chapters;  // the user's mean mastery of each chapter (0 for an empty one)
  // The user's mastery band (BandOf) in the course and in each chapter.
  std::int8_t band = 0;
  std::vector<std::int8_t> chapter_bands;
  std::optional<std::int64_t> first_week;  // of the user's responses
  // Whether the user's WeeklySteps are in the totals' weekly series, from which enrolled week.
  // The steps themselves are not copied here (they would double the weekly arrays' memory):
  // they are read from the UserCourse, so they must be taken away before it changes (engine.cc
  // BeforeSteps).
  bool weekly_in = false;
  std::int64_t weekly_from = 0;
  // The enrollment's weekly activity, by week (only weeks with something in them).
  std::vector<WeekActivity> activity;
  std::size_t HeapBytes() const {
    return held.capacity() * sizeof(held[0]) + chapters.capacity() * sizeof(double) +
           chapter_bands.capacity() + activity.capacity() * sizeof(WeekActivity);
  }
};

// Running totals of a course over its counted (active) enrollments: the All courses row and the
// course headline and chapters in O(chapters) instead of O(users). Invariant: equal to the sum
// of the Shares of the course's enrollments. Not thread-safe; the engine's lock guards it.
struct CourseTotals {
  std::int64_t users = 0, completed = 0, scored = 0, points = 0, time_ms = 0;
  ExactSum mastery, score;
  std::vector<ExactSum> chapters;
  // Users per mastery band (BandOf), in the course and in each chapter.
  std::array<std::int64_t, kBandCount> bands{};
  std::vector<std::array<std::int64_t, kBandCount>> chapter_bands;
  InstantCounter at_risk;                // at_risk_from_ms of counted, uncompleted users
  InstantCounter held_from, held_until;  // the bounds of the held intervals
  // The weekly series as changes by week (a Monday): the mean at week W is over the users
  // enrolled by W (Σ joined) of their mastery at its end (Σ change up to W, which adds up, per
  // user, to exactly that mastery: each step adds the new value and takes away the last).
  struct Week {
    ExactSum change;
    std::int64_t joined = 0;
  };
  std::map<std::int64_t, Week> weeks;
  std::map<std::int64_t, std::int64_t> first_weeks;  // first_week → counted users with it
  // The counted enrollments' weekly activity, by week (weeks with nothing are left out).
  std::map<std::int64_t, ActivityCounts> activity;

  // Empty totals for a course of `chapters` chapters.
  void Clear(std::size_t chapter_count) {
    users = completed = scored = points = time_ms = 0;
    mastery = ExactSum();
    score = ExactSum();
    chapters.assign(chapter_count, ExactSum());
    bands = {};
    chapter_bands.assign(chapter_count, {});
    at_risk.Clear();
    held_from.Clear();
    held_until.Clear();
    weeks.clear();
    first_weeks.clear();
    activity.clear();
  }
  void Add(const Share& s, int user) { Replace(Share{}, s, user); }
  void Remove(const Share& s, int user) { Replace(s, Share{}, user); }
  // Takes `old` away and adds `next` (the same user's), touching the time-indexed counts only
  // where they differ: most applies move a user's figures but not their at-risk line.
  void Replace(const Share& old, const Share& next, int user) {
    ReplaceFigures(old, next, user);
    // The weekly activity: an apply usually changes only the last weeks; the common prefix stays.
    // (A share that is not counted has none.)
    std::size_t same = 0;
    while (same < old.activity.size() && same < next.activity.size() &&
           old.activity[same] == next.activity[same]) {
      ++same;
    }
    for (std::size_t i = same; i < old.activity.size(); ++i) AddActivity(old.activity[i], -1);
    for (std::size_t i = same; i < next.activity.size(); ++i) AddActivity(next.activity[i], 1);
    const std::optional<std::int64_t> old_first = old.counted ? old.first_week : std::nullopt;
    const std::optional<std::int64_t> new_first = next.counted ? next.first_week : std::nullopt;
    if (old_first != new_first) {
      if (old_first && --first_weeks[*old_first] == 0) first_weeks.erase(*old_first);
      if (new_first) ++first_weeks[*new_first];
    }
  }
  // The figures alone (no weekly activity, series or first weeks): what a group's totals in a
  // course keep (CourseState::group_totals, the group league).
  void ReplaceFigures(const Share& old, const Share& next, int user) {
    AddFigures(old, -1);
    AddFigures(next, 1);
    const std::optional<std::int64_t> old_risk = old.counted ? old.at_risk_from_ms : std::nullopt;
    const std::optional<std::int64_t> new_risk = next.counted ? next.at_risk_from_ms : std::nullopt;
    if (old_risk != new_risk) {
      if (old_risk) at_risk.Erase(*old_risk, user);
      if (new_risk) at_risk.Insert(*new_risk, user);
    }
    if (old.counted != next.counted || old.held != next.held) {
      if (old.counted) Held(old, user, -1);
      if (next.counted) Held(next, user, 1);
    }
  }
  std::int64_t AtRisk(Instant now) const { return at_risk.AtOrBefore(now.ms); }
  // Users holding a certification at `now`: intervals begun by then less those ended by then.
  std::int64_t Certified(Instant now) const {
    return held_from.AtOrBefore(now.ms) - held_until.AtOrBefore(now.ms);
  }

  // A user's contribution to the weekly series: their course mastery at the end of each local
  // week (Mondays, days since 1970) from the week they enrolled: first (enrolled week, mastery
  // then), then each later week with responses.
  using Steps = std::vector<std::pair<std::int64_t, double>>;
  // Takes away a user's `old` steps and adds their `next` ones. An apply usually changes only
  // the last week: the common prefix is left as it is.
  void ReplaceWeeks(const Steps& old, const Steps& next) {
    std::size_t same = 0;
    while (same < old.size() && same < next.size() && old[same] == next[same]) ++same;
    for (std::size_t i = same; i < old.size(); ++i) WeekStep(old, i, -1);
    for (std::size_t i = same; i < next.size(); ++i) WeekStep(next, i, 1);
  }
  void WeekStep(const Steps& steps, std::size_t i, int sign) {
    Week& w = weeks[steps[i].first];
    const double k = sign;
    w.change.Add(k * steps[i].second);
    if (i == 0) {
      w.joined += sign;
    } else {
      w.change.Add(-k * steps[i - 1].second);
    }
  }

 private:
  void AddActivity(const WeekActivity& w, int sign) {
    auto it = activity.try_emplace(w.week).first;
    ActivityCounts& x = it->second;
    x.active += sign * w.active;
    x.attempts += sign * w.attempts;
    x.completions += sign * w.completions;
    x.certifications += sign * w.certifications;
    if (x.Empty()) activity.erase(it);
  }
  void AddFigures(const Share& s, int sign) {
    if (!s.counted) return;
    const double k = sign;
    users += sign;
    mastery.Add(k * s.mastery);
    completed += s.completed ? sign : 0;
    if (s.score) {
      score.Add(k * *s.score);
      scored += sign;
    }
    points += sign * s.points;
    time_ms += sign * s.time_ms;
    if (chapters.size() < s.chapters.size()) chapters.resize(s.chapters.size());
    for (std::size_t ch = 0; ch < s.chapters.size(); ++ch) chapters[ch].Add(k * s.chapters[ch]);
    bands[static_cast<std::size_t>(s.band)] += sign;
    if (chapter_bands.size() < s.chapter_bands.size()) chapter_bands.resize(s.chapter_bands.size());
    for (std::size_t ch = 0; ch < s.chapter_bands.size(); ++ch) {
      chapter_bands[ch][static_cast<std::size_t>(s.chapter_bands[ch])] += sign;
    }
  }
  void Held(const Share& s, int user, int sign) {
    for (const auto& [from, until] : s.held) {
      if (sign > 0) {
        held_from.Insert(from, user);
        if (until) held_until.Insert(*until, user);
      } else {
        held_from.Erase(from, user);
        if (until) held_until.Erase(*until, user);
      }
    }
  }
};

}  // namespace cohort::metrics

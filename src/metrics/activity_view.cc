// The dashboard of All courses (issue 20, point 2): headline rates and a range of weeks. For the
// whole account it reads running counts — each course's totals (figures, weekly activity, the
// weekly mastery changes) and the account's people per week — so a range costs O(courses ×
// weeks); over a manager's members it walks their enrollments' shares.
#include <algorithm>
#include <set>

#include "metrics/account_views.h"
#include "metrics/exact_sum.h"

namespace cohort::metrics {
namespace {

// The weeks' rows, from_week .. to_week (Mondays), empty of figures.
std::vector<ActivityWeek> EmptyWeeks(std::int64_t from_week, std::int64_t to_week) {
  std::vector<ActivityWeek> weeks;
  for (std::int64_t w = from_week; w <= to_week; w += 7) {
    ActivityWeek row;
    row.week_day = w;
    weeks.push_back(row);
  }
  return weeks;
}

// The week's index in the range, or -1 outside it.
std::ptrdiff_t WeekIndex(std::int64_t week, std::int64_t from_week, std::size_t count) {
  if (week < from_week) return -1;
  const auto i = static_cast<std::size_t>((week - from_week) / 7);
  return i < count ? static_cast<std::ptrdiff_t>(i) : -1;
}

void AddCounts(ActivityWeek& row, const WeekActivity& w) {
  row.attempts += w.attempts;
  row.completions += w.completions;
  row.certifications += w.certifications;
}

void SetRates(ActivityView& v, const ExactSum& mastery, std::int64_t completed,
              std::int64_t certified) {
  v.mastery = mastery.Mean(v.enrolments);
  if (v.enrolments > 0) {
    v.completion_rate = ShareOf(completed, v.enrolments);
    v.certification_rate = ShareOf(certified, v.enrolments);
  }
}

// The whole account, from the running counts.
void AccountActivity(const AccountState& a, std::int64_t from_week, std::int64_t current,
                     Instant now, ActivityView& v) {
  ExactSum mastery;
  std::int64_t completed = 0, certified = 0;
  std::vector<ExactSum> sums(v.weeks.size());
  std::vector<std::int64_t> counts(v.weeks.size(), 0);
  for (const std::unique_ptr<CourseState>& cp : a.courses) {
    const CourseTotals& t = cp->totals;
    v.enrolments += t.users;
    mastery.Add(t.mastery);
    completed += t.completed;
    certified += t.Certified(now);
    v.at_risk += t.AtRisk(now);
    for (auto it = t.activity.lower_bound(from_week); it != t.activity.end(); ++it) {
      const std::ptrdiff_t i = WeekIndex(it->first, from_week, v.weeks.size());
      if (i < 0) break;
      ActivityWeek& row = v.weeks[static_cast<std::size_t>(i)];
      row.attempts += it->second.attempts;
      row.completions += it->second.completions;
      row.certifications += it->second.certifications;
    }
    // The mastery series: each course's changes up to the end of each week (CourseTotals).
    ExactSum sum;
    std::int64_t joined = 0;
    auto next = t.weeks.begin();
    for (std::size_t i = 0; i < v.weeks.size(); ++i) {
      for (; next != t.weeks.end() && next->first <= v.weeks[i].week_day; ++next) {
        sum.Add(next->second.change);
        joined += next->second.joined;
      }
      sums[i].Add(sum);
      counts[i] += joined;
    }
  }
  for (std::size_t i = 0; i < v.weeks.size(); ++i) {
    v.weeks[i].mastery = sums[i].Mean(counts[i]);
    auto people = a.active_people.find(v.weeks[i].week_day);
    if (people != a.active_people.end()) v.weeks[i].active = people->second;
  }
  auto this_week = a.active_people.find(current);
  if (this_week != a.active_people.end()) v.active_this_week = this_week->second;
  v.learners = a.learners;
  SetRates(v, mastery, completed, certified);
}

// Some members: their counted enrollments, walked.
void MembersActivity(const AccountState& a, const std::vector<std::string>& only_users,
                     std::int64_t from_week, std::int64_t current, Instant now, ActivityView& v) {
  ExactSum mastery;
  std::int64_t completed = 0, certified = 0;
  std::vector<ExactSum> sums(v.weeks.size());
  std::vector<std::int64_t> counts(v.weeks.size(), 0);
  std::vector<std::int64_t> people(v.weeks.size(), 0);
  for (const int u : MemberIndexes(a, only_users)) {
    if (!a.users[static_cast<std::size_t>(u)].active) continue;
    std::set<std::int64_t> weeks_active;  // this person's, in any course
    bool counted = false;
    for (const std::unique_ptr<CourseState>& cp : a.courses) {
      const Enrolled* e = cp->Find(u);
      if (e == nullptr || !e->share.counted) continue;
      counted = true;
      ++v.enrolments;
      mastery.Add(e->summary.mastery);
      if (e->summary.completed_ms) ++completed;
      if (HeldFast(*e, now)) ++certified;
      if (AtRiskFast(*e, now)) ++v.at_risk;
      for (const WeekActivity& w : e->share.activity) {
        if (w.active) weeks_active.insert(w.week);
        const std::ptrdiff_t i = WeekIndex(w.week, from_week, v.weeks.size());
        if (i >= 0) AddCounts(v.weeks[static_cast<std::size_t>(i)], w);
      }
      for (std::size_t i = 0; i < v.weeks.size(); ++i) {
        if (e->summary.enrolled_week > v.weeks[i].week_day) continue;  // not yet enrolled
        sums[i].Add(e->state->MasteryAtWeek(v.weeks[i].week_day));
        ++counts[i];
      }
    }
    if (!counted) continue;
    ++v.learners;
    for (const std::int64_t w : weeks_active) {
      const std::ptrdiff_t i = WeekIndex(w, from_week, v.weeks.size());
      if (i >= 0) ++people[static_cast<std::size_t>(i)];
      if (w == current) ++v.active_this_week;
    }
  }
  for (std::size_t i = 0; i < v.weeks.size(); ++i) {
    v.weeks[i].mastery = sums[i].Mean(counts[i]);
    v.weeks[i].active = people[i];
  }
  SetRates(v, mastery, completed, certified);
}

}  // namespace

ActivityView ActivityOf(const AccountState& a, std::int64_t from_day, std::int64_t to_day,
                        Instant now, const std::vector<std::string>* only_users) {
  ActivityView v;
  v.from_day = WeekOfLocalDay(from_day);
  v.to_day = WeekOfLocalDay(to_day);
  v.weeks = EmptyWeeks(v.from_day, v.to_day);
  const std::int64_t current = WeekOfLocalDay(a.zone->LocalDay(now));
  if (only_users == nullptr) {
    AccountActivity(a, v.from_day, current, now, v);
  } else {
    MembersActivity(a, *only_users, v.from_day, current, now, v);
  }
  return v;
}

}  // namespace cohort::metrics

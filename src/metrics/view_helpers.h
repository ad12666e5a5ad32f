#pragma once

// What several views share (private to metrics/): look-ups, the figures every scanning view reads
// from an enrollment's summary, restrictions to some keys, the members of a manager, and ranks.

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "metrics/engine.h"
#include "metrics/engine_state.h"
#include "metrics/exact_sum.h"
#include "metrics/search_fold.h"
#include "metrics/table_sort.h"

namespace cohort::metrics {

// The account or course of that key; nullptr when there is none.
const AccountState* FindAccountState(const Engine::State& s, std::string_view key);
const CourseState* FindCourseState(const AccountState& a, std::string_view key);

// Pooled figures of one enrollment over the course's live exercises.
using Pooled = UserCourse::Totals;

// The scanning views (all courses, course, leagues, report) read the enrollment's summary, a
// copy refreshed after every change, instead of recomputing from the cells.
inline const Pooled& PoolOf(const Enrolled& e) { return e.summary.totals; }

// The certification `e` holds at `now`, if any.
inline std::optional<Certification> HeldFast(const Enrolled& e, Instant now) {
  const UserCourse::Summary& s = e.summary;
  if (!e.imported.empty() || (s.latest_cert && s.latest_cert->issued_at > now)) {
    return e.state->HeldAt(now, e.imported);
  }
  if (s.latest_cert && (!s.latest_cert->expires_at || now < *s.latest_cert->expires_at)) {
    return s.latest_cert;
  }
  return std::nullopt;
}

// Whether `e` is at risk at `now` (SPEC §3.4): not completed, and inactive for at_risk_days.
inline bool AtRiskFast(const Enrolled& e, Instant now) {
  const UserCourse::Summary& s = e.summary;
  if (s.completed_ms) return false;
  const std::int64_t since = s.last_active_ms ? *s.last_active_ms : s.enrolled_ms;
  return now.ms - since >= s.at_risk_ms;
}

// Whether `e` passes a table query's filters on its figures (completed, certified, at risk), as
// the user league and the report apply them.
inline bool PassesFigures(const Enrolled& e, const TableQuery& query, Instant now) {
  if (query.completed && e.summary.completed_ms.has_value() != *query.completed) return false;
  if (query.certified && HeldFast(e, now).has_value() != *query.certified) return false;
  if (query.at_risk && AtRiskFast(e, now) != *query.at_risk) return false;
  return true;
}

// Band counts (indexed as BandOf) as the views' Bands.
inline Bands BandsOf(const std::array<std::int64_t, kBandCount>& n) {
  return {n[0], n[1], n[2], n[3]};
}

// count / of as a fraction. Requires: of > 0.
inline double ShareOf(std::int64_t count, std::int64_t of) {
  return static_cast<double>(count) / static_cast<double>(of);
}

// Whole days (24 h) from the last response (or the enrollment, with none) to `now`, never
// negative: the clock AtRiskFast reads.
inline std::int64_t DaysInactive(const Enrolled& e, Instant now) {
  const UserCourse::Summary& s = e.summary;
  const std::int64_t since = s.last_active_ms ? *s.last_active_ms : s.enrolled_ms;
  return now.ms <= since ? 0 : (now.ms - since) / kMsPerDay;
}

// The user league's row of enrollment `e` (rank left 0: the caller numbers it).
LeagueRow MakeLeagueRow(const AccountState& a, const Enrolled& e, Instant now);

// A restriction to some keys (a group manager's members or groups), looked up in O(1) so that a
// restricted view stays O(users in the course). Borrows `only`'s strings. Views build it before
// they take the engine's lock, which readers hold briefly.
class KeyFilter {
 public:
  explicit KeyFilter(const std::vector<std::string>* only) : everyone_(only == nullptr) {
    if (only != nullptr) keys_.insert(only->begin(), only->end());
  }
  bool Allows(const std::string& key) const { return everyone_ || keys_.contains(key); }

 private:
  bool everyone_;
  std::unordered_set<std::string_view> keys_;
};

// The account's user indexes of `keys` (unknown ones left out, each once): a manager's members,
// so that a restricted view walks them rather than every enrollment.
std::vector<int> MemberIndexes(const AccountState& a, const std::vector<std::string>& keys);

// The enrollments in `c` of those members whose user is active.
std::vector<const Enrolled*> ActiveMembers(const AccountState& a, const CourseState& c,
                                           const std::vector<int>& members);

// The headline figures of some enrollments (a manager's members in a course), summed exactly, so
// in any order.
struct MemberSums {
  std::int64_t users = 0, completed = 0, certified = 0, at_risk = 0, points = 0, time_ms = 0;
  ExactSum mastery, score;
  std::int64_t scored = 0;  // enrollments with a score

  void Add(const Enrolled& e, Instant now) {
    ++users;
    mastery.Add(e.summary.mastery);
    if (e.summary.completed_ms) ++completed;
    if (HeldFast(e, now)) ++certified;
    if (AtRiskFast(e, now)) ++at_risk;
    const Pooled& p = PoolOf(e);
    if (std::optional<double> s = p.score()) {
      score.Add(*s);
      ++scored;
    }
    points += p.points;
    time_ms += p.time_ms;
  }
};

// Assigns rank = position by mastery descending (null last), ties by name then key (SPEC §3.8).
template <typename Row, typename Mastery>
void AssignRanks(std::vector<Row>& rows, Mastery mastery, std::string_view (*key)(const Row&)) {
  // Each row's sort key is computed once, not in every comparison.
  struct RankKey {
    bool has;
    double fraction;
    std::string_view name, key;
    std::size_t index;
  };
  std::vector<RankKey> keys;
  keys.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::optional<double> m = mastery(rows[i]);
    keys.push_back({m.has_value(), m ? SortableFraction(*m) : 0.0, rows[i].name, key(rows[i]), i});
  }
  std::sort(keys.begin(), keys.end(), [](const RankKey& x, const RankKey& y) {
    if (x.has != y.has) return x.has;
    if (x.fraction != y.fraction) return x.fraction > y.fraction;
    if (x.name != y.name) return x.name < y.name;
    return x.key < y.key;
  });
  for (std::size_t i = 0; i < keys.size(); ++i) {
    rows[keys[i].index].rank = static_cast<std::int64_t>(i + 1);
  }
}

}  // namespace cohort::metrics

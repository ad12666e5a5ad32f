// The group league (SPEC §4.1 view 3): per group with an enrolled active member in the course,
// the figures over those members, ranked by mastery and sorted by any declared column.
#include "metrics/account_views.h"
#include "metrics/exact_sum.h"

namespace cohort::metrics {
namespace {

std::string_view GroupKey(const GroupRow& r) { return r.group; }

}  // namespace

Result<Table<GroupRow>> GroupLeagueOf(const AccountState& a, const CourseState& c,
                                      const TableQuery& query, const KeyFilter& only_groups,
                                      Instant now) {
  struct Acc {
    std::int64_t users = 0, completed = 0, certified = 0, at_risk = 0, points = 0, time_ms = 0,
                 scored = 0;
    ExactSum mastery, score;
  };
  std::vector<Acc> acc(a.groups.size());
  for (const Enrolled& e : c.enrolled) {
    const UserState& u = a.users[static_cast<std::size_t>(e.user)];
    if (!u.active || u.groups.empty()) continue;
    const double m = e.summary.mastery;
    const bool completed = e.summary.completed_ms.has_value();
    const bool certified = HeldFast(e, now).has_value();
    const bool at_risk = AtRiskFast(e, now);
    const Pooled p = PoolOf(e);
    for (int g : u.groups) {
      Acc& x = acc[static_cast<std::size_t>(g)];
      ++x.users;
      x.mastery.Add(m);
      x.completed += completed;
      x.certified += certified;
      x.at_risk += at_risk;
      x.points += p.points;
      x.time_ms += p.time_ms;
      if (std::optional<double> s = p.score()) {
        x.score.Add(*s);
        ++x.scored;
      }
    }
  }
  Table<GroupRow> out;
  const FoldedSearch search(query.q);
  for (std::size_t g = 0; g < acc.size(); ++g) {
    const Acc& x = acc[g];
    const GroupState& gs = a.groups[g];
    if (x.users == 0 || !only_groups.Allows(gs.key) || !search.Matches(gs.name)) continue;
    out.rows.push_back({0, gs.key, gs.name, x.users, x.mastery.Mean(x.users), x.completed,
                        x.certified, x.at_risk, ShareOf(x.at_risk, x.users),
                        x.score.Mean(x.scored), x.points, x.time_ms});
  }
  out.total = out.rows.size();
  AssignRanks(
      out.rows, [](const GroupRow& r) { return r.mastery; }, &GroupKey);
  Status s =
      SortRows(out.rows, kGroupColumns, query.sort, query.descending, query.offset, query.limit);
  if (!s.ok()) return s;
  return out;
}

}  // namespace cohort::metrics

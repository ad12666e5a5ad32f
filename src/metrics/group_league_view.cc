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
  // Each group's running totals (engine.cc MoveGroups): O(groups · chapters), whatever the
  // course's size.
  const std::size_t chapter_count = query.chapters ? c.chapter_keys.size() : 0;
  Table<GroupRow> out;
  const FoldedSearch search(query.q);
  for (std::size_t g = 0; g < c.group_totals.size() && g < a.groups.size(); ++g) {
    const CourseTotals& t = c.group_totals[g];
    const GroupState& gs = a.groups[g];
    if (t.users == 0 || !only_groups.Allows(gs.key) || !search.Matches(gs.name)) continue;
    GroupRow row;
    row.group = gs.key;
    row.name = gs.name;
    row.users = t.users;
    row.mastery = t.mastery.Mean(t.users);
    row.completed = t.completed;
    row.certified = t.Certified(now);
    row.at_risk = t.AtRisk(now);
    row.at_risk_share = ShareOf(row.at_risk, t.users);
    row.completed_share = ShareOf(t.completed, t.users);
    row.certified_share = ShareOf(row.certified, t.users);
    row.score = t.score.Mean(t.scored);
    row.points = t.points;
    row.time_ms = t.time_ms;
    row.avg_time_ms = static_cast<double>(t.time_ms) / static_cast<double>(t.users);
    row.bands = BandsOf(t.bands);
    for (std::size_t ch = 0; ch < chapter_count; ++ch) {
      ChapterFigure f{c.chapter_keys[ch], c.chapter_titles[ch], std::nullopt};
      if (!c.shape.chapter_slots[ch].empty() && ch < t.chapters.size()) {
        f.mastery = t.chapters[ch].Mean(t.users);
      }
      row.chapters.push_back(std::move(f));
    }
    out.rows.push_back(std::move(row));
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

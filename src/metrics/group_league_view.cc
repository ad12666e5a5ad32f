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
    std::array<std::int64_t, kBandCount> bands{};
    std::vector<ExactSum> chapters;  // with query.chapters
  };
  const double threshold = c.shape.settings.ResolvedThreshold();
  const std::size_t chapter_count = query.chapters ? c.chapter_keys.size() : 0;
  std::vector<Acc> acc(a.groups.size());
  std::vector<double> chapter_means(chapter_count);
  for (const Enrolled& e : c.enrolled) {
    const UserState& u = a.users[static_cast<std::size_t>(e.user)];
    if (!u.active || u.groups.empty()) continue;
    const double m = e.summary.mastery;
    const bool completed = e.summary.completed_ms.has_value();
    const bool certified = HeldFast(e, now).has_value();
    const bool at_risk = AtRiskFast(e, now);
    const std::int8_t band = BandOf(e.summary.last_active_ms.has_value(), m, threshold);
    const Pooled p = PoolOf(e);
    for (std::size_t ch = 0; ch < chapter_count; ++ch) {
      chapter_means[ch] = MeanFraction(e.state->ChapterSum(ch), c.shape.chapter_slots[ch].size());
    }
    for (int g : u.groups) {
      Acc& x = acc[static_cast<std::size_t>(g)];
      ++x.users;
      x.mastery.Add(m);
      x.completed += completed;
      x.certified += certified;
      x.at_risk += at_risk;
      x.points += p.points;
      x.time_ms += p.time_ms;
      ++x.bands[static_cast<std::size_t>(band)];
      if (std::optional<double> s = p.score()) {
        x.score.Add(*s);
        ++x.scored;
      }
      if (chapter_count > 0) {
        x.chapters.resize(chapter_count);
        for (std::size_t ch = 0; ch < chapter_count; ++ch) x.chapters[ch].Add(chapter_means[ch]);
      }
    }
  }
  Table<GroupRow> out;
  const FoldedSearch search(query.q);
  for (std::size_t g = 0; g < acc.size(); ++g) {
    const Acc& x = acc[g];
    const GroupState& gs = a.groups[g];
    if (x.users == 0 || !only_groups.Allows(gs.key) || !search.Matches(gs.name)) continue;
    GroupRow row;
    row.group = gs.key;
    row.name = gs.name;
    row.users = x.users;
    row.mastery = x.mastery.Mean(x.users);
    row.completed = x.completed;
    row.certified = x.certified;
    row.at_risk = x.at_risk;
    row.at_risk_share = ShareOf(x.at_risk, x.users);
    row.completed_share = ShareOf(x.completed, x.users);
    row.certified_share = ShareOf(x.certified, x.users);
    row.score = x.score.Mean(x.scored);
    row.points = x.points;
    row.time_ms = x.time_ms;
    row.avg_time_ms = static_cast<double>(x.time_ms) / static_cast<double>(x.users);
    row.bands = BandsOf(x.bands);
    for (std::size_t ch = 0; ch < chapter_count; ++ch) {
      ChapterFigure f{c.chapter_keys[ch], c.chapter_titles[ch], std::nullopt};
      if (!c.shape.chapter_slots[ch].empty()) f.mastery = x.chapters[ch].Mean(x.users);
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

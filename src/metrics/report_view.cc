// The account report (SPEC §4.1 view 6): one row per active (user, course) enrollment, ordered
// by person (and then course) without building a row, or by any declared column; and the same
// order as a plan of indexes, whose rows a streamed export builds page by page.
#include <algorithm>

#include "metrics/account_views.h"

namespace cohort::metrics {
namespace {

// The report's (user, course) pairs that pass the query's filters, in the order by person —
// name ascending (or descending with `names_descending`), then key ascending — then course key.
// The order is decided on small entries: users are ranked once, then entries sorted by
// (rank, course), so no row is built or moved to sort.
// The report's filters with their keys resolved to indexes (-1: no such filter).
struct ReportFilter {
  int course = -1, group = -1;
};

Result<ReportFilter> ResolveFilter(const AccountState& a, const TableQuery& query) {
  ReportFilter f;
  if (query.course) {
    auto c = a.course_of.find(*query.course);
    if (c == a.course_of.end()) return Status::NotFound("course '" + *query.course + "' is unknown");
    f.course = c->second;
  }
  if (query.group) {
    auto g = a.group_of.find(*query.group);
    if (g == a.group_of.end()) return Status::NotFound("group '" + *query.group + "' is unknown");
    f.group = g->second;
  }
  return f;
}

std::vector<ReportPlan::Entry> PlanEntries(const AccountState& a, const TableQuery& query,
                                           const ReportFilter& filter, const KeyFilter& only,
                                           bool names_descending, Instant now) {
  std::vector<ReportPlan::Entry> entries;
  std::vector<int> listed;  // users with at least one entry
  std::vector<char> seen(a.users.size(), 0);
  // A search (`q`) in the name or the email, decided once per person: 0 unknown, 1 no, 2 yes.
  const FoldedSearch search(query.q);
  std::vector<char> found(search.empty() ? 0 : a.users.size(), 0);
  auto matches = [&](const UserState& u, int user) {
    if (search.empty()) return true;
    char& f = found[static_cast<std::size_t>(user)];
    if (f == 0) f = search.Matches(u.name) || search.Matches(u.email) ? 2 : 1;
    return f == 2;
  };
  auto consider = [&](std::size_t ci, const Enrolled& e) {
    const UserState& u = a.users[static_cast<std::size_t>(e.user)];
    if (!u.active || !only.Allows(u.key) || !matches(u, e.user)) return;
    if (!PassesFigures(e, query, now)) return;
    entries.push_back({e.user, static_cast<std::int32_t>(ci)});
    if (!seen[static_cast<std::size_t>(e.user)]) {
      seen[static_cast<std::size_t>(e.user)] = 1;
      listed.push_back(e.user);
    }
  };
  for (std::size_t ci = 0; ci < a.courses.size(); ++ci) {
    if (filter.course >= 0 && static_cast<int>(ci) != filter.course) continue;
    const CourseState& c = *a.courses[ci];
    if (filter.group >= 0) {
      // A group's report: its members' enrollments, O(members) per course; the order is decided
      // below, whatever the walk's.
      for (int user : a.groups[static_cast<std::size_t>(filter.group)].members) {
        if (const Enrolled* e = c.Find(user)) consider(ci, *e);
      }
    } else {
      for (const Enrolled& e : c.enrolled) consider(ci, e);
    }
  }
  std::sort(listed.begin(), listed.end(), [&](int x, int y) {
    const UserState& ux = a.users[static_cast<std::size_t>(x)];
    const UserState& uy = a.users[static_cast<std::size_t>(y)];
    if (ux.name != uy.name) return names_descending ? uy.name < ux.name : ux.name < uy.name;
    return ux.key < uy.key;
  });
  std::vector<std::uint32_t> rank(a.users.size(), 0);
  for (std::size_t i = 0; i < listed.size(); ++i) {
    rank[static_cast<std::size_t>(listed[i])] = static_cast<std::uint32_t>(i);
  }
  std::sort(entries.begin(), entries.end(),
            [&](const ReportPlan::Entry& x, const ReportPlan::Entry& y) {
              const std::uint32_t rx = rank[static_cast<std::size_t>(x.user)];
              const std::uint32_t ry = rank[static_cast<std::size_t>(y.user)];
              if (rx != ry) return rx < ry;
              return a.courses[static_cast<std::size_t>(x.course)]->key <
                     a.courses[static_cast<std::size_t>(y.course)]->key;
            });
  return entries;
}

// One report row: the figures of MakeLeagueRow the report shows, pooled attempts and hints.
ReportRow MakeReportRow(const AccountState& a, const CourseState& c, const Enrolled& e,
                        Instant now) {
  const UserState& u = a.users[static_cast<std::size_t>(e.user)];
  const UserCourse::Summary& sm = e.summary;
  const Pooled& p = PoolOf(e);
  ReportRow row;
  row.user = u.key;
  row.name = u.name;
  row.email = u.email;
  std::vector<const GroupState*> groups;
  groups.reserve(u.groups.size());
  for (int g : u.groups) groups.push_back(&a.groups[static_cast<std::size_t>(g)]);
  std::sort(groups.begin(), groups.end(),
            [](const GroupState* x, const GroupState* y) { return x->key < y->key; });
  row.groups.reserve(groups.size());
  row.group_names.reserve(groups.size());
  for (const GroupState* g : groups) {
    row.groups.push_back(g->key);
    row.group_names.push_back(g->name);
  }
  row.course = c.key;
  row.title = c.title;
  row.mastery = sm.mastery;
  row.progress = sm.progress;
  if (sm.completed_ms) row.completed_at = Instant{*sm.completed_ms};
  if (std::optional<Certification> held = HeldFast(e, now)) row.certified_at = held->issued_at;
  row.score = p.score();
  row.points = p.points;
  row.time_ms = p.time_ms;
  row.attempts = p.attempts;
  row.hints = p.hints;
  if (sm.last_active_ms) row.last_active = Instant{*sm.last_active_ms};
  row.at_risk = AtRiskFast(e, now);
  return row;
}

}  // namespace

bool PlannableReport(const TableQuery& query) {
  return query.sort == "rank" || query.sort == "name";
}

Result<Table<ReportRow>> ReportOf(const AccountState& a, const TableQuery& query,
                                  const KeyFilter& only, Instant now) {
  const bool by_name = PlannableReport(query);
  Result<ReportFilter> filter = ResolveFilter(a, query);
  if (!filter.ok()) return filter.status();
  const std::vector<ReportPlan::Entry> entries =
      PlanEntries(a, query, filter.value(), only, by_name && query.descending, now);
  Table<ReportRow> out;
  out.total = entries.size();
  // Ordered by name, only the page's rows are built; another column sorts every row first.
  const Page page =
      by_name ? PageOf(entries.size(), query.offset, query.limit) : Page{0, entries.size()};
  out.rows.reserve(page.end - page.first);
  for (std::size_t i = page.first; i < page.end; ++i) {
    const CourseState& c = *a.courses[static_cast<std::size_t>(entries[i].course)];
    out.rows.push_back(MakeReportRow(a, c, *c.Find(entries[i].user), now));
  }
  if (by_name) return out;
  Status s =
      SortRows(out.rows, kReportColumns, query.sort, query.descending, query.offset, query.limit);
  if (!s.ok()) return s;
  return out;
}

Result<ReportPlan> PlanReportOf(const AccountState& a, const TableQuery& query,
                                const KeyFilter& only, Instant now) {
  Result<ReportFilter> filter = ResolveFilter(a, query);
  if (!filter.ok()) return filter.status();
  ReportPlan plan;
  plan.entries = PlanEntries(a, query, filter.value(), only, query.descending, now);
  plan.total = plan.entries.size();
  const Page page = PageOf(plan.entries.size(), query.offset, query.limit);
  plan.entries.erase(plan.entries.begin() + static_cast<std::ptrdiff_t>(page.end),
                     plan.entries.end());
  plan.entries.erase(plan.entries.begin(),
                     plan.entries.begin() + static_cast<std::ptrdiff_t>(page.first));
  return plan;
}

std::vector<std::optional<ReportRow>> ReportRowsOf(const AccountState& a, const ReportPlan& plan,
                                                   std::size_t first, std::size_t count,
                                                   Instant now) {
  std::vector<std::optional<ReportRow>> rows;
  const std::size_t last =
      std::min(plan.entries.size(), first + std::min(count, plan.entries.size()));
  for (std::size_t i = std::min(first, last); i < last; ++i) {
    const ReportPlan::Entry& entry = plan.entries[i];
    const auto user = static_cast<std::size_t>(entry.user);
    const auto course = static_cast<std::size_t>(entry.course);
    const Enrolled* e = user < a.users.size() && a.users[user].active && course < a.courses.size()
                            ? a.courses[course]->Find(entry.user)
                            : nullptr;
    if (e == nullptr) {
      rows.emplace_back();  // deactivated, erased or unenrolled since the plan
    } else {
      rows.emplace_back(MakeReportRow(a, *a.courses[course], *e, now));
    }
  }
  return rows;
}

}  // namespace cohort::metrics

// The user league (SPEC §4.1 view 2's table): a course's enrollments filtered, ranked, sorted by
// any column kLeagueColumns declares sortable, and paged. The orders by name, by key and by rank
// are cached per course (engine_state.h), so a page costs O(users in the course) plus a partial
// sort of small keys; only the page's rows are built.
#include <algorithm>
#include <memory>
#include <mutex>

#include "metrics/account_views.h"

namespace cohort::metrics {
namespace {

// The course's enrollments by name and by key, cached until the roster changes.
std::shared_ptr<const NameOrder> NamesOf(const AccountState& a, const CourseState& c)
    REQUIRES(c.cache_mutex) {
  if (c.names && c.names->roster_version == c.roster_version) return c.names;
  auto names = std::make_shared<NameOrder>();
  names->roster_version = c.roster_version;
  const std::size_t n = c.enrolled.size();
  auto user = [&](std::uint32_t e) -> const UserState& {
    return a.users[static_cast<std::size_t>(c.enrolled[e].user)];
  };
  std::vector<std::uint32_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
  std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    const UserState& ux = user(x);
    const UserState& uy = user(y);
    if (ux.name != uy.name) return ux.name < uy.name;
    return ux.key < uy.key;
  });
  names->name_pos.resize(n);
  names->name_rank.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    names->name_pos[order[i]] = static_cast<std::uint32_t>(i);
    names->name_rank[order[i]] = i > 0 && user(order[i]).name == user(order[i - 1]).name
                                     ? names->name_rank[order[i - 1]]
                                     : static_cast<std::uint32_t>(i);
  }
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t x, std::uint32_t y) { return user(x).key < user(y).key; });
  names->key_pos.resize(n);
  for (std::size_t i = 0; i < n; ++i) names->key_pos[order[i]] = static_cast<std::uint32_t>(i);
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t x, std::uint32_t y) { return user(x).email < user(y).email; });
  names->email_rank.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    names->email_rank[order[i]] = i > 0 && user(order[i]).email == user(order[i - 1]).email
                                      ? names->email_rank[order[i - 1]]
                                      : static_cast<std::uint32_t>(i);
  }
  names->folded_start.reserve(n + 1);
  for (std::size_t e = 0; e < n; ++e) {
    names->folded_start.push_back(static_cast<std::uint32_t>(names->folded.size()));
    const UserState& u = user(static_cast<std::uint32_t>(e));
    AppendFolded(u.name, names->folded);
    names->folded += '\0';
    AppendFolded(u.email, names->folded);
    names->folded += '\0';
  }
  names->folded_start.push_back(static_cast<std::uint32_t>(names->folded.size()));
  c.names = names;
  return names;
}

// Which enrollments' names or emails contain `q` (FoldForSearch on both sides), from the folded
// names and emails in one pass.
std::vector<char> NameMatches(const NameOrder& names, std::string_view q) {
  const std::size_t n = names.folded_start.size() - 1;
  std::vector<char> match(n, 0);
  const std::string needle = FoldForSearch(q);
  const std::string_view hay = names.folded;
  if (needle.find('\0') != std::string::npos) {
    // The separator itself: name by name, email by email.
    for (std::size_t e = 0; e < n; ++e) {
      const std::size_t from = names.folded_start[e], to = names.folded_start[e + 1] - 1;
      const std::string_view both = hay.substr(from, to - from);
      const std::size_t cut = both.find('\0');
      match[e] = both.substr(0, cut).find(needle) != std::string_view::npos ||
                         both.substr(cut + 1).find(needle) != std::string_view::npos
                     ? 1
                     : 0;
    }
    return match;
  }
  std::size_t at = 0;
  while ((at = hay.find(needle, at)) != std::string_view::npos) {
    // The enrollment holding the match's first byte; the match cannot run past a '\0'.
    const auto it = std::upper_bound(names.folded_start.begin(), names.folded_start.end(),
                                     static_cast<std::uint32_t>(at));
    const auto e = static_cast<std::size_t>(it - names.folded_start.begin()) - 1;
    match[e] = 1;
    at = names.folded_start[e + 1];  // on to the next name
  }
  return match;
}

// The course's enrollments in rank order (mastery descending at the tables' 1e-9, then name,
// then key), cached until the course changes. After a few enrollments changed (an apply), only
// they are re-placed: the others keep their order, and the two sorted runs are merged, O(n)
// instead of a sort.
std::shared_ptr<const RankOrder> RanksOf(const CourseState& c, const NameOrder& names)
    REQUIRES(c.cache_mutex) {
  if (c.ranks && c.ranks->version == c.version) return c.ranks;
  auto fraction = [&](std::uint32_t e) { return SortableFraction(c.enrolled[e].summary.mastery); };
  auto before = [&](std::uint32_t x, std::uint32_t y) {
    const double fx = fraction(x), fy = fraction(y);
    if (fx != fy) return fx > fy;
    return names.name_pos[x] < names.name_pos[y];
  };
  auto ranks = std::make_shared<RankOrder>();
  ranks->version = c.version;
  ranks->roster_version = c.roster_version;
  const std::size_t n = c.enrolled.size();
  if (c.ranks && c.ranks->roster_version == c.roster_version && !c.rank_changes_overflow) {
    std::vector<char> changed(n, 0);
    std::vector<std::uint32_t> moved;
    for (std::uint32_t e : c.rank_changes) {
      if (e < n && !changed[e]) {
        changed[e] = 1;
        moved.push_back(e);
      }
    }
    std::vector<std::uint32_t> kept;
    kept.reserve(n);
    for (std::uint32_t e : c.ranks->by_rank) {
      if (!changed[e]) kept.push_back(e);
    }
    std::sort(moved.begin(), moved.end(), before);
    ranks->by_rank.resize(n);
    std::merge(kept.begin(), kept.end(), moved.begin(), moved.end(), ranks->by_rank.begin(),
               before);
  } else {
    struct Key {
      double fraction;
      std::uint32_t name_pos, e;
    };
    std::vector<Key> keys(n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto e = static_cast<std::uint32_t>(i);
      keys[i] = {fraction(e), names.name_pos[i], e};
    }
    std::sort(keys.begin(), keys.end(), [](const Key& x, const Key& y) {
      if (x.fraction != y.fraction) return x.fraction > y.fraction;
      return x.name_pos < y.name_pos;
    });
    ranks->by_rank.resize(n);
    for (std::size_t i = 0; i < n; ++i) ranks->by_rank[i] = keys[i].e;
  }
  c.rank_changes.clear();
  c.rank_changes_overflow = false;
  c.ranks = ranks;
  return ranks;
}

// What a league column's sort key reads for one enrollment, so that rows are built for the page
// only.
struct LeagueSource {
  const Enrolled& e;
  const NameOrder& names;
  std::uint32_t index;  // of `e` in the course
  std::int64_t rank;
  Instant now;
};
using LeagueValue = CellValue (*)(const LeagueSource&);

CellValue InstantOrNull(const std::optional<std::int64_t>& ms) {
  return ms ? CellValue(Instant{*ms}) : CellValue();
}

// For each column of kLeagueColumns, in its order: the value its row would hold, read from the
// enrollment, which the declared sort rule then keys (MakeSortKey) as it would the row's. Text
// columns give their position in the course's cached order by name (`name`), by key (`user`) or
// by email (`email`) instead of their bytes, and sort as numbers: the same order, without comparing strings.
struct LeagueKeyOf {
  std::string_view column;
  LeagueValue value;
};
constexpr LeagueKeyOf kLeagueKeys[] = {
    {"rank", [](const LeagueSource& s) { return CellValue(s.rank); }},
    {"user",
     [](const LeagueSource& s) { return CellValue(std::int64_t{s.names.key_pos[s.index]}); }},
    {"name",
     [](const LeagueSource& s) { return CellValue(std::int64_t{s.names.name_rank[s.index]}); }},
    {"email",
     [](const LeagueSource& s) { return CellValue(std::int64_t{s.names.email_rank[s.index]}); }},
    {"mastery", [](const LeagueSource& s) { return CellValue(s.e.summary.mastery); }},
    {"progress", [](const LeagueSource& s) { return CellValue(s.e.summary.progress); }},
    {"completed",
     [](const LeagueSource& s) { return CellValue(s.e.summary.completed_ms.has_value()); }},
    {"completed_at", [](const LeagueSource& s) { return InstantOrNull(s.e.summary.completed_ms); }},
    {"certified",
     [](const LeagueSource& s) { return CellValue(HeldFast(s.e, s.now).has_value()); }},
    {"certified_at",
     [](const LeagueSource& s) {
       const std::optional<Certification> held = HeldFast(s.e, s.now);
       return held ? CellValue(held->issued_at) : CellValue();
     }},
    {"score", [](const LeagueSource& s) { return column::Of(s.e.summary.totals.score()); }},
    {"points", [](const LeagueSource& s) { return CellValue(s.e.summary.totals.points); }},
    {"time", [](const LeagueSource& s) { return CellValue(s.e.summary.totals.time_ms); }},
    {"enrolled_at", [](const LeagueSource& s) { return CellValue(Instant{s.e.summary.enrolled_ms}); }},
    {"last_active",
     [](const LeagueSource& s) { return InstantOrNull(s.e.summary.last_active_ms); }},
    {"days_inactive", [](const LeagueSource& s) { return CellValue(DaysInactive(s.e, s.now)); }},
    {"not_started",
     [](const LeagueSource& s) { return CellValue(!s.e.summary.last_active_ms.has_value()); }},
    {"at_risk", [](const LeagueSource& s) { return CellValue(AtRiskFast(s.e, s.now)); }},
};

// Every column of the declaration has its key here, in the declaration's order (a column the
// declaration does not make sortable is refused before its key would be read).
constexpr bool KeysMatchColumns() {
  if (std::size(kLeagueKeys) != kLeagueColumns.columns.size()) return false;
  for (std::size_t i = 0; i < std::size(kLeagueKeys); ++i) {
    if (kLeagueKeys[i].column != kLeagueColumns.columns[i].name) return false;
  }
  return true;
}
static_assert(KeysMatchColumns(), "kLeagueKeys must follow kLeagueColumns");

constexpr std::size_t kRankColumn = *kLeagueColumns.IndexOf("rank");

}  // namespace

Result<Table<LeagueRow>> UserLeagueOf(const AccountState& a, const CourseState& c,
                                      const TableQuery& query, const KeyFilter& only, Instant now) {
  int group = -1;
  if (query.group) {
    auto it = a.group_of.find(*query.group);
    if (it == a.group_of.end()) {
      return Status::NotFound("group '" + *query.group + "' is unknown");
    }
    group = it->second;
  }
  const Result<std::size_t> column = SortableColumn(kLeagueColumns, query.sort);
  if (!column.ok()) return column.status();
  std::shared_ptr<const NameOrder> names;
  std::shared_ptr<const RankOrder> ranks;
  {
    MutexLock cache(c.cache_mutex);
    names = NamesOf(a, c);
    ranks = RanksOf(c, *names);
  }
  // The rows that pass the filters, in rank order (so numbered by it), as small keys: only the
  // page's rows are built. Ties in a column fall to name then key: the row's name position.
  struct Pick {
    std::int64_t key = 0;  // the column's SortKey: its number (the league's have no bytes)
    std::uint32_t tie = 0, e = 0, rank = 0;
    bool null = false;  // the SortKey's null
  };
  std::vector<Pick> picks;
  picks.reserve(ranks->by_rank.size());
  // A search is answered from the folded names first, so only matching people are looked at.
  const std::vector<char> matches =
      query.q.empty() ? std::vector<char>() : NameMatches(*names, query.q);
  for (std::uint32_t e : ranks->by_rank) {
    if (!matches.empty() && matches[e] == 0) continue;
    const Enrolled& en = c.enrolled[e];
    const UserState& u = a.users[static_cast<std::size_t>(en.user)];
    if (u.active != query.active || !only.Allows(u.key)) continue;
    if (group >= 0 && !std::binary_search(u.groups.begin(), u.groups.end(), group)) continue;
    if (!PassesFigures(en, query, now)) continue;
    Pick p;
    p.e = e;
    p.tie = names->name_pos[e];
    p.rank = static_cast<std::uint32_t>(picks.size()) + 1;
    picks.push_back(p);
  }
  Table<LeagueRow> out;
  out.total = picks.size();
  const Page page = PageOf(picks.size(), query.offset, query.limit);
  if (column.value() == kRankColumn) {
    // Already in rank order; ranks are distinct, so descending is the reverse.
    if (query.descending) std::reverse(picks.begin(), picks.end());
  } else {
    const ColumnInfo& by = kLeagueColumns.columns[column.value()];
    const SortRule rule = by.sort == SortRule::kBytes ? SortRule::kNumber : by.sort;
    const LeagueValue value = kLeagueKeys[column.value()].value;
    for (Pick& p : picks) {
      const SortKey key = MakeSortKey(rule, value({c.enrolled[p.e], *names, p.e, p.rank, now}));
      p.key = key.number;
      p.null = key.null;
    }
    const bool desc = query.descending;
    auto less = [desc](const Pick& x, const Pick& y) {
      if (const int order = CompareNumbers(x.null, x.key, y.null, y.key, desc); order != 0) {
        return order < 0;
      }
      return x.tie < y.tie;
    };
    std::partial_sort(picks.begin(), picks.begin() + static_cast<std::ptrdiff_t>(page.end),
                      picks.end(), less);
  }
  out.rows.reserve(page.end - page.first);
  for (std::size_t i = page.first; i < page.end; ++i) {
    LeagueRow r = MakeLeagueRow(a, c.enrolled[picks[i].e], now);
    r.rank = picks[i].rank;
    out.rows.push_back(std::move(r));
  }
  return out;
}

}  // namespace cohort::metrics

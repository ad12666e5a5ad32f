// The read side of the engine: every view of SPEC §4.1, computed from the per-enrollment state
// in O(users in the course) (plus a sort), under the shared lock.
#include <algorithm>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "metrics/engine.h"
#include "metrics/engine_state.h"
#include "metrics/exact_sum.h"
#include "metrics/table_sort.h"

namespace cohort::metrics {
namespace {

const AccountState* Account(const Engine::State& s, std::string_view key) {
  auto it = s.accounts.find(std::string(key));
  return it == s.accounts.end() ? nullptr : it->second.get();
}

const CourseState* Course(const AccountState& a, std::string_view key) {
  auto it = a.course_of.find(std::string(key));
  return it == a.course_of.end() ? nullptr : a.courses[static_cast<std::size_t>(it->second)].get();
}

// Pooled figures of one enrollment over the course's live exercises.
using Pooled = UserCourse::Totals;

const Pooled& Pool(const CourseState&, const UserCourse& uc) { return uc.totals(); }

// The scanning views (all courses, course, leagues, report) read the enrollment's summary, a
// copy refreshed after every change, instead of recomputing from the cells.
const Pooled& PoolOf(const Enrolled& e) { return e.summary.totals; }
std::optional<Certification> HeldFast(const Enrolled& e, Instant now) {
  const UserCourse::Summary& s = e.summary;
  if (!e.imported.empty() || (s.latest_cert && s.latest_cert->issued_at > now)) {
    return e.state->HeldAt(now, e.imported);
  }
  if (s.latest_cert && (!s.latest_cert->expires_at || now < *s.latest_cert->expires_at)) {
    return s.latest_cert;
  }
  return std::nullopt;
}
bool AtRiskFast(const Enrolled& e, Instant now) {
  const UserCourse::Summary& s = e.summary;
  if (s.completed_ms) return false;
  const std::int64_t since = s.last_active_ms ? *s.last_active_ms : s.enrolled_ms;
  return now.ms - since >= s.at_risk_ms;
}

std::optional<double> ChapterMastery(const CourseState& c, const UserCourse& uc, std::size_t ch) {
  const std::vector<int>& slots = c.shape.chapter_slots[ch];
  if (slots.empty()) return std::nullopt;
  double sum = 0;
  for (int slot : slots)
    sum += uc.Cell(static_cast<std::size_t>(slot)).mastery.Value(c.shape.settings);
  return sum / static_cast<double>(slots.size());
}

LeagueRow MakeLeagueRow(const AccountState& a, const CourseState&, const Enrolled& e, Instant now) {
  const UserState& u = a.users[static_cast<std::size_t>(e.user)];
  const UserCourse::Summary& sm = e.summary;
  LeagueRow r;
  r.user = u.key;
  r.name = u.name;
  r.mastery = sm.mastery;
  r.progress = sm.progress;
  if (sm.completed_ms) r.completed_at = Instant{*sm.completed_ms};
  r.completed = r.completed_at.has_value();
  if (std::optional<Certification> held = HeldFast(e, now)) {
    r.certified = true;
    r.certified_at = held->issued_at;
  }
  const Pooled& p = PoolOf(e);
  r.score = p.score();
  r.points = p.points;
  r.time_ms = p.time_ms;
  if (sm.last_active_ms) r.last_active = Instant{*sm.last_active_ms};
  r.at_risk = AtRiskFast(e, now);
  r.active = u.active;
  return r;
}

// A restriction to some keys (a group manager's members or groups), looked up in O(1) so that a
// restricted view stays O(users in the course). Borrows `only`'s strings.
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

template <typename Row>
std::string_view RowName(const Row& r) {
  return r.name;
}
std::string_view LeagueKey(const LeagueRow& r) { return r.user; }
std::string_view GroupKey(const GroupRow& r) { return r.group; }
std::string_view CourseTitle(const AllCoursesRow& r) { return r.title; }
std::string_view CourseKey(const AllCoursesRow& r) { return r.course; }
std::string_view ReportName(const ReportRow& r) { return r.name; }
std::string_view ReportKey(const ReportRow& r) { return r.user; }

const Columns<LeagueRow>& LeagueColumns() {
  static const Columns<LeagueRow> columns = {
      {"rank", [](const LeagueRow& r) { return SortValue(r.rank); }},
      {"user", [](const LeagueRow& r) { return SortValue(std::string_view(r.user)); }},
      {"name", [](const LeagueRow& r) { return SortValue(std::string_view(r.name)); }},
      {"mastery", [](const LeagueRow& r) { return SortValue(r.mastery); }},
      {"progress", [](const LeagueRow& r) { return SortValue(r.progress); }},
      {"completed", [](const LeagueRow& r) { return SortValue(r.completed); }},
      {"completed_at", [](const LeagueRow& r) { return Nullable(r.completed_at); }},
      {"certified", [](const LeagueRow& r) { return SortValue(r.certified); }},
      {"certified_at", [](const LeagueRow& r) { return Nullable(r.certified_at); }},
      {"score", [](const LeagueRow& r) { return Nullable(r.score); }},
      {"points", [](const LeagueRow& r) { return SortValue(r.points); }},
      {"time", [](const LeagueRow& r) { return SortValue(r.time_ms); }},
      {"last_active", [](const LeagueRow& r) { return Nullable(r.last_active); }},
      {"at_risk", [](const LeagueRow& r) { return SortValue(r.at_risk); }},
  };
  return columns;
}

const Columns<GroupRow>& GroupColumns() {
  static const Columns<GroupRow> columns = {
      {"rank", [](const GroupRow& r) { return SortValue(r.rank); }},
      {"group", [](const GroupRow& r) { return SortValue(std::string_view(r.group)); }},
      {"name", [](const GroupRow& r) { return SortValue(std::string_view(r.name)); }},
      {"users", [](const GroupRow& r) { return SortValue(r.users); }},
      {"mastery", [](const GroupRow& r) { return Nullable(r.mastery); }},
      {"completed", [](const GroupRow& r) { return SortValue(r.completed); }},
      {"certified", [](const GroupRow& r) { return SortValue(r.certified); }},
      {"score", [](const GroupRow& r) { return Nullable(r.score); }},
      {"points", [](const GroupRow& r) { return SortValue(r.points); }},
      {"time", [](const GroupRow& r) { return SortValue(r.time_ms); }},
  };
  return columns;
}

const Columns<AllCoursesRow>& CourseColumns() {
  static const Columns<AllCoursesRow> columns = {
      {"course", [](const AllCoursesRow& r) { return SortValue(std::string_view(r.course)); }},
      {"title", [](const AllCoursesRow& r) { return SortValue(std::string_view(r.title)); }},
      {"users", [](const AllCoursesRow& r) { return SortValue(r.users); }},
      {"mastery", [](const AllCoursesRow& r) { return Nullable(r.mastery); }},
      {"certified", [](const AllCoursesRow& r) { return SortValue(r.certified); }},
      {"completed", [](const AllCoursesRow& r) { return SortValue(r.completed); }},
      {"at_risk", [](const AllCoursesRow& r) { return SortValue(r.at_risk); }},
      {"score", [](const AllCoursesRow& r) { return Nullable(r.score); }},
  };
  return columns;
}

const Columns<ReportRow>& ReportColumns() {
  static const Columns<ReportRow> columns = {
      {"user", [](const ReportRow& r) { return SortValue(std::string_view(r.user)); }},
      {"name", [](const ReportRow& r) { return SortValue(std::string_view(r.name)); }},
      {"email", [](const ReportRow& r) { return SortValue(std::string_view(r.email)); }},
      {"course", [](const ReportRow& r) { return SortValue(std::string_view(r.course)); }},
      {"title", [](const ReportRow& r) { return SortValue(std::string_view(r.title)); }},
      {"mastery", [](const ReportRow& r) { return SortValue(r.mastery); }},
      {"progress", [](const ReportRow& r) { return SortValue(r.progress); }},
      {"completed_at", [](const ReportRow& r) { return Nullable(r.completed_at); }},
      {"certified_at", [](const ReportRow& r) { return Nullable(r.certified_at); }},
      {"score", [](const ReportRow& r) { return Nullable(r.score); }},
      {"points", [](const ReportRow& r) { return SortValue(r.points); }},
      {"time", [](const ReportRow& r) { return SortValue(r.time_ms); }},
      {"attempts", [](const ReportRow& r) { return SortValue(r.attempts); }},
      {"hints", [](const ReportRow& r) { return SortValue(r.hints); }},
      {"last_active", [](const ReportRow& r) { return Nullable(r.last_active); }},
  };
  return columns;
}

// Assigns rank = position by mastery descending, ties by name then key.
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
  std::vector<std::size_t> order(rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = keys[i].index;
  for (std::size_t i = 0; i < order.size(); ++i) {
    rows[order[i]].rank = static_cast<std::int64_t>(i + 1);
  }
}

// The Course view for everyone, from the course's running totals.
CourseView CourseFromTotals(const AccountState& a, const CourseState& c, Instant now,
                            CourseView v) {
  const CourseTotals& t = c.totals;
  v.users = t.users;
  v.mastery = t.mastery.Mean(t.users);
  v.certified = t.Certified(now);
  v.completed = t.completed;
  v.at_risk = t.AtRisk(now);
  v.score = t.score.Mean(t.scored);
  v.points = t.points;
  v.time_ms = t.time_ms;
  if (v.users > 0) v.avg_time_ms = static_cast<double>(v.time_ms) / static_cast<double>(v.users);
  for (std::size_t ch = 0; ch < c.chapter_keys.size(); ++ch) {
    ChapterFigure f{c.chapter_keys[ch], c.chapter_titles[ch], std::nullopt};
    if (!c.shape.chapter_slots[ch].empty()) {
      f.mastery = ch < t.chapters.size() ? t.chapters[ch].Mean(v.users) : ExactSum().Mean(v.users);
    }
    v.chapters.push_back(std::move(f));
  }
  // The weekly series (SPEC §3.8) from the week of the earliest response to the current one.
  if (t.first_weeks.empty()) return v;
  const std::int64_t first = t.first_weeks.begin()->first;
  const std::int64_t current = WeekOfLocalDay(a.zone->LocalDay(now));
  if (current < first) return v;
  v.weekly.reserve(static_cast<std::size_t>((current - first) / 7 + 1));
  ExactSum sum;
  std::int64_t counted = 0;
  auto next = t.weeks.begin();
  for (std::int64_t week = first; week <= current; week += 7) {
    for (; next != t.weeks.end() && next->first <= week; ++next) {
      sum.Add(next->second.change);
      counted += next->second.joined;
    }
    v.weekly.push_back({week, sum.Mean(counted)});
  }
  return v;
}

// The course's enrollments by name and by key, cached until the roster changes. Requires
// c.cache_mutex held.
std::shared_ptr<const NameOrder> NamesOf(const AccountState& a, const CourseState& c) {
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
  names->folded_start.reserve(n + 1);
  for (std::size_t e = 0; e < n; ++e) {
    names->folded_start.push_back(static_cast<std::uint32_t>(names->folded.size()));
    for (const char ch : user(static_cast<std::uint32_t>(e)).name) names->folded += FoldAscii(ch);
    names->folded += '\0';
  }
  names->folded_start.push_back(static_cast<std::uint32_t>(names->folded.size()));
  c.names = names;
  return names;
}

// Which enrollments' names contain `q` (ContainsFolded), from the folded names in one pass.
std::vector<char> NameMatches(const NameOrder& names, std::string_view q) {
  const std::size_t n = names.folded_start.size() - 1;
  std::vector<char> match(n, 0);
  std::string needle(q);
  for (char& ch : needle) ch = FoldAscii(ch);
  const std::string_view hay = names.folded;
  if (needle.find('\0') != std::string::npos) {
    // The separator itself: name by name.
    for (std::size_t e = 0; e < n; ++e) {
      const std::size_t from = names.folded_start[e], to = names.folded_start[e + 1] - 1;
      match[e] = hay.substr(from, to - from).find(needle) != std::string_view::npos ? 1 : 0;
    }
    return match;
  }
  std::size_t at = 0;
  while ((at = hay.find(needle, at)) != std::string_view::npos) {
    // The name holding the match's first byte; the match cannot run past its '\0'.
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
// instead of a sort. Requires c.cache_mutex held.
std::shared_ptr<const RankOrder> RanksOf(const CourseState& c, const NameOrder& names) {
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

// The account's user indexes of `keys` (unknown ones left out, each once): a manager's members,
// so that a restricted view walks them rather than every enrollment.
std::vector<int> MemberIndexes(const AccountState& a, const std::vector<std::string>& keys) {
  std::vector<int> out;
  out.reserve(keys.size());
  for (const std::string& key : keys) {
    auto it = a.user_of.find(key);
    if (it != a.user_of.end()) out.push_back(it->second);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// The enrollments in `c` of those members whose user is active.
std::vector<const Enrolled*> ActiveMembers(const AccountState& a, const CourseState& c,
                                           const std::vector<int>& members) {
  std::vector<const Enrolled*> out;
  for (int u : members) {
    const Enrolled* e = c.Find(u);
    if (e != nullptr && a.users[static_cast<std::size_t>(u)].active) out.push_back(e);
  }
  return out;
}

enum class LeagueColumn {
  kRank,
  kUser,
  kName,
  kMastery,
  kProgress,
  kCompleted,
  kCompletedAt,
  kCertified,
  kCertifiedAt,
  kScore,
  kPoints,
  kTime,
  kLastActive,
  kAtRisk
};

std::optional<LeagueColumn> LeagueColumnOf(const std::string& name) {
  static const std::unordered_map<std::string, LeagueColumn> kColumns = {
      {"rank", LeagueColumn::kRank},
      {"user", LeagueColumn::kUser},
      {"name", LeagueColumn::kName},
      {"mastery", LeagueColumn::kMastery},
      {"progress", LeagueColumn::kProgress},
      {"completed", LeagueColumn::kCompleted},
      {"completed_at", LeagueColumn::kCompletedAt},
      {"certified", LeagueColumn::kCertified},
      {"certified_at", LeagueColumn::kCertifiedAt},
      {"score", LeagueColumn::kScore},
      {"points", LeagueColumn::kPoints},
      {"time", LeagueColumn::kTime},
      {"last_active", LeagueColumn::kLastActive},
      {"at_risk", LeagueColumn::kAtRisk},
  };
  auto it = kColumns.find(name);
  if (it == kColumns.end()) return std::nullopt;
  return it->second;
}

}  // namespace

Result<Table<AllCoursesRow>> Engine::AllCourses(std::string_view account, Instant now,
                                                const std::vector<std::string>* only_users) const {
  ReaderLock lock(mutex_);
  const AccountState* a = Account(*state_, account);
  if (a == nullptr) return Status::NotFound("no such account");
  Table<AllCoursesRow> out;
  if (only_users == nullptr) {
    // Everyone: each course's running totals, O(courses · log users).
    for (const auto& cp : a->courses) {
      const CourseTotals& t = cp->totals;
      if (t.users == 0) continue;
      out.rows.push_back({cp->key, cp->title, t.users, t.mastery.Mean(t.users), t.Certified(now),
                          t.completed, t.AtRisk(now), t.score.Mean(t.scored)});
    }
    out.total = out.rows.size();
    Status s = SortRows(out.rows, CourseColumns(), "title", false, &CourseTitle, &CourseKey);
    if (!s.ok()) return s;
    return out;
  }
  // A manager's members: their enrollments, course by course (the sums are exact, so the order
  // they are added in does not matter).
  const std::vector<int> members = MemberIndexes(*a, *only_users);
  for (const auto& cp : a->courses) {
    const CourseState& c = *cp;
    AllCoursesRow row{c.key, c.title, 0, std::nullopt, 0, 0, 0, std::nullopt};
    ExactSum mastery, score;
    std::int64_t scored = 0;
    for (const Enrolled* member : ActiveMembers(*a, c, members)) {
      const Enrolled& e = *member;
      ++row.users;
      mastery.Add(e.summary.mastery);
      if (e.summary.completed_ms) ++row.completed;
      if (HeldFast(e, now)) ++row.certified;
      if (AtRiskFast(e, now)) ++row.at_risk;
      if (std::optional<double> s = PoolOf(e).score()) {
        score.Add(*s);
        ++scored;
      }
    }
    if (row.users == 0) continue;
    row.mastery = mastery.Mean(row.users);
    row.score = score.Mean(scored);
    out.rows.push_back(std::move(row));
  }
  out.total = out.rows.size();
  Status s = SortRows(out.rows, CourseColumns(), "title", false, &CourseTitle, &CourseKey);
  if (!s.ok()) return s;
  return out;
}

Status ArrangeAllCourses(Table<AllCoursesRow>& table, const TableQuery& query) {
  if (!query.q.empty()) {
    std::erase_if(table.rows, [&](const AllCoursesRow& r) {
      return !ContainsFolded(r.title, query.q) && !ContainsFolded(r.course, query.q);
    });
  }
  table.total = table.rows.size();
  // TableQuery's default sort, "rank", is the view's default order here: by title.
  const std::string& sort = query.sort == "rank" ? std::string("title") : query.sort;
  return SortRows(table.rows, CourseColumns(), sort, query.descending, &CourseTitle, &CourseKey,
                  query.offset, query.limit);
}

Result<CourseView> Engine::Course(std::string_view account, std::string_view course, Instant now,
                                  const std::vector<std::string>* only_users) const {
  ReaderLock lock(mutex_);
  const AccountState* a = Account(*state_, account);
  if (a == nullptr) return Status::NotFound("no such account");
  const CourseState* c = metrics::Course(*a, course);
  if (c == nullptr) return Status::NotFound("course '" + std::string(course) + "' is unknown");
  CourseView v;
  v.course = c->key;
  v.title = c->title;
  v.settings = c->shape.settings;
  if (only_users == nullptr) return CourseFromTotals(*a, *c, now, std::move(v));
  // A manager's members: their enrollments (exact sums: in any order).
  ExactSum mastery, score;
  std::int64_t scored = 0;
  std::vector<ExactSum> chapter_sum(c->chapter_keys.size());
  const std::vector<const Enrolled*> counted =
      ActiveMembers(*a, *c, MemberIndexes(*a, *only_users));
  for (const Enrolled* member : counted) {
    const Enrolled& e = *member;
    ++v.users;
    mastery.Add(e.summary.mastery);
    if (e.summary.completed_ms) ++v.completed;
    if (HeldFast(e, now)) ++v.certified;
    if (AtRiskFast(e, now)) ++v.at_risk;
    const Pooled p = PoolOf(e);
    if (std::optional<double> s = p.score()) {
      score.Add(*s);
      ++scored;
    }
    v.points += p.points;
    v.time_ms += p.time_ms;
  }
  v.mastery = mastery.Mean(v.users);
  v.score = score.Mean(scored);
  if (v.users > 0) v.avg_time_ms = static_cast<double>(v.time_ms) / static_cast<double>(v.users);
  // Weekly series (SPEC §3.8), from the week of the earliest response.
  std::optional<std::int64_t> first;
  for (const Enrolled* e : counted) {
    const std::optional<std::int64_t>& w = e->summary.first_week;
    if (w && (!first || *w < *first)) first = w;
  }
  const std::int64_t current = WeekOfLocalDay(a->zone->LocalDay(now));
  const std::size_t weeks =
      first && current >= *first ? static_cast<std::size_t>((current - *first) / 7 + 1) : 0;
  std::vector<ExactSum> change(weeks);
  std::vector<std::int64_t> joined(weeks, 0);
  // One pass over the users' own arrays (chapter sums, weekly steps), fetched a few users ahead:
  // they sit behind two pointers, and waiting for memory is most of this view's time.
  constexpr std::size_t kAhead = 8;
  for (std::size_t i = 0; i < counted.size(); ++i) {
    if (i + kAhead < counted.size()) __builtin_prefetch(counted[i + kAhead]->state.get());
    if (i + kAhead / 2 < counted.size()) counted[i + kAhead / 2]->state->PrefetchForViews();
    const UserCourse& uc = *counted[i]->state;
    for (std::size_t ch = 0; ch < chapter_sum.size(); ++ch) {
      const std::size_t n = c->shape.chapter_slots[ch].size();
      chapter_sum[ch].Add(n == 0 ? 0.0 : uc.ChapterSum(ch) / static_cast<double>(n));
    }
    if (weeks == 0) continue;
    // Each user's mastery at the end of week w is a step function of w; the series adds up
    // its changes (exactly: ExactSum is integer arithmetic), O(users × steps + weeks). A user
    // counts from the week they enrolled (the series' first week at the earliest).
    const std::int64_t enrolled_week = counted[i]->summary.enrolled_week;
    const std::size_t from =
        enrolled_week <= *first ? 0 : static_cast<std::size_t>((enrolled_week - *first) / 7);
    if (from >= weeks) continue;
    ++joined[from];
    double value = 0;  // after the step being walked
    double start = 0;  // at the end of week `from`
    uc.ForEachWeekStep([&](std::int64_t week_day, double at_week_end) {
      const auto w = static_cast<std::size_t>((week_day - *first) / 7);
      if (w >= weeks) return;
      if (w > from) {
        change[w].Add(at_week_end);
        change[w].Add(-value);
      } else {
        start = at_week_end;
      }
      value = at_week_end;
    });
    change[from].Add(start);
  }
  for (std::size_t ch = 0; ch < chapter_sum.size(); ++ch) {
    ChapterFigure f{c->chapter_keys[ch], c->chapter_titles[ch], std::nullopt};
    if (!c->shape.chapter_slots[ch].empty()) f.mastery = chapter_sum[ch].Mean(v.users);
    v.chapters.push_back(std::move(f));
  }
  if (weeks > 0) {
    std::vector<ExactSum> sums(weeks);
    std::vector<std::int64_t> counts(weeks, 0);
    for (std::size_t w = 0; w < weeks; ++w) {
      if (w > 0) {
        sums[w] = sums[w - 1];
        counts[w] = counts[w - 1];
      }
      sums[w].Add(change[w]);
      counts[w] += joined[w];
    }
    for (std::size_t w = 0; w < weeks; ++w) {
      v.weekly.push_back({*first + static_cast<std::int64_t>(w) * 7, sums[w].Mean(counts[w])});
    }
  }
  return v;
}

Result<Table<LeagueRow>> Engine::UserLeague(std::string_view account, std::string_view course,
                                            const TableQuery& query, Instant now) const {
  const KeyFilter only(query.only_users);  // built before the lock: readers hold it briefly
  ReaderLock lock(mutex_);
  const AccountState* a = Account(*state_, account);
  if (a == nullptr) return Status::NotFound("no such account");
  const CourseState* c = metrics::Course(*a, course);
  if (c == nullptr) return Status::NotFound("course '" + std::string(course) + "' is unknown");
  int group = -1;
  if (query.group) {
    auto it = a->group_of.find(*query.group);
    if (it == a->group_of.end()) {
      return Status::NotFound("group '" + *query.group + "' is unknown");
    }
    group = it->second;
  }
  const std::optional<LeagueColumn> column = LeagueColumnOf(query.sort);
  if (!column) {
    std::vector<LeagueRow> none;  // SortRows words the error, listing the columns
    return SortRows(none, LeagueColumns(), query.sort, query.descending, &RowName<LeagueRow>,
                    &LeagueKey);
  }
  std::shared_ptr<const NameOrder> names;
  std::shared_ptr<const RankOrder> ranks;
  {
    std::lock_guard cache(c->cache_mutex);
    names = NamesOf(*a, *c);
    ranks = RanksOf(*c, *names);
  }
  // The rows that pass the filters, in rank order (so numbered by it), as small keys: only the
  // page's rows are built. Ties in a column fall to name then key: the row's name position.
  struct Pick {
    double d = 0;
    std::int64_t i = 0;
    bool null = false;
    std::uint32_t tie = 0, e = 0;
    std::int64_t rank = 0;
  };
  std::vector<Pick> picks;
  picks.reserve(ranks->by_rank.size());
  // A search is answered from the folded names first, so only matching people are looked at.
  const std::vector<char> matches =
      query.q.empty() ? std::vector<char>() : NameMatches(*names, query.q);
  for (std::uint32_t e : ranks->by_rank) {
    if (!matches.empty() && matches[e] == 0) continue;
    const Enrolled& en = c->enrolled[e];
    const UserState& u = a->users[static_cast<std::size_t>(en.user)];
    if (u.active != query.active || !only.Allows(u.key)) continue;
    if (group >= 0 && !std::binary_search(u.groups.begin(), u.groups.end(), group)) continue;
    if (query.completed && en.summary.completed_ms.has_value() != *query.completed) continue;
    if (query.certified && HeldFast(en, now).has_value() != *query.certified) continue;
    if (query.at_risk && AtRiskFast(en, now) != *query.at_risk) continue;
    Pick p;
    p.e = e;
    p.tie = names->name_pos[e];
    p.rank = static_cast<std::int64_t>(picks.size()) + 1;
    picks.push_back(p);
  }
  Table<LeagueRow> out;
  out.total = picks.size();
  const std::size_t first = std::min(query.offset, picks.size());
  const std::size_t end = first + std::min(query.limit, picks.size() - first);
  if (*column == LeagueColumn::kRank) {
    // Already in rank order; ranks are distinct, so descending is the reverse.
    if (query.descending) std::reverse(picks.begin(), picks.end());
  } else {
    for (Pick& p : picks) {
      const Enrolled& en = c->enrolled[p.e];
      const UserCourse::Summary& sm = en.summary;
      switch (*column) {
        case LeagueColumn::kRank:
          break;
        case LeagueColumn::kUser:
          p.i = names->key_pos[p.e];
          break;
        case LeagueColumn::kName:
          p.i = names->name_rank[p.e];
          break;
        case LeagueColumn::kMastery:
          p.d = SortableFraction(sm.mastery);
          break;
        case LeagueColumn::kProgress:
          p.d = SortableFraction(sm.progress);
          break;
        case LeagueColumn::kCompleted:
          p.i = sm.completed_ms.has_value();
          break;
        case LeagueColumn::kCompletedAt:
          p.null = !sm.completed_ms;
          p.i = sm.completed_ms.value_or(0);
          break;
        case LeagueColumn::kCertified:
          p.i = HeldFast(en, now).has_value();
          break;
        case LeagueColumn::kCertifiedAt: {
          const std::optional<Certification> held = HeldFast(en, now);
          p.null = !held;
          p.i = held ? held->issued_at.ms : 0;
          break;
        }
        case LeagueColumn::kScore: {
          const std::optional<double> score = sm.totals.score();
          p.null = !score;
          p.d = score ? SortableFraction(*score) : 0.0;
          break;
        }
        case LeagueColumn::kPoints:
          p.i = sm.totals.points;
          break;
        case LeagueColumn::kTime:
          p.i = sm.totals.time_ms;
          break;
        case LeagueColumn::kLastActive:
          p.null = !sm.last_active_ms;
          p.i = sm.last_active_ms.value_or(0);
          break;
        case LeagueColumn::kAtRisk:
          p.i = AtRiskFast(en, now);
          break;
      }
    }
    // As SortRows: nulls last in both directions, then the value, then name and key ascending.
    const bool desc = query.descending;
    auto less = [desc](const Pick& x, const Pick& y) {
      if (x.null != y.null) return y.null;
      if (!x.null && (x.d != y.d || x.i != y.i)) {
        const bool x_first = x.d != y.d ? x.d < y.d : x.i < y.i;
        return desc ? !x_first : x_first;
      }
      return x.tie < y.tie;
    };
    std::partial_sort(picks.begin(), picks.begin() + static_cast<std::ptrdiff_t>(end), picks.end(),
                      less);
  }
  out.rows.reserve(end - first);
  for (std::size_t i = first; i < end; ++i) {
    LeagueRow r = MakeLeagueRow(*a, *c, c->enrolled[picks[i].e], now);
    r.rank = picks[i].rank;
    out.rows.push_back(std::move(r));
  }
  return out;
}

Result<Table<GroupRow>> Engine::GroupLeague(std::string_view account, std::string_view course,
                                            const TableQuery& query, Instant now,
                                            const std::vector<std::string>* only_groups) const {
  const KeyFilter only(only_groups);  // built before the lock: readers hold it briefly
  ReaderLock lock(mutex_);
  const AccountState* a = Account(*state_, account);
  if (a == nullptr) return Status::NotFound("no such account");
  const CourseState* c = metrics::Course(*a, course);
  if (c == nullptr) return Status::NotFound("course '" + std::string(course) + "' is unknown");
  struct Acc {
    std::int64_t users = 0, completed = 0, certified = 0, points = 0, time_ms = 0, scored = 0;
    ExactSum mastery, score;
  };
  std::vector<Acc> acc(a->groups.size());
  for (const Enrolled& e : c->enrolled) {
    const UserState& u = a->users[static_cast<std::size_t>(e.user)];
    if (!u.active || u.groups.empty()) continue;
    const double m = e.summary.mastery;
    const bool completed = e.summary.completed_ms.has_value();
    const bool certified = HeldFast(e, now).has_value();
    const Pooled p = PoolOf(e);
    for (int g : u.groups) {
      Acc& x = acc[static_cast<std::size_t>(g)];
      ++x.users;
      x.mastery.Add(m);
      x.completed += completed;
      x.certified += certified;
      x.points += p.points;
      x.time_ms += p.time_ms;
      if (std::optional<double> s = p.score()) {
        x.score.Add(*s);
        ++x.scored;
      }
    }
  }
  Table<GroupRow> out;
  for (std::size_t g = 0; g < acc.size(); ++g) {
    const Acc& x = acc[g];
    const GroupState& gs = a->groups[g];
    if (x.users == 0 || !only.Allows(gs.key) || !ContainsFolded(gs.name, query.q)) continue;
    out.rows.push_back({0, gs.key, gs.name, x.users, x.mastery.Mean(x.users), x.completed,
                        x.certified, x.score.Mean(x.scored), x.points, x.time_ms});
  }
  out.total = out.rows.size();
  AssignRanks(
      out.rows, [](const GroupRow& r) { return r.mastery; }, &GroupKey);
  Status s = SortRows(out.rows, GroupColumns(), query.sort, query.descending, &RowName<GroupRow>,
                      &GroupKey, query.offset, query.limit);
  if (!s.ok()) return s;
  return out;
}

Result<UserCourseView> Engine::UserInCourse(std::string_view account, std::string_view course,
                                            std::string_view user, Instant now) const {
  ReaderLock lock(mutex_);
  const AccountState* a = Account(*state_, account);
  if (a == nullptr) return Status::NotFound("no such account");
  const CourseState* c = metrics::Course(*a, course);
  if (c == nullptr) return Status::NotFound("course '" + std::string(course) + "' is unknown");
  auto u = a->user_of.find(std::string(user));
  const Enrolled* e = u == a->user_of.end() ? nullptr : c->Find(u->second);
  if (e == nullptr) {
    return Status::NotFound("user '" + std::string(user) + "' is not enrolled in '" +
                            std::string(course) + "'");
  }
  const LeagueRow r = MakeLeagueRow(*a, *c, *e, now);
  const Pooled p = Pool(*c, *e->state);
  UserCourseView v;
  v.user = r.user;
  v.name = r.name;
  v.course = c->key;
  v.title = c->title;
  v.mastery = r.mastery;
  v.progress = r.progress;
  v.completed = r.completed;
  v.completed_at = r.completed_at;
  v.certified = r.certified;
  v.certified_at = r.certified_at;
  v.score = r.score;
  v.points = r.points;
  v.time_ms = r.time_ms;
  v.attempts = p.attempts;
  v.hints = p.hints;
  v.last_active = r.last_active;
  v.at_risk = r.at_risk;
  v.enrolled_at = e->state->enrolled_at;
  v.certifications = e->state->certifications();
  for (const Certification& cert : e->imported) v.certifications.push_back(cert);
  std::sort(
      v.certifications.begin(), v.certifications.end(),
      [](const Certification& x, const Certification& y) { return x.issued_at < y.issued_at; });
  v.badges = e->state->Badges(c->shape, c->chapter_keys);
  for (std::size_t ch = 0; ch < c->chapter_keys.size(); ++ch) {
    v.chapters.push_back(
        {c->chapter_keys[ch], c->chapter_titles[ch], ChapterMastery(*c, *e->state, ch)});
  }
  const double threshold = c->shape.settings.ResolvedThreshold();
  for (int slot : c->shape.live_slots) {
    const ExerciseCell& cell = e->state->Cell(static_cast<std::size_t>(slot));
    ExerciseFigure f;
    f.exercise = c->slot_keys[static_cast<std::size_t>(slot)];
    f.title = c->slot_titles[static_cast<std::size_t>(slot)];
    f.chapter = c->chapter_keys[static_cast<std::size_t>(
        c->shape.chapter_of_slot[static_cast<std::size_t>(slot)])];
    f.mastery = cell.mastery.Value(c->shape.settings);
    f.mastered = cell.responses > 0 && MeetsThreshold(f.mastery, threshold);
    if (cell.responses > 0) {
      f.score = static_cast<double>(cell.correct) / static_cast<double>(cell.responses);
    }
    f.attempts = cell.attempts;
    f.hints = cell.hints;
    if (cell.attempts > 0) {
      f.avg_time_ms = static_cast<double>(cell.time_ms) / static_cast<double>(cell.attempts);
      f.last_attempt = Instant{cell.last_started_ms};
    }
    v.exercises.push_back(std::move(f));
  }
  return v;
}

Result<std::vector<HistoryRow>> Engine::History(
    std::string_view account, std::string_view course, std::string_view user,
    std::string_view exercise, const std::vector<domain::Attempt>& attempts) const {
  ReaderLock lock(mutex_);
  const AccountState* a = Account(*state_, account);
  if (a == nullptr) return Status::NotFound("no such account");
  const CourseState* c = metrics::Course(*a, course);
  if (c == nullptr) return Status::NotFound("course '" + std::string(course) + "' is unknown");
  auto u = a->user_of.find(std::string(user));
  if (u == a->user_of.end() || c->Find(u->second) == nullptr) {
    return Status::NotFound("user '" + std::string(user) + "' is not enrolled in '" +
                            std::string(course) + "'");
  }
  auto slot = c->slot_of.find(std::string(exercise));
  if (slot == c->slot_of.end() ||
      c->shape.chapter_of_slot[static_cast<std::size_t>(slot->second)] < 0) {
    return Status::NotFound("exercise '" + std::string(exercise) + "' is unknown");
  }
  const domain::CourseSettings& s = c->shape.settings;
  std::vector<const domain::Attempt*> mine;
  for (const domain::Attempt& at : attempts) {
    if (at.exercise == exercise) mine.push_back(&at);
  }
  // Replay the cell in SPEC order, noting the mastery after each attempt's last response.
  struct Step {
    OrderKey key;
    std::size_t attempt;
    const domain::Response* response;
  };
  std::vector<Step> steps;
  std::vector<std::size_t> remaining(mine.size());
  for (std::size_t i = 0; i < mine.size(); ++i) {
    remaining[i] = mine[i]->responses.size();
    for (std::size_t r = 0; r < mine[i]->responses.size(); ++r) {
      steps.push_back({{mine[i]->responses[r].answered_at.ms, mine[i]->started_at.ms, mine[i]->id,
                        static_cast<std::uint32_t>(r)},
                       i,
                       &mine[i]->responses[r]});
    }
  }
  std::sort(steps.begin(), steps.end(), [](const Step& x, const Step& y) { return x.key < y.key; });
  std::vector<double> after(mine.size(), 0.0);
  std::vector<double> after_prefix{0.0};  // the mastery after the first k responses
  MasteryState m;
  for (const Step& step : steps) {
    m.Apply(CreditOf(step.response->correct, step.response->hints), s);
    after_prefix.push_back(m.Value(s));
    if (--remaining[step.attempt] == 0) after[step.attempt] = m.Value(s);
  }
  // An attempt without responses shows the mastery as it stood at its start: after the responses
  // that sort before one answered at that start (not the previous row's, whose responses may
  // have been answered later, in SPEC order).
  for (std::size_t i = 0; i < mine.size(); ++i) {
    if (!mine[i]->responses.empty()) continue;
    const OrderKey start{mine[i]->started_at.ms, mine[i]->started_at.ms, mine[i]->id, 0};
    const auto first_after =
        std::lower_bound(steps.begin(), steps.end(), start,
                         [](const Step& step, const OrderKey& key) { return step.key < key; });
    after[i] = after_prefix[static_cast<std::size_t>(first_after - steps.begin())];
  }
  std::vector<std::size_t> order(mine.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return std::tie(mine[x]->started_at, mine[x]->id) < std::tie(mine[y]->started_at, mine[y]->id);
  });
  std::vector<HistoryRow> rows;
  for (std::size_t i : order) {
    const domain::Attempt& at = *mine[i];
    HistoryRow row;
    row.attempt = at.id;
    row.started_at = at.started_at;
    std::int64_t duration = 0;
    if (at.finished_at) {
      duration = at.finished_at->ms - at.started_at.ms;
    } else {
      for (const domain::Response& r : at.responses) duration += r.time_ms;
    }
    row.duration_ms = std::min<std::int64_t>(duration, std::int64_t{s.max_attempt_seconds} * 1000);
    for (const domain::Response& r : at.responses) {
      ++row.responses;
      if (r.correct) ++row.correct;
      row.hints += r.hints;
      std::int64_t pts =
          r.points
              ? *r.points
              : (!r.correct ? 0
                            : (r.hints == 0 ? s.points_per_question : s.points_per_question / 2));
      row.points += pts;
      row.detail.push_back({r.question, r.correct, r.hints, r.time_ms, r.answered_at, pts});
    }
    row.incorrect = row.responses - row.correct;
    if (row.responses > 0) {
      row.score = static_cast<double>(row.correct) / static_cast<double>(row.responses);
    }
    row.mastery_after = after[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

namespace {

// The report's (user, course) pairs that pass the query's filters, in the order by person —
// name ascending (or descending with `names_descending`), then key ascending — then course key.
// The order is decided on small entries: users are ranked once, then entries sorted by
// (rank, course), so no row is built or moved to sort.
std::vector<ReportPlan::Entry> PlanEntries(const AccountState& a, const TableQuery& query,
                                           const KeyFilter& only, bool names_descending) {
  std::vector<ReportPlan::Entry> entries;
  std::vector<int> listed;  // users with at least one entry
  std::vector<char> seen(a.users.size(), 0);
  for (std::size_t ci = 0; ci < a.courses.size(); ++ci) {
    for (const Enrolled& e : a.courses[ci]->enrolled) {
      const UserState& u = a.users[static_cast<std::size_t>(e.user)];
      if (!u.active || !only.Allows(u.key) || !ContainsFolded(u.name, query.q)) continue;
      entries.push_back({e.user, static_cast<std::int32_t>(ci)});
      if (!seen[static_cast<std::size_t>(e.user)]) {
        seen[static_cast<std::size_t>(e.user)] = 1;
        listed.push_back(e.user);
      }
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
  row.groups.reserve(u.groups.size());
  for (int g : u.groups) row.groups.push_back(a.groups[static_cast<std::size_t>(g)].key);
  std::sort(row.groups.begin(), row.groups.end());
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
  return row;
}

// Whether the report's order is by person alone (then course): the default, or sort=name/rank.
bool OrderedByName(const TableQuery& query) { return query.sort == "rank" || query.sort == "name"; }

}  // namespace

Result<Table<ReportRow>> Engine::Report(std::string_view account, const TableQuery& query,
                                        Instant now) const {
  const KeyFilter only(query.only_users);  // built before the lock: readers hold it briefly
  ReaderLock lock(mutex_);
  const AccountState* a = Account(*state_, account);
  if (a == nullptr) return Status::NotFound("no such account");
  const bool by_name = OrderedByName(query);
  const std::vector<ReportPlan::Entry> entries =
      PlanEntries(*a, query, only, by_name && query.descending);
  Table<ReportRow> out;
  out.total = entries.size();
  // Ordered by name, only the page's rows are built; another column sorts every row first.
  std::size_t first = 0, last = entries.size();
  if (by_name) {
    first = std::min(query.offset, entries.size());
    last = first + std::min(query.limit, entries.size() - first);
  }
  out.rows.reserve(last - first);
  for (std::size_t i = first; i < last; ++i) {
    const CourseState& c = *a->courses[static_cast<std::size_t>(entries[i].course)];
    out.rows.push_back(MakeReportRow(*a, c, *c.Find(entries[i].user), now));
  }
  if (by_name) return out;
  Status s = SortRows(out.rows, ReportColumns(), query.sort, query.descending, &ReportName,
                      &ReportKey, query.offset, query.limit);
  if (!s.ok()) return s;
  return out;
}

Result<ReportPlan> Engine::PlanReport(std::string_view account, const TableQuery& query) const {
  if (!OrderedByName(query)) {
    return Status::Invalid("only the report's order by name can be planned, not '" + query.sort +
                           "'");
  }
  const KeyFilter only(query.only_users);  // built before the lock: readers hold it briefly
  ReaderLock lock(mutex_);
  const AccountState* a = Account(*state_, account);
  if (a == nullptr) return Status::NotFound("no such account");
  ReportPlan plan;
  plan.entries = PlanEntries(*a, query, only, query.descending);
  plan.total = plan.entries.size();
  const std::size_t first = std::min(query.offset, plan.entries.size());
  const std::size_t last = first + std::min(query.limit, plan.entries.size() - first);
  plan.entries.erase(plan.entries.begin() + static_cast<std::ptrdiff_t>(last), plan.entries.end());
  plan.entries.erase(plan.entries.begin(),
                     plan.entries.begin() + static_cast<std::ptrdiff_t>(first));
  return plan;
}

Result<std::vector<std::optional<ReportRow>>> Engine::ReportRows(std::string_view account,
                                                                 const ReportPlan& plan,
                                                                 std::size_t first,
                                                                 std::size_t count,
                                                                 Instant now) const {
  ReaderLock lock(mutex_);
  const AccountState* a = Account(*state_, account);
  if (a == nullptr) return Status::NotFound("no such account");
  std::vector<std::optional<ReportRow>> rows;
  const std::size_t last =
      std::min(plan.entries.size(), first + std::min(count, plan.entries.size()));
  for (std::size_t i = std::min(first, last); i < last; ++i) {
    const ReportPlan::Entry& entry = plan.entries[i];
    const auto user = static_cast<std::size_t>(entry.user);
    const auto course = static_cast<std::size_t>(entry.course);
    const Enrolled* e =
        user < a->users.size() && a->users[user].active && course < a->courses.size()
            ? a->courses[course]->Find(entry.user)
            : nullptr;
    if (e == nullptr) {
      rows.emplace_back();  // deactivated, erased or unenrolled since the plan
    } else {
      rows.emplace_back(MakeReportRow(*a, *a->courses[course], *e, now));
    }
  }
  return rows;
}

}  // namespace cohort::metrics

// The column declarations (view_columns.h) and the sorting they drive (table_sort.h, the user
// league): every column declared sortable sorts like a plain oracle on random rows — both
// directions, nulls last, ties by the tie-break columns — and any other is refused.
#include "metrics/view_columns.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "metrics/engine.h"
#include "metrics/table_sort.h"
#include "metrics/testing/harness.h"

namespace cohort::metrics {
namespace {

class Random {
 public:
  explicit Random(std::uint64_t seed) : rng_(seed) {}
  std::int64_t Int(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  // Few distinct values, so that rows tie; some differ only in case or by a prefix.
  std::string Text() {
    static const char* const kWords[] = {"Ann", "ann", "Bob", "Bo", "Zoë", "", "Émile", "bob"};
    return kWords[Int(0, 7)];
  }
  std::string Key() { return "k" + std::to_string(Int(0, 5)); }
  // A fraction on a coarse grid, a few last bits off now and then: equal at 1e-9, so they tie.
  double Fraction() {
    const double grid = static_cast<double>(Int(0, 4)) / 4.0;
    return Chance(0.3) ? std::max(0.0, grid + (Chance(0.5) ? 1e-13 : -1e-13)) : grid;
  }
  std::optional<double> MaybeFraction() {
    return Chance(0.25) ? std::nullopt : std::optional<double>(Fraction());
  }
  std::int64_t Count() { return Int(0, 4); }
  Instant Moment() { return Instant{1'773'144'000'000 + Int(0, 3) * 60'000}; }
  std::optional<Instant> MaybeMoment() {
    return Chance(0.3) ? std::nullopt : std::optional<Instant>(Moment());
  }
  bool Bool() { return Chance(0.5); }

 private:
  std::mt19937_64 rng_;
};

// Random rows of each table type.
AllCoursesRow RandomRow(Random& r, const AllCoursesRow*) {
  return {r.Key(),   r.Text(),  r.Count(),    r.MaybeFraction(),
          r.Count(), r.Count(), r.Count(),    r.Fraction(),
          r.MaybeFraction(), {}};
}
LeagueRow RandomRow(Random& r, const LeagueRow*) {
  LeagueRow row;
  row.rank = r.Count();
  row.user = r.Key();
  row.name = r.Text();
  row.email = r.Text() + "@x";
  row.mastery = r.Fraction();
  row.progress = r.Fraction();
  row.completed_at = r.MaybeMoment();
  row.completed = row.completed_at.has_value();
  row.certified_at = r.MaybeMoment();
  row.certified = r.Bool();
  row.score = r.MaybeFraction();
  row.points = r.Count();
  row.time_ms = r.Count() * 500;
  row.enrolled_at = r.Moment();
  row.last_active = r.MaybeMoment();
  row.days_inactive = r.Count();
  row.not_started = !row.last_active.has_value();
  row.at_risk = r.Bool();
  return row;
}
GroupRow RandomRow(Random& r, const GroupRow*) {
  GroupRow row;
  row.rank = r.Count();
  row.group = r.Key();
  row.name = r.Text();
  row.users = r.Count();
  row.mastery = r.MaybeFraction();
  row.completed = r.Count();
  row.certified = r.Count();
  row.at_risk = r.Count();
  row.at_risk_share = r.Fraction();
  row.score = r.MaybeFraction();
  row.points = r.Count();
  row.time_ms = r.Count() * 500;
  row.completed_share = r.Fraction();
  row.certified_share = r.Fraction();
  row.avg_time_ms = static_cast<double>(r.Count()) * 250.5;
  return row;
}
ReportRow RandomRow(Random& r, const ReportRow*) {
  ReportRow row;
  row.user = r.Key();
  row.name = r.Text();
  row.email = r.Text() + "@x";
  for (std::int64_t g = r.Int(0, 2); g > 0; --g) {
    row.groups.push_back(r.Key());
    row.group_names.push_back(r.Text());
  }
  row.course = r.Key();
  row.title = r.Text();
  row.mastery = r.Fraction();
  row.progress = r.Fraction();
  row.completed_at = r.MaybeMoment();
  row.certified_at = r.MaybeMoment();
  row.score = r.MaybeFraction();
  row.points = r.Count();
  row.time_ms = r.Count() * 500;
  row.attempts = r.Count();
  row.hints = r.Count();
  row.last_active = r.MaybeMoment();
  row.at_risk = r.Bool();
  return row;
}
ExerciseFigure RandomRow(Random& r, const ExerciseFigure*) {
  ExerciseFigure row;
  row.exercise = r.Key();
  row.title = r.Text();
  row.chapter = r.Key();
  row.chapter_title = r.Text();
  row.mastery = r.Fraction();
  row.mastered = r.Bool();
  row.score = r.MaybeFraction();
  row.attempts = r.Count();
  row.hints = r.Count();
  if (r.Chance(0.7)) row.avg_time_ms = static_cast<double>(r.Count()) * 333.25;
  row.last_attempt = r.MaybeMoment();
  return row;
}
HistoryRow RandomRow(Random& r, const HistoryRow*) {
  HistoryRow row;
  row.attempt = r.Key();
  row.started_at = r.Moment();
  row.duration_ms = r.Count() * 500;
  row.responses = r.Count();
  row.correct = r.Count();
  row.incorrect = r.Count();
  row.hints = r.Count();
  row.score = r.MaybeFraction();
  row.points = r.Count();
  row.mastery_after = r.Fraction();
  return row;
}

bool IsNull(const CellValue& v) { return std::holds_alternative<std::monostate>(v); }

double AsDouble(const CellValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  return std::get<double>(v);
}

// The oracle's comparison of two non-null cells of a column, ascending, written from SPEC §3.8
// rather than from table_sort.h: bytes, numbers, fractions equal within 1e-9, false first.
int OracleCompare(const ColumnInfo& c, const CellValue& a, const CellValue& b) {
  auto sign = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (c.type) {
    case ColumnType::kText:
    case ColumnType::kKey:
      return sign(std::string(std::get<std::string_view>(a)),
                  std::string(std::get<std::string_view>(b)));
    case ColumnType::kFraction: {
      const double x = std::get<double>(a), y = std::get<double>(b);
      return std::abs(x - y) < 1e-10 ? 0 : sign(x, y);
    }
    case ColumnType::kInteger:
    case ColumnType::kDate:
    case ColumnType::kDuration:
      return sign(AsDouble(a), AsDouble(b));
    case ColumnType::kInstant:
      return sign(std::get<Instant>(a).ms, std::get<Instant>(b).ms);
    case ColumnType::kBool:
      return sign(std::get<bool>(a) ? 1 : 0, std::get<bool>(b) ? 1 : 0);
    case ColumnType::kKeyList:
      break;
  }
  ADD_FAILURE() << "column " << c.name << " cannot be compared";
  return 0;
}

// Nulls last in both directions.
int OracleCompareCells(const ColumnInfo& c, const CellValue& a, const CellValue& b) {
  if (IsNull(a) || IsNull(b)) return IsNull(a) == IsNull(b) ? 0 : (IsNull(a) ? 1 : -1);
  return OracleCompare(c, a, b);
}

template <typename Row>
std::vector<Row> OracleSort(std::vector<Row> rows, const ColumnTable<Row>& table,
                            const ViewColumn<Row>& by, bool descending, std::size_t offset,
                            std::size_t limit) {
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& x, const Row& y) {
    const CellValue a = by.value(x), b = by.value(y);
    if (IsNull(a) != IsNull(b)) return IsNull(b);
    if (!IsNull(a)) {
      const int c = OracleCompare(by, a, b);
      if (c != 0) return descending ? c > 0 : c < 0;
    }
    for (const std::string_view name : table.tie_break) {
      const ViewColumn<Row>& tie = *table.Find(name);
      const int c = OracleCompareCells(tie, tie.value(x), tie.value(y));
      if (c != 0) return c < 0;
    }
    return false;
  });
  const std::size_t first = std::min(offset, rows.size());
  const std::size_t end = first + std::min(limit, rows.size() - first);
  return std::vector<Row>(rows.begin() + static_cast<std::ptrdiff_t>(first),
                          rows.begin() + static_cast<std::ptrdiff_t>(end));
}

std::string Render(const CellValue& v) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "null"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", d);
      return buf;
    }
    std::string operator()(Instant t) const { return "@" + std::to_string(t.ms); }
    std::string operator()(std::string_view s) const { return "'" + std::string(s) + "'"; }
    std::string operator()(std::span<const std::string> keys) const {
      std::string out = "[";
      for (const std::string& k : keys) out += k + ";";
      return out + "]";
    }
  };
  return std::visit(Visitor{}, v);
}

// Every cell of every row, so that two orders compare whatever the row type.
template <typename Row>
std::vector<std::string> Cells(const std::vector<Row>& rows, const ColumnTable<Row>& table) {
  std::vector<std::string> out;
  for (const Row& row : rows) {
    std::string line;
    for (const ViewColumn<Row>& c : table.columns) line += Render(c.value(row)) + " | ";
    out.push_back(std::move(line));
  }
  return out;
}

template <typename Row>
void ExpectSortsLikeTheOracle(const ColumnTable<Row>& table) {
  SCOPED_TRACE(std::string(table.view));
  std::size_t sortable = 0;
  for (const ViewColumn<Row>& column : table.columns) {
    if (!column.sortable()) continue;
    ++sortable;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      Random r(seed * 7919 + column.name.size());
      std::vector<Row> rows;
      for (std::int64_t n = r.Int(0, 60); n > 0; --n) {
        rows.push_back(RandomRow(r, static_cast<const Row*>(nullptr)));
      }
      for (const bool descending : {false, true}) {
        const bool paged = r.Chance(0.5);
        const std::size_t offset = paged ? static_cast<std::size_t>(r.Int(0, 20)) : 0;
        const std::size_t limit =
            paged ? static_cast<std::size_t>(r.Int(1, 30)) : static_cast<std::size_t>(-1);
        SCOPED_TRACE(std::string(column.name) + (descending ? " desc" : " asc") + " seed " +
                     std::to_string(seed) + " offset " + std::to_string(offset));
        std::vector<Row> sorted = rows;
        const Status s = SortRows(sorted, table, column.name, descending, offset, limit);
        ASSERT_TRUE(s.ok()) << s.ToString();
        EXPECT_EQ(Cells(sorted, table),
                  Cells(OracleSort(rows, table, column, descending, offset, limit), table));
      }
    }
  }
  EXPECT_GT(sortable, 0u);
}

TEST(ViewColumnsTest, EverySortableColumnSortsLikeTheOracleBothWaysNullsLastTiesByNameThenKey) {
  ExpectSortsLikeTheOracle(kAllCoursesColumns);
  ExpectSortsLikeTheOracle(kLeagueColumns);
  ExpectSortsLikeTheOracle(kGroupColumns);
  ExpectSortsLikeTheOracle(kReportColumns);
  ExpectSortsLikeTheOracle(kExerciseColumns);
  ExpectSortsLikeTheOracle(kHistoryColumns);
}

TEST(ViewColumnsTest, AColumnNotDeclaredSortableIsRefusedNamingTheSortableOnes) {
  std::vector<ReportRow> rows(3);
  for (const char* column : {"groups", "group_names", "rank", "nope", ""}) {
    SCOPED_TRACE(column);
    const Status s = SortRows(rows, kReportColumns, column, false);
    EXPECT_EQ(s.code(), ErrorCode::kInvalid);
    EXPECT_EQ(s.message(), "cannot sort by '" + std::string(column) + "'");
    ASSERT_EQ(s.details().size(), 1u);
    EXPECT_EQ(s.details()[0].reason,
              "sort must be one of: at_risk, attempts, certified_at, completed_at, course, email, "
              "hints, last_active, mastery, name, points, progress, score, time, title, user");
    EXPECT_EQ(rows.size(), 3u);  // untouched
  }
  std::vector<ChapterFigure> chapters(2);
  EXPECT_EQ(SortRows(chapters, kChapterColumns, "mastery", false).code(), ErrorCode::kInvalid);
}

// The fields of SPEC §4.1, in order, and the sheet titles of the exports (SPEC §3.8: "in the
// order of the JSON fields").
template <typename Row>
void ExpectColumns(const ColumnTable<Row>& table, const std::vector<std::string>& names,
                   const std::vector<std::string>& titles) {
  SCOPED_TRACE(std::string(table.view));
  std::vector<std::string> got_names, got_titles;
  for (const ColumnInfo& c : table.columns) {
    got_names.emplace_back(c.name);
    got_titles.emplace_back(c.title);
  }
  EXPECT_EQ(got_names, names);
  EXPECT_EQ(got_titles, titles);
}

TEST(ViewColumnsTest, EachTableDeclaresTheFieldsOfTheSpecWithTheExportTitles) {
  ExpectColumns(
      kAllCoursesColumns,
      {"course", "title", "users", "mastery", "certified", "completed", "at_risk", "at_risk_share",
       "score"},
      {"Course", "Title", "Users", "Mastery %", "Certified", "Completed", "At risk", "At risk %",
       "Score %"});
  ExpectColumns(
      kLeagueColumns,
      {"rank", "user", "name", "email", "mastery", "progress", "completed", "completed_at",
       "certified", "certified_at", "score", "points", "time", "enrolled_at", "last_active",
       "days_inactive", "not_started", "at_risk"},
      {"Rank", "User", "Name", "Email", "Mastery %", "Progress %", "Completed", "Completed at",
       "Certified", "Certified at", "Score %", "Points", "Time", "Enrolled at", "Last active",
       "Days inactive", "Not started", "At risk"});
  ExpectColumns(kGroupColumns,
                {"rank", "group", "name", "users", "mastery", "completed", "certified", "at_risk",
                 "at_risk_share", "completed_share", "certified_share", "score", "points", "time",
                 "avg_time"},
                {"Rank", "Group", "Name", "Users", "Mastery %", "Completed", "Certified",
                 "At risk", "At risk %", "Completed %", "Certified %", "Score %", "Points", "Time",
                 "Time per member"});
  ExpectColumns(
      kReportColumns,
      {"user", "name", "email", "groups", "group_names", "course", "title", "mastery", "progress",
       "completed_at", "certified_at", "score", "points", "time", "attempts", "hints",
       "last_active", "at_risk"},
      {"User", "Name", "Email", "Group keys", "Groups", "Course", "Title", "Mastery %",
       "Progress %", "Completed at", "Certified at", "Score %", "Points", "Time", "Attempts",
       "Hints", "Last active", "At risk"});
  ExpectColumns(kExerciseColumns,
                {"exercise", "title", "chapter", "chapter_title", "mastery", "mastered", "score",
                 "attempts", "hints", "avg_time", "last_attempt"},
                {"Exercise", "Title", "Chapter", "Chapter title", "Mastery %", "Mastered",
                 "Score %", "Attempts", "Hints", "Avg time", "Last attempt"});
  ExpectColumns(kHistoryColumns,
                {"attempt", "started_at", "duration", "responses", "correct", "incorrect", "hints",
                 "score", "points", "mastery_after"},
                {"Attempt", "Started at", "Duration", "Responses", "Correct", "Incorrect", "Hints",
                 "Score %", "Points", "Mastery after %"});
}

TEST(ViewColumnsTest, EveryTableCanBeWalkedForItsFacts) {
  std::vector<std::string> seen;
  std::size_t durations = 0;
  ForEachTable([&](const auto& table) {
    seen.emplace_back(table.view);
    for (const ColumnInfo& c : table.columns) {
      EXPECT_FALSE(ColumnTypeName(c.type).empty()) << c.name;
      EXPECT_EQ(c.sortable(), !SortRuleName(c.sort).empty()) << c.name;
      if (c.type == ColumnType::kDuration) {
        ++durations;
        EXPECT_EQ(ColumnUnitName(c.unit), "seconds") << c.name;
      }
    }
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"courses", "league", "groups", "report", "exercises",
                                            "history", "history_detail", "chapters", "weekly"}));
  // league, groups, report time; groups avg_time; exercise avg_time; history duration
  EXPECT_EQ(durations, 6u);
}

// The user league sorts enrollments, not rows (only the page's rows are built): its keys, read
// from the engine's state, must order as the declaration orders the built rows.
TEST(ViewColumnsTest, TheUserLeagueOrdersEveryDeclaredColumnAsTheDeclarationDoes) {
  testing::World w;
  constexpr Instant kNow{1'773'144'000'000};  // 2026-03-10T12:00:00Z
  w.PutAccount({"acme", "Acme", "UTC"});
  domain::WriteBatch setup;
  domain::Course course;
  course.key = "py";
  course.title = "Python";
  course.chapters.push_back({"c1", "One", {{"e1", "E1"}, {"e2", "E2"}, {"e3", "E3"}}});
  course.settings.at_risk_days = 3;
  setup.courses.items.push_back(course);
  Random r(42);
  for (int u = 0; u < 40; ++u) {
    domain::User user;
    user.key = "u" + std::to_string(u);
    user.name = r.Text();
    user.email = user.key + "@acme.example";
    setup.enrollments.items.push_back({user.key, "py", Instant{kNow.ms - 25 * kMsPerDay}});
    setup.users.items.push_back({std::move(user), std::nullopt});
  }
  w.Apply("acme", setup, Instant{kNow.ms - 30 * kMsPerDay});
  domain::WriteBatch attempts;
  for (int u = 0; u < 40; ++u) {
    for (std::int64_t n = r.Int(0, 6); n > 0; --n) {
      domain::Attempt a;
      a.id = "a" + std::to_string(u) + "-" + std::to_string(n);
      a.user = "u" + std::to_string(u);
      a.course = "py";
      a.exercise = "e" + std::to_string(r.Int(1, 3));
      a.started_at = Instant{kNow.ms - r.Int(1, 20) * kMsPerDay};
      for (std::int64_t q = r.Int(0, 3); q > 0; --q) {
        a.responses.push_back({"q" + std::to_string(q), r.Chance(0.7), r.Int(0, 1),
                               r.Int(0, 3) * 1000, Instant{}, std::nullopt});
      }
      domain::ResolveAnsweredAt(a, std::vector<bool>(a.responses.size(), false));
      attempts.attempts.items.push_back(std::move(a));
    }
  }
  w.Apply("acme", attempts, kNow);

  TableQuery all;
  all.limit = 1000;
  const Result<Table<LeagueRow>> ranked = w.engine().UserLeague("acme", "py", all, kNow);
  ASSERT_TRUE(ranked.ok()) << ranked.status().ToString();
  ASSERT_EQ(ranked.value().rows.size(), 40u);
  for (const ViewColumn<LeagueRow>& column : kLeagueColumns.columns) {
    for (const bool descending : {false, true}) {
      SCOPED_TRACE(std::string(column.name) + (descending ? " desc" : " asc"));
      TableQuery q = all;
      q.sort = std::string(column.name);
      q.descending = descending;
      q.offset = 3;
      q.limit = 25;
      const Result<Table<LeagueRow>> got = w.engine().UserLeague("acme", "py", q, kNow);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      std::vector<LeagueRow> expected = ranked.value().rows;
      ASSERT_TRUE(SortRows(expected, kLeagueColumns, column.name, descending, 3, 25).ok());
      EXPECT_EQ(Cells(got.value().rows, kLeagueColumns), Cells(expected, kLeagueColumns));
    }
  }
  TableQuery groups = all;
  groups.sort = "groups";
  EXPECT_EQ(w.engine().UserLeague("acme", "py", groups, kNow).status().code(), ErrorCode::kInvalid);
}

}  // namespace
}  // namespace cohort::metrics

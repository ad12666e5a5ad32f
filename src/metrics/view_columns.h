#pragma once

// The columns of every table view (SPEC §4.1), declared once: for each column its name (the JSON
// field and the value of `sort`), the human title of CSV/XLSX headers, its type and unit, whether
// it may be null, and how it sorts (SPEC §3.8). The engine's sorting reads these tables
// (table_sort.h, the user league), the JSON renderer (http/views_json.cc), the export sheets
// (service/view_sheets.cc) and the web UI's column lists (served at GET /api/v1/columns) read
// them too, so that a column is added, renamed or made sortable here and nowhere else.
//
// The tables are constexpr: a ColumnTable<Row> lists ViewColumn<Row>s, each a ColumnInfo (the
// plain facts, the same for every row type) plus `value`, which reads the column from a row.
// Iterate every table with ForEachTable; a table's columns with a range for over `columns`
// (each converts to `const ColumnInfo&`).
//
// Rendering:
// - JSON: the columns in order, each as its type says (ColumnType). A table view answers
//   {"rows": [...], "total": N}.
// - Sheets: the columns in order with `title` as the header; a kDuration column is two sheet
//   columns, "<title> (s)" in seconds then "<title>" as h:mm:ss; a kKeyList is one text cell,
//   joined with "; ".

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/time.h"
#include "metrics/views.h"

namespace cohort::metrics {

// What a column holds, and so how it renders.
enum class ColumnType : std::uint8_t {
  kText,      // free text: a name, a title, an email, a question
  kKey,       // a key (SPEC §9) or an attempt id
  kInteger,   // a whole number ≥ 0; its unit says of what
  kFraction,  // a number in [0, 1]: a JSON number, a percentage in sheets ("Mastery %")
  kDuration,  // a duration: milliseconds in the row, seconds in JSON (`75.5`, SPEC §3.8)
  kInstant,   // a UTC instant: RFC 3339 with the account's offset in JSON, a date-time in sheets
  kDate,      // a calendar day (days since 1970-01-01 in the row): "2026-03-02"
  kBool,      // true or false
  kKeyList,   // keys: a JSON array; one text cell joined with "; " in sheets (SPEC §3.8)
};

enum class ColumnUnit : std::uint8_t {
  kNone,          // text, keys, instants, days, booleans, lists
  kCount,         // a number of things: users, attempts, hints, responses
  kRank,          // a 1-based position (SPEC §3.8 `rank`)
  kPoints,        // points (SPEC §3.3)
  kPercent,       // a fraction shown as a percentage
  kSeconds,       // seconds, with millisecond fractions
  kMilliseconds,  // whole milliseconds (a response's `time_ms`)
};

// How a sortable column orders rows (SPEC §3.8). Under every rule nulls sort last in both
// directions, and rows that tie fall to the table's `tie_break` columns, ascending in both
// directions (name, then key).
enum class SortRule : std::uint8_t {
  kNone,        // not sortable: `sort=<name>` answers kInvalid
  kBytes,       // text and keys, compared byte-wise
  kNumber,      // integers, durations, instants, days: by value
  kFraction,    // fractions, compared at 1e-9 (SortableFraction), so equal figures tie
  kFalseFirst,  // booleans: false, then true
};

constexpr std::string_view ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kText:
      return "text";
    case ColumnType::kKey:
      return "key";
    case ColumnType::kInteger:
      return "integer";
    case ColumnType::kFraction:
      return "fraction";
    case ColumnType::kDuration:
      return "duration";
    case ColumnType::kInstant:
      return "instant";
    case ColumnType::kDate:
      return "date";
    case ColumnType::kBool:
      return "bool";
    case ColumnType::kKeyList:
      return "key_list";
  }
  return "";
}

constexpr std::string_view ColumnUnitName(ColumnUnit unit) {
  switch (unit) {
    case ColumnUnit::kNone:
      return "";
    case ColumnUnit::kCount:
      return "count";
    case ColumnUnit::kRank:
      return "rank";
    case ColumnUnit::kPoints:
      return "points";
    case ColumnUnit::kPercent:
      return "percent";
    case ColumnUnit::kSeconds:
      return "seconds";
    case ColumnUnit::kMilliseconds:
      return "milliseconds";
  }
  return "";
}

constexpr std::string_view SortRuleName(SortRule rule) {
  switch (rule) {
    case SortRule::kNone:
      return "";
    case SortRule::kBytes:
      return "bytes";
    case SortRule::kNumber:
      return "number";
    case SortRule::kFraction:
      return "fraction";
    case SortRule::kFalseFirst:
      return "false_first";
  }
  return "";
}

// The facts of one column, whatever the row type.
struct ColumnInfo {
  std::string_view name;   // the JSON field, and the value of `sort` that orders by it
  std::string_view title;  // the CSV/XLSX header ("Mastery %"); see the top of this file
  ColumnType type = ColumnType::kText;
  ColumnUnit unit = ColumnUnit::kNone;
  bool nullable = false;  // may be null (JSON null, an empty cell)
  SortRule sort = SortRule::kNone;

  constexpr bool sortable() const { return sort != SortRule::kNone; }
  // A copy that may be null / that `sort` refuses.
  constexpr ColumnInfo OrNull() const {
    ColumnInfo c = *this;
    c.nullable = true;
    return c;
  }
  constexpr ColumnInfo Unsorted() const {
    ColumnInfo c = *this;
    c.sort = SortRule::kNone;
    return c;
  }
};

// One cell as the row holds it; std::monostate is null. By type: kText and kKey
// std::string_view (borrowed from the row); kInteger and kDate std::int64_t; kFraction double;
// kDuration std::int64_t, or double for a mean (milliseconds); kInstant Instant; kBool bool;
// kKeyList std::span<const std::string> (borrowed).
using CellValue = std::variant<std::monostate, bool, std::int64_t, double, Instant,
                               std::string_view, std::span<const std::string>>;

template <typename Row>
struct ViewColumn : ColumnInfo {
  CellValue (*value)(const Row&) = nullptr;  // reads the column from a row
};

// The columns of one table, in the order of its JSON fields and sheet columns.
template <typename Row>
struct ColumnTable {
  using RowType = Row;
  std::string_view view;  // which table: a view of `cohort export`, or a view's part
  std::span<const ViewColumn<Row>> columns;
  // The columns that break ties, in order, ascending in both directions (SPEC §3.8: name, then
  // key). Each is a sortable column of the table.
  std::span<const std::string_view> tie_break;

  // The position of column `name`, or nullopt when the table has none.
  constexpr std::optional<std::size_t> IndexOf(std::string_view name) const {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (columns[i].name == name) return i;
    }
    return std::nullopt;
  }
  constexpr const ViewColumn<Row>* Find(std::string_view name) const {
    const std::optional<std::size_t> i = IndexOf(name);
    return i ? &columns[*i] : nullptr;
  }
};

// Presets for the declarations below: type, unit and sort rule of each kind of column.
namespace column {
constexpr ColumnInfo Text(std::string_view name, std::string_view title) {
  return {name, title, ColumnType::kText, ColumnUnit::kNone, false, SortRule::kBytes};
}
constexpr ColumnInfo Key(std::string_view name, std::string_view title) {
  return {name, title, ColumnType::kKey, ColumnUnit::kNone, false, SortRule::kBytes};
}
constexpr ColumnInfo KeyList(std::string_view name, std::string_view title) {
  return {name, title, ColumnType::kKeyList, ColumnUnit::kNone, false, SortRule::kNone};
}
constexpr ColumnInfo Rank(std::string_view name, std::string_view title) {
  return {name, title, ColumnType::kInteger, ColumnUnit::kRank, false, SortRule::kNumber};
}
constexpr ColumnInfo Count(std::string_view name, std::string_view title) {
  return {name, title, ColumnType::kInteger, ColumnUnit::kCount, false, SortRule::kNumber};
}
constexpr ColumnInfo Points(std::string_view name, std::string_view title) {
  return {name, title, ColumnType::kInteger, ColumnUnit::kPoints, false, SortRule::kNumber};
}
constexpr ColumnInfo Milliseconds(std::string_view name, std::string_view title) {
  return {name, title, ColumnType::kInteger, ColumnUnit::kMilliseconds, false, SortRule::kNumber};
}
constexpr ColumnInfo Percent(std::string_view name, std::string_view title) {
  return {name, title, ColumnType::kFraction, ColumnUnit::kPercent, false, SortRule::kFraction};
}
constexpr ColumnInfo Seconds(std::string_view name, std::string_view title) {
  return {name, title, ColumnType::kDuration, ColumnUnit::kSeconds, false, SortRule::kNumber};
}
constexpr ColumnInfo Moment(std::string_view name, std::string_view title) {
  return {name, title, ColumnType::kInstant, ColumnUnit::kNone, false, SortRule::kNumber};
}
constexpr ColumnInfo Day(std::string_view name, std::string_view title) {
  return {name, title, ColumnType::kDate, ColumnUnit::kNone, false, SortRule::kNumber};
}
constexpr ColumnInfo Flag(std::string_view name, std::string_view title) {
  return {name, title, ColumnType::kBool, ColumnUnit::kNone, false, SortRule::kFalseFirst};
}

// Cells from a row's members.
inline CellValue Of(const std::string& s) { return std::string_view(s); }
inline CellValue Of(const std::vector<std::string>& keys) {
  return std::span<const std::string>(keys);
}
inline CellValue Of(const std::optional<double>& v) { return v ? CellValue(*v) : CellValue(); }
inline CellValue Of(const std::optional<Instant>& t) { return t ? CellValue(*t) : CellValue(); }
inline CellValue Of(const std::optional<std::string>& s) {
  return s ? CellValue(std::string_view(*s)) : CellValue();
}
}  // namespace column

// A declaration is well formed when its names are distinct, each sort rule suits its column's
// type, every column can be read, and the tie-break names sortable columns.
template <typename Row>
constexpr bool WellFormed(const ColumnTable<Row>& table) {
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    const ViewColumn<Row>& c = table.columns[i];
    if (c.value == nullptr || c.name.empty() || c.title.empty()) return false;
    if (table.IndexOf(c.name) != i) return false;
    SortRule fits = SortRule::kNone;
    switch (c.type) {
      case ColumnType::kText:
      case ColumnType::kKey:
        fits = SortRule::kBytes;
        break;
      case ColumnType::kInteger:
      case ColumnType::kDuration:
      case ColumnType::kInstant:
      case ColumnType::kDate:
        fits = SortRule::kNumber;
        break;
      case ColumnType::kFraction:
        fits = SortRule::kFraction;
        break;
      case ColumnType::kBool:
        fits = SortRule::kFalseFirst;
        break;
      case ColumnType::kKeyList:
        fits = SortRule::kNone;
        break;
    }
    if (c.sortable() && c.sort != fits) return false;
  }
  for (const std::string_view tie : table.tie_break) {
    const ViewColumn<Row>* c = table.Find(tie);
    if (c == nullptr || !c->sortable()) return false;
  }
  return true;
}

// ---- The declarations (SPEC §4.1). Sheet titles are those of the exports. ----

// All courses: `GET /api/v1/courses`.
inline constexpr ViewColumn<AllCoursesRow> kAllCoursesColumnList[] = {
    {column::Key("course", "Course"), [](const AllCoursesRow& r) { return column::Of(r.course); }},
    {column::Text("title", "Title"), [](const AllCoursesRow& r) { return column::Of(r.title); }},
    {column::Count("users", "Users"), [](const AllCoursesRow& r) { return CellValue(r.users); }},
    {column::Percent("mastery", "Mastery %").OrNull(),
     [](const AllCoursesRow& r) { return column::Of(r.mastery); }},
    {column::Count("certified", "Certified"),
     [](const AllCoursesRow& r) { return CellValue(r.certified); }},
    {column::Count("completed", "Completed"),
     [](const AllCoursesRow& r) { return CellValue(r.completed); }},
    {column::Count("at_risk", "At risk"),
     [](const AllCoursesRow& r) { return CellValue(r.at_risk); }},
    {column::Percent("at_risk_share", "At risk %"),
     [](const AllCoursesRow& r) { return CellValue(r.at_risk_share); }},
    {column::Percent("score", "Score %").OrNull(),
     [](const AllCoursesRow& r) { return column::Of(r.score); }},
};
inline constexpr std::string_view kAllCoursesTies[] = {"title", "course"};
inline constexpr ColumnTable<AllCoursesRow> kAllCoursesColumns{"courses", kAllCoursesColumnList,
                                                               kAllCoursesTies};

// The user league: `GET /api/v1/courses/{course}/users`.
inline constexpr ViewColumn<LeagueRow> kLeagueColumnList[] = {
    {column::Rank("rank", "Rank"), [](const LeagueRow& r) { return CellValue(r.rank); }},
    {column::Key("user", "User"), [](const LeagueRow& r) { return column::Of(r.user); }},
    {column::Text("name", "Name"), [](const LeagueRow& r) { return column::Of(r.name); }},
    {column::Text("email", "Email"), [](const LeagueRow& r) { return column::Of(r.email); }},
    {column::Percent("mastery", "Mastery %"),
     [](const LeagueRow& r) { return CellValue(r.mastery); }},
    {column::Percent("progress", "Progress %"),
     [](const LeagueRow& r) { return CellValue(r.progress); }},
    {column::Flag("completed", "Completed"),
     [](const LeagueRow& r) { return CellValue(r.completed); }},
    {column::Moment("completed_at", "Completed at").OrNull(),
     [](const LeagueRow& r) { return column::Of(r.completed_at); }},
    {column::Flag("certified", "Certified"),
     [](const LeagueRow& r) { return CellValue(r.certified); }},
    {column::Moment("certified_at", "Certified at").OrNull(),
     [](const LeagueRow& r) { return column::Of(r.certified_at); }},
    {column::Percent("score", "Score %").OrNull(),
     [](const LeagueRow& r) { return column::Of(r.score); }},
    {column::Points("points", "Points"), [](const LeagueRow& r) { return CellValue(r.points); }},
    {column::Seconds("time", "Time"), [](const LeagueRow& r) { return CellValue(r.time_ms); }},
    {column::Moment("enrolled_at", "Enrolled at"),
     [](const LeagueRow& r) { return CellValue(r.enrolled_at); }},
    {column::Moment("last_active", "Last active").OrNull(),
     [](const LeagueRow& r) { return column::Of(r.last_active); }},
    {column::Count("days_inactive", "Days inactive"),
     [](const LeagueRow& r) { return CellValue(r.days_inactive); }},
    {column::Flag("not_started", "Not started"),
     [](const LeagueRow& r) { return CellValue(r.not_started); }},
    {column::Flag("at_risk", "At risk"), [](const LeagueRow& r) { return CellValue(r.at_risk); }},
};
inline constexpr std::string_view kLeagueTies[] = {"name", "user"};
inline constexpr ColumnTable<LeagueRow> kLeagueColumns{"league", kLeagueColumnList, kLeagueTies};

// The group league: `GET /api/v1/courses/{course}/groups`.
inline constexpr ViewColumn<GroupRow> kGroupColumnList[] = {
    {column::Rank("rank", "Rank"), [](const GroupRow& r) { return CellValue(r.rank); }},
    {column::Key("group", "Group"), [](const GroupRow& r) { return column::Of(r.group); }},
    {column::Text("name", "Name"), [](const GroupRow& r) { return column::Of(r.name); }},
    {column::Count("users", "Users"), [](const GroupRow& r) { return CellValue(r.users); }},
    {column::Percent("mastery", "Mastery %").OrNull(),
     [](const GroupRow& r) { return column::Of(r.mastery); }},
    {column::Count("completed", "Completed"),
     [](const GroupRow& r) { return CellValue(r.completed); }},
    {column::Count("certified", "Certified"),
     [](const GroupRow& r) { return CellValue(r.certified); }},
    {column::Count("at_risk", "At risk"), [](const GroupRow& r) { return CellValue(r.at_risk); }},
    {column::Percent("at_risk_share", "At risk %"),
     [](const GroupRow& r) { return CellValue(r.at_risk_share); }},
    {column::Percent("completed_share", "Completed %"),
     [](const GroupRow& r) { return CellValue(r.completed_share); }},
    {column::Percent("certified_share", "Certified %"),
     [](const GroupRow& r) { return CellValue(r.certified_share); }},
    {column::Percent("score", "Score %").OrNull(),
     [](const GroupRow& r) { return column::Of(r.score); }},
    {column::Points("points", "Points"), [](const GroupRow& r) { return CellValue(r.points); }},
    {column::Seconds("time", "Time"), [](const GroupRow& r) { return CellValue(r.time_ms); }},
    {column::Seconds("avg_time", "Time per member"),
     [](const GroupRow& r) { return CellValue(r.avg_time_ms); }},
};
inline constexpr std::string_view kGroupTies[] = {"name", "group"};
inline constexpr ColumnTable<GroupRow> kGroupColumns{"groups", kGroupColumnList, kGroupTies};

// The account report: `GET /api/v1/report`. Rows of one person tie on name and user; their
// courses break the tie.
inline constexpr ViewColumn<ReportRow> kReportColumnList[] = {
    {column::Key("user", "User"), [](const ReportRow& r) { return column::Of(r.user); }},
    {column::Text("name", "Name"), [](const ReportRow& r) { return column::Of(r.name); }},
    {column::Text("email", "Email"), [](const ReportRow& r) { return column::Of(r.email); }},
    {column::KeyList("groups", "Group keys"),
     [](const ReportRow& r) { return column::Of(r.groups); }},
    {column::KeyList("group_names", "Groups"),
     [](const ReportRow& r) { return column::Of(r.group_names); }},
    {column::Key("course", "Course"), [](const ReportRow& r) { return column::Of(r.course); }},
    {column::Text("title", "Title"), [](const ReportRow& r) { return column::Of(r.title); }},
    {column::Percent("mastery", "Mastery %"),
     [](const ReportRow& r) { return CellValue(r.mastery); }},
    {column::Percent("progress", "Progress %"),
     [](const ReportRow& r) { return CellValue(r.progress); }},
    {column::Moment("completed_at", "Completed at").OrNull(),
     [](const ReportRow& r) { return column::Of(r.completed_at); }},
    {column::Moment("certified_at", "Certified at").OrNull(),
     [](const ReportRow& r) { return column::Of(r.certified_at); }},
    {column::Percent("score", "Score %").OrNull(),
     [](const ReportRow& r) { return column::Of(r.score); }},
    {column::Points("points", "Points"), [](const ReportRow& r) { return CellValue(r.points); }},
    {column::Seconds("time", "Time"), [](const ReportRow& r) { return CellValue(r.time_ms); }},
    {column::Count("attempts", "Attempts"),
     [](const ReportRow& r) { return CellValue(r.attempts); }},
    {column::Count("hints", "Hints"), [](const ReportRow& r) { return CellValue(r.hints); }},
    {column::Moment("last_active", "Last active").OrNull(),
     [](const ReportRow& r) { return column::Of(r.last_active); }},
    {column::Flag("at_risk", "At risk"), [](const ReportRow& r) { return CellValue(r.at_risk); }},
};
inline constexpr std::string_view kReportTies[] = {"name", "user", "course"};
inline constexpr ColumnTable<ReportRow> kReportColumns{"report", kReportColumnList, kReportTies};

// The user-in-course view's exercise summary (`exercises`), its one table. The engine lists it
// in course order; a `sort` (ArrangeExercises, the web UI's table) follows the rules declared
// here.
inline constexpr ViewColumn<ExerciseFigure> kExerciseColumnList[] = {
    {column::Key("exercise", "Exercise"),
     [](const ExerciseFigure& r) { return column::Of(r.exercise); }},
    {column::Text("title", "Title"), [](const ExerciseFigure& r) { return column::Of(r.title); }},
    {column::Key("chapter", "Chapter"),
     [](const ExerciseFigure& r) { return column::Of(r.chapter); }},
    {column::Text("chapter_title", "Chapter title"),
     [](const ExerciseFigure& r) { return column::Of(r.chapter_title); }},
    {column::Percent("mastery", "Mastery %"),
     [](const ExerciseFigure& r) { return CellValue(r.mastery); }},
    {column::Flag("mastered", "Mastered"),
     [](const ExerciseFigure& r) { return CellValue(r.mastered); }},
    {column::Percent("score", "Score %").OrNull(),
     [](const ExerciseFigure& r) { return column::Of(r.score); }},
    {column::Count("attempts", "Attempts"),
     [](const ExerciseFigure& r) { return CellValue(r.attempts); }},
    {column::Count("hints", "Hints"), [](const ExerciseFigure& r) { return CellValue(r.hints); }},
    {column::Seconds("avg_time", "Avg time").OrNull(),
     [](const ExerciseFigure& r) { return column::Of(r.avg_time_ms); }},
    {column::Moment("last_attempt", "Last attempt").OrNull(),
     [](const ExerciseFigure& r) { return column::Of(r.last_attempt); }},
};
inline constexpr std::string_view kExerciseTies[] = {"title", "exercise"};
inline constexpr ColumnTable<ExerciseFigure> kExerciseColumns{"exercises", kExerciseColumnList,
                                                              kExerciseTies};

// The exercise history: `GET .../exercises/{exercise}/attempts`, chronological (SPEC §3.8);
// each row also carries `detail`, its responses (kHistoryDetailColumns), which sheets leave out.
// The engine lists it chronologically; a `sort` (ArrangeHistory) breaks ties chronologically.
inline constexpr ViewColumn<HistoryRow> kHistoryColumnList[] = {
    {column::Key("attempt", "Attempt"), [](const HistoryRow& r) { return column::Of(r.attempt); }},
    {column::Moment("started_at", "Started at"),
     [](const HistoryRow& r) { return CellValue(r.started_at); }},
    {column::Seconds("duration", "Duration"),
     [](const HistoryRow& r) { return CellValue(r.duration_ms); }},
    {column::Count("responses", "Responses"),
     [](const HistoryRow& r) { return CellValue(r.responses); }},
    {column::Count("correct", "Correct"), [](const HistoryRow& r) { return CellValue(r.correct); }},
    {column::Count("incorrect", "Incorrect"),
     [](const HistoryRow& r) { return CellValue(r.incorrect); }},
    {column::Count("hints", "Hints"), [](const HistoryRow& r) { return CellValue(r.hints); }},
    {column::Percent("score", "Score %").OrNull(),
     [](const HistoryRow& r) { return column::Of(r.score); }},
    {column::Points("points", "Points"), [](const HistoryRow& r) { return CellValue(r.points); }},
    {column::Percent("mastery_after", "Mastery after %"),
     [](const HistoryRow& r) { return CellValue(r.mastery_after); }},
};
inline constexpr std::string_view kHistoryTies[] = {"started_at", "attempt"};
inline constexpr ColumnTable<HistoryRow> kHistoryColumns{"history", kHistoryColumnList,
                                                         kHistoryTies};

// A history row's responses (`detail`), in answer order; JSON only, not sortable. Titles name
// the columns for a sheet that would show them.
inline constexpr ViewColumn<HistoryResponse> kHistoryDetailColumnList[] = {
    {column::Text("question", "Question").Unsorted(),
     [](const HistoryResponse& r) { return column::Of(r.question); }},
    {column::Flag("correct", "Correct").Unsorted(),
     [](const HistoryResponse& r) { return CellValue(r.correct); }},
    {column::Count("hints", "Hints").Unsorted(),
     [](const HistoryResponse& r) { return CellValue(r.hints); }},
    {column::Milliseconds("time_ms", "Time (ms)").Unsorted(),
     [](const HistoryResponse& r) { return CellValue(r.time_ms); }},
    {column::Moment("answered_at", "Answered at").Unsorted(),
     [](const HistoryResponse& r) { return CellValue(r.answered_at); }},
    {column::Points("points", "Points").Unsorted(),
     [](const HistoryResponse& r) { return CellValue(r.points); }},
};
inline constexpr ColumnTable<HistoryResponse> kHistoryDetailColumns{
    "history_detail", kHistoryDetailColumnList, {}};

// The chapter breakdown of the course and user-in-course views (`chapters`), in course order;
// not sortable.
inline constexpr ViewColumn<ChapterFigure> kChapterColumnList[] = {
    {column::Key("chapter", "Chapter").Unsorted(),
     [](const ChapterFigure& r) { return column::Of(r.chapter); }},
    {column::Text("title", "Title").Unsorted(),
     [](const ChapterFigure& r) { return column::Of(r.title); }},
    {column::Percent("mastery", "Mastery %").OrNull().Unsorted(),
     [](const ChapterFigure& r) { return column::Of(r.mastery); }},
};
inline constexpr ColumnTable<ChapterFigure> kChapterColumns{"chapters", kChapterColumnList, {}};

// The course view's weekly series (`weekly`, SPEC §3.8), oldest first; not sortable.
inline constexpr ViewColumn<WeekPoint> kWeeklyColumnList[] = {
    {column::Day("week", "Week").Unsorted(),
     [](const WeekPoint& r) { return CellValue(r.week_day); }},
    {column::Percent("mastery", "Mastery %").OrNull().Unsorted(),
     [](const WeekPoint& r) { return column::Of(r.mastery); }},
};
inline constexpr ColumnTable<WeekPoint> kWeeklyColumns{"weekly", kWeeklyColumnList, {}};

static_assert(WellFormed(kAllCoursesColumns) && WellFormed(kLeagueColumns) &&
              WellFormed(kGroupColumns) && WellFormed(kReportColumns) &&
              WellFormed(kExerciseColumns) && WellFormed(kHistoryColumns) &&
              WellFormed(kHistoryDetailColumns) && WellFormed(kChapterColumns) &&
              WellFormed(kWeeklyColumns));

// Calls f(table) for every table above, in this order (each a different ColumnTable<Row>):
// what an endpoint that lists the columns for the web UI walks.
template <typename F>
constexpr void ForEachTable(F&& f) {
  f(kAllCoursesColumns);
  f(kLeagueColumns);
  f(kGroupColumns);
  f(kReportColumns);
  f(kExerciseColumns);
  f(kHistoryColumns);
  f(kHistoryDetailColumns);
  f(kChapterColumns);
  f(kWeeklyColumns);
}

}  // namespace cohort::metrics

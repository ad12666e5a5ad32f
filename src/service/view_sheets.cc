#include "service/view_sheets.h"

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <spdlog/spdlog.h>

#include "metrics/view_columns.h"

namespace cohort::service {
namespace {

using exports::Cell;
using exports::Column;
using exports::ColumnKind;
using exports::Sheet;
using metrics::ColumnType;
using Cells = std::vector<Cell>;

// Cells from the views' optional values: null stays an empty cell.
Cell Fraction(const std::optional<double>& v) { return v ? Cell(*v) : Cell(); }
Cell Ms(std::int64_t ms) { return static_cast<double>(ms); }
Cell Ms(const std::optional<double>& ms) { return ms ? Cell(*ms) : Cell(); }
Cell Count(std::int64_t n) { return n; }

// Column builders for the pairs every duration has: seconds for formulas, h:mm:ss for people.
void AddDuration(std::vector<Column>& columns, const std::string& title) {
  columns.push_back({title + " (s)", ColumnKind::kSeconds});
  columns.push_back({title, ColumnKind::kDuration});
}

template <typename T>
std::shared_ptr<const T> Share(T value) {
  return std::make_shared<const T>(std::move(value));
}

// ---- Sheets from the declared columns (metrics/view_columns.h) ----
// Each declared column is one sheet column with its title, except a duration: two, seconds for
// formulas ("<title> (s)") then h:mm:ss for people. Fractions are percentages, key lists one
// text cell joined with "; ", days "2026-03-02".

template <typename Row>
std::vector<Column> SheetColumns(const metrics::ColumnTable<Row>& table) {
  std::vector<Column> out;
  for (const metrics::ColumnInfo& c : table.columns) {
    const std::string title(c.title);
    switch (c.type) {
      case ColumnType::kText:
      case ColumnType::kKey:
      case ColumnType::kDate:
      case ColumnType::kKeyList:
        out.push_back({title, ColumnKind::kText});
        break;
      case ColumnType::kInteger:
        out.push_back({title, ColumnKind::kInteger});
        break;
      case ColumnType::kFraction:
        out.push_back({title, ColumnKind::kPercent});
        break;
      case ColumnType::kInstant:
        out.push_back({title, ColumnKind::kDateTime});
        break;
      case ColumnType::kBool:
        out.push_back({title, ColumnKind::kBoolean});
        break;
      case ColumnType::kDuration:
        AddDuration(out, title);
        break;
    }
  }
  return out;
}

// One declared cell as a sheet cell; null stays an empty cell.
Cell SheetCell(ColumnType type, const metrics::CellValue& value) {
  struct Convert {
    ColumnType type;
    Cell operator()(std::monostate) const { return Cell(); }
    Cell operator()(bool b) const { return b; }
    Cell operator()(std::int64_t n) const {
      if (type == ColumnType::kDuration) return static_cast<double>(n);  // milliseconds
      if (type == ColumnType::kDate) return FormatDate(n);
      return n;
    }
    Cell operator()(double d) const { return d; }
    Cell operator()(Instant t) const { return t; }
    Cell operator()(std::string_view s) const { return std::string(s); }
    Cell operator()(std::span<const std::string> keys) const {
      std::string joined;
      for (const std::string& k : keys) {
        if (!joined.empty()) joined += "; ";
        joined += k;
      }
      return joined;
    }
  };
  return std::visit(Convert{type}, value);
}

// Fills `cells` (one per sheet column of SheetColumns(table)) from a row.
template <typename Row>
void FillCells(const metrics::ColumnTable<Row>& table, const Row& row, Cells& cells) {
  std::size_t i = 0;
  for (const metrics::ViewColumn<Row>& c : table.columns) {
    Cell cell = SheetCell(c.type, c.value(row));
    if (c.type == ColumnType::kDuration) cells[i++] = cell;  // the seconds, then h:mm:ss
    cells[i++] = std::move(cell);
  }
}

// A sheet of a table's rows, every declared column.
template <typename Row>
Sheet TableSheet(const metrics::ColumnTable<Row>& table, std::string name,
                 std::shared_ptr<const std::vector<Row>> rows) {
  Sheet s;
  s.name = std::move(name);
  s.columns = SheetColumns(table);
  s.rows = rows->size();
  s.fill = [&table, rows](std::size_t i, Cells& c) -> bool {
    FillCells(table, (*rows)[i], c);
    return true;
  };
  return s;
}

// The rows of a shared table, shared with it.
template <typename Row>
std::shared_ptr<const std::vector<Row>> RowsOf(std::shared_ptr<const metrics::Table<Row>> t) {
  return {t, &t->rows};
}

// The course view as one table: the headline row ("course"), one row per chapter ("chapter",
// mastery only) and one per week of the progress series ("week", key = the week's Monday).
Sheet CourseSheet(std::shared_ptr<const metrics::CourseView> v) {
  Sheet s;
  s.name = v->course;
  s.columns = {{"Row", ColumnKind::kText},          {"Key", ColumnKind::kText},
               {"Title", ColumnKind::kText},        {"Users", ColumnKind::kInteger},
               {"Mastery %", ColumnKind::kPercent}, {"Certified", ColumnKind::kInteger},
               {"Completed", ColumnKind::kInteger}, {"At risk", ColumnKind::kInteger},
               {"At risk %", ColumnKind::kPercent}, {"Score %", ColumnKind::kPercent},
               {"Points", ColumnKind::kInteger}};
  AddDuration(s.columns, "Time");
  AddDuration(s.columns, "Avg time");
  s.rows = 1 + v->chapters.size() + v->weekly.size();
  s.fill = [v](std::size_t i, Cells& c) -> bool {
    if (i == 0) {
      c = {std::string("course"),
           v->course,
           v->title,
           Count(v->users),
           Fraction(v->mastery),
           Count(v->certified),
           Count(v->completed),
           Count(v->at_risk),
           Fraction(v->at_risk_share),
           Fraction(v->score),
           Count(v->points),
           Ms(v->time_ms),
           Ms(v->time_ms),
           Ms(v->avg_time_ms),
           Ms(v->avg_time_ms)};
      return true;
    }
    if (i - 1 < v->chapters.size()) {
      const metrics::ChapterFigure& ch = v->chapters[i - 1];
      c[0] = std::string("chapter");
      c[1] = ch.chapter;
      c[2] = ch.title;
      c[4] = Fraction(ch.mastery);
      return true;
    }
    const metrics::WeekPoint& w = v->weekly[i - 1 - v->chapters.size()];
    c[0] = std::string("week");
    c[1] = FormatDate(w.week_day);
    c[4] = Fraction(w.mastery);
    return true;
  };
  return s;
}

using ReportTable = metrics::Table<metrics::ReportRow>;

Sheet ReportSheet(std::shared_ptr<const ReportTable> t) {
  Sheet s;
  s.name = "Report";
  s.columns = SheetColumns(metrics::kReportColumns);
  s.rows = t->rows.size();
  s.fill = [t](std::size_t i, Cells& c) -> bool {
    FillCells(metrics::kReportColumns, t->rows[i], c);
    return true;
  };
  return s;
}

// The report's CSV, streamed from a plan (Service::PlanReport): rows are built a page at a time
// as the file goes out, so neither all the rows nor all the text are ever held, and the first
// piece leaves once the plan (a few bytes per row) is made. Each page reflects the engine at the
// time it is built; a row whose person left since the plan is left out.
struct ReportPages {
  ReportPages(Service& s, Caller c, metrics::ReportPlan p)
      : service(s), caller(std::move(c)), plan(std::move(p)) {}
  Service& service;
  const Caller caller;
  const metrics::ReportPlan plan;
  std::size_t first = 0;  // the plan index of page[0]
  std::vector<std::optional<metrics::ReportRow>> page;
  bool failed = false;  // a page could not be built: the file must end as failed
};
constexpr std::size_t kReportPageRows = 1000;

Sheet StreamedReportSheet(std::shared_ptr<ReportPages> pages) {
  Sheet s;
  s.name = "Report";
  s.columns = SheetColumns(metrics::kReportColumns);
  s.rows = pages->plan.entries.size();
  s.fill = [pages](std::size_t i, Cells& c) -> bool {
    if (pages->failed) return false;
    if (i < pages->first || i >= pages->first + pages->page.size()) {
      auto rows = pages->service.ReportRows(pages->caller, pages->plan, i, kReportPageRows);
      if (!rows.ok()) {
        spdlog::error("a streamed report export failed: {}", rows.status().ToString());
        pages->failed = true;
        return false;
      }
      pages->first = i;
      pages->page = std::move(rows).value();
      if (pages->page.empty()) return false;
    }
    const std::optional<metrics::ReportRow>& row = pages->page[i - pages->first];
    if (!row) return false;
    FillCells(metrics::kReportColumns, *row, c);
    return true;
  };
  return s;
}

// The rows of one course in the report, as indexes into its rows (in the report's order).
struct CourseRows {
  std::string course, title;
  std::vector<std::uint32_t> rows;
};

// The XLSX report: a Summary sheet (per course, over the exported rows: users, mean mastery and
// progress, completed and certified counts, mean score over those with one, sums of points,
// time, attempts and hints), then one sheet per course (course key order) with its rows.
std::vector<Sheet> ReportWorkbook(std::shared_ptr<const ReportTable> t) {
  std::map<std::string, CourseRows> by_key;
  for (std::size_t i = 0; i < t->rows.size(); ++i) {
    const metrics::ReportRow& r = t->rows[i];
    CourseRows& c = by_key[r.course];
    c.course = r.course;
    c.title = r.title;
    c.rows.push_back(static_cast<std::uint32_t>(i));
  }
  auto courses = std::make_shared<std::vector<CourseRows>>();
  for (auto& entry : by_key) courses->push_back(std::move(entry.second));

  Sheet summary;
  summary.name = "Summary";
  summary.columns = {{"Course", ColumnKind::kText},        {"Title", ColumnKind::kText},
                     {"Users", ColumnKind::kInteger},      {"Mastery %", ColumnKind::kPercent},
                     {"Progress %", ColumnKind::kPercent}, {"Completed", ColumnKind::kInteger},
                     {"Certified", ColumnKind::kInteger},  {"Score %", ColumnKind::kPercent},
                     {"Points", ColumnKind::kInteger}};
  AddDuration(summary.columns, "Time");
  summary.columns.push_back({"Attempts", ColumnKind::kInteger});
  summary.columns.push_back({"Hints", ColumnKind::kInteger});
  summary.rows = courses->size();
  summary.fill = [t, courses](std::size_t i, Cells& c) -> bool {
    const CourseRows& course = (*courses)[i];
    double mastery = 0, progress = 0, score = 0;
    std::int64_t completed = 0, certified = 0, scored = 0, points = 0, time_ms = 0, attempts = 0,
                 hints = 0;
    for (const std::uint32_t index : course.rows) {
      const metrics::ReportRow& r = t->rows[index];
      mastery += r.mastery;
      progress += r.progress;
      completed += r.completed_at ? 1 : 0;
      certified += r.certified_at ? 1 : 0;
      if (r.score) {
        score += *r.score;
        ++scored;
      }
      points += r.points;
      time_ms += r.time_ms;
      attempts += r.attempts;
      hints += r.hints;
    }
    const auto users = static_cast<double>(course.rows.size());
    c = {course.course,
         course.title,
         Count(static_cast<std::int64_t>(course.rows.size())),
         mastery / users,
         progress / users,
         Count(completed),
         Count(certified),
         scored > 0 ? Cell(score / static_cast<double>(scored)) : Cell(),
         Count(points),
         Ms(time_ms),
         Ms(time_ms),
         Count(attempts),
         Count(hints)};
    return true;
  };
  std::vector<Sheet> sheets{std::move(summary)};
  for (std::size_t k = 0; k < courses->size(); ++k) {
    Sheet s;
    s.name = (*courses)[k].course;
    s.columns = SheetColumns(metrics::kReportColumns);
    s.rows = (*courses)[k].rows.size();
    s.fill = [t, courses, k](std::size_t i, Cells& c) {
      FillCells(metrics::kReportColumns, t->rows[(*courses)[k].rows[i]], c);
      return true;
    };
    sheets.push_back(std::move(s));
  }
  return sheets;
}

template <typename T>
Result<std::shared_ptr<const T>> Fetch(Result<T> view) {
  if (!view.ok()) return view.status();
  return Share(std::move(view).value());
}

}  // namespace

Result<ViewSheets> SheetsOf(Service& service, const Caller& caller, const ExportRequest& what,
                            ExportFormat format) {
  switch (what.view) {
    case ExportView::kAllCourses: {
      auto t = Fetch(service.AllCourses(caller, what.query));
      if (!t.ok()) return t.status();
      return ViewSheets{{TableSheet(metrics::kAllCoursesColumns, "Courses", RowsOf(t.value()))},
                        nullptr};
    }
    case ExportView::kCourse: {
      auto v = Fetch(service.CourseDetail(caller, what.course));
      if (!v.ok()) return v.status();
      return ViewSheets{{CourseSheet(v.value())}, nullptr};
    }
    case ExportView::kLeague: {
      auto t = Fetch(service.UserLeague(caller, what.course, what.query));
      if (!t.ok()) return t.status();
      return ViewSheets{
          {TableSheet(metrics::kLeagueColumns, what.course + " league", RowsOf(t.value()))},
          nullptr};
    }
    case ExportView::kGroups: {
      auto t = Fetch(service.GroupLeague(caller, what.course, what.query));
      if (!t.ok()) return t.status();
      return ViewSheets{
          {TableSheet(metrics::kGroupColumns, what.course + " groups", RowsOf(t.value()))},
          nullptr};
    }
    case ExportView::kUser: {
      Result<metrics::UserCourseView> v = service.UserInCourse(caller, what.course, what.user);
      if (!v.ok()) return v.status();
      // The exercise summary (its table) as the query arranges it; the headline is in the JSON.
      Result<std::size_t> kept = metrics::ArrangeExercises(v.value().exercises, what.query);
      if (!kept.ok()) return kept.status();
      const std::shared_ptr<const metrics::UserCourseView> view = Share(std::move(v).value());
      std::shared_ptr<const std::vector<metrics::ExerciseFigure>> rows(view, &view->exercises);
      return ViewSheets{
          {TableSheet(metrics::kExerciseColumns, view->course + " " + view->user, rows)}, nullptr};
    }
    case ExportView::kHistory: {
      Result<std::vector<metrics::HistoryRow>> rows =
          service.History(caller, what.course, what.user, what.exercise);
      if (!rows.ok()) return rows.status();
      Result<std::size_t> kept = metrics::ArrangeHistory(rows.value(), what.query);
      if (!kept.ok()) return kept.status();
      // Without each row's responses (`detail`, a nested list; it stays in the JSON).
      return ViewSheets{{TableSheet(metrics::kHistoryColumns, what.user + " " + what.exercise,
                                    Share(std::move(rows).value()))},
                        nullptr};
    }
    case ExportView::kReport: {
      if (format == ExportFormat::kCsv) {
        Result<metrics::ReportPlan> plan = service.PlanReport(caller, what.query);
        if (plan.ok()) {
          auto pages = std::make_shared<ReportPages>(service, caller, std::move(plan).value());
          return ViewSheets{{StreamedReportSheet(pages)}, [pages] { return pages->failed; }};
        }
        // Another sort order than by name cannot be planned: the rows are built and sorted.
        if (plan.status().code() != ErrorCode::kInvalid) return plan.status();
      }
      auto t = Fetch(service.Report(caller, what.query));
      if (!t.ok()) return t.status();
      if (format == ExportFormat::kXlsx) return ViewSheets{ReportWorkbook(t.value()), nullptr};
      return ViewSheets{{ReportSheet(t.value())}, nullptr};
    }
  }
  return Status::Internal("unknown export view");
}

}  // namespace cohort::service

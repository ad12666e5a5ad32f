#include "http/export_response.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "export/csv_writer.h"
#include "export/xlsx_writer.h"
#include "http/errors.h"

namespace cohort::http {
namespace {

using exports::Cell;
using exports::Column;
using exports::ColumnKind;
using exports::Sheet;
using Cells = std::vector<Cell>;

constexpr const char* kCsvType = "text/csv; charset=utf-8";
constexpr const char* kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
constexpr std::size_t kFileChunkBytes = 64 * 1024;

// Cells from the views' optional values: null stays an empty cell.
Cell Fraction(const std::optional<double>& v) { return v ? Cell(*v) : Cell(); }
Cell Time(const std::optional<Instant>& t) { return t ? Cell(*t) : Cell(); }
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

Sheet AllCoursesSheet(std::shared_ptr<const metrics::Table<metrics::AllCoursesRow>> t) {
  Sheet s;
  s.name = "Courses";
  s.columns = {{"Course", ColumnKind::kText},       {"Title", ColumnKind::kText},
               {"Users", ColumnKind::kInteger},     {"Mastery %", ColumnKind::kPercent},
               {"Certified", ColumnKind::kInteger}, {"Completed", ColumnKind::kInteger},
               {"At risk", ColumnKind::kInteger},   {"Score %", ColumnKind::kPercent}};
  s.rows = t->rows.size();
  s.fill = [t](std::size_t i, Cells& c) -> bool {
    const metrics::AllCoursesRow& r = t->rows[i];
    c = {r.course,           r.title,
         Count(r.users),     Fraction(r.mastery),
         Count(r.certified), Count(r.completed),
         Count(r.at_risk),   Fraction(r.score)};
    return true;
  };
  return s;
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
               {"Score %", ColumnKind::kPercent},   {"Points", ColumnKind::kInteger}};
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

Sheet LeagueSheet(std::shared_ptr<const metrics::Table<metrics::LeagueRow>> t, std::string name) {
  Sheet s;
  s.name = std::move(name);
  s.columns = {{"Rank", ColumnKind::kInteger},
               {"User", ColumnKind::kText},
               {"Name", ColumnKind::kText},
               {"Mastery %", ColumnKind::kPercent},
               {"Progress %", ColumnKind::kPercent},
               {"Completed", ColumnKind::kBoolean},
               {"Completed at", ColumnKind::kDateTime},
               {"Certified", ColumnKind::kBoolean},
               {"Certified at", ColumnKind::kDateTime},
               {"Score %", ColumnKind::kPercent},
               {"Points", ColumnKind::kInteger}};
  AddDuration(s.columns, "Time");
  s.columns.push_back({"Last active", ColumnKind::kDateTime});
  s.columns.push_back({"At risk", ColumnKind::kBoolean});
  s.rows = t->rows.size();
  s.fill = [t](std::size_t i, Cells& c) -> bool {
    const metrics::LeagueRow& r = t->rows[i];
    c = {Count(r.rank),
         r.user,
         r.name,
         r.mastery,
         r.progress,
         r.completed,
         Time(r.completed_at),
         r.certified,
         Time(r.certified_at),
         Fraction(r.score),
         Count(r.points),
         Ms(r.time_ms),
         Ms(r.time_ms),
         Time(r.last_active),
         r.at_risk};
    return true;
  };
  return s;
}

Sheet GroupsSheet(std::shared_ptr<const metrics::Table<metrics::GroupRow>> t, std::string name) {
  Sheet s;
  s.name = std::move(name);
  s.columns = {{"Rank", ColumnKind::kInteger},      {"Group", ColumnKind::kText},
               {"Name", ColumnKind::kText},         {"Users", ColumnKind::kInteger},
               {"Mastery %", ColumnKind::kPercent}, {"Completed", ColumnKind::kInteger},
               {"Certified", ColumnKind::kInteger}, {"Score %", ColumnKind::kPercent},
               {"Points", ColumnKind::kInteger}};
  AddDuration(s.columns, "Time");
  s.rows = t->rows.size();
  s.fill = [t](std::size_t i, Cells& c) -> bool {
    const metrics::GroupRow& r = t->rows[i];
    c = {Count(r.rank),
         r.group,
         r.name,
         Count(r.users),
         Fraction(r.mastery),
         Count(r.completed),
         Count(r.certified),
         Fraction(r.score),
         Count(r.points),
         Ms(r.time_ms),
         Ms(r.time_ms)};
    return true;
  };
  return s;
}

// The user-in-course view's exercise summary (its table); the headline is in the JSON.
Sheet UserSheet(std::shared_ptr<const metrics::UserCourseView> v) {
  Sheet s;
  s.name = v->course + " " + v->user;
  s.columns = {{"Exercise", ColumnKind::kText},    {"Title", ColumnKind::kText},
               {"Chapter", ColumnKind::kText},     {"Mastery %", ColumnKind::kPercent},
               {"Mastered", ColumnKind::kBoolean}, {"Score %", ColumnKind::kPercent},
               {"Attempts", ColumnKind::kInteger}, {"Hints", ColumnKind::kInteger}};
  AddDuration(s.columns, "Avg time");
  s.columns.push_back({"Last attempt", ColumnKind::kDateTime});
  s.rows = v->exercises.size();
  s.fill = [v](std::size_t i, Cells& c) -> bool {
    const metrics::ExerciseFigure& e = v->exercises[i];
    c = {e.exercise,        e.title,           e.chapter,           e.mastery,
         e.mastered,        Fraction(e.score), Count(e.attempts),   Count(e.hints),
         Ms(e.avg_time_ms), Ms(e.avg_time_ms), Time(e.last_attempt)};
    return true;
  };
  return s;
}

// History rows without their per-response detail (a nested list; it stays in the JSON).
Sheet HistorySheet(std::shared_ptr<const std::vector<metrics::HistoryRow>> rows, std::string name) {
  Sheet s;
  s.name = std::move(name);
  s.columns = {{"Attempt", ColumnKind::kText}, {"Started at", ColumnKind::kDateTime}};
  AddDuration(s.columns, "Duration");
  for (const char* title : {"Responses", "Correct", "Incorrect", "Hints"}) {
    s.columns.push_back({title, ColumnKind::kInteger});
  }
  s.columns.push_back({"Score %", ColumnKind::kPercent});
  s.columns.push_back({"Points", ColumnKind::kInteger});
  s.columns.push_back({"Mastery after %", ColumnKind::kPercent});
  s.rows = rows->size();
  s.fill = [rows](std::size_t i, Cells& c) -> bool {
    const metrics::HistoryRow& r = (*rows)[i];
    c = {r.attempt,          r.started_at,     Ms(r.duration_ms),  Ms(r.duration_ms),
         Count(r.responses), Count(r.correct), Count(r.incorrect), Count(r.hints),
         Fraction(r.score),  Count(r.points),  r.mastery_after};
    return true;
  };
  return s;
}

std::vector<Column> ReportColumns() {
  std::vector<Column> columns = {{"User", ColumnKind::kText},
                                 {"Name", ColumnKind::kText},
                                 {"Email", ColumnKind::kText},
                                 {"Groups", ColumnKind::kText},
                                 {"Course", ColumnKind::kText},
                                 {"Title", ColumnKind::kText},
                                 {"Mastery %", ColumnKind::kPercent},
                                 {"Progress %", ColumnKind::kPercent},
                                 {"Completed at", ColumnKind::kDateTime},
                                 {"Certified at", ColumnKind::kDateTime},
                                 {"Score %", ColumnKind::kPercent},
                                 {"Points", ColumnKind::kInteger}};
  AddDuration(columns, "Time");
  columns.push_back({"Attempts", ColumnKind::kInteger});
  columns.push_back({"Hints", ColumnKind::kInteger});
  columns.push_back({"Last active", ColumnKind::kDateTime});
  return columns;
}

void FillReportRow(const metrics::ReportRow& r, Cells& c) {
  std::string groups;
  for (const std::string& g : r.groups) {
    if (!groups.empty()) groups += "; ";
    groups += g;
  }
  c = {r.user,
       r.name,
       r.email,
       std::move(groups),
       r.course,
       r.title,
       r.mastery,
       r.progress,
       Time(r.completed_at),
       Time(r.certified_at),
       Fraction(r.score),
       Count(r.points),
       Ms(r.time_ms),
       Ms(r.time_ms),
       Count(r.attempts),
       Count(r.hints),
       Time(r.last_active)};
}

using ReportTable = metrics::Table<metrics::ReportRow>;

Sheet ReportSheet(std::shared_ptr<const ReportTable> t) {
  Sheet s;
  s.name = "Report";
  s.columns = ReportColumns();
  s.rows = t->rows.size();
  s.fill = [t](std::size_t i, Cells& c) -> bool {
    FillReportRow(t->rows[i], c);
    return true;
  };
  return s;
}

// The report's CSV, streamed from a plan (Service::PlanReport): rows are built a page at a time
// as the file goes out, so neither all the rows nor all the text are ever held, and the first
// piece leaves once the plan (a few bytes per row) is made. Each page reflects the engine at the
// time it is built; a row whose person left since the plan is left out.
struct ReportPages {
  ReportPages(service::Service& s, service::Caller c, metrics::ReportPlan p)
      : service(s), caller(std::move(c)), plan(std::move(p)) {}
  service::Service& service;
  const service::Caller caller;
  const metrics::ReportPlan plan;
  std::size_t first = 0;  // the plan index of page[0]
  std::vector<std::optional<metrics::ReportRow>> page;
  bool failed = false;  // a page could not be built: the body must end as failed
};
constexpr std::size_t kReportPageRows = 1000;

Sheet StreamedReportSheet(std::shared_ptr<ReportPages> pages) {
  Sheet s;
  s.name = "Report";
  s.columns = ReportColumns();
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
    FillReportRow(*row, c);
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
    s.columns = ReportColumns();
    s.rows = (*courses)[k].rows.size();
    s.fill = [t, courses, k](std::size_t i, Cells& c) {
      FillReportRow(t->rows[(*courses)[k].rows[i]], c);
      return true;
    };
    sheets.push_back(std::move(s));
  }
  return sheets;
}

// Keys are safe in file names already; anything else becomes _.
std::string FileSafe(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    out += ok ? c : '_';
  }
  return out;
}

std::string FileStem(const ExportRequest& what) {
  switch (what.view) {
    case ExportView::kAllCourses:
      return "courses";
    case ExportView::kCourse:
      return FileSafe(what.course);
    case ExportView::kLeague:
      return FileSafe(what.course) + "-league";
    case ExportView::kGroups:
      return FileSafe(what.course) + "-groups";
    case ExportView::kUser:
      return FileSafe(what.course) + "-" + FileSafe(what.user);
    case ExportView::kHistory:
      return FileSafe(what.course) + "-" + FileSafe(what.user) + "-" + FileSafe(what.exercise) +
             "-history";
    case ExportView::kReport:
      return "report";
  }
  return "export";
}

template <typename T>
Result<std::shared_ptr<const T>> Fetch(Result<T> view) {
  if (!view.ok()) return view.status();
  return Share(std::move(view).value());
}

// The sheets of the view: for CSV exactly one (the view's table); for XLSX the same, except
// the report's Summary + one sheet per course.
// `streamed_report` receives the report's pages when its CSV streams from a plan.
Result<std::vector<Sheet>> Sheets(service::Service& service, const service::Caller& caller,
                                  const ExportRequest& what, ExportFormat format,
                                  std::shared_ptr<ReportPages>* streamed_report) {
  switch (what.view) {
    case ExportView::kAllCourses: {
      auto t = Fetch(service.AllCourses(caller));
      if (!t.ok()) return t.status();
      return std::vector<Sheet>{AllCoursesSheet(t.value())};
    }
    case ExportView::kCourse: {
      auto v = Fetch(service.CourseDetail(caller, what.course));
      if (!v.ok()) return v.status();
      return std::vector<Sheet>{CourseSheet(v.value())};
    }
    case ExportView::kLeague: {
      auto t = Fetch(service.UserLeague(caller, what.course, what.query));
      if (!t.ok()) return t.status();
      return std::vector<Sheet>{LeagueSheet(t.value(), what.course + " league")};
    }
    case ExportView::kGroups: {
      auto t = Fetch(service.GroupLeague(caller, what.course, what.query));
      if (!t.ok()) return t.status();
      return std::vector<Sheet>{GroupsSheet(t.value(), what.course + " groups")};
    }
    case ExportView::kUser: {
      auto v = Fetch(service.UserInCourse(caller, what.course, what.user));
      if (!v.ok()) return v.status();
      return std::vector<Sheet>{UserSheet(v.value())};
    }
    case ExportView::kHistory: {
      auto rows = Fetch(service.History(caller, what.course, what.user, what.exercise));
      if (!rows.ok()) return rows.status();
      return std::vector<Sheet>{HistorySheet(rows.value(), what.user + " " + what.exercise)};
    }
    case ExportView::kReport: {
      if (format == ExportFormat::kCsv) {
        Result<metrics::ReportPlan> plan = service.PlanReport(caller, what.query);
        if (plan.ok()) {
          auto pages = std::make_shared<ReportPages>(service, caller, std::move(plan).value());
          if (streamed_report != nullptr) *streamed_report = pages;
          return std::vector<Sheet>{StreamedReportSheet(std::move(pages))};
        }
        // Another sort order than by name cannot be planned: the rows are built and sorted.
        if (plan.status().code() != ErrorCode::kInvalid) return plan.status();
      }
      auto t = Fetch(service.Report(caller, what.query));
      if (!t.ok()) return t.status();
      if (format == ExportFormat::kXlsx) return ReportWorkbook(t.value());
      return std::vector<Sheet>{ReportSheet(t.value())};
    }
  }
  return Status::Internal("unknown export view");
}

// An open file descriptor, closed by the destructor.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Writes the workbook to a fresh temporary file in `tmpdir` (the system's when empty), unlinks
// it, and returns it open at its start: its space is freed when the last holder closes it.
Result<std::shared_ptr<UniqueFd>> WriteXlsxFile(const std::vector<Sheet>& sheets,
                                                const TimeZone& zone, const std::string& tmpdir) {
  std::error_code ec;
  const std::filesystem::path dir =
      tmpdir.empty() ? std::filesystem::temp_directory_path(ec) : std::filesystem::path(tmpdir);
  if (ec) return Status::Internal("no temporary directory for the XLSX file: " + ec.message());
  std::string path = (dir / "cohort-export-XXXXXX").string();
  auto fd = std::make_shared<UniqueFd>(::mkstemp(path.data()));
  if (fd->get() < 0) {
    return Status::Internal("cannot create a temporary file for the XLSX export in " +
                            dir.string() + ": " + std::strerror(errno));
  }
  Status written = exports::WriteXlsx(sheets, zone, path, dir.string());
  ::unlink(path.c_str());
  if (!written.ok()) return written;
  return fd;
}

// Reads the next piece of an open file into `chunk`.
BodyStep ReadPiece(int fd, std::string& chunk) {
  chunk.resize(kFileChunkBytes);
  ssize_t n = 0;
  do {
    n = ::read(fd, chunk.data(), chunk.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    spdlog::error("cannot read the temporary XLSX file: {}", std::strerror(errno));
    chunk.clear();
    return BodyStep::kFailed;
  }
  chunk.resize(static_cast<std::size_t>(n));
  return n == 0 ? BodyStep::kDone : BodyStep::kMore;
}

// Writes XLSX workbooks off the server's I/O threads (200,000 rows take seconds): a few worker
// threads and a queue, for the life of the process. At exit, the jobs still queued are dropped
// (nobody waits for them) and the running ones finish. Thread-safe.
class XlsxWorkers {
 public:
  static constexpr int kThreads = 2;

  static XlsxWorkers& Instance() {
    static XlsxWorkers workers;
    return workers;
  }

  void Post(std::function<void()> job) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(job));
    }
    wake_.notify_one();
  }

  ~XlsxWorkers() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      queue_.clear();
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

 private:
  XlsxWorkers() {
    for (int i = 0; i < kThreads; ++i) threads_.emplace_back([this] { Work(); });
  }

  void Work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  std::mutex mutex_;  // guards queue_ and stopping_
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// A workbook being written by a worker, and what came of it.
struct XlsxJob {
  std::mutex mutex;  // guards done and file
  bool done = false;
  Result<std::shared_ptr<UniqueFd>> file = Status::Internal("not written yet");
};

// The XLSX body: the workbook is written by a worker while the producer answers kPending, then
// read back from its (already unlinked) temporary file piece by piece.
BodyProducer XlsxBody(std::vector<Sheet> sheets, const TimeZone& zone, const std::string& tmpdir) {
  auto job = std::make_shared<XlsxJob>();
  XlsxWorkers::Instance().Post([job, sheets = std::move(sheets), zone, tmpdir] {
    Result<std::shared_ptr<UniqueFd>> file = WriteXlsxFile(sheets, zone, tmpdir);
    std::lock_guard lock(job->mutex);
    job->file = std::move(file);
    job->done = true;
  });
  return [job](std::string& chunk) {
    std::shared_ptr<UniqueFd> fd;
    {
      std::lock_guard lock(job->mutex);
      if (!job->done) return BodyStep::kPending;
      if (!job->file.ok()) {
        spdlog::error("an XLSX export failed: {}", job->file.status().ToString());
        return BodyStep::kFailed;
      }
      fd = job->file.value();
    }
    return ReadPiece(fd->get(), chunk);
  };
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<ExportFormat> RequestedFormat(const Request& request) {
  auto given = request.query.find("format");
  if (given != request.query.end()) {
    const std::string& value = given->second;
    if (value == "json") return ExportFormat::kJson;
    if (value == "csv") return ExportFormat::kCsv;
    if (value == "xlsx") return ExportFormat::kXlsx;
    const std::string reason = "unknown format '" + value + "' (use json, csv or xlsx)";
    return Status::Invalid("query parameter 'format': " + reason,
                           {{std::nullopt, "", "format: " + reason}});
  }
  std::string_view accept = request.Header("accept");
  while (!accept.empty()) {
    const std::size_t comma = accept.find(',');
    std::string_view range = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    const std::string type = Lower(Trim(range.substr(0, range.find(';'))));
    if (type == "text/csv") return ExportFormat::kCsv;
    if (type == kXlsxType) return ExportFormat::kXlsx;
    if (type == "application/json") return ExportFormat::kJson;
  }
  return ExportFormat::kJson;
}

Result<Export> RenderExport(service::Service& service, const service::Caller& caller,
                            const ExportRequest& what, ExportFormat format,
                            const std::string& tmpdir) {
  if (format == ExportFormat::kJson) return Status::Internal("JSON is not an export format");
  std::shared_ptr<ReportPages> pages;  // set when the report streams from a plan
  Result<std::vector<Sheet>> sheets = Sheets(service, caller, what, format, &pages);
  if (!sheets.ok()) return sheets.status();
  Result<TimeZone> zone = service.Zone(caller);
  if (!zone.ok()) return zone.status();
  Export out;
  const std::string date = FormatDate(zone->LocalDay(service.clock().Now()));
  const bool csv = format == ExportFormat::kCsv;
  out.file_name = fmt::format("{}-{}-{}.{}", FileSafe(caller.account_key), FileStem(what), date,
                              csv ? "csv" : "xlsx");
  if (csv) {
    out.content_type = kCsvType;
    auto stream =
        std::make_shared<exports::CsvStream>(std::move(sheets.value().front()), zone.value());
    out.body = [stream, pages](std::string& chunk) {
      const bool more = stream->Next(chunk);
      if (pages && pages->failed) return BodyStep::kFailed;
      return more ? BodyStep::kMore : BodyStep::kDone;
    };
    return out;
  }
  out.content_type = kXlsxType;
  out.body = XlsxBody(std::move(sheets).value(), zone.value(), tmpdir);
  return out;
}

Response ExportResponse(service::Service& service, const service::Caller& caller,
                        const ExportRequest& what, ExportFormat format) {
  Result<Export> rendered = RenderExport(service, caller, what, format);
  if (!rendered.ok()) return ErrorResponse(rendered.status());
  Response r;
  r.content_type = rendered->content_type;
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"" + rendered->file_name + "\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.stream = std::move(rendered.value().body);
  return r;
}

}  // namespace cohort::http

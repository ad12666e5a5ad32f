#include "http/export_response.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "export/csv_writer.h"
#include "export/xlsx_writer.h"
#include "http/errors.h"
#include "http/export_sheets.h"

namespace cohort::http {
namespace {

using exports::Sheet;

constexpr const char* kCsvType = "text/csv; charset=utf-8";
constexpr const char* kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
constexpr std::size_t kFileChunkBytes = 64 * 1024;

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
  Result<ViewSheets> view = SheetsOf(service, caller, what, format);
  if (!view.ok()) return view.status();
  std::vector<Sheet>& sheets = view.value().sheets;
  Result<TimeZone> zone = service.Zone(caller);
  if (!zone.ok()) return zone.status();
  Export out;
  const std::string date = FormatDate(zone->LocalDay(service.clock().Now()));
  const bool csv = format == ExportFormat::kCsv;
  out.file_name = fmt::format("{}-{}-{}.{}", FileSafe(caller.account_key), FileStem(what), date,
                              csv ? "csv" : "xlsx");
  if (csv) {
    out.content_type = kCsvType;
    auto stream = std::make_shared<exports::CsvStream>(std::move(sheets.front()), zone.value());
    out.body = [stream, failed = view.value().failed](std::string& chunk) {
      const bool more = stream->Next(chunk);
      if (failed && failed()) return BodyStep::kFailed;
      return more ? BodyStep::kMore : BodyStep::kDone;
    };
    return out;
  }
  out.content_type = kXlsxType;
  out.body = XlsxBody(std::move(sheets), zone.value(), tmpdir);
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

#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "export/stream.h"
#include "metrics/engine.h"
#include "service/service.h"

namespace cohort::service {

// Spreadsheet exports of the views of SPEC §4.1 (§6): each view as CSV or XLSX, with the rows,
// order and filters of the same JSON request. The shapes (columns, units, the course view's
// rows, the report's sheets, file names) are in docs/decisions.md, "Exports". The one way to
// export: the HTTP API (format=csv|xlsx or Accept, sent chunked) and `cohort export` (written to
// a file) both read the same Stream, so both give the same bytes.

enum class ExportFormat { kCsv, kXlsx };

enum class ExportView { kAllCourses, kCourse, kLeague, kGroups, kUser, kHistory, kReport };

// A table query's limit meaning "every row" (exports without `limit`).
inline constexpr std::size_t kAllRows = std::numeric_limits<std::size_t>::max();

// What to export: a view, its keys, and (league, groups, report) its filters, sort and paging.
struct ExportRequest {
  ExportView view = ExportView::kAllCourses;
  std::string course, user, exercise;
  metrics::TableQuery query;
};

// An export under way: what to call it, and its bytes. The stream holds what it needs (the
// view's rows, or for the report's CSV the Service it builds pages from: the Service must
// outlive it).
struct ExportFile {
  std::string content_type;  // "text/csv; charset=utf-8" or the XLSX media type
  std::string file_name;     // "acme-python-101-league-2026-11-29.csv"
  std::unique_ptr<exports::Stream> body;
};

// The media type of each format ("text/csv; charset=utf-8", the XLSX one).
std::string_view ContentType(ExportFormat format);

// Starts exporting the view of `what` for `caller` as `format`. CSV is produced row by row as
// the stream is read (the report's, when ordered by name, built a page at a time); XLSX is
// written by a worker thread to a temporary file in `tmpdir` (the system's when empty) — the
// stream answers kPending meanwhile — then read back piece by piece. Errors: those of the view
// (kNotFound, kForbidden, kInvalid, kUnavailable); once started, a failure ends the stream as
// kFailed (and is logged).
Result<ExportFile> StartExport(Service& service, const Caller& caller, const ExportRequest& what,
                               ExportFormat format, const std::string& tmpdir = "");

}  // namespace cohort::service

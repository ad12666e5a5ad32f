#pragma once

#include <cstddef>
#include <limits>
#include <string>

#include "common/result.h"
#include "http/message.h"
#include "metrics/engine.h"
#include "service/service.h"

namespace cohort::http {

// Spreadsheet exports of the views of SPEC §4.1 (§6): each view as CSV or XLSX, with the rows,
// order and filters of the same JSON request. The shapes (columns, units, the course view's
// rows, the report's sheets, file names) are in docs/decisions.md, "Exports". Used by the HTTP
// API (format=csv|xlsx or Accept) and by `cohort export`, so both give the same bytes.

enum class ExportFormat { kJson, kCsv, kXlsx };

enum class ExportView { kAllCourses, kCourse, kLeague, kGroups, kUser, kHistory, kReport };

// A table query's limit meaning "every row" (exports without `limit`).
inline constexpr std::size_t kAllRows = std::numeric_limits<std::size_t>::max();

// What to export: a view, its keys, and (league, groups, report) its filters, sort and paging.
struct ExportRequest {
  ExportView view = ExportView::kAllCourses;
  std::string course, user, exercise;
  metrics::TableQuery query;
};

// An export ready to send: the body streams from `body` (CSV: produced row by row; XLSX: written
// by a worker thread to a temporary file — `body` answers kPending meanwhile — then read back
// piece by piece).
struct Export {
  std::string content_type;
  std::string file_name;  // "acme-python-101-league-2026-11-29.csv"
  BodyProducer body;
};

// The format a GET asks for: the `format` parameter (json, csv or xlsx) or else the first of
// text/csv, the XLSX media type or application/json in Accept; JSON otherwise. kInvalid naming
// the value for any other `format`.
Result<ExportFormat> RequestedFormat(const Request& request);

// The view of `what` for `caller` as a CSV or XLSX file (`format` must not be kJson). XLSX is
// written first to a temporary file in `tmpdir` (the system's when empty). Errors: those of
// the view (kNotFound, kForbidden, kInvalid), kInternal when the file cannot be written.
Result<Export> RenderExport(service::Service& service, const service::Caller& caller,
                            const ExportRequest& what, ExportFormat format,
                            const std::string& tmpdir = "");

// RenderExport as an HTTP answer: 200 with Content-Disposition: attachment and a streamed body,
// or the JSON error.
Response ExportResponse(service::Service& service, const service::Caller& caller,
                        const ExportRequest& what, ExportFormat format);

}  // namespace cohort::http

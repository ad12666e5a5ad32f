#include "service/exports.h"

#include <utility>
#include <vector>

#include <fmt/format.h>

#include "service/view_sheets.h"

namespace cohort::service {
namespace {

constexpr std::string_view kCsvType = "text/csv; charset=utf-8";
constexpr std::string_view kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

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

}  // namespace

std::string_view ContentType(ExportFormat format) {
  return format == ExportFormat::kCsv ? kCsvType : kXlsxType;
}

Result<ExportFile> StartExport(Service& service, const Caller& caller, const ExportRequest& what,
                               ExportFormat format, const std::string& tmpdir) {
  Result<ViewSheets> view = SheetsOf(service, caller, what, format);
  if (!view.ok()) return view.status();
  std::vector<exports::Sheet>& sheets = view.value().sheets;
  Result<TimeZone> zone = service.Zone(caller);
  if (!zone.ok()) return zone.status();
  ExportFile out;
  const std::string date = FormatDate(zone->LocalDay(service.clock().Now()));
  const bool csv = format == ExportFormat::kCsv;
  out.file_name = fmt::format("{}-{}-{}.{}", FileSafe(caller.account_key), FileStem(what), date,
                              csv ? "csv" : "xlsx");
  out.content_type = std::string(ContentType(format));
  if (csv) {
    out.body = exports::CsvFile(std::move(sheets.front()), std::move(zone).value(),
                                std::move(view.value().failed));
  } else {
    out.body = exports::XlsxFile(std::move(sheets), std::move(zone).value(), tmpdir);
  }
  return out;
}

}  // namespace cohort::service

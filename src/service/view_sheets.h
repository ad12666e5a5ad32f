#pragma once

#include <functional>
#include <vector>

#include "common/result.h"
#include "export/sheet.h"
#include "service/exports.h"
#include "service/service.h"

namespace cohort::service {

// The views of SPEC §4.1 as export Sheets: the columns, titles and units of docs/decisions.md
// (Exports), each row filled from the view's rows, which the Sheets share (shared_ptr) so they
// outlive the call that fetched them.
struct ViewSheets {
  std::vector<exports::Sheet> sheets;
  // Set when rows are built while the export is written (the report's CSV, page by page):
  // true once a page could not be built, so the file must end as failed.
  std::function<bool()> failed;
};

// Fetches the view of `what` for `caller` and describes it as sheets: for CSV exactly one (the
// view's table); for XLSX the same, except the report's Summary and one sheet per course. The
// report's CSV in its order by name is planned, not fetched: its rows are built page by page as
// the sheet is read (Service::PlanReport), so `service` must outlive the sheets.
// Errors: those of the view.
Result<ViewSheets> SheetsOf(Service& service, const Caller& caller, const ExportRequest& what,
                            ExportFormat format);

}  // namespace cohort::service

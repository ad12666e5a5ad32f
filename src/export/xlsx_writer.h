#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "export/sheet.h"

namespace cohort::exports {

// Writes `sheets`, in order, as one XLSX workbook at `path` (libxlsxwriter in constant-memory
// mode: rows go to temporary files in `tmpdir` as they are written, so memory stays at one row
// whatever the row count). Every sheet gets a bold header row that stays frozen, an autofilter
// over all its rows, and column widths fitted to the longest value shown (capped). Cells are
// typed (see ColumnKind): numbers as numbers, fractions with the format 0.0%, instants as Excel
// date-times in `zone` (yyyy-mm-dd hh:mm:ss), h:mm:ss durations as whole seconds in days with
// [h]:mm:ss,
// booleans as booleans, empty cells for nulls. Text is written as text, never as a formula, so it
// needs no ' guard. Sheet names are made valid and unique (SheetName).
// Errors: kInvalid when a sheet has more rows than Excel holds (1,048,575 besides the header;
// nothing is written); kInternal naming the libxlsxwriter error (the file may then be partial:
// the caller deletes it).
Status WriteXlsx(const std::vector<Sheet>& sheets, const TimeZone& zone, const std::string& path,
                 const std::string& tmpdir);

// A valid sheet name from `wish`: the characters []:*?/\ replaced by _, no leading or trailing
// apostrophe, at most 31 characters (UTF-8 aware), not empty, and not equal (ignoring ASCII case)
// to one in `taken` ("Sheet" when nothing is left; "name (2)" style suffixes for repeats).
std::string SheetName(std::string_view wish, const std::vector<std::string>& taken);

}  // namespace cohort::exports

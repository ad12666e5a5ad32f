#include "export/xlsx_writer.h"

#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "common/result.h"
#include "export/csv_writer.h"

namespace cohort::exports {
namespace {

constexpr double kExcelDaysBeforeUnixEpoch = 25569.0;  // 1899-12-30 .. 1970-01-01
constexpr double kMsPerDayDouble = 86'400'000.0;
constexpr std::size_t kMinWidth = 8;
constexpr std::size_t kMaxWidth = 60;
constexpr std::size_t kMaxRows = 1'048'575;  // Excel's 1,048,576 rows, less the header

// Closes (and so frees) a workbook that was not closed explicitly, e.g. after an error.
struct WorkbookCloser {
  void operator()(lxw_workbook* workbook) const noexcept { (void)workbook_close(workbook); }
};
using WorkbookPtr = std::unique_ptr<lxw_workbook, WorkbookCloser>;

Status LxwFailure(lxw_error error, std::string_view what) {
  return Status::Internal(
      fmt::format("cannot write the XLSX file ({}): {}", what, lxw_strerror(error)));
}

std::size_t Utf8Length(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// The formats a workbook's sheets share.
struct Formats {
  lxw_format* header = nullptr;
  lxw_format* percent = nullptr;
  lxw_format* date_time = nullptr;
  lxw_format* duration = nullptr;
};

Formats AddFormats(lxw_workbook* workbook) {
  Formats f;
  f.header = workbook_add_format(workbook);
  format_set_bold(f.header);
  f.percent = workbook_add_format(workbook);
  format_set_num_format(f.percent, "0.0%");
  f.date_time = workbook_add_format(workbook);
  format_set_num_format(f.date_time, "yyyy-mm-dd hh:mm:ss");
  f.duration = workbook_add_format(workbook);
  format_set_num_format(f.duration, "[h]:mm:ss");
  return f;
}

// Writes one cell; returns the number of characters it shows (for the column width).
// An empty cell is left unwritten.
Result<std::size_t> WriteCell(lxw_worksheet* sheet, lxw_row_t row, lxw_col_t col, const Cell& cell,
                              ColumnKind kind, const TimeZone& zone, const Formats& formats) {
  lxw_error error = LXW_NO_ERROR;
  std::size_t shown = 0;
  if (const auto* text = std::get_if<std::string>(&cell); text && kind == ColumnKind::kText) {
    error = worksheet_write_string(sheet, row, col, text->c_str(), nullptr);
    shown = Utf8Length(*text);
  } else if (const auto* n = std::get_if<std::int64_t>(&cell); n && kind == ColumnKind::kInteger) {
    error = worksheet_write_number(sheet, row, col, static_cast<double>(*n), nullptr);
    shown = fmt::formatted_size("{}", *n);
  } else if (const auto* v = std::get_if<double>(&cell)) {
    switch (kind) {
      case ColumnKind::kPercent:
        error = worksheet_write_number(sheet, row, col, *v, formats.percent);
        shown = PercentText(*v).size() + 1;
        break;
      case ColumnKind::kSeconds:
        error = worksheet_write_number(sheet, row, col, std::round(*v) / 1000.0, nullptr);
        shown = SecondsText(*v).size();
        break;
      case ColumnKind::kDuration:
        // Whole seconds, as the CSV's h:mm:ss shows them: spreadsheets differ in whether
        // [h]:mm:ss rounds or truncates a fraction (the exact value is in the seconds column).
        error = worksheet_write_number(sheet, row, col, std::round(*v / 1000.0) / 86400.0,
                                       formats.duration);
        shown = HmsText(*v).size();
        break;
      default:
        break;
    }
  } else if (const auto* t = std::get_if<Instant>(&cell); t && kind == ColumnKind::kDateTime) {
    const double local_ms =
        static_cast<double>(t->ms) + static_cast<double>(zone.OffsetSeconds(*t)) * 1000.0;
    error = worksheet_write_number(
        sheet, row, col, local_ms / kMsPerDayDouble + kExcelDaysBeforeUnixEpoch, formats.date_time);
    shown = 19;
  } else if (const auto* b = std::get_if<bool>(&cell); b && kind == ColumnKind::kBoolean) {
    error = worksheet_write_boolean(sheet, row, col, *b ? 1 : 0, nullptr);
    shown = 5;
  }
  if (error != LXW_NO_ERROR) return LxwFailure(error, fmt::format("row {}, column {}", row, col));
  return shown;
}

Status WriteSheet(lxw_workbook* workbook, const Sheet& sheet, const std::string& name,
                  const TimeZone& zone, const Formats& formats) {
  lxw_worksheet* ws = workbook_add_worksheet(workbook, name.c_str());
  if (ws == nullptr) return Status::Internal("cannot add the XLSX sheet '" + name + "'");
  if (sheet.columns.empty()) return Status();
  const auto last_col = static_cast<lxw_col_t>(sheet.columns.size() - 1);
  // Constant-memory mode writes rows in order, so the header's frozen pane and the autofilter
  // (over every row, known in advance) are set before any row.
  worksheet_freeze_panes(ws, 1, 0);
  lxw_error error = worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(sheet.rows), last_col);
  if (error != LXW_NO_ERROR) return LxwFailure(error, "autofilter");
  std::vector<std::size_t> widths(sheet.columns.size(), 0);
  for (std::size_t c = 0; c < sheet.columns.size(); ++c) {
    const std::string& title = sheet.columns[c].title;
    error = worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), title.c_str(), formats.header);
    if (error != LXW_NO_ERROR) return LxwFailure(error, "header");
    widths[c] = Utf8Length(title) + 3;  // room for the autofilter's button
  }
  std::vector<Cell> cells(sheet.columns.size());
  lxw_row_t row = 0;  // the last row written
  for (std::size_t r = 0; r < sheet.rows; ++r) {
    for (Cell& cell : cells) cell = std::monostate();
    if (!sheet.fill(r, cells)) continue;
    ++row;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      Result<std::size_t> shown = WriteCell(ws, row, static_cast<lxw_col_t>(c), cells[c],
                                            sheet.columns[c].kind, zone, formats);
      if (!shown.ok()) return shown.status();
      widths[c] = std::max(widths[c], shown.value());
    }
  }
  for (std::size_t c = 0; c < widths.size(); ++c) {
    const double width = static_cast<double>(std::clamp(widths[c] + 1, kMinWidth, kMaxWidth));
    const auto col = static_cast<lxw_col_t>(c);
    error = worksheet_set_column(ws, col, col, width, nullptr);
    if (error != LXW_NO_ERROR) return LxwFailure(error, "column width");
  }
  return Status();
}

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char ch) {
             return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch;
           };
           return lower(x) == lower(y);
         });
}

// The first `chars` UTF-8 characters of `text`.
std::string Utf8Prefix(std::string_view text, std::size_t chars) {
  std::size_t seen = 0, end = 0;
  for (; end < text.size(); ++end) {
    if ((static_cast<unsigned char>(text[end]) & 0xC0) != 0x80 && seen++ == chars) break;
  }
  return std::string(text.substr(0, end));
}

}  // namespace

std::string SheetName(std::string_view wish, const std::vector<std::string>& taken) {
  constexpr std::size_t kMaxChars = 31;
  std::string base;
  for (const char c : wish) {
    const bool bad = c == '[' || c == ']' || c == ':' || c == '*' || c == '?' || c == '/' ||
                     c == '\\' || static_cast<unsigned char>(c) < 0x20;
    base += bad ? '_' : c;
  }
  while (!base.empty() && base.front() == '\'') base.erase(base.begin());
  base = Utf8Prefix(base, kMaxChars);
  while (!base.empty() && base.back() == '\'') base.pop_back();
  if (base.empty()) base = "Sheet";
  auto is_taken = [&](std::string_view name) {
    // "History" is reserved by Excel.
    if (SameName(name, "History")) return true;
    return std::any_of(taken.begin(), taken.end(),
                       [&](const std::string& t) { return SameName(t, name); });
  };
  std::string name = base;
  for (int n = 2; is_taken(name); ++n) {
    const std::string suffix = fmt::format(" ({})", n);
    name = Utf8Prefix(base, kMaxChars - suffix.size()) + suffix;
  }
  return name;
}

Status WriteXlsx(const std::vector<Sheet>& sheets, const TimeZone& zone, const std::string& path,
                 const std::string& tmpdir) {
  for (const Sheet& sheet : sheets) {
    if (sheet.rows > kMaxRows) {
      return Status::Invalid(fmt::format(
          "{} rows do not fit in an XLSX sheet (at most {}); export them as CSV or by pages",
          sheet.rows, kMaxRows));
    }
  }
  std::string tmpdir_copy = tmpdir;  // the C API takes a char*
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  options.tmpdir = tmpdir_copy.empty() ? nullptr : tmpdir_copy.data();
  options.use_zip64 = LXW_FALSE;
  WorkbookPtr workbook(workbook_new_opt(path.c_str(), &options));
  if (!workbook) return Status::Internal("cannot create the XLSX workbook");
  const Formats formats = AddFormats(workbook.get());
  std::vector<std::string> names;
  for (const Sheet& sheet : sheets) {
    names.push_back(SheetName(sheet.name, names));
    COHORT_RETURN_IF_ERROR(WriteSheet(workbook.get(), sheet, names.back(), zone, formats));
  }
  const lxw_error closed = workbook_close(workbook.release());
  if (closed != LXW_NO_ERROR) return LxwFailure(closed, "closing the workbook");
  return Status();
}

}  // namespace cohort::exports

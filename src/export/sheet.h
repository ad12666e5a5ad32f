#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "common/time.h"

namespace cohort::exports {

// How a column's values are typed and shown in each format (docs/decisions.md, Exports).
enum class ColumnKind {
  kText,      // text from data (names, titles, keys, emails): guarded against formula injection
  kInteger,   // a whole number ≥ 0
  kPercent,   // a fraction in [0, 1]: CSV 0–100 with one decimal; XLSX the fraction as 0.0%
  kSeconds,   // a duration (milliseconds in the cell): CSV/XLSX seconds, up to 3 decimals
  kDuration,  // the same for people, to the second: CSV h:mm:ss; XLSX days shown [h]:mm:ss
  kDateTime,  // an Instant: CSV RFC 3339 in the account's zone; XLSX a local Excel date-time
  kBoolean,   // CSV true/false; XLSX a boolean cell
};

struct Column {
  std::string title;  // the header: a human title ("Mastery %")
  ColumnKind kind = ColumnKind::kText;
};

// One cell. std::monostate is an empty cell (a JSON null). The alternative a column holds:
// kText std::string; kInteger std::int64_t; kPercent double (fraction); kSeconds and kDuration
// double (milliseconds); kDateTime Instant; kBoolean bool. A mismatch renders as empty.
using Cell = std::variant<std::monostate, std::string, std::int64_t, double, bool, Instant>;

// A table to export: columns, a row count and a function that fills row i. Writers call
// `fill` for i = 0, 1, ..., rows - 1 in order, once per row and format, reusing `cells`
// (already sized to columns.size() and emptied), so no writer holds more than one row of cells.
// `fill` returns false to leave row i out (a row that vanished since `rows` was counted; then
// `rows` is an upper bound). The data `fill` reads must outlive the writer.
struct Sheet {
  std::string name;  // what the XLSX sheet should be called (the writer makes it valid)
  std::vector<Column> columns;
  std::size_t rows = 0;
  std::function<bool(std::size_t row, std::vector<Cell>& cells)> fill;
};

}  // namespace cohort::exports

#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "export/sheet.h"

namespace cohort::exports {

// A CSV file of SPEC §6, produced piece by piece from a Sheet: UTF-8 with a byte-order mark,
// RFC 4180 quoting, CRLF after every record, one header row, then one record per row.
// Cells: see ColumnKind. A text cell that begins with =, +, -, @, tab or carriage return is
// prefixed with ' so that no spreadsheet evaluates it (numbers are never negative here, and
// are never prefixed: only text cells are). Empty cells (nulls) are empty fields.
//
// Memory: one row of cells and one piece of text (about `chunk_bytes`), whatever the row count.
// Not thread-safe; single use.
class CsvStream {
 public:
  static constexpr std::size_t kDefaultChunkBytes = 64 * 1024;

  CsvStream(Sheet sheet, TimeZone zone, std::size_t chunk_bytes = kDefaultChunkBytes);

  // Replaces `chunk` with the next piece: the BOM and header first, then whole records until
  // the piece holds at least `chunk_bytes`. Returns false, with `chunk` empty, once everything
  // has been produced.
  bool Next(std::string& chunk);

 private:
  void AppendRecord(std::string& out);

  Sheet sheet_;
  TimeZone zone_;
  std::size_t chunk_bytes_;
  bool header_done_ = false;
  std::size_t next_row_ = 0;
  std::vector<Cell> cells_;
};

// The CSV text of single values (exposed for tests and for the XLSX writer's widths).
// 0.725 → "72.5": round(1000 × fraction) / 10, one decimal.
std::string PercentText(double fraction);
// 75500 ms → "75.5"; 7200000 → "7200": seconds with up to three decimals, no trailing zeros.
std::string SecondsText(double ms);
// 75500 ms → "0:01:16" (rounded to the second); 90000000 → "25:00:00".
std::string HmsText(double ms);
// Appends `text` as one RFC 4180 field: quoted when it holds a comma, a quote, CR or LF (quotes
// doubled); with `guard`, prefixed by ' when it begins with =, +, -, @, tab or CR.
void AppendCsvField(std::string& out, std::string_view text, bool guard);

}  // namespace cohort::exports

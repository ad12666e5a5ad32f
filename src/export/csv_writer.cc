#include "export/csv_writer.h"

#include <cmath>
#include <utility>

#include <fmt/format.h>

namespace cohort::exports {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr std::string_view kRecordEnd = "\r\n";

bool StartsLikeAFormula(std::string_view text) {
  if (text.empty()) return false;
  switch (text.front()) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
      return true;
    default:
      return false;
  }
}

// Appends the CSV text of one cell of a column of `kind`.
void AppendCell(std::string& out, const Cell& cell, ColumnKind kind, const TimeZone& zone) {
  if (std::holds_alternative<std::monostate>(cell)) return;
  switch (kind) {
    case ColumnKind::kText:
      if (const auto* text = std::get_if<std::string>(&cell)) AppendCsvField(out, *text, true);
      return;
    case ColumnKind::kInteger:
      if (const auto* n = std::get_if<std::int64_t>(&cell))
        fmt::format_to(std::back_inserter(out), "{}", *n);
      return;
    case ColumnKind::kPercent:
      if (const auto* f = std::get_if<double>(&cell)) out += PercentText(*f);
      return;
    case ColumnKind::kSeconds:
      if (const auto* ms = std::get_if<double>(&cell)) out += SecondsText(*ms);
      return;
    case ColumnKind::kDuration:
      if (const auto* ms = std::get_if<double>(&cell)) out += HmsText(*ms);
      return;
    case ColumnKind::kDateTime:
      if (const auto* t = std::get_if<Instant>(&cell)) out += zone.Format(*t);
      return;
    case ColumnKind::kBoolean:
      if (const auto* b = std::get_if<bool>(&cell)) out += *b ? "true" : "false";
      return;
  }
}

}  // namespace

std::string PercentText(double fraction) {
  return fmt::format("{:.1f}", std::round(fraction * 1000.0) / 10.0);
}

std::string SecondsText(double ms) {
  const long long total = std::llround(ms);
  const long long whole = total / 1000;
  long long millis = total % 1000;
  if (millis == 0) return fmt::format("{}", whole);
  std::string out = fmt::format("{}.{:03}", whole, millis);
  while (out.back() == '0') out.pop_back();
  return out;
}

std::string HmsText(double ms) {
  const long long seconds = std::llround(ms / 1000.0);
  return fmt::format("{}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
}

void AppendCsvField(std::string& out, std::string_view text, bool guard) {
  const bool prefix = guard && StartsLikeAFormula(text);
  const bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos;
  if (quote) out += '"';
  if (prefix) out += '\'';
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  if (quote) out += '"';
}

CsvStream::CsvStream(Sheet sheet, TimeZone zone, std::size_t chunk_bytes)
    : sheet_(std::move(sheet)), zone_(std::move(zone)), chunk_bytes_(chunk_bytes) {
  cells_.resize(sheet_.columns.size());
}

void CsvStream::AppendRecord(std::string& out) {
  for (Cell& cell : cells_) cell = std::monostate();
  if (!sheet_.fill(next_row_++, cells_)) return;
  for (std::size_t c = 0; c < cells_.size(); ++c) {
    if (c > 0) out += ',';
    AppendCell(out, cells_[c], sheet_.columns[c].kind, zone_);
  }
  out += kRecordEnd;
}

bool CsvStream::Next(std::string& chunk) {
  chunk.clear();
  if (!header_done_) {
    header_done_ = true;
    chunk += kByteOrderMark;
    for (std::size_t c = 0; c < sheet_.columns.size(); ++c) {
      if (c > 0) chunk += ',';
      AppendCsvField(chunk, sheet_.columns[c].title, false);
    }
    chunk += kRecordEnd;
  }
  while (next_row_ < sheet_.rows && chunk.size() < chunk_bytes_) AppendRecord(chunk);
  return !chunk.empty();
}

}  // namespace cohort::exports

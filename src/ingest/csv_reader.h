#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cohort::ingest::internal {

// Splits RFC 4180 text into records: fields separated by commas, records by CRLF or LF (a lone
// CR too); a field in double quotes may hold commas, line breaks and "" for a quote. A leading
// UTF-8 byte-order mark is skipped, empty lines are skipped, and the last record needs no line
// break. Strict about quotes: a quote inside an unquoted field, or anything but a separator
// after a closing quote, is an error, as is a quote left open.
//
// Fields are views into the text, or into the reader's own buffer for quoted fields with ""
// escapes; they stay valid until the next call to Next(). Not thread-safe; one per text, which
// must outlive it.
class CsvReader {
 public:
  enum class Step { kRecord, kEnd, kError };

  explicit CsvReader(std::string_view text);
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record. kError leaves a message in error(); reading cannot go on after it.
  Step Next();
  const std::vector<std::string_view>& fields() const { return fields_; }
  // The 1-based line on which the current record (or the failing field) starts.
  std::size_t line() const { return record_line_; }
  const std::string& error() const { return error_; }

 private:
  struct Span {
    bool in_buffer;  // an unescaped copy in buffer_, else a view of text_
    std::size_t begin;
    std::size_t size;
  };
  bool ReadQuoted();
  Step Fail(std::string message);

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;         // the line at pos_
  std::size_t record_line_ = 1;  // the line where the current record starts
  std::vector<Span> spans_;
  std::vector<std::string_view> fields_;
  std::string buffer_;
  std::string error_;
};

}  // namespace cohort::ingest::internal

#include "ingest/csv_reader.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace cohort::ingest::internal {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool EndsField(char c) { return c == ',' || c == '\n' || c == '\r' || c == '"'; }

}  // namespace

CsvReader::CsvReader(std::string_view text) : text_(text) {
  if (text_.substr(0, kBom.size()) == kBom) pos_ = kBom.size();
  spans_.reserve(16);
  fields_.reserve(16);
}

CsvReader::Step CsvReader::Fail(std::string message) {
  error_ = std::move(message);
  pos_ = text_.size();
  return Step::kError;
}

bool CsvReader::ReadQuoted() {
  // pos_ is just past the opening quote. Unquoted runs are viewed in place until the first ""
  // escape; from then on the field is copied into buffer_.
  const std::size_t start = pos_;
  const std::size_t start_line = line_;
  Span span{false, start, 0};
  for (;;) {
    const void* found = std::memchr(text_.data() + pos_, '"', text_.size() - pos_);
    if (found == nullptr) {
      record_line_ = start_line;
      return false;
    }
    const std::size_t quote =
        static_cast<std::size_t>(static_cast<const char*>(found) - text_.data());
    line_ += static_cast<std::size_t>(std::count(text_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                                 text_.begin() + static_cast<std::ptrdiff_t>(quote),
                                                 '\n'));
    if (quote + 1 < text_.size() && text_[quote + 1] == '"') {
      if (!span.in_buffer) {
        span = {true, buffer_.size(), 0};
        buffer_.append(text_.substr(start, quote - start));
      } else {
        buffer_.append(text_.substr(pos_, quote - pos_));
      }
      buffer_ += '"';
      pos_ = quote + 2;
      continue;
    }
    if (span.in_buffer) {
      buffer_.append(text_.substr(pos_, quote - pos_));
      span.size = buffer_.size() - span.begin;
    } else {
      span.size = quote - start;
    }
    pos_ = quote + 1;
    spans_.push_back(span);
    return true;
  }
}

CsvReader::Step CsvReader::Next() {
  spans_.clear();
  fields_.clear();
  buffer_.clear();
  const std::size_t n = text_.size();
  // Skip empty lines: no record of ours is a single empty field.
  while (pos_ < n && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\r' && pos_ + 1 < n && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }
  if (pos_ >= n) return Step::kEnd;
  record_line_ = line_;
  for (;;) {
    if (pos_ < n && text_[pos_] == '"') {
      ++pos_;
      if (!ReadQuoted()) {
        return Fail(
            fmt::format("a quoted field starting on line {} is never closed", record_line_));
      }
      if (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
        record_line_ = line_;
        return Fail(fmt::format("unexpected character after a closing quote on line {}", line_));
      }
    } else {
      const std::size_t start = pos_;
      while (pos_ < n && !EndsField(text_[pos_])) ++pos_;
      if (pos_ < n && text_[pos_] == '"') {
        record_line_ = line_;
        return Fail(fmt::format(
            "a quote inside an unquoted field on line {} (quote the whole field and double the "
            "quote)",
            line_));
      }
      spans_.push_back({false, start, pos_ - start});
    }
    if (pos_ >= n) break;
    const char c = text_[pos_++];
    if (c == ',') continue;
    // A line end: CRLF, LF or a lone CR.
    if (c == '\r' && pos_ < n && text_[pos_] == '\n') ++pos_;
    ++line_;
    break;
  }
  for (const Span& s : spans_) {
    fields_.push_back(s.in_buffer ? std::string_view(buffer_).substr(s.begin, s.size)
                                  : text_.substr(s.begin, s.size));
  }
  return Step::kRecord;
}

}  // namespace cohort::ingest::internal

#include "ingest/csv_attempts.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "domain/validation.h"
#include "ingest/csv_reader.h"
#include "ingest/json_documents.h"
#include "ingest/problems.h"

namespace cohort::ingest {
namespace {

using internal::Clip;
using internal::CsvReader;
using internal::Problems;
using internal::TimeBeforeEpoch;

enum Column : std::size_t {
  kAttempt,
  kUser,
  kCourse,
  kExercise,
  kStartedAt,
  kFinishedAt,  // attempt fields, every row
  kQuestion,
  kCorrect,
  kHints,
  kTimeMs,
  kAnsweredAt,
  kPoints,  // the row's response
  kColumnCount
};
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "attempt",  "user",    "course", "exercise", "started_at",  "finished_at",
    "question", "correct", "hints",  "time_ms",  "answered_at", "points"};
constexpr std::array<bool, kColumnCount> kRequired = {true, true, true,  true,  true,  false,
                                                      true, true, false, false, false, false};
constexpr std::size_t kAttemptColumns = kQuestion;  // columns [0, kQuestion) describe the attempt
constexpr std::size_t kAbsent = SIZE_MAX;

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

// The line of the first byte that is not valid UTF-8. Requires: `text` is not valid UTF-8.
std::size_t LineOfBadUtf8(std::string_view text) {
  // A line break is ASCII, so it never falls inside a multi-byte character.
  std::size_t line = 1;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (!simdjson::validate_utf8(text.data() + start, end - start)) return line;
    start = end + 1;
    ++line;
  }
  return line;
}

// Groups response rows into attempts and checks them (see csv_attempts.h).
class CsvAttempts {
 public:
  CsvAttempts(std::string_view csv, Instant now) : reader_(csv), problems_(kMaxDetails), now_(now) {
    column_.fill(kAbsent);
    batch_.attempts.origin = {"/attempts", true};
  }

  Result<domain::WriteBatch> Run() {
    if (!ReadHeader()) return malformed_ ? Malformed() : Failure();
    for (;;) {
      const CsvReader::Step step = reader_.Next();
      if (step == CsvReader::Step::kError) return Malformed();
      if (step == CsvReader::Step::kEnd) break;
      ReadRow();
      if (problems_.full()) return Failure();
    }
    if (open_) FinishAttempt();
    if (!problems_.empty()) return Failure();
    return std::move(batch_);
  }

 private:
  Status Failure() const { return problems_.ToStatus("file"); }

  Status Malformed() const {
    return Status::Malformed(
        fmt::format("malformed CSV: {}", reader_.error()),
        {{std::nullopt, fmt::format("/line/{}", reader_.line()), reader_.error()}});
  }

  std::string Pointer(std::size_t line, std::string_view column = {}) const {
    std::string out = fmt::format("/line/{}", line);
    if (!column.empty()) internal::AppendPointerToken(out, column);
    return out;
  }

  bool ReadHeader() {
    const CsvReader::Step step = reader_.Next();
    if (step == CsvReader::Step::kError) {
      malformed_ = true;
      return false;
    }
    if (step == CsvReader::Step::kEnd) {
      problems_.Add(std::nullopt, "/line/1",
                    fmt::format("the file is empty; expected a header row ({})",
                                fmt::join(kColumnNames, ",")));
      return false;
    }
    const std::size_t line = reader_.line();
    const std::vector<std::string_view>& fields = reader_.fields();
    width_ = fields.size();
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const std::string_view name = TrimSpaces(fields[i]);
      std::size_t c = 0;
      while (c < kColumnCount && kColumnNames[c] != name) ++c;
      if (c == kColumnCount) {
        problems_.Add(std::nullopt, Pointer(line, name),
                      fmt::format("unknown column '{}' (the columns are {})", Clip(name),
                                  fmt::join(kColumnNames, ", ")));
      } else if (column_[c] != kAbsent) {
        problems_.Add(std::nullopt, Pointer(line, name),
                      fmt::format("column '{}' appears twice", name));
      } else {
        column_[c] = i;
      }
    }
    for (std::size_t c = 0; c < kColumnCount; ++c) {
      if (kRequired[c] && column_[c] == kAbsent) {
        problems_.Add(std::nullopt, Pointer(line),
                      fmt::format("missing column '{}'", kColumnNames[c]));
      }
    }
    return problems_.empty();
  }

  // The row's value in column `c`; empty when the file has no such column.
  std::string_view Field(std::size_t c) const {
    return column_[c] == kAbsent ? std::string_view() : reader_.fields()[column_[c]];
  }

  void Report(std::size_t line, std::size_t column, std::string reason) {
    problems_.Add(index_, Pointer(line, kColumnNames[column]), std::move(reason));
    bad_ = true;
  }

  void ReadRow() {
    const std::size_t line = reader_.line();
    const std::size_t width = reader_.fields().size();
    const bool complete = width == width_;
    const std::string_view id = column_[kAttempt] < width ? Field(kAttempt) : std::string_view();
    if (!open_ || id != first_row_[kAttempt]) {
      if (open_) FinishAttempt();
      StartAttempt(line, id, complete);
    } else if (complete && first_row_complete_) {
      for (std::size_t c = kUser; c < kAttemptColumns; ++c) {
        if (column_[c] == kAbsent || Field(c) == first_row_[c]) continue;
        Report(line, c,
               fmt::format("{} '{}' differs from '{}' on line {}, the first row of attempt '{}'",
                           kColumnNames[c], Clip(Field(c)), Clip(first_row_[c]), first_line_,
                           Clip(id)));
      }
    }
    if (!complete) {
      problems_.Add(index_, Pointer(line),
                    fmt::format("expected {} fields as in the header, found {}", width_, width));
      bad_ = true;
      return;
    }
    const std::size_t i = total_responses_++;
    // One past the limit is enough for the rule to fire; the rest are only counted.
    if (i > domain::kMaxResponsesPerAttempt) return;
    lines_.push_back(line);
    domain::Response& r = current_.responses.emplace_back();
    r.question.assign(Field(kQuestion));
    ReadCorrect(line, r.correct);
    if (std::optional<std::int64_t> n = ReadInt(line, kHints)) r.hints = *n;
    if (std::optional<std::int64_t> n = ReadInt(line, kTimeMs)) {
      // As in JSON: refused before answered_at is summed from it, which could overflow.
      if (*n < 0 || *n > domain::kMaxTimeMs) {
        Report(line, kTimeMs,
               fmt::format("time_ms must be 0-{} (24 h); got {}", domain::kMaxTimeMs, *n));
      } else {
        r.time_ms = *n;
      }
    }
    r.points = ReadInt(line, kPoints);
    std::optional<Instant> answered_at = ReadTime(line, kAnsweredAt, false);
    if (answered_at) r.answered_at = *answered_at;
    given_.push_back(answered_at.has_value());
  }

  void StartAttempt(std::size_t line, std::string_view id, bool complete) {
    index_ = attempts_started_++;
    open_ = true;
    bad_ = false;
    first_line_ = line;
    first_row_complete_ = complete;
    total_responses_ = 0;
    lines_.clear();
    given_.clear();
    current_ = domain::Attempt();
    for (std::size_t c = 0; c < kAttemptColumns; ++c) {
      first_row_[c].assign(c == kAttempt ? id : complete ? Field(c) : std::string_view());
    }
    auto [it, inserted] = first_lines_.try_emplace(std::string(id), line);
    if (!inserted) {
      Report(line, kAttempt,
             fmt::format("attempt '{}' already appeared on line {}; the rows of one attempt must "
                         "be consecutive",
                         Clip(id), it->second));
    }
    if (!complete) return;
    current_.id.assign(id);
    current_.user.assign(Field(kUser));
    current_.course.assign(Field(kCourse));
    current_.exercise.assign(Field(kExercise));
    if (std::optional<Instant> t = ReadTime(line, kStartedAt, true)) current_.started_at = *t;
    current_.finished_at = ReadTime(line, kFinishedAt, false);
  }

  void FinishAttempt() {
    open_ = false;
    if (bad_) return;
    domain::ResolveAnsweredAt(current_, given_);
    std::vector<ErrorDetail> errors = domain::ValidateAttempt(current_, now_);
    if (errors.empty()) {
      batch_.attempts.items.push_back(std::move(current_));
      return;
    }
    for (ErrorDetail& e : errors) {
      std::string pointer = RowPointer(e.pointer);
      if (e.pointer == "/responses" && total_responses_ > current_.responses.size()) {
        // Rows past the first 1,001 were counted, not read: say how many there were.
        e.reason = fmt::format("{} responses in one attempt; at most {} are allowed",
                               total_responses_, domain::kMaxResponsesPerAttempt);
      }
      problems_.Add(index_, std::move(pointer), std::move(e.reason));
    }
  }

  // Turns a pointer relative to the attempt ("/responses/3/hints", "/user") into one naming
  // the line and column ("/line/9/hints", "/line/6/user").
  std::string RowPointer(std::string_view relative) const {
    constexpr std::string_view kResponses = "/responses";
    if (relative.substr(0, kResponses.size()) == kResponses) {
      relative.remove_prefix(kResponses.size());
      if (relative.empty()) return Pointer(first_line_);
      relative.remove_prefix(1);  // '/'
      std::size_t i = 0;
      const auto [end, ec] = std::from_chars(relative.data(), relative.data() + relative.size(), i);
      relative.remove_prefix(static_cast<std::size_t>(end - relative.data()));
      const std::size_t line = ec == std::errc() && i < lines_.size() ? lines_[i] : first_line_;
      return Pointer(line) + std::string(relative);
    }
    if (relative == "/id") return Pointer(first_line_, kColumnNames[kAttempt]);
    return Pointer(first_line_) + std::string(relative);
  }

  void ReadCorrect(std::size_t line, bool& out) {
    const std::string_view s = Field(kCorrect);
    if (s == "1" || EqualsIgnoringCase(s, "true")) {
      out = true;
    } else if (s == "0" || EqualsIgnoringCase(s, "false")) {
      out = false;
    } else {
      Report(line, kCorrect, fmt::format("expected true, false, 1 or 0; got '{}'", Clip(s)));
    }
  }

  // An integer column: nullopt when empty or absent (or wrong, then reported).
  std::optional<std::int64_t> ReadInt(std::size_t line, std::size_t column) {
    const std::string_view s = Field(column);
    if (s.empty()) return std::nullopt;
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && end == s.data() + s.size()) return n;
    if (ec == std::errc::result_out_of_range) {
      Report(line, column, "number out of range");
    } else {
      Report(line, column, fmt::format("expected an integer; got '{}'", Clip(s)));
    }
    return std::nullopt;
  }

  std::optional<Instant> ReadTime(std::size_t line, std::size_t column, bool required) {
    const std::string_view s = Field(column);
    if (s.empty() && !required) return std::nullopt;
    std::optional<Instant> t = ParseRfc3339(s);
    if (!t) {
      Report(line, column,
             fmt::format("'{}' is not an RFC 3339 time (like 2026-03-01T09:30:00Z)", Clip(s)));
    } else if (t->ms < 0) {
      Report(line, column, TimeBeforeEpoch(s));
      t.reset();
    }
    return t;
  }

  CsvReader reader_;
  Problems problems_;
  Instant now_;
  bool malformed_ = false;
  std::array<std::size_t, kColumnCount> column_;  // field index of each column, or kAbsent
  std::size_t width_ = 0;                         // fields per row, as in the header

  // The attempt being grouped: the rows since its first one, which share its id.
  bool open_ = false;
  bool bad_ = false;  // one of its rows had a problem: it is not checked further
  std::size_t index_ = 0;
  std::size_t attempts_started_ = 0;
  domain::Attempt current_;
  std::array<std::string, kAttemptColumns> first_row_;  // its first row's attempt fields
  bool first_row_complete_ = false;
  std::size_t first_line_ = 0;
  std::size_t total_responses_ = 0;
  std::vector<std::size_t> lines_;  // the line of each response read
  std::vector<bool> given_;         // whether each response read gave answered_at
  std::unordered_map<std::string, std::size_t> first_lines_;  // attempt id -> its first line

  domain::WriteBatch batch_;
};

}  // namespace

Result<domain::WriteBatch> ParseAttemptsCsv(std::string_view csv, Instant now) {
  if (!simdjson::validate_utf8(csv.data(), csv.size())) {
    const std::size_t line = LineOfBadUtf8(csv);
    return Status::Malformed(fmt::format("file is not valid UTF-8 (line {})", line),
                             {{std::nullopt, fmt::format("/line/{}", line), "not valid UTF-8"}});
  }
  CsvAttempts parser(csv, now);
  return parser.Run();
}

}  // namespace cohort::ingest

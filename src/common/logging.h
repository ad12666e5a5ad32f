#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cohort {

// How log lines are written to standard error.
enum class LogFormat {
  kAuto,  // plain text when stderr is a terminal, JSON lines otherwise
  kText,
  kJson,
};

// Points the default spdlog logger at stderr with `level` (trace, debug, info, warn, error,
// critical, off) and `format`. A JSON line is {"time", "level", "msg"}; a message that is itself
// a JSON object (see StructuredLog) has its fields merged after "time" and "level" instead.
// Errors: kInvalid for an unknown level. Call once, before other threads log.
Status ConfigureLogging(std::string_view level, LogFormat format = LogFormat::kAuto);

// Whether ConfigureLogging chose JSON lines.
bool LogsAreJson();

// `text` as the inside of a JSON string (quotes, backslashes and control characters escaped;
// bytes ≥ 0x80 are passed through).
std::string JsonEscape(std::string_view text);

// Builds a structured log message: StructuredLog("request").Add("status", 200).Text() is
// {"msg":"request","status":200}. Field names must be plain identifiers.
class StructuredLog {
 public:
  explicit StructuredLog(std::string_view msg);
  StructuredLog& Add(std::string_view name, std::string_view value);
  StructuredLog& Add(std::string_view name, const char* value) {
    return Add(name, std::string_view(value));
  }
  StructuredLog& Add(std::string_view name, std::int64_t value);
  StructuredLog& Add(std::string_view name, double value);
  std::string Text() const { return text_ + "}"; }

 private:
  std::string text_;  // without the closing brace
};

}  // namespace cohort

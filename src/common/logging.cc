#include "common/logging.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <memory>

#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace cohort {
namespace {

std::atomic<bool> json_logs{false};

bool IsStructured(std::string_view payload) {
  return payload.size() >= 3 && payload.substr(0, 2) == "{\"" && payload.back() == '}';
}

// One JSON object per line: {"time":"2026-03-10T12:00:00.123Z","level":"info",...}.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::int64_t ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    const std::string_view level_name(spdlog::level::to_string_view(msg.level).data(),
                                      spdlog::level::to_string_view(msg.level).size());
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    fmt::format_to(std::back_inserter(dest),
                   R"({{"time":"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z","level":"{}",)",
                   utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                   utc.tm_sec, ms % 1000, level_name);
    if (IsStructured(payload)) {
      dest.append(payload.data() + 1, payload.data() + payload.size());
    } else {
      const std::string escaped = JsonEscape(payload);
      fmt::format_to(std::back_inserter(dest), R"("msg":"{}"}})", escaped);
    }
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

std::string JsonEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += c;
        }
    }
  }
  return out;
}

StructuredLog::StructuredLog(std::string_view msg)
    : text_("{\"msg\":\"" + JsonEscape(msg) + "\"") {}

StructuredLog& StructuredLog::Add(std::string_view name, std::string_view value) {
  text_ += fmt::format(",\"{}\":\"{}\"", name, JsonEscape(value));
  return *this;
}

StructuredLog& StructuredLog::Add(std::string_view name, std::int64_t value) {
  text_ += fmt::format(",\"{}\":{}", name, value);
  return *this;
}

StructuredLog& StructuredLog::Add(std::string_view name, double value) {
  text_ += fmt::format(",\"{}\":{:.3f}", name, value);
  return *this;
}

Status ConfigureLogging(std::string_view level, LogFormat format) {
  static constexpr std::string_view kLevels[] = {"trace",   "debug", "info",     "warn",
                                                 "warning", "error", "critical", "off"};
  bool known = false;
  for (std::string_view l : kLevels) known = known || l == level;
  if (!known) {
    return Status::Invalid(fmt::format(
        "unknown log level '{}' (use trace, debug, info, warn, error, critical or off)", level));
  }
  const bool json =
      format == LogFormat::kJson || (format == LogFormat::kAuto && isatty(STDERR_FILENO) == 0);
  json_logs.store(json);
  std::shared_ptr<spdlog::logger> logger;
  if (json) {
    logger = std::make_shared<spdlog::logger>("cohort",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger = std::make_shared<spdlog::logger>(
        "cohort", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  }
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
  return Status();
}

bool LogsAreJson() { return json_logs.load(); }

}  // namespace cohort

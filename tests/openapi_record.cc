#include "openapi_record.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace cohort::testing {

void RecordApiAnswer(std::string_view method, std::string_view target, std::string_view request,
                     int status, const std::map<std::string, std::string>& headers,
                     std::string_view body) {
  static const char* const dir = std::getenv("COHORT_TEST_LOG_DIR");
  if (dir == nullptr || *dir == '\0' || status == 0) return;
  static std::mutex mutex;
  static std::ofstream out;
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  nlohmann::json line = {
      {"test", test != nullptr ? fmt::format("{}.{}", test->test_suite_name(), test->name()) : ""},
      {"method", method},
      {"target", target},
      {"status", status},
      {"headers", headers},
      {"bytes", body.size()}};
  if (!request.empty() && request.size() <= (1u << 20)) {
    nlohmann::json sent = nlohmann::json::parse(request, nullptr, /*allow_exceptions=*/false);
    if (!sent.is_discarded()) line["request"] = std::move(sent);
  }
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    line["body"] = nullptr;
    line["json"] = false;
  } else {
    line["body"] = std::move(parsed);
    line["json"] = true;
  }
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(mutex);
  if (!out.is_open()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    out.open(std::filesystem::path(dir) / fmt::format("openapi-answers-{}.jsonl", ::getpid()),
             std::ios::app);
  }
  out << text << '\n';
  out.flush();
}

}  // namespace cohort::testing

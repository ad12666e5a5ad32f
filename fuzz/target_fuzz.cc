// libFuzzer target: request targets and query strings (the path and parameters every route and
// the table queries read). A decoded target is valid UTF-8 without NUL, and its path starts
// with '/'.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/target.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

bool Clean(std::string_view s) {
  return cohort::http::IsValidUtf8(s) && s.find('\0') == std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  cohort::Result<cohort::http::DecodedTarget> target = cohort::http::DecodeTarget(text);
  if (target.ok()) {
    Check(!target->path.empty() && target->path.front() == '/' && Clean(target->path));
    for (const auto& [name, value] : target->query) Check(Clean(name) && Clean(value));
  } else {
    Check(!target.status().message().empty());
  }
  for (bool plus : {false, true}) {
    cohort::Result<std::string> decoded = cohort::http::PercentDecode(text, plus);
    if (decoded.ok()) Check(Clean(*decoded) && decoded->size() <= text.size());
  }
  return 0;
}

// libFuzzer target: the JSON documents of the ingest API and of `cohort import` (SPEC §2).
// Whatever the bytes, the parsers answer a value or an error with a message; an accepted batch
// respects the limits of SPEC §9.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/time.h"
#include "ingest/json_documents.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

template <typename T>
void CheckResult(const cohort::Result<T>& r) {
  if (!r.ok()) Check(!r.status().message().empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const cohort::Instant now{1'773'144'000'000};  // 2026-03-10T12:00:00Z
  cohort::Result<cohort::domain::WriteBatch> attempts = cohort::ingest::ParseAttempts(body, now);
  CheckResult(attempts);
  if (attempts.ok()) {
    Check(attempts->attempts.items.size() <= 10'000);
    for (const cohort::domain::Attempt& a : attempts->attempts.items) {
      Check(!a.id.empty() && a.responses.size() <= 1'000);
    }
  }
  CheckResult(cohort::ingest::ParseImportJson(body, now));
  CheckResult(cohort::ingest::ParseCourse("fuzz-course", body));
  CheckResult(cohort::ingest::ParseUser("fuzz-user", body));
  CheckResult(cohort::ingest::ParseGroup("fuzz-group", body));
  CheckResult(cohort::ingest::ParseEnrollment(body));
  return 0;
}

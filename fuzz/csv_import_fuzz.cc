// libFuzzer target: the CSV files of `cohort import` (one row per response).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/time.h"
#include "ingest/csv_attempts.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view csv(reinterpret_cast<const char*>(data), size);
  cohort::Result<cohort::domain::WriteBatch> batch =
      cohort::ingest::ParseAttemptsCsv(csv, cohort::Instant{1'773'144'000'000});
  if (!batch.ok() && batch.status().message().empty()) std::abort();
  if (batch.ok()) {
    for (const cohort::domain::Attempt& a : batch->attempts.items) {
      if (a.id.empty() || a.responses.size() > 1'000) std::abort();
    }
  }
  return 0;
}

#include "domain/attempt.h"

#include <cstdint>
#include <vector>

namespace cohort::domain {

void ResolveAnsweredAt(Attempt& attempt, const std::vector<bool>& given) {
  std::int64_t cumulative = 0;
  for (std::size_t i = 0; i < attempt.responses.size(); ++i) {
    Response& r = attempt.responses[i];
    cumulative += r.time_ms;
    if (i >= given.size() || !given[i]) r.answered_at = Instant{attempt.started_at.ms + cumulative};
  }
}

}  // namespace cohort::domain

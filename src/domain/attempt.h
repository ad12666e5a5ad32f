#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"

namespace cohort::domain {

inline constexpr std::size_t kMaxAttemptsPerRequest = 10'000;
inline constexpr std::size_t kMaxResponsesPerAttempt = 1'000;
inline constexpr std::int64_t kMaxFutureMs = 24 * 3600 * 1000;
// Bounds that keep sums far from overflow and reject absurd values (docs/decisions.md).
inline constexpr std::int64_t kMaxTimeMs = 24LL * 3600 * 1000;
inline constexpr std::int64_t kMaxHints = 1'000'000;
inline constexpr std::int64_t kMaxPoints = 1'000'000;
inline constexpr std::size_t kMaxQuestionBytes = 256;

struct Response {
  std::string question;
  bool correct = false;
  std::int64_t hints = 0;
  std::int64_t time_ms = 0;
  Instant answered_at;           // resolved: given, or started_at + cumulative time_ms
  std::optional<std::int64_t> points;
  bool operator==(const Response&) const = default;
};

// A finished attempt as the LMS sends it. Two attempts are "identical" (idempotent re-post)
// when these parsed values are equal, with defaults resolved.
struct Attempt {
  std::string id;
  std::string user;
  std::string course;
  std::string exercise;
  Instant started_at;
  std::optional<Instant> finished_at;
  std::vector<Response> responses;
  bool operator==(const Attempt&) const = default;
};

// Fills every response's answered_at that was not given: started_at + Σ time_ms of responses
// 0..i (SPEC §3.8). `given[i]` says whether response i carried answered_at.
void ResolveAnsweredAt(Attempt& attempt, const std::vector<bool>& given);

}  // namespace cohort::domain

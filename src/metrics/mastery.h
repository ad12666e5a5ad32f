#pragma once

#include <cstdint>

#include "domain/course.h"

namespace cohort::metrics {

// A response's credit (SPEC §3.1), in halves so sums stay exact: 2 = correct with no hint,
// 1 = correct with hints, 0 = incorrect.
enum class Credit : std::uint8_t { kNone = 0, kHalf = 1, kFull = 2 };

inline Credit CreditOf(bool correct, std::int64_t hints) {
  if (!correct) return Credit::kNone;
  return hints == 0 ? Credit::kFull : Credit::kHalf;
}

// Tolerance for threshold comparisons (SPEC §3.8): 8 of 10 credits really is 0.8.
inline constexpr double kThresholdEpsilon = 1e-9;
inline bool MeetsThreshold(double value, double threshold) {
  return value + kThresholdEpsilon >= threshold;
}

// The mastery of one user × exercise cell under either model, fed responses in SPEC order.
// 8 bytes. `recent`: the credits of the last W ≤ 32 responses, two bits each, newest in the
// low bits. `bkt`: P(L), the probability that the skill is learned, stored with its sign bit
// flipped so that the all-zero state (no response yet) is distinct from every probability.
class MasteryState {
 public:
  // Applies the next response in SPEC order.
  void Apply(Credit credit, const domain::CourseSettings& settings);
  // Mastery in [0, 1]; 0 before any response.
  double Value(const domain::CourseSettings& settings) const;

 private:
  static constexpr std::uint64_t kSign = std::uint64_t{1} << 63;
  std::uint64_t bits_ = 0;
};

}  // namespace cohort::metrics

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
// 16 bytes. `recent`: the credits of the last W ≤ 32 responses, two bits each, newest in the
// low bits. `bkt`: P(L), the probability that the skill is learned.
class MasteryState {
 public:
  // Applies the next response in SPEC order.
  void Apply(Credit credit, const domain::CourseSettings& settings);
  // Mastery in [0, 1]; 0 before any response.
  double Value(const domain::CourseSettings& settings) const;
  std::uint32_t seen() const { return seen_; }

 private:
  union {
    std::uint64_t credits_ = 0;  // recent
    double p_learned_;           // bkt, valid once seen_ > 0
  };
  std::uint32_t seen_ = 0;
};

}  // namespace cohort::metrics

#include "metrics/mastery.h"

#include <bit>

namespace cohort::metrics {

void MasteryState::Apply(Credit credit, const domain::CourseSettings& s) {
  if (s.mastery_model == domain::MasteryModel::kRecent) {
    bits_ = (bits_ << 2) | static_cast<std::uint64_t>(credit);
  } else {
    const double prior = bits_ == 0 ? s.p_init : std::bit_cast<double>(bits_ ^ kSign);
    double posterior;
    if (credit == Credit::kFull) {
      const double num = prior * (1 - s.p_slip);
      const double den = num + (1 - prior) * s.p_guess;
      posterior = den > 0 ? num / den : prior;
    } else {
      const double num = prior * s.p_slip;
      const double den = num + (1 - prior) * (1 - s.p_guess);
      posterior = den > 0 ? num / den : prior;
    }
    bits_ = std::bit_cast<std::uint64_t>(posterior + (1 - posterior) * s.p_learn) ^ kSign;
  }
}

double MasteryState::Value(const domain::CourseSettings& s) const {
  if (s.mastery_model == domain::MasteryModel::kBkt) {
    return bits_ == 0 ? 0.0 : std::bit_cast<double>(bits_ ^ kSign);
  }
  const int w = s.mastery_window;
  const std::uint64_t mask = w >= 32 ? ~std::uint64_t{0} : (std::uint64_t{1} << (2 * w)) - 1;
  const std::uint64_t window = bits_ & mask;
  // Each 2-bit lane holds 0, 1 or 2: the sum of lanes is popcount of the low bits plus twice
  // the popcount of the high bits.
  constexpr std::uint64_t kLow = 0x5555'5555'5555'5555ULL;
  const int halves = std::popcount(window & kLow) + 2 * std::popcount((window >> 1) & kLow);
  return static_cast<double>(halves) / (2.0 * w);
}

}  // namespace cohort::metrics

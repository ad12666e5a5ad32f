#pragma once

#include <cmath>
#include <cstdint>
#include <optional>

namespace cohort::metrics {

// A sum of fractions in [0, 1] that does not depend on the order of the additions, so an
// aggregate over users is the same whether the engine was maintained live or rebuilt at start
// (SPEC §3.8), whatever order its enrollments sit in. Each value is rounded to a multiple of
// 2^-52 and summed exactly as a 128-bit integer; the mean is rounded to 12 decimals, far below
// what any view shows (one decimal of a percentage), so 0.2 reads 0.2 and not 0.19999999999999996.
class ExactSum {
 public:
  // Adds a fraction; a negative one takes away exactly what adding its opposite added.
  void Add(double fraction) { units_ += static_cast<Int128>(Units(fraction)); }
  void Add(const ExactSum& other) { units_ += other.units_; }
  // The mean over `n` values; nullopt for a mean over no one.
  std::optional<double> Mean(std::int64_t n) const {
    if (n == 0) return std::nullopt;
    const long double mean = static_cast<long double>(units_) / static_cast<long double>(kUnit) /
                             static_cast<long double>(n);
    return static_cast<double>(std::roundl(mean * 1e12L) / 1e12L);
  }

 private:
  __extension__ using Int128 = __int128;
  // fraction × 2^52 rounded to the nearest integer (ties to even), for |fraction| ≤ 1: adding
  // and taking away 2^52 leaves no fractional bits (the hardware rounds), symmetrically for
  // negative values. Inline; std::llround is a library call, and this runs per user per view.
  static std::int64_t Units(double fraction) {
    const double scaled = fraction * kUnit;
    const double rounded = scaled >= 0 ? (scaled + kUnit) - kUnit : (scaled - kUnit) + kUnit;
    return static_cast<std::int64_t>(rounded);
  }
  static constexpr double kUnit = 4'503'599'627'370'496.0;  // 2^52
  Int128 units_ = 0;
};

}  // namespace cohort::metrics

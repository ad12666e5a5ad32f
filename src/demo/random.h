#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>

namespace cohort::demo {

// Every choice the demo generator makes, from one std::mt19937_64 (its output sequence is fixed
// by the standard), in a fixed order. The standard distributions are not used: their algorithms
// are implementation-defined, so the same seed could give other data with another standard
// library. Not thread-safe.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [lo, hi]. Requires: lo <= hi. The modulo bias (below 2^-32 for our spans) is
  // harmless here.
  int Int(int lo, int hi) {
    const auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(hi) - lo + 1);
    return lo + static_cast<int>(engine_() % span);
  }
  // Uniform in [0, n). Requires: n > 0.
  std::size_t Index(std::size_t n) { return static_cast<std::size_t>(engine_() % n); }
  // Uniform in [0, 1), from the top 53 bits.
  double Unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double Range(double lo, double hi) { return lo + (hi - lo) * Unit(); }
  bool Chance(double p) { return Unit() < p; }
  // An index drawn with probability proportional to its weight. Requires: a weight > 0.
  std::size_t Weighted(std::span<const double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Unit() * total;
    std::size_t last = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (weights[i] <= 0) continue;
      if (x < weights[i]) return i;
      x -= weights[i];
      last = i;
    }
    return last;  // only reached through rounding
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace cohort::demo

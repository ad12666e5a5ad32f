#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace cohort::bench {

// The median (lower of the two middle values), 99th percentile (nearest rank) and maximum of
// a set of times, and how many there were. All 0 for an empty set.
struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
  std::size_t n = 0;
};

Percentiles Summarise(std::vector<double> v);
inline double Median(std::vector<double> v) { return Summarise(std::move(v)).p50; }

}  // namespace cohort::bench

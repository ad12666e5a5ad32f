#include "bench/percentiles.h"

#include <algorithm>
#include <cmath>

namespace cohort::bench {

Percentiles Summarise(std::vector<double> v) {
  Percentiles p;
  p.n = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  p.p50 = v[(v.size() - 1) / 2];
  const std::size_t i99 =
      static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(v.size()))) - 1;
  p.p99 = v[std::min(i99, v.size() - 1)];
  p.max = v.back();
  return p;
}

}  // namespace cohort::bench

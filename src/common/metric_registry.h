#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cohort {

// Label pairs of one series, e.g. {{"route", "/healthz"}, {"status", "200"}}; kept in the order
// given (families should always pass their labels in the same order).
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// A monotonic count. Thread-safe (one atomic).
class Counter {
 public:
  void Add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A Prometheus histogram: counts of observations at or below each upper bound, plus their sum.
// Thread-safe (atomics); a reader may see an observation in a bucket before it is in the sum.
class Histogram {
 public:
  // `bounds`: finite upper bounds, strictly increasing (+Inf is implied).
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf (= the count)
    double sum = 0;
  };
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bound, then one for +Inf
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds, 0.5 ms to 10 s.
std::vector<double> LatencyBuckets();

// Counters, histograms and gauges by name and labels, rendered in the Prometheus text
// exposition format 0.0.4. Series are created on first use and live as long as the registry;
// references returned stay valid. Thread-safe: `mutex_` guards the maps (the values themselves
// are atomics). Gauge callbacks run under that mutex while rendering, so they must not call
// back into the registry.
class MetricRegistry {
 public:
  MetricRegistry() = default;
  MetricRegistry(const MetricRegistry&) = delete;
  MetricRegistry& operator=(const MetricRegistry&) = delete;

  // The counter `name` (which should end in _total) with `labels`. Requires: `name` was not
  // registered as another type.
  Counter& GetCounter(std::string_view name, std::string_view help,
                      const MetricLabels& labels = {});
  // The histogram `name` with `labels`; `bounds` are used when it is created.
  Histogram& GetHistogram(std::string_view name, std::string_view help,
                          const std::vector<double>& bounds, const MetricLabels& labels = {});
  // A gauge whose value `read` returns at each rendering. Replaces one with the same labels.
  void SetGauge(std::string_view name, std::string_view help, std::function<double()> read,
                const MetricLabels& labels = {});

  // Every family, sorted by name, with # HELP and # TYPE lines.
  std::string RenderText() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series {
    MetricLabels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> gauge;
  };
  struct Family {
    Type type;
    std::string help;
    std::map<std::string, Series> series;  // by rendered labels
  };
  Series& Find(std::string_view name, std::string_view help, Type type, const MetricLabels& labels);

  mutable std::mutex mutex_;  // guards families_ (the map and every Series' members)
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace cohort

#include "common/metric_registry.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include <fmt/format.h>

namespace cohort {
namespace {

// Label values escape backslash, double quote and newline (exposition format 0.0.4).
std::string EscapeLabel(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// HELP text escapes backslash and newline.
std::string EscapeHelp(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// `{a="1",b="2"}`, with `extra` appended (the histogram's le); "" when there are none.
std::string RenderLabels(const MetricLabels& labels,
                         const std::pair<std::string, std::string>* extra = nullptr) {
  if (labels.empty() && extra == nullptr) return "";
  std::string out = "{";
  bool first = true;
  auto add = [&](const std::string& name, const std::string& value) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    out += EscapeLabel(value);
    out += '"';
  };
  for (const auto& [name, value] : labels) add(name, value);
  if (extra != nullptr) add(extra->first, extra->second);
  out += '}';
  return out;
}

std::string Number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  return fmt::format("{}", value);
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  assert(std::is_sorted(bounds_.begin(), bounds_.end()));
}

void Histogram::Observe(double value) {
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  counts_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.cumulative.reserve(bounds_.size() + 1);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(total);
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

MetricRegistry::Series& MetricRegistry::Find(std::string_view name, std::string_view help,
                                             Type type, const MetricLabels& labels) {
  auto family = families_.find(name);
  if (family == families_.end()) {
    family = families_.emplace(std::string(name), Family{type, std::string(help), {}}).first;
  }
  assert(family->second.type == type && "a metric name is registered with two types");
  const std::string key = RenderLabels(labels);
  auto series = family->second.series.find(key);
  if (series == family->second.series.end()) {
    series = family->second.series.emplace(key, Series{labels, nullptr, nullptr, nullptr}).first;
  }
  return series->second;
}

Counter& MetricRegistry::GetCounter(std::string_view name, std::string_view help,
                                    const MetricLabels& labels) {
  std::lock_guard lock(mutex_);
  Series& s = Find(name, help, Type::kCounter, labels);
  if (!s.counter) s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Histogram& MetricRegistry::GetHistogram(std::string_view name, std::string_view help,
                                        const std::vector<double>& bounds,
                                        const MetricLabels& labels) {
  std::lock_guard lock(mutex_);
  Series& s = Find(name, help, Type::kHistogram, labels);
  if (!s.histogram) s.histogram = std::make_unique<Histogram>(bounds);
  return *s.histogram;
}

void MetricRegistry::SetGauge(std::string_view name, std::string_view help,
                              std::function<double()> read, const MetricLabels& labels) {
  std::lock_guard lock(mutex_);
  Find(name, help, Type::kGauge, labels).gauge = std::move(read);
}

std::string MetricRegistry::RenderText() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    const char* type = family.type == Type::kCounter ? "counter"
                       : family.type == Type::kGauge ? "gauge"
                                                     : "histogram";
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, EscapeHelp(family.help), name, type);
    for (const auto& [key, series] : family.series) {
      switch (family.type) {
        case Type::kCounter:
          out += fmt::format("{}{} {}\n", name, key, series.counter->value());
          break;
        case Type::kGauge:
          out += fmt::format("{}{} {}\n", name, key, Number(series.gauge ? series.gauge() : 0.0));
          break;
        case Type::kHistogram: {
          const Histogram::Snapshot snap = series.histogram->Read();
          const std::vector<double>& bounds = series.histogram->bounds();
          for (std::size_t i = 0; i <= bounds.size(); ++i) {
            const std::pair<std::string, std::string> le{
                "le", i < bounds.size() ? Number(bounds[i]) : "+Inf"};
            out += fmt::format("{}_bucket{} {}\n", name, RenderLabels(series.labels, &le),
                               snap.cumulative[i]);
          }
          out += fmt::format("{}_sum{} {}\n", name, key, Number(snap.sum));
          out += fmt::format("{}_count{} {}\n", name, key, snap.cumulative.back());
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace cohort

#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace cohort::metrics {

// A sortable cell: null, a number, a string (compared byte-wise) or a boolean (false first).
using SortValue = std::variant<std::monostate, bool, std::int64_t, double, std::string_view>;

inline SortValue Nullable(const std::optional<double>& v) {
  return v ? SortValue(*v) : SortValue();
}
inline SortValue Nullable(const std::optional<Instant>& v) {
  return v ? SortValue(v->ms) : SortValue();
}

// Fractions (mastery, progress, score) are means of sums taken in storage order, so figures that
// are mathematically equal can differ in their last bits, and an engine rebuilt with another
// storage order would break such ties differently. Tables compare fractions at 1e-9 (the
// tolerance of SPEC §3.8), so equal figures tie and fall to name, then key.
inline double SortableFraction(double v) { return std::nearbyint(v * 1e9); }

// Column extractors of a row type, by the JSON field names (SPEC §3.8: `sort` takes them).
template <typename Row>
using Columns = std::unordered_map<std::string, std::function<SortValue(const Row&)>>;

// Sorts `rows` by `column` (nulls last in both directions), ties by name then key ascending in
// both directions, then by their order in `rows` (so the order is that of a stable sort), and
// keeps rows [offset, offset + limit) of that order. Only the kept rows are fully ordered and
// moved: a page of a large table costs O(rows · log(offset + limit)). kInvalid for an unknown
// column.
template <typename Row>
Status SortRows(std::vector<Row>& rows, const Columns<Row>& columns, const std::string& column,
                bool descending, std::string_view (*name)(const Row&),
                std::string_view (*key)(const Row&), std::size_t offset = 0,
                std::size_t limit = static_cast<std::size_t>(-1)) {
  auto it = columns.find(column);
  if (it == columns.end()) {
    std::string known;
    std::vector<std::string> names;
    for (const auto& [k, v] : columns) names.push_back(k);
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
    return Status::Invalid("cannot sort by '" + column + "'",
                           {{std::nullopt, "", "sort must be one of: " + known}});
  }
  if (offset >= rows.size()) {
    rows.clear();
    return Status();
  }
  const std::size_t end = limit >= rows.size() - offset ? rows.size() : offset + limit;
  const auto& extract = it->second;
  std::vector<std::pair<SortValue, std::size_t>> keyed;
  keyed.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    keyed.emplace_back(extract(rows[i]), i);
    if (double* d = std::get_if<double>(&keyed.back().first)) *d = SortableFraction(*d);
  }
  auto less = [&](const std::pair<SortValue, std::size_t>& a,
                  const std::pair<SortValue, std::size_t>& b) {
    const bool a_null = std::holds_alternative<std::monostate>(a.first);
    const bool b_null = std::holds_alternative<std::monostate>(b.first);
    if (a_null != b_null) return b_null;  // nulls last in both directions
    if (!a_null && a.first != b.first) {
      return descending ? b.first < a.first : a.first < b.first;
    }
    const Row& ra = rows[a.second];
    const Row& rb = rows[b.second];
    const std::string_view na = name(ra), nb = name(rb);
    if (na != nb) return na < nb;
    const std::string_view ka = key(ra), kb = key(rb);
    if (ka != kb) return ka < kb;
    return a.second < b.second;
  };
  // A strict total order, so any sorting algorithm gives the one answer.
  std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(end), keyed.end(),
                    less);
  std::vector<Row> page;
  page.reserve(end - offset);
  for (std::size_t i = offset; i < end; ++i) page.push_back(std::move(rows[keyed[i].second]));
  rows = std::move(page);
  return Status();
}

// Case-insensitive (ASCII) substring test for `q` filters.
inline char FoldAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool ContainsFolded(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [&](char a, char b) { return FoldAscii(a) == FoldAscii(b); }) != haystack.end();
}

}  // namespace cohort::metrics

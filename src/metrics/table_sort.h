#pragma once

// Sorting and paging of the table views (SPEC §3.8), driven by their column declarations
// (view_columns.h): a column sorts when it is declared sortable, by its declared rule; nulls
// last in both directions; ties by the table's tie-break columns (name, then key) ascending in
// both directions.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"
#include "metrics/view_columns.h"

namespace cohort::metrics {

// Fractions (mastery, progress, score) are means of sums taken in storage order, so figures that
// are mathematically equal can differ in their last bits, and an engine rebuilt with another
// storage order would break such ties differently. Tables compare fractions at 1e-9 (the
// tolerance of SPEC §3.8), so equal figures tie and fall to name, then key.
inline double SortableFraction(double v) { return std::nearbyint(v * 1e9); }

// What rows are compared on for one column: null, or a number (`number`) and bytes (`bytes`);
// a rule fills one of the two, so a key compares as (null last, number, bytes) whatever the rule.
struct SortKey {
  std::int64_t number = 0;
  std::string_view bytes;  // borrowed from the row
  bool null = false;
};

// A double as an int64 of the same order (for the non-negative doubles of the views: means of
// times; negative ones order too, -0.0 just before 0.0).
inline std::int64_t OrderedBits(double d) {
  const auto bits = std::bit_cast<std::int64_t>(d);
  return bits >= 0 ? bits : bits ^ INT64_MAX;
}

// The key of a cell under `rule` (a value the rule does not expect keys as null).
inline SortKey MakeSortKey(SortRule rule, const CellValue& v) {
  SortKey k;
  if (std::holds_alternative<std::monostate>(v)) {
    k.null = true;
    return k;
  }
  switch (rule) {
    case SortRule::kBytes:
      if (const auto* s = std::get_if<std::string_view>(&v)) {
        k.bytes = *s;
        return k;
      }
      break;
    case SortRule::kFraction:
      if (const auto* d = std::get_if<double>(&v)) {
        k.number = static_cast<std::int64_t>(SortableFraction(*d));
        return k;
      }
      break;
    case SortRule::kNumber:
      if (const auto* i = std::get_if<std::int64_t>(&v)) {
        k.number = *i;
        return k;
      }
      if (const auto* t = std::get_if<Instant>(&v)) {
        k.number = t->ms;
        return k;
      }
      if (const auto* d = std::get_if<double>(&v)) {
        k.number = OrderedBits(*d);
        return k;
      }
      break;
    case SortRule::kFalseFirst:
      if (const auto* b = std::get_if<bool>(&v)) {
        k.number = *b ? 1 : 0;
        return k;
      }
      break;
    case SortRule::kNone:
      break;
  }
  k.null = true;
  return k;
}

// <0, 0, >0 as a sorts before, level with, after b on one column in the requested direction:
// nulls last either way. CompareNumbers is the same for keys without bytes (every rule but
// kBytes), on their parts, for callers that keep keys smaller than a SortKey.
inline int CompareNumbers(bool a_null, std::int64_t a, bool b_null, std::int64_t b,
                          bool descending) {
  if (a_null != b_null) return a_null ? 1 : -1;
  if (a == b) return 0;
  return (a < b) != descending ? -1 : 1;
}
inline int CompareKeys(const SortKey& a, const SortKey& b, bool descending = false) {
  if (a.null != b.null || a.number != b.number) {
    return CompareNumbers(a.null, a.number, b.null, b.number, descending);
  }
  const int c = a.bytes.compare(b.bytes);
  if (c == 0) return 0;
  return (c < 0) != descending ? -1 : 1;
}

// kInvalid for `sort=<column>` on a table that declares no such sortable column, naming those
// it does.
template <typename Row>
Status UnknownSortColumn(const ColumnTable<Row>& table, std::string_view column) {
  std::vector<std::string_view> names;
  for (const ColumnInfo& c : table.columns) {
    if (c.sortable()) names.push_back(c.name);
  }
  std::sort(names.begin(), names.end());
  std::string known;
  for (const std::string_view n : names) {
    if (!known.empty()) known += ", ";
    known += n;
  }
  return Status::Invalid("cannot sort by '" + std::string(column) + "'",
                         {{std::nullopt, "", "sort must be one of: " + known}});
}

// The position of sortable column `column` in `table`; kInvalid (UnknownSortColumn) otherwise.
template <typename Row>
Result<std::size_t> SortableColumn(const ColumnTable<Row>& table, std::string_view column) {
  const std::optional<std::size_t> i = table.IndexOf(column);
  if (!i || !table.columns[*i].sortable()) return UnknownSortColumn(table, column);
  return *i;
}

// Rows [offset, offset + limit) of the order, clamped to `size`.
struct Page {
  std::size_t first = 0, end = 0;
};
inline Page PageOf(std::size_t size, std::size_t offset, std::size_t limit) {
  const std::size_t first = std::min(offset, size);
  return {first, first + std::min(limit, size - first)};
}

// Sorts `rows` by `column` of `table` in the requested direction (nulls last either way), ties by
// the table's tie-break columns ascending, then by their order in `rows` (so the order is that of
// a stable sort), and keeps rows [offset, offset + limit) of that order. Only the kept rows are
// fully ordered and moved: a page of a large table costs O(rows · log(offset + limit)).
// kInvalid for a column the table does not declare sortable.
template <typename Row>
Status SortRows(std::vector<Row>& rows, const ColumnTable<Row>& table, std::string_view column,
                bool descending, std::size_t offset = 0,
                std::size_t limit = static_cast<std::size_t>(-1)) {
  Result<std::size_t> found = SortableColumn(table, column);
  if (!found.ok()) return found.status();
  if (offset >= rows.size()) {
    rows.clear();
    return Status();
  }
  const Page page = PageOf(rows.size(), offset, limit);
  const ViewColumn<Row>& by = table.columns[found.value()];
  // Every key is read once, not in every comparison: the column's, then the tie-break's.
  std::vector<const ViewColumn<Row>*> ties;
  for (const std::string_view tie : table.tie_break) ties.push_back(table.Find(tie));
  const std::size_t stride = ties.size();
  struct Keyed {
    SortKey key;
    std::uint32_t index;
  };
  std::vector<Keyed> keyed(rows.size());
  std::vector<SortKey> tie_keys(rows.size() * stride);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    keyed[i] = {MakeSortKey(by.sort, by.value(rows[i])), static_cast<std::uint32_t>(i)};
    for (std::size_t t = 0; t < stride; ++t) {
      tie_keys[i * stride + t] = MakeSortKey(ties[t]->sort, ties[t]->value(rows[i]));
    }
  }
  auto less = [&](const Keyed& a, const Keyed& b) {
    if (const int c = CompareKeys(a.key, b.key, descending); c != 0) return c < 0;
    for (std::size_t t = 0; t < stride; ++t) {
      const int c = CompareKeys(tie_keys[a.index * stride + t], tie_keys[b.index * stride + t]);
      if (c != 0) return c < 0;
    }
    return a.index < b.index;
  };
  // A strict total order, so any sorting algorithm gives the one answer.
  std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(page.end),
                    keyed.end(), less);
  std::vector<Row> kept;
  kept.reserve(page.end - page.first);
  for (std::size_t i = page.first; i < page.end; ++i)
    kept.push_back(std::move(rows[keyed[i].index]));
  rows = std::move(kept);
  return Status();
}

// Keeps the rows `keep(row)` accepts (in their order), orders them by `column` of `table` (an
// empty column: as they are) and keeps rows [offset, offset + limit). Returns how many were
// kept before paging; kInvalid for a column the table does not declare sortable.
template <typename Row, typename Keep>
Result<std::size_t> FilterSortPage(std::vector<Row>& rows, const ColumnTable<Row>& table,
                                   std::string_view column, bool descending, std::size_t offset,
                                   std::size_t limit, Keep keep) {
  std::erase_if(rows, [&](const Row& r) { return !keep(r); });
  const std::size_t total = rows.size();
  if (!column.empty()) {
    COHORT_RETURN_IF_ERROR(SortRows(rows, table, column, descending, offset, limit));
    return total;
  }
  const Page page = PageOf(rows.size(), offset, limit);
  rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(page.end), rows.end());
  rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(page.first));
  return total;
}

}  // namespace cohort::metrics

#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cohort::ingest::internal {

// The ErrorDetails of one document, up to a cap: parsers keep going through items while
// `full()` is false, so one answer names several bad items. Not thread-safe; one per parse.
class Problems {
 public:
  explicit Problems(std::size_t cap) : cap_(cap) {}

  void Add(std::optional<std::size_t> index, std::string pointer, std::string reason);
  // Puts a detail first (the one that stopped the parse), dropping the last one when full.
  void AddFirst(std::optional<std::size_t> index, std::string pointer, std::string reason);
  // Adds domain rule details, whose pointers are relative to an item at `item_pointer`.
  // `key_field`, when not empty, names the field that a detail with an empty pointer (the
  // item's own key) is about.
  void AddRelative(std::vector<ErrorDetail> details, std::optional<std::size_t> index,
                   std::string_view item_pointer, std::string_view key_field);

  bool empty() const { return details_.empty(); }
  bool full() const { return details_.size() >= cap_; }
  std::size_t size() const { return details_.size(); }
  const std::vector<ErrorDetail>& details() const { return details_; }

  // kInvalid: "3 problems in the request; nothing was applied (first: /0/user: ...)".
  // `noun` names the input ("request", "file"). Requires: !empty().
  Status ToStatus(std::string_view noun) const;

 private:
  std::size_t cap_;
  std::vector<ErrorDetail> details_;
};

// At most `max_bytes` of `text`, cut at a UTF-8 character boundary, with "..." when cut: for
// quoting client values in messages.
std::string Clip(std::string_view text, std::size_t max_bytes = 64);

// Appends `token` to a JSON pointer as one reference token ("~" -> "~0", "/" -> "~1"). A token
// longer than kMaxPointerToken bytes (no field or key is) is clipped as Clip() does, so that an
// error never echoes a 10 MB field name back (docs/security.md).
inline constexpr std::size_t kMaxPointerToken = 128;
void AppendPointerToken(std::string& pointer, std::string_view token);

// The reason given for a time before 1970-01-01T00:00:00Z, which no field accepts: no learning
// platform recorded one, and the engine keeps weekly series from an enrollment's first attempt
// on, so a single attempt dated in year 0 would cost it 105,000 weeks (docs/security.md).
std::string TimeBeforeEpoch(std::string_view text);

}  // namespace cohort::ingest::internal

#include "ingest/problems.h"

#include <utility>

#include <fmt/format.h>

namespace cohort::ingest::internal {

void Problems::Add(std::optional<std::size_t> index, std::string pointer, std::string reason) {
  if (full()) return;
  details_.push_back({index, std::move(pointer), std::move(reason)});
}

void Problems::AddFirst(std::optional<std::size_t> index, std::string pointer, std::string reason) {
  if (full()) details_.pop_back();
  details_.insert(details_.begin(), {index, std::move(pointer), std::move(reason)});
}

void Problems::AddRelative(std::vector<ErrorDetail> details, std::optional<std::size_t> index,
                           std::string_view item_pointer, std::string_view key_field) {
  for (ErrorDetail& d : details) {
    std::string pointer(item_pointer);
    if (d.pointer.empty() && !key_field.empty()) {
      pointer += '/';
      pointer += key_field;
    } else {
      pointer += d.pointer;
    }
    Add(index, std::move(pointer), std::move(d.reason));
  }
}

Status Problems::ToStatus(std::string_view noun) const {
  const ErrorDetail& first = details_.front();
  const std::string where = first.pointer.empty() ? std::string("the root") : first.pointer;
  std::string message;
  if (details_.size() == 1) {
    message =
        fmt::format("1 problem in the {}; nothing was applied ({}: {})", noun, where, first.reason);
  } else {
    message = fmt::format("{}{} problems in the {}; nothing was applied (first: {}: {})",
                          full() ? "at least " : "", details_.size(), noun, where, first.reason);
  }
  return Status::Invalid(std::move(message), details_);
}

std::string Clip(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes;
  // Back up over UTF-8 continuation bytes so the cut never splits a character.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

void AppendPointerToken(std::string& pointer, std::string_view token) {
  pointer += '/';
  const std::string clipped =
      token.size() > kMaxPointerToken ? Clip(token, kMaxPointerToken) : std::string();
  if (!clipped.empty()) token = clipped;
  for (char c : token) {
    if (c == '~') {
      pointer += "~0";
    } else if (c == '/') {
      pointer += "~1";
    } else {
      pointer += c;
    }
  }
}

std::string TimeBeforeEpoch(std::string_view text) {
  return fmt::format("'{}' is before 1970-01-01T00:00:00Z, the earliest time accepted", Clip(text));
}

}  // namespace cohort::ingest::internal

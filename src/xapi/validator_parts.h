#pragma once

// What the validator's files share (validator.cc: statements, agents, verbs, objects, contexts;
// validator_activity.cc: activities, interactions, results, attachments): the nested helper
// classes of Validator and small text helpers. Internal to cohort_xapi.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "xapi/validator.h"

namespace cohort::xapi::internal {

namespace dom = simdjson::dom;

// At most `max_bytes` of a client's value, cut at a UTF-8 boundary, for quoting in messages.
inline std::string Clip(std::string_view text, std::size_t max_bytes = 64) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

inline void SortUnique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

inline void Append(std::vector<std::string>& to, const std::vector<std::string>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

// The members of one JSON object that the spec allows, first occurrence of each name, null
// values left out (and reported).
class Validator::Members {
 public:
  std::optional<dom::element> Get(std::string_view name) const {
    for (const auto& [key, value] : items_) {
      if (key == name) return value;
    }
    return std::nullopt;
  }
  // Present, even if null.
  bool Has(std::string_view name) const {
    return std::find(present_.begin(), present_.end(), name) != present_.end();
  }

 private:
  friend class Validator;
  std::vector<std::pair<std::string_view, dom::element>> items_;
  std::vector<std::string_view> present_;
};

// Pushes one pointer segment for the lifetime of the scope.
class [[nodiscard]] Validator::Scope {
 public:
  Scope(Validator& v, std::string_view key) : v_(v) { v_.path_.push_back(PointerToken(key)); }
  Scope(Validator& v, std::size_t index) : v_(v) { v_.path_.push_back(std::to_string(index)); }
  ~Scope() { v_.path_.pop_back(); }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  Validator& v_;
};

}  // namespace cohort::xapi::internal

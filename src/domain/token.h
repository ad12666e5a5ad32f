#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort::domain {

enum class Scope : std::uint8_t { kRead = 1, kIngest = 2, kAdmin = 4 };

// A set of token scopes as a bit mask. `admin` implies `read` and `ingest`.
struct ScopeSet {
  std::uint8_t bits = 0;
  bool Allows(Scope s) const {
    return (bits & static_cast<std::uint8_t>(s)) != 0 ||
           (bits & static_cast<std::uint8_t>(Scope::kAdmin)) != 0;
  }
  void Add(Scope s) { bits = static_cast<std::uint8_t>(bits | static_cast<std::uint8_t>(s)); }
  bool operator==(const ScopeSet&) const = default;
};

std::optional<Scope> ParseScope(std::string_view name);
std::vector<std::string> ScopeNames(ScopeSet scopes);

}  // namespace cohort::domain

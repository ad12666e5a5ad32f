#pragma once

#include <compare>
#include <cstdint>

namespace cohort {

// Row ids of the system of record, as strong types: an award id cannot be passed where a token
// id is wanted. Each wraps the store's 64-bit row id; 0 is "none".
template <typename Tag>
struct Id {
  std::int64_t value = 0;
  auto operator<=>(const Id&) const = default;
  explicit operator bool() const { return value != 0; }
};

using AccountId = Id<struct AccountTag>;
using UserId = Id<struct UserTag>;
using TokenId = Id<struct TokenTag>;
using SessionId = Id<struct SessionTag>;
using AwardId = Id<struct AwardTag>;

}  // namespace cohort

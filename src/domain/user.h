#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"

namespace cohort::domain {

enum class Role : std::uint8_t {
  kAccountManager = 1,
  kExecutive = 2,
  kGroupManager = 4,
  kLearner = 8,
};

// A set of roles, stored as a bit mask.
struct RoleSet {
  std::uint8_t bits = 0;
  bool Has(Role r) const { return (bits & static_cast<std::uint8_t>(r)) != 0; }
  void Add(Role r) { bits = static_cast<std::uint8_t>(bits | static_cast<std::uint8_t>(r)); }
  bool operator==(const RoleSet&) const = default;
};

const char* RoleName(Role r);
std::optional<Role> ParseRole(std::string_view name);
std::vector<std::string> RoleNames(RoleSet roles);

// PUT /api/v1/users/{user}. `password` is write-only and never read back from the store.
struct User {
  std::string key;
  std::string name;
  std::string email;
  RoleSet roles;
  std::vector<std::string> groups;  // group keys, membership
  bool active = true;
  std::optional<std::string> password;
};

// PUT /api/v1/groups/{group}. Membership is set on users.
struct Group {
  std::string key;
  std::string name;
  std::vector<std::string> managers;  // user keys
};

// PUT /api/v1/enrollments/{user}/{course}; enrolled_at defaults to now.
struct Enrollment {
  std::string user;
  std::string course;
  std::optional<Instant> enrolled_at;
};

// Checks the shape of an email address enough to catch typos: one '@', something on both sides,
// no spaces, at most 254 bytes.
bool IsPlausibleEmail(std::string_view email);
// Lower-cases ASCII letters: emails are unique per account case-insensitively.
std::string FoldEmail(std::string_view email);

}  // namespace cohort::domain

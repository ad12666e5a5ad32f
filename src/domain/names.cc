// The names of roles, token scopes and mastery models on the wire (SPEC §1, §2), and their
// parsing; declared beside their enums in user.h, token.h and course.h.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/course.h"
#include "domain/token.h"
#include "domain/user.h"

namespace cohort::domain {

const char* MasteryModelName(MasteryModel m) {
  return m == MasteryModel::kBkt ? "bkt" : "recent";
}

const char* RoleName(Role r) {
  switch (r) {
    case Role::kAccountManager: return "account_manager";
    case Role::kExecutive: return "executive";
    case Role::kGroupManager: return "group_manager";
    case Role::kLearner: return "learner";
  }
  return "learner";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kAccountManager, Role::kExecutive, Role::kGroupManager, Role::kLearner}) {
    if (name == RoleName(r)) return r;
  }
  return std::nullopt;
}

std::vector<std::string> RoleNames(RoleSet roles) {
  std::vector<std::string> out;
  for (Role r : {Role::kAccountManager, Role::kExecutive, Role::kGroupManager, Role::kLearner}) {
    if (roles.Has(r)) out.emplace_back(RoleName(r));
  }
  return out;
}

std::optional<Scope> ParseScope(std::string_view name) {
  if (name == "read") return Scope::kRead;
  if (name == "ingest") return Scope::kIngest;
  if (name == "admin") return Scope::kAdmin;
  return std::nullopt;
}

std::vector<std::string> ScopeNames(ScopeSet scopes) {
  std::vector<std::string> out;
  const std::uint8_t b = scopes.bits;
  if (b & static_cast<std::uint8_t>(Scope::kRead)) out.emplace_back("read");
  if (b & static_cast<std::uint8_t>(Scope::kIngest)) out.emplace_back("ingest");
  if (b & static_cast<std::uint8_t>(Scope::kAdmin)) out.emplace_back("admin");
  return out;
}

}  // namespace cohort::domain

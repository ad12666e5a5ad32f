#pragma once

#include <string>

namespace cohort::domain {

// An organisation: the tenant. Every other row belongs to exactly one account.
struct Account {
  std::string key;
  std::string name;
  std::string timezone = "UTC";  // IANA name
  bool operator==(const Account&) const = default;
};

}  // namespace cohort::domain

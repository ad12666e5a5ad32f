#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "service/service.h"

namespace cohort::demo {

struct DemoOptions {
  std::string account_key = "demo";
  std::string account_name = "Acme Learning";
  std::string timezone = "Europe/London";
  int users = 2000;
  int courses = 8;
  std::uint64_t seed = 1;
  Instant until;  // the generated history ends here (the CLI passes today's date, 00:00 UTC)
};

// One person to sign in as, printed by `cohort demo`.
struct DemoSignIn {
  std::string role;  // "account_manager", "executive", "group_manager", "learner"
  std::string user;
  std::string email;
  std::string password;
};

struct DemoResult {
  std::vector<DemoSignIn> sign_ins;
  std::string ingest_token;  // an API token with scopes read, ingest (printed for curl examples)
  std::size_t attempts = 0;
  std::size_t responses = 0;
};

// Creates a realistic demo organisation through Service (the same path as HTTP ingest):
// the account, named groups, people, courses, and months of attempts. Deterministic for the
// same options. `progress(done, total)` is called now and then while attempts are written.
// Errors: whatever Service returns (kConflict when the account already exists).
Result<DemoResult> CreateDemoOrganisation(
    service::Service& service, const DemoOptions& options,
    const std::function<void(std::size_t, std::size_t)>& progress);

}  // namespace cohort::demo

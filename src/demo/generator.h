#pragma once

#include <vector>

#include "common/time.h"
#include "demo/demo.h"
#include "domain/attempt.h"
#include "domain/write_batch.h"

namespace cohort::demo {

// A demo organisation simulated in memory, not yet written.
struct DemoData {
  domain::WriteBatch setup;               // groups, courses, people, explicit enrollments
  std::vector<domain::Attempt> attempts;  // chronological, ids assigned
  std::vector<DemoSignIn> sign_ins;
};

// Simulates the organisation of `options` — people with an ability and an appetite for practice,
// working through their courses day by day — over the days before `until` (no event after it).
// Deterministic: the same options and `until` give the same data. Requires: options.users >= 4,
// options.courses >= 1 (CreateDemoOrganisation checks them).
DemoData GenerateDemo(const DemoOptions& options, Instant until);

}  // namespace cohort::demo

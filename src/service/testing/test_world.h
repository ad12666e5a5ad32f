#pragma once

// What the service's tests write (header-only, for tests): course c1 (chapter ch1: e1, e2, e3),
// learners ann and bob, and their attempts.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "common/time.h"
#include "domain/attempt.h"
#include "domain/write_batch.h"

namespace cohort::service::testing {

// An attempt at `exercise` of course c1 started at `started_ms`, one minute long: three
// responses, the second one wrong.
inline domain::Attempt TestAttempt(std::string id, std::string user, std::string exercise,
                                   std::int64_t started_ms) {
  domain::Attempt a{std::move(id),       std::move(user), "c1", std::move(exercise),
                    Instant{started_ms}, Instant{started_ms + 60'000}, {}};
  for (int i = 0; i < 3; ++i) {
    a.responses.push_back({fmt::format("q{}", i), i != 1, 0, 1000, Instant{started_ms + 1000 * i},
                           std::nullopt});
  }
  return a;
}

// The catalog: course c1 (chapter ch1 with e1, e2, e3) and the learners ann and bob.
inline domain::WriteBatch TestCatalog() {
  domain::WriteBatch catalog;
  domain::Course course{"c1", "Course", {}, {}};
  course.chapters.push_back({"ch1", "Chapter", {{"e1", "E1"}, {"e2", "E2"}, {"e3", "E3"}}});
  catalog.courses.items = {course};
  for (const char* key : {"ann", "bob"}) {
    domain::UserWrite w;
    w.user.key = key;
    w.user.name = key;
    w.user.email = fmt::format("{}@example.com", key);
    w.user.roles.Add(domain::Role::kLearner);
    catalog.users.items.push_back(w);
  }
  return catalog;
}

}  // namespace cohort::service::testing

#pragma once
// Test data of the store tests (store_test.cc, sqlite_store_test.cc, postgres_store_test.cc):
// the catalog every test starts from, and small builders of users, courses and attempts.

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/write_batch.h"
#include "store/store.h"

namespace cohort::store::test_data {

inline constexpr Instant kNow{1'772'000'000'000};

// accepted, duplicates, responses, enrolled of a WriteSummary, to compare in one line.
using Tally = std::array<std::size_t, 4>;
inline Tally Counted(const domain::WriteSummary& s) {
  return {s.accepted, s.duplicates, s.responses, s.enrolled};
}

inline domain::Course Course(std::string key,
                             std::vector<std::pair<std::string, std::vector<std::string>>> chapters) {
  domain::Course course{std::move(key), "Course", {}, {}};
  for (auto& [chapter, exercises] : chapters) {
    domain::ChapterDef& c = course.chapters.emplace_back();
    c.key = chapter;
    c.title = fmt::format("Chapter {}", chapter);
    for (const std::string& e : exercises) c.exercises.push_back({e, fmt::format("Exercise {}", e)});
  }
  return course;
}

inline domain::UserWrite User(std::string key, std::string email,
                              std::vector<std::string> groups = {}) {
  domain::UserWrite w;
  w.user.key = std::move(key);
  w.user.name = fmt::format("Name of {}", w.user.key);
  w.user.email = std::move(email);
  w.user.roles.Add(domain::Role::kLearner);
  w.user.groups = std::move(groups);
  return w;
}

inline domain::Attempt Attempt(std::string id, std::string user, std::string exercise,
                               std::int64_t started_ms, int responses = 3) {
  domain::Attempt a{std::move(id),
                    std::move(user),
                    "c1",
                    std::move(exercise),
                    Instant{started_ms},
                    Instant{started_ms + 60'000},
                    {}};
  for (int i = 0; i < responses; ++i) {
    a.responses.push_back({fmt::format("q{}", i), i % 2 == 0, i, 1000 * (i + 1),
                           Instant{started_ms + 1000 * (i + 1)},
                           i == 1 ? std::optional<std::int64_t>(7) : std::nullopt});
  }
  return a;
}

// Groups g1, g2; course c1 (chapters ch1: e1, e2; ch2: e3); users ann, bob.
inline domain::WriteBatch Catalog() {
  domain::WriteBatch b;
  b.groups.items = {{"g1", "Group 1", {}}, {"g2", "Group 2", {}}};
  b.courses.items = {Course("c1", {{"ch1", {"e1", "e2"}}, {"ch2", {"e3"}}})};
  b.users.items = {User("ann", "ann@example.com", {"g1"}), User("bob", "bob@example.com")};
  return b;
}

inline domain::WriteBatch Attempts(std::vector<domain::Attempt> attempts,
                                   std::string list_pointer = "") {
  domain::WriteBatch b;
  b.attempts.origin = {std::move(list_pointer), true};
  b.attempts.items = std::move(attempts);
  return b;
}

// 70 attempts with 0-6 responses: two full multi-row chunks of 32, then single-row inserts; the
// id a3 comes again inside the first chunk (item 5), a40 again at the end (item 69).
inline std::vector<domain::Attempt> LargeBatch() {
  std::vector<domain::Attempt> attempts;
  for (int i = 0; i < 68; ++i) {
    attempts.push_back(Attempt(fmt::format("a{}", i), i % 2 ? "ann" : "bob", "e2", 1000 * i, i % 7));
    if (i == 4) attempts.push_back(attempts[3]);
  }
  attempts.push_back(attempts[41]);
  return attempts;
}

// Applies `batches` as one group on `store`.
inline Result<std::vector<Result<domain::WriteSummary>>> ApplyGroupOf(
    Store& store, AccountId account, const std::vector<domain::WriteBatch>& batches) {
  std::vector<GroupWrite> writes;
  for (const domain::WriteBatch& b : batches) writes.push_back({account, &b});
  return store.ApplyGroup(writes, kNow);
}

}  // namespace cohort::store::test_data

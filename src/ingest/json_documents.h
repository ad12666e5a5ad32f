#pragma once

#include <optional>
#include <string_view>

#include "common/result.h"
#include "common/time.h"
#include "domain/write_batch.h"

namespace cohort::ingest {

// Parsers for the JSON bodies of SPEC §2, built on simdjson ondemand. Each reads the whole body,
// checks its shape (types, required and unknown fields, duplicate keys) and every rule of
// domain/validation.h, and returns the parsed value or a Status:
//   kMalformed (400): not JSON, invalid UTF-8, nesting deeper than 64, trailing content;
//   kInvalid (422): wrong type, unknown or duplicate field, missing field, a broken rule, too
//     many items — with one ErrorDetail per problem (index for batch items, JSON pointer from
//     the body's root, reason), up to kMaxDetails of them.
// `now` bounds times to at most 24 h in the future. Thread-safe (each call has its own parser).

inline constexpr std::size_t kMaxDetails = 100;
inline constexpr std::size_t kMaxDepth = 64;

// POST /api/v1/attempts: an array of 0..10,000 attempts. The result's `attempts` section has
// origin {"", indexed}. answered_at defaults are resolved.
Result<domain::WriteBatch> ParseAttempts(std::string_view body, Instant now);

// PUT /api/v1/courses/{key}: `key` comes from the path (and is validated here too).
Result<domain::Course> ParseCourse(std::string_view key, std::string_view body);
// PUT /api/v1/users/{key}. Missing "active" means true; missing roles means ["learner"].
Result<domain::User> ParseUser(std::string_view key, std::string_view body);
// PUT /api/v1/groups/{key}.
Result<domain::Group> ParseGroup(std::string_view key, std::string_view body);
// PUT /api/v1/enrollments/{user}/{course}: `{}` or `{"enrolled_at"}`; an empty body is `{}`.
Result<std::optional<Instant>> ParseEnrollment(std::string_view body);

// `cohort import` JSON file: either an array of attempts (as POST /api/v1/attempts, without
// the 10,000 limit) or a bundle object
//   {"courses": [{"key", ...course}], "groups": [{"key", ...group}],
//    "users": [{"key", ...user}], "enrollments": [{"user", "course", "enrolled_at"?}],
//    "attempts": [...]}
// with every section optional. Pointers in errors are from the file's root
// ("/attempts/3/user").
Result<domain::WriteBatch> ParseImportJson(std::string_view document, Instant now);

}  // namespace cohort::ingest

#pragma once

#include <vector>

#include "common/status.h"
#include "domain/attempt.h"
#include "domain/course.h"
#include "domain/user.h"

namespace cohort::domain {

// Rule checks of SPEC §2 and §9 that do not need the store. Each returns every broken rule as
// an ErrorDetail whose pointer is relative to the object's own root ("/chapters/0/key"); the
// caller prefixes it and sets the index. An empty vector means valid.
std::vector<ErrorDetail> ValidateCourse(const Course& course);
std::vector<ErrorDetail> ValidateSettings(const CourseSettings& settings);
std::vector<ErrorDetail> ValidateUser(const User& user);
// An IRI with a scheme (RFC 3987 "absolute"), ≤ 1024 bytes, no space or control character.
bool IsAbsoluteIri(std::string_view iri);
std::vector<ErrorDetail> ValidateGroup(const Group& group);
// `now` bounds started_at/finished_at/answered_at to at most 24 h in the future.
std::vector<ErrorDetail> ValidateAttempt(const Attempt& attempt, Instant now);

}  // namespace cohort::domain

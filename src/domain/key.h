#pragma once

#include <string_view>

namespace cohort::domain {

// SPEC §9: keys are 1–128 bytes of A-Z a-z 0-9 . _ -, and not "." or "..".
bool IsValidKey(std::string_view key);

// Attempt ids are client-generated: 1–128 bytes, valid UTF-8 has already been checked, no
// control characters.
bool IsValidAttemptId(std::string_view id);

inline constexpr std::size_t kMaxKeyBytes = 128;

}  // namespace cohort::domain

#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "domain/token.h"

namespace cohort::ingest {

// Parsers for the small JSON bodies of sign-in, tokens and awards (SPEC §9), with the errors of
// json_documents.h: kMalformed (400) for unreadable JSON, kInvalid (422) with a JSON pointer per
// problem for a wrong type, an unknown, duplicate or missing field, or a value out of range.

// POST /api/v1/session: {"email", "password", "account"?}.
struct SignInRequest {
  std::string email, password;
  std::optional<std::string> account;
};
Result<SignInRequest> ParseSignIn(std::string_view body);

// POST /api/v1/session/password: {"current_password", "new_password"}.
struct PasswordChange {
  std::string current_password, new_password;
};
Result<PasswordChange> ParsePasswordChange(std::string_view body);

// POST /api/v1/tokens: {"name" (1-200 bytes), "scopes": ["read" | "ingest" | "admin", ...]}
// with at least one scope.
struct TokenRequest {
  std::string name;
  domain::ScopeSet scopes;
};
Result<TokenRequest> ParseTokenRequest(std::string_view body);

// POST /api/v1/awards: {"user", "course"?, "title" (1-200 bytes), "note"? (≤ 2000 bytes)}.
struct AwardRequest {
  std::string user;
  std::optional<std::string> course;
  std::string title, note;
};
Result<AwardRequest> ParseAward(std::string_view body);

}  // namespace cohort::ingest

#pragma once

// What the LRS's two files (xapi.cc: statements; xapi_documents.cc: documents) both need.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "domain/user.h"

namespace cohort::service::xapi_keys {

// Lower-case hex of `n` bytes.
inline std::string Hex(const unsigned char* bytes, std::size_t n) {
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) out += fmt::format("{:02x}", bytes[i]);
  return out;
}

// The user an agent key (xapi::AgentKey) would name: "key:<name>" of an account, "email:<folded
// email>" of an mbox; none for other identifiers. Stored beside statements and agent documents,
// so that a user created later finds their statements and erasing a user deletes both.
inline std::optional<std::string> ActorHint(std::string_view agent) {
  if (agent.starts_with("account:")) {
    return "key:" + std::string(agent.substr(agent.rfind(' ') + 1));
  }
  constexpr std::string_view kMailto = "mbox:mailto:";
  if (agent.starts_with(kMailto)) return "email:" + domain::FoldEmail(agent.substr(kMailto.size()));
  return std::nullopt;
}

}  // namespace cohort::service::xapi_keys

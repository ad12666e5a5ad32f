#pragma once

#include <optional>

#include "http/message.h"
#include "service/service.h"

namespace cohort::http {

// The routes of sign-in, API tokens and awards (SPEC §9):
//   POST/GET/DELETE /api/v1/session, POST /api/v1/session/password,
//   GET/POST /api/v1/tokens, DELETE /api/v1/tokens/{id},
//   POST /api/v1/awards, DELETE /api/v1/awards/{id}.
// Answers a request for one of these paths (405 for another method), or nullopt when the path
// is none of them. Thread-safe (no state of its own).
std::optional<Response> HandleAuthRoute(service::Service& service, const Request& request);

}  // namespace cohort::http

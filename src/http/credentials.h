#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "http/message.h"
#include "service/service.h"

namespace cohort::http {

// The cookie that carries a browser session's secret (SPEC §5).
inline constexpr std::string_view kSessionCookie = "cohort_session";
// The header a browser sends with each state-changing request: the session's CSRF token.
inline constexpr std::string_view kCsrfHeader = "x-csrf-token";

// The bearer token of the Authorization header, or "" when there is none.
std::string_view BearerToken(const Request& request);
// The session secret in the Cookie header, or "" when there is none.
std::string_view SessionCookie(const Request& request);

// The client's address for sign-in throttling: the TCP peer's, unless the peer is this machine
// (a reverse proxy on loopback, as docs/operations.md sets up nginx): then the last address in
// X-Forwarded-For, the one that proxy saw. A remote peer's X-Forwarded-For is ignored (anyone
// could write it).
std::string_view ClientAddress(const Request& request);

// Checks a request's credential (SPEC §5): the bearer token when there is an Authorization
// header, otherwise the session cookie. A request with a session cookie that changes state
// (any method but GET and HEAD) must also carry X-CSRF-Token equal to the session's CSRF
// token: kForbidden otherwise. kUnauthenticated without a valid credential.
Result<service::Caller> Authenticate(service::Service& service, const Request& request);

// The session cookie's flags: HttpOnly, SameSite=Lax, Path=/, and Secure when the request came
// over TLS through a proxy that says so (X-Forwarded-Proto: https) — Cohort itself serves plain
// HTTP. `secret` empty clears the cookie.
std::string SessionCookieHeader(const Request& request, std::string_view secret,
                                std::int64_t max_age_s);
// Adds to `response` the Set-Cookie header that clears the session cookie.
void ClearSessionCookie(const Request& request, Response& response);

}  // namespace cohort::http

#include "http/credentials.h"

#include <fmt/format.h>

namespace cohort::http {
namespace {

// Compares in a time that depends only on the lengths, so a guess learns nothing from timing.
bool SameSecret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = static_cast<unsigned char>(
        diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
  }
  return diff == 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view BearerToken(const Request& request) {
  std::string_view auth = request.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.size() > kBearer.size() && auth.substr(0, kBearer.size()) == kBearer) {
    return auth.substr(kBearer.size());
  }
  return {};
}

std::string_view SessionCookie(const Request& request) {
  std::string_view cookies = request.Header("cookie");
  while (!cookies.empty()) {
    const std::size_t end = cookies.find(';');
    const std::string_view pair = Trim(cookies.substr(0, end));
    cookies = end == std::string_view::npos ? std::string_view() : cookies.substr(end + 1);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && Trim(pair.substr(0, eq)) == kSessionCookie) {
      return Trim(pair.substr(eq + 1));
    }
  }
  return {};
}

std::string_view ClientAddress(const Request& request) {
  const std::string_view peer = request.remote_address;
  const bool loopback =
      peer.starts_with("127.") || peer == "::1" || peer.starts_with("::ffff:127.");
  const std::string_view forwarded = request.Header("x-forwarded-for");
  if (!loopback || forwarded.empty()) return peer;
  const std::size_t comma = forwarded.rfind(',');
  const std::string_view last =
      Trim(comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1));
  return last.empty() ? peer : last;
}

Result<service::Caller> Authenticate(service::Service& service, const Request& request) {
  const std::string_view cookie = SessionCookie(request);
  if (!request.Header("authorization").empty() || cookie.empty()) {
    return service.Authenticate(BearerToken(request));
  }
  Result<service::Caller> caller = service.AuthenticateSession(cookie);
  if (!caller.ok()) return caller;
  if (request.method != "GET" && request.method != "HEAD" &&
      !SameSecret(request.Header(kCsrfHeader), caller->person->csrf_token)) {
    return Status::Forbidden(
        "this request changes state: it needs the session's CSRF token in X-CSRF-Token");
  }
  return caller;
}

std::string SessionCookieHeader(const Request& request, std::string_view secret,
                                std::int64_t max_age_s) {
  // The first proxy's word counts: "https" or "https, http" (case-insensitive).
  std::string_view proto = request.Header("x-forwarded-proto");
  proto = Trim(proto.substr(0, proto.find(',')));
  const bool secure = proto.size() == 5 && (proto[0] | 0x20) == 'h' && (proto[1] | 0x20) == 't' &&
                      (proto[2] | 0x20) == 't' && (proto[3] | 0x20) == 'p' &&
                      (proto[4] | 0x20) == 's';
  return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{}", kSessionCookie, secret,
                     secret.empty() ? 0 : max_age_s, secure ? "; Secure" : "");
}

void ClearSessionCookie(const Request& request, Response& response) {
  response.headers.emplace_back("Set-Cookie", SessionCookieHeader(request, "", 0));
}

}  // namespace cohort::http

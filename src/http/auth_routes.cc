#include "http/auth_routes.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <string>

#include "http/credentials.h"
#include "http/errors.h"
#include "http/views_json.h"
#include "ingest/auth_documents.h"

namespace cohort::http {
namespace {

using json = nlohmann::ordered_json;

// These bodies are a few fields: anything larger is refused before parsing.
constexpr std::size_t kMaxBodyBytes = 64 * 1024;

// {"user", "account", "roles", "csrf_token"} of SPEC §9.
json SessionJson(const service::Caller& caller) {
  const service::Person& p = *caller.person;
  return {{"user", p.user_key},
          {"account", caller.account_key},
          {"roles", domain::RoleNames(p.roles)},
          {"csrf_token", p.csrf_token}};
}

// A sign-in refused for too many failures: 429 with Retry-After (whole seconds, at least 1).
Response Throttled(const Status& status, std::int64_t wait_s) {
  Response r = ErrorResponse(status);
  r.headers.emplace_back("Retry-After", std::to_string(wait_s > 0 ? wait_s : 1));
  return r;
}

// The {id} of /api/v1/tokens/{id} and /api/v1/awards/{id}: a positive integer, else nullopt
// (an id that cannot exist is unknown, 404).
std::optional<std::int64_t> PathId(std::string_view text) {
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

json TimeOrNull(const std::optional<Instant>& t, const TimeZone& zone) {
  return t ? json(zone.Format(*t)) : json(nullptr);
}

json TokenJson(const service::TokenInfo& t, const TimeZone& zone) {
  return {{"id", t.id},
          {"name", t.name},
          {"scopes", domain::ScopeNames(t.scopes)},
          {"created_at", zone.Format(t.created_at)},
          {"last_used", TimeOrNull(t.last_used_at, zone)},
          {"revoked", t.revoked_at.has_value()},
          {"revoked_at", TimeOrNull(t.revoked_at, zone)}};
}

class AuthRoutes {
 public:
  AuthRoutes(service::Service& service, const Request& request)
      : service_(service), request_(request) {}

  Response SignIn() {
    Result<ingest::SignInRequest> body = ingest::ParseSignIn(request_.body);
    if (!body.ok()) return ErrorResponse(body.status());
    Result<service::SignedIn> done =
        service_.SignIn(body->email, body->password, body->account, ClientAddress(request_));
    if (!done.ok()) {
      if (done.status().code() == ErrorCode::kTooManyRequests) {
        return Throttled(done.status(),
                         service_.SignInRetryAfterSeconds(body->email, ClientAddress(request_)));
      }
      return ErrorResponse(done.status());
    }
    Response r = JsonResponse(200, SessionJson(done->caller));
    r.headers.emplace_back("Set-Cookie", SessionCookieHeader(request_, done->session_secret,
                                                             service::kSessionMaxAgeMs / 1000));
    r.headers.emplace_back("Cache-Control", "no-store");
    r.account_key = done->caller.account_key;
    return r;
  }

  // The routes that act on the signed-in person's own session: only the cookie counts.
  Response OwnSession() {
    if (SessionCookie(request_).empty() || !request_.Header("authorization").empty()) {
      return ErrorResponse(Status::Unauthenticated("not signed in"));
    }
    Result<service::Caller> caller = Authenticate(service_, request_);
    if (!caller.ok()) {
      Response r = ErrorResponse(caller.status());
      if (caller.status().code() == ErrorCode::kUnauthenticated) ClearCookie(r);
      return r;
    }
    Response r = OwnSession(*caller);
    r.account_key = caller->account_key;
    return r;
  }

  Response Administer() {
    Result<service::Caller> caller = Authenticate(service_, request_);
    if (!caller.ok()) return ErrorResponse(caller.status());
    Response r = Administer(*caller);
    r.account_key = caller->account_key;
    return r;
  }

 private:
  Response OwnSession(const service::Caller& caller) {
    if (request_.method == "GET") {
      Response r = JsonResponse(200, SessionJson(caller));
      r.headers.emplace_back("Cache-Control", "no-store");
      return r;
    }
    if (request_.path == "/api/v1/session/password") {
      Result<ingest::PasswordChange> body = ingest::ParsePasswordChange(request_.body);
      if (!body.ok()) return ErrorResponse(body.status());
      Status s = service_.ChangePassword(caller, body->current_password, body->new_password,
                                         ClientAddress(request_));
      if (s.code() == ErrorCode::kTooManyRequests) {
        return Throttled(s, service_.PasswordRetryAfterSeconds(caller, ClientAddress(request_)));
      }
      if (!s.ok()) return ErrorResponse(s);
      return JsonResponse(200, {{"password_changed", true}});
    }
    Status s = service_.SignOut(caller);  // DELETE /api/v1/session
    if (!s.ok()) return ErrorResponse(s);
    Response r = JsonResponse(200, {{"signed_out", true}});
    ClearCookie(r);
    return r;
  }

  Response Administer(const service::Caller& caller) {
    const std::string& path = request_.path;
    if (path == "/api/v1/tokens" && request_.method == "GET") {
      Result<std::vector<service::TokenInfo>> tokens = service_.ListTokens(caller);
      if (!tokens.ok()) return ErrorResponse(tokens.status());
      Result<TimeZone> zone = service_.Zone(caller);
      if (!zone.ok()) return ErrorResponse(zone.status());
      json rows = json::array();
      for (const service::TokenInfo& t : tokens.value()) rows.push_back(TokenJson(t, *zone));
      return JsonResponse(200, {{"rows", std::move(rows)}, {"total", tokens->size()}});
    }
    if (path == "/api/v1/tokens") {  // POST
      Result<ingest::TokenRequest> body = ingest::ParseTokenRequest(request_.body);
      if (!body.ok()) return ErrorResponse(body.status());
      Result<service::NewToken> token = service_.CreateToken(caller, body->name, body->scopes);
      if (!token.ok()) return ErrorResponse(token.status());
      Response r = JsonResponse(200, {{"id", token->id}, {"token", token->secret}});
      r.headers.emplace_back("Cache-Control", "no-store");
      return r;
    }
    if (path == "/api/v1/awards") {  // POST
      Result<ingest::AwardRequest> body = ingest::ParseAward(request_.body);
      if (!body.ok()) return ErrorResponse(body.status());
      Result<std::int64_t> id = service_.GrantAward(
          caller, {body->user, body->course, body->title, body->note});
      if (!id.ok()) return ErrorResponse(id.status());
      return JsonResponse(200, {{"id", id.value()}});
    }
    // DELETE /api/v1/tokens/{id} or /api/v1/awards/{id}
    const bool token = path.starts_with("/api/v1/tokens/");
    const std::string_view id_text = std::string_view(path).substr(path.rfind('/') + 1);
    const std::optional<std::int64_t> id = PathId(id_text);
    Status s;
    if (!id) {
      // No such id can exist; a caller without the right still learns nothing.
      s = Status::NotFound(std::string(token ? "token " : "award ") + std::string(id_text) +
                           " is unknown");
    } else {
      s = token ? service_.RevokeToken(caller, *id) : service_.RevokeAward(caller, *id);
    }
    if (!s.ok()) return ErrorResponse(s);
    return JsonResponse(200, {{"id", *id}, {"revoked", true}});
  }

  void ClearCookie(Response& r) const {
    r.headers.emplace_back("Set-Cookie", SessionCookieHeader(request_, "", 0));
  }

  service::Service& service_;
  const Request& request_;
};

// The method each auth path takes; "" when `path` is not one of them.
struct AuthPath {
  bool known = false;
  bool method_ok = false;
  const char* route = "";
};

AuthPath Classify(const Request& request) {
  const std::string& p = request.path;
  const std::string& m = request.method;
  auto one_segment_under = [&](std::string_view prefix) {
    return p.size() > prefix.size() && p.starts_with(prefix) &&
           p.find('/', prefix.size()) == std::string::npos;
  };
  if (p == "/api/v1/session") {
    return {true, m == "GET" || m == "POST" || m == "DELETE", "/api/v1/session"};
  }
  if (p == "/api/v1/session/password") return {true, m == "POST", "/api/v1/session/password"};
  if (p == "/api/v1/tokens") return {true, m == "GET" || m == "POST", "/api/v1/tokens"};
  if (one_segment_under("/api/v1/tokens/")) return {true, m == "DELETE", "/api/v1/tokens/{id}"};
  if (p == "/api/v1/awards") return {true, m == "POST", "/api/v1/awards"};
  if (one_segment_under("/api/v1/awards/")) return {true, m == "DELETE", "/api/v1/awards/{id}"};
  return {};
}

}  // namespace

std::optional<Response> HandleAuthRoute(service::Service& service, const Request& request) {
  const AuthPath path = Classify(request);
  if (!path.known) return std::nullopt;
  Response r;
  if (!path.method_ok) {
    r = ErrorResponse(405, "method_not_allowed", "method not allowed here");
  } else if (request.body.size() > kMaxBodyBytes) {
    r = ErrorResponse(Status::TooLarge("the request body is larger than 64 KiB"));
  } else {
    AuthRoutes routes(service, request);
    const std::string_view route = path.route;
    if (route == "/api/v1/session" && request.method == "POST") {
      r = routes.SignIn();
    } else if (route.starts_with("/api/v1/session")) {
      r = routes.OwnSession();
    } else {
      r = routes.Administer();
    }
  }
  r.route = path.route;
  return r;
}

}  // namespace cohort::http

// Who is calling, sessions, API tokens and awards (SPEC §5, §9).
#include <fmt/format.h>

#include <charconv>
#include <string>

#include "http/credentials.h"
#include "http/errors.h"
#include "http/route_handlers.h"
#include "http/views_json.h"
#include "ingest/auth_documents.h"

namespace cohort::http {
namespace {

// {"user", "account", "roles", "csrf_token"} of SPEC §9, and the person's `name` (what the top
// bar shows; the key stays in `user`).
Result<OrderedJson> SessionJson(service::Service& service, const service::Caller& caller) {
  Result<std::string> name = service.PersonName(caller);
  if (!name.ok()) return name.status();
  Result<TimeZone> zone = service.Zone(caller);
  if (!zone.ok()) return zone.status();
  Result<service::CallerScope> scope = service.Scope(caller);
  if (!scope.ok()) return scope.status();
  OrderedJson groups = OrderedJson::array();
  for (const metrics::GroupName& g : scope->groups) {
    groups.push_back({{"group", g.group}, {"name", g.name}});
  }
  using Kind = service::CallerScope::Kind;
  const char* kind = scope->kind == Kind::kAccount  ? "account"
                     : scope->kind == Kind::kGroups ? "groups"
                                                    : "self";
  const service::Person& p = *caller.person;
  return OrderedJson{{"user", p.user_key},
                     {"name", std::move(name).value()},
                     {"account", caller.account_key},
                     {"roles", domain::RoleNames(p.roles)},
                     {"csrf_token", p.csrf_token},
                     {"zone", zone->name()},
                     {"scope", {{"kind", kind}, {"groups", std::move(groups)},
                                {"members", scope->members}}}};
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

// DELETE of the {id} of a token or an award (`what`, whose ids are `IdType`): `revoke(id)` for
// an id that can exist.
template <typename IdType, typename Revoke>
Response Revoked(const RouteCall& call, const char* what, Revoke revoke) {
  const std::string_view id_text = call.params[0];
  const std::optional<std::int64_t> id = PathId(id_text);
  // No such id can exist; a caller without the right still learns nothing.
  const Status s =
      id ? revoke(IdType{*id}) : Status::NotFound(fmt::format("{} {} is unknown", what, id_text));
  if (!s.ok()) return ErrorResponse(s);
  return JsonResponse(200, {{"id", *id}, {"revoked", true}});
}

OrderedJson TimeOrNull(const std::optional<Instant>& t, const TimeZone& zone) {
  return t ? OrderedJson(zone.Format(*t)) : OrderedJson(nullptr);
}

OrderedJson TokenJson(const service::TokenInfo& t, const TimeZone& zone) {
  return {{"id", t.id.value},
          {"name", t.name},
          {"scopes", domain::ScopeNames(t.scopes)},
          {"created_at", zone.Format(t.created_at)},
          {"last_used", TimeOrNull(t.last_used_at, zone)},
          {"revoked", t.revoked_at.has_value()},
          {"revoked_at", TimeOrNull(t.revoked_at, zone)}};
}

}  // namespace

Response WhoAmI(const RouteCall& call) {
  return JsonResponse(200, {{"account", call.caller->account_key},
                            {"scopes", domain::ScopeNames(call.caller->scopes)}});
}

Response SignIn(const RouteCall& call) {
  const Request& request = call.request;
  Result<ingest::SignInRequest> body = ingest::ParseSignIn(request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  Result<service::SignedIn> done =
      call.service.SignIn(body->email, body->password, body->account, ClientAddress(request));
  if (!done.ok()) {
    if (done.status().code() == ErrorCode::kTooManyRequests) {
      return Throttled(done.status(),
                       call.service.SignInRetryAfterSeconds(body->email, ClientAddress(request)));
    }
    return ErrorResponse(done.status());
  }
  Result<OrderedJson> session = SessionJson(call.service, done->caller);
  if (!session.ok()) return ErrorResponse(session.status());
  Response r = JsonResponse(200, std::move(session).value());
  r.headers.emplace_back("Set-Cookie", SessionCookieHeader(request, done->session_secret,
                                                           service::kSessionMaxAgeMs / 1000));
  r.headers.emplace_back("Cache-Control", "no-store");
  r.account_key = done->caller.account_key;
  return r;
}

Response GetSession(const RouteCall& call) {
  Result<OrderedJson> session = SessionJson(call.service, *call.caller);
  if (!session.ok()) return ErrorResponse(session.status());
  Response r = JsonResponse(200, std::move(session).value());
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response SignOut(const RouteCall& call) {
  Status s = call.service.SignOut(*call.caller);
  if (!s.ok()) return ErrorResponse(s);
  Response r = JsonResponse(200, {{"signed_out", true}});
  ClearSessionCookie(call.request, r);
  return r;
}

Response ChangePassword(const RouteCall& call) {
  const std::string_view client = ClientAddress(call.request);
  Result<ingest::PasswordChange> body = ingest::ParsePasswordChange(call.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  Status s =
      call.service.ChangePassword(*call.caller, body->current_password, body->new_password, client);
  if (s.code() == ErrorCode::kTooManyRequests) {
    return Throttled(s, call.service.PasswordRetryAfterSeconds(*call.caller, client));
  }
  if (!s.ok()) return ErrorResponse(s);
  return JsonResponse(200, {{"password_changed", true}});
}

Response ListTokens(const RouteCall& call) {
  Result<std::vector<service::TokenInfo>> tokens = call.service.ListTokens(*call.caller);
  if (!tokens.ok()) return ErrorResponse(tokens.status());
  Result<TimeZone> zone = call.service.Zone(*call.caller);
  if (!zone.ok()) return ErrorResponse(zone.status());
  OrderedJson rows = OrderedJson::array();
  for (const service::TokenInfo& t : tokens.value()) rows.push_back(TokenJson(t, *zone));
  return JsonResponse(200, {{"rows", std::move(rows)}, {"total", tokens->size()}});
}

Response CreateToken(const RouteCall& call) {
  Result<ingest::TokenRequest> body = ingest::ParseTokenRequest(call.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  Result<service::NewToken> token =
      call.service.CreateToken(*call.caller, body->name, body->scopes);
  if (!token.ok()) return ErrorResponse(token.status());
  Response r = JsonResponse(200, {{"id", token->id.value}, {"token", token->secret}});
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response RevokeToken(const RouteCall& call) {
  return Revoked<TokenId>(call, "token",
                          [&](TokenId id) { return call.service.RevokeToken(*call.caller, id); });
}

Response GrantAward(const RouteCall& call) {
  Result<ingest::AwardRequest> body = ingest::ParseAward(call.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  Result<AwardId> id =
      call.service.GrantAward(*call.caller, {body->user, body->course, body->title, body->note});
  if (!id.ok()) return ErrorResponse(id.status());
  return JsonResponse(200, {{"id", id->value}});
}

Response RevokeAward(const RouteCall& call) {
  return Revoked<AwardId>(call, "award",
                          [&](AwardId id) { return call.service.RevokeAward(*call.caller, id); });
}

}  // namespace cohort::http

#include "http/api.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <chrono>
#include <optional>
#include <string>

#include "http/credentials.h"
#include "http/errors.h"
#include "http/route_handlers.h"
#include "http/views_json.h"
#include "http/xapi_routes.h"

namespace cohort::http {
namespace {

using enum Credential;
constexpr domain::Scope kRead = domain::Scope::kRead;
constexpr domain::Scope kIngest = domain::Scope::kIngest;
constexpr domain::Scope kAdmin = domain::Scope::kAdmin;

// Sign-in, session, token and award bodies are a few fields: anything larger is refused before
// it is parsed, or a credential read.
constexpr std::size_t kSmallBody = 64 * 1024;

// The route whose refusals are counted in cohort_ingest_rejected_total.
constexpr std::string_view kIngestRoute = "/api/v1/attempts";

// 200 when the node answers with what the store holds. Over a change log (several nodes), 503
// until the node has followed every change committed up to a poll less than kMaxLagSeconds ago:
// a restarted node, or one that cannot read the store, is taken out of a load balancer.
constexpr double kMaxLagSeconds = 2.0;

Response Healthz(const RouteCall& call) {
  if (!call.service.KeepsChangeLog()) return JsonResponse(200, {{"status", "ok"}});
  const std::optional<double> lag = call.service.FollowLagSeconds();
  if (!lag) return JsonResponse(503, {{"status", "catching_up"}});
  if (*lag > kMaxLagSeconds) {
    return JsonResponse(503, {{"status", "behind"}, {"lag_seconds", *lag}});
  }
  return JsonResponse(200, {{"status", "ok"}, {"lag_seconds", *lag}});
}

// How long a read with Cohort-Min-Seq waits for this node to apply that change.
constexpr std::chrono::milliseconds kMinSeqWait{2000};

// The Cohort-Min-Seq header: nullopt when absent; kInvalid when not a whole number >= 0.
Result<std::optional<std::int64_t>> MinSeq(const Request& request) {
  const std::string_view text = request.Header("cohort-min-seq");
  if (text.empty()) return std::optional<std::int64_t>();
  std::int64_t seq = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (error != std::errc() || end != text.data() + text.size() || seq < 0) {
    return Status::Invalid(fmt::format(
        "the Cohort-Min-Seq header must be a whole number >= 0 (a write's Cohort-Seq), not '{}'",
        text));
  }
  return std::optional<std::int64_t>(seq);
}

// Every route of the API (SPEC §2, §4.1, §9), compiled once, when the first Api is built. A path
// listed with other methods answers 405 for a method it does not take; an unlisted path 404.
const RouteTable& Table() {
  static const RouteTable table({
      // method, pattern, credential, scope, handler[, body limit, the 405 message]
      {"GET", "/healthz", kNone, {}, Healthz, 0, "use GET"},
      {"HEAD", "/healthz", kNone, {}, Healthz, 0, "use GET"},
      // The views (SPEC §4.1).
      {"GET", "/api/v1/courses", kAny, kRead, AllCoursesView},
      {"GET", "/api/v1/courses/{course}", kAny, kRead, CourseView},
      {"GET", "/api/v1/courses/{course}/users", kAny, kRead, UserLeagueView},
      {"GET", "/api/v1/courses/{course}/groups", kAny, kRead, GroupLeagueView},
      {"GET", "/api/v1/courses/{course}/groups/{group}", kAny, kRead, GroupInCourseView},
      {"GET", "/api/v1/courses/{course}/users/{user}", kAny, kRead, UserInCourseView},
      {"GET", "/api/v1/courses/{course}/users/{user}/exercises/{exercise}/attempts", kAny, kRead,
       HistoryView},
      {"GET", "/api/v1/report", kAny, kRead, ReportView},
      {"GET", "/api/v1/activity", kAny, kRead, ActivityView},
      {"GET", "/api/v1/users/{user}", kAny, kRead, PersonView},
      {"GET", "/api/v1/groups", kAny, kRead, GroupsView},
      {"GET", "/api/v1/columns", kNone, {}, ColumnsView},
      // The writes (SPEC §2).
      {"PUT", "/api/v1/courses/{course}", kAny, kIngest, PutCourse},
      {"PUT", "/api/v1/users/{user}", kAny, kIngest, PutUser},
      {"DELETE", "/api/v1/users/{user}", kAny, kIngest, DeleteUser},
      {"PUT", "/api/v1/groups/{group}", kAny, kIngest, PutGroup},
      {"PUT", "/api/v1/enrollments/{user}/{course}", kAny, kIngest, PutEnrollment},
      {"DELETE", "/api/v1/enrollments/{user}/{course}", kAny, kIngest, DeleteEnrollment},
      {"POST", "/api/v1/attempts", kAny, kIngest, PostAttempts},
      // Who is calling; sessions, tokens and awards (SPEC §5, §9).
      {"GET", "/api/v1/whoami", kAny, {}, WhoAmI},
      {"GET", "/api/v1/session", kSession, {}, GetSession, kSmallBody},
      {"POST", "/api/v1/session", kNone, {}, SignIn, kSmallBody},
      {"DELETE", "/api/v1/session", kSession, {}, SignOut, kSmallBody},
      {"POST", "/api/v1/session/password", kSession, {}, ChangePassword, kSmallBody},
      {"GET", "/api/v1/tokens", kAny, kAdmin, ListTokens, kSmallBody},
      {"POST", "/api/v1/tokens", kAny, kAdmin, CreateToken, kSmallBody},
      {"DELETE", "/api/v1/tokens/{id}", kAny, kAdmin, RevokeToken, kSmallBody},
      {"POST", "/api/v1/awards", kAny, kAdmin, GrantAward, kSmallBody},
      {"DELETE", "/api/v1/awards/{id}", kAny, kAdmin, RevokeAward, kSmallBody},
  });
  return table;
}

// Bodies are JSON. A body labelled as something else is refused before it is read: an HTML
// form (urlencoded, multipart, text/plain) posted from another site never reaches a route.
// No label at all is accepted, as scripts often send none (docs/security.md).
bool LabelledNotJson(const Request& request) {
  const std::string& method = request.method;
  if ((method != "POST" && method != "PUT" && method != "PATCH") || request.body.empty() ||
      !request.path.starts_with("/api/")) {
    return false;
  }
  std::string_view type = request.Header("content-type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  std::string lower(type);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return !lower.empty() && lower != "application/json";
}

}  // namespace

Api::Api(service::Service& service, MetricRegistry* registry)
    : service_(service), registry_(registry), routes_(Table()) {}

const std::vector<RouteInfo>& Api::Routes() { return Table().Info(); }

Response Api::Handle(const Request& request) {
  if (IsXapiPath(request.path)) return HandleXapi(service_, registry_, request);
  if (LabelledNotJson(request)) {
    return ErrorResponse(415, "unsupported_media_type",
                         "the body must be JSON, sent as Content-Type: application/json");
  }
  const RouteTable::Match match = routes_.Find(request.method, request.path);
  if (match.route == nullptr) {
    if (match.path_route == nullptr) return ErrorResponse(404, "not_found", "no such resource");
    Response r =
        ErrorResponse(405, "method_not_allowed", std::string(match.path_route->wrong_method));
    r.route = match.path_route->pattern;
    return r;
  }
  const Route& route = *match.route;
  Response r = Serve(route, match.params, request);
  r.route = route.pattern;
  if (registry_ != nullptr && route.pattern == kIngestRoute && r.status >= 400) {
    registry_
        ->GetCounter("cohort_ingest_rejected_total",
                     "POST /api/v1/attempts requests refused, by error code.",
                     {{"reason", ErrorCodeNameOfHttpStatus(r.status)}})
        .Add();
  }
  return r;
}

Response Api::Serve(const Route& route, const RouteParams& params, const Request& request) {
  if (route.max_body_bytes != 0 && request.body.size() > route.max_body_bytes) {
    return ErrorResponse(Status::TooLarge(
        fmt::format("the request body is larger than {} KiB", route.max_body_bytes / 1024)));
  }
  RouteCall call{service_, registry_, request, params, nullptr};
  if (route.credential == kNone) return route.handler(call);
  if (route.credential == kSession &&
      (SessionCookie(request).empty() || !request.Header("authorization").empty())) {
    return ErrorResponse(Status::Unauthenticated("not signed in"));
  }
  Result<service::Caller> caller = Authenticate(service_, request);
  if (caller.ok() && caller->person && route.scope == kIngest && !caller->scopes.Allows(kIngest)) {
    // A person whose roles change nothing: the write is as unknown to them as any (SPEC §5),
    // whatever its body.
    caller = Status::NotFound("no such resource");
  }
  if (!caller.ok()) {
    Response r = ErrorResponse(caller.status());
    if (route.credential == kSession && caller.status().code() == ErrorCode::kUnauthenticated) {
      ClearSessionCookie(request, r);
    }
    return r;
  }
  call.caller = &caller.value();
  // Read-your-writes through any node: wait until this node has applied the change asked for.
  Result<std::optional<std::int64_t>> min_seq = MinSeq(request);
  if (!min_seq.ok()) return ErrorResponse(min_seq.status());
  if (min_seq.value()) {
    Status reached = service_.WaitForSeq(*caller, *min_seq.value(), kMinSeqWait);
    if (!reached.ok()) return ErrorResponse(reached);
  }
  Response r = route.handler(call);
  r.account_key = caller->account_key;
  // A write's position in the account's change log: a read elsewhere that sends it back as
  // Cohort-Min-Seq sees the write (this node has applied it before answering).
  const bool write = request.method != "GET" && request.method != "HEAD";
  if (write && r.status < 300 && service_.KeepsChangeLog()) {
    r.headers.emplace_back("Cohort-Seq", std::to_string(service_.AppliedSeq(*caller)));
  }
  return r;
}

}  // namespace cohort::http

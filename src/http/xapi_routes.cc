// The Learning Record Store's resources (xAPI 1.0.3 §2 of the Communication part; docs/xapi.md).
#include "http/xapi_routes.h"

#include <fmt/format.h>
#include <sodium.h>

#include <cctype>
#include <charconv>
#include <set>
#include <string>

#include "http/credentials.h"
#include "http/errors.h"
#include "http/routes.h"

namespace cohort::http {
namespace {

constexpr std::string_view kPrefix = "/xapi";

// The version an answer names: the request's when it is one we speak, else the latest 1.0.x.
std::string AnswerVersion(const Request& request) {
  const std::string_view v = request.Header("x-experience-api-version");
  if (v.starts_with("2.0")) return "2.0.0";
  return "1.0.3";
}

// Whether the request's X-Experience-API-Version is one this LRS accepts: 1.0.0–1.0.3 (and
// "1.0"), 2.0.0.
bool AcceptedVersion(std::string_view v) {
  static const std::set<std::string_view> kAccepted = {"1.0", "1.0.0", "1.0.1", "1.0.2",
                                                        "1.0.3", "2.0", "2.0.0"};
  return kAccepted.contains(v);
}

Response XapiError(const Request& request, const Status& status) {
  // A statement or parameter the LRS cannot accept is 400 in xAPI (1.0.3 Communication
  // §3.2), where Cohort's own API answers 422.
  Status s = status;
  if (s.code() == ErrorCode::kInvalid) s = Status::Malformed(s.message(), s.details());
  Response r = ErrorResponse(s);
  r.headers.emplace_back("X-Experience-API-Version", AnswerVersion(request));
  if (r.status == 401) r.headers.emplace_back("WWW-Authenticate", R"(Basic realm="Cohort xAPI")");
  return r;
}

Response Malformed(const Request& request, std::string message) {
  return XapiError(request, Status::Malformed(std::move(message)));
}

// The API token of the request: the password of Basic credentials, or a Bearer token.
std::string TokenOf(const Request& request) {
  const std::string_view auth = request.Header("authorization");
  constexpr std::string_view kBasic = "Basic ";
  if (auth.size() > kBasic.size() && auth.substr(0, kBasic.size()) == kBasic) {
    const std::string_view encoded = auth.substr(kBasic.size());
    std::string decoded(encoded.size(), '\0');
    std::size_t length = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                          encoded.data(), encoded.size(), nullptr, &length, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
      return {};
    }
    decoded.resize(length);
    const std::size_t colon = decoded.find(':');
    return colon == std::string::npos ? std::string() : decoded.substr(colon + 1);
  }
  return std::string(BearerToken(request));
}

std::optional<std::string> Param(const Request& request, std::string_view name) {
  auto it = request.query.find(std::string(name));
  if (it == request.query.end()) return std::nullopt;
  return it->second;
}

Response About(const Request& request) {
  Response r;
  r.status = 200;
  r.body = R"({"version":["1.0.3","2.0.0"],"extensions":{}})";
  r.headers.emplace_back("X-Experience-API-Version", AnswerVersion(request));
  return r;
}

Result<bool> BoolParam(const Request& request, std::string_view name) {
  std::optional<std::string> v = Param(request, name);
  if (!v || *v == "false") return false;
  if (*v == "true") return true;
  return Status::Malformed(fmt::format("{} must be true or false, not '{}'", name, *v));
}

Result<std::optional<Instant>> TimeParam(const Request& request, std::string_view name) {
  std::optional<std::string> v = Param(request, name);
  if (!v) return std::optional<Instant>();
  std::optional<Instant> t = ParseRfc3339(*v);
  if (!t) {
    return Status::Malformed(
        fmt::format("{} must be an ISO 8601 timestamp with a time zone, not '{}'", name, *v));
  }
  return t;
}

// GET /xapi/statements (xAPI 1.0.3 Communication §2.1.3).
Response GetStatements(service::Service& service, const service::Caller& caller,
                       const Request& request, bool head) {
  static const std::set<std::string_view> kSingle = {"statementId", "voidedStatementId",
                                                     "attachments", "format"};
  static const std::set<std::string_view> kQuery = {
      "agent",  "verb",  "activity", "registration", "related_activities", "related_agents",
      "since",  "until", "limit",    "format",       "attachments",        "ascending",
      "cursor"};
  const std::string format = Param(request, "format").value_or("exact");
  if (format != "exact" && format != "ids" && format != "canonical") {
    return Malformed(request, fmt::format("format must be ids, exact or canonical, not '{}'",
                                          format));
  }
  Result<bool> attachments = BoolParam(request, "attachments");
  if (!attachments.ok()) return XapiError(request, attachments.status());
  if (attachments.value()) {
    return Malformed(request, "attachments=true is not supported yet (docs/xapi.md)");
  }
  const std::string language(request.Header("accept-language"));
  Response r;
  r.headers.emplace_back("X-Experience-API-Version", AnswerVersion(request));
  r.headers.emplace_back("X-Experience-API-Consistent-Through",
                         FormatRfc3339Utc(service.clock().Now()));
  const std::optional<std::string> id = Param(request, "statementId");
  const std::optional<std::string> voided_id = Param(request, "voidedStatementId");
  if (id || voided_id) {
    for (const auto& [name, value] : request.query) {
      if (!kSingle.contains(name)) {
        return Malformed(request, fmt::format("'{}' cannot be combined with statementId or "
                                              "voidedStatementId (xAPI 1.0.3 §2.1.3)",
                                              name));
      }
    }
    if (id && voided_id) {
      return Malformed(request, "statementId and voidedStatementId cannot both be given");
    }
    Result<std::string> statement =
        service.GetStatement(caller, id ? *id : *voided_id, voided_id.has_value(), format,
                             language);
    if (!statement.ok()) return XapiError(request, statement.status());
    r.body = head ? std::string() : std::move(statement).value();
    return r;
  }
  for (const auto& [name, value] : request.query) {
    if (!kQuery.contains(name)) {
      return Malformed(request, fmt::format("unknown parameter '{}' (xAPI 1.0.3 §2.1.3)", name));
    }
  }
  service::StatementFilter filter;
  filter.agent = Param(request, "agent");
  filter.verb = Param(request, "verb");
  filter.activity = Param(request, "activity");
  filter.registration = Param(request, "registration");
  for (auto [name, field] : {std::pair{"related_agents", &filter.related_agents},
                             std::pair{"related_activities", &filter.related_activities},
                             std::pair{"ascending", &filter.ascending}}) {
    Result<bool> flag = BoolParam(request, name);
    if (!flag.ok()) return XapiError(request, flag.status());
    *field = flag.value();
  }
  for (auto [name, field] :
       {std::pair{"since", &filter.since}, std::pair{"until", &filter.until}}) {
    Result<std::optional<Instant>> t = TimeParam(request, name);
    if (!t.ok()) return XapiError(request, t.status());
    *field = t.value();
  }
  for (auto [name, is_limit] : {std::pair{"limit", true}, std::pair{"cursor", false}}) {
    std::optional<std::string> v = Param(request, name);
    if (!v) continue;
    std::int64_t n = 0;
    const auto [end, error] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (error != std::errc() || end != v->data() + v->size() || n < 0) {
      return Malformed(request, fmt::format("{} must be a whole number >= 0, not '{}'", name, *v));
    }
    if (is_limit) {
      filter.limit = static_cast<std::size_t>(n);
    } else {
      filter.after_seq = n;
    }
  }
  filter.format = format;
  filter.accept_language = language;
  Result<service::StatementPage> page = service.QueryStatements(caller, filter);
  if (!page.ok()) return XapiError(request, page.status());
  std::string more;
  if (page->more_after) {
    // The same query from where this page ended: a relative IRL (1.0.3 §2.1.3, "more").
    more = "/xapi/statements?";
    for (const auto& [name, value] : request.query) {
      if (name == "cursor") continue;
      std::string encoded;
      for (unsigned char c : value) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
          encoded += static_cast<char>(c);
        } else {
          encoded += fmt::format("%{:02X}", c);
        }
      }
      more += fmt::format("{}={}&", name, encoded);
    }
    more += fmt::format("cursor={}", *page->more_after);
  }
  if (!head) {
    r.body = fmt::format(R"({{"statements":{},"more":"{}"}})", page->statements, more);
  }
  return r;
}

Response PutOrPostStatements(service::Service& service, const service::Caller& caller,
                             const Request& request, bool put) {
  std::optional<std::string> id = Param(request, "statementId");
  for (const auto& [name, value] : request.query) {
    if (!put || name != "statementId") {
      return Malformed(request, fmt::format("unknown parameter '{}' (xAPI 1.0.3 §2.1)", name));
    }
  }
  if (put && !id) return Malformed(request, "PUT /xapi/statements needs the statementId parameter");
  std::string_view type = request.Header("content-type");
  type = type.substr(0, type.find(';'));
  if (type.starts_with("multipart/")) {
    return Malformed(request, "statements with attachments (multipart/mixed) are not supported "
                              "yet (docs/xapi.md)");
  }
  Result<service::StatementsStored> stored =
      service.PostStatements(caller, request.body, put ? std::optional<std::string_view>(*id)
                                                       : std::nullopt);
  if (!stored.ok()) return XapiError(request, stored.status());
  Response r;
  r.headers.emplace_back("X-Experience-API-Version", AnswerVersion(request));
  if (put) {
    r.status = 204;
    r.content_type.clear();
    return r;
  }
  r.body = "[";
  for (std::size_t i = 0; i < stored->ids.size(); ++i) {
    r.body += fmt::format("{}\"{}\"", i == 0 ? "" : ",", stored->ids[i]);
  }
  r.body += "]";
  return r;
}

}  // namespace

bool IsXapiPath(std::string_view path) {
  return path == kPrefix || path.starts_with("/xapi/");
}

Response HandleXapi(service::Service& service, MetricRegistry* /*registry*/,
                    const Request& request) {
  std::string_view path = request.path;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const bool statements = path == "/xapi/statements";
  if (path == "/xapi/about") {
    if (request.method != "GET" && request.method != "HEAD") {
      return XapiError(request, Status::Malformed("use GET for /xapi/about"));
    }
    Response r = About(request);
    r.route = "/xapi/about";
    if (request.method == "HEAD") r.body.clear();
    return r;
  }
  if (!statements) {
    Response r = XapiError(request, Status::NotFound(fmt::format(
                                        "no such xAPI resource '{}' (docs/xapi.md lists those "
                                        "served)",
                                        path)));
    return r;
  }
  const std::string_view version = request.Header("x-experience-api-version");
  if (!AcceptedVersion(version)) {
    Response r = Malformed(
        request, version.empty()
                     ? "the X-Experience-API-Version header is missing (xAPI 1.0.3 §6.2)"
                     : fmt::format("X-Experience-API-Version '{}' is not one this LRS speaks "
                                   "(1.0.0–1.0.3, 2.0.0)",
                                   version));
    r.route = "/xapi/statements";
    return r;
  }
  Result<service::Caller> caller = service.Authenticate(TokenOf(request));
  Response r;
  if (!caller.ok()) {
    r = XapiError(request, caller.status());
  } else if (request.method == "GET" || request.method == "HEAD") {
    r = GetStatements(service, *caller, request, request.method == "HEAD");
  } else if (request.method == "PUT" || request.method == "POST") {
    r = PutOrPostStatements(service, *caller, request, request.method == "PUT");
  } else {
    r = XapiError(request, Status::Malformed(fmt::format(
                               "{} is not a method of /xapi/statements", request.method)));
    r.status = 405;
  }
  r.route = "/xapi/statements";
  if (caller.ok()) r.account_key = caller->account_key;
  return r;
}

}  // namespace cohort::http

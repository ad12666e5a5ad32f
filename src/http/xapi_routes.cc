// The Learning Record Store's resources (xAPI 1.0.3 §2 of the Communication part; docs/xapi.md).
#include "http/xapi_routes.h"

#include <fmt/format.h>
#include <sodium.h>

#include <cctype>
#include <charconv>
#include <ctime>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

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
      for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
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

// --- the document resources (xAPI 1.0.3 Communication §2.2–§2.7, §3.1) ---

// What distinguishes the three document resources: the parameters that key a document.
struct DocumentRoute {
  std::string_view path;
  service::DocumentResource resource;
  std::string_view id_param;  // "stateId" or "profileId"
  bool activity, agent, registration;
};

constexpr DocumentRoute kDocumentRoutes[] = {
    {"/xapi/activities/state", service::DocumentResource::kState, "stateId", true, true, true},
    {"/xapi/agents/profile", service::DocumentResource::kAgentProfile, "profileId", false, true,
     false},
    {"/xapi/activities/profile", service::DocumentResource::kActivityProfile, "profileId", true,
     false, false},
};

// An HTTP-date (RFC 7231 IMF-fixdate) for Last-Modified.
std::string HttpDate(Instant t) {
  const std::time_t seconds = static_cast<std::time_t>(t.ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[40];
  const std::size_t n = std::strftime(out, sizeof out, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(out, n);
}

// The ETags of an If-Match header ("*", or quoted tags separated by commas; a weak tag's W/ is
// dropped), unquoted.
std::vector<std::string> ETagList(std::string_view header) {
  std::vector<std::string> tags;
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') {
      tag = tag.substr(1, tag.size() - 2);
    }
    if (!tag.empty()) tags.emplace_back(tag);
  }
  return tags;
}

// POST's merge of two JSON objects (§2.2): the sent object's top-level members replace or add
// to the stored one's.
Result<std::string> MergeJsonObjects(std::string_view stored, std::string_view sent) {
  using Ordered = nlohmann::ordered_json;
  Ordered base = Ordered::parse(stored, nullptr, /*allow_exceptions=*/false);
  Ordered more = Ordered::parse(sent, nullptr, /*allow_exceptions=*/false);
  if (!more.is_object()) {
    return Status::Malformed("a POSTed application/json document must be a JSON object to be "
                             "merged (xAPI 1.0.3 §2.2)");
  }
  if (!base.is_object()) {
    return Status::Malformed("the stored document is not a JSON object: use PUT to replace it "
                             "(xAPI 1.0.3 §2.2)");
  }
  for (auto it = more.begin(); it != more.end(); ++it) base[it.key()] = it.value();
  return base.dump(-1, ' ', false, Ordered::error_handler_t::replace);
}

Response DocumentError(const Request& request, const Status& status) {
  Response r = XapiError(request, status);
  if (status.code() == ErrorCode::kConflict) {
    for (const ErrorDetail& d : status.details()) {
      if (d.reason == service::kPreconditionFailed) r.status = 412;
    }
  }
  return r;
}

Response NoContent(const Request& request) {
  Response r;
  r.status = 204;
  r.content_type.clear();
  r.headers.emplace_back("X-Experience-API-Version", AnswerVersion(request));
  return r;
}

// /xapi/activities/state, /xapi/agents/profile, /xapi/activities/profile.
Response HandleDocuments(service::Service& service, const service::Caller& caller,
                         const Request& request, const DocumentRoute& route) {
  const std::string& method = request.method;
  const bool get = method == "GET" || method == "HEAD";
  if (!get && method != "PUT" && method != "POST" && method != "DELETE") {
    Response r = Malformed(request, fmt::format("{} is not a method of {}", method, route.path));
    r.status = 405;
    return r;
  }
  std::optional<std::string> id = Param(request, route.id_param);
  // A list (GET without an id) takes `since`; only the State Resource deletes all at once.
  const bool many = !id.has_value();
  if (many && (method == "PUT" || method == "POST" ||
               (method == "DELETE" && route.resource != service::DocumentResource::kState))) {
    return Malformed(request, fmt::format("{} {} needs the {} parameter (xAPI 1.0.3 §2)", method,
                                          route.path, route.id_param));
  }
  std::set<std::string_view> known = {route.id_param};
  if (route.activity) known.insert("activityId");
  if (route.agent) known.insert("agent");
  if (route.registration) known.insert("registration");
  if (get && many) known.insert("since");
  for (const auto& [name, value] : request.query) {
    if (!known.contains(name)) {
      return Malformed(request, fmt::format("'{}' is not a parameter of {} {} here (xAPI 1.0.3 "
                                            "§3.2)",
                                            name, method, route.path));
    }
    if (request.query.count(name) > 1) {
      return Malformed(request, fmt::format("'{}' is given more than once", name));
    }
  }
  service::DocumentRef ref;
  ref.resource = route.resource;
  ref.id = id.value_or("");
  for (auto [wanted, name, field] :
       {std::tuple{route.activity, "activityId", &ref.activity},
        std::tuple{route.agent, "agent", &ref.agent}}) {
    if (!wanted) continue;
    std::optional<std::string> v = Param(request, name);
    if (!v || v->empty()) {
      return Malformed(request, fmt::format("{} needs the {} parameter (xAPI 1.0.3 §2)",
                                            route.path, name));
    }
    *field = std::move(*v);
  }
  if (route.registration) ref.registration = Param(request, "registration");

  service::DocumentPreconditions preconditions;
  if (request.headers.contains("if-match")) {
    preconditions.if_match = ETagList(request.Header("if-match"));
  }
  std::string_view none_match = request.Header("if-none-match");
  while (!none_match.empty() && none_match.front() == ' ') none_match.remove_prefix(1);
  preconditions.if_none_match_any = none_match.starts_with("*");

  if (get && !many) {
    Result<service::Document> doc = service.GetDocument(caller, ref);
    if (!doc.ok()) return DocumentError(request, doc.status());
    Response r;
    r.content_type = doc->content_type;
    r.headers.emplace_back("X-Experience-API-Version", AnswerVersion(request));
    r.headers.emplace_back("ETag", fmt::format("\"{}\"", doc->etag));
    r.headers.emplace_back("Last-Modified", HttpDate(doc->updated));
    if (method == "GET") r.body = std::move(doc->body);
    return r;
  }
  if (get) {
    Result<std::optional<Instant>> since = TimeParam(request, "since");
    if (!since.ok()) return XapiError(request, since.status());
    Result<std::vector<std::string>> ids = service.DocumentIds(caller, ref, since.value());
    if (!ids.ok()) return DocumentError(request, ids.status());
    Response r;
    r.headers.emplace_back("X-Experience-API-Version", AnswerVersion(request));
    if (method == "GET") r.body = nlohmann::json(ids.value()).dump();
    return r;
  }
  Status done;
  if (method == "DELETE") {
    done = service.DeleteDocuments(caller, ref, preconditions);
  } else {
    const service::DocumentMerge merge = MergeJsonObjects;
    done = service.PutDocument(caller, ref, request.Header("content-type"), request.body,
                               preconditions, method == "POST" ? &merge : nullptr);
  }
  if (!done.ok()) return DocumentError(request, done);
  return NoContent(request);
}

Response OnlyParameter(const Request& request, std::string_view name) {
  for (const auto& [param, value] : request.query) {
    if (param != name) {
      return Malformed(request,
                       fmt::format("'{}' is not a parameter of {} (xAPI 1.0.3 §3.2)", param,
                                   request.path));
    }
  }
  if (!Param(request, name)) {
    return Malformed(request, fmt::format("{} needs the {} parameter", request.path, name));
  }
  return Response{};
}

// GET /xapi/activities (§2.5): the Activity with the definition of the latest statement whose
// object it is, else only its id.
Response GetActivity(service::Service& service, const service::Caller& caller,
                     const Request& request) {
  Response checked = OnlyParameter(request, "activityId");
  if (checked.status != 200) return checked;
  const std::string id = *Param(request, "activityId");
  nlohmann::ordered_json activity = {{"objectType", "Activity"}, {"id", id}};
  service::StatementFilter filter;
  filter.activity = id;
  filter.limit = 1;
  Result<service::StatementPage> page = service.QueryStatements(caller, filter);
  if (!page.ok() && page.status().code() != ErrorCode::kUnavailable) {
    return XapiError(request, page.status());
  }
  if (page.ok()) {
    const nlohmann::json statements = nlohmann::json::parse(page->statements, nullptr, false);
    if (statements.is_array() && !statements.empty()) {
      const nlohmann::json& object = statements[0].value("object", nlohmann::json::object());
      if (object.is_object() && object.contains("definition")) {
        activity["definition"] = object["definition"];
      }
    }
  }
  Response r;
  r.headers.emplace_back("X-Experience-API-Version", AnswerVersion(request));
  if (request.method == "GET") r.body = activity.dump(-1, ' ', false,
                                                      nlohmann::json::error_handler_t::replace);
  return r;
}

// GET /xapi/agents (§2.4): a Person Object with only what the agent given says (the LRS keeps
// no other identities of a person).
Response GetAgent(service::Service& service, const service::Caller& caller,
                  const Request& request) {
  Response checked = OnlyParameter(request, "agent");
  if (checked.status != 200) return checked;
  const std::string agent_json = *Param(request, "agent");
  Status valid = service.CheckAgent(caller, agent_json);
  if (!valid.ok()) return XapiError(request, valid);
  const nlohmann::json agent = nlohmann::json::parse(agent_json, nullptr, false);
  nlohmann::ordered_json person = {{"objectType", "Person"}};
  for (const char* property : {"name", "mbox", "mbox_sha1sum", "openid", "account"}) {
    if (agent.is_object() && agent.contains(property)) {
      person[property] = nlohmann::json::array({agent[property]});
    }
  }
  Response r;
  r.headers.emplace_back("X-Experience-API-Version", AnswerVersion(request));
  if (request.method == "GET") r.body = person.dump(-1, ' ', false,
                                                    nlohmann::json::error_handler_t::replace);
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
  const DocumentRoute* document = nullptr;
  for (const DocumentRoute& d : kDocumentRoutes) {
    if (path == d.path) document = &d;
  }
  const bool statements = path == "/xapi/statements";
  const bool activities = path == "/xapi/activities";
  const bool agents = path == "/xapi/agents";
  if (path == "/xapi/about") {
    if (request.method != "GET" && request.method != "HEAD") {
      return XapiError(request, Status::Malformed("use GET for /xapi/about"));
    }
    Response r = About(request);
    r.route = "/xapi/about";
    if (request.method == "HEAD") r.body.clear();
    return r;
  }
  if (!statements && !activities && !agents && document == nullptr) {
    Response r = XapiError(request, Status::NotFound(fmt::format(
                                        "no such xAPI resource '{}' (docs/xapi.md lists those "
                                        "served)",
                                        path)));
    return r;
  }
  const std::string route(path);
  const std::string_view version = request.Header("x-experience-api-version");
  if (!AcceptedVersion(version)) {
    Response r = Malformed(
        request, version.empty()
                     ? "the X-Experience-API-Version header is missing (xAPI 1.0.3 §6.2)"
                     : fmt::format("X-Experience-API-Version '{}' is not one this LRS speaks "
                                   "(1.0.0–1.0.3, 2.0.0)",
                                   version));
    r.route = route;
    return r;
  }
  Result<service::Caller> caller = service.Authenticate(TokenOf(request));
  const bool read = request.method == "GET" || request.method == "HEAD";
  Response r;
  if (!caller.ok()) {
    r = XapiError(request, caller.status());
  } else if (document != nullptr) {
    r = HandleDocuments(service, *caller, request, *document);
  } else if ((activities || agents) && read) {
    r = activities ? GetActivity(service, *caller, request) : GetAgent(service, *caller, request);
  } else if (statements && read) {
    r = GetStatements(service, *caller, request, request.method == "HEAD");
  } else if (statements && (request.method == "PUT" || request.method == "POST")) {
    r = PutOrPostStatements(service, *caller, request, request.method == "PUT");
  } else {
    r = XapiError(request, Status::Malformed(fmt::format("{} is not a method of {}",
                                                         request.method, route)));
    r.status = 405;
  }
  r.route = route;
  if (caller.ok()) r.account_key = caller->account_key;
  return r;
}

}  // namespace cohort::http

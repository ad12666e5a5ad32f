#include "http/api.h"

#include <spdlog/spdlog.h>

#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "http/auth_routes.h"
#include "http/credentials.h"
#include "http/errors.h"
#include "http/export_response.h"
#include "http/views_json.h"
#include "ingest/json_documents.h"

namespace cohort::http {
namespace {

using json = nlohmann::ordered_json;
using service::ExportFormat;
using service::ExportRequest;
using service::ExportView;
using service::kAllRows;

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) {
      out.push_back(path.substr(start));
      break;
    }
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Matches "/api/v1/courses/{course}" against `segments`; fills `params` with the {names}' values.
bool Match(std::string_view pattern, const std::vector<std::string_view>& segments,
           std::vector<std::string_view>& params) {
  const std::vector<std::string_view> parts = Segments(pattern);
  if (parts.size() != segments.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (!parts[i].empty() && parts[i].front() == '{') {
      if (segments[i].empty()) return false;
      params.push_back(segments[i]);
    } else if (parts[i] != segments[i]) {
      return false;
    }
  }
  return true;
}

Response Json(int status, const json& body) { return JsonResponse(status, body); }

json SummaryJson(const domain::WriteSummary& s) {
  return {{"accepted", s.accepted}, {"duplicates", s.duplicates}};
}

bool QueryFlag(const Request& request, std::string_view name) {
  auto it = request.query.find(std::string(name));
  return it != request.query.end() && (it->second == "true" || it->second == "1");
}

Status BadParameter(const std::string& name, const std::string& reason) {
  return Status::Invalid("query parameter '" + name + "': " + reason,
                         {{std::nullopt, "", name + ": " + reason}});
}

// Reads sort, order, limit, offset, q and the league filters (SPEC §3.8, §4.1).
Result<metrics::TableQuery> ParseTableQuery(const Request& request, const char* default_sort) {
  metrics::TableQuery q;
  q.sort = default_sort;
  std::set<std::string> seen;
  for (const auto& entry : request.query) {
    const std::string& name = entry.first;
    const std::string& value = entry.second;
    if (!seen.insert(name).second) return BadParameter(name, "given more than once");
    auto boolean = [&](std::optional<bool>& out) -> Status {
      if (value == "true") {
        out = true;
      } else if (value == "false") {
        out = false;
      } else {
        return BadParameter(name, "must be true or false");
      }
      return Status();
    };
    auto number = [&](std::size_t& out, std::size_t max) -> Status {
      std::size_t v = 0;
      if (value.empty() || value.size() > 9 ||
          value.find_first_not_of("0123456789") != std::string::npos) {
        return BadParameter(name, "must be a whole number");
      }
      v = static_cast<std::size_t>(std::stoul(value));
      if (v > max) return BadParameter(name, "must be at most " + std::to_string(max));
      out = v;
      return Status();
    };
    if (name == "sort") {
      q.sort = value;
    } else if (name == "order") {
      if (value != "asc" && value != "desc") return BadParameter(name, "must be asc or desc");
      q.descending = value == "desc";
      q.order_given = true;
    } else if (name == "limit") {
      COHORT_RETURN_IF_ERROR(number(q.limit, 1000));
      if (q.limit == 0) return BadParameter(name, "must be 1-1000");
    } else if (name == "offset") {
      COHORT_RETURN_IF_ERROR(number(q.offset, 100'000'000));
    } else if (name == "q") {
      q.q = value;
    } else if (name == "group") {
      q.group = value;
    } else if (name == "active") {
      std::optional<bool> active;
      COHORT_RETURN_IF_ERROR(boolean(active));
      q.active = *active;
    } else if (name == "completed") {
      COHORT_RETURN_IF_ERROR(boolean(q.completed));
    } else if (name == "certified") {
      COHORT_RETURN_IF_ERROR(boolean(q.certified));
    } else if (name == "at_risk") {
      COHORT_RETURN_IF_ERROR(boolean(q.at_risk));
    } else if (name == "format") {
      // Read (and checked) by RequestedFormat.
    } else {
      return BadParameter(name, "unknown parameter");
    }
  }
  return q;
}

template <typename T>
Response ViewResponse(service::Service& service, const service::Caller& caller,
                      const Result<T>& view) {
  if (!view.ok()) return ErrorResponse(view.status());
  Result<TimeZone> zone = service.Zone(caller);
  if (!zone.ok()) return ErrorResponse(zone.status());
  return Json(200, ToJson(view.value(), zone.value()));
}

}  // namespace

Response Api::Handle(const Request& request) {
  const std::vector<std::string_view> segments = Segments(request.path);
  std::vector<std::string_view> p;
  const std::string& method = request.method;

  if (Match("/healthz", segments, p)) {
    Response r = method != "GET" && method != "HEAD"
                     ? ErrorResponse(405, "method_not_allowed", "use GET")
                     : Json(200, {{"status", "ok"}});
    r.route = "/healthz";
    return r;
  }

  // Bodies are JSON. A body labelled as something else is refused before it is read: an HTML
  // form (urlencoded, multipart, text/plain) posted from another site never reaches a route.
  // No label at all is accepted, as scripts often send none (docs/security.md).
  if ((method == "POST" || method == "PUT" || method == "PATCH") && !request.body.empty() &&
      request.path.starts_with("/api/")) {
    std::string_view type = request.Header("content-type");
    type = type.substr(0, type.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    std::string lower(type);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!lower.empty() && lower != "application/json") {
      return ErrorResponse(415, "unsupported_media_type",
                           "the body must be JSON, sent as Content-Type: application/json");
    }
  }

  if (std::optional<Response> r = HandleAuthRoute(service_, request)) return *std::move(r);

  struct Route {
    const char* method;
    const char* pattern;
  };
  static constexpr std::array<Route, 15> kRoutes{{
      {"GET", "/api/v1/courses"},
      {"GET", "/api/v1/courses/{course}"},
      {"GET", "/api/v1/courses/{course}/users"},
      {"GET", "/api/v1/courses/{course}/groups"},
      {"GET", "/api/v1/courses/{course}/users/{user}"},
      {"GET", "/api/v1/courses/{course}/users/{user}/exercises/{exercise}/attempts"},
      {"GET", "/api/v1/report"},
      {"PUT", "/api/v1/courses/{course}"},
      {"PUT", "/api/v1/users/{user}"},
      {"DELETE", "/api/v1/users/{user}"},
      {"PUT", "/api/v1/groups/{group}"},
      {"PUT", "/api/v1/enrollments/{user}/{course}"},
      {"DELETE", "/api/v1/enrollments/{user}/{course}"},
      {"POST", "/api/v1/attempts"},
      {"GET", "/api/v1/whoami"},
  }};
  const Route* route = nullptr;
  bool path_known = false;
  const char* known_pattern = "";
  for (const Route& r : kRoutes) {
    if (!Match(r.pattern, segments, p)) continue;
    if (!path_known) known_pattern = r.pattern;
    path_known = true;
    if (method == r.method) {
      route = &r;
      break;
    }
  }
  if (route == nullptr) {
    if (path_known) {
      Response r = ErrorResponse(405, "method_not_allowed", "method not allowed here");
      r.route = known_pattern;
      return r;
    }
    return ErrorResponse(404, "not_found", "no such resource");
  }
  Match(route->pattern, segments, p);

  const std::string_view pattern = route->pattern;
  Result<service::Caller> caller = Authenticate(service_, request);
  if (caller.ok() && caller->person && method != "GET" &&
      !caller->scopes.Allows(domain::Scope::kIngest)) {
    // A person whose roles change nothing: the write is as unknown to them as any (SPEC §5),
    // whatever its body.
    caller = Status::NotFound("no such resource");
  }
  Response r = caller.ok() ? Serve(request, pattern, p, *caller) : ErrorResponse(caller.status());
  r.route = pattern;
  if (caller.ok()) r.account_key = caller->account_key;
  if (registry_ != nullptr && pattern == "/api/v1/attempts" && r.status >= 400) {
    registry_
        ->GetCounter("cohort_ingest_rejected_total",
                     "POST /api/v1/attempts requests refused, by error code.",
                     {{"reason", ErrorCodeNameOfHttpStatus(r.status)}})
        .Add();
  }
  return r;
}

Response Api::Serve(const Request& request, std::string_view pattern,
                    const std::vector<std::string_view>& p, const service::Caller& caller) {
  const std::string& method = request.method;
  const Instant now = service_.clock().Now();

  // The views of SPEC §4.1. format=csv|xlsx (or Accept) answers them as a spreadsheet file.
  if (method == "GET" && (pattern.starts_with("/api/v1/courses") || pattern == "/api/v1/report")) {
    Result<std::optional<ExportFormat>> format = RequestedFormat(request);
    if (!format.ok()) return ErrorResponse(format.status());
    const bool exporting = format->has_value();
    auto export_view = [&](ExportView view, const metrics::TableQuery& query) {
      ExportRequest what{view, std::string(p.size() > 0 ? p[0] : ""),
                         std::string(p.size() > 1 ? p[1] : ""),
                         std::string(p.size() > 2 ? p[2] : ""), query};
      // Every row unless a page was asked for.
      if (request.query.find("limit") == request.query.end()) what.query.limit = kAllRows;
      return ExportResponse(service_, caller, what, **format);
    };
    if (pattern == "/api/v1/courses") {
      Result<metrics::TableQuery> query = ParseTableQuery(request, "title");
      if (!query.ok()) return ErrorResponse(query.status());
      for (const char* filter : {"group", "active", "completed", "certified", "at_risk"}) {
        if (request.query.count(filter) > 0) {
          return ErrorResponse(BadParameter(filter, "not a filter of this view"));
        }
      }
      if (exporting) return export_view(ExportView::kAllCourses, *query);
      return ViewResponse(service_, caller, service_.AllCourses(caller, *query));
    }
    if (pattern == "/api/v1/courses/{course}") {
      if (exporting) return export_view(ExportView::kCourse, {});
      return ViewResponse(service_, caller, service_.CourseDetail(caller, p[0]));
    }
    if (pattern == "/api/v1/courses/{course}/users/{user}") {
      if (exporting) return export_view(ExportView::kUser, {});
      return ViewResponse(service_, caller, service_.UserInCourse(caller, p[0], p[1]));
    }
    if (pattern == "/api/v1/courses/{course}/users/{user}/exercises/{exercise}/attempts") {
      if (exporting) return export_view(ExportView::kHistory, {});
      return ViewResponse(service_, caller, service_.History(caller, p[0], p[1], p[2]));
    }
    const bool league = pattern == "/api/v1/courses/{course}/users";
    const bool groups = pattern == "/api/v1/courses/{course}/groups";
    const bool report = pattern == "/api/v1/report";
    if (league || groups || report) {
      Result<metrics::TableQuery> query = ParseTableQuery(request, report ? "name" : "rank");
      if (!query.ok()) return ErrorResponse(query.status());
      if (exporting) {
        return export_view(league   ? ExportView::kLeague
                           : groups ? ExportView::kGroups
                                    : ExportView::kReport,
                           *query);
      }
      if (league) return ViewResponse(service_, caller, service_.UserLeague(caller, p[0], *query));
      if (groups) {
        return ViewResponse(service_, caller, service_.GroupLeague(caller, p[0], *query));
      }
      return ViewResponse(service_, caller, service_.Report(caller, *query));
    }
  }
  if (pattern == "/api/v1/whoami") {
    return Json(200,
                {{"account", caller.account_key}, {"scopes", domain::ScopeNames(caller.scopes)}});
  }
  if (pattern == "/api/v1/attempts") {
    Result<domain::WriteBatch> batch = ingest::ParseAttempts(request.body, now);
    if (!batch.ok()) return ErrorResponse(batch.status());
    Result<domain::WriteSummary> done = service_.Write(caller, std::move(batch).value());
    if (!done.ok()) return ErrorResponse(done.status());
    if (registry_ != nullptr) CountIngest(*done);
    return Json(200, SummaryJson(*done));
  }
  if (pattern == "/api/v1/courses/{course}") {
    Result<domain::Course> course = ingest::ParseCourse(p[0], request.body);
    if (!course.ok()) return ErrorResponse(course.status());
    domain::WriteBatch batch;
    batch.courses.origin = {"", false};
    batch.courses.items.push_back(std::move(course).value());
    Result<domain::WriteSummary> done = service_.Write(caller, std::move(batch));
    if (!done.ok()) return ErrorResponse(done.status());
    return Json(200, {{"course", p[0]}});
  }
  if (pattern == "/api/v1/users/{user}" && method == "PUT") {
    Result<domain::User> user = ingest::ParseUser(p[0], request.body);
    if (!user.ok()) return ErrorResponse(user.status());
    domain::WriteBatch batch;
    batch.users.origin = {"", false};
    batch.users.items.push_back({std::move(user).value(), std::nullopt});
    Result<domain::WriteSummary> done = service_.Write(caller, std::move(batch));
    if (!done.ok()) return ErrorResponse(done.status());
    return Json(200, {{"user", p[0]}});
  }
  if (pattern == "/api/v1/users/{user}") {  // DELETE
    const bool erase = QueryFlag(request, "erase");
    Status s = service_.RemoveUser(caller, p[0], erase);
    if (!s.ok()) return ErrorResponse(s);
    if (erase) return Json(200, {{"user", p[0]}, {"erased", true}});
    return Json(200, {{"user", p[0]}, {"active", false}});
  }
  if (pattern == "/api/v1/groups/{group}") {
    Result<domain::Group> group = ingest::ParseGroup(p[0], request.body);
    if (!group.ok()) return ErrorResponse(group.status());
    domain::WriteBatch batch;
    batch.groups.origin = {"", false};
    batch.groups.items.push_back(std::move(group).value());
    Result<domain::WriteSummary> done = service_.Write(caller, std::move(batch));
    if (!done.ok()) return ErrorResponse(done.status());
    return Json(200, {{"group", p[0]}});
  }
  if (pattern == "/api/v1/enrollments/{user}/{course}" && method == "PUT") {
    Result<std::optional<Instant>> at = ingest::ParseEnrollment(request.body);
    if (!at.ok()) return ErrorResponse(at.status());
    domain::WriteBatch batch;
    batch.enrollments.origin = {"", false};
    batch.enrollments.items.push_back({std::string(p[0]), std::string(p[1]), *at});
    Result<domain::WriteSummary> done = service_.Write(caller, std::move(batch));
    if (!done.ok()) return ErrorResponse(done.status());
    return Json(200, {{"user", p[0]}, {"course", p[1]}});
  }
  if (pattern == "/api/v1/enrollments/{user}/{course}") {  // DELETE
    Status s = service_.RemoveEnrollment(caller, p[0], p[1]);
    if (!s.ok()) return ErrorResponse(s);
    return Json(200, {{"user", p[0]}, {"course", p[1]}, {"enrolled", false}});
  }
  spdlog::error("route {} matched but has no handler", pattern);
  return ErrorResponse(500, "internal", "internal error");
}

void Api::CountIngest(const domain::WriteSummary& done) {
  registry_
      ->GetCounter("cohort_ingest_attempts_total",
                   "Attempts newly stored by POST /api/v1/attempts.")
      .Add(done.accepted);
  registry_
      ->GetCounter("cohort_ingest_responses_total",
                   "Responses newly stored by POST /api/v1/attempts.")
      .Add(done.responses);
  registry_
      ->GetCounter("cohort_ingest_duplicates_total",
                   "Attempts re-posted with identical content (not stored again).")
      .Add(done.duplicates);
}

}  // namespace cohort::http

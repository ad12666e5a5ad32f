// The views of SPEC §4.1: JSON, or with format=csv|xlsx (or Accept) a spreadsheet export.
#include <algorithm>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "http/errors.h"
#include "http/export_response.h"
#include "http/route_handlers.h"
#include "http/views_json.h"

namespace cohort::http {
namespace {

using service::ExportFormat;
using service::ExportRequest;
using service::ExportView;
using service::kAllRows;

Status BadParameter(const std::string& name, const std::string& reason) {
  return Status::Invalid("query parameter '" + name + "': " + reason,
                         {{std::nullopt, "", name + ": " + reason}});
}

// Reads sort, order, limit, offset, q and the filters of every table (SPEC §3.8, §4.1): the
// league's and the exercise summary's (ReadViewRequest refuses those of other views).
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
    } else if (name == "mastered") {
      COHORT_RETURN_IF_ERROR(boolean(q.mastered));
    } else if (name == "chapter") {
      q.chapter = value;
    } else if (name == "weekly") {
      std::optional<bool> weekly;
      COHORT_RETURN_IF_ERROR(boolean(weekly));
      q.weekly = *weekly;
    } else if (name == "chapters") {
      std::optional<bool> chapters;
      COHORT_RETURN_IF_ERROR(boolean(chapters));
      q.chapters = *chapters;
    } else if (name == "course") {
      q.course = value;
    } else if (name == "format") {
      // Read (and checked) by RequestedFormat.
    } else {
      return BadParameter(name, "unknown parameter");
    }
  }
  return q;
}

// What a view reads from its request before it is built: the format asked for (a bad one is
// refused first), then, for tables, the query. The default_sort of a view that is no table is
// nullptr (an empty one: the rows in the view's own order); a filter (or `q`) other than the
// view's `filters` is refused (after the whole query is read). `whole` views list every row
// unless a page (`limit`) is asked for.
struct ViewRequest {
  std::optional<ExportFormat> format;  // nullopt: JSON
  metrics::TableQuery query;
};
constexpr std::string_view kLeagueFilters[] = {"q",         "group",     "active",
                                               "completed", "certified", "at_risk"};
constexpr std::string_view kGroupLeagueOptions[] = {"q", "chapters"};
constexpr std::string_view kReportFilters[] = {"q",         "course",    "group",
                                               "completed", "certified", "at_risk"};
constexpr std::string_view kAllCoursesOptions[] = {"q", "weekly"};
constexpr std::string_view kExerciseFilters[] = {"q", "mastered", "chapter"};
Result<ViewRequest> ReadViewRequest(const Request& request, const char* default_sort,
                                    std::span<const std::string_view> filters = kLeagueFilters,
                                    bool whole = false) {
  Result<std::optional<ExportFormat>> format = RequestedFormat(request);
  if (!format.ok()) return format.status();
  ViewRequest out{*format, {}};
  if (default_sort == nullptr) return out;
  Result<metrics::TableQuery> query = ParseTableQuery(request, default_sort);
  if (!query.ok()) return query.status();
  for (const char* filter :
       {"q", "group", "active", "completed", "certified", "at_risk", "mastered", "chapter",
        "weekly", "chapters", "course"}) {
    if (request.query.count(filter) > 0 &&
        std::find(filters.begin(), filters.end(), filter) == filters.end()) {
      return BadParameter(filter, "not a filter of this view");
    }
  }
  out.query = std::move(query).value();
  if (whole && request.query.count("limit") == 0) out.query.limit = kAllRows;
  return out;
}

// The view as a spreadsheet: its keys from the path (course, user, exercise), every row unless
// a page was asked for.
Response Exported(const RouteCall& call, ExportView view, const ViewRequest& asked) {
  ExportRequest what{view, std::string(call.params[0]), std::string(call.params[1]),
                     std::string(call.params[2]), asked.query};
  if (call.request.query.find("limit") == call.request.query.end()) what.query.limit = kAllRows;
  return ExportResponse(call.service, *call.caller, what, *asked.format);
}

// A view's JSON answer with `Cohort-As-Of`: when its account's figures last changed, in the
// account's zone (issue 20: the "as of" line of every page).
Response ViewJson(const RouteCall& call, const OrderedJson& body, const TimeZone& zone) {
  Response r = JsonResponse(200, body);
  if (std::optional<Instant> as_of = call.service.AsOf(*call.caller)) {
    r.headers.emplace_back("Cohort-As-Of", zone.Format(*as_of));
  }
  return r;
}

// The view as JSON, its times in the account's zone.
template <typename T>
Response Rendered(const RouteCall& call, const Result<T>& view) {
  if (!view.ok()) return ErrorResponse(view.status());
  Result<TimeZone> zone = call.service.Zone(*call.caller);
  if (!zone.ok()) return ErrorResponse(zone.status());
  return ViewJson(call, ToJson(view.value(), zone.value()), zone.value());
}

// A view with no spreadsheet export: JSON only.
Status NoExport(const Result<ViewRequest>& asked) {
  if (asked.ok() && asked->format) {
    return Status::Invalid("this view has no spreadsheet export; ask for JSON",
                           {{std::nullopt, "", "format: this view has no spreadsheet export"}});
  }
  return asked.ok() ? Status() : asked.status();
}

// A view's whole answer: `build(query)` renders it as JSON, or `view` is exported.
template <typename Build>
Response Answer(const RouteCall& call, ExportView view, const Result<ViewRequest>& asked,
                Build build) {
  if (!asked.ok()) return ErrorResponse(asked.status());
  if (asked->format) return Exported(call, view, *asked);
  return Rendered(call, build(asked->query));
}

}  // namespace

// With weekly=true each row carries its course's weekly series (JSON only; the exports have
// the table's columns): All courses' chart of every course in one request.
Response AllCoursesView(const RouteCall& call) {
  Result<ViewRequest> asked = ReadViewRequest(call.request, "title", kAllCoursesOptions);
  if (!asked.ok()) return ErrorResponse(asked.status());
  if (asked->format) {
    ViewRequest table = asked.value();
    table.query.weekly = false;
    return Exported(call, ExportView::kAllCourses, table);
  }
  Result<metrics::Table<metrics::AllCoursesRow>> rows =
      call.service.AllCourses(*call.caller, asked->query);
  if (!rows.ok()) return ErrorResponse(rows.status());
  Result<TimeZone> zone = call.service.Zone(*call.caller);
  if (!zone.ok()) return ErrorResponse(zone.status());
  return ViewJson(call, ToJson(rows.value(), zone.value(), asked->query.weekly), zone.value());
}

Response CourseView(const RouteCall& call) {
  return Answer(call, ExportView::kCourse, ReadViewRequest(call.request, nullptr),
                [&](const metrics::TableQuery&) {
                  return call.service.CourseDetail(*call.caller, call.params[0]);
                });
}

Response UserLeagueView(const RouteCall& call) {
  return Answer(call, ExportView::kLeague, ReadViewRequest(call.request, "rank"),
                [&](const metrics::TableQuery& q) {
                  return call.service.UserLeague(*call.caller, call.params[0], q);
                });
}

Response GroupLeagueView(const RouteCall& call) {
  return Answer(call, ExportView::kGroups,
                ReadViewRequest(call.request, "rank", kGroupLeagueOptions),
                [&](const metrics::TableQuery& q) {
                  return call.service.GroupLeague(*call.caller, call.params[0], q);
                });
}

Response GroupInCourseView(const RouteCall& call) {
  const Result<ViewRequest> asked = ReadViewRequest(call.request, nullptr);
  if (Status s = NoExport(asked); !s.ok()) return ErrorResponse(s);
  return Rendered(call, call.service.GroupInCourse(*call.caller, call.params[0], call.params[1]));
}

// The dashboard: `weeks` (1-520, default 12) weeks ending with the current one, or `from` / `to`
// (local dates, YYYY-MM-DD). JSON only.
Response ActivityView(const RouteCall& call) {
  std::optional<std::int64_t> from, to;
  std::int64_t weeks = 12;
  for (const auto& [name, value] : call.request.query) {
    if (call.request.query.count(name) > 1) {
      return ErrorResponse(BadParameter(name, "given more than once"));
    }
    if (name == "from" || name == "to") {
      const std::optional<std::int64_t> day = ParseDate(value);
      if (!day) return ErrorResponse(BadParameter(name, "must be a date, YYYY-MM-DD"));
      (name == "from" ? from : to) = day;
    } else if (name == "weeks") {
      if (value.empty() || value.size() > 3 ||
          value.find_first_not_of("0123456789") != std::string::npos || std::stoi(value) < 1 ||
          std::stoi(value) > service::Service::kMaxActivityWeeks) {
        return ErrorResponse(BadParameter(name, "must be a whole number of weeks, 1-520"));
      }
      weeks = std::stoi(value);
    } else if (name == "format") {
      return ErrorResponse(BadParameter(name, "this view has no spreadsheet export"));
    } else {
      return ErrorResponse(BadParameter(name, "unknown parameter"));
    }
  }
  return Rendered(call, call.service.Activity(*call.caller, from, to, weeks));
}

// The account's groups in the caller's scope, for filters and pickers. JSON only.
Response GroupsView(const RouteCall& call) {
  const Result<ViewRequest> asked = ReadViewRequest(call.request, nullptr);
  if (Status s = NoExport(asked); !s.ok()) return ErrorResponse(s);
  return Rendered(call, call.service.Groups(*call.caller));
}

Response PersonView(const RouteCall& call) {
  const Result<ViewRequest> asked = ReadViewRequest(call.request, nullptr);
  if (Status s = NoExport(asked); !s.ok()) return ErrorResponse(s);
  return Rendered(call, call.service.PersonOverview(*call.caller, call.params[0]));
}

// The exercise summary and the history come whole (the web UI's table sorts, filters and pages
// them itself); with a query they are arranged as that table does, so that the JSON and the
// exports of a query hold the rows the table shows (SPEC §4). Without one, as the engine gives.
Response UserInCourseView(const RouteCall& call) {
  return Answer(call, ExportView::kUser,
                ReadViewRequest(call.request, "", kExerciseFilters, /*whole=*/true),
                [&](const metrics::TableQuery& q) -> Result<metrics::UserCourseView> {
                  Result<metrics::UserCourseView> v =
                      call.service.UserInCourse(*call.caller, call.params[0], call.params[1]);
                  if (!v.ok()) return v;
                  Result<std::size_t> kept = metrics::ArrangeExercises(v.value().exercises, q);
                  if (!kept.ok()) return kept.status();
                  return v;
                });
}

Response HistoryView(const RouteCall& call) {
  return Answer(call, ExportView::kHistory,
                ReadViewRequest(call.request, "", {}, /*whole=*/true),
                [&](const metrics::TableQuery& q) -> Result<metrics::Table<metrics::HistoryRow>> {
                  Result<std::vector<metrics::HistoryRow>> rows = call.service.History(
                      *call.caller, call.params[0], call.params[1], call.params[2]);
                  if (!rows.ok()) return rows.status();
                  metrics::Table<metrics::HistoryRow> t{std::move(rows).value(), 0};
                  Result<std::size_t> total = metrics::ArrangeHistory(t.rows, q);
                  if (!total.ok()) return total.status();
                  t.total = total.value();
                  return t;
                });
}

Response ReportView(const RouteCall& call) {
  return Answer(call, ExportView::kReport, ReadViewRequest(call.request, "name", kReportFilters),
                [&](const metrics::TableQuery& q) { return call.service.Report(*call.caller, q); });
}

// The same for every caller and for the life of the process: rendered once.
Response ColumnsView(const RouteCall&) {
  static const Response answer = JsonResponse(200, ColumnsJson());
  return answer;
}

}  // namespace cohort::http

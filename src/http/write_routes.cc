// The writes of SPEC §2: each body parsed by `ingest` into a WriteBatch, applied atomically by
// the service.
#include <string>

#include "http/errors.h"
#include "http/route_handlers.h"
#include "http/views_json.h"
#include "ingest/json_documents.h"

namespace cohort::http {
namespace {

bool QueryFlag(const Request& request, std::string_view name) {
  auto it = request.query.find(std::string(name));
  return it != request.query.end() && (it->second == "true" || it->second == "1");
}

// Applies `batch` for the caller: `answer` when it is stored, the error otherwise.
Response Written(const RouteCall& call, domain::WriteBatch batch, const OrderedJson& answer) {
  Result<domain::WriteSummary> done = call.service.Write(*call.caller, std::move(batch));
  if (!done.ok()) return ErrorResponse(done.status());
  return JsonResponse(200, answer);
}

void CountIngest(MetricRegistry& registry, const domain::WriteSummary& done) {
  registry
      .GetCounter("cohort_ingest_attempts_total", "Attempts newly stored by POST /api/v1/attempts.")
      .Add(done.accepted);
  registry
      .GetCounter("cohort_ingest_responses_total",
                  "Responses newly stored by POST /api/v1/attempts.")
      .Add(done.responses);
  registry
      .GetCounter("cohort_ingest_duplicates_total",
                  "Attempts re-posted with identical content (not stored again).")
      .Add(done.duplicates);
}

}  // namespace

Response PostAttempts(const RouteCall& call) {
  Result<domain::WriteBatch> batch =
      ingest::ParseAttempts(call.request.body, call.service.clock().Now());
  if (!batch.ok()) return ErrorResponse(batch.status());
  Result<domain::WriteSummary> done = call.service.Write(*call.caller, std::move(batch).value());
  if (!done.ok()) return ErrorResponse(done.status());
  if (call.registry != nullptr) CountIngest(*call.registry, *done);
  return JsonResponse(200, {{"accepted", done->accepted}, {"duplicates", done->duplicates}});
}

Response PutCourse(const RouteCall& call) {
  Result<domain::Course> course = ingest::ParseCourse(call.params[0], call.request.body);
  if (!course.ok()) return ErrorResponse(course.status());
  domain::WriteBatch batch;
  batch.courses.origin = {"", false};
  batch.courses.items.push_back(std::move(course).value());
  return Written(call, std::move(batch), {{"course", call.params[0]}});
}

Response PutUser(const RouteCall& call) {
  Result<domain::User> user = ingest::ParseUser(call.params[0], call.request.body);
  if (!user.ok()) return ErrorResponse(user.status());
  domain::WriteBatch batch;
  batch.users.origin = {"", false};
  batch.users.items.push_back({std::move(user).value(), std::nullopt});
  return Written(call, std::move(batch), {{"user", call.params[0]}});
}

Response DeleteUser(const RouteCall& call) {
  const bool erase = QueryFlag(call.request, "erase");
  Status s = call.service.RemoveUser(*call.caller, call.params[0], erase);
  if (!s.ok()) return ErrorResponse(s);
  if (erase) return JsonResponse(200, {{"user", call.params[0]}, {"erased", true}});
  return JsonResponse(200, {{"user", call.params[0]}, {"active", false}});
}

Response PutGroup(const RouteCall& call) {
  Result<domain::Group> group = ingest::ParseGroup(call.params[0], call.request.body);
  if (!group.ok()) return ErrorResponse(group.status());
  domain::WriteBatch batch;
  batch.groups.origin = {"", false};
  batch.groups.items.push_back(std::move(group).value());
  return Written(call, std::move(batch), {{"group", call.params[0]}});
}

Response PutEnrollment(const RouteCall& call) {
  Result<std::optional<Instant>> at = ingest::ParseEnrollment(call.request.body);
  if (!at.ok()) return ErrorResponse(at.status());
  domain::WriteBatch batch;
  batch.enrollments.origin = {"", false};
  batch.enrollments.items.push_back(
      {std::string(call.params[0]), std::string(call.params[1]), *at});
  return Written(call, std::move(batch), {{"user", call.params[0]}, {"course", call.params[1]}});
}

Response DeleteEnrollment(const RouteCall& call) {
  Status s = call.service.RemoveEnrollment(*call.caller, call.params[0], call.params[1]);
  if (!s.ok()) return ErrorResponse(s);
  return JsonResponse(200,
                      {{"user", call.params[0]}, {"course", call.params[1]}, {"enrolled", false}});
}

}  // namespace cohort::http

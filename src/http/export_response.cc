#include "http/export_response.h"

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "http/errors.h"

namespace cohort::http {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

BodyStep ToBodyStep(exports::Step step) {
  switch (step) {
    case exports::Step::kMore:
      return BodyStep::kMore;
    case exports::Step::kDone:
      return BodyStep::kDone;
    case exports::Step::kPending:
      return BodyStep::kPending;
    case exports::Step::kFailed:
      return BodyStep::kFailed;
  }
  return BodyStep::kFailed;
}

}  // namespace

Result<std::optional<service::ExportFormat>> RequestedFormat(const Request& request) {
  using service::ExportFormat;
  auto given = request.query.find("format");
  if (given != request.query.end()) {
    const std::string& value = given->second;
    if (value == "json") return std::optional<ExportFormat>();
    if (value == "csv") return std::optional(ExportFormat::kCsv);
    if (value == "xlsx") return std::optional(ExportFormat::kXlsx);
    const std::string reason = "unknown format '" + value + "' (use json, csv or xlsx)";
    return Status::Invalid("query parameter 'format': " + reason,
                           {{std::nullopt, "", "format: " + reason}});
  }
  const std::string_view xlsx_type = service::ContentType(ExportFormat::kXlsx);
  std::string_view accept = request.Header("accept");
  while (!accept.empty()) {
    const std::size_t comma = accept.find(',');
    std::string_view range = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    const std::string type = Lower(Trim(range.substr(0, range.find(';'))));
    if (type == "text/csv") return std::optional(ExportFormat::kCsv);
    if (type == xlsx_type) return std::optional(ExportFormat::kXlsx);
    if (type == "application/json") return std::optional<ExportFormat>();
  }
  return std::optional<ExportFormat>();
}

Response ExportResponse(service::Service& service, const service::Caller& caller,
                        const service::ExportRequest& what, service::ExportFormat format) {
  Result<service::ExportFile> started = service::StartExport(service, caller, what, format);
  if (!started.ok()) return ErrorResponse(started.status());
  service::ExportFile& file = started.value();
  Response r;
  r.content_type = std::move(file.content_type);
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"" + file.file_name + "\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  // BodyProducer is a std::function, which must be copyable: the stream is shared.
  std::shared_ptr<exports::Stream> body = std::move(file.body);
  r.stream = [body](std::string& chunk) { return ToBodyStep(body->Next(chunk)); };
  return r;
}

}  // namespace cohort::http

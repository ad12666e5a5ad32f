#pragma once

#include <optional>

#include "common/result.h"
#include "http/message.h"
#include "service/exports.h"
#include "service/service.h"

namespace cohort::http {

// Exports over HTTP (SPEC §4.1, §6): which format a GET asks for, and the service's export
// (service/exports.h) as a streamed answer. Nothing else of exports lives in http.

// The export format a GET asks for: the `format` parameter (json, csv or xlsx) or else the first
// of text/csv, the XLSX media type or application/json in Accept; nullopt for JSON (also when
// neither says). kInvalid naming the value for any other `format`.
Result<std::optional<service::ExportFormat>> RequestedFormat(const Request& request);

// service::StartExport as an HTTP answer: 200 with Content-Disposition: attachment and the
// export's stream as a chunked body (a stream that fails before its first piece becomes a 500;
// after, a truncated answer), or the JSON error when the export cannot start.
Response ExportResponse(service::Service& service, const service::Caller& caller,
                        const service::ExportRequest& what, service::ExportFormat format);

}  // namespace cohort::http

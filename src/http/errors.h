#pragma once

#include "common/status.h"
#include "http/message.h"

namespace cohort::http {

// The one place that maps an ErrorCode to an HTTP status (SPEC §9).
int HttpStatusOf(ErrorCode code);
// The inverse, for metrics labels: the ErrorCode name an HTTP error status stands for
// ("invalid" for 422); "other" for a status no ErrorCode maps to.
const char* ErrorCodeNameOfHttpStatus(int http_status);

// A JSON error response of SPEC §4.1: {"error": {"code", "message", "details": [...]}}.
Response ErrorResponse(const Status& status);

// A JSON error for failures found before a Status exists (unknown route, bad method).
Response ErrorResponse(int http_status, const char* code, std::string message);

}  // namespace cohort::http

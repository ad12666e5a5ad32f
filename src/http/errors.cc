#include "http/errors.h"

#include <nlohmann/json.hpp>

namespace cohort::http {

int HttpStatusOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return 200;
    case ErrorCode::kMalformed: return 400;
    case ErrorCode::kInvalid: return 422;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kForbidden: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kTooLarge: return 413;
    case ErrorCode::kTooManyRequests: return 429;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

const char* ErrorCodeNameOfHttpStatus(int http_status) {
  for (const ErrorCode code :
       {ErrorCode::kMalformed, ErrorCode::kInvalid, ErrorCode::kUnauthenticated,
        ErrorCode::kForbidden, ErrorCode::kNotFound, ErrorCode::kConflict, ErrorCode::kTooLarge,
        ErrorCode::kTooManyRequests, ErrorCode::kUnavailable, ErrorCode::kInternal}) {
    if (HttpStatusOf(code) == http_status) return ErrorCodeName(code);
  }
  return "other";
}

Response ErrorResponse(const Status& status) {
  nlohmann::ordered_json details = nlohmann::ordered_json::array();
  for (const ErrorDetail& d : status.details()) {
    nlohmann::ordered_json item = {{"pointer", d.pointer}, {"reason", d.reason}};
    if (d.index) item["index"] = *d.index;
    details.push_back(std::move(item));
  }
  Response r;
  r.status = HttpStatusOf(status.code());
  r.body = nlohmann::ordered_json{{"error",
                           {{"code", ErrorCodeName(status.code())},
                            {"message", status.message()},
                            {"details", std::move(details)}}}}
               .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  if (status.code() == ErrorCode::kUnavailable) r.headers.emplace_back("Retry-After", "1");
  if (status.code() == ErrorCode::kUnauthenticated) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

Response ErrorResponse(int http_status, const char* code, std::string message) {
  Response r;
  r.status = http_status;
  r.body = nlohmann::ordered_json{{"error",
                           {{"code", code},
                            {"message", std::move(message)},
                            {"details", nlohmann::ordered_json::array()}}}}
               .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return r;
}

}  // namespace cohort::http

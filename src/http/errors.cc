#include "http/errors.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

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

namespace {

// What the client reads for errors that are ours, not its: the message of a kInternal or
// kUnavailable Status is written for the log (it may name a file, a table or an exception) and
// must not reach the client (docs/security.md, "Error bodies").
constexpr const char* kInternalMessage = "internal error";
constexpr const char* kUnavailableMessage = "the service is temporarily unavailable; retry later";

}  // namespace

Response ErrorResponse(const Status& status) {
  if (status.code() == ErrorCode::kInternal || status.code() == ErrorCode::kUnavailable) {
    const bool internal = status.code() == ErrorCode::kInternal;
    spdlog::log(internal ? spdlog::level::err : spdlog::level::warn, "answering {}: {}",
                internal ? 500 : 503, status.message());
    Response r = ErrorResponse(HttpStatusOf(status.code()), ErrorCodeName(status.code()),
                               internal ? kInternalMessage : kUnavailableMessage);
    if (!internal) r.headers.emplace_back("Retry-After", "1");
    return r;
  }
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

#include "common/status.h"

namespace cohort {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kMalformed: return "malformed";
    case ErrorCode::kInvalid: return "invalid";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kForbidden: return "forbidden";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kTooManyRequests: return "too_many_requests";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out = std::string(ErrorCodeName(code_)) + ": " + message_;
  for (const ErrorDetail& d : details_) {
    out += "\n  ";
    if (d.index) out += "item " + std::to_string(*d.index) + " ";
    if (!d.pointer.empty()) out += "at " + d.pointer + ": ";
    out += d.reason;
  }
  return out;
}

}  // namespace cohort

#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cohort {

// The closed set of failure kinds. http/errors.cc is the one place that maps them to statuses.
enum class ErrorCode {
  kOk,
  kMalformed,         // 400: the request cannot be read (bad JSON, bad UTF-8, too deep)
  kInvalid,           // 422: readable but breaks a rule (type, unknown field, unknown key, range)
  kUnauthenticated,   // 401
  kForbidden,         // 403: authenticated, but the credential's scope does not allow it
  kNotFound,          // 404: unknown, or not the caller's to see
  kConflict,          // 409
  kTooLarge,          // 413
  kTooManyRequests,   // 429: slowed down (repeated failed sign-ins)
  kUnavailable,       // 503: the store cannot take writes now
  kInternal,          // 500: a broken invariant or an unexpected library failure
};

// Names the code as it appears in JSON errors ("invalid", "not_found", ...).
const char* ErrorCodeName(ErrorCode code);

// One precise complaint about a request: which item, where in the body, and why.
struct ErrorDetail {
  std::optional<std::size_t> index;  // item index in a batch, when the body is a batch
  std::string pointer;               // JSON pointer from the body's root ("/1/responses/0/hints")
  std::string reason;
  bool operator==(const ErrorDetail&) const = default;
};

// The outcome of an operation: OK, or a code with a message and details. Cheap when OK.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message, std::vector<ErrorDetail> details = {})
      : code_(code), message_(std::move(message)), details_(std::move(details)) {}

  static Status Malformed(std::string m, std::vector<ErrorDetail> d = {}) {
    return {ErrorCode::kMalformed, std::move(m), std::move(d)};
  }
  static Status Invalid(std::string m, std::vector<ErrorDetail> d = {}) {
    return {ErrorCode::kInvalid, std::move(m), std::move(d)};
  }
  static Status NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Status Conflict(std::string m, std::vector<ErrorDetail> d = {}) {
    return {ErrorCode::kConflict, std::move(m), std::move(d)};
  }
  static Status Unauthenticated(std::string m) {
    return {ErrorCode::kUnauthenticated, std::move(m)};
  }
  static Status Forbidden(std::string m) { return {ErrorCode::kForbidden, std::move(m)}; }
  static Status TooLarge(std::string m) { return {ErrorCode::kTooLarge, std::move(m)}; }
  static Status TooManyRequests(std::string m) {
    return {ErrorCode::kTooManyRequests, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<ErrorDetail>& details() const { return details_; }
  // "invalid: user 'x' is unknown" — for logs and the CLI.
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::vector<ErrorDetail> details_;
};

}  // namespace cohort

#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "common/status.h"

namespace cohort {

// A value or a non-OK Status; an alias of std::expected once we use C++23.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}       // NOLINT: implicit on purpose
  Result(Status error) : data_(std::move(error)) {   // NOLINT: never an OK Status
    assert(!std::get<Status>(data_).ok());
  }
  bool ok() const { return std::holds_alternative<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T& value() & { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &std::get<T>(data_); }
  Status status() const { return ok() ? Status() : std::get<Status>(data_); }

 private:
  std::variant<T, Status> data_;
};

// Propagates a failed Status out of the enclosing function.
#define COHORT_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::cohort::Status cohort_status_ = (expr); \
    if (!cohort_status_.ok()) return cohort_status_; \
  } while (false)

}  // namespace cohort

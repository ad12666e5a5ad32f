#pragma once

#include <exception>

#include <spdlog/spdlog.h>

#include "common/status.h"

namespace cohort::store {

// Runs `body`, turning an exception (bad_alloc, a library's) into kInternal: a store never
// throws. A transaction open in `body` is rolled back by its guard while unwinding.
template <typename Body>
auto Guarded(const char* operation, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    spdlog::error("store: {} failed with an exception: {}", operation, e.what());
  } catch (...) {
    spdlog::error("store: {} failed with an unknown exception", operation);
  }
  return Status::Internal("the store failed unexpectedly");
}

}  // namespace cohort::store

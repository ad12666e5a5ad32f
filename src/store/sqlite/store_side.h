#pragma once

#include <exception>
#include <memory>

#include <spdlog/spdlog.h>

#include "store/sqlite/auth_statements.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/statements.h"

namespace cohort::store::sqlite {

// A connection with its prepared statements (private to the SQLite store's .cc files).
struct SqliteStore::Side {
  std::unique_ptr<Connection> connection;
  Statements statements;  // declared after `connection`: finalized before it closes
  AuthStatements auth;     // likewise
};

// Runs `body`, turning an exception (bad_alloc, a library's) into kInternal: the store never
// throws. A write transaction open in `body` is rolled back by its guard while unwinding.
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

}  // namespace cohort::store::sqlite

#pragma once

#include <string>

#include "common/result.h"

namespace cohort::store {

// The throwaway PostgreSQL server of the test suite (tests/support/pg_server.sh, CTest fixture
// `postgres`): the URI of its `postgres` database comes in COHORT_TEST_PG_URI.
//
// Creates a database of its own for one test (a unique name, so tests run in parallel) and
// returns its URI. Errors (the variable is unset, the server is not there) are kUnavailable: a
// test that needs PostgreSQL fails, it never skips.
Result<std::string> CreateTestDatabase();
// Drops a database made by CreateTestDatabase (best effort; the server is thrown away anyway).
void DropTestDatabase(const std::string& uri);
// COHORT_TEST_PG_URI with its database name replaced by `name`.
std::string TestDatabaseUri(const std::string& name);

}  // namespace cohort::store

#pragma once

#include "common/result.h"
#include "store/postgres/connection.h"

namespace cohort::store::postgres {

// The latest schema version this binary knows.
int LatestSchemaVersion();
// The version recorded in schema_migrations (0 on an empty database).
Result<int> SchemaVersion(Connection& connection);
// Applies the pending migrations, each in its own transaction under a transaction-level
// advisory lock, so that processes starting together apply each one once. kUnavailable when the
// database was written by a newer binary.
Status Migrate(Connection& connection);

}  // namespace cohort::store::postgres

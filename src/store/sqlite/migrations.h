#pragma once

#include "common/result.h"
#include "common/status.h"
#include "store/sqlite/connection.h"

namespace cohort::store::sqlite {

// The schema version this binary writes: the number of the last migration.
int LatestSchemaVersion();

// The version recorded in schema_migrations (0 for an empty database). Reads only.
Result<int> SchemaVersion(Connection& connection);

// Applies every migration newer than the database's version, each in its own BEGIN IMMEDIATE
// transaction together with its schema_migrations row, so a crash leaves whole migrations
// only; two processes opening the same file at once apply each migration once. A database that
// is up to date is not written to (so a read-only one opens).
// Errors: kUnavailable (locked, read-only, I/O) or kInternal; kUnavailable also when the
// database was written by a newer binary.
Status Migrate(Connection& connection);
// The same up to version `last` only (tests build older databases with it).
Status MigrateTo(Connection& connection, int last);

}  // namespace cohort::store::sqlite

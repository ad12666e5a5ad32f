#pragma once

#include <memory>

#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/statements.h"

namespace cohort::store::sqlite {

// A connection with its prepared statements (private to the SQLite store's .cc files).
struct SqliteStore::Side {
  std::unique_ptr<Connection> connection;
  Statements statements;  // declared after `connection`: finalized before it closes
};

}  // namespace cohort::store::sqlite

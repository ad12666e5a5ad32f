#pragma once

#include <exception>
#include <memory>

#include <spdlog/spdlog.h>

#include "store/guarded.h"
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

// Reads a token row: id, account id, account key, name, scopes, created_at, revoked_at,
// last_used_at (find_token, list_tokens).
inline TokenRecord ReadToken(const Query& q) {
  TokenRecord t;
  t.id = TokenId{q.Int(0)};
  t.account = AccountId{q.Int(1)};
  t.account_key = q.Text(2);
  t.name = q.Text(3);
  t.scopes.bits = static_cast<std::uint8_t>(q.Int(4));
  t.created_at = Instant{q.Int(5)};
  if (!q.IsNull(6)) t.revoked_at = Instant{q.Int(6)};
  if (!q.IsNull(7)) t.last_used_at = Instant{q.Int(7)};
  return t;
}

}  // namespace cohort::store::sqlite

#pragma once

#include "common/status.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/statement.h"

namespace cohort::store::sqlite {

// The statements of sign-in, sessions, token administration and awards (SPEC §5, §3.6),
// prepared once per connection like Statements. The SQL sits in auth_statements.cc with the
// parameters and columns of each. Not thread-safe: belongs to one connection and its mutex.
struct AuthStatements {
  // Requires: the schema is migrated (version 2 or later).
  Status Prepare(Connection& connection);

  Statement list_tokens, revoke_token, touch_token;
  Statement users_by_email, user_groups;
  Statement insert_session, load_session_caller, touch_session, delete_session,
      delete_expired_sessions, delete_other_sessions, set_password_hash;
  Statement find_user_id, find_course_id, is_enrolled, insert_award, find_award, revoke_award, list_awards;
};

}  // namespace cohort::store::sqlite

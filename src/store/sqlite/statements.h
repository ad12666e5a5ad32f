#pragma once

#include <optional>
#include <string_view>

#include "common/result.h"
#include "domain/attempt.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/statement.h"
#include "store/store.h"

namespace cohort::store::sqlite {

// Every SQL statement the store runs, prepared once per connection when the store opens (so
// a statement never fails to prepare later) and reused. The SQL text sits in statements.cc,
// next to the list of parameters and columns each one takes. Values are always bound, never
// formatted into SQL. Not thread-safe: belongs to one connection and its mutex.
struct Statements {
  // Prepares all of them on `connection`. Requires: the schema is migrated.
  Status Prepare(Connection& connection);

  Statement insert_account, find_account, list_accounts;
  Statement insert_token, find_token;
  Statement upsert_group, find_group_id, clear_group_managers, insert_group_manager;
  Statement upsert_course, find_course, mark_chapters_removed, mark_exercises_removed,
      upsert_chapter, upsert_exercise, list_chapters, list_exercises, course_exercise_ids;
  Statement find_user_key_by_email, upsert_user, find_user_id, find_user, list_user_groups,
      clear_memberships, insert_membership, deactivate_user;
  Statement erase_attempts, erase_enrollments, erase_memberships,
      erase_managed_groups, erase_awards, clear_granted_by, erase_certifications, erase_sessions,
      erase_user;
  Statement find_enrollment, upsert_enrollment, delete_enrollment, earliest_attempt,
      enrolled_at_by_keys;
  Statement insert_certification, find_certification;
  Statement insert_attempt, next_attempt_id, attempt_ids_between, find_attempt;
  // insert_attempt for kAttemptsPerInsert rows: ?1..?9 for the first, ?10..?18 for the second...
  // One statement per row costs twice as much.
  static constexpr std::size_t kAttemptsPerInsert = 32;
  static constexpr int kAttemptParameters = 9;
  Statement insert_attempts;
  Statement counts, list_tables, list_columns;
  // xAPI statements (docs/xapi.md).
  Statement insert_statement, insert_statement_ref, void_statement, delete_attempt,
      erase_statements, erase_statements_by_actor, find_statement, statements_of_attempt, map_statement, unmapped_by_actor,
      unmapped_by_activity;
  // xAPI documents (store::DocumentKind).
  Statement find_document, list_documents, upsert_document, delete_document, delete_documents,
      erase_documents_by_actor;
  // For the metrics engine (rebuild and replays).
  Statement list_course_keys, list_groups, list_all_managers, list_users, list_all_memberships,
      list_enrollments, scan_attempts, load_attempts, load_exercise_attempts, list_certifications, list_user_keys,
      list_course_ids, list_exercise_keys;
};

// The stored attempt `attempt_id` of `account` with its responses in index order, or nullopt
// when there is none.
Result<std::optional<domain::Attempt>> LoadAttempt(Statements& statements, AccountId account,
                                                   std::string_view attempt_id);

}  // namespace cohort::store::sqlite

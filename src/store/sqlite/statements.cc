#include "store/sqlite/statements.h"

#include <string>

#include "store/response_codec.h"

namespace cohort::store::sqlite {
namespace {

struct Entry {
  Statement Statements::*member;
  const char* sql;
};

// Parameters are numbered (?1, ?2, ...) so the binding code can be checked against the text.
constexpr Entry kEntries[] = {
    // ?1 key, ?2 name, ?3 timezone → id (no row when the key exists)
    {&Statements::insert_account,
     "INSERT INTO accounts(key, name, timezone) VALUES (?1, ?2, ?3) "
     "ON CONFLICT(key) DO NOTHING RETURNING id"},
    // ?1 key → id, key, name, timezone
    {&Statements::find_account, "SELECT id, key, name, timezone FROM accounts WHERE key = ?1"},
    {&Statements::list_accounts, "SELECT id, key, name, timezone FROM accounts ORDER BY key"},

    // ?1 account, ?2 name, ?3 digest, ?4 scopes, ?5 created_at → id
    {&Statements::insert_token,
     "INSERT INTO api_tokens(account_id, name, digest, scopes, created_at) "
     "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id"},
    // ?1 digest → id, account_id, account key, name, scopes, created_at, revoked_at,
    // last_used_at
    {&Statements::find_token,
     "SELECT t.id, t.account_id, a.key, t.name, t.scopes, t.created_at, t.revoked_at, "
     "t.last_used_at FROM api_tokens t JOIN accounts a ON a.id = t.account_id "
     "WHERE t.digest = ?1"},

    // ?1 account, ?2 key, ?3 name → id
    {&Statements::upsert_group,
     "INSERT INTO groups(account_id, key, name) VALUES (?1, ?2, ?3) "
     "ON CONFLICT(account_id, key) DO UPDATE SET name = excluded.name RETURNING id"},
    // ?1 account, ?2 key → id
    {&Statements::find_group_id, "SELECT id FROM groups WHERE account_id = ?1 AND key = ?2"},
    // ?1 group
    {&Statements::clear_group_managers, "DELETE FROM group_managers WHERE group_id = ?1"},
    // ?1 account, ?2 group, ?3 user
    {&Statements::insert_group_manager,
     "INSERT INTO group_managers(account_id, group_id, user_id) VALUES (?1, ?2, ?3) "
     "ON CONFLICT DO NOTHING"},

    // ?1 account, ?2 key, ?3 title, ?4..?15 the settings in column order → id
    {&Statements::upsert_course,
     "INSERT INTO courses(account_id, key, title, mastery_model, mastery_window, "
     "mastery_threshold, p_init, p_learn, p_guess, p_slip, points_per_question, "
     "max_attempt_seconds, certification_mastery, certification_valid_days, at_risk_days) "
     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
     "ON CONFLICT(account_id, key) DO UPDATE SET title = excluded.title, "
     "mastery_model = excluded.mastery_model, mastery_window = excluded.mastery_window, "
     "mastery_threshold = excluded.mastery_threshold, p_init = excluded.p_init, "
     "p_learn = excluded.p_learn, p_guess = excluded.p_guess, p_slip = excluded.p_slip, "
     "points_per_question = excluded.points_per_question, "
     "max_attempt_seconds = excluded.max_attempt_seconds, "
     "certification_mastery = excluded.certification_mastery, "
     "certification_valid_days = excluded.certification_valid_days, "
     "at_risk_days = excluded.at_risk_days RETURNING id"},
    // ?1 account, ?2 key → id, title, then the settings from column 2 on
    {&Statements::find_course,
     "SELECT id, title, mastery_model, mastery_window, mastery_threshold, p_init, p_learn, "
     "p_guess, p_slip, points_per_question, max_attempt_seconds, certification_mastery, "
     "certification_valid_days, at_risk_days FROM courses WHERE account_id = ?1 AND key = ?2"},
    // ?1 course
    {&Statements::mark_chapters_removed, "UPDATE chapters SET removed = 1 WHERE course_id = ?1"},
    {&Statements::mark_exercises_removed, "UPDATE exercises SET removed = 1 WHERE course_id = ?1"},
    // ?1 account, ?2 course, ?3 key, ?4 title, ?5 position → id
    {&Statements::upsert_chapter,
     "INSERT INTO chapters(account_id, course_id, key, title, position, removed) "
     "VALUES (?1, ?2, ?3, ?4, ?5, 0) ON CONFLICT(course_id, key) DO UPDATE SET "
     "title = excluded.title, position = excluded.position, removed = 0 RETURNING id"},
    // ?1 account, ?2 course, ?3 chapter, ?4 key, ?5 title, ?6 position
    {&Statements::upsert_exercise,
     "INSERT INTO exercises(account_id, course_id, chapter_id, key, title, position, removed, "
     "xapi_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7) ON CONFLICT(course_id, key) DO UPDATE SET "
     "chapter_id = excluded.chapter_id, title = excluded.title, position = excluded.position, "
     "removed = 0, xapi_id = excluded.xapi_id"},
    // ?1 course → key, title (listed chapters in order)
    {&Statements::list_chapters,
     "SELECT key, title FROM chapters WHERE course_id = ?1 AND removed = 0 ORDER BY position"},
    // ?1 course → key, title, chapter key, removed (every exercise, listed ones in order)
    {&Statements::list_exercises,
     "SELECT e.key, e.title, c.key, e.removed, e.xapi_id FROM exercises e "
     "JOIN chapters c ON c.id = e.chapter_id WHERE e.course_id = ?1 "
     "ORDER BY e.removed, e.position, e.key"},
    // ?1 course → key, id, removed
    {&Statements::course_exercise_ids,
     "SELECT key, id, removed FROM exercises WHERE course_id = ?1"},

    // ?1 account, ?2 folded email → key
    {&Statements::find_user_key_by_email,
     "SELECT key FROM users WHERE account_id = ?1 AND email_folded = ?2"},
    // ?1 account, ?2 key, ?3 name, ?4 email, ?5 folded email, ?6 roles, ?7 active,
    // ?8 password hash or NULL to keep the stored one → id
    {&Statements::upsert_user,
     "INSERT INTO users(account_id, key, name, email, email_folded, roles, active, "
     "password_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
     "ON CONFLICT(account_id, key) DO UPDATE SET name = excluded.name, "
     "email = excluded.email, email_folded = excluded.email_folded, roles = excluded.roles, "
     "active = excluded.active, "
     "password_hash = coalesce(excluded.password_hash, users.password_hash) RETURNING id"},
    // ?1 account, ?2 key → id
    {&Statements::find_user_id, "SELECT id FROM users WHERE account_id = ?1 AND key = ?2"},
    // ?1 account, ?2 key → id, name, email, roles, active, password_hash
    {&Statements::find_user,
     "SELECT id, name, email, roles, active, password_hash FROM users "
     "WHERE account_id = ?1 AND key = ?2"},
    // ?1 user → group key
    {&Statements::list_user_groups,
     "SELECT g.key FROM group_members m JOIN groups g ON g.id = m.group_id "
     "WHERE m.user_id = ?1 ORDER BY g.key"},
    // ?1 user
    {&Statements::clear_memberships, "DELETE FROM group_members WHERE user_id = ?1"},
    // ?1 account, ?2 group, ?3 user
    {&Statements::insert_membership,
     "INSERT INTO group_members(account_id, group_id, user_id) VALUES (?1, ?2, ?3) "
     "ON CONFLICT DO NOTHING"},
    // ?1 user
    {&Statements::deactivate_user, "UPDATE users SET active = 0 WHERE id = ?1"},

    // Erasure, each ?1 user.
    {&Statements::erase_attempts,
     "DELETE FROM attempts WHERE account_id = (SELECT account_id FROM users WHERE id = ?1) "
     "AND user_id = ?1"},
    {&Statements::erase_enrollments, "DELETE FROM enrollments WHERE user_id = ?1"},
    {&Statements::erase_memberships, "DELETE FROM group_members WHERE user_id = ?1"},
    {&Statements::erase_managed_groups, "DELETE FROM group_managers WHERE user_id = ?1"},
    {&Statements::erase_awards, "DELETE FROM awards WHERE user_id = ?1"},
    {&Statements::clear_granted_by, "UPDATE awards SET granted_by = NULL WHERE granted_by = ?1"},
    {&Statements::erase_certifications, "DELETE FROM certifications WHERE user_id = ?1"},
    {&Statements::erase_sessions, "DELETE FROM sessions WHERE user_id = ?1"},
    {&Statements::erase_user, "DELETE FROM users WHERE id = ?1"},

    // ?1 user, ?2 course → enrolled_at, by_attempts
    {&Statements::find_enrollment,
     "SELECT enrolled_at, by_attempts FROM enrollments WHERE user_id = ?1 AND course_id = ?2"},
    // ?1 account, ?2 user, ?3 course, ?4 enrolled_at, ?5 by_attempts
    {&Statements::upsert_enrollment,
     "INSERT INTO enrollments(account_id, user_id, course_id, enrolled_at, by_attempts) "
     "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(user_id, course_id) DO UPDATE SET "
     "enrolled_at = excluded.enrolled_at, by_attempts = excluded.by_attempts"},
    // ?1 user, ?2 course
    {&Statements::delete_enrollment,
     "DELETE FROM enrollments WHERE user_id = ?1 AND course_id = ?2"},
    // ?1 account, ?2 user, ?3 course, ?4 issued_at, ?5 expires_at or NULL
    {&Statements::insert_certification,
     "INSERT INTO certifications(account_id, user_id, course_id, issued_at, expires_at) "
     "VALUES (?1, ?2, ?3, ?4, ?5)"},
    // ?1 user, ?2 course, ?3 issued_at → expires_at (a row when stored)
    {&Statements::find_certification,
     "SELECT expires_at FROM certifications WHERE user_id = ?1 AND course_id = ?2 "
     "AND issued_at = ?3"},
    // ?1 user, ?2 course → min(started_at) or NULL
    {&Statements::earliest_attempt,
     "SELECT min(started_at) FROM attempts "
     "WHERE account_id = (SELECT account_id FROM users WHERE id = ?1) AND user_id = ?1 "
     "AND course_id = ?2"},

    // ?1 account, ?2 user key, ?3 course key → enrolled_at
    {&Statements::enrolled_at_by_keys,
     "SELECT e.enrolled_at FROM enrollments e JOIN users u ON u.id = e.user_id "
     "JOIN courses c ON c.id = e.course_id "
     "WHERE e.account_id = ?1 AND u.key = ?2 AND c.key = ?3"},

    // ?1 id, ?2 account, ?3 client id, ?4 user, ?5 course, ?6 exercise, ?7 started_at,
    // ?8 finished_at, ?9 responses (response_codec.h); changes nothing when the client id is stored (the caller then compares
    // with LoadAttempt). OR FAIL: a failing row does not undo the rows before it (the whole
    // transaction is rolled back anyway), so the multi-row form needs no statement journal.
    {&Statements::insert_attempt,
     "INSERT OR FAIL INTO attempts(id, account_id, client_id, user_id, course_id, exercise_id, "
     "started_at, finished_at, responses) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
     "ON CONFLICT(account_id, client_id) DO NOTHING"},
    // → the id after the largest stored one
    {&Statements::next_attempt_id, "SELECT coalesce(max(id), 0) + 1 FROM attempts"},
    // ?1 first, ?2 last → ids stored in [first, last]
    {&Statements::attempt_ids_between,
     "SELECT id FROM attempts WHERE id BETWEEN ?1 AND ?2 ORDER BY id"},
    // ?1 account, ?2 client id → id, user key, course key, exercise key, started_at,
    // finished_at, responses
    {&Statements::find_attempt,
     "SELECT a.id, u.key, c.key, e.key, a.started_at, a.finished_at, a.responses FROM attempts a "
     "JOIN users u ON u.id = a.user_id JOIN courses c ON c.id = a.course_id "
     "JOIN exercises e ON e.id = a.exercise_id "
     "WHERE a.account_id = ?1 AND a.client_id = ?2"},

    // ?1 account → the TableCounts fields in declaration order
    // ?1 account → key
    {&Statements::list_course_keys, "SELECT key FROM courses WHERE account_id = ?1 ORDER BY id"},
    // ?1 account → id, key, name
    {&Statements::list_groups,
     "SELECT id, key, name FROM groups WHERE account_id = ?1 ORDER BY id"},
    // ?1 account → group id, manager key
    {&Statements::list_all_managers,
     "SELECT m.group_id, u.key FROM group_managers m JOIN users u ON u.id = m.user_id "
     "WHERE m.account_id = ?1 ORDER BY m.group_id, u.key"},
    // ?1 account → id, key, name, email, roles, active
    {&Statements::list_users,
     "SELECT id, key, name, email, roles, active FROM users WHERE account_id = ?1 ORDER BY id"},
    // ?1 account → user id, group key
    {&Statements::list_all_memberships,
     "SELECT m.user_id, g.key FROM group_members m JOIN groups g ON g.id = m.group_id "
     "WHERE m.account_id = ?1 ORDER BY m.user_id, g.key"},
    // ?1 account → user key, course key, issued_at, expires_at (imported certifications)
    {&Statements::list_certifications,
     "SELECT u.key, c.key, x.issued_at, x.expires_at FROM certifications x "
     "JOIN users u ON u.id = x.user_id JOIN courses c ON c.id = x.course_id "
     "WHERE x.account_id = ?1 ORDER BY x.id"},
    // ?1 account → user key, course key, enrolled_at, by_attempts
    {&Statements::list_enrollments,
     "SELECT u.key, c.key, e.enrolled_at, e.by_attempts FROM enrollments e "
     "JOIN users u ON u.id = e.user_id JOIN courses c ON c.id = e.course_id "
     "WHERE e.account_id = ?1"},
    // ?1 account → user id, course id, client id, exercise id, started_at, finished_at,
    // responses; grouped by user × course, read in order from attempts_by_account_user.
    {&Statements::scan_attempts,
     "SELECT user_id, course_id, client_id, exercise_id, started_at, finished_at, responses "
     "FROM attempts WHERE account_id = ?1 ORDER BY user_id, course_id, started_at, id"},
    // ?1 account → id, key (of users, courses, exercises: scan_attempts' ids to keys)
    {&Statements::list_user_keys, "SELECT id, key FROM users WHERE account_id = ?1"},
    {&Statements::list_course_ids, "SELECT id, key FROM courses WHERE account_id = ?1"},
    {&Statements::list_exercise_keys, "SELECT id, key FROM exercises WHERE account_id = ?1"},
    // ?1 account, ?2 user key, ?3 course key → user key, course key, client id, exercise key,
    // started_at, finished_at, responses
    {&Statements::load_attempts,
     "SELECT u.key, c.key, a.client_id, x.key, a.started_at, a.finished_at, a.responses "
     "FROM users u JOIN courses c ON c.account_id = u.account_id AND c.key = ?3 "
     "JOIN attempts a ON a.account_id = u.account_id AND a.user_id = u.id AND a.course_id = c.id "
     "JOIN exercises x ON x.id = a.exercise_id "
     "WHERE u.account_id = ?1 AND u.key = ?2 ORDER BY a.started_at, a.id"},
    // ?1 account, ?2 user key, ?3 course key, ?4 exercise key → as load_attempts, one exercise's;
    // attempts_by_account_user holds exercise_id, so only its attempts' rows are read.
    {&Statements::load_exercise_attempts,
     "SELECT u.key, c.key, a.client_id, x.key, a.started_at, a.finished_at, a.responses "
     "FROM users u JOIN courses c ON c.account_id = u.account_id AND c.key = ?3 "
     "JOIN exercises x ON x.course_id = c.id AND x.key = ?4 "
     "JOIN attempts a ON a.account_id = u.account_id AND a.user_id = u.id AND a.course_id = c.id "
     "AND a.exercise_id = x.id "
     "WHERE u.account_id = ?1 AND u.key = ?2 ORDER BY a.started_at, a.id"},
    // ?1 account, ?2 statement id, ?3 stored_at, ?4 body, ?5 verb, ?6 activity,
    // ?7 registration, ?8 voids, ?9 user id, ?10 attempt, ?11 outcome, ?12 actor hint → seq
    {&Statements::insert_statement,
     "INSERT INTO xapi_statements(account_id, statement_id, stored_at, body, verb, activity, "
     "registration, voids, user_id, attempt, outcome, actor_hint) "
     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING seq"},
    // ?1 account, ?2 statement id, ?3 attempt, ?4 user id
    {&Statements::map_statement,
     "UPDATE xapi_statements SET attempt = ?3, user_id = ?4, outcome = 'counted' "
     "WHERE account_id = ?1 AND statement_id = ?2"},
    // ?1 account, ?2 actor hint → seq, statement id, body, stored_at, voided, attempt
    {&Statements::unmapped_by_actor,
     "SELECT seq, statement_id, body, stored_at, voided, attempt FROM xapi_statements "
     "WHERE account_id = ?1 AND actor_hint = ?2 AND attempt IS NULL AND voided = 0"},
    // ?1 account, ?2 activity id → the same columns
    {&Statements::unmapped_by_activity,
     "SELECT s.seq, s.statement_id, s.body, s.stored_at, s.voided, s.attempt "
     "FROM xapi_statement_refs r JOIN xapi_statements s ON s.seq = r.seq "
     "WHERE r.account_id = ?1 AND r.kind = 3 AND r.value = ?2 AND s.attempt IS NULL "
     "AND s.voided = 0"},
    // ?1 account, ?2 kind, ?3 value, ?4 seq
    {&Statements::insert_statement_ref,
     "INSERT OR IGNORE INTO xapi_statement_refs(account_id, kind, value, seq) "
     "VALUES (?1, ?2, ?3, ?4)"},
    // ?1 account, ?2 statement id
    {&Statements::void_statement,
     "UPDATE xapi_statements SET voided = 1 WHERE account_id = ?1 AND statement_id = ?2"},
    // ?1 account, ?2 attempt client id
    {&Statements::delete_attempt,
     "DELETE FROM attempts WHERE account_id = ?1 AND client_id = ?2"},
    // ?1 user id (the refs go with them: ON DELETE CASCADE)
    {&Statements::erase_statements, "DELETE FROM xapi_statements WHERE user_id = ?1"},
    // ?1 user id: the statements whose actor names the user but that never counted
    {&Statements::erase_statements_by_actor,
     "DELETE FROM xapi_statements WHERE account_id = (SELECT account_id FROM users WHERE id = ?1) "
     "AND actor_hint IN ((SELECT 'key:' || key FROM users WHERE id = ?1), "
     "(SELECT 'email:' || email_folded FROM users WHERE id = ?1))"},
    // ?1 account, ?2 statement id → seq, statement id, body, stored_at, voided, attempt
    {&Statements::find_statement,
     "SELECT seq, statement_id, body, stored_at, voided, attempt FROM xapi_statements "
     "WHERE account_id = ?1 AND statement_id = ?2"},
    // ?1 account, ?2 attempt → the same columns, voided ones left out
    {&Statements::statements_of_attempt,
     "SELECT seq, statement_id, body, stored_at, voided, attempt FROM xapi_statements "
     "WHERE account_id = ?1 AND attempt = ?2 AND voided = 0 ORDER BY seq"},
    // ?1 account, ?2 kind, ?3 activity, ?4 agent, ?5 registration, ?6 document id
    // → content type, body, etag, updated_at
    {&Statements::find_document,
     "SELECT content_type, body, etag, updated_at FROM xapi_documents WHERE account_id = ?1 "
     "AND kind = ?2 AND activity = ?3 AND agent = ?4 AND registration = ?5 AND document_id = ?6"},
    // ?1 account, ?2 kind, ?3 activity, ?4 agent, ?5 registration (NULL: any), ?6 updated
    // after → document id, updated_at (the latest of the registrations')
    {&Statements::list_documents,
     "SELECT document_id, max(updated_at) FROM xapi_documents WHERE account_id = ?1 "
     "AND kind = ?2 AND activity = ?3 AND agent = ?4 AND (?5 IS NULL OR registration = ?5) "
     "AND updated_at > ?6 GROUP BY document_id ORDER BY document_id"},
    // ?1 account, ?2 kind, ?3 activity, ?4 agent, ?5 registration, ?6 document id,
    // ?7 content type, ?8 body, ?9 etag, ?10 updated_at, ?11 actor hint
    {&Statements::upsert_document,
     "INSERT INTO xapi_documents(account_id, kind, activity, agent, registration, document_id, "
     "content_type, body, etag, updated_at, actor_hint) "
     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
     "ON CONFLICT(account_id, kind, activity, agent, registration, document_id) DO UPDATE SET "
     "content_type = excluded.content_type, body = excluded.body, etag = excluded.etag, "
     "updated_at = excluded.updated_at, actor_hint = excluded.actor_hint"},
    // ?1 account, ?2 kind, ?3 activity, ?4 agent, ?5 registration, ?6 document id
    {&Statements::delete_document,
     "DELETE FROM xapi_documents WHERE account_id = ?1 AND kind = ?2 AND activity = ?3 "
     "AND agent = ?4 AND registration = ?5 AND document_id = ?6"},
    // ?1 account, ?2 kind, ?3 activity, ?4 agent, ?5 registration (NULL: any)
    {&Statements::delete_documents,
     "DELETE FROM xapi_documents WHERE account_id = ?1 AND kind = ?2 AND activity = ?3 "
     "AND agent = ?4 AND (?5 IS NULL OR registration = ?5)"},
    // ?1 user id: the documents whose agent names the user
    {&Statements::erase_documents_by_actor,
     "DELETE FROM xapi_documents WHERE account_id = (SELECT account_id FROM users WHERE id = ?1) "
     "AND actor_hint IN ((SELECT 'key:' || key FROM users WHERE id = ?1), "
     "(SELECT 'email:' || email_folded FROM users WHERE id = ?1))"},
    {&Statements::counts,
     "SELECT (SELECT count(*) FROM users WHERE account_id = ?1), "
     "(SELECT count(*) FROM groups WHERE account_id = ?1), "
     "(SELECT count(*) FROM group_members WHERE account_id = ?1), "
     "(SELECT count(*) FROM group_managers WHERE account_id = ?1), "
     "(SELECT count(*) FROM courses WHERE account_id = ?1), "
     "(SELECT count(*) FROM chapters WHERE account_id = ?1), "
     "(SELECT count(*) FROM exercises WHERE account_id = ?1), "
     "(SELECT count(*) FROM enrollments WHERE account_id = ?1), "
     "(SELECT count(*) FROM attempts WHERE account_id = ?1), "
     "(SELECT coalesce(sum(json_array_length(responses)), 0) FROM attempts "
     "WHERE account_id = ?1), "
     "(SELECT count(*) FROM xapi_statements WHERE account_id = ?1)"},
    // → table name
    {&Statements::list_tables,
     "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
     "ORDER BY name"},
    // ?1 table → column name
    {&Statements::list_columns, "SELECT name FROM pragma_table_info(?1) ORDER BY cid"},
};

// "(?, ?, ?), (?, ?, ?)": `rows` rows of `columns` parameters.
std::string ValuesRows(std::size_t rows, int columns) {
  std::string sql;
  for (std::size_t row = 0; row < rows; ++row) {
    sql += row == 0 ? "(" : ", (";
    for (int c = 0; c < columns; ++c) sql += c == 0 ? "?" : ", ?";
    sql += ")";
  }
  return sql;
}

}  // namespace

Status Statements::Prepare(Connection& connection) {
  for (const Entry& entry : kEntries) {
    COHORT_RETURN_IF_ERROR((this->*entry.member).Prepare(connection.get(), entry.sql));
  }
  // The multi-row form of insert_attempt, with the same columns.
  const std::string attempts =
      "INSERT OR FAIL INTO attempts(id, account_id, client_id, user_id, course_id, exercise_id, "
      "started_at, finished_at, responses) VALUES " +
      ValuesRows(kAttemptsPerInsert, kAttemptParameters) +
      " ON CONFLICT(account_id, client_id) DO NOTHING";
  return insert_attempts.Prepare(connection.get(), attempts.c_str());
}

Result<std::optional<domain::Attempt>> LoadAttempt(Statements& statements, AccountId account,
                                                   std::string_view attempt_id) {
  domain::Attempt attempt;
  {
    Query query(statements.find_attempt);
    query.BindInt(1, account.value);
    query.BindText(2, attempt_id);
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return std::optional<domain::Attempt>();
    attempt.id = std::string(attempt_id);
    attempt.user = query.Text(1);
    attempt.course = query.Text(2);
    attempt.exercise = query.Text(3);
    attempt.started_at = Instant{query.Int(4)};
    if (!query.IsNull(5)) attempt.finished_at = Instant{query.Int(5)};
    COHORT_RETURN_IF_ERROR(
        DecodeResponses(query.TextView(6), attempt.started_at, attempt.responses));
  }
  return std::optional<domain::Attempt>(std::move(attempt));
}

}  // namespace cohort::store::sqlite

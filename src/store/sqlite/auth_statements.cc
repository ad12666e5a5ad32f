#include "store/sqlite/auth_statements.h"

namespace cohort::store::sqlite {
namespace {

struct Entry {
  Statement AuthStatements::*member;
  const char* sql;
};

constexpr Entry kEntries[] = {
    // ?1 account → the columns of find_token (statements.cc)
    {&AuthStatements::list_tokens,
     "SELECT t.id, t.account_id, a.key, t.name, t.scopes, t.created_at, t.revoked_at, "
     "t.last_used_at FROM api_tokens t JOIN accounts a ON a.id = t.account_id "
     "WHERE t.account_id = ?1 ORDER BY t.id DESC"},
    // ?1 account, ?2 id, ?3 now → id (no row when the account has no such token)
    {&AuthStatements::revoke_token,
     "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?3) "
     "WHERE account_id = ?1 AND id = ?2 RETURNING id"},
    // ?1 id, ?2 now
    {&AuthStatements::touch_token,
     "UPDATE api_tokens SET last_used_at = ?2 "
     "WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at <= ?2 - 60000)"},

    // ?1 folded email → account id, key, name, timezone, user id, key, name, email, roles,
    // active, password_hash
    {&AuthStatements::users_by_email,
     "SELECT a.id, a.key, a.name, a.timezone, u.id, u.key, u.name, u.email, u.roles, u.active, "
     "u.password_hash FROM users u JOIN accounts a ON a.id = u.account_id "
     "WHERE u.email_folded = ?1 ORDER BY a.key"},
    // ?1 user id → group key
    {&AuthStatements::user_groups,
     "SELECT g.key FROM group_members m JOIN groups g ON g.id = m.group_id "
     "WHERE m.user_id = ?1 ORDER BY g.key"},

    // ?1 account, ?2 user id, ?3 digest, ?4 csrf token, ?5 now → id
    {&AuthStatements::insert_session,
     "INSERT INTO sessions(account_id, user_id, digest, csrf_token, created_at, last_seen_at) "
     "VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING id"},
    // ?1 digest → rows of (kind, key, ...), ordered by kind then key; none for an unknown digest:
    //   kind 0, the user's key, session id, account id, account key, user id, csrf, created_at,
    //     last_seen_at, the user's roles, active — one row, first;
    //   kind 1, the key of a group the user manages (the other columns NULL);
    //   kind 2, the key of a member of those groups, each once.
    // One statement, so one read transaction: the rows are of one committed state.
    {&AuthStatements::load_session_caller,
     "WITH s AS (SELECT id, account_id, user_id, csrf_token, created_at, last_seen_at "
     "FROM sessions WHERE digest = ?1), "
     "managed AS (SELECT gm.group_id FROM s JOIN group_managers gm ON gm.user_id = s.user_id) "
     "SELECT 0, u.key, s.id, s.account_id, a.key, s.user_id, s.csrf_token, s.created_at, "
     "s.last_seen_at, u.roles, u.active FROM s JOIN accounts a ON a.id = s.account_id "
     "JOIN users u ON u.id = s.user_id "
     "UNION ALL SELECT 1, g.key, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL "
     "FROM managed JOIN groups g ON g.id = managed.group_id "
     "UNION ALL SELECT DISTINCT 2, mu.key, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL "
     "FROM managed JOIN group_members m ON m.group_id = managed.group_id "
     "JOIN users mu ON mu.id = m.user_id "
     "ORDER BY 1, 2"},
    // ?1 id, ?2 now
    {&AuthStatements::touch_session,
     "UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1 AND last_seen_at <= ?2 - 60000"},
    // ?1 id
    {&AuthStatements::delete_session, "DELETE FROM sessions WHERE id = ?1"},
    // ?1 idle before, ?2 created before
    {&AuthStatements::delete_expired_sessions,
     "DELETE FROM sessions WHERE last_seen_at < ?1 OR created_at < ?2"},
    // ?1 user id, ?2 session id to keep (0: none)
    {&AuthStatements::delete_other_sessions,
     "DELETE FROM sessions WHERE user_id = ?1 AND id <> ?2"},
    // ?1 account, ?2 user id, ?3 hash → id (no row for an unknown user)
    {&AuthStatements::set_password_hash,
     "UPDATE users SET password_hash = ?3 WHERE account_id = ?1 AND id = ?2 RETURNING id"},

    // ?1 account, ?2 key → id
    {&AuthStatements::find_user_id, "SELECT id FROM users WHERE account_id = ?1 AND key = ?2"},
    {&AuthStatements::find_course_id, "SELECT id FROM courses WHERE account_id = ?1 AND key = ?2"},
    // ?1 user id, ?2 course id → a row when enrolled
    {&AuthStatements::is_enrolled,
     "SELECT 1 FROM enrollments WHERE user_id = ?1 AND course_id = ?2"},
    // ?1 account, ?2 user id, ?3 course id or NULL, ?4 title, ?5 note, ?6 granted_by or NULL,
    // ?7 now → id
    {&AuthStatements::insert_award,
     "INSERT INTO awards(account_id, user_id, course_id, title, note, granted_by, granted_at) "
     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id"},
    // ?1 account, ?2 id → id, user key, course key, title, note, granter key, granted_at
    {&AuthStatements::find_award,
     "SELECT a.id, u.key, c.key, a.title, a.note, g.key, a.granted_at FROM awards a "
     "JOIN users u ON u.id = a.user_id LEFT JOIN courses c ON c.id = a.course_id "
     "LEFT JOIN users g ON g.id = a.granted_by "
     "WHERE a.account_id = ?1 AND a.id = ?2 AND a.revoked_at IS NULL"},
    // ?1 account, ?2 id, ?3 now → id
    {&AuthStatements::revoke_award,
     "UPDATE awards SET revoked_at = ?3 WHERE account_id = ?1 AND id = ?2 AND revoked_at IS NULL "
     "RETURNING id"},
    // ?1 account, ?2 user key, ?3 course key → the columns of find_award
    {&AuthStatements::list_awards,
     "SELECT a.id, u.key, c.key, a.title, a.note, g.key, a.granted_at FROM awards a "
     "JOIN users u ON u.id = a.user_id LEFT JOIN courses c ON c.id = a.course_id "
     "LEFT JOIN users g ON g.id = a.granted_by "
     "WHERE a.account_id = ?1 AND u.key = ?2 AND a.revoked_at IS NULL "
     "AND (?3 IS NULL OR a.course_id IS NULL OR c.key = ?3) ORDER BY a.granted_at, a.id"},
};

}  // namespace

Status AuthStatements::Prepare(Connection& connection) {
  for (const Entry& entry : kEntries) {
    COHORT_RETURN_IF_ERROR((this->*entry.member).Prepare(connection.get(), entry.sql));
  }
  return Status();
}

}  // namespace cohort::store::sqlite

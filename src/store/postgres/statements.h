#pragma once

#include "store/postgres/connection.h"

// Every SQL statement of the PostgreSQL store, prepared by name on each connection the first
// time it runs there. The parameters and columns of each are listed beside it; the SQL mirrors
// store/sqlite/statements.cc with PostgreSQL's placeholders and types (booleans, bytea digests
// passed as hex).
namespace cohort::store::postgres::sql {

// $1 key, $2 name, $3 timezone → id (no row when the key exists)
inline constexpr Statement kInsertAccount{
    "insert_account",
    "INSERT INTO accounts(key, name, timezone) VALUES ($1, $2, $3) "
    "ON CONFLICT(key) DO NOTHING RETURNING id"};
// $1 key → id, key, name, timezone
inline constexpr Statement kFindAccount{
    "find_account", "SELECT id, key, name, timezone FROM accounts WHERE key = $1"};
inline constexpr Statement kListAccounts{
    "list_accounts", "SELECT id, key, name, timezone FROM accounts ORDER BY key COLLATE \"C\""};
// $1 account, $2 kinds → the account's new change_seq. Takes the account's
// row lock until the transaction ends: per account, changes commit in seq order, gap-free.
inline constexpr Statement kBumpChangeSeq{
    "bump_change_seq",
    "WITH bumped AS (UPDATE accounts SET change_seq = change_seq + 1 WHERE id = $1 "
    "RETURNING id, change_seq) "
    "INSERT INTO account_changes(account_id, seq, kinds, committed_at, attempt_rows) "
    "SELECT id, change_seq, $2, (extract(epoch FROM clock_timestamp()) * 1000)::bigint, "
    "$3::bigint[] FROM bumped RETURNING seq"};

// $1 account, $2 name, $3 digest (hex), $4 scopes, $5 created_at → id
inline constexpr Statement kInsertToken{
    "insert_token",
    "INSERT INTO api_tokens(account_id, name, digest, scopes, created_at) "
    "VALUES ($1, $2, decode($3, 'hex'), $4, $5) RETURNING id"};
// The columns every token read answers: id, account id, account key, name, scopes,
// created_at, revoked_at, last_used_at.
#define COHORT_PG_TOKEN_COLUMNS                                                                \
  "SELECT t.id, t.account_id, a.key, t.name, t.scopes, t.created_at, t.revoked_at, "         \
  "t.last_used_at FROM api_tokens t JOIN accounts a ON a.id = t.account_id "
// $1 digest (hex) → the token columns
inline constexpr Statement kFindToken{"find_token",
                                      COHORT_PG_TOKEN_COLUMNS "WHERE t.digest = decode($1, 'hex')"};
// $1 account → the token columns, newest first
inline constexpr Statement kListTokens{
    "list_tokens", COHORT_PG_TOKEN_COLUMNS "WHERE t.account_id = $1 ORDER BY t.id DESC"};
#undef COHORT_PG_TOKEN_COLUMNS
// $1 account, $2 id, $3 now → id (no row when the account has no such token)
inline constexpr Statement kRevokeToken{
    "revoke_token",
    "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $3) "
    "WHERE account_id = $1 AND id = $2 RETURNING id"};
// $1 id, $2 now
inline constexpr Statement kTouchToken{
    "touch_token",
    "UPDATE api_tokens SET last_used_at = $2 "
    "WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $2::bigint - 60000)"};

// $1 folded email → account id, key, name, timezone, user id, key, name, email, roles, active,
// password_hash
inline constexpr Statement kUsersByEmail{
    "users_by_email",
    "SELECT a.id, a.key, a.name, a.timezone, u.id, u.key, u.name, u.email, u.roles, u.active, "
    "u.password_hash FROM users u JOIN accounts a ON a.id = u.account_id "
    "WHERE u.email_folded = $1 ORDER BY a.key COLLATE \"C\""};
// $1 user id → group key
inline constexpr Statement kUserGroups{
    "user_groups",
    "SELECT g.key FROM group_members m JOIN groups g ON g.id = m.group_id "
    "WHERE m.user_id = $1 ORDER BY g.key COLLATE \"C\""};
// $1 account, $2 user id, $3 digest (hex), $4 csrf token, $5 now → id
inline constexpr Statement kInsertSession{
    "insert_session",
    "INSERT INTO sessions(account_id, user_id, digest, csrf_token, created_at, last_seen_at) "
    "VALUES ($1, $2, decode($3, 'hex'), $4, $5, $5) RETURNING id"};
// $1 digest (hex) → rows of (kind, key, ...), as store/sqlite/auth_statements.cc's
// load_session_caller: kind 0 the session and its user (first), 1 managed group keys, 2 the
// keys of those groups' members, each once. One statement: one committed state.
inline constexpr Statement kLoadSessionCaller{
    "load_session_caller",
    "SELECT * FROM (WITH s AS (SELECT id, account_id, user_id, csrf_token, created_at, "
    "last_seen_at "
    "FROM sessions WHERE digest = decode($1, 'hex')), "
    "managed AS (SELECT gm.group_id FROM s JOIN group_managers gm ON gm.user_id = s.user_id) "
    "SELECT 0 AS kind, u.key AS key, s.id, s.account_id, a.key AS account_key, s.user_id, "
    "s.csrf_token, "
    "s.created_at, s.last_seen_at, u.roles, u.active FROM s JOIN accounts a ON a.id = s.account_id "
    "JOIN users u ON u.id = s.user_id "
    "UNION ALL SELECT 1, g.key, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL "
    "FROM managed JOIN groups g ON g.id = managed.group_id "
    "UNION ALL (SELECT DISTINCT 2, mu.key, NULL::bigint, NULL::bigint, NULL, NULL::bigint, NULL, "
    "NULL::bigint, NULL::bigint, NULL::integer, NULL::boolean "
    "FROM managed JOIN group_members m ON m.group_id = managed.group_id "
    "JOIN users mu ON mu.id = m.user_id)) caller "
    "ORDER BY kind, key COLLATE \"C\""};
// $1 id, $2 now
inline constexpr Statement kTouchSession{
    "touch_session",
    "UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at <= $2::bigint - 60000"};
inline constexpr Statement kDeleteSession{"delete_session", "DELETE FROM sessions WHERE id = $1"};
// $1 idle before, $2 created before
inline constexpr Statement kDeleteExpiredSessions{
    "delete_expired_sessions", "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2"};
// $1 user id, $2 session id to keep (0: none)
inline constexpr Statement kDeleteOtherSessions{
    "delete_other_sessions", "DELETE FROM sessions WHERE user_id = $1 AND id <> $2"};
// $1 account, $2 user id, $3 hash → id (no row for an unknown user)
inline constexpr Statement kSetPasswordHash{
    "set_password_hash",
    "UPDATE users SET password_hash = $3 WHERE account_id = $1 AND id = $2 RETURNING id"};

// $1 account, $2 key → id
inline constexpr Statement kFindCourseId{
    "find_course_id", "SELECT id FROM courses WHERE account_id = $1 AND key = $2"};
// $1 user id, $2 course id → a row when enrolled
inline constexpr Statement kIsEnrolled{
    "is_enrolled", "SELECT 1 FROM enrollments WHERE user_id = $1 AND course_id = $2"};
// $1 account, $2 user id, $3 course id or NULL, $4 title, $5 note, $6 granted_by or NULL,
// $7 now → id
inline constexpr Statement kInsertAward{
    "insert_award",
    "INSERT INTO awards(account_id, user_id, course_id, title, note, granted_by, granted_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"};
#define COHORT_PG_AWARD_COLUMNS                                                                \
  "SELECT a.id, u.key, c.key, a.title, a.note, g.key, a.granted_at FROM awards a "           \
  "JOIN users u ON u.id = a.user_id LEFT JOIN courses c ON c.id = a.course_id "               \
  "LEFT JOIN users g ON g.id = a.granted_by "
// $1 account, $2 id → id, user key, course key, title, note, granter key, granted_at
inline constexpr Statement kFindAward{
    "find_award",
    COHORT_PG_AWARD_COLUMNS "WHERE a.account_id = $1 AND a.id = $2 AND a.revoked_at IS NULL"};
// $1 account, $2 user key, $3 course key → the columns of find_award
inline constexpr Statement kListAwards{
    "list_awards",
    COHORT_PG_AWARD_COLUMNS
    "WHERE a.account_id = $1 AND u.key = $2 AND a.revoked_at IS NULL "
    "AND ($3::text IS NULL OR a.course_id IS NULL OR c.key = $3) ORDER BY a.granted_at, a.id"};
#undef COHORT_PG_AWARD_COLUMNS
// $1 account, $2 id, $3 now → id
inline constexpr Statement kRevokeAward{
    "revoke_award",
    "UPDATE awards SET revoked_at = $3 WHERE account_id = $1 AND id = $2 AND revoked_at IS NULL "
    "RETURNING id"};

// --- the batch writer ---
// $1 account, $2 key, $3 name → id
inline constexpr Statement kUpsertGroup{
    "upsert_group",
    "INSERT INTO groups(account_id, key, name) VALUES ($1, $2, $3) "
    "ON CONFLICT(account_id, key) DO UPDATE SET name = excluded.name RETURNING id"};
// $1 account, $2 key → id
inline constexpr Statement kFindGroupId{
    "find_group_id", "SELECT id FROM groups WHERE account_id = $1 AND key = $2"};
inline constexpr Statement kClearGroupManagers{"clear_group_managers",
                                               "DELETE FROM group_managers WHERE group_id = $1"};
// $1 account, $2 group, $3 user
inline constexpr Statement kInsertGroupManager{
    "insert_group_manager",
    "INSERT INTO group_managers(account_id, group_id, user_id) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING"};
// $1 account, $2 key, $3 title, $4..$15 the settings in column order → id
inline constexpr Statement kUpsertCourse{
    "upsert_course",
    "INSERT INTO courses(account_id, key, title, mastery_model, mastery_window, "
    "mastery_threshold, p_init, p_learn, p_guess, p_slip, points_per_question, "
    "max_attempt_seconds, certification_mastery, certification_valid_days, at_risk_days) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
    "ON CONFLICT(account_id, key) DO UPDATE SET title = excluded.title, "
    "mastery_model = excluded.mastery_model, mastery_window = excluded.mastery_window, "
    "mastery_threshold = excluded.mastery_threshold, p_init = excluded.p_init, "
    "p_learn = excluded.p_learn, p_guess = excluded.p_guess, p_slip = excluded.p_slip, "
    "points_per_question = excluded.points_per_question, "
    "max_attempt_seconds = excluded.max_attempt_seconds, "
    "certification_mastery = excluded.certification_mastery, "
    "certification_valid_days = excluded.certification_valid_days, "
    "at_risk_days = excluded.at_risk_days RETURNING id"};
// $1 account, $2 key → id, title, then the settings from column 2 on
inline constexpr Statement kFindCourse{
    "find_course",
    "SELECT id, title, mastery_model, mastery_window, mastery_threshold, p_init, p_learn, "
    "p_guess, p_slip, points_per_question, max_attempt_seconds, certification_mastery, "
    "certification_valid_days, at_risk_days FROM courses WHERE account_id = $1 AND key = $2"};
// $1 course
inline constexpr Statement kMarkCourseRemoved{
    "mark_course_removed",
    "WITH c AS (UPDATE chapters SET removed = true WHERE course_id = $1) "
    "UPDATE exercises SET removed = true WHERE course_id = $1"};
// $1 account, $2 course, $3 key, $4 title, $5 position → id
inline constexpr Statement kUpsertChapter{
    "upsert_chapter",
    "INSERT INTO chapters(account_id, course_id, key, title, position, removed) "
    "VALUES ($1, $2, $3, $4, $5, false) ON CONFLICT(course_id, key) DO UPDATE SET "
    "title = excluded.title, position = excluded.position, removed = false RETURNING id"};
// $1 account, $2 course, $3 chapter, $4 key, $5 title, $6 position, $7 xapi_id
inline constexpr Statement kUpsertExercise{
    "upsert_exercise",
    "INSERT INTO exercises(account_id, course_id, chapter_id, key, title, position, removed, "
    "xapi_id) VALUES ($1, $2, $3, $4, $5, $6, false, $7) ON CONFLICT(course_id, key) DO UPDATE "
    "SET chapter_id = excluded.chapter_id, title = excluded.title, position = excluded.position, "
    "removed = false, xapi_id = excluded.xapi_id"};
// $1 course → key, title (listed chapters in order)
inline constexpr Statement kListChapters{
    "list_chapters",
    "SELECT key, title FROM chapters WHERE course_id = $1 AND NOT removed ORDER BY position"};
// $1 course → key, title, chapter key, removed, xapi_id (every exercise, listed ones in order)
inline constexpr Statement kListExercises{
    "list_exercises",
    "SELECT e.key, e.title, c.key, e.removed, e.xapi_id FROM exercises e "
    "JOIN chapters c ON c.id = e.chapter_id WHERE e.course_id = $1 "
    "ORDER BY e.removed, e.position, e.key COLLATE \"C\""};
// $1 course → key, id, removed
inline constexpr Statement kCourseExerciseIds{
    "course_exercise_ids", "SELECT key, id, removed FROM exercises WHERE course_id = $1"};
// $1 account, $2 folded email → key
inline constexpr Statement kFindUserKeyByEmail{
    "find_user_key_by_email",
    "SELECT key FROM users WHERE account_id = $1 AND email_folded = $2"};
// $1 account, $2 key, $3 name, $4 email, $5 folded email, $6 roles, $7 active,
// $8 password hash or NULL to keep the stored one → id
inline constexpr Statement kUpsertUser{
    "upsert_user",
    "INSERT INTO users(account_id, key, name, email, email_folded, roles, active, "
    "password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
    "ON CONFLICT(account_id, key) DO UPDATE SET name = excluded.name, "
    "email = excluded.email, email_folded = excluded.email_folded, roles = excluded.roles, "
    "active = excluded.active, "
    "password_hash = coalesce(excluded.password_hash, users.password_hash) RETURNING id"};
// $1 account, $2 key → id
inline constexpr Statement kFindUserId{
    "find_user_id", "SELECT id FROM users WHERE account_id = $1 AND key = $2"};
// $1 account, $2 key → id, name, email, roles, active, password_hash
inline constexpr Statement kFindUser{
    "find_user",
    "SELECT id, name, email, roles, active, password_hash FROM users "
    "WHERE account_id = $1 AND key = $2"};
inline constexpr Statement kClearMemberships{"clear_memberships",
                                             "DELETE FROM group_members WHERE user_id = $1"};
// $1 account, $2 group, $3 user
inline constexpr Statement kInsertMembership{
    "insert_membership",
    "INSERT INTO group_members(account_id, group_id, user_id) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING"};
inline constexpr Statement kDeactivateUser{"deactivate_user",
                                           "UPDATE users SET active = false WHERE id = $1"};
// $1 user: erases the user and everything that is theirs, children first.
inline constexpr Statement kEraseUser{
    "erase_user",
    "WITH a AS (DELETE FROM attempts WHERE user_id = $1), "
    "e AS (DELETE FROM enrollments WHERE user_id = $1), "
    "m AS (DELETE FROM group_members WHERE user_id = $1), "
    "g AS (DELETE FROM group_managers WHERE user_id = $1), "
    "w AS (DELETE FROM awards WHERE user_id = $1), "
    "b AS (UPDATE awards SET granted_by = NULL WHERE granted_by = $1), "
    "c AS (DELETE FROM certifications WHERE user_id = $1), "
    "s AS (DELETE FROM sessions WHERE user_id = $1) "
    "DELETE FROM users WHERE id = $1"};
// $1 user, $2 course → enrolled_at, by_attempts
inline constexpr Statement kFindEnrollment{
    "find_enrollment",
    "SELECT enrolled_at, by_attempts FROM enrollments WHERE user_id = $1 AND course_id = $2"};
// $1 account, $2 user, $3 course, $4 enrolled_at, $5 by_attempts
inline constexpr Statement kUpsertEnrollment{
    "upsert_enrollment",
    "INSERT INTO enrollments(account_id, user_id, course_id, enrolled_at, by_attempts) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT(user_id, course_id) DO UPDATE SET "
    "enrolled_at = excluded.enrolled_at, by_attempts = excluded.by_attempts"};
inline constexpr Statement kDeleteEnrollment{
    "delete_enrollment", "DELETE FROM enrollments WHERE user_id = $1 AND course_id = $2"};
// $1 account, $2 user, $3 course, $4 issued_at, $5 expires_at or NULL
inline constexpr Statement kInsertCertification{
    "insert_certification",
    "INSERT INTO certifications(account_id, user_id, course_id, issued_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5)"};
// $1 user, $2 course, $3 issued_at → expires_at (a row when stored)
inline constexpr Statement kFindCertification{
    "find_certification",
    "SELECT expires_at FROM certifications WHERE user_id = $1 AND course_id = $2 "
    "AND issued_at = $3"};
// $1 account, $2 user, $3 course → min(started_at) or NULL
inline constexpr Statement kEarliestAttempt{
    "earliest_attempt",
    "SELECT min(started_at) FROM attempts WHERE account_id = $1 AND user_id = $2 "
    "AND course_id = $3"};
// $1 account, $2 user key, $3 course key → enrolled_at
inline constexpr Statement kEnrolledAtByKeys{
    "enrolled_at_by_keys",
    "SELECT e.enrolled_at FROM enrollments e JOIN users u ON u.id = e.user_id "
    "JOIN courses c ON c.id = e.course_id "
    "WHERE e.account_id = $1 AND u.key = $2 AND c.key = $3"};
// $1 account, $2 client id → id, user key, course key, exercise key, started_at, finished_at,
// responses
inline constexpr Statement kFindAttempt{
    "find_attempt",
    "SELECT a.id, u.key, c.key, e.key, a.started_at, a.finished_at, a.responses FROM attempts a "
    "JOIN users u ON u.id = a.user_id JOIN courses c ON c.id = a.course_id "
    "JOIN exercises e ON e.id = a.exercise_id "
    "WHERE a.account_id = $1 AND a.client_id = $2"};

// --- for the metrics engine ---
inline constexpr Statement kListCourseKeys{
    "list_course_keys", "SELECT key FROM courses WHERE account_id = $1 ORDER BY id"};
inline constexpr Statement kListGroups{
    "list_groups", "SELECT id, key, name FROM groups WHERE account_id = $1 ORDER BY id"};
inline constexpr Statement kListAllManagers{
    "list_all_managers",
    "SELECT m.group_id, u.key FROM group_managers m JOIN users u ON u.id = m.user_id "
    "WHERE m.account_id = $1 ORDER BY m.group_id, u.key COLLATE \"C\""};
inline constexpr Statement kListUsers{
    "list_users",
    "SELECT id, key, name, email, roles, active FROM users WHERE account_id = $1 ORDER BY id"};
inline constexpr Statement kListAllMemberships{
    "list_all_memberships",
    "SELECT m.user_id, g.key FROM group_members m JOIN groups g ON g.id = m.group_id "
    "WHERE m.account_id = $1 ORDER BY m.user_id, g.key COLLATE \"C\""};
inline constexpr Statement kListCertifications{
    "list_certifications",
    "SELECT u.key, c.key, x.issued_at, x.expires_at FROM certifications x "
    "JOIN users u ON u.id = x.user_id JOIN courses c ON c.id = x.course_id "
    "WHERE x.account_id = $1 ORDER BY x.id"};
inline constexpr Statement kListEnrollments{
    "list_enrollments",
    "SELECT u.key, c.key, e.enrolled_at, e.by_attempts FROM enrollments e "
    "JOIN users u ON u.id = e.user_id JOIN courses c ON c.id = e.course_id "
    "WHERE e.account_id = $1"};
inline constexpr Statement kListUserKeys{"list_user_keys",
                                         "SELECT id, key FROM users WHERE account_id = $1"};
inline constexpr Statement kListCourseIds{"list_course_ids",
                                          "SELECT id, key FROM courses WHERE account_id = $1"};
inline constexpr Statement kListExerciseKeys{
    "list_exercise_keys", "SELECT id, key FROM exercises WHERE account_id = $1"};
// $1 account, $2 user key, $3 course key → user key, course key, client id, exercise key,
// started_at, finished_at, responses
inline constexpr Statement kLoadAttempts{
    "load_attempts",
    "SELECT u.key, c.key, a.client_id, x.key, a.started_at, a.finished_at, a.responses "
    "FROM users u JOIN courses c ON c.account_id = u.account_id AND c.key = $3 "
    "JOIN attempts a ON a.account_id = u.account_id AND a.user_id = u.id AND a.course_id = c.id "
    "JOIN exercises x ON x.id = a.exercise_id "
    "WHERE u.account_id = $1 AND u.key = $2 ORDER BY a.started_at, a.id"};
// $1 account, $2 user key, $3 course key, $4 exercise key → as kLoadAttempts, one exercise's
// (attempts_by_account_user holds exercise_id: the other attempts' rows are not read)
inline constexpr Statement kLoadExerciseAttempts{
    "load_exercise_attempts",
    "SELECT u.key, c.key, a.client_id, x.key, a.started_at, a.finished_at, a.responses "
    "FROM users u JOIN courses c ON c.account_id = u.account_id AND c.key = $3 "
    "JOIN exercises x ON x.course_id = c.id AND x.key = $4 "
    "JOIN attempts a ON a.account_id = u.account_id AND a.user_id = u.id AND a.course_id = c.id "
    "AND a.exercise_id = x.id "
    "WHERE u.account_id = $1 AND u.key = $2 ORDER BY a.started_at, a.id"};
// $1 account, $2 user key, $3 course key, $4 through seq → as kLoadAttempts, without the
// attempts logged by the account's changes after $4 (Store::LoadAttemptsThrough)
inline constexpr Statement kLoadAttemptsThrough{
    "load_attempts_through",
    "SELECT u.key, c.key, a.client_id, x.key, a.started_at, a.finished_at, a.responses "
    "FROM users u JOIN courses c ON c.account_id = u.account_id AND c.key = $3 "
    "JOIN attempts a ON a.account_id = u.account_id AND a.user_id = u.id AND a.course_id = c.id "
    "JOIN exercises x ON x.id = a.exercise_id "
    "WHERE u.account_id = $1 AND u.key = $2 AND NOT EXISTS (SELECT 1 FROM account_changes ch "
    "WHERE ch.account_id = $1 AND ch.seq > $4 AND a.id = ANY(ch.attempt_rows)) "
    "ORDER BY a.started_at, a.id"};
// $1 account → the TableCounts fields in declaration order
inline constexpr Statement kCounts{
    "counts",
    "SELECT (SELECT count(*) FROM users WHERE account_id = $1), "
    "(SELECT count(*) FROM groups WHERE account_id = $1), "
    "(SELECT count(*) FROM group_members WHERE account_id = $1), "
    "(SELECT count(*) FROM group_managers WHERE account_id = $1), "
    "(SELECT count(*) FROM courses WHERE account_id = $1), "
    "(SELECT count(*) FROM chapters WHERE account_id = $1), "
    "(SELECT count(*) FROM exercises WHERE account_id = $1), "
    "(SELECT count(*) FROM enrollments WHERE account_id = $1), "
    "(SELECT count(*) FROM attempts WHERE account_id = $1), "
    "(SELECT coalesce(sum(json_array_length(responses::json)), 0) FROM attempts "
    "WHERE account_id = $1)"};

}  // namespace cohort::store::postgres::sql

namespace cohort::store::postgres::sql {
// $1 account → change_seq
inline constexpr Statement kChangeSeq{"change_seq",
                                      "SELECT change_seq FROM accounts WHERE id = $1"};
// $1 account, $2 after, $3 limit → seq, kinds, attempt_rows (text: "{1,2}" or NULL)
inline constexpr Statement kListChanges{
    "list_changes",
    "SELECT seq, kinds, attempt_rows FROM account_changes WHERE account_id = $1 AND seq > $2 "
    "ORDER BY seq LIMIT $3"};
// → id, key, name, timezone, change_seq
inline constexpr Statement kListAccountPositions{
    "list_account_positions", "SELECT id, key, name, timezone, change_seq FROM accounts"};
// $1 account, $2 row ids ("{1,2}") → as kLoadAttempts
inline constexpr Statement kLoadAttemptRows{
    "load_attempt_rows",
    "SELECT u.key, c.key, a.client_id, x.key, a.started_at, a.finished_at, a.responses "
    "FROM attempts a JOIN users u ON u.id = a.user_id JOIN courses c ON c.id = a.course_id "
    "JOIN exercises x ON x.id = a.exercise_id "
    "WHERE a.account_id = $1 AND a.id = ANY($2::bigint[])"};
// --- the shared sign-in throttle ---
// $1 keys ("{k1,k2}") → key, failures, last_failure_ms, known_at_ms
inline constexpr Statement kReadThrottle{
    "read_throttle",
    "SELECT key, failures, last_failure_ms, known_at_ms FROM sign_in_throttle "
    "WHERE key = ANY($1::text[])"};
// $1 keys, $2 now, $3 forget_ms
inline constexpr Statement kAddThrottleFailures{
    "add_throttle_failures",
    "INSERT INTO sign_in_throttle AS t (key, failures, last_failure_ms) "
    "SELECT k, 1, $2 FROM unnest($1::text[]) AS k ON CONFLICT (key) DO UPDATE SET "
    "failures = CASE WHEN $2 - t.last_failure_ms >= $3 THEN 1 ELSE t.failures + 1 END, "
    "last_failure_ms = $2"};
// $1 key, $2 now
inline constexpr Statement kSetThrottleKnown{
    "set_throttle_known",
    "INSERT INTO sign_in_throttle AS t (key, failures, last_failure_ms, known_at_ms) "
    "VALUES ($1, 0, 0, $2) ON CONFLICT (key) DO UPDATE SET failures = 0, known_at_ms = $2"};
// $1 failures forgotten before, $2 known forgotten before: rows that no longer hold anyone back
inline constexpr Statement kPruneThrottle{
    "prune_throttle",
    "DELETE FROM sign_in_throttle WHERE last_failure_ms < $1 AND "
    "(known_at_ms IS NULL OR known_at_ms < $2)"};
}  // namespace cohort::store::postgres::sql

#include "bench/sql_reports.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include <fmt/format.h>

#include "bench/duckdb_sql.h"

namespace cohort::bench {
namespace {

// The per-user × course figures of SPEC §3.2–3.3, for enrolled active users of the account
// (`course_filter` / `user_filter` narrow them). Mastery is kept as m2 = Σ over exercises of the
// doubled credit (0, 1, 2) of the cell's last 10 responses, so sorting by it is exact; SPEC
// order is (answered_at, attempt started_at, attempt id bytes, response index).
std::string BaseCtes(Dialect d, const ReportTarget& t, const std::string& course_filter,
                     const std::string& user_filter) {
  const char* least = d == Dialect::kSqlite ? "MIN" : "LEAST";
  return fmt::format(R"sql(WITH resp AS (
  SELECT a.user_id, a.course_id, a.exercise_id, r.correct, r.hints, r.answered_at,
         CASE WHEN r.correct = 1 AND r.hints = 0 THEN 2 WHEN r.correct = 1 THEN 1 ELSE 0 END AS credit2,
         COALESCE(r.points, CASE WHEN r.correct = 1 AND r.hints = 0 THEN 10
                                 WHEN r.correct = 1 THEN 5 ELSE 0 END) AS points,
         ROW_NUMBER() OVER (PARTITION BY a.user_id, a.exercise_id
                            ORDER BY r.answered_at DESC, a.started_at DESC, a.client_id DESC,
                                     r.idx DESC) AS rn
  FROM attempts a
  JOIN exercises x ON x.id = a.exercise_id AND x.removed = 0
  JOIN responses r ON r.attempt_id = a.id
  WHERE a.account_id = {account}{cf_a}{uf_a}
), cell AS (
  SELECT user_id, course_id, exercise_id,
         SUM(CASE WHEN rn <= 10 THEN credit2 ELSE 0 END) AS m2,
         SUM(correct) AS correct, COUNT(*) AS answered, SUM(hints) AS hints,
         SUM(points) AS points, MAX(answered_at) AS last_active
  FROM resp GROUP BY user_id, course_id, exercise_id
), att AS (
  SELECT a.user_id, a.course_id, COUNT(*) AS attempts,
         SUM({least}(COALESCE(a.finished_at - a.started_at,
                            (SELECT SUM(r2.time_ms) FROM responses r2 WHERE r2.attempt_id = a.id)),
                   7200000)) AS time_ms
  FROM attempts a JOIN exercises x ON x.id = a.exercise_id AND x.removed = 0
  WHERE a.account_id = {account}{cf_a}{uf_a}
  GROUP BY a.user_id, a.course_id
), nex AS (
  SELECT course_id, COUNT(*) AS n FROM exercises
  WHERE account_id = {account} AND removed = 0 GROUP BY course_id
), uc AS (
  SELECT e.user_id, e.course_id, e.enrolled_at,
         COALESCE(SUM(c.m2), 0) AS m2, COUNT(c.exercise_id) AS touched,
         COALESCE(SUM(c.correct), 0) AS correct, COALESCE(SUM(c.answered), 0) AS answered,
         COALESCE(SUM(c.hints), 0) AS hints, COALESCE(SUM(c.points), 0) AS points,
         MAX(c.last_active) AS last_active
  FROM enrollments e
  JOIN users u ON u.id = e.user_id AND u.active = 1
  LEFT JOIN cell c ON c.user_id = e.user_id AND c.course_id = e.course_id
  WHERE e.account_id = {account}{cf_e}{uf_e}
  GROUP BY e.user_id, e.course_id, e.enrolled_at
), ucm AS (
  SELECT uc.user_id, uc.course_id, uc.m2, uc.points, uc.hints,
         uc.m2 / (20.0 * nex.n) AS mastery,
         uc.touched * 1.0 / nex.n AS progress,
         CASE WHEN uc.touched = nex.n THEN 1 ELSE 0 END AS completed,
         CASE WHEN uc.answered > 0 THEN uc.correct * 1.0 / uc.answered END AS score,
         COALESCE(att.time_ms, 0) / 1000.0 AS time_s,
         COALESCE(att.attempts, 0) AS attempts,
         CASE WHEN uc.touched < nex.n
               AND COALESCE(uc.last_active, uc.enrolled_at) <= {now} - 14 * 86400000
              THEN 1 ELSE 0 END AS at_risk
  FROM uc JOIN nex ON nex.course_id = uc.course_id
  LEFT JOIN att ON att.user_id = uc.user_id AND att.course_id = uc.course_id
)
)sql",
                     fmt::arg("least", least), fmt::arg("account", t.account_id),
                     fmt::arg("now", t.now_ms),
                     fmt::arg("cf_a", course_filter.empty() ? "" : " AND a.course_id = " + course_filter),
                     fmt::arg("uf_a", user_filter.empty() ? "" : " AND a.user_id = " + user_filter),
                     fmt::arg("cf_e", course_filter.empty() ? "" : " AND e.course_id = " + course_filter),
                     fmt::arg("uf_e", user_filter.empty() ? "" : " AND e.user_id = " + user_filter));
}

}  // namespace

std::vector<SqlReport> MakeReports(Dialect d, const ReportTarget& t) {
  const std::string course = std::to_string(t.course_id);
  const std::string user = std::to_string(t.user_id);
  std::vector<SqlReport> out;
  out.push_back({"all courses", BaseCtes(d, t, "", "") + R"sql(
SELECT c.key, COUNT(*), AVG(ucm.mastery), SUM(ucm.completed), SUM(ucm.at_risk), AVG(ucm.score)
FROM ucm JOIN courses c ON c.id = ucm.course_id
GROUP BY c.key ORDER BY c.key)sql",
                 {"course", "users", "mastery", "completed", "at_risk", "score"},
                 "/api/v1/courses?sort=course&order=asc&limit=1000",
                 "rows",
                 "all courses",
                 "/latency/all courses"});
  out.push_back({"league", BaseCtes(d, t, course, "") + R"sql(
SELECT u.key, ucm.mastery, ucm.progress, ucm.completed, ucm.score, ucm.points, ucm.time_s
FROM ucm JOIN users u ON u.id = ucm.user_id
ORDER BY ucm.m2 DESC, u.name, u.key LIMIT 50)sql",
                 {"user", "mastery", "progress", "completed", "score", "points", "time"},
                 fmt::format("/api/v1/courses/{}/users?sort=mastery&order=desc&limit=50",
                             t.course_key),
                 "rows",
                 "user league, mastery desc",
                 // The SQL is the first page by mastery, descending: timed with that very sort.
                 "/latency_league_sorts/mastery desc"});
  out.push_back({"chapters", BaseCtes(d, t, course, "") + fmt::format(R"sql(
, chn AS (
  SELECT chapter_id, COUNT(*) AS n FROM exercises
  WHERE course_id = {course} AND removed = 0 GROUP BY chapter_id
), chc AS (
  SELECT cell.user_id, x.chapter_id, SUM(cell.m2) AS m2
  FROM cell JOIN exercises x ON x.id = cell.exercise_id GROUP BY cell.user_id, x.chapter_id
)
SELECT ch.key, AVG(COALESCE(chc.m2, 0) / (20.0 * chn.n))
FROM ucm
CROSS JOIN chapters ch
JOIN chn ON chn.chapter_id = ch.id
LEFT JOIN chc ON chc.user_id = ucm.user_id AND chc.chapter_id = ch.id
WHERE ch.course_id = {course} AND ch.removed = 0
GROUP BY ch.key, ch.position ORDER BY ch.position)sql",
                                                                           fmt::arg("course", course)),
                 {"chapter", "mastery"},
                 "/api/v1/courses/" + t.course_key,
                 "chapters",
                 "course + chapters",
                 "/latency/course + chapters"});
  out.push_back({"groups", BaseCtes(d, t, course, "") + R"sql(
SELECT g.key, COUNT(*), AVG(ucm.mastery), SUM(ucm.completed), AVG(ucm.score), SUM(ucm.points),
       SUM(ucm.time_s)
FROM ucm JOIN group_members gm ON gm.user_id = ucm.user_id
JOIN groups g ON g.id = gm.group_id
GROUP BY g.key ORDER BY g.key)sql",
                 {"group", "users", "mastery", "completed", "score", "points", "time"},
                 fmt::format("/api/v1/courses/{}/groups?sort=group&order=asc&limit=1000",
                             t.course_key),
                 "rows",
                 "group league",
                 "/latency/group league"});
  out.push_back({"user", BaseCtes(d, t, course, user) + R"sql(
SELECT u.key, ucm.mastery, ucm.progress, ucm.completed, ucm.score, ucm.points, ucm.time_s,
       ucm.attempts, ucm.hints
FROM ucm JOIN users u ON u.id = ucm.user_id)sql",
                 {"user", "mastery", "progress", "completed", "score", "points", "time",
                  "attempts", "hints"},
                 fmt::format("/api/v1/courses/{}/users/{}", t.course_key, t.user_key),
                 "",
                 "user in course",
                 "/latency/user in course"});
  if (d == Dialect::kDuckdb) {
    for (SqlReport& report : out) report.sql = DuckdbReportSql(t, report.view);
  }
  return out;
}

std::vector<std::string> SqliteExtraIndexes() {
  // Cohort's file keeps an attempt's responses in its row (a JSON array; `responses` is a view
  // over json_each): the copy gets them as a table of their own, keyed by attempt, as a user
  // writing these reports in SQL would. Cohort indexes attempts by (account, user, course,
  // started_at) for its own reads; the reports scan an account's or a course's attempts.
  return {"CREATE TABLE bench_responses AS SELECT * FROM responses",
          "DROP VIEW responses",
          "ALTER TABLE bench_responses RENAME TO responses",
          "CREATE UNIQUE INDEX bench_responses_by_attempt ON responses(attempt_id, idx)",
          "CREATE INDEX IF NOT EXISTS bench_attempts_by_course ON attempts(account_id, course_id, "
          "user_id, exercise_id)",
          "CREATE INDEX IF NOT EXISTS bench_exercises_by_course ON exercises(course_id, chapter_id)",
          "CREATE INDEX IF NOT EXISTS bench_enrollments_by_account ON enrollments(account_id, course_id)",
          "ANALYZE"};
}

std::vector<std::pair<std::string, std::string>> CopiedTables() {
  return {{"users", "id, account_id, key, name, active"},
          {"groups", "id, account_id, key, name"},
          {"group_members", "account_id, group_id, user_id"},
          {"courses", "id, account_id, key, title"},
          {"chapters", "id, account_id, course_id, key, position, removed"},
          {"exercises", "id, account_id, course_id, chapter_id, key, position, removed"},
          {"enrollments", "id, account_id, user_id, course_id, enrolled_at"},
          {"attempts", "id, account_id, client_id, user_id, course_id, exercise_id, started_at, finished_at"},
          {"responses", "account_id, attempt_id, idx, question, correct, hints, time_ms, answered_at, points"}};
}

std::vector<std::string> PostgresSchema() {
  // Text compares bytewise (COLLATE "C"), as SPEC §3.8 and SQLite's BINARY do.
  return {
      "CREATE TABLE users (id bigint, account_id bigint, key text COLLATE \"C\", name text COLLATE \"C\", active int)",
      "CREATE TABLE groups (id bigint, account_id bigint, key text COLLATE \"C\", name text COLLATE \"C\")",
      "CREATE TABLE group_members (account_id bigint, group_id bigint, user_id bigint)",
      "CREATE TABLE courses (id bigint, account_id bigint, key text COLLATE \"C\", title text)",
      "CREATE TABLE chapters (id bigint, account_id bigint, course_id bigint, key text COLLATE \"C\", position int, removed int)",
      "CREATE TABLE exercises (id bigint, account_id bigint, course_id bigint, chapter_id bigint, key text COLLATE \"C\", position int, removed int)",
      "CREATE TABLE enrollments (id bigint, account_id bigint, user_id bigint, course_id bigint, enrolled_at bigint)",
      "CREATE TABLE attempts (id bigint, account_id bigint, client_id text COLLATE \"C\", user_id bigint, course_id bigint, exercise_id bigint, started_at bigint, finished_at bigint)",
      "CREATE TABLE responses (account_id bigint, attempt_id bigint, idx int, question text, correct int, hints int, time_ms bigint, answered_at bigint, points int)",
  };
}

std::vector<std::string> PostgresIndexes() {
  return {"ALTER TABLE users ADD PRIMARY KEY (id)",
          "ALTER TABLE groups ADD PRIMARY KEY (id)",
          "ALTER TABLE group_members ADD PRIMARY KEY (group_id, user_id)",
          "CREATE INDEX ON group_members (user_id)",
          "ALTER TABLE courses ADD PRIMARY KEY (id)",
          "ALTER TABLE chapters ADD PRIMARY KEY (id)",
          "ALTER TABLE exercises ADD PRIMARY KEY (id)",
          "CREATE INDEX ON exercises (course_id, chapter_id)",
          "ALTER TABLE enrollments ADD PRIMARY KEY (id)",
          "CREATE INDEX ON enrollments (account_id, course_id)",
          "CREATE INDEX ON enrollments (user_id)",
          "ALTER TABLE attempts ADD PRIMARY KEY (id)",
          "CREATE INDEX ON attempts (account_id, course_id, user_id, exercise_id)",
          "ALTER TABLE responses ADD PRIMARY KEY (attempt_id, idx)",
          "ANALYZE"};
}

Rows SplitRows(const std::string& text) {
  Rows rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (;;) {
      const std::size_t comma = line.find(',', start);
      fields.push_back(line.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    rows.push_back(std::move(fields));
  }
  return rows;
}

std::vector<std::string> CompareRows(const SqlReport& report, const Rows& sql_rows,
                                     const Rows& cohort_rows) {
  std::vector<std::string> differences;
  if (sql_rows.size() != cohort_rows.size()) {
    differences.push_back(
        fmt::format("{} rows in SQL, {} in Cohort", sql_rows.size(), cohort_rows.size()));
  }
  const std::size_t n = std::min(sql_rows.size(), cohort_rows.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (sql_rows[i].size() != report.columns.size()) {
      differences.push_back(fmt::format("row {} has {} fields in SQL", i + 1, sql_rows[i].size()));
      continue;
    }
    for (std::size_t k = 0; k < report.columns.size(); ++k) {
      const std::string& s = sql_rows[i][k];
      const std::string& h = cohort_rows[i][k];
      bool same = s == h;
      if (!same && k > 0 && !s.empty() && !h.empty()) {
        char* end_s = nullptr;
        char* end_h = nullptr;
        const double a = std::strtod(s.c_str(), &end_s);
        const double b = std::strtod(h.c_str(), &end_h);
        same = *end_s == '\0' && *end_h == '\0' &&
               std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)});
      }
      if (!same) {
        differences.push_back(fmt::format("row {} ({}) {}: SQL '{}', Cohort '{}'", i + 1,
                                          cohort_rows[i][0], report.columns[k], s, h));
      }
    }
  }
  return differences;
}

}  // namespace cohort::bench

#include "bench/duckdb_sql.h"

#include <fmt/format.h>

#include <sstream>

namespace cohort::bench {
namespace {

// A column's type from its name: ids, instants and durations are BIGINT, names and keys text,
// the rest (flags, counts, positions, points) INTEGER.
std::string TypeOf(const std::string& column) {
  auto ends = [&](const std::string& s) {
    return column.size() >= s.size() && column.compare(column.size() - s.size(), s.size(), s) == 0;
  };
  if (column == "client_id" || column == "key" || column == "name" || column == "title" ||
      column == "question") {
    return "VARCHAR";
  }
  if (column == "id" || ends("_id") || ends("_at") || ends("_ms")) return "BIGINT";
  return "INTEGER";
}

// read_csv over one exported table, its columns typed (no sniffing of types or header).
std::string ReadCsv(const std::filesystem::path& csv_dir, const std::string& table,
                    const std::string& columns) {
  std::ostringstream types;
  std::istringstream in(columns);
  std::string column;
  bool first = true;
  while (std::getline(in, column, ',')) {
    column.erase(0, column.find_first_not_of(' '));
    types << (first ? "" : ", ") << "'" << column << "': '" << TypeOf(column) << "'";
    first = false;
  }
  return fmt::format(
      "read_csv('{}', header = false, delim = ',', quote = '\"', escape = '\"', columns = {{{}}})",
      (csv_dir / (table + ".csv")).string(), types.str());
}

// The per-user × course figures of SPEC §3.2–3.3 for enrolled active users, as in
// sql_reports.cc, but shaped for DuckDB:
// - a cell's mastery is the credit of its last 10 responses in SPEC order (answered_at, the
//   attempt's started_at, its client id, the response index): arg_max(credit, order key, 10)
//   keeps those 10 in a small heap per cell inside one hash aggregate, where ROW_NUMBER() over
//   (user, exercise) sorts every response of the account first;
// - the responses carry their attempt's columns (`resp`, see DuckdbLoad), so the cells come
//   from one scan with no join but the small set of the course's live exercises;
// - an attempt's duration is its finished_at − started_at; only attempts without finished_at
//   need the sum of their responses' time_ms, so only those are aggregated;
// - filters on account, course and user are on the sort columns, so the zone maps skip the
//   other row groups;
// - reports that show no time or attempt count (all courses, chapters) do not read the
//   attempts at all (`with_time` false: ucm has no time_s and attempts columns).
constexpr const char* kAttColumns = R"sql(         COALESCE(att.time_ms, 0) / 1000 AS time_s,
         COALESCE(att.attempts, 0) AS attempts,
)sql";
constexpr const char* kAttJoin = R"sql(  LEFT JOIN att ON att.user_id = e.user_id
                 AND att.course_id = e.course_id
)sql";
std::string Ctes(const ReportTarget& t, const std::string& course, const std::string& user,
                 bool with_time) {
  const std::string cf = course.empty() ? "" : " AND course_id = " + course;
  const std::string uf = user.empty() ? "" : " AND user_id = " + user;
  const std::string attempts =
      fmt::format(R"sql(), open_time AS (
  SELECT attempt_id, SUM(time_ms) AS time_ms FROM resp
  WHERE account_id = {account}{cf}{uf} AND finished_at IS NULL
  GROUP BY attempt_id
), att AS (
  SELECT a.user_id, a.course_id, COUNT(*) AS attempts,
         SUM(LEAST(COALESCE(a.finished_at - a.started_at, o.time_ms), 7200000)) AS time_ms
  FROM attempts a LEFT JOIN open_time o ON o.attempt_id = a.id
  WHERE a.account_id = {account}{cf_a}{uf_a} AND a.exercise_id IN (SELECT id FROM x)
  GROUP BY a.user_id, a.course_id
)sql",
                  fmt::arg("account", t.account_id), fmt::arg("cf", cf), fmt::arg("uf", uf),
                  fmt::arg("cf_a", course.empty() ? "" : " AND a.course_id = " + course),
                  fmt::arg("uf_a", user.empty() ? "" : " AND a.user_id = " + user));
  return fmt::format(R"sql(WITH x AS (
  SELECT id, course_id, chapter_id FROM exercises
  WHERE account_id = {account} AND removed = 0{cf}
), nex AS (
  SELECT course_id, COUNT(*) AS n FROM x GROUP BY course_id
), cell AS (
  SELECT user_id, course_id, exercise_id,
         list_sum(arg_max(CASE WHEN correct = 1 AND hints = 0 THEN 2 WHEN correct = 1 THEN 1 ELSE 0 END,
                          (answered_at, started_at, client_id, idx), 10)) AS m2,
         SUM(correct) AS correct, COUNT(*) AS answered, SUM(hints) AS hints,
         SUM(COALESCE(points, CASE WHEN correct = 1 AND hints = 0 THEN 10
                                   WHEN correct = 1 THEN 5 ELSE 0 END)) AS points,
         MAX(answered_at) AS last_active
  FROM resp
  WHERE account_id = {account}{cf}{uf} AND exercise_id IN (SELECT id FROM x)
  GROUP BY user_id, course_id, exercise_id
{att}), uc AS (
  SELECT user_id, course_id, SUM(m2) AS m2, COUNT(*) AS touched, SUM(correct) AS correct,
         SUM(answered) AS answered, SUM(hints) AS hints, SUM(points) AS points,
         MAX(last_active) AS last_active
  FROM cell GROUP BY user_id, course_id
), ucm AS (
  SELECT e.user_id, e.course_id, COALESCE(uc.m2, 0) AS m2,
         COALESCE(uc.points, 0) AS points, COALESCE(uc.hints, 0) AS hints,
         COALESCE(uc.m2, 0) / (20 * nex.n) AS mastery,
         COALESCE(uc.touched, 0) / nex.n AS progress,
         CASE WHEN uc.touched = nex.n THEN 1 ELSE 0 END AS completed,
         CASE WHEN uc.answered > 0 THEN uc.correct / uc.answered END AS score,
{att_columns}         CASE WHEN COALESCE(uc.touched, 0) < nex.n
               AND COALESCE(uc.last_active, e.enrolled_at) <= {now} - 14 * 86400000
              THEN 1 ELSE 0 END AS at_risk
  FROM enrollments e
  JOIN users u ON u.id = e.user_id AND u.active = 1
  JOIN nex ON nex.course_id = e.course_id
  LEFT JOIN uc ON uc.user_id = e.user_id AND uc.course_id = e.course_id
{att_join}  WHERE e.account_id = {account}{cf_e}{uf_e}
)
)sql",
                     fmt::arg("att", with_time ? attempts : ""),
                     fmt::arg("att_columns", with_time ? kAttColumns : ""),
                     fmt::arg("att_join", with_time ? kAttJoin : ""),
                     fmt::arg("account", t.account_id), fmt::arg("now", t.now_ms),
                     fmt::arg("cf", cf), fmt::arg("uf", uf),
                     fmt::arg("cf_e", course.empty() ? "" : " AND e.course_id = " + course),
                     fmt::arg("uf_e", user.empty() ? "" : " AND e.user_id = " + user));
}

}  // namespace

std::vector<DuckdbStep> DuckdbLoad(const std::filesystem::path& csv_dir) {
  std::vector<DuckdbStep> steps;
  std::string load;
  for (const auto& [table, columns] : CopiedTables()) {
    if (table == "attempts" || table == "responses") continue;
    load += fmt::format("CREATE TABLE {} AS FROM {};\n", table, ReadCsv(csv_dir, table, columns));
  }
  for (const auto& [table, columns] : CopiedTables()) {
    if (table == "attempts") {
      load += fmt::format(
          "CREATE TABLE attempts AS FROM {} ORDER BY account_id, course_id, user_id, "
          "exercise_id;\n",
          ReadCsv(csv_dir, table, columns));
    } else if (table == "responses") {
      load += fmt::format("CREATE TEMP TABLE responses AS FROM {};\n",
                          ReadCsv(csv_dir, table, columns));
    }
  }
  steps.push_back({"load_s", load});
  steps.push_back({"layout_s", R"sql(CREATE TABLE resp AS
SELECT a.account_id, a.course_id, a.user_id, a.exercise_id, r.attempt_id, a.client_id,
       a.started_at, a.finished_at, r.idx, r.answered_at, r.correct, r.hints, r.time_ms, r.points
FROM responses r JOIN attempts a ON a.id = r.attempt_id
ORDER BY a.account_id, a.course_id, a.user_id, a.exercise_id;
DROP TABLE responses;
CHECKPOINT)sql"});
  return steps;
}

std::string DuckdbReportSql(const ReportTarget& t, const std::string& view) {
  const std::string course = std::to_string(t.course_id);
  const std::string user = std::to_string(t.user_id);
  if (view == "all courses") {
    return Ctes(t, "", "", false) + R"sql(
SELECT c.key, COUNT(*), AVG(ucm.mastery), SUM(ucm.completed), SUM(ucm.at_risk), AVG(ucm.score)
FROM ucm JOIN courses c ON c.id = ucm.course_id
GROUP BY c.key ORDER BY c.key)sql";
  }
  if (view == "league") {
    return Ctes(t, course, "", true) + R"sql(
SELECT u.key, ucm.mastery, ucm.progress, ucm.completed, ucm.score, ucm.points, ucm.time_s
FROM ucm JOIN users u ON u.id = ucm.user_id
ORDER BY ucm.m2 DESC, u.name, u.key LIMIT 50)sql";
  }
  if (view == "chapters") {
    // The mean over the course's learners of m2(chapter) / (20 n) is Σ m2 / (20 n × learners),
    // learners without a cell in the chapter counting 0: one aggregate per chapter over the
    // cells of enrolled active learners instead of a learner × chapter grid.
    return Ctes(t, course, "", false) + fmt::format(R"sql(
, chn AS (
  SELECT chapter_id, COUNT(*) AS n FROM x GROUP BY chapter_id
), chm AS (
  SELECT x.chapter_id, SUM(cell.m2) AS m2
  FROM cell JOIN x ON x.id = cell.exercise_id
  WHERE cell.user_id IN (SELECT user_id FROM ucm)
  GROUP BY x.chapter_id
), learners AS (
  SELECT COUNT(*) AS n FROM ucm
)
SELECT ch.key, COALESCE(chm.m2, 0) / (20 * chn.n * learners.n)
FROM chapters ch
JOIN chn ON chn.chapter_id = ch.id
CROSS JOIN learners
LEFT JOIN chm ON chm.chapter_id = ch.id
WHERE ch.course_id = {course} AND ch.removed = 0 AND learners.n > 0
ORDER BY ch.position)sql",
                                                    fmt::arg("course", course));
  }
  if (view == "groups") {
    return Ctes(t, course, "", true) + R"sql(
SELECT g.key, COUNT(*), AVG(ucm.mastery), SUM(ucm.completed), AVG(ucm.score), SUM(ucm.points),
       SUM(ucm.time_s)
FROM ucm JOIN group_members gm ON gm.user_id = ucm.user_id
JOIN groups g ON g.id = gm.group_id
GROUP BY g.key ORDER BY g.key)sql";
  }
  return Ctes(t, course, user, true) + R"sql(
SELECT u.key, ucm.mastery, ucm.progress, ucm.completed, ucm.score, ucm.points, ucm.time_s,
       ucm.attempts, ucm.hints
FROM ucm JOIN users u ON u.id = ucm.user_id)sql";
}

}  // namespace cohort::bench

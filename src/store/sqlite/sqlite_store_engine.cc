// The reads the metrics engine needs: the whole catalog and people of an account, its
// enrollments, and its attempts grouped by user × course.
#include <map>
#include <mutex>
#include <unordered_map>

#include "store/sqlite/connection.h"
#include "store/response_codec.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/statements.h"
#include "store/sqlite/store_side.h"

namespace cohort::store::sqlite {
namespace {

// Fills `a` from columns 2 (client id), 4 (started_at), 5 (finished_at) and 6 (responses) of
// a scan_attempts/load_attempts row.
Status ReadAttemptColumns(Query& query, domain::Attempt& a) {
  a.id.assign(query.TextView(2));
  a.started_at = Instant{query.Int(4)};
  a.finished_at.reset();
  if (!query.IsNull(5)) a.finished_at = Instant{query.Int(5)};
  return DecodeResponses(query.TextView(6), a.started_at, a.responses);
}

// Reads load_attempts rows (keys in columns 0, 1 and 3): one user × course.
Status ReadAttemptRows(Query& query, std::vector<domain::Attempt>& out) {
  while (true) {
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return Status();
    domain::Attempt& a = out.emplace_back();
    a.user = query.Text(0);
    a.course = query.Text(1);
    a.exercise = query.Text(3);
    COHORT_RETURN_IF_ERROR(ReadAttemptColumns(query, a));
  }
}

// id → key of the rows of a two-column (id, key) statement for `account`.
Result<std::unordered_map<std::int64_t, std::string>> KeysById(Statement& statement,
                                                               AccountId account) {
  std::unordered_map<std::int64_t, std::string> keys;
  Query q(statement);
  q.BindInt(1, account.value);
  for (;;) {
    Result<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return keys;
    keys.emplace(q.Int(0), q.Text(1));
  }
}

}  // namespace

Result<domain::WriteBatch> SqliteStore::LoadCatalog(AccountId account) {
  std::vector<std::string> course_keys;
  domain::WriteBatch batch;
  {
    std::lock_guard lock(read_mu_);
    Statements& st = reader_->statements;
    {
      Query q(st.list_course_keys);
      q.BindInt(1, account.value);
      for (;;) {
        Result<bool> row = q.Step();
        if (!row.ok()) return row.status();
        if (!row.value()) break;
        course_keys.push_back(q.Text(0));
      }
    }
    std::map<std::int64_t, std::size_t> group_index;
    {
      Query q(st.list_groups);
      q.BindInt(1, account.value);
      for (;;) {
        Result<bool> row = q.Step();
        if (!row.ok()) return row.status();
        if (!row.value()) break;
        group_index[q.Int(0)] = batch.groups.items.size();
        batch.groups.items.push_back({q.Text(1), q.Text(2), {}});
      }
    }
    {
      Query q(st.list_all_managers);
      q.BindInt(1, account.value);
      for (;;) {
        Result<bool> row = q.Step();
        if (!row.ok()) return row.status();
        if (!row.value()) break;
        auto it = group_index.find(q.Int(0));
        if (it != group_index.end()) batch.groups.items[it->second].managers.push_back(q.Text(1));
      }
    }
    std::map<std::int64_t, std::size_t> user_index;
    {
      Query q(st.list_users);
      q.BindInt(1, account.value);
      for (;;) {
        Result<bool> row = q.Step();
        if (!row.ok()) return row.status();
        if (!row.value()) break;
        domain::User u;
        u.key = q.Text(1);
        u.name = q.Text(2);
        u.email = q.Text(3);
        u.roles.bits = static_cast<std::uint8_t>(q.Int(4));
        u.active = q.Int(5) != 0;
        user_index[q.Int(0)] = batch.users.items.size();
        batch.users.items.push_back({std::move(u), std::nullopt});
      }
    }
    {
      Query q(st.list_all_memberships);
      q.BindInt(1, account.value);
      for (;;) {
        Result<bool> row = q.Step();
        if (!row.ok()) return row.status();
        if (!row.value()) break;
        auto it = user_index.find(q.Int(0));
        if (it != user_index.end()) batch.users.items[it->second].user.groups.push_back(q.Text(1));
      }
    }
    {
      Query q(st.list_certifications);
      q.BindInt(1, account.value);
      for (;;) {
        Result<bool> row = q.Step();
        if (!row.ok()) return row.status();
        if (!row.value()) break;
        domain::ImportedCertification c{q.Text(0), q.Text(1), Instant{q.Int(2)}, std::nullopt};
        if (!q.IsNull(3)) c.expires_at = Instant{q.Int(3)};
        batch.certifications.items.push_back(std::move(c));
      }
    }
  }
  for (const std::string& key : course_keys) {
    Result<domain::Course> course = FindCourse(account, key);
    if (!course.ok()) return course.status();
    batch.courses.items.push_back(std::move(course).value());
  }
  return batch;
}

Result<std::vector<EnrollmentRecord>> SqliteStore::ListEnrollments(AccountId account) {
  std::lock_guard lock(read_mu_);
  Query q(reader_->statements.list_enrollments);
  q.BindInt(1, account.value);
  std::vector<EnrollmentRecord> out;
  for (;;) {
    Result<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) break;
    out.push_back({q.Text(0), q.Text(1), Instant{q.Int(2)}, q.Int(3) == 0});
  }
  return out;
}

// The rows come by (user id, course id) from attempts_by_account_user, without joins: ids are
// turned into keys through maps read first (the joins were a third of the rebuild's time).
Status SqliteStore::ScanAttempts(AccountId account, const AttemptVisitor& visit) {
  std::lock_guard lock(read_mu_);
  Statements& st = reader_->statements;
  auto users = KeysById(st.list_user_keys, account);
  if (!users.ok()) return users.status();
  auto courses = KeysById(st.list_course_ids, account);
  if (!courses.ok()) return courses.status();
  auto exercises = KeysById(st.list_exercise_keys, account);
  if (!exercises.ok()) return exercises.status();
  auto key = [](const std::unordered_map<std::int64_t, std::string>& keys,
                std::int64_t id) -> Result<const std::string*> {
    auto it = keys.find(id);
    if (it == keys.end()) return Status::Internal("an attempt refers to a missing row");
    return &it->second;
  };

  Query q(st.scan_attempts);
  q.BindInt(1, account.value);
  // The group being read: attempts[0, used). Elements past it are kept to be overwritten (with
  // their strings' and vectors' capacity), so a visitor that hands back used vectors (see
  // AttemptVisitor) lets the scan run without allocating.
  std::vector<domain::Attempt> attempts;
  std::size_t used = 0;
  auto flush = [&](const std::string& u, const std::string& c) {
    if (used == 0) return;
    attempts.resize(used);
    visit(u, c, attempts);
    used = 0;
  };
  std::int64_t user_id = -1, course_id = -1;
  const std::string* user = nullptr;
  const std::string* course = nullptr;
  while (true) {
    Result<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) break;
    if (q.Int(0) != user_id || q.Int(1) != course_id) {
      if (user != nullptr) flush(*user, *course);
      user_id = q.Int(0);
      course_id = q.Int(1);
      Result<const std::string*> u = key(users.value(), user_id);
      if (!u.ok()) return u.status();
      Result<const std::string*> c = key(courses.value(), course_id);
      if (!c.ok()) return c.status();
      user = u.value();
      course = c.value();
    }
    if (used == attempts.size()) attempts.emplace_back();
    domain::Attempt& a = attempts[used++];
    a.user = *user;
    a.course = *course;
    Result<const std::string*> exercise = key(exercises.value(), q.Int(3));
    if (!exercise.ok()) return exercise.status();
    a.exercise = *exercise.value();
    COHORT_RETURN_IF_ERROR(ReadAttemptColumns(q, a));
  }
  if (user != nullptr) flush(*user, *course);
  return Status();
}

namespace {

// One user × course's attempts by `statement` (?1 account, ?2 user key, ?3 course key), or one
// exercise's (?4 its key) when `exercise` is set.
Result<std::vector<domain::Attempt>> ReadUserAttempts(Statement& statement, AccountId account,
                                                      std::string_view user,
                                                      std::string_view course,
                                                      std::optional<std::string_view> exercise) {
  Query q(statement);
  q.BindInt(1, account.value);
  q.BindText(2, user);
  q.BindText(3, course);
  if (exercise) q.BindText(4, *exercise);
  std::vector<domain::Attempt> out;
  COHORT_RETURN_IF_ERROR(ReadAttemptRows(q, out));
  return out;
}

}  // namespace

Result<std::vector<domain::Attempt>> SqliteStore::LoadAttempts(AccountId account,
                                                               std::string_view user,
                                                               std::string_view course) {
  std::lock_guard lock(read_mu_);
  return ReadUserAttempts(reader_->statements.load_attempts, account, user, course, std::nullopt);
}

Result<std::vector<domain::Attempt>> SqliteStore::LoadExerciseAttempts(AccountId account,
                                                                       std::string_view user,
                                                                       std::string_view course,
                                                                       std::string_view exercise) {
  std::lock_guard lock(read_mu_);
  return ReadUserAttempts(reader_->statements.load_exercise_attempts, account, user, course,
                          exercise);
}

Result<std::vector<domain::Attempt>> SqliteStore::LoadAttemptsThrough(AccountId account,
                                                                      std::string_view user,
                                                                      std::string_view course,
                                                                      std::int64_t /*through_seq*/) {
  // No change log: one process writes, and its engine applies each commit before the next.
  return LoadAttempts(account, user, course);
}

Status SqliteStore::ReadAccountState(AccountId account,
                                     const std::function<Status(AccountHead&)>& head,
                                     const AttemptVisitor& visit) {
  AccountHead state;
  Result<domain::WriteBatch> catalog = LoadCatalog(account);
  if (!catalog.ok()) return catalog.status();
  state.catalog = std::move(catalog).value();
  Result<std::vector<EnrollmentRecord>> enrollments = ListEnrollments(account);
  if (!enrollments.ok()) return enrollments.status();
  state.enrollments = std::move(enrollments).value();
  COHORT_RETURN_IF_ERROR(head(state));
  return ScanAttempts(account, visit);
}

Result<std::vector<AccountPosition>> SqliteStore::ListAccountPositions() {
  Result<std::vector<AccountRecord>> accounts = ListAccounts();
  if (!accounts.ok()) return accounts.status();
  std::vector<AccountPosition> out;
  out.reserve(accounts->size());
  for (AccountRecord& a : accounts.value()) out.push_back({std::move(a), 0});
  return out;
}

Result<std::vector<ChangeRecord>> SqliteStore::ListChanges(AccountId, std::int64_t,
                                                          std::size_t) {
  return std::vector<ChangeRecord>();
}

Result<std::vector<domain::Attempt>> SqliteStore::LoadAttemptRows(
    AccountId, const std::vector<std::int64_t>& rows) {
  if (rows.empty()) return std::vector<domain::Attempt>();
  return Status::Internal("a SQLite store keeps no change log to name attempt rows");
}

Result<std::vector<ThrottleRecord>> SqliteStore::ReadThrottle(const std::vector<std::string>&) {
  return Status::Internal("a SQLite store keeps no sign-in throttle: its process keeps it");
}

Status SqliteStore::AddThrottleFailures(const std::vector<std::string>&, Instant, std::int64_t,
                                         std::int64_t) {
  return Status::Internal("a SQLite store keeps no sign-in throttle: its process keeps it");
}

Status SqliteStore::SetThrottleKnown(const std::string&, Instant) {
  return Status::Internal("a SQLite store keeps no sign-in throttle: its process keeps it");
}

}  // namespace cohort::store::sqlite

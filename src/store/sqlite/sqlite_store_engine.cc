// The reads the metrics engine needs: the whole catalog and people of an account, its
// enrollments, and its attempts grouped by user × course.
#include <map>
#include <mutex>

#include "store/sqlite/connection.h"
#include "store/sqlite/response_codec.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/statements.h"
#include "store/sqlite/store_side.h"

namespace cohort::store::sqlite {
namespace {

// Reads rows of scan_attempts/load_attempts (same columns), calling `flush` with each complete
// user × course group.
template <typename Flush>
Status ReadAttemptRows(Query& query, Flush flush) {
  std::string user, course;
  std::vector<domain::Attempt> attempts;
  while (true) {
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) break;
    const std::string_view u = query.TextView(0), c = query.TextView(1);
    if (!attempts.empty() && (u != user || c != course)) {
      flush(user, course, attempts);
      attempts.clear();
    }
    if (attempts.empty()) {
      user = std::string(u);
      course = std::string(c);
    }
    domain::Attempt& a = attempts.emplace_back();
    a.id = query.Text(2);
    a.user = user;
    a.course = course;
    a.exercise = query.Text(3);
    a.started_at = Instant{query.Int(4)};
    if (!query.IsNull(5)) a.finished_at = Instant{query.Int(5)};
    COHORT_RETURN_IF_ERROR(DecodeResponses(query.TextView(6), a.started_at, a.responses));
  }
  if (!attempts.empty()) flush(user, course, attempts);
  return Status();
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

Status SqliteStore::ScanAttempts(AccountId account, const AttemptVisitor& visit) {
  std::lock_guard lock(read_mu_);
  Query q(reader_->statements.scan_attempts);
  q.BindInt(1, account.value);
  return ReadAttemptRows(q, visit);
}

Result<std::vector<domain::Attempt>> SqliteStore::LoadAttempts(AccountId account,
                                                               std::string_view user,
                                                               std::string_view course) {
  std::lock_guard lock(read_mu_);
  Query q(reader_->statements.load_attempts);
  q.BindInt(1, account.value);
  q.BindText(2, user);
  q.BindText(3, course);
  std::vector<domain::Attempt> out;
  Status s = ReadAttemptRows(
      q, [&](const std::string&, const std::string&, std::vector<domain::Attempt>& attempts) {
        out = std::move(attempts);
      });
  if (!s.ok()) return s;
  return out;
}

}  // namespace cohort::store::sqlite

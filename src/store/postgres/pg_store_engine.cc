// The reads the metrics engine needs on PostgreSQL: the catalog and people of an account, its
// enrollments, and its attempts by user × course. A read of several statements runs in one
// REPEATABLE READ transaction: one committed state.
#include <map>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "store/guarded.h"
#include "store/postgres/connection.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/statements.h"
#include "store/response_codec.h"

namespace cohort::store::postgres {
namespace {

constexpr const char* kSnapshot = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
constexpr int kScanChunk = 4096;  // rows per FETCH of the attempts' cursor

// Fills `a` from columns 2 (client id), 4 (started_at), 5 (finished_at) and 6 (responses).
Status ReadAttemptColumns(const Rows& rows, int r, domain::Attempt& a) {
  a.id.assign(rows.TextView(r, 2));
  a.started_at = Instant{rows.Int(r, 4)};
  a.finished_at.reset();
  if (!rows.IsNull(r, 5)) a.finished_at = Instant{rows.Int(r, 5)};
  return DecodeResponses(rows.TextView(r, 6), a.started_at, a.responses);
}

// Whole attempts from rows of (user key, course key, client id, exercise key, started_at,
// finished_at, responses): kLoadAttempts' and kLoadAttemptRows' columns.
Result<std::vector<domain::Attempt>> ReadAttemptRows(const Rows& rows) {
  std::vector<domain::Attempt> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int r = 0; r < rows.size(); ++r) {
    domain::Attempt& a = out.emplace_back();
    a.user = rows.Text(r, 0);
    a.course = rows.Text(r, 1);
    a.exercise = rows.Text(r, 3);
    COHORT_RETURN_IF_ERROR(ReadAttemptColumns(rows, r, a));
  }
  return out;
}

// id → key of a two-column (id, key) statement's rows for `account`.
Result<std::unordered_map<std::int64_t, std::string>> KeysById(Connection& db,
                                                               const Statement& statement,
                                                               AccountId account) {
  Result<Rows> rows = db.Run(statement, Params().Int(account.value));
  if (!rows.ok()) return rows.status();
  std::unordered_map<std::int64_t, std::string> keys;
  for (int r = 0; r < rows->size(); ++r) keys.emplace(rows->Int(r, 0), rows->Text(r, 1));
  return keys;
}

domain::CourseSettings ReadSettings(const Rows& rows) {
  domain::CourseSettings s;
  s.mastery_model =
      rows.TextView(0, 2) == "bkt" ? domain::MasteryModel::kBkt : domain::MasteryModel::kRecent;
  s.mastery_window = static_cast<int>(rows.Int(0, 3));
  s.mastery_threshold = rows.OptionalDouble(0, 4);
  s.p_init = rows.Double(0, 5);
  s.p_learn = rows.Double(0, 6);
  s.p_guess = rows.Double(0, 7);
  s.p_slip = rows.Double(0, 8);
  s.points_per_question = static_cast<int>(rows.Int(0, 9));
  s.max_attempt_seconds = static_cast<int>(rows.Int(0, 10));
  s.certification_mastery = rows.Double(0, 11);
  if (!rows.IsNull(0, 12)) s.certification_valid_days = static_cast<int>(rows.Int(0, 12));
  s.at_risk_days = static_cast<int>(rows.Int(0, 13));
  return s;
}

}  // namespace

Result<domain::Course> PgStore::ReadCourse(AccountId account, std::string_view course_key) {
  Result<Rows> found = reader_->Run(sql::kFindCourse, Params().Int(account.value).Text(course_key));
  if (!found.ok()) return found.status();
  if (found->empty()) return Status::NotFound(fmt::format("course '{}' is unknown", course_key));
  domain::Course course;
  course.key = std::string(course_key);
  course.title = found->Text(0, 1);
  course.settings = ReadSettings(found.value());
  const std::int64_t course_id = found->Int(0, 0);
  std::unordered_map<std::string, std::size_t> chapter_index;
  Result<Rows> chapters = reader_->Run(sql::kListChapters, Params().Int(course_id));
  if (!chapters.ok()) return chapters.status();
  for (int r = 0; r < chapters->size(); ++r) {
    chapter_index[chapters->Text(r, 0)] = course.chapters.size();
    course.chapters.push_back({chapters->Text(r, 0), chapters->Text(r, 1), {}});
  }
  Result<Rows> exercises = reader_->Run(sql::kListExercises, Params().Int(course_id));
  if (!exercises.ok()) return exercises.status();
  for (int r = 0; r < exercises->size() && !exercises->Bool(r, 3); ++r) {  // removed ones last
    const auto chapter = chapter_index.find(exercises->Text(r, 2));
    if (chapter == chapter_index.end()) return Status::Internal("an exercise lost its chapter");
    domain::ExerciseDef& ex = course.chapters[chapter->second].exercises.emplace_back();
    ex.key = exercises->Text(r, 0);
    ex.title = exercises->Text(r, 1);
    if (!exercises->IsNull(r, 4)) ex.xapi_id = exercises->Text(r, 4);
  }
  return course;
}

Result<domain::WriteBatch> PgStore::LoadCatalog(AccountId account) {
  return Guarded("LoadCatalog", [&]() -> Result<domain::WriteBatch> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Transaction snapshot(*reader_);
    COHORT_RETURN_IF_ERROR(snapshot.Begin(kSnapshot));
    Result<domain::WriteBatch> batch = ReadCatalog(account);
    if (!batch.ok()) return batch.status();
    COHORT_RETURN_IF_ERROR(snapshot.Commit());
    return batch;
  });
}

Result<domain::WriteBatch> PgStore::ReadCatalog(AccountId account) {
    const Params by_account = Params().Int(account.value);
    domain::WriteBatch batch;
    Result<Rows> groups = reader_->Run(sql::kListGroups, by_account);
    if (!groups.ok()) return groups.status();
    std::map<std::int64_t, std::size_t> group_index;
    for (int r = 0; r < groups->size(); ++r) {
      group_index[groups->Int(r, 0)] = batch.groups.items.size();
      batch.groups.items.push_back({groups->Text(r, 1), groups->Text(r, 2), {}});
    }
    Result<Rows> managers = reader_->Run(sql::kListAllManagers, by_account);
    if (!managers.ok()) return managers.status();
    for (int r = 0; r < managers->size(); ++r) {
      auto it = group_index.find(managers->Int(r, 0));
      if (it != group_index.end()) {
        batch.groups.items[it->second].managers.push_back(managers->Text(r, 1));
      }
    }
    Result<Rows> users = reader_->Run(sql::kListUsers, by_account);
    if (!users.ok()) return users.status();
    std::map<std::int64_t, std::size_t> user_index;
    for (int r = 0; r < users->size(); ++r) {
      domain::User u;
      u.key = users->Text(r, 1);
      u.name = users->Text(r, 2);
      u.email = users->Text(r, 3);
      u.roles.bits = static_cast<std::uint8_t>(users->Int(r, 4));
      u.active = users->Bool(r, 5);
      user_index[users->Int(r, 0)] = batch.users.items.size();
      batch.users.items.push_back({std::move(u), std::nullopt});
    }
    Result<Rows> memberships = reader_->Run(sql::kListAllMemberships, by_account);
    if (!memberships.ok()) return memberships.status();
    for (int r = 0; r < memberships->size(); ++r) {
      auto it = user_index.find(memberships->Int(r, 0));
      if (it != user_index.end()) {
        batch.users.items[it->second].user.groups.push_back(memberships->Text(r, 1));
      }
    }
    Result<Rows> certifications = reader_->Run(sql::kListCertifications, by_account);
    if (!certifications.ok()) return certifications.status();
    for (int r = 0; r < certifications->size(); ++r) {
      domain::ImportedCertification c{certifications->Text(r, 0), certifications->Text(r, 1),
                                      Instant{certifications->Int(r, 2)}, std::nullopt};
      if (!certifications->IsNull(r, 3)) c.expires_at = Instant{certifications->Int(r, 3)};
      batch.certifications.items.push_back(std::move(c));
    }
    Result<Rows> course_keys = reader_->Run(sql::kListCourseKeys, by_account);
    if (!course_keys.ok()) return course_keys.status();
    for (int r = 0; r < course_keys->size(); ++r) {
      Result<domain::Course> course = ReadCourse(account, course_keys->TextView(r, 0));
      if (!course.ok()) return course.status();
      batch.courses.items.push_back(std::move(course).value());
    }
    return batch;
}

Result<std::vector<EnrollmentRecord>> PgStore::ListEnrollments(AccountId account) {
  return Guarded("ListEnrollments", [&]() -> Result<std::vector<EnrollmentRecord>> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    return ReadEnrollments(account);
  });
}

Result<std::vector<EnrollmentRecord>> PgStore::ReadEnrollments(AccountId account) {
    Result<Rows> rows = reader_->Run(sql::kListEnrollments, Params().Int(account.value));
    if (!rows.ok()) return rows.status();
    std::vector<EnrollmentRecord> out;
    out.reserve(static_cast<std::size_t>(rows->size()));
    for (int r = 0; r < rows->size(); ++r) {
      out.push_back({rows->Text(r, 0), rows->Text(r, 1), Instant{rows->Int(r, 2)},
                     !rows->Bool(r, 3)});
    }
    return out;
}

// The rows come by (user id, course id) from attempts_by_account_user through a cursor, a chunk
// at a time; ids become keys through maps read first, in the same snapshot.
Status PgStore::ScanAttempts(AccountId account, const AttemptVisitor& visit) {
  return Guarded("ScanAttempts", [&]() -> Status {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Transaction snapshot(*reader_);
    COHORT_RETURN_IF_ERROR(snapshot.Begin(kSnapshot));
    COHORT_RETURN_IF_ERROR(ReadAttempts(account, visit));
    return snapshot.Commit();
  });
}

Status PgStore::ReadAccountState(AccountId account,
                                 const std::function<Status(AccountHead&)>& head,
                                 const AttemptVisitor& visit) {
  return Guarded("ReadAccountState", [&]() -> Status {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Transaction snapshot(*reader_);
    COHORT_RETURN_IF_ERROR(snapshot.Begin(kSnapshot));
    AccountHead state;
    Result<Rows> seq = reader_->Run(sql::kChangeSeq, Params().Int(account.value));
    if (!seq.ok()) return seq.status();
    if (seq->empty()) return Status::NotFound("the account is unknown");
    state.change_seq = seq->Int(0, 0);
    Result<domain::WriteBatch> catalog = ReadCatalog(account);
    if (!catalog.ok()) return catalog.status();
    state.catalog = std::move(catalog).value();
    Result<std::vector<EnrollmentRecord>> enrollments = ReadEnrollments(account);
    if (!enrollments.ok()) return enrollments.status();
    state.enrollments = std::move(enrollments).value();
    COHORT_RETURN_IF_ERROR(head(state));
    COHORT_RETURN_IF_ERROR(ReadAttempts(account, visit));
    return snapshot.Commit();
  });
}

Result<std::vector<domain::Attempt>> PgStore::LoadAttemptRows(
    AccountId account, const std::vector<std::int64_t>& ids) {
  return Guarded("LoadAttemptRows", [&]() -> Result<std::vector<domain::Attempt>> {
    if (ids.empty()) return std::vector<domain::Attempt>();
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Result<Rows> rows = reader_->Run(
        sql::kLoadAttemptRows,
        Params().Int(account.value).IntArray(ids));
    if (!rows.ok()) return rows.status();
    return ReadAttemptRows(rows.value());
  });
}

Status PgStore::ReadAttempts(AccountId account, const AttemptVisitor& visit) {
    auto users = KeysById(*reader_, sql::kListUserKeys, account);
    if (!users.ok()) return users.status();
    auto courses = KeysById(*reader_, sql::kListCourseIds, account);
    if (!courses.ok()) return courses.status();
    auto exercises = KeysById(*reader_, sql::kListExerciseKeys, account);
    if (!exercises.ok()) return exercises.status();
    auto key = [](const std::unordered_map<std::int64_t, std::string>& keys,
                  std::int64_t id) -> Result<const std::string*> {
      auto it = keys.find(id);
      if (it == keys.end()) return Status::Internal("an attempt refers to a missing row");
      return &it->second;
    };
    Result<Rows> declared = reader_->Query(
        "DECLARE scan NO SCROLL CURSOR FOR SELECT user_id, course_id, client_id, exercise_id, "
        "started_at, finished_at, responses FROM attempts WHERE account_id = $1 "
        "ORDER BY user_id, course_id, started_at, id",
        Params().Int(account.value));
    if (!declared.ok()) return declared.status();
    // As SqliteStore::ScanAttempts: attempts[0, used) is the group being read; the elements
    // past it are overwritten in place.
    std::vector<domain::Attempt> attempts;
    std::size_t used = 0;
    std::int64_t user_id = -1, course_id = -1;
    const std::string* user = nullptr;
    const std::string* course = nullptr;
    auto flush = [&] {
      if (used == 0) return;
      attempts.resize(used);
      visit(*user, *course, attempts);
      used = 0;
    };
    const std::string fetch = fmt::format("FETCH {} FROM scan", kScanChunk);
    for (;;) {
      Result<Rows> rows = reader_->Query(fetch.c_str(), {});
      if (!rows.ok()) return rows.status();
      for (int r = 0; r < rows->size(); ++r) {
        if (rows->Int(r, 0) != user_id || rows->Int(r, 1) != course_id) {
          if (user != nullptr) flush();
          user_id = rows->Int(r, 0);
          course_id = rows->Int(r, 1);
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
        Result<const std::string*> exercise = key(exercises.value(), rows->Int(r, 3));
        if (!exercise.ok()) return exercise.status();
        a.exercise = *exercise.value();
        COHORT_RETURN_IF_ERROR(ReadAttemptColumns(rows.value(), r, a));
      }
      if (rows->size() < kScanChunk) break;
    }
    if (user != nullptr) flush();
    return Status();
}

Result<std::vector<domain::Attempt>> PgStore::QueryAttempts(const char* operation,
                                                            const Statement& statement,
                                                            const Params& params) {
  return Guarded(operation, [&]() -> Result<std::vector<domain::Attempt>> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Result<Rows> rows = reader_->Run(statement, params);
    if (!rows.ok()) return rows.status();
    return ReadAttemptRows(rows.value());
  });
}

Result<std::vector<domain::Attempt>> PgStore::LoadAttempts(AccountId account,
                                                           std::string_view user,
                                                           std::string_view course) {
  return QueryAttempts("LoadAttempts", sql::kLoadAttempts,
                       Params().Int(account.value).Text(user).Text(course));
}

Result<std::vector<domain::Attempt>> PgStore::LoadExerciseAttempts(AccountId account,
                                                                   std::string_view user,
                                                                   std::string_view course,
                                                                   std::string_view exercise) {
  return QueryAttempts("LoadExerciseAttempts", sql::kLoadExerciseAttempts,
                       Params().Int(account.value).Text(user).Text(course).Text(exercise));
}

// One statement, one snapshot: a later change's attempts and its log row commit together, so
// either both are seen (and the attempts left out) or neither.
Result<std::vector<domain::Attempt>> PgStore::LoadAttemptsThrough(AccountId account,
                                                                  std::string_view user,
                                                                  std::string_view course,
                                                                  std::int64_t through_seq) {
  return QueryAttempts("LoadAttemptsThrough", sql::kLoadAttemptsThrough,
                       Params().Int(account.value).Text(user).Text(course).Int(through_seq));
}

}  // namespace cohort::store::postgres

#include "store/postgres/batch_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "domain/course.h"
#include "domain/user.h"
#include "store/postgres/statements.h"
#include "store/response_codec.h"

namespace cohort::store::postgres {
namespace {

constexpr int kAttemptParameters = 8;

// "INSERT ... VALUES ($1, ..., $8), ($9, ...) ON CONFLICT ... RETURNING client_id, id" for
// `rows`.
std::string InsertAttemptsSql(std::size_t rows) {
  std::string sql =
      "INSERT INTO attempts(account_id, client_id, user_id, course_id, exercise_id, started_at, "
      "finished_at, responses) VALUES ";
  int n = 1;
  for (std::size_t row = 0; row < rows; ++row) {
    sql += row == 0 ? "(" : ", (";
    for (int c = 0; c < kAttemptParameters; ++c) {
      if (c > 0) sql += ", ";
      sql += fmt::format("${}", n++);
    }
    sql += ")";
  }
  return sql + " ON CONFLICT (account_id, client_id) DO NOTHING RETURNING client_id, id";
}

std::optional<std::int64_t> Ms(const std::optional<Instant>& t) {
  return t ? std::optional<std::int64_t>(t->ms) : std::nullopt;
}

}  // namespace

std::vector<std::string> BatchWriter::Kinds(const domain::WriteBatch& batch) {
  std::vector<std::string> kinds;
  auto add = [&](bool present, const char* kind) {
    if (present) kinds.emplace_back(kind);
  };
  add(!batch.groups.items.empty(), "groups");
  add(!batch.courses.items.empty(), "courses");
  add(!batch.users.items.empty(), "users");
  add(!batch.enrollments.items.empty() || !batch.enrollment_removals.items.empty(),
      "enrollments");
  add(!batch.attempts.items.empty(), "attempts");
  add(!batch.certifications.items.empty(), "certifications");
  add(!batch.user_removals.empty(), "removals");
  return kinds;
}

Result<domain::WriteSummary> BatchWriter::Run(const domain::WriteBatch& batch) {
  if (!batch.statements.items.empty() || !batch.statements_voided.empty() ||
      !batch.attempts_replaced.empty() || !batch.statements_mapped.empty()) {
    return Status::Unavailable(std::string(kNoStatementsHere));
  }
  COHORT_RETURN_IF_ERROR(WriteGroups(batch.groups));
  for (const domain::Course& course : batch.courses.items) {
    COHORT_RETURN_IF_ERROR(WriteCourse(course));
  }
  COHORT_RETURN_IF_ERROR(WriteUsers(batch.users));
  COHORT_RETURN_IF_ERROR(WriteGroupManagers(batch.groups));
  COHORT_RETURN_IF_ERROR(WriteEnrollments(batch.enrollments));
  COHORT_RETURN_IF_ERROR(RemoveEnrollments(batch.enrollment_removals));
  COHORT_RETURN_IF_ERROR(WriteAttempts(batch.attempts, batch.progress));
  COHORT_RETURN_IF_ERROR(WriteCertifications(batch.certifications));
  COHORT_RETURN_IF_ERROR(RemoveUsers(batch.user_removals));
  return summary_;
}

Result<std::int64_t> BatchWriter::SingleInt(const Statement& statement, const Params& params) {
  Result<Rows> rows = db_.Run(statement, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::Internal("the database returned no row");
  return rows->Int(0, 0);
}

Status BatchWriter::WriteGroups(const domain::Section<domain::Group>& section) {
  for (const domain::Group& group : section.items) {
    Result<std::int64_t> id =
        SingleInt(sql::kUpsertGroup, Params().Int(account_.value).Text(group.key).Text(group.name));
    if (!id.ok()) return id.status();
    groups_[group.key] = id.value();
  }
  return Status();
}

Status BatchWriter::WriteCourse(const domain::Course& course) {
  courses_.erase(course.key);
  const domain::CourseSettings& s = course.settings;
  Result<std::int64_t> course_id = SingleInt(
      sql::kUpsertCourse,
      Params()
          .Int(account_.value)
          .Text(course.key)
          .Text(course.title)
          .Text(domain::MasteryModelName(s.mastery_model))
          .Int(s.mastery_window)
          .OptionalDouble(s.mastery_threshold)
          .Double(s.p_init)
          .Double(s.p_learn)
          .Double(s.p_guess)
          .Double(s.p_slip)
          .Int(s.points_per_question)
          .Int(s.max_attempt_seconds)
          .Double(s.certification_mastery)
          .OptionalInt(s.certification_valid_days ? std::optional<std::int64_t>(
                                                        *s.certification_valid_days)
                                                  : std::nullopt)
          .Int(s.at_risk_days));
  if (!course_id.ok()) return course_id.status();
  // Everything not listed again stays, marked removed; what is listed is (re)activated below.
  COHORT_RETURN_IF_ERROR(db_.Run(sql::kMarkCourseRemoved, Params().Int(course_id.value())).status());
  std::int64_t exercise_position = 0;
  for (std::size_t c = 0; c < course.chapters.size(); ++c) {
    const domain::ChapterDef& chapter = course.chapters[c];
    Result<std::int64_t> chapter_id =
        SingleInt(sql::kUpsertChapter, Params()
                                           .Int(account_.value)
                                           .Int(course_id.value())
                                           .Text(chapter.key)
                                           .Text(chapter.title)
                                           .Int(static_cast<std::int64_t>(c)));
    if (!chapter_id.ok()) return chapter_id.status();
    for (const domain::ExerciseDef& exercise : chapter.exercises) {
      COHORT_RETURN_IF_ERROR(db_.Run(sql::kUpsertExercise, Params()
                                                               .Int(account_.value)
                                                               .Int(course_id.value())
                                                               .Int(chapter_id.value())
                                                               .Text(exercise.key)
                                                               .Text(exercise.title)
                                                               .Int(exercise_position++)
                                                               .OptionalText(exercise.xapi_id))
                                 .status());
    }
  }
  return Status();
}

Status BatchWriter::WriteUsers(const domain::Section<domain::UserWrite>& section) {
  for (std::size_t i = 0; i < section.items.size() && !problems_.full(); ++i) {
    const domain::User& user = section.items[i].user;
    const std::optional<std::string>& password_hash = section.items[i].password_hash;
    const std::string folded = domain::FoldEmail(user.email);
    {
      Result<Rows> owner =
          db_.Run(sql::kFindUserKeyByEmail, Params().Int(account_.value).Text(folded));
      if (!owner.ok()) return owner.status();
      if (!owner->empty() && owner->TextView(0, 0) != user.key) {
        problems_.Conflict(
            ItemDetail(section.origin, i, "/email",
                       fmt::format("email '{}' is already used by another user", user.email)));
        continue;
      }
    }
    Params upsert;
    upsert.Int(account_.value)
        .Text(user.key)
        .Text(user.name)
        .Text(user.email)
        .Text(folded)
        .Int(user.roles.bits)
        .Bool(user.active);
    if (password_hash) {
      upsert.Text(*password_hash);
    } else {
      upsert.Null();
    }
    Result<std::int64_t> user_id = SingleInt(sql::kUpsertUser, upsert);
    if (!user_id.ok()) return user_id.status();
    users_[user.key] = user_id.value();
    if (password_hash) {
      // A new password signs the user out everywhere (SPEC §5).
      COHORT_RETURN_IF_ERROR(
          db_.Run(sql::kDeleteOtherSessions, Params().Int(user_id.value()).Int(0)).status());
    }
    COHORT_RETURN_IF_ERROR(db_.Run(sql::kClearMemberships, Params().Int(user_id.value())).status());
    for (std::size_t g = 0; g < user.groups.size(); ++g) {
      Result<std::int64_t> group_id = GroupId(user.groups[g]);
      if (!group_id.ok()) return group_id.status();
      if (group_id.value() == kUnknown) {
        problems_.Invalid(ItemDetail(section.origin, i, fmt::format("/groups/{}", g),
                                     fmt::format("group '{}' is unknown", user.groups[g])));
        continue;
      }
      COHORT_RETURN_IF_ERROR(
          db_.Run(sql::kInsertMembership,
                  Params().Int(account_.value).Int(group_id.value()).Int(user_id.value()))
              .status());
    }
  }
  return problems_.ToStatus();
}

Status BatchWriter::WriteGroupManagers(const domain::Section<domain::Group>& section) {
  for (std::size_t i = 0; i < section.items.size() && !problems_.full(); ++i) {
    const domain::Group& group = section.items[i];
    const std::int64_t group_id = groups_.at(group.key);  // written by WriteGroups
    COHORT_RETURN_IF_ERROR(db_.Run(sql::kClearGroupManagers, Params().Int(group_id)).status());
    for (std::size_t m = 0; m < group.managers.size(); ++m) {
      Result<std::int64_t> user_id = UserId(group.managers[m]);
      if (!user_id.ok()) return user_id.status();
      if (user_id.value() == kUnknown) {
        problems_.Invalid(ItemDetail(section.origin, i, fmt::format("/managers/{}", m),
                                     fmt::format("user '{}' is unknown", group.managers[m])));
        continue;
      }
      COHORT_RETURN_IF_ERROR(
          db_.Run(sql::kInsertGroupManager,
                  Params().Int(account_.value).Int(group_id).Int(user_id.value()))
              .status());
    }
  }
  return problems_.ToStatus();
}

Result<std::pair<std::int64_t, std::int64_t>> BatchWriter::ResolveEnrollment(
    const domain::Enrollment& e, std::size_t item, const domain::Origin& origin) {
  Result<std::int64_t> user_id = UserId(e.user);
  if (!user_id.ok()) return user_id.status();
  Result<const CourseEntry*> course = Course(e.course);
  if (!course.ok()) return course.status();
  if (user_id.value() == kUnknown) {
    problems_.Invalid(
        ItemDetail(origin, item, "/user", fmt::format("user '{}' is unknown", e.user)));
  }
  if (course.value()->id == kUnknown) {
    problems_.Invalid(
        ItemDetail(origin, item, "/course", fmt::format("course '{}' is unknown", e.course)));
  }
  if (user_id.value() == kUnknown || course.value()->id == kUnknown) {
    return std::pair<std::int64_t, std::int64_t>(kUnknown, kUnknown);
  }
  return std::pair<std::int64_t, std::int64_t>(user_id.value(), course.value()->id);
}

Status BatchWriter::WriteEnrollments(const domain::Section<domain::Enrollment>& section) {
  for (std::size_t i = 0; i < section.items.size() && !problems_.full(); ++i) {
    const domain::Enrollment& e = section.items[i];
    Result<std::pair<std::int64_t, std::int64_t>> ids = ResolveEnrollment(e, i, section.origin);
    if (!ids.ok()) return ids.status();
    const auto [user_id, course_id] = ids.value();
    if (user_id == kUnknown) continue;
    Result<Rows> found = db_.Run(sql::kFindEnrollment, Params().Int(user_id).Int(course_id));
    if (!found.ok()) return found.status();
    COHORT_RETURN_IF_ERROR(db_.Run(sql::kUpsertEnrollment,
                                   Params()
                                       .Int(account_.value)
                                       .Int(user_id)
                                       .Int(course_id)
                                       .Int(e.enrolled_at.value_or(now_).ms)
                                       .Bool(false))  // set by a PUT: attempts do not move it
                               .status());
    if (found->empty()) ++summary_.enrolled;
  }
  return problems_.ToStatus();
}

Status BatchWriter::WriteCertifications(
    const domain::Section<domain::ImportedCertification>& section) {
  for (std::size_t i = 0; i < section.items.size() && !problems_.full(); ++i) {
    const domain::ImportedCertification& c = section.items[i];
    Result<std::pair<std::int64_t, std::int64_t>> ids =
        ResolveEnrollment({c.user, c.course, std::nullopt}, i, section.origin);
    if (!ids.ok()) return ids.status();
    const auto [user_id, course_id] = ids.value();
    if (user_id == kUnknown) continue;
    Result<Rows> stored = db_.Run(sql::kFindCertification,
                                  Params().Int(user_id).Int(course_id).Int(c.issued_at.ms));
    if (!stored.ok()) return stored.status();
    if (!stored->empty()) {
      if (stored->OptionalInt(0, 0) != Ms(c.expires_at)) {
        problems_.Conflict(
            ItemDetail(section.origin, i, "/expires_at",
                       fmt::format("a certification of '{}' in '{}' issued at that time was "
                                   "already imported with another expiry",
                                   c.user, c.course)));
      }
      continue;  // identical: already stored
    }
    COHORT_RETURN_IF_ERROR(db_.Run(sql::kInsertCertification, Params()
                                                                  .Int(account_.value)
                                                                  .Int(user_id)
                                                                  .Int(course_id)
                                                                  .Int(c.issued_at.ms)
                                                                  .OptionalInt(Ms(c.expires_at)))
                               .status());
  }
  return problems_.ToStatus();
}

Status BatchWriter::RemoveEnrollments(const domain::Section<domain::Enrollment>& section) {
  for (std::size_t i = 0; i < section.items.size() && !problems_.full(); ++i) {
    Result<std::pair<std::int64_t, std::int64_t>> ids =
        ResolveEnrollment(section.items[i], i, section.origin);
    if (!ids.ok()) return ids.status();
    const auto [user_id, course_id] = ids.value();
    if (user_id == kUnknown) continue;
    COHORT_RETURN_IF_ERROR(
        db_.Run(sql::kDeleteEnrollment, Params().Int(user_id).Int(course_id)).status());
  }
  return problems_.ToStatus();
}

Status BatchWriter::WriteAttempts(const domain::Section<domain::Attempt>& section,
                                  const std::function<void(std::size_t, std::size_t)>& progress) {
  for (std::size_t i = 0; i < section.items.size() && !problems_.full(); ++i) {
    if (progress && i % 8192 == 0) progress(i, section.items.size());
    const domain::Attempt& attempt = section.items[i];
    Result<std::int64_t> user_id = UserId(attempt.user);
    if (!user_id.ok()) return user_id.status();
    Result<const CourseEntry*> course = Course(attempt.course);
    if (!course.ok()) return course.status();
    std::int64_t exercise_id = kUnknown;
    if (user_id.value() == kUnknown) {
      problems_.Invalid(ItemDetail(section.origin, i, "/user",
                                   fmt::format("user '{}' is unknown", attempt.user)));
    }
    if (course.value()->id == kUnknown) {
      problems_.Invalid(ItemDetail(section.origin, i, "/course",
                                   fmt::format("course '{}' is unknown", attempt.course)));
    } else {
      const auto found = course.value()->exercises.find(attempt.exercise);
      if (found == course.value()->exercises.end()) {
        problems_.Invalid(ItemDetail(section.origin, i, "/exercise",
                                     fmt::format("exercise '{}' is unknown in course '{}'",
                                                 attempt.exercise, attempt.course)));
      } else if (found->second.removed) {
        problems_.Invalid(ItemDetail(section.origin, i, "/exercise",
                                     fmt::format("exercise '{}' was removed from course '{}'",
                                                 attempt.exercise, attempt.course)));
      } else {
        exercise_id = found->second.id;
      }
    }
    if (user_id.value() == kUnknown || exercise_id == kUnknown) continue;
    pending_attempts_.push_back(
        {&attempt, i, user_id.value(), course.value()->id, exercise_id, false});
    if (pending_attempts_.size() == kAttemptsPerInsert) {
      COHORT_RETURN_IF_ERROR(FlushAttempts(section.origin));
    }
  }
  COHORT_RETURN_IF_ERROR(FlushAttempts(section.origin));
  COHORT_RETURN_IF_ERROR(problems_.ToStatus());
  if (progress) progress(section.items.size(), section.items.size());
  return FlushAttemptEnrollments();
}

Status BatchWriter::InsertPendingAttempts() {
  Params params;
  std::string encoded;
  for (const PendingAttempt& p : pending_attempts_) {
    const domain::Attempt& a = *p.attempt;
    EncodeResponses(a, encoded);
    params.Int(account_.value)
        .Text(a.id)
        .Int(p.user_id)
        .Int(p.course_id)
        .Int(p.exercise_id)
        .Int(a.started_at.ms)
        .OptionalInt(Ms(a.finished_at))
        .Text(encoded);
  }
  static const std::string kFull = InsertAttemptsSql(kAttemptsPerInsert);
  Result<Rows> rows =
      pending_attempts_.size() == kAttemptsPerInsert
          ? db_.Run(Statement{"insert_attempts_32", kFull.c_str()}, params)
          : db_.Query(InsertAttemptsSql(pending_attempts_.size()).c_str(), params);
  if (!rows.ok()) return rows.status();
  // The ids the unique constraint let in, with their rows; an id twice in the chunk goes in once
  // (the first).
  std::unordered_map<std::string_view, std::int64_t> inserted;
  for (int r = 0; r < rows->size(); ++r) inserted.emplace(rows->TextView(r, 0), rows->Int(r, 1));
  for (PendingAttempt& p : pending_attempts_) {
    const auto found = inserted.find(p.attempt->id);
    p.inserted = found != inserted.end();
    if (p.inserted) {
      inserted_rows_.push_back(found->second);
      inserted.erase(found);
    }
  }
  return Status();
}

Status BatchWriter::FlushAttempts(const domain::Origin& origin) {
  if (pending_attempts_.empty()) return Status();
  COHORT_RETURN_IF_ERROR(InsertPendingAttempts());
  for (const PendingAttempt& pending : pending_attempts_) {
    if (!pending.inserted) continue;
    const domain::Attempt& attempt = *pending.attempt;
    ++summary_.accepted;
    summary_.responses += attempt.responses.size();
    summary_.new_attempts.push_back(static_cast<std::uint32_t>(pending.item));
    COHORT_RETURN_IF_ERROR(
        NoteAttemptEnrollment(pending.user_id, pending.course_id, attempt.started_at));
  }
  for (const PendingAttempt& pending : pending_attempts_) {
    if (pending.inserted) continue;
    // The id was stored before (maybe earlier in this batch): identical content is a no-op.
    const domain::Attempt& attempt = *pending.attempt;
    Result<std::optional<domain::Attempt>> stored = LoadAttempt(db_, account_, attempt.id);
    if (!stored.ok()) return stored.status();
    if (stored.value() && *stored.value() == attempt) {
      ++summary_.duplicates;
    } else {
      problems_.Conflict(ItemDetail(
          origin, pending.item, "/id",
          fmt::format("attempt '{}' was already stored with different content", attempt.id)));
    }
  }
  pending_attempts_.clear();
  return Status();
}

Status BatchWriter::NoteAttemptEnrollment(std::int64_t user_id, std::int64_t course_id,
                                          Instant started_at) {
  auto [it, inserted] = enrollments_.try_emplace({user_id, course_id});
  EnrollmentEntry& e = it->second;
  if (inserted) {
    Result<Rows> found = db_.Run(sql::kFindEnrollment, Params().Int(user_id).Int(course_id));
    if (!found.ok()) return found.status();
    if (!found->empty()) {
      e.enrolled_at = found->Int(0, 0);
      e.by_attempts = found->Bool(0, 1);
    } else {
      // Not enrolled: from the earliest attempt in the course, which may be older than this
      // batch when an enrollment was removed and attempts came again.
      Result<Rows> earliest = db_.Run(sql::kEarliestAttempt,
                                      Params().Int(account_.value).Int(user_id).Int(course_id));
      if (!earliest.ok()) return earliest.status();
      e.enrolled_at =
          std::min(earliest->OptionalInt(0, 0).value_or(started_at.ms), started_at.ms);
      e.by_attempts = true;
      e.is_new = true;
      e.dirty = true;
    }
  }
  if (e.by_attempts && started_at.ms < e.enrolled_at) {
    e.enrolled_at = started_at.ms;
    e.dirty = true;
  }
  return Status();
}

Status BatchWriter::FlushAttemptEnrollments() {
  for (const auto& [key, e] : enrollments_) {
    if (!e.dirty) continue;
    COHORT_RETURN_IF_ERROR(
        db_.Run(sql::kUpsertEnrollment,
                Params().Int(account_.value).Int(key.first).Int(key.second).Int(e.enrolled_at).Bool(
                    true))
            .status());
    if (e.is_new) ++summary_.enrolled;
  }
  enrollments_.clear();
  return Status();
}

Status BatchWriter::RemoveUsers(const std::vector<domain::UserRemoval>& removals) {
  for (const domain::UserRemoval& removal : removals) {
    Result<std::int64_t> user_id = UserId(removal.user);
    if (!user_id.ok()) return user_id.status();
    if (user_id.value() == kUnknown) {
      problems_.Invalid({std::nullopt, "", fmt::format("user '{}' is unknown", removal.user)});
      continue;
    }
    if (removal.erase) {
      COHORT_RETURN_IF_ERROR(db_.Run(sql::kEraseUser, Params().Int(user_id.value())).status());
      users_[removal.user] = kUnknown;
    } else {
      COHORT_RETURN_IF_ERROR(
          db_.Run(sql::kDeactivateUser, Params().Int(user_id.value())).status());
    }
  }
  return problems_.ToStatus();
}

Result<std::int64_t> BatchWriter::UserId(const std::string& key) {
  const auto found = users_.find(key);
  if (found != users_.end()) return found->second;
  Result<Rows> rows = db_.Run(sql::kFindUserId, Params().Int(account_.value).Text(key));
  if (!rows.ok()) return rows.status();
  const std::int64_t id = rows->empty() ? kUnknown : rows->Int(0, 0);
  users_.emplace(key, id);
  return id;
}

Result<std::int64_t> BatchWriter::GroupId(const std::string& key) {
  const auto found = groups_.find(key);
  if (found != groups_.end()) return found->second;
  Result<Rows> rows = db_.Run(sql::kFindGroupId, Params().Int(account_.value).Text(key));
  if (!rows.ok()) return rows.status();
  const std::int64_t id = rows->empty() ? kUnknown : rows->Int(0, 0);
  groups_.emplace(key, id);
  return id;
}

Result<const BatchWriter::CourseEntry*> BatchWriter::Course(const std::string& key) {
  const auto found = courses_.find(key);
  if (found != courses_.end()) return &found->second;
  CourseEntry& entry = courses_[key];
  Result<Rows> course = db_.Run(sql::kFindCourseId, Params().Int(account_.value).Text(key));
  if (!course.ok()) return course.status();
  if (course->empty()) return &entry;
  entry.id = course->Int(0, 0);
  Result<Rows> exercises = db_.Run(sql::kCourseExerciseIds, Params().Int(entry.id));
  if (!exercises.ok()) return exercises.status();
  for (int r = 0; r < exercises->size(); ++r) {
    entry.exercises[exercises->Text(r, 0)] =
        ExerciseEntry{exercises->Int(r, 1), exercises->Bool(r, 2)};
  }
  return &entry;
}

Result<std::optional<domain::Attempt>> LoadAttempt(Connection& connection, AccountId account,
                                                   std::string_view attempt_id) {
  Result<Rows> rows =
      connection.Run(sql::kFindAttempt, Params().Int(account.value).Text(attempt_id));
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<domain::Attempt>();
  domain::Attempt attempt;
  attempt.id = std::string(attempt_id);
  attempt.user = rows->Text(0, 1);
  attempt.course = rows->Text(0, 2);
  attempt.exercise = rows->Text(0, 3);
  attempt.started_at = Instant{rows->Int(0, 4)};
  if (!rows->IsNull(0, 5)) attempt.finished_at = Instant{rows->Int(0, 5)};
  COHORT_RETURN_IF_ERROR(
      DecodeResponses(rows->TextView(0, 6), attempt.started_at, attempt.responses));
  return std::optional<domain::Attempt>(std::move(attempt));
}

}  // namespace cohort::store::postgres

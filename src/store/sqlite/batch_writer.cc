#include "store/sqlite/batch_writer.h"

#include <fmt/format.h>

#include <algorithm>

#include "domain/course.h"
#include "domain/user.h"
#include "store/batch_problems.h"
#include "store/response_codec.h"

namespace cohort::store::sqlite {
namespace {

ErrorDetail Detail(const domain::Origin& origin, std::size_t item, std::string_view field,
                   std::string reason) {
  return ItemDetail(origin, item, field, std::move(reason));
}

// Reads the single integer a RETURNING clause or a one-row SELECT gives.
Result<std::int64_t> SingleInt(Query& query) {
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!row.value()) return Status::Internal("the database returned no row");
  return query.Int(0);
}

}  // namespace

Result<domain::WriteSummary> BatchWriter::Run(const domain::WriteBatch& batch) {
  COHORT_RETURN_IF_ERROR(WriteGroups(batch.groups));
  COHORT_RETURN_IF_ERROR(WriteCourses(batch.courses));
  COHORT_RETURN_IF_ERROR(WriteUsers(batch.users));
  COHORT_RETURN_IF_ERROR(WriteGroupManagers(batch.groups));
  COHORT_RETURN_IF_ERROR(WriteEnrollments(batch.enrollments));
  COHORT_RETURN_IF_ERROR(RemoveEnrollments(batch.enrollment_removals));
  COHORT_RETURN_IF_ERROR(WriteStatements(batch));
  COHORT_RETURN_IF_ERROR(WriteAttempts(batch.attempts, batch.progress));
  COHORT_RETURN_IF_ERROR(WriteCertifications(batch.certifications));
  COHORT_RETURN_IF_ERROR(RemoveUsers(batch.user_removals));
  return summary_;
}

Status BatchWriter::WriteStatements(const domain::WriteBatch& batch) {
  for (const domain::StatementWrite& statement : batch.statements.items) {
    std::optional<std::int64_t> user_id;
    if (statement.user) {
      Result<std::int64_t> id = UserId(*statement.user);
      if (!id.ok()) return id.status();
      if (id.value() != kUnknown) user_id = id.value();
    }
    Query query(st_.insert_statement);
    query.BindInt(1, account_.value);
    query.BindText(2, statement.id);
    query.BindInt(3, statement.stored.ms);
    query.BindText(4, statement.body);
    query.BindText(5, statement.verb);
    const auto optional_text = [&query](int index, const std::optional<std::string>& value) {
      if (value) {
        query.BindText(index, *value);
      } else {
        query.BindNull(index);
      }
    };
    optional_text(6, statement.activity);
    optional_text(7, statement.registration);
    optional_text(8, statement.voids);
    query.BindOptionalInt(9, user_id);
    optional_text(10, statement.attempt);
    query.BindText(11, statement.outcome);
    optional_text(12, statement.actor_hint);
    Result<std::int64_t> seq = SingleInt(query);
    if (!seq.ok()) return seq.status();
    for (const auto& [kind, value] : statement.refs) {
      Query ref(st_.insert_statement_ref);
      ref.BindInt(1, account_.value);
      ref.BindInt(2, kind);
      ref.BindText(3, value);
      ref.BindInt(4, seq.value());
      COHORT_RETURN_IF_ERROR(ref.Run());
    }
  }
  for (const std::string& id : batch.statements_voided) {
    Query query(st_.void_statement);
    query.BindInt(1, account_.value);
    query.BindText(2, id);
    COHORT_RETURN_IF_ERROR(query.Run());
  }
  for (const domain::StatementMapping& mapping : batch.statements_mapped) {
    Result<std::int64_t> user_id = UserId(mapping.user);
    if (!user_id.ok()) return user_id.status();
    Query query(st_.map_statement);
    query.BindInt(1, account_.value);
    query.BindText(2, mapping.id);
    query.BindText(3, mapping.attempt);
    query.BindOptionalInt(4, user_id.value() == kUnknown ? std::nullopt
                                                         : std::optional(user_id.value()));
    COHORT_RETURN_IF_ERROR(query.Run());
  }
  for (const domain::ReplacedAttempt& replaced : batch.attempts_replaced) {
    Query query(st_.delete_attempt);
    query.BindInt(1, account_.value);
    query.BindText(2, replaced.id);
    COHORT_RETURN_IF_ERROR(query.Run());
  }
  return Status();
}

Status BatchWriter::WriteGroups(const domain::Section<domain::Group>& section) {
  for (const domain::Group& group : section.items) {
    Query query(st_.upsert_group);
    query.BindInt(1, account_.value);
    query.BindText(2, group.key);
    query.BindText(3, group.name);
    Result<std::int64_t> id = SingleInt(query);
    if (!id.ok()) return id.status();
    groups_[group.key] = id.value();
  }
  return Status();
}

Status BatchWriter::WriteCourses(const domain::Section<domain::Course>& section) {
  for (const domain::Course& course : section.items) {
    COHORT_RETURN_IF_ERROR(WriteCourse(course));
  }
  return Status();
}

Status BatchWriter::WriteCourse(const domain::Course& course) {
  courses_.erase(course.key);
  const domain::CourseSettings& s = course.settings;
  std::int64_t course_id = kUnknown;
  {
    Query query(st_.upsert_course);
    const std::string_view model = domain::MasteryModelName(s.mastery_model);
    query.BindInt(1, account_.value);
    query.BindText(2, course.key);
    query.BindText(3, course.title);
    query.BindText(4, model);
    query.BindInt(5, s.mastery_window);
    query.BindOptionalDouble(6, s.mastery_threshold);
    query.BindDouble(7, s.p_init);
    query.BindDouble(8, s.p_learn);
    query.BindDouble(9, s.p_guess);
    query.BindDouble(10, s.p_slip);
    query.BindInt(11, s.points_per_question);
    query.BindInt(12, s.max_attempt_seconds);
    query.BindDouble(13, s.certification_mastery);
    query.BindOptionalInt(14, s.certification_valid_days);
    query.BindInt(15, s.at_risk_days);
    Result<std::int64_t> id = SingleInt(query);
    if (!id.ok()) return id.status();
    course_id = id.value();
  }
  // Everything not listed again stays, marked removed; what is listed is (re)activated below.
  for (Statement* mark : {&st_.mark_chapters_removed, &st_.mark_exercises_removed}) {
    Query query(*mark);
    query.BindInt(1, course_id);
    COHORT_RETURN_IF_ERROR(query.Run());
  }
  std::int64_t exercise_position = 0;
  for (std::size_t c = 0; c < course.chapters.size(); ++c) {
    const domain::ChapterDef& chapter = course.chapters[c];
    std::int64_t chapter_id = kUnknown;
    {
      Query query(st_.upsert_chapter);
      query.BindInt(1, account_.value);
      query.BindInt(2, course_id);
      query.BindText(3, chapter.key);
      query.BindText(4, chapter.title);
      query.BindInt(5, static_cast<std::int64_t>(c));
      Result<std::int64_t> id = SingleInt(query);
      if (!id.ok()) return id.status();
      chapter_id = id.value();
    }
    for (const domain::ExerciseDef& exercise : chapter.exercises) {
      Query query(st_.upsert_exercise);
      query.BindInt(1, account_.value);
      query.BindInt(2, course_id);
      query.BindInt(3, chapter_id);
      query.BindText(4, exercise.key);
      query.BindText(5, exercise.title);
      query.BindInt(6, exercise_position++);
      if (exercise.xapi_id) {
        query.BindText(7, *exercise.xapi_id);
      } else {
        query.BindNull(7);
      }
      COHORT_RETURN_IF_ERROR(query.Run());
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
      Query query(st_.find_user_key_by_email);
      query.BindInt(1, account_.value);
      query.BindText(2, folded);
      Result<bool> row = query.Step();
      if (!row.ok()) return row.status();
      if (row.value() && query.Text(0) != user.key) {
        problems_.Conflict(
            Detail(section.origin, i, "/email",
                   fmt::format("email '{}' is already used by another user", user.email)));
        continue;
      }
    }
    std::int64_t user_id = kUnknown;
    {
      Query query(st_.upsert_user);
      query.BindInt(1, account_.value);
      query.BindText(2, user.key);
      query.BindText(3, user.name);
      query.BindText(4, user.email);
      query.BindText(5, folded);
      query.BindInt(6, user.roles.bits);
      query.BindInt(7, user.active ? 1 : 0);
      if (password_hash) {
        query.BindText(8, *password_hash);
      } else {
        query.BindNull(8);
      }
      Result<std::int64_t> id = SingleInt(query);
      if (!id.ok()) return id.status();
      user_id = id.value();
    }
    users_[user.key] = user_id;
    if (password_hash) {
      // A new password signs the user out everywhere (SPEC §5).
      Query query(st_.erase_sessions);
      query.BindInt(1, user_id);
      COHORT_RETURN_IF_ERROR(query.Run());
    }
    {
      Query query(st_.clear_memberships);
      query.BindInt(1, user_id);
      COHORT_RETURN_IF_ERROR(query.Run());
    }
    for (std::size_t g = 0; g < user.groups.size(); ++g) {
      Result<std::int64_t> group_id = GroupId(user.groups[g]);
      if (!group_id.ok()) return group_id.status();
      if (group_id.value() == kUnknown) {
        problems_.Invalid(Detail(section.origin, i, fmt::format("/groups/{}", g),
                                 fmt::format("group '{}' is unknown", user.groups[g])));
        continue;
      }
      Query query(st_.insert_membership);
      query.BindInt(1, account_.value);
      query.BindInt(2, group_id.value());
      query.BindInt(3, user_id);
      COHORT_RETURN_IF_ERROR(query.Run());
    }
  }
  return problems_.ToStatus();
}

Status BatchWriter::WriteGroupManagers(const domain::Section<domain::Group>& section) {
  for (std::size_t i = 0; i < section.items.size() && !problems_.full(); ++i) {
    const domain::Group& group = section.items[i];
    const std::int64_t group_id = groups_.at(group.key);  // written by WriteGroups
    {
      Query query(st_.clear_group_managers);
      query.BindInt(1, group_id);
      COHORT_RETURN_IF_ERROR(query.Run());
    }
    for (std::size_t m = 0; m < group.managers.size(); ++m) {
      Result<std::int64_t> user_id = UserId(group.managers[m]);
      if (!user_id.ok()) return user_id.status();
      if (user_id.value() == kUnknown) {
        problems_.Invalid(Detail(section.origin, i, fmt::format("/managers/{}", m),
                                 fmt::format("user '{}' is unknown", group.managers[m])));
        continue;
      }
      Query query(st_.insert_group_manager);
      query.BindInt(1, account_.value);
      query.BindInt(2, group_id);
      query.BindInt(3, user_id.value());
      COHORT_RETURN_IF_ERROR(query.Run());
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
    problems_.Invalid(Detail(origin, item, "/user", fmt::format("user '{}' is unknown", e.user)));
  }
  if (course.value()->id == kUnknown) {
    problems_.Invalid(
        Detail(origin, item, "/course", fmt::format("course '{}' is unknown", e.course)));
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
    bool exists = false;
    {
      Query query(st_.find_enrollment);
      query.BindInt(1, user_id);
      query.BindInt(2, course_id);
      Result<bool> row = query.Step();
      if (!row.ok()) return row.status();
      exists = row.value();
    }
    Query query(st_.upsert_enrollment);
    query.BindInt(1, account_.value);
    query.BindInt(2, user_id);
    query.BindInt(3, course_id);
    query.BindInt(4, e.enrolled_at.value_or(now_).ms);
    query.BindInt(5, 0);  // set by a PUT: later attempts do not move it
    COHORT_RETURN_IF_ERROR(query.Run());
    if (!exists) ++summary_.enrolled;
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
    {
      Query query(st_.find_certification);
      query.BindInt(1, user_id);
      query.BindInt(2, course_id);
      query.BindInt(3, c.issued_at.ms);
      Result<bool> row = query.Step();
      if (!row.ok()) return row.status();
      if (row.value()) {
        const std::optional<std::int64_t> stored =
            query.IsNull(0) ? std::nullopt : std::optional<std::int64_t>(query.Int(0));
        const std::optional<std::int64_t> given =
            c.expires_at ? std::optional<std::int64_t>(c.expires_at->ms) : std::nullopt;
        if (stored != given) {
          problems_.Conflict(
              Detail(section.origin, i, "/expires_at",
                     fmt::format("a certification of '{}' in '{}' issued at that time was already "
                                 "imported with another expiry",
                                 c.user, c.course)));
        }
        continue;  // identical: already stored
      }
    }
    Query query(st_.insert_certification);
    query.BindInt(1, account_.value);
    query.BindInt(2, user_id);
    query.BindInt(3, course_id);
    query.BindInt(4, c.issued_at.ms);
    query.BindOptionalInt(
        5, c.expires_at ? std::optional<std::int64_t>(c.expires_at->ms) : std::nullopt);
    COHORT_RETURN_IF_ERROR(query.Run());
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
    Query query(st_.delete_enrollment);
    query.BindInt(1, user_id);
    query.BindInt(2, course_id);
    COHORT_RETURN_IF_ERROR(query.Run());
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
      problems_.Invalid(
          Detail(section.origin, i, "/user", fmt::format("user '{}' is unknown", attempt.user)));
    }
    if (course.value()->id == kUnknown) {
      problems_.Invalid(Detail(section.origin, i, "/course",
                               fmt::format("course '{}' is unknown", attempt.course)));
    } else {
      const auto found = course.value()->exercises.find(attempt.exercise);
      if (found == course.value()->exercises.end()) {
        problems_.Invalid(Detail(section.origin, i, "/exercise",
                                 fmt::format("exercise '{}' is unknown in course '{}'",
                                             attempt.exercise, attempt.course)));
      } else if (found->second.removed) {
        problems_.Invalid(Detail(section.origin, i, "/exercise",
                                 fmt::format("exercise '{}' was removed from course '{}'",
                                             attempt.exercise, attempt.course)));
      } else {
        exercise_id = found->second.id;
      }
    }
    if (user_id.value() == kUnknown || exercise_id == kUnknown) continue;
    pending_attempts_.push_back(
        {&attempt, i, user_id.value(), course.value()->id, exercise_id, kUnknown});
    if (pending_attempts_.size() == Statements::kAttemptsPerInsert) {
      COHORT_RETURN_IF_ERROR(FlushAttempts(section.origin));
    }
  }
  COHORT_RETURN_IF_ERROR(FlushAttempts(section.origin));
  COHORT_RETURN_IF_ERROR(problems_.ToStatus());
  if (progress) progress(section.items.size(), section.items.size());
  return FlushAttemptEnrollments();
}

void BatchWriter::BindAttempt(Query& query, int first_parameter, const PendingAttempt& pending,
                              std::string& encoded) const {
  const domain::Attempt& attempt = *pending.attempt;
  query.BindInt(first_parameter, pending.row);
  query.BindInt(first_parameter + 1, account_.value);
  query.BindText(first_parameter + 2, attempt.id);
  query.BindInt(first_parameter + 3, pending.user_id);
  query.BindInt(first_parameter + 4, pending.course_id);
  query.BindInt(first_parameter + 5, pending.exercise_id);
  query.BindInt(first_parameter + 6, attempt.started_at.ms);
  query.BindOptionalInt(first_parameter + 7, attempt.finished_at
                                                 ? std::optional(attempt.finished_at->ms)
                                                 : std::nullopt);
  EncodeResponses(attempt, encoded);
  query.BindText(first_parameter + 8, encoded);  // `encoded` outlives the statement's run
}

Status BatchWriter::InsertPendingAttempts() {
  // Row ids are given, counting up from the largest stored one: the write lock keeps anyone
  // else from taking them, rows appended in id order are the cheapest to insert, and a row
  // that was not inserted (its client id is stored) is simply missing from the range.
  if (next_attempt_row_ == kUnknown) {
    Query query(st_.next_attempt_id);
    Result<std::int64_t> next = SingleInt(query);
    if (!next.ok()) return next.status();
    next_attempt_row_ = next.value();
  }
  for (PendingAttempt& pending : pending_attempts_) pending.row = next_attempt_row_++;

  if (pending_attempts_.size() != Statements::kAttemptsPerInsert) {
    for (PendingAttempt& pending : pending_attempts_) {
      Query query(st_.insert_attempt);
      BindAttempt(query, 1, pending, encoded_[0]);
      COHORT_RETURN_IF_ERROR(query.Run());
      if (query.Changes() == 0) pending.row = kUnknown;
    }
    return Status();
  }
  {
    Query query(st_.insert_attempts);
    for (std::size_t k = 0; k < pending_attempts_.size(); ++k) {
      BindAttempt(query, static_cast<int>(k) * Statements::kAttemptParameters + 1,
                  pending_attempts_[k], encoded_[k]);
    }
    COHORT_RETURN_IF_ERROR(query.Run());
    if (query.Changes() == static_cast<std::int64_t>(pending_attempts_.size())) return Status();
  }
  // Some ids were stored already: the rows present in the range are the ones inserted.
  Query query(st_.attempt_ids_between);
  query.BindInt(1, pending_attempts_.front().row);
  query.BindInt(2, pending_attempts_.back().row);
  std::size_t k = 0;
  while (true) {
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    const std::int64_t inserted = row.value() ? query.Int(0) : next_attempt_row_;
    for (; k < pending_attempts_.size() && pending_attempts_[k].row < inserted; ++k) {
      pending_attempts_[k].row = kUnknown;
    }
    if (!row.value()) return Status();
    ++k;  // pending_attempts_[k].row == inserted
  }
}

Status BatchWriter::FlushAttempts(const domain::Origin& origin) {
  if (pending_attempts_.empty()) return Status();
  COHORT_RETURN_IF_ERROR(InsertPendingAttempts());
  for (const PendingAttempt& pending : pending_attempts_) {
    if (pending.row == kUnknown) continue;
    const domain::Attempt& attempt = *pending.attempt;
    ++summary_.accepted;
    summary_.responses += attempt.responses.size();
    summary_.new_attempts.push_back(static_cast<std::uint32_t>(pending.item));
    COHORT_RETURN_IF_ERROR(
        NoteAttemptEnrollment(pending.user_id, pending.course_id, attempt.started_at));
  }
  for (const PendingAttempt& pending : pending_attempts_) {
    if (pending.row != kUnknown) continue;
    // The id was stored before (maybe earlier in this batch): identical content is a no-op.
    const domain::Attempt& attempt = *pending.attempt;
    Result<std::optional<domain::Attempt>> stored = LoadAttempt(st_, account_, attempt.id);
    if (!stored.ok()) return stored.status();
    if (stored.value() && *stored.value() == attempt) {
      ++summary_.duplicates;
    } else {
      problems_.Conflict(Detail(
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
    Query query(st_.find_enrollment);
    query.BindInt(1, user_id);
    query.BindInt(2, course_id);
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (row.value()) {
      e.enrolled_at = query.Int(0);
      e.by_attempts = query.Int(1) != 0;
    } else {
      // Not enrolled: from the earliest attempt in the course, which may be older than this
      // batch when an enrollment was removed and attempts came again.
      Query earliest(st_.earliest_attempt);
      earliest.BindInt(1, user_id);
      earliest.BindInt(2, course_id);
      Result<bool> min_row = earliest.Step();
      if (!min_row.ok()) return min_row.status();
      e.enrolled_at = std::min(earliest.OptionalInt(0).value_or(started_at.ms), started_at.ms);
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
    Query query(st_.upsert_enrollment);
    query.BindInt(1, account_.value);
    query.BindInt(2, key.first);
    query.BindInt(3, key.second);
    query.BindInt(4, e.enrolled_at);
    query.BindInt(5, 1);
    COHORT_RETURN_IF_ERROR(query.Run());
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
      COHORT_RETURN_IF_ERROR(EraseUser(user_id.value()));
      users_[removal.user] = kUnknown;
    } else {
      Query query(st_.deactivate_user);
      query.BindInt(1, user_id.value());
      COHORT_RETURN_IF_ERROR(query.Run());
    }
  }
  return problems_.ToStatus();
}

Status BatchWriter::EraseUser(std::int64_t user_id) {
  // Children first, so that the foreign keys hold at every step.
  for (Statement* erase :
       {&st_.erase_statements, &st_.erase_statements_by_actor, &st_.erase_documents_by_actor,
        &st_.erase_attempts, &st_.erase_enrollments, &st_.erase_memberships,
        &st_.erase_managed_groups, &st_.erase_awards, &st_.clear_granted_by,
        &st_.erase_certifications, &st_.erase_sessions, &st_.erase_user}) {
    Query query(*erase);
    query.BindInt(1, user_id);
    COHORT_RETURN_IF_ERROR(query.Run());
  }
  return Status();
}

Result<std::int64_t> BatchWriter::UserId(const std::string& key) {
  const auto found = users_.find(key);
  if (found != users_.end()) return found->second;
  Query query(st_.find_user_id);
  query.BindInt(1, account_.value);
  query.BindText(2, key);
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  const std::int64_t id = row.value() ? query.Int(0) : kUnknown;
  users_.emplace(key, id);
  return id;
}

Result<std::int64_t> BatchWriter::GroupId(const std::string& key) {
  const auto found = groups_.find(key);
  if (found != groups_.end()) return found->second;
  Query query(st_.find_group_id);
  query.BindInt(1, account_.value);
  query.BindText(2, key);
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  const std::int64_t id = row.value() ? query.Int(0) : kUnknown;
  groups_.emplace(key, id);
  return id;
}

Result<const BatchWriter::CourseEntry*> BatchWriter::Course(const std::string& key) {
  const auto found = courses_.find(key);
  if (found != courses_.end()) return &found->second;
  CourseEntry& entry = courses_[key];
  {
    Query query(st_.find_course);
    query.BindInt(1, account_.value);
    query.BindText(2, key);
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return &entry;
    entry.id = query.Int(0);
  }
  Query query(st_.course_exercise_ids);
  query.BindInt(1, entry.id);
  while (true) {
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) break;
    entry.exercises[query.Text(0)] = ExerciseEntry{query.Int(1), query.Int(2) != 0};
  }
  return &entry;
}

}  // namespace cohort::store::sqlite

#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "domain/write_batch.h"
#include "store/batch_problems.h"
#include "store/sqlite/statements.h"
#include "store/store.h"

namespace cohort::store::sqlite {

// Applies one WriteBatch on the writer connection, for Store::Apply. Key lookups (users,
// groups, courses with their exercises, enrollments) are cached for the life of the writer,
// which is one Apply call: a batch of 100,000 attempts resolves each key once.
//
// Referential problems (unknown user, group, course, exercise; email taken; attempt id
// re-posted with other content) are collected, up to 100 details, and returned as kInvalid
// (or kConflict when there is no kInvalid) at the end of the section that found them; the
// sections after it are not run.
//
// Not thread-safe; used under the writer mutex. Requires: the caller holds a write transaction
// and rolls it back when Run fails (a failed Run leaves partial writes in it).
class BatchWriter {
 public:
  BatchWriter(Statements& statements, AccountId account, Instant now)
      : st_(statements), account_(account), now_(now) {}
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Applies `batch` in the order WriteBatch documents. Returns what it did.
  Result<domain::WriteSummary> Run(const domain::WriteBatch& batch);

 private:
  static constexpr std::int64_t kUnknown = 0;  // row ids start at 1

  struct ExerciseEntry {
    std::int64_t id = 0;
    bool removed = false;
  };
  struct CourseEntry {
    std::int64_t id = kUnknown;
    std::unordered_map<std::string, ExerciseEntry> exercises;  // by key, removed ones too
  };
  // The enrollment of one (user, course) as this batch leaves it.
  struct EnrollmentEntry {
    std::int64_t enrolled_at = 0;
    bool by_attempts = true;  // enrolled_at follows the earliest attempt (not set by a PUT)
    bool is_new = false;      // no row before this batch's attempts
    bool dirty = false;       // to be written
  };
  // A resolved attempt waiting for a multi-row insert; it points into the batch being applied.
  struct PendingAttempt {
    const domain::Attempt* attempt = nullptr;
    std::size_t item = 0;  // index in its section
    std::int64_t user_id = 0, course_id = 0, exercise_id = 0;
    std::int64_t row = 0;  // the row id once inserted; kUnknown when its id was already stored
  };
  struct PairHash {
    std::size_t operator()(const std::pair<std::int64_t, std::int64_t>& p) const {
      return static_cast<std::size_t>(static_cast<std::uint64_t>(p.first) * 0x9E3779B97F4A7C15ULL ^
                                      static_cast<std::uint64_t>(p.second));
    }
  };

  Status WriteGroups(const domain::Section<domain::Group>& section);
  // The batch's xAPI statements with their refs, the voided flags, and the deletion of replaced
  // derived attempts (before the attempts are written).
  Status WriteStatements(const domain::WriteBatch& batch);
  Status WriteCourses(const domain::Section<domain::Course>& section);
  Status WriteCourse(const domain::Course& course);
  Status WriteUsers(const domain::Section<domain::UserWrite>& section);
  Status WriteGroupManagers(const domain::Section<domain::Group>& section);
  Status WriteEnrollments(const domain::Section<domain::Enrollment>& section);
  Status RemoveEnrollments(const domain::Section<domain::Enrollment>& section);
  Status WriteAttempts(const domain::Section<domain::Attempt>& section,
                       const std::function<void(std::size_t, std::size_t)>& progress);
  // Stores imported certifications: an identical one stored before is a no-op, one with the
  // same (user, course, issued_at) but another expiry a conflict.
  Status WriteCertifications(const domain::Section<domain::ImportedCertification>& section);
  Status RemoveUsers(const std::vector<domain::UserRemoval>& removals);

  // Inserts the pending attempts (one statement for a full chunk) and queues the responses of
  // those inserted; compares the others with the stored attempt of their id: identical →
  // counted as a duplicate, different → a conflict detail.
  Status FlushAttempts(const domain::Origin& origin);
  // Inserts the pending attempts, setting the `row` of each: its new row id, or kUnknown where
  // its client id was stored.
  Status InsertPendingAttempts();
  // Binds `pending` from parameter `first_parameter` on, its responses encoded into `encoded`
  // (which must outlive the statement's run).
  void BindAttempt(Query& query, int first_parameter, const PendingAttempt& pending,
                   std::string& encoded) const;
  // Enrolls `user_id` in `course_id` by an attempt started at `started_at` (SPEC §3.8).
  Status NoteAttemptEnrollment(std::int64_t user_id, std::int64_t course_id, Instant started_at);
  Status FlushAttemptEnrollments();
  Status EraseUser(std::int64_t user_id);

  // Row ids by key, kUnknown when absent.
  Result<std::int64_t> UserId(const std::string& key);
  Result<std::int64_t> GroupId(const std::string& key);
  // The course with its exercises; its id is kUnknown when absent.
  Result<const CourseEntry*> Course(const std::string& key);
  // Resolves a (user, course) pair of an enrollment item, adding details for unknown keys.
  // Returns {kUnknown, kUnknown} unless both are known.
  Result<std::pair<std::int64_t, std::int64_t>> ResolveEnrollment(const domain::Enrollment& e,
                                                                  std::size_t item,
                                                                  const domain::Origin& origin);

  Statements& st_;
  const AccountId account_;
  const Instant now_;
  domain::WriteSummary summary_;
  BatchProblems problems_;
  std::unordered_map<std::string, std::int64_t> users_;
  std::unordered_map<std::string, std::int64_t> groups_;
  std::unordered_map<std::string, CourseEntry> courses_;
  std::unordered_map<std::pair<std::int64_t, std::int64_t>, EnrollmentEntry, PairHash> enrollments_;
  std::int64_t next_attempt_row_ = kUnknown;  // the row id of the next attempt inserted
  std::vector<PendingAttempt> pending_attempts_;
  // The encoded responses of one multi-row insert, reused (their buffers keep their size).
  std::array<std::string, Statements::kAttemptsPerInsert> encoded_;
};

}  // namespace cohort::store::sqlite

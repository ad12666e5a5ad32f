#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/result.h"
#include "domain/write_batch.h"
#include "store/batch_problems.h"
#include "store/postgres/connection.h"
#include "store/store.h"

namespace cohort::store::postgres {

// Applies one WriteBatch on the writer connection, for Store::Apply: the PostgreSQL twin of
// store/sqlite/batch_writer.h, with the same order, the same answers and the same problems
// (BatchProblems). Attempts go in 32 rows per INSERT ... ON CONFLICT (account_id, client_id)
// DO NOTHING RETURNING client_id: the unique constraint, not a read before the write, decides
// which are new, so two processes posting the same id store it once.
//
// Not thread-safe. Requires: the caller holds a transaction and rolls it back (or back to its
// savepoint) when Run fails.
class BatchWriter {
 public:
  BatchWriter(Connection& connection, AccountId account, Instant now)
      : db_(connection), account_(account), now_(now) {}
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  Result<domain::WriteSummary> Run(const domain::WriteBatch& batch);

  // What `batch` changes, for the account's change log: "groups", "courses", "users",
  // "enrollments", "attempts", "certifications", "removals", in that order.
  static std::vector<std::string> Kinds(const domain::WriteBatch& batch);
  // The row ids of the attempts Run stored, in the order it stored them.
  const std::vector<std::int64_t>& inserted_rows() const { return inserted_rows_; }

 private:
  static constexpr std::int64_t kUnknown = 0;
  static constexpr std::size_t kAttemptsPerInsert = 32;

  struct ExerciseEntry {
    std::int64_t id = 0;
    bool removed = false;
  };
  struct CourseEntry {
    std::int64_t id = kUnknown;
    std::unordered_map<std::string, ExerciseEntry> exercises;
  };
  struct EnrollmentEntry {
    std::int64_t enrolled_at = 0;
    bool by_attempts = true;
    bool is_new = false;
    bool dirty = false;
  };
  struct PendingAttempt {
    const domain::Attempt* attempt = nullptr;
    std::size_t item = 0;
    std::int64_t user_id = 0, course_id = 0, exercise_id = 0;
    bool inserted = false;
  };
  struct PairHash {
    std::size_t operator()(const std::pair<std::int64_t, std::int64_t>& p) const {
      return static_cast<std::size_t>(static_cast<std::uint64_t>(p.first) * 0x9E3779B97F4A7C15ULL ^
                                      static_cast<std::uint64_t>(p.second));
    }
  };

  Status WriteGroups(const domain::Section<domain::Group>& section);
  Status WriteCourse(const domain::Course& course);
  Status WriteUsers(const domain::Section<domain::UserWrite>& section);
  Status WriteGroupManagers(const domain::Section<domain::Group>& section);
  Status WriteEnrollments(const domain::Section<domain::Enrollment>& section);
  Status RemoveEnrollments(const domain::Section<domain::Enrollment>& section);
  Status WriteAttempts(const domain::Section<domain::Attempt>& section,
                       const std::function<void(std::size_t, std::size_t)>& progress);
  Status WriteCertifications(const domain::Section<domain::ImportedCertification>& section);
  Status RemoveUsers(const std::vector<domain::UserRemoval>& removals);
  Status FlushAttempts(const domain::Origin& origin);
  Status InsertPendingAttempts();
  Status NoteAttemptEnrollment(std::int64_t user_id, std::int64_t course_id, Instant started_at);
  Status FlushAttemptEnrollments();

  Result<std::int64_t> UserId(const std::string& key);
  Result<std::int64_t> GroupId(const std::string& key);
  Result<const CourseEntry*> Course(const std::string& key);
  Result<std::pair<std::int64_t, std::int64_t>> ResolveEnrollment(const domain::Enrollment& e,
                                                                  std::size_t item,
                                                                  const domain::Origin& origin);
  // Runs a statement expected to return one row and answers its first column.
  Result<std::int64_t> SingleInt(const Statement& statement, const Params& params);

  Connection& db_;
  const AccountId account_;
  const Instant now_;
  domain::WriteSummary summary_;
  BatchProblems problems_;
  std::unordered_map<std::string, std::int64_t> users_;
  std::unordered_map<std::string, std::int64_t> groups_;
  std::unordered_map<std::string, CourseEntry> courses_;
  std::unordered_map<std::pair<std::int64_t, std::int64_t>, EnrollmentEntry, PairHash> enrollments_;
  std::vector<PendingAttempt> pending_attempts_;
  std::vector<std::int64_t> inserted_rows_;
};

// Records a committed change of `account` (within the caller's transaction): bumps
// accounts.change_seq, taking the account's row lock until the transaction ends, and appends
// (account, seq, kinds, attempt rows) to account_changes. Returns the new seq. kNotFound for an
// unknown account.
Result<std::int64_t> BumpChangeSeq(Connection& connection, AccountId account,
                                   std::string_view kinds,
                                   const std::vector<std::int64_t>& attempt_rows = {});

// The stored attempt `attempt_id` of `account`, or nullopt when there is none.
Result<std::optional<domain::Attempt>> LoadAttempt(Connection& connection, AccountId account,
                                                   std::string_view attempt_id);

}  // namespace cohort::store::postgres

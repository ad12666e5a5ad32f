#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/time.h"
#include "domain/attempt.h"
#include "domain/course.h"
#include "domain/user.h"

namespace cohort::domain {

// Where an item came from in the request body, so an error can name it: the JSON pointer of
// the list that holds it ("" for a body that is the list itself, "/attempts" in an import
// document), and whether the item sits in a list (then errors carry its index).
struct Origin {
  std::string list_pointer;
  bool indexed = true;
};

template <typename T>
struct Section {
  Origin origin;
  std::vector<T> items;
};

// `user.password` is the clear text as parsed; the service replaces it by `password_hash`
// (argon2id) before the batch reaches the store, which never sees a clear password.
struct UserWrite {
  User user;
  std::optional<std::string> password_hash;
};

// A certification earned elsewhere (an external exam, SPEC §3.5), imported with `cohort import`.
// Held from issued_at until expires_at (never expires when absent), like an issued one.
struct ImportedCertification {
  std::string user;
  std::string course;
  Instant issued_at;
  std::optional<Instant> expires_at;
  bool operator==(const ImportedCertification&) const = default;
};

// A user key that a request deactivates or erases.
struct UserRemoval {
  std::string user;
  bool erase = false;  // false: deactivate; true: remove the person and every event of theirs
};

// An xAPI statement as stored (docs/xapi.md): its stored form and what the LRS's queries filter
// on. Built by the service from a validated statement (xapi::Statement).
struct StatementWrite {
  std::string id;    // lower-case UUID, unique in the account
  std::string body;  // the stored form (xapi::StoredForm)
  Instant stored;
  std::string verb;
  std::optional<std::string> activity;      // the object's id when the object is an Activity
  std::optional<std::string> registration;  // lower-case UUID
  std::optional<std::string> voids;         // a voiding statement's target id
  // The user its actor names (for erasure), and the derived attempt it counts in, if any.
  std::optional<std::string> user;
  std::optional<std::string> attempt;
  std::string outcome;                    // "counted", or why it does not count
  std::optional<std::string> actor_hint;  // "key:<name>" or "email:<folded email>"
  // What the statement filters match: (kind, value) pairs, see StatementRefKind.
  std::vector<std::pair<int, std::string>> refs;
};

// Kinds of StatementWrite::refs.
enum StatementRefKind : int {
  kRefAgent = 1,            // GET ?agent= (actor, object agent, group members)
  kRefRelatedAgent = 2,     // ?agent= with related_agents=true
  kRefRelatedActivity = 3,  // ?activity= with related_activities=true
};

// A stored statement that now counts in a derived attempt (a user or exercise it names came
// later): its attempt, user and outcome are set.
struct StatementMapping {
  std::string id, attempt, user;
};

// A stored attempt that a write deletes before its attempts are written: an attempt derived
// from xAPI statements whose statements changed. Its user and course name the user × course the
// engine replays from the store once committed.
struct ReplacedAttempt {
  std::string id, user, course;
};

// Everything one request (or one import file) writes: what ingest parses a body into and the
// store applies. Store::Apply applies it in one
// transaction, in this order: groups (name), courses, users (and their memberships), group
// managers, enrollments, enrollment removals, attempts, imported certifications, user removals.
// Referential checks (unknown user, group, course, exercise, email taken) happen inside that
// transaction.
struct WriteBatch {
  Section<Group> groups;
  Section<Course> courses;
  Section<UserWrite> users;
  Section<Enrollment> enrollments;
  Section<Enrollment> enrollment_removals;
  Section<Attempt> attempts;
  Section<ImportedCertification> certifications;
  std::vector<UserRemoval> user_removals;
  // xAPI (docs/xapi.md), applied before the attempts: statements to store (each id new to the
  // account), the ids of stored statements a voiding statement voids, and the ids of stored
  // attempts to delete before `attempts` are written (attempts derived from statements, whose
  // statements changed: the new version, if any, is in `attempts`).
  Section<StatementWrite> statements;
  std::vector<std::string> statements_voided;
  std::vector<StatementMapping> statements_mapped;
  std::vector<ReplacedAttempt> attempts_replaced;
  // Called now and then while the attempts are written, with (attempts done, attempts in all):
  // the progress bar of `cohort import`. Optional.
  std::function<void(std::size_t, std::size_t)> progress;

  bool empty() const {
    return groups.items.empty() && courses.items.empty() && users.items.empty() &&
           enrollments.items.empty() && enrollment_removals.items.empty() &&
           attempts.items.empty() && certifications.items.empty() && user_removals.empty() &&
           statements.items.empty() && statements_voided.empty() && attempts_replaced.empty() &&
           statements_mapped.empty();
  }
};

// What a committed WriteBatch did.
struct WriteSummary {
  std::size_t accepted = 0;    // attempts newly stored
  std::size_t duplicates = 0;  // attempts already stored with identical content
  std::size_t responses = 0;   // responses newly stored
  std::size_t enrolled = 0;    // enrollments created by attempts or PUT
  // Indexes (into the batch's attempts) of the attempts newly stored, in batch order: what the
  // metrics engine must apply (duplicates are already counted).
  std::vector<std::uint32_t> new_attempts;
  // The account's change seq once this write committed (Cohort-Seq; 0 where the store keeps no
  // change log): a read that waits for it sees the write.
  std::int64_t change_seq = 0;
  bool operator==(const WriteSummary&) const = default;
};

}  // namespace cohort::domain

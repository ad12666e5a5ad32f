#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"

namespace cohort::bench {

// The size of a generated organisation. M is the "large company": 50,000 users in the
// main account, 20 courses of ~54 exercises (≈1,075), 20 M attempts of ~5 responses.
struct Scale {
  std::string name;
  int users = 0;            // in the main account
  int small_accounts = 0;   // each with `small_users` users and the same courses
  int small_users = 0;
  int courses = 0;
  int chapters = 0;         // per course
  int min_exercises = 0;    // per chapter, inclusive range
  int max_exercises = 0;
  std::int64_t attempts = 0;  // in the main account
  int groups = 0;             // in the main account
};

// XS, S, M or L (L is only described: the bench estimates it from S and M).
Result<Scale> ScaleNamed(const std::string& name);

// A deterministic organisation: every value is a pure function of (seed, scale), so two runs
// write byte-identical files.
struct World {
  Scale scale;
  std::uint64_t seed = 1;
  std::int64_t window_start_ms = 0;  // attempts lie in [window_start, window_end)
  std::int64_t window_end_ms = 0;

  // Account keys: "main" first, then "small-01", ...
  std::vector<std::string> Accounts() const;
  int UsersOf(int account) const { return account == 0 ? scale.users : scale.small_users; }
  std::string UserKey(int user) const;
  std::string UserName(int account, int user) const;
  std::string CourseKey(int course) const;
  std::string ExerciseKey(int course, int chapter, int exercise) const;
  int ExercisesIn(int course, int chapter) const;
  // The users enrolled in `course` of `account` (0-based user indexes), in index order.
  std::vector<int> Enrolled(int account, int course) const;
  // Whether `user` of `account` is active (3 % are not), and their groups (0-based).
  bool Active(int account, int user) const;
  std::vector<int> GroupsOf(int account, int user) const;
  // The courses `user` of `account` is enrolled in.
  std::vector<int> CoursesOf(int account, int user) const;
};

World MakeWorld(const Scale& scale, std::uint64_t seed);

// What GenerateFiles wrote for one account.
struct AccountFiles {
  std::string account;
  std::string catalog;                  // JSON bundle: courses, groups, users, enrollments
  std::vector<std::string> attempt_csvs;  // one response per row, each file ≤ ~2 M responses
  std::int64_t attempts = 0, responses = 0, bytes = 0;
};

// Writes every account's import files under `dir` (created). `progress(done, total)` is called
// with attempts written so far. Returns the files per account, main first.
Result<std::vector<AccountFiles>> GenerateFiles(
    const World& world, const std::string& dir,
    const std::function<void(std::int64_t, std::int64_t)>& progress);

// Formats milliseconds since the epoch as RFC 3339 UTC with milliseconds.
std::string FormatTimeMs(std::int64_t ms);

}  // namespace cohort::bench

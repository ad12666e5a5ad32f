#pragma once

#include <memory>
#include <string>

#include "common/result.h"

namespace cohort::store::sqlite {

class Connection;

// Test support (library cohort_store_testing): another connection holding the write lock of a
// database file with BEGIN EXCLUSIVE, as a second process would, until it is destroyed (then it
// rolls back and closes). Not thread-safe.
class WriteLockHolder {
 public:
  // Errors: kUnavailable when the lock cannot be taken.
  static Result<std::unique_ptr<WriteLockHolder>> Hold(const std::string& path);
  ~WriteLockHolder();
  WriteLockHolder(const WriteLockHolder&) = delete;
  WriteLockHolder& operator=(const WriteLockHolder&) = delete;

 private:
  explicit WriteLockHolder(std::unique_ptr<Connection> connection);
  std::unique_ptr<Connection> connection_;
};

}  // namespace cohort::store::sqlite

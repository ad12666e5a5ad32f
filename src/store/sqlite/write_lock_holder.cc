#include "store/sqlite/write_lock_holder.h"

#include "store/sqlite/connection.h"

namespace cohort::store::sqlite {

WriteLockHolder::WriteLockHolder(std::unique_ptr<Connection> connection)
    : connection_(std::move(connection)) {}

WriteLockHolder::~WriteLockHolder() { (void)connection_->Exec("ROLLBACK"); }

Result<std::unique_ptr<WriteLockHolder>> WriteLockHolder::Hold(const std::string& path) {
  Result<std::unique_ptr<Connection>> connection =
      Connection::Open(path, {.read_only = false, .busy_timeout_ms = 0});
  if (!connection.ok()) return connection.status();
  COHORT_RETURN_IF_ERROR(connection.value()->Exec("BEGIN EXCLUSIVE"));
  return std::unique_ptr<WriteLockHolder>(new WriteLockHolder(std::move(connection).value()));
}

}  // namespace cohort::store::sqlite

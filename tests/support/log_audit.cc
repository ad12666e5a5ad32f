#include "support/log_audit.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>

#include "common/logging.h"

namespace cohort::testing {
namespace {

const char* AuditDir() {
  const char* dir = std::getenv("COHORT_TEST_LOG_DIR");
  return dir != nullptr && *dir != '\0' ? dir : nullptr;
}

std::string NewAuditPath(std::string_view what) {
  static std::atomic<int> counter{0};
  return fmt::format("{}/{}-{}-{}.log", AuditDir(), what, getpid(), counter++);
}

}  // namespace

void KeepLogForAudit(std::string_view what, std::string_view text) {
  if (AuditDir() == nullptr || text.empty()) return;
  std::ofstream out(NewAuditPath(what), std::ios::binary);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

void AuditSecret(std::string_view secret) {
  if (AuditDir() == nullptr || secret.empty()) return;
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::ofstream out(fmt::format("{}/secrets-{}.txt", AuditDir(), getpid()),
                    std::ios::binary | std::ios::app);
  out << secret << '\n';
}

void SendLogsToAudit() {
  if (AuditDir() == nullptr) return;
  static const bool done = [] {
    (void)ConfigureLogging("info", LogFormat::kJson);
    const int fd = open(NewAuditPath("in-process").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    return true;
  }();
  (void)done;
}

}  // namespace cohort::testing

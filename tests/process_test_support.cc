#include "process_test_support.h"

#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include "support/log_audit.h"

namespace cohort::testing {
namespace {

std::vector<std::string> CohortArgv(const std::vector<std::string>& args) {
  std::vector<std::string> argv{COHORT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

CommandResult RunCohort(const std::vector<std::string>& args, const std::string& input) {
  subprocess::RunOptions options;
  options.stdin_text = input;
  options.silence_limit = std::chrono::minutes(2);  // a hung command fails its test, not CTest
  CommandResult result = subprocess::Run(CohortArgv(args), options);
  KeepLogForAudit("command", result.err);  // stdout is the command's output (tokens, sign-ins)
  return result;
}

ServerProcess::ServerProcess(const std::filesystem::path& db)
    : ServerProcess({"serve", "--db", db.string(), "--listen", "127.0.0.1:0"},
                    db.string() + ".server.log") {}

ServerProcess::ServerProcess(const std::vector<std::string>& args, const std::filesystem::path& log)
    : child_(CohortArgv(args), log.string()), log_(log) {
  const std::regex address(R"(http://127\.0\.0\.1:(\d+))");
  std::smatch m;
  const bool found = child_.ReadUntil(
      [&](const std::string& printed) { return std::regex_search(printed, m, address); },
      std::chrono::seconds(60));
  if (found) port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
}

ServerProcess::~ServerProcess() {
  if (child_.running()) StopWith(SIGKILL);
}

int ServerProcess::StopWith(int signal) {
  if (!child_.running()) return -1;
  const int code = child_.Stop(signal);
  KeepLogForAudit("server", ReadAll(log_));
  return code;
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() / fmt::format("cohort-proc-{:x}{:x}", rd(), rd());
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace cohort::testing

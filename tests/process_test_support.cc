#include "process_test_support.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <regex>
#include <stdexcept>

#include "support/log_audit.h"

extern char** environ;

namespace cohort::testing {
namespace {

// Starts the binary with pipes for stdin, stdout, stderr. Returns the pid.
// With `err_path`, stderr goes to that file and err_fd is -1.
pid_t Spawn(const std::vector<std::string>& args, int& in_fd, int& out_fd, int& err_fd,
            const std::string& err_path = "") {
  int in[2], out[2], err[2];
  if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  if (err_path.empty()) {
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  } else {
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
  }
  for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) {
    posix_spawn_file_actions_addclose(&actions, fd);
  }
  std::vector<char*> argv;
  std::string binary = COHORT_BINARY;
  argv.push_back(binary.data());
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (rc != 0) throw std::runtime_error(std::string("posix_spawn failed: ") + strerror(rc));
  in_fd = in[1];
  out_fd = out[0];
  err_fd = err[0];
  if (!err_path.empty()) {
    close(err_fd);
    err_fd = -1;
  }
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

CommandResult RunCohort(const std::vector<std::string>& args, const std::string& input) {
  int in_fd, out_fd, err_fd;
  const pid_t pid = Spawn(args, in_fd, out_fd, err_fd);
  if (!input.empty()) {
    const ssize_t n = write(in_fd, input.data(), input.size());
    (void)n;
  }
  close(in_fd);
  CommandResult result;
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_fds = 2;
  char buffer[65536];
  while (open_fds > 0) {
    if (poll(fds, 2, 120'000) <= 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? result.out : result.err).append(buffer, static_cast<std::size_t>(n));
      }
    }
  }
  for (const pollfd& p : fds) {
    if (p.fd >= 0) close(p.fd);
  }
  result.exit_code = WaitExit(pid);
  KeepLogForAudit("command", result.err);  // stdout is the command's output (tokens, sign-ins)
  return result;
}

ServerProcess::ServerProcess(const std::filesystem::path& db)
    : ServerProcess({"serve", "--db", db.string(), "--listen", "127.0.0.1:0"},
                    db.string() + ".server.log") {}

ServerProcess::ServerProcess(const std::vector<std::string>& args, const std::filesystem::path& log)
    : log_(log) {
  int in_fd, out_fd, err_fd;
  pid_ = Spawn(args, in_fd, out_fd, err_fd, log.string());
  close(in_fd);
  out_fd_ = out_fd;  // kept open until the process ends, so it never writes to a closed pipe
  std::string& printed = printed_;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  const std::regex address(R"(http://127\.0\.0\.1:(\d+))");
  std::smatch m;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{out_fd, POLLIN, 0};
    if (poll(&p, 1, 500) <= 0) continue;
    char buffer[4096];
    const ssize_t n = read(out_fd, buffer, sizeof buffer);
    if (n <= 0) break;
    printed.append(buffer, static_cast<std::size_t>(n));
    if (std::regex_search(printed, m, address)) {
      port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
      break;
    }
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) StopWith(SIGKILL);
}

int ServerProcess::StopWith(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  const int code = WaitExit(pid_);
  pid_ = -1;
  if (out_fd_ >= 0) close(out_fd_);
  out_fd_ = -1;
  std::ifstream in(log_, std::ios::binary);
  KeepLogForAudit("server", std::string(std::istreambuf_iterator<char>(in), {}));
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

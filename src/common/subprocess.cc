#include "common/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

extern char** environ;

namespace cohort::subprocess {
namespace {

void CloseIfOpen(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Starts `argv` with `in`, `out` and `err` as its stdin, stdout and stderr (-1: /dev/null).
pid_t Spawn(const std::vector<std::string>& argv, int in, int out, int err) {
  if (argv.empty()) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const int fds[3] = {in, out, err};
  for (int target = 0; target < 3; ++target) {
    if (fds[target] >= 0) {
      // dup2 clears close-on-exec on the copy: the child keeps exactly 0, 1 and 2.
      posix_spawn_file_actions_adddup2(&actions, fds[target], target);
    } else {
      posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_RDWR, 0);
    }
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

int OpenLog(const std::string& path) {
  return open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

}  // namespace

int Wait(pid_t pid) {
  if (pid <= 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

Result Run(const std::vector<std::string>& argv, const RunOptions& options) {
  Result result;
  int out[2] = {-1, -1}, err[2] = {-1, -1}, in[2] = {-1, -1};
  int child_in = -1;
  bool ready = pipe2(out, O_CLOEXEC) == 0 && pipe2(err, O_CLOEXEC) == 0;
  if (ready && !options.stdin_text.empty()) {
    ready = pipe2(in, O_CLOEXEC) == 0;
    child_in = in[0];
  } else if (ready && !options.stdin_file.empty()) {
    child_in = open(options.stdin_file.c_str(), O_RDONLY | O_CLOEXEC);
    ready = child_in >= 0;
    if (!ready) result.err = "cannot read " + options.stdin_file;
  }
  const pid_t pid = ready ? Spawn(argv, child_in, out[1], err[1]) : -1;
  CloseIfOpen(out[1]);
  CloseIfOpen(err[1]);
  CloseIfOpen(child_in);
  in[0] = -1;
  if (pid < 0) {
    for (int* fd : {&out[0], &err[0], &in[1]}) CloseIfOpen(*fd);
    if (result.err.empty()) result.err = "cannot start " + (argv.empty() ? "" : argv[0]);
    return result;
  }
  // The input is written as the child reads it, while its outputs are drained: a child that
  // prints before it has read everything cannot block on a full pipe.
  std::size_t written = 0;
  if (in[1] >= 0) fcntl(in[1], F_SETFL, O_NONBLOCK);
  pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
  const int timeout_ms =
      options.silence_limit.count() > 0 ? static_cast<int>(options.silence_limit.count()) : -1;
  char buffer[65536];
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    const int ready_fds = poll(fds, 3, timeout_ms);
    if (ready_fds < 0 && errno == EINTR) continue;
    if (ready_fds <= 0) {  // silent for too long, or poll failed
      kill(pid, SIGKILL);
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        (i == 0 ? result.out : result.err).append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        CloseIfOpen(fds[i].fd);
      }
    }
    if (fds[2].fd >= 0 && fds[2].revents != 0) {
      const ssize_t n = (fds[2].revents & (POLLERR | POLLHUP)) == 0
                            ? write(fds[2].fd, options.stdin_text.data() + written,
                                    options.stdin_text.size() - written)
                            : -1;
      if (n > 0) written += static_cast<std::size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == options.stdin_text.size()) {
        CloseIfOpen(fds[2].fd);  // all written, or the child closed its stdin
      }
    }
  }
  for (pollfd& p : fds) CloseIfOpen(p.fd);
  result.exit_code = Wait(pid);
  return result;
}

pid_t StartLogged(const std::vector<std::string>& argv, const std::string& log_file) {
  int log = OpenLog(log_file);
  if (log < 0) return -1;
  const pid_t pid = Spawn(argv, -1, log, log);
  CloseIfOpen(log);
  return pid;
}

Child::Child(const std::vector<std::string>& argv, const std::string& log_file) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return;
  int log = OpenLog(log_file);
  pid_ = log >= 0 ? Spawn(argv, -1, out[1], log) : -1;
  CloseIfOpen(log);
  CloseIfOpen(out[1]);
  out_fd_ = out[0];
  if (pid_ < 0) CloseIfOpen(out_fd_);
}

Child::~Child() {
  if (pid_ > 0) Stop(SIGKILL);
  CloseIfOpen(out_fd_);
}

bool Child::ReadUntil(const std::function<bool(const std::string&)>& done,
                      std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool open = out_fd_ >= 0;
  while (!done(printed_)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!open || left.count() <= 0) return false;
    pollfd p{out_fd_, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 200)));
    if (ready <= 0) continue;
    char buffer[4096];
    const ssize_t n = read(out_fd_, buffer, sizeof buffer);
    if (n > 0) {
      printed_.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      open = false;  // the pipe stays open until the child ends (see out_fd_)
    }
  }
  return true;
}

bool Child::ReadUntil(const std::string& needle, std::chrono::milliseconds timeout) {
  return ReadUntil(
      [&](const std::string& printed) { return printed.find(needle) != std::string::npos; },
      timeout);
}

int Child::Stop(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  return WaitForExit();
}

int Child::WaitForExit() {
  if (pid_ <= 0) return -1;
  const int code = Wait(pid_);
  pid_ = -1;
  CloseIfOpen(out_fd_);
  return code;
}

}  // namespace cohort::subprocess

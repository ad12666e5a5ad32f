#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

// Child processes, for the programs that drive other programs: `cohort bench` (sqlite3, psql,
// the `cohort` binary) and the tests that run the real binary. posix_spawnp, not fork: the
// callers have threads. Every descriptor made here is close-on-exec, so one child never holds
// another's pipe open.
namespace cohort::subprocess {

// What a finished child returned and printed.
struct Result {
  int exit_code = -1;  // 128 + signal when killed by one; -1 when it could not be started
  std::string out, err;
};

struct RunOptions {
  std::string stdin_text;  // written to the child's stdin through a pipe, then closed
  std::string stdin_file;  // or the child reads this file; neither: /dev/null
  // Gives up reading (and kills the child) when it prints nothing for this long; zero: waits.
  std::chrono::milliseconds silence_limit{0};
};

// Runs `argv` (argv[0] a path, or a name looked up in PATH) and waits for it; both outputs
// are captured.
Result Run(const std::vector<std::string>& argv, const RunOptions& options = {});

// Starts `argv` with stdin from /dev/null and both outputs appended to `log_file`; does not
// wait. Returns the pid, -1 when it could not be started.
pid_t StartLogged(const std::vector<std::string>& argv, const std::string& log_file);

// Waits for `pid`; its exit code, 128 + signal when a signal ended it, -1 on error.
int Wait(pid_t pid);

// A long-running child (a server): stdout is a pipe read by ReadUntil, stderr is appended to
// `log_file`, stdin is /dev/null. The destructor kills it (SIGKILL) if it still runs.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log_file);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Everything read from stdout so far.
  const std::string& printed() const { return printed_; }
  // Reads stdout until `done(printed())` holds, the child closes stdout, or `timeout` passes;
  // whether `done` held.
  bool ReadUntil(const std::function<bool(const std::string&)>& done,
                 std::chrono::milliseconds timeout);
  bool ReadUntil(const std::string& needle, std::chrono::milliseconds timeout);
  // Sends `signal` and waits; the exit code (128 + signal when killed by it), -1 if not running.
  int Stop(int signal);
  // Waits for the child to end by itself (or by a signal sent before); its exit code as Stop's.
  int WaitForExit();

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;  // open until the child ends, so it never writes to a closed pipe
  std::string printed_;
};

}  // namespace cohort::subprocess

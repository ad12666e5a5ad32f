#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace cohort::bench {

// What a finished child process returned and printed.
struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out, err;
};

// Runs `argv` (argv[0] is a path or a name looked up in PATH), its stdin from `stdin_file`
// (/dev/null when empty); waits for it. Both outputs are captured.
ProcessResult Run(const std::vector<std::string>& argv, const std::string& stdin_file = "");

// A long-running child (the server): stdout is a pipe read through ReadUntil, stderr goes to
// `log_file` (appended). The destructor kills it (SIGKILL) if it is still running.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log_file);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Reads stdout until it contains `needle` or `timeout_s` pass; returns everything read.
  std::string ReadUntil(const std::string& needle, int timeout_s);
  // Sends `signal`, waits; returns the exit code (128 + signal when killed by it).
  int Stop(int signal);

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string printed_;
};

// A TCP port free on 127.0.0.1 now (bound to port 0, read, released); 0 on failure.
int FreePort();

// A field of /proc/PID/status in bytes ("VmRSS", "RssAnon", "RssFile", "VmHWM"); 0 when unknown.
double StatusBytes(pid_t pid, const std::string& field);
// Resident memory of a process in bytes (VmRSS).
inline double ResidentBytes(pid_t pid) { return StatusBytes(pid, "VmRSS"); }

}  // namespace cohort::bench

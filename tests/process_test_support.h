#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/subprocess.h"

namespace cohort::testing {

// What a finished `cohort` command printed and returned.
using CommandResult = subprocess::Result;

// Runs the real `cohort` binary with `args`, feeding `input` on stdin; waits for it to end.
CommandResult RunCohort(const std::vector<std::string>& args, const std::string& input = "");

// `cohort serve` as a child process on 127.0.0.1 and a free port. The destructor kills it.
class ServerProcess {
 public:
  // Starts the server over `db` and waits until it prints the address it serves on. Its log
  // goes to `<db>.server.log`.
  explicit ServerProcess(const std::filesystem::path& db);
  // Starts `cohort` with `args` (which must make it serve on 127.0.0.1), its stderr appended to
  // `log`, and waits as above.
  ServerProcess(const std::vector<std::string>& args, const std::filesystem::path& log);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool started() const { return port_ != 0; }
  pid_t pid() const { return child_.pid(); }
  std::uint16_t port() const { return port_; }
  // What the process printed on stdout up to the line with its address.
  const std::string& printed() const { return child_.printed(); }
  // Sends `signal` and waits for the process; returns its exit code (128 + signal if killed).
  int StopWith(int signal);

 private:
  subprocess::Child child_;
  std::filesystem::path log_;
  std::uint16_t port_ = 0;
};

// The whole content of a file ("" when it cannot be read).
std::string ReadAll(const std::filesystem::path& path);

// A fresh temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace cohort::testing

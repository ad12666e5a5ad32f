#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/subprocess.h"
#include "support/http_client.h"

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
  // Sends `signal` and returns at once, for a test that acts while the server stops; then
  // WaitForExit() waits for the process as StopWith() does.
  void Signal(int signal);
  int WaitForExit();

 private:
  subprocess::Child child_;
  std::filesystem::path log_;
  std::uint16_t port_ = 0;
};

// A plain blocking TCP connection to 127.0.0.1:port, for the tests that must know how far a
// request has got rather than guess it with a sleep: WaitAcknowledged() returns once the
// server's TCP has acknowledged every byte written so far, so those bytes are in the server's
// socket (or already read): the server sees a request in flight. Not thread-safe, but it may
// be handed from one thread to another.
class TcpConnection {
 public:
  // Connects; on failure connected() is false and error() says why.
  explicit TcpConnection(std::uint16_t port);
  ~TcpConnection();
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  // Writes all of `bytes` within `timeout`; false (see error()) when that fails.
  bool Write(std::string_view bytes, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits up to `timeout` for the peer to acknowledge every byte written (SIOCOUTQ is 0).
  bool WaitAcknowledged(std::chrono::milliseconds timeout);
  // Reads one HTTP/1.1 answer with a Content-Length (or, without one, up to the close) within
  // `timeout`: status 0 and `error` set when none came whole.
  HttpResponse ReadAnswer(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string error_;
  std::string buffer_;  // bytes read beyond the last answer
};

// Polls `done` every `interval` until it holds or `timeout` passes; whether it held (the last
// call decides). For the tests' waits on a condition, instead of a sleep that guesses its time.
bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout,
               std::chrono::milliseconds interval = std::chrono::milliseconds(5));

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

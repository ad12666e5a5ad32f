#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "process_test_support.h"
#include "support/http_client.h"

namespace cohort::testing {

// The real `cohort serve` over a fresh database, for the tests of issue 8 that need the whole
// server (UI files, /metrics, the CLI's limits): an account "acme", a token with read and
// ingest scopes and an admin token; its log kept for the audit (ServerProcess does that).
class Served {
 public:
  // `extra` is appended to `cohort serve --db ... --listen 127.0.0.1:0 --metrics-listen
  // 127.0.0.1:0`. With `demo_users` > 0 the database is first filled by `cohort demo` (account
  // "demo" then, instead of "acme"). With `start` false, the server starts on Start().
  explicit Served(const std::vector<std::string>& extra = {}, int demo_users = 0,
                  bool start = true);
  void Start();

  bool started() const { return server_ && server_->started(); }
  std::uint16_t port() const { return server_->port(); }
  std::uint16_t metrics_port() const { return metrics_port_; }
  pid_t pid() const { return pid_; }
  const std::string& token() const { return token_; }        // read, ingest
  const std::string& admin_token() const { return admin_; }  // admin
  const std::filesystem::path& dir() const { return dir_.path(); }
  const std::string& db() const { return db_; }
  const std::string& account() const { return account_; }
  // Stops the server with SIGTERM (its log goes to the audit); returns its exit code.
  int Stop() { return server_->StopWith(15); }

  // GET/PUT/... with the read+ingest token, on a connection of its own.
  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "") const;

 private:
  TempDir dir_;
  std::string db_, account_, token_, admin_;
  std::vector<std::string> args_;
  std::unique_ptr<ServerProcess> server_;
  std::uint16_t metrics_port_ = 0;
  pid_t pid_ = -1;
};

// The resident set of process `pid` in KiB (VmRSS of /proc/PID/status), or -1.
long ResidentKiB(pid_t pid);

// The CPU time process `pid` has used so far (user + system, all its threads) in milliseconds,
// from /proc/PID/stat (10 ms steps), or -1. Unlike the wall-clock time of a request, it does not
// grow when other processes load the machine.
double CpuMs(pid_t pid);

// Raises this process's soft limit of open files to `wanted` (or the hard limit); returns the
// limit now in force.
long RaiseOpenFileLimit(long wanted);

// An HTTP answer read raw: status and lower-cased header names ("" when it is not HTTP).
struct RawAnswer {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
};
RawAnswer ParseRawAnswer(const std::string& bytes);

}  // namespace cohort::testing

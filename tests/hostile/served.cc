#include "hostile/served.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>

namespace cohort::testing {

Served::Served(const std::vector<std::string>& extra, int demo_users, bool start) {
  db_ = (dir_.path() / "hostile.db").string();
  std::string& account = account_;
  account = "acme";
  if (demo_users > 0) {
    account = "demo";
    CommandResult demo =
        RunCohort({"demo", "--users", std::to_string(demo_users), "--courses", "8", "--db", db_});
    EXPECT_EQ(demo.exit_code, 0) << demo.err;
  } else {
    CommandResult made = RunCohort({"account", "create", "acme", "--name", "Acme", "--db", db_});
    EXPECT_EQ(made.exit_code, 0) << made.err;
  }
  auto token = [&](const std::string& scopes) {
    CommandResult r =
        RunCohort({"token", "create", "--account", account, "--scope", scopes, "--db", db_});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  };
  token_ = token("read,ingest");
  admin_ = token("admin");
  args_ = {"serve", "--db", db_, "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"};
  args_.insert(args_.end(), extra.begin(), extra.end());
  if (start) Start();
}

void Served::Start() {
  server_ = std::make_unique<ServerProcess>(args_, dir_.path() / "server.log");
  EXPECT_TRUE(server_->started()) << ReadAll(dir_.path() / "server.log");
  std::smatch m;
  if (std::regex_search(server_->printed(), m,
                        std::regex(R"(metrics on http://127\.0\.0\.1:(\d+)/metrics)"))) {
    metrics_port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
  }
  pid_ = server_->pid();
  EXPECT_GT(pid_, 0);
}

HttpResponse Served::Call(const std::string& method, const std::string& target,
                          const std::string& body) const {
  HeaderList headers = {{"Authorization", "Bearer " + token_}};
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  return SendOnce("127.0.0.1", port(), method, target, body, headers);
}

long ResidentKiB(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

double CpuMs(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command name (in parentheses, which may hold spaces): state is field 3,
  // utime 14 and stime 15, in clock ticks.
  const std::size_t name_end = text.rfind(')');
  if (name_end == std::string::npos) return -1;
  std::istringstream fields(text.substr(name_end + 1));
  std::string field;
  double ticks = 0;
  for (int n = 3; n <= 15 && fields >> field; ++n) {
    if (n >= 14) ticks += std::stod(field);
  }
  return ticks * 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

long RaiseOpenFileLimit(long wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  const rlim_t target = limit.rlim_max == RLIM_INFINITY
                            ? static_cast<rlim_t>(wanted)
                            : std::min(static_cast<rlim_t>(wanted), limit.rlim_max);
  if (limit.rlim_cur < target) {
    limit.rlim_cur = target;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  }
  return static_cast<long>(limit.rlim_cur);
}

RawAnswer ParseRawAnswer(const std::string& bytes) {
  RawAnswer out;
  if (bytes.rfind("HTTP/1.1 ", 0) != 0 || bytes.size() < 12) return out;
  out.status = std::stoi(bytes.substr(9, 3));
  const std::size_t end = bytes.find("\r\n\r\n");
  const std::string head = bytes.substr(0, end);
  out.body = end == std::string::npos ? "" : bytes.substr(end + 4);
  std::size_t at = head.find("\r\n");
  while (at != std::string::npos) {
    const std::size_t next = head.find("\r\n", at + 2);
    const std::string line =
        head.substr(at + 2, next == std::string::npos ? std::string::npos : next - at - 2);
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      out.headers[name] = value;
    }
    at = next;
  }
  return out;
}

}  // namespace cohort::testing

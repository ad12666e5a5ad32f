#include "process_test_support.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "support/log_audit.h"

namespace cohort::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Milliseconds left before `deadline`, at least 0, for poll().
int MsLeft(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<long long>(left, 0));
}

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

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
  // A hung command fails its test, not CTest. Not 2 minutes: on a loaded machine `cohort demo`
  // (2,000 users, for the load test) and `cohort bench` were silent longer than that, working.
  options.silence_limit = std::chrono::minutes(5);
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

int ServerProcess::WaitForExit() {
  if (!child_.running()) return -1;
  const int code = child_.WaitForExit();
  KeepLogForAudit("server", ReadAll(log_));
  return code;
}

void ServerProcess::Signal(int signal) {
  if (child_.running()) kill(child_.pid(), signal);
}

TcpConnection::TcpConnection(std::uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error_ = fmt::format("socket: {}", std::strerror(errno));
    return;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    error_ = fmt::format("connect: {}", std::strerror(errno));
    close(fd);
    return;
  }
  fd_ = fd;
}

TcpConnection::~TcpConnection() {
  if (fd_ >= 0) close(fd_);
}

bool TcpConnection::Write(std::string_view bytes, std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (fd_ >= 0 && !bytes.empty()) {
    pollfd p{fd_, POLLOUT, 0};
    const int ready = poll(&p, 1, MsLeft(deadline));
    if (ready == 0) {
      error_ = "write: timeout";
      return false;
    }
    if (ready < 0 && errno == EINTR) continue;
    const ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      error_ = fmt::format("write: {}", std::strerror(errno));
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return fd_ >= 0;
}

bool TcpConnection::WaitAcknowledged(std::chrono::milliseconds timeout) {
  return WaitUntil(
      [this] {
        int unacknowledged = -1;  // bytes written and not yet acknowledged by the peer's TCP
        return fd_ >= 0 && ioctl(fd_, SIOCOUTQ, &unacknowledged) == 0 && unacknowledged == 0;
      },
      timeout, std::chrono::milliseconds(1));
}

HttpResponse TcpConnection::ReadAnswer(std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  HttpResponse out;
  bool closed = false;
  // Reads more into buffer_; false on timeout, error or the peer's close.
  auto more = [&] {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, MsLeft(deadline)) <= 0) {
      out.error = "read: timeout";
      return false;
    }
    char chunk[64 * 1024];
    const ssize_t n = read(fd_, chunk, sizeof chunk);
    if (n <= 0) {
      closed = true;
      out.error = n == 0 ? "read: closed" : fmt::format("read: {}", std::strerror(errno));
      return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  };
  if (fd_ < 0) {
    out.error = error_;
    return out;
  }
  std::size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!more()) return out;
  }
  const std::string head = buffer_.substr(0, head_end);
  std::smatch status;
  if (!std::regex_search(head, status, std::regex(R"(^HTTP/1\.1 (\d{3}) )"))) {
    out.error = "not an HTTP answer: " + head.substr(0, 100);
    return out;
  }
  HttpResponse answer;
  answer.status = std::stoi(status[1].str());
  std::size_t at = head.find("\r\n");
  while (at != std::string::npos) {
    const std::size_t next = head.find("\r\n", at + 2);
    const std::string line = head.substr(at + 2, next == std::string::npos ? next : next - at - 2);
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
      const std::size_t value = line.find_first_not_of(' ', colon + 1);
      answer.headers[Lower(line.substr(0, colon))] =
          value == std::string::npos ? "" : line.substr(value);
    }
    at = next;
  }
  const std::string length = answer.Header("content-length");
  const std::size_t body_start = head_end + 4;
  if (length.empty()) {  // the body runs to the close
    while (more()) {
    }
    if (!closed) return out;
    answer.body = buffer_.substr(body_start);
    buffer_.clear();
    return answer;
  }
  const std::size_t body_size = std::stoul(length);
  while (buffer_.size() < body_start + body_size) {
    if (!more()) {
      out.error += " (partial answer)";
      return out;
    }
  }
  answer.body = buffer_.substr(body_start, body_size);
  buffer_.erase(0, body_start + body_size);
  return answer;
}

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout,
               std::chrono::milliseconds interval) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return done();
    std::this_thread::sleep_for(interval);
  }
  return true;
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

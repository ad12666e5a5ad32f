#include "bench/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace cohort::bench {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

bool ICaseStartsWith(std::string_view line, std::string_view prefix) {
  if (line.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != prefix[i]) return false;
  }
  return true;
}

constexpr int kTimeoutMs = 600'000;  // the account report at M takes seconds, not minutes

}  // namespace

HttpClient::HttpClient(std::uint16_t port, std::string token)
    : port_(port), token_(std::move(token)) {}

HttpClient::~HttpClient() { Close(); }

void HttpClient::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  buffer_.clear();
}

bool HttpClient::Connect(std::string& error) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    error = fmt::format("socket: {}", std::strerror(errno));
    return false;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port_);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    error = fmt::format("connect: {}", std::strerror(errno));
    Close();
    return false;
  }
  // Requests are written whole; Nagle would only add delay between a small request and its ack.
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return true;
}

bool HttpClient::Fill(std::string& error) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, kTimeoutMs) <= 0) {
    error = "timeout";
    return false;
  }
  char chunk[65536];
  const ssize_t n = read(fd_, chunk, sizeof chunk);
  if (n <= 0) {
    error = n == 0 ? "connection closed" : fmt::format("read: {}", std::strerror(errno));
    return false;
  }
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

HttpAnswer HttpClient::Send(std::string_view method, std::string_view target,
                            std::string_view body) {
  HttpAnswer answer;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = fd_ >= 0;
    if (!reused && !Connect(answer.error)) return answer;
    std::string request = fmt::format(
        "{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nContent-Type: "
        "application/json\r\nContent-Length: {}\r\n\r\n",
        method, target, token_, body.size());
    request.append(body);
    const Clock::time_point start = Clock::now();
    std::size_t sent = 0;
    bool write_failed = false;
    while (sent < request.size()) {
      const ssize_t n = send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        write_failed = true;
        break;
      }
      sent += static_cast<std::size_t>(n);
    }
    buffer_.clear();
    if (write_failed || !Fill(answer.error)) {
      Close();
      if (reused) continue;  // the server closed an idle connection: once more on a fresh one
      if (answer.error.empty()) answer.error = "write failed";
      return answer;
    }
    answer.first_byte_ms = MsSince(start);
    std::size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(answer.error)) {
        Close();
        return answer;
      }
    }
    const std::string_view head(buffer_.data(), header_end);
    if (head.size() < 12) {
      answer.error = "short status line";
      Close();
      return answer;
    }
    const int status = std::atoi(std::string(head.substr(9, 3)).c_str());
    std::size_t content_length = 0;
    bool chunked = false, close_after = false;
    std::size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos < head.size()) {
      const std::size_t next = head.find("\r\n", pos + 2);
      const std::string_view line =
          head.substr(pos + 2, (next == std::string_view::npos ? head.size() : next) - pos - 2);
      if (ICaseStartsWith(line, "content-length:")) {
        content_length = std::stoull(std::string(line.substr(15)));
      } else if (ICaseStartsWith(line, "transfer-encoding:") &&
                 line.find("chunked") != std::string_view::npos) {
        chunked = true;
      } else if (ICaseStartsWith(line, "connection:") &&
                 line.find("close") != std::string_view::npos) {
        close_after = true;
      }
      pos = next;
    }
    std::size_t at = header_end + 4;
    if (!chunked) {
      while (buffer_.size() < at + content_length) {
        if (!Fill(answer.error)) {
          Close();
          return answer;
        }
      }
      answer.body = buffer_.substr(at, content_length);
      buffer_.erase(0, at + content_length);
    } else {
      for (;;) {
        std::size_t line_end;
        while ((line_end = buffer_.find("\r\n", at)) == std::string::npos) {
          if (!Fill(answer.error)) {
            Close();
            return answer;
          }
        }
        const std::size_t size = std::stoull(buffer_.substr(at, line_end - at), nullptr, 16);
        at = line_end + 2;
        while (buffer_.size() < at + size + 2) {
          if (!Fill(answer.error)) {
            Close();
            return answer;
          }
        }
        answer.body.append(buffer_, at, size);
        at += size + 2;
        // Keep the buffer small on long streams: drop what has been consumed.
        buffer_.erase(0, at);
        at = 0;
        if (size == 0) break;
      }
    }
    answer.total_ms = MsSince(start);
    answer.status = status;
    if (close_after) Close();
    return answer;
  }
  return answer;
}

}  // namespace cohort::bench

#include "http_client/socket.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace cohort::http_client {
namespace {

// An address to connect to.
struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
};

// An IP literal ("127.0.0.1", "::1") is converted without a lookup; a name is looked up.
std::string Resolve(const std::string& host, std::uint16_t port, Address& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    return "resolve " + host + ": " + (rc != 0 ? gai_strerror(rc) : "no address");
  }
  std::memcpy(&out.storage, found->ai_addr, found->ai_addrlen);
  out.length = found->ai_addrlen;
  out.family = found->ai_family;
  freeaddrinfo(found);
  return {};
}

}  // namespace

Socket::~Socket() { Close(); }

void Socket::Close() {
  if (fd_ < 0) return;
  shutdown(fd_, SHUT_RDWR);
  close(fd_);
  fd_ = -1;
}

IoStatus Socket::Failed(int error) {
  errno_ = error;
  return error == EPIPE || error == ECONNRESET ? IoStatus::kClosedByPeer : IoStatus::kError;
}

std::string Socket::Describe(IoStatus status) const {
  switch (status) {
    case IoStatus::kOk:
      return "ok";
    case IoStatus::kTimeout:
      return "timeout";
    case IoStatus::kEndOfStream:
      return "end of stream";
    case IoStatus::kClosedByPeer:
    case IoStatus::kError:
      return std::strerror(errno_);
  }
  return "unknown";
}

bool Socket::Wait(short events, Deadline deadline) {
  for (;;) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
    pollfd p{fd_, events, 0};
    const int n = poll(&p, 1, static_cast<int>(std::clamp<decltype(left)>(left, 0, 1 << 30)));
    if (n > 0) return true;  // ready, or an error the next call reports
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return true;  // let the call itself report it
    if (left <= 0) return false;
  }
}

std::string Socket::Connect(const std::string& host, std::uint16_t port, Deadline deadline) {
  Close();
  Address address;
  if (std::string error = Resolve(host, port, address); !error.empty()) return error;
  fd_ = socket(address.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) return std::strerror(errno);
  if (connect(fd_, reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0) {
    if (errno != EINPROGRESS) {
      const int error = errno;
      Close();
      return std::strerror(error);
    }
    if (!Wait(POLLOUT, deadline)) {
      Close();
      return "timeout";
    }
    int error = 0;
    socklen_t size = sizeof error;
    if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size) != 0) error = errno;
    if (error != 0) {
      Close();
      return std::strerror(error);
    }
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return {};
}

IoStatus Socket::Write(std::string_view bytes, Deadline deadline) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!Wait(POLLOUT, deadline)) return IoStatus::kTimeout;
      continue;
    }
    return Failed(n < 0 ? errno : EPIPE);
  }
  return IoStatus::kOk;
}

IoStatus Socket::Read(std::string& out, std::size_t max, Deadline deadline) {
  // Wait first: right after a request nothing has arrived yet, and a read would only say so.
  for (;;) {
    if (!Wait(POLLIN, deadline)) return IoStatus::kTimeout;
    char chunk[kMaxRead];
    const ssize_t n = recv(fd_, chunk, std::min(max, sizeof chunk), 0);
    if (n > 0) {
      out.append(chunk, static_cast<std::size_t>(n));
      return IoStatus::kOk;
    }
    if (n == 0) return IoStatus::kEndOfStream;
    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
    return Failed(errno);
  }
}

}  // namespace cohort::http_client

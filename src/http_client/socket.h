#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cohort::http_client {

using SteadyClock = std::chrono::steady_clock;
using Deadline = SteadyClock::time_point;

// How one socket operation ended.
enum class IoStatus {
  kOk,
  kTimeout,       // the deadline passed first
  kEndOfStream,   // the peer closed its side (a read returned 0)
  kClosedByPeer,  // reset, or a write into a closed connection (ECONNRESET, EPIPE)
  kError,         // any other failure of the system call
};

// One TCP connection in non-blocking mode, every wait bounded by a deadline: the POSIX part that
// HttpClient and RawSocket share. Requests go out whole (TCP_NODELAY: no Nagle delay between a
// small request and its acknowledgement). Not thread-safe; owns its descriptor.
class Socket {
 public:
  static constexpr std::size_t kMaxRead = 64 * 1024;

  Socket() = default;
  ~Socket();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // Connects to host:port (an IP literal, or a name looked up with getaddrinfo). Returns "" or
  // what went wrong ("Connection refused", "timeout", "resolve HOST: ...").
  std::string Connect(const std::string& host, std::uint16_t port, Deadline deadline);
  bool is_open() const { return fd_ >= 0; }
  // Shuts the connection down both ways and closes it; harmless when already closed.
  void Close();

  // Writes all of `bytes`.
  IoStatus Write(std::string_view bytes, Deadline deadline);
  // Waits for bytes and appends what one read returns, at most min(`max`, kMaxRead), to `out`.
  IoStatus Read(std::string& out, std::size_t max, Deadline deadline);

  // Words for a status ("timeout", "end of stream", or the system's, e.g. "Broken pipe").
  std::string Describe(IoStatus status) const;

 private:
  // Waits until the descriptor is ready for `events`; false when the deadline passed.
  bool Wait(short events, Deadline deadline);
  IoStatus Failed(int error);

  int fd_ = -1;
  int errno_ = 0;  // of the last kClosedByPeer or kError
};

}  // namespace cohort::http_client

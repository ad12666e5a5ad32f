#include "http_client/raw_socket.h"

namespace cohort::http_client {

RawSocket::RawSocket(const std::string& host, std::uint16_t port,
                     std::chrono::milliseconds timeout) {
  const std::string error = socket_.Connect(host, port, SteadyClock::now() + timeout);
  if (!error.empty()) {
    error_ = "connect: " + error;
    return;
  }
  connected_ = true;
}

RawSocket::~RawSocket() { Close(); }

bool RawSocket::Send(std::string_view bytes, std::chrono::milliseconds timeout) {
  if (!connected_) return false;
  const IoStatus s = socket_.Write(bytes, SteadyClock::now() + timeout);
  if (s == IoStatus::kOk) return true;
  if (s == IoStatus::kClosedByPeer) peer_closed_ = true;
  error_ = "write: " + socket_.Describe(s);
  return false;
}

std::string RawSocket::ReadSome(std::chrono::milliseconds timeout) {
  if (!connected_ || peer_closed_) return {};
  std::string chunk;
  const IoStatus s = socket_.Read(chunk, Socket::kMaxRead, SteadyClock::now() + timeout);
  if (s == IoStatus::kOk || s == IoStatus::kTimeout) return chunk;
  if (s == IoStatus::kEndOfStream || s == IoStatus::kClosedByPeer) peer_closed_ = true;
  error_ = "read: " + socket_.Describe(s);
  return {};
}

std::string RawSocket::ReadUntilClosed(std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  std::string out;
  while (connected_ && !peer_closed_) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) break;
    out += ReadSome(left);
  }
  return out;
}

void RawSocket::Close() {
  if (!connected_) return;
  connected_ = false;
  socket_.Close();
}

}  // namespace cohort::http_client

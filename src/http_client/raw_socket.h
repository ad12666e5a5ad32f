#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "http_client/socket.h"

namespace cohort::http_client {

// A TCP connection for sending arbitrary bytes (malformed HTTP, slow clients) and reading
// whatever comes back. Every call is bounded by its timeout. Not thread-safe.
class RawSocket {
 public:
  // Connects; on failure connected() is false and error() says why.
  RawSocket(const std::string& host, std::uint16_t port,
            std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool connected() const { return connected_; }
  // The last failure ("connect: Connection refused", "write: Broken pipe", ...).
  const std::string& error() const { return error_; }

  // Writes all of `bytes` within `timeout`. Returns false (see error()) when that fails, e.g.
  // because the peer has closed the connection.
  bool Send(std::string_view bytes, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Waits up to `timeout` for bytes and returns those of one read ("" on timeout or close).
  std::string ReadSome(std::chrono::milliseconds timeout);
  // Reads until the peer closes the connection or `timeout` passes; returns all bytes read.
  std::string ReadUntilClosed(std::chrono::milliseconds timeout);
  // True once a read has seen the peer close the connection (end of stream or reset).
  bool peer_closed() const { return peer_closed_; }
  void Close();

 private:
  Socket socket_;
  bool connected_ = false;
  bool peer_closed_ = false;
  std::string error_;
};

}  // namespace cohort::http_client

#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cohort::testing {

// Request headers to add, in order: {"Authorization", "Bearer x"}.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// What came back: an HTTP answer, or status 0 with `error` saying why there was none
// (connection refused, reset, timeout, ...). Network failures never throw.
struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; repeats joined with ", "
  std::string body;
  std::string error;  // empty when status != 0

  // The header's value, or "" when absent. `name` must be lower case.
  std::string Header(std::string_view name) const;
};

// A synchronous HTTP/1.1 client for tests, keeping one keep-alive connection to host:port.
// Connects on first use, and again when the server closed the connection or answered
// "Connection: close". When a reused connection turns out to be closed before anything came
// back, the request is sent once more on a fresh connection. Every wait is bounded by `timeout`.
// Not thread-safe: one client per thread.
class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and reads its answer (interim 1xx answers are skipped). Sets Host,
  // User-Agent and Content-Length (when there is a body, or for POST/PUT/PATCH); `headers` are
  // set after those and replace them by name.
  HttpResponse Send(std::string_view method, std::string_view target, std::string_view body = {},
                    const HeaderList& headers = {});
  HttpResponse Get(std::string_view target, const HeaderList& headers = {}) {
    return Send("GET", target, {}, headers);
  }

  // Whether a connection is open now (as far as the client knows).
  bool connected() const;
  // How many TCP connections this client has opened: stays 1 while keep-alive works.
  int connections_opened() const;
  // Closes the connection; the next Send() opens a new one.
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One request on a connection of its own, sent with "Connection: close".
HttpResponse SendOnce(const std::string& host, std::uint16_t port, std::string_view method,
                      std::string_view target, std::string_view body = {},
                      const HeaderList& headers = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

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

  bool connected() const;
  // The last failure ("connect: Connection refused", "write: Broken pipe", ...).
  const std::string& error() const;

  // Writes all of `bytes` within `timeout`. Returns false (see error()) when that fails, e.g.
  // because the peer has closed the connection.
  bool Send(std::string_view bytes, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Waits up to `timeout` for bytes and returns those of one read ("" on timeout or close).
  std::string ReadSome(std::chrono::milliseconds timeout);
  // Reads until the peer closes the connection or `timeout` passes; returns all bytes read.
  std::string ReadUntilClosed(std::chrono::milliseconds timeout);
  // True once a read has seen the peer close the connection (end of stream or reset).
  bool peer_closed() const;
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cohort::testing

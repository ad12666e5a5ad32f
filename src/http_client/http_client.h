#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http_client/socket.h"

namespace cohort::http_client {

// Request headers to add, in order: {"Authorization", "Bearer x"}.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// What came back: an HTTP answer, or status 0 with `error` saying why there was none
// (connection refused, reset, timeout, ...). Network failures never throw.
struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; repeats joined with ", "
  std::string body;                            // de-chunked
  std::string error;                           // empty when status != 0
  // From the request's first byte written to the answer's first byte read, and to its last.
  double first_byte_ms = 0;
  double total_ms = 0;

  // The header's value, or "" when absent. `name` must be lower case.
  std::string Header(std::string_view name) const;
};

// A synchronous HTTP/1.1 client keeping one keep-alive connection to host:port, for the tests
// and for `cohort bench`. Small on purpose — it writes a request and reads bytes (Content-Length,
// chunked or close-delimited bodies) — so that what the bench times is the server, not the client.
// Connects on first use, and again when the server closed the connection or answered
// "Connection: close". When a reused connection turns out to be closed before anything came
// back, the request is sent once more on a fresh connection. Every wait is bounded by `timeout`
// (connecting, writing the request, reading the whole answer). Not thread-safe: one client per
// thread.
class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and reads its answer (interim 1xx answers are skipped). Sets Host,
  // User-Agent and Content-Length (when there is a body, or for POST, PUT and OPTIONS);
  // `headers` are set after those and replace them by name.
  HttpResponse Send(std::string_view method, std::string_view target, std::string_view body = {},
                    const HeaderList& headers = {});
  HttpResponse Get(std::string_view target, const HeaderList& headers = {}) {
    return Send("GET", target, {}, headers);
  }

  // Whether a connection is open now (as far as the client knows).
  bool connected() const { return socket_.is_open(); }
  // How many TCP connections this client has opened: stays 1 while keep-alive works.
  int connections_opened() const { return opened_; }
  // Closes the connection; the next Send() opens a new one.
  void Close();

 private:
  // How reading an answer ended; `retry`: the connection was found closed, nothing came back.
  struct ReadResult {
    bool ok = true;
    bool retry = false;
    std::string error;
  };
  ReadResult Read(bool head, Deadline deadline, SteadyClock::time_point start, HttpResponse& out,
                  bool& keep_alive);
  ReadResult ReadHead(Deadline deadline, bool& any, HttpResponse& out, std::string& version);
  ReadResult ReadChunked(Deadline deadline, HttpResponse& out);
  // Makes at least `n` unread bytes available in buffer_.
  IoStatus Fill(std::size_t n, Deadline deadline);
  // Finds `delimiter` in the unread bytes, reading more as needed up to `limit` unread bytes;
  // returns its offset from pos_.
  IoStatus FillUntil(std::string_view delimiter, std::size_t limit, Deadline deadline,
                     std::size_t& found);
  ReadResult Failure(IoStatus status, bool any) const;

  const std::string host_;
  const std::uint16_t port_;
  const std::chrono::milliseconds timeout_;
  Socket socket_;
  std::string buffer_;  // bytes read from the connection; [pos_, size) not yet parsed
  std::size_t pos_ = 0;
  int opened_ = 0;
};

// One request on a connection of its own, sent with "Connection: close".
HttpResponse SendOnce(const std::string& host, std::uint16_t port, std::string_view method,
                      std::string_view target, std::string_view body = {},
                      const HeaderList& headers = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace cohort::http_client

#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace cohort::bench {

// What one request got back; status 0 with `error` set when there was no answer.
struct HttpAnswer {
  int status = 0;
  std::string body;  // de-chunked
  std::string error;
  double first_byte_ms = 0;  // from the request's first byte sent to the answer's first byte
  double total_ms = 0;       // to the answer's last byte
};

// A synchronous HTTP/1.1 client over one keep-alive connection to 127.0.0.1:port, with a bearer
// token. Reconnects when the server closed the connection. Small on purpose: the bench measures
// the server, so the client does no more than read bytes (Content-Length or chunked bodies).
// Not thread-safe: one client per thread.
class HttpClient {
 public:
  HttpClient(std::uint16_t port, std::string token);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpAnswer Send(std::string_view method, std::string_view target, std::string_view body = {});
  HttpAnswer Get(std::string_view target) { return Send("GET", target); }

 private:
  bool Connect(std::string& error);
  void Close();
  // Reads at least one more byte into buffer_; false on close, error or timeout.
  bool Fill(std::string& error);

  std::uint16_t port_;
  std::string token_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace cohort::bench

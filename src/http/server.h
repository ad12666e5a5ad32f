#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "http/message.h"

namespace cohort::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;                 // 0 picks a free port (tests)
  int threads = 4;                           // I/O threads that also run handlers
  std::size_t max_body_bytes = 32u << 20;    // larger bodies answer 413
  int request_timeout_s = 30;                // a request must arrive whole within this
  int idle_timeout_s = 60;                   // an idle keep-alive connection is closed after this
  std::size_t max_connections = 10'000;      // above this, new connections answer 503 and close
  std::size_t max_header_bytes = 64u << 10;  // a larger request line + headers answers 431
  int write_timeout_s = 60;                  // a response must be taken by the client within this
  int shutdown_timeout_s = 10;               // Stop() waits this long for in-flight requests
  // Called for each answer the server gives by itself, without the Handler: 400 (malformed
  // request or target), 413, 431, and 503 (too many open connections). On an I/O thread; must be
  // thread-safe and must not throw. Lets /metrics and the log count every request answered.
  std::function<void(int status)> on_refused;
};

// An HTTP/1.1 server (Boost.Beast + Asio, the only files that include them). Serves every
// request through one Handler. Start() binds and begins serving on background threads;
// Stop() stops accepting, lets in-flight requests finish, and joins the threads.
// Thread-safe: Stop() may be called from any thread, any number of times (the first call does
// the work, later ones wait for it); but not from inside the Handler, which it would wait for.
// Destroying a Server stops it.
class Server {
 public:
  virtual ~Server() = default;
  // The bound port (useful when options.port was 0).
  virtual std::uint16_t port() const = 0;
  // Connections open now (for /metrics). Thread-safe.
  virtual std::size_t open_connections() const = 0;
  // Blocks until SIGTERM or SIGINT arrives (or Stop() is called), then shuts down gracefully.
  virtual void WaitForShutdownSignal() = 0;
  // Stops accepting, closes idle connections, lets requests being read or handled finish (each
  // answered with "Connection: close") for up to shutdown_timeout_s, then closes whatever is
  // left and joins the I/O threads.
  virtual void Stop() = 0;
};

// Binds and starts serving. Errors: kUnavailable when the address cannot be bound.
Result<std::unique_ptr<Server>> StartServer(const ServerOptions& options, Handler handler);

}  // namespace cohort::http

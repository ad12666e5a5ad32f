// The one translation unit of the server that includes Boost.Beast and Asio.
//
// Threads: `options.threads` threads run one io_context. The acceptor lives on its own strand;
// every connection lives on a strand of its own, so a connection's state is only ever touched by
// one thread at a time and needs no lock. What connections share with the server is in `Shared`.
//
// A connection's life: wait (idle timeout) for the first bytes of a request; then the whole
// request, header and body, must arrive before the request deadline; the handler runs on the
// connection's strand (a read) or on the writers' pool (a write: every method but GET and HEAD,
// so that reads never wait for an I/O thread behind writes waiting for their commit); the
// response is written (write timeout); then either the next request or
// a graceful close. Errors found while reading are answered with a JSON error and the
// connection is closed after a short lingering drain, so the client can read the answer instead
// of a TCP reset.
#include "http/server.h"

#include <utility>  // GCC 12 in C++20: before <boost/asio.hpp>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/logging.h"
#include "common/thread_annotations.h"
#include "http/request_id.h"
#include "http/target.h"

namespace cohort::http {
namespace {

// Writes are throughput work and views interactive: a thread of the writers' pool runs at a
// lower CPU priority (nice +10), so that when both want a core the scheduler gives a view's
// I/O thread about nine times the writer's share (docs/decisions.md, "Reads while ingesting").
// Linux's nice is per thread; set once per thread. COHORT_WRITER_NICE sets the step (0: none).
void LowerThisWritersPriority() {
  thread_local bool lowered = false;
  if (lowered) return;
  lowered = true;
  static const int step = [] {
    const char* env = std::getenv("COHORT_WRITER_NICE");
    return env != nullptr ? std::clamp(std::atoi(env), 0, 19) : 10;
  }();
  if (step == 0) return;
  const int now = getpriority(PRIO_PROCESS, 0);
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), std::min(now + step, 19)) != 0) {
    spdlog::debug("the writers' thread kept its priority (setpriority failed)");
  }
}

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Seconds = std::chrono::seconds;

// While a request arrives, read up to this much per system call (with a small buffer Beast
// reads 512 bytes at a time). Idle connections give the buffer back and wait with a small one,
// so 10,000 keep-alive connections do not pin 64 KiB each.
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kIdleChunk = 4 * 1024;
// How long a connection closed by us keeps draining what the client still sends.
constexpr Seconds kLingerTime{2};
// How long the client has to take an error answer before we give up on it.
constexpr Seconds kErrorWriteTimeout{5};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// How soon a streamed body's producer that answered kPending is asked again.
constexpr std::chrono::milliseconds kPendingRetry{10};

// The security headers of every answer, API, UI, errors and refusals alike (docs/security.md):
// set here, the one place every response passes, so no route can forget them. The policy
// allows scripts, styles, images and fetches from this origin only: no inline script, no
// inline style attribute, no eval, no framing. Chart.js sizes its canvas through the CSSOM,
// which this allows.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";
struct HeaderField {
  std::string_view name, value;
};
constexpr HeaderField kSecurityHeaders[] = {
    {"Content-Security-Policy", kContentSecurityPolicy},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "same-origin"},
};

// The JSON error of SPEC §4.1, for failures the server answers itself.
std::string ErrorBody(std::string_view code, std::string_view message) {
  return R"({"error":{"code":")" + JsonEscape(code) + R"(","message":")" + JsonEscape(message) +
         R"(","details":[]}})";
}

Response ErrorResponse(int status, std::string_view code, std::string_view message) {
  Response r;
  r.status = status;
  r.body = ErrorBody(code, message);
  return r;
}

// "32 MiB", "1 KiB", "1000 bytes".
std::string SizeText(std::size_t bytes) {
  constexpr std::size_t kKiB = 1024;
  constexpr std::size_t kMiB = kKiB * kKiB;
  if (bytes >= kMiB && bytes % kMiB == 0) return fmt::format("{} MiB", bytes / kMiB);
  if (bytes >= kKiB && bytes % kKiB == 0) return fmt::format("{} KiB", bytes / kKiB);
  return fmt::format("{} bytes", bytes);
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

class Connection;

// What the server and its connections share. Outlives both (held by shared_ptr).
struct Shared {
  Shared(ServerOptions o, Handler h)
      : options(std::move(o)),
        handler(std::move(h)),
        writes(static_cast<std::size_t>(std::max(1, options.threads))) {}

  const ServerOptions options;
  const Handler handler;
  // Where the handlers of writes (every method but GET and HEAD) run: a write waits for its
  // group commit and the engine, and on an I/O thread it would keep reads waiting for a thread.
  // Joined by Stop() once no I/O thread runs (never from one of its own threads).
  asio::thread_pool writes;
  // Set once by Stop(); connections read it to stop keeping alive and to refuse new requests.
  std::atomic<bool> stopping{false};

  Mutex mutex;
  // Signalled (under `mutex`) when `connections` becomes empty, for Stop() to wait on.
  std::condition_variable drained;
  // Every open connection, registered by the acceptor, removed by ~Connection.
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> connections GUARDED_BY(mutex);
};

// One TCP connection serving HTTP/1.1 requests one after another. Every member function but
// the constructor, the destructor and executor() runs on the connection's strand.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Executor = beast::tcp_stream::executor_type;

  Connection(tcp::socket socket, std::shared_ptr<Shared> shared, std::string remote_address)
      : stream_(std::move(socket)),
        executor_(stream_.get_executor()),
        pending_timer_(executor_),
        request_timer_(executor_),
        shared_(std::move(shared)),
        remote_address_(std::move(remote_address)) {}

  ~Connection() {
    MutexLock lock(shared_->mutex);
    shared_->connections.erase(this);
    if (shared_->connections.empty()) shared_->drained.notify_all();
  }

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The connection's strand; immutable, so any thread may read it.
  const Executor& executor() const { return executor_; }

  void Start() { WaitForRequest(); }

  // The server is stopping: an idle connection closes now; a busy one closes after its answer.
  // "Idle" means no byte of a request has arrived: bytes waiting in the socket, or a read that
  // completed but whose handler has not run yet, are a request in flight, and it is served.
  void OnServerStopping() {
    if (phase_ != Phase::kIdle) return;
    beast::error_code ec;
    if (stream_.socket().available(ec) > 0 && !ec) return;  // OnFirstBytes will run
    // Ends the idle wait: it completes with operation_aborted (→ Close), or with the bytes a
    // completed read already brought.
    stream_.socket().cancel(ec);
  }

  // Closes the socket. Requires: no I/O thread is running (used by Stop() after the join).
  void CloseNow() { Close(); }

 private:
  enum class Phase {
    kIdle,      // waiting for the first byte of the next request
    kReading,   // a request has begun to arrive
    kHandling,  // running the handler or writing its answer
    kClosing,   // answering an error, or draining before the close
    kClosed,
  };

  void WaitForRequest() {
    if (shared_->stopping.load()) {
      Close();
      return;
    }
    parser_.emplace();
    parser_->body_limit(static_cast<std::uint64_t>(shared_->options.max_body_bytes));
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        shared_->options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    if (buffer_.size() > 0) {  // a pipelined request already began
      ReadHeader();
      return;
    }
    phase_ = Phase::kIdle;
    if (buffer_.capacity() > kIdleChunk) buffer_.shrink_to_fit();  // empty: frees it all
    stream_.expires_after(Seconds(shared_->options.idle_timeout_s));
    stream_.async_read_some(buffer_.prepare(kIdleChunk),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->OnFirstBytes(ec, n);
                            });
  }

  void OnFirstBytes(beast::error_code ec, std::size_t n) {
    if (ec) {  // idle timeout, the client closed, or the server is stopping
      Close();
      return;
    }
    buffer_.commit(n);
    ReadHeader();
  }

  // From the first byte on, the whole request must arrive within the request timeout: the
  // deadline is set once here and covers the header, the 100-continue and the body. It is our
  // own timer, not the stream's: the stream closes the socket when its deadline passes, and a
  // client that is merely slow deserves a 408 it can read. The stream's deadline stays as a
  // backstop a little later.
  void ReadHeader() {
    phase_ = Phase::kReading;
    buffer_.reserve(kReadChunk);
    const Seconds timeout(shared_->options.request_timeout_s);
    stream_.expires_after(timeout + kErrorWriteTimeout);
    timed_out_ = false;
    request_timer_.expires_after(timeout);
    request_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->phase_ != Phase::kReading) return;  // cancelled: the request arrived
      self->timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);  // the read ends with operation_aborted
    });
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
  }

  // The parser has already checked Content-Length against the body limit, before any body.
  void OnHeader(beast::error_code ec) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    // RFC 9112 §6.3: a request whose last transfer coding is not chunked has no knowable end,
    // and one with codings we do not decode (gzip, chunked) would reach a route undecoded.
    // Beast accepts both; a proxy in front might frame them differently (request smuggling).
    const auto coding = parser_->get()[bhttp::field::transfer_encoding];
    if (!coding.empty() && !beast::iequals(coding, "chunked")) {
      Fail(400, "malformed", "Transfer-Encoding other than chunked alone is not supported");
      return;
    }
    if (!parser_->is_done() &&
        beast::iequals(parser_->get()[bhttp::field::expect], "100-continue")) {
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
                          if (write_ec) {
                            self->Close();
                          } else {
                            self->ReadBody();
                          }
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRequest(ec); });
  }

  void OnReadError(beast::error_code ec) {
    const ServerOptions& options = shared_->options;
    request_timer_.cancel();
    if (timed_out_) {
      Fail(408, "timeout",
           fmt::format("the request did not arrive whole within {} s",
                       options.request_timeout_s));
    } else if (ec == bhttp::error::body_limit) {
      Fail(413, "too_large", "request body is larger than " + SizeText(options.max_body_bytes));
    } else if (ec == bhttp::error::header_limit) {
      Fail(431, "too_large", "request header is larger than " + SizeText(options.max_header_bytes));
    } else if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
               ec.category() != bhttp::make_error_code(bhttp::error::bad_method).category()) {
      Close();  // the client went away or was too slow; nobody to answer
    } else {
      Fail(400, "malformed", "malformed HTTP request: " + ec.message());
    }
  }

  void OnRequest(beast::error_code ec) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    request_timer_.cancel();
    phase_ = Phase::kHandling;
    bhttp::request<bhttp::string_body> message = parser_->release();
    parser_.reset();
    if (message.method() != bhttp::verb::get && message.method() != bhttp::verb::head) {
      // A write runs on the writers' pool; its answer comes back to this strand. Nothing else
      // touches the connection meanwhile (kHandling: no read, no timer), and the work guard
      // keeps the I/O threads running until the answer is sent, through a Stop() too.
      auto request = std::make_shared<bhttp::request<bhttp::string_body>>(std::move(message));
      asio::post(shared_->writes, [self = shared_from_this(), request,
                                   work = asio::make_work_guard(executor_)]() mutable {
        LowerThisWritersPriority();
        auto response = std::make_shared<Response>(self->Handle(*request));
        asio::post(self->executor_, [self, request, response, work = std::move(work)] {
          self->Answer(*request, std::move(*response));
        });
      });
      return;
    }
    Answer(message, Handle(message));
  }

  void Answer(const bhttp::request<bhttp::string_body>& message, Response response) {
    // Read `stopping` after the handler: a request that was in flight when Stop() began is
    // answered with "Connection: close", so the client does not reuse a closing connection.
    const bool keep_alive = message.keep_alive() && !shared_->stopping.load();
    Send(std::move(response), message.version(), keep_alive, message.method() == bhttp::verb::head);
  }

  // Runs the handler: on the strand for a read, on the writers' pool for a write (it reads
  // only what never changes: shared_ and remote_address_).
  Response Handle(bhttp::request<bhttp::string_body>& message) {
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    Result<DecodedTarget> target = DecodeTarget(request.target);
    if (!target.ok()) {
      Refused(400);
      return ErrorResponse(400, "malformed", target.status().message());
    }
    request.path = std::move(target.value().path);
    request.query = std::move(target.value().query);
    for (const auto& field : message) {
      std::string name =
          Lower(std::string_view(field.name_string().data(), field.name_string().size()));
      const std::string_view value(field.value().data(), field.value().size());
      auto [it, inserted] = request.headers.emplace(name, std::string(value));
      if (!inserted) {  // a repeated header: one list, as RFC 9110 §5.3 allows
        it->second += name == "cookie" ? "; " : ", ";
        it->second += value;
      }
    }
    request.body = std::move(message.body());
    request.remote_address = remote_address_;
    try {
      return shared_->handler(request);
    } catch (const std::exception& e) {
      spdlog::error("handler failed on {} {}: {}", request.method, request.path, e.what());
    } catch (...) {
      spdlog::error("handler failed on {} {}: unknown exception", request.method, request.path);
    }
    return ErrorResponse(500, "internal", "internal error");
  }

  // The status line and header fields every answer has, streamed or not.
  template <typename Body>
  static void BuildHeader(bhttp::response<Body>& out, const Response& in, unsigned version,
                          bool keep_alive) {
    out.version(version);
    out.result(static_cast<unsigned>(in.status));
    out.set(bhttp::field::server, "cohort");
    if (!in.content_type.empty()) out.set(bhttp::field::content_type, in.content_type);
    bool has_request_id = false;
    for (const auto& [name, value] : in.headers) {
      out.insert(name, value);
      has_request_id = has_request_id || beast::iequals(name, "X-Request-Id");
    }
    // Every answer carries a request id; the handler's (echoed or logged) when it set one.
    if (!has_request_id) out.set("X-Request-Id", NewRequestId());
    for (const HeaderField& h : kSecurityHeaders) {
      out.set(beast::string_view(h.name.data(), h.name.size()),
              beast::string_view(h.value.data(), h.value.size()));
    }
    out.keep_alive(keep_alive);
  }

  static void Build(bhttp::response<bhttp::string_body>& out, Response& in, unsigned version,
                    bool keep_alive, bool head) {
    BuildHeader(out, in, version, keep_alive);
    out.body() = std::move(in.body);
    out.prepare_payload();
    if (head) out.body().clear();  // Content-Length stays that of the body a GET would get
  }

  void Send(Response response, unsigned version, bool keep_alive, bool head) {
    if (response.status < 100 || response.status > 599) {
      spdlog::error("handler answered the invalid HTTP status {}", response.status);
      response = ErrorResponse(500, "internal", "internal error");
    }
    if (response.stream && !head) {
      SendStream(std::move(response), version, keep_alive);
      return;
    }
    // A HEAD of a streamed answer sends its header only (its length is not known in advance).
    response.stream = nullptr;
    response_.emplace();
    try {
      Build(*response_, response, version, keep_alive, head);
    } catch (const std::exception& e) {  // e.g. a body on a 204, a bad header name
      spdlog::error("cannot send the handler's answer: {}", e.what());
      response_.emplace();
      Response internal = ErrorResponse(500, "internal", "internal error");
      Build(*response_, internal, version, keep_alive, head);
    }
    stream_.expires_after(Seconds(shared_->options.write_timeout_s));
    bhttp::async_write(stream_, *response_,
                       [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                         self->OnWritten(ec, keep_alive);
                       });
  }

  // A streamed answer: the header, then each piece the producer makes as one chunk (written
  // before the next piece is asked for, so at most one piece is held), then the last chunk.
  // Each write has the write timeout. An HTTP/1.0 client gets the pieces unframed, then the
  // close.
  void SendStream(Response response, unsigned version, bool keep_alive) {
    streamed_.emplace();
    try {
      BuildHeader(*streamed_, response, version, keep_alive);
    } catch (const std::exception& e) {
      spdlog::error("cannot send the handler's answer: {}", e.what());
      streamed_.reset();
      Send(ErrorResponse(500, "internal", "internal error"), version, keep_alive, false);
      return;
    }
    if (version >= 11) {
      streamed_->chunked(true);
    } else {  // HTTP/1.0 has no chunks: the body ends when the connection closes
      keep_alive = false;
      streamed_->keep_alive(false);
    }
    producer_ = std::move(response.stream);
    producer_done_ = false;
    serializer_.emplace(*streamed_);
    NextChunk(keep_alive);
  }

  void NextChunk(bool keep_alive) {
    auto& body = streamed_->body();
    chunk_.clear();
    while (!producer_done_ && chunk_.empty()) {
      BodyStep step = BodyStep::kFailed;
      try {
        step = producer_(chunk_);
      } catch (const std::exception& e) {
        spdlog::error("a streamed answer failed: {}", e.what());
      }
      if (step == BodyStep::kFailed) {
        const unsigned version = streamed_->version();
        const bool started = serializer_->is_header_done();
        EndStream();
        if (!started) {  // nothing went out yet: a proper error answer
          Send(ErrorResponse(500, "internal", "internal error"), version, keep_alive, false);
          return;
        }
        spdlog::warn("a streamed answer could not be completed; closing the connection");
        Close();
        return;
      }
      if (step == BodyStep::kPending) {
        chunk_.clear();
        pending_timer_.expires_after(kPendingRetry);
        pending_timer_.async_wait([self = shared_from_this(), keep_alive](beast::error_code ec) {
          if (ec || self->phase_ == Phase::kClosed) {
            self->EndStream();
            return;
          }
          self->NextChunk(keep_alive);
        });
        return;
      }
      producer_done_ = step == BodyStep::kDone;
    }
    const bool last = chunk_.empty();  // only once the producer is done
    body.data = last ? nullptr : chunk_.data();
    body.size = chunk_.size();
    body.more = !last;
    stream_.expires_after(Seconds(shared_->options.write_timeout_s));
    bhttp::async_write(stream_, *serializer_,
                       [self = shared_from_this(), keep_alive, last](beast::error_code ec,
                                                                     std::size_t) {
                         if (ec == bhttp::error::need_buffer) ec = {};  // the piece went out
                         if (ec || last) {
                           self->EndStream();
                           self->OnWritten(ec, keep_alive);
                         } else {
                           self->NextChunk(keep_alive);
                         }
                       });
  }

  // Releases a streamed answer and its producer (and whatever the producer owns).
  void EndStream() {
    serializer_.reset();
    streamed_.reset();
    producer_ = nullptr;
    std::string().swap(chunk_);
  }

  void OnWritten(beast::error_code ec, bool keep_alive) {
    response_.reset();
    if (ec) {
      Close();
    } else if (keep_alive) {
      WaitForRequest();
    } else {
      Linger();
    }
  }

  // Answers a request that could not be read, then closes.
  void Refused(int status) const {
    if (shared_->options.on_refused) shared_->options.on_refused(status);
  }

  void Fail(int status, std::string_view code, std::string_view message) {
    phase_ = Phase::kClosing;
    spdlog::debug("{}: answering {} ({})", remote_address_, status, message);
    Refused(status);
    response_.emplace();
    Response error = ErrorResponse(status, code, message);
    Build(*response_, error, 11, false, false);
    stream_.expires_after(kErrorWriteTimeout);
    bhttp::async_write(stream_, *response_,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         self->response_.reset();
                         if (ec) {
                           self->Close();
                         } else {
                           self->Linger();
                         }
                       });
  }

  // Half-closes, then reads and discards until the client closes too (or kLingerTime passes):
  // closing with unread data would send a reset that can destroy our answer in flight.
  void Linger() {
    phase_ = Phase::kClosing;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) {
      Close();
      return;
    }
    buffer_.clear();
    stream_.expires_after(kLingerTime);
    Drain();
  }

  void Drain() {
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) {
                                self->Close();
                              } else {
                                self->Drain();
                              }
                            });
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    pending_timer_.cancel();
    request_timer_.cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  const Executor executor_;
  asio::steady_timer pending_timer_;  // waits before asking a kPending producer again
  asio::steady_timer request_timer_;  // the request deadline (ReadHeader)
  bool timed_out_ = false;            // request_timer_ fired while the request was arriving
  const std::shared_ptr<Shared> shared_;
  const std::string remote_address_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::string_body>> response_;  // the answer being written
  // A streamed answer being written (Response::stream): the message, its serializer (which
  // refers to it), the producer of its pieces, and the piece being written.
  std::optional<bhttp::response<bhttp::buffer_body>> streamed_;
  std::optional<bhttp::response_serializer<bhttp::buffer_body>> serializer_;
  BodyProducer producer_;
  bool producer_done_ = false;
  std::string chunk_;
  Phase phase_ = Phase::kIdle;
};

class ServerImpl final : public Server {
 public:
  explicit ServerImpl(std::shared_ptr<Shared> shared)
      : shared_(std::move(shared)),
        ioc_(std::max(1, shared_->options.threads)),
        accept_strand_(asio::make_strand(ioc_)),
        acceptor_(accept_strand_),
        accept_retry_(accept_strand_),
        work_(ioc_.get_executor()) {}

  ~ServerImpl() override { Stop(); }

  ServerImpl(const ServerImpl&) = delete;
  ServerImpl& operator=(const ServerImpl&) = delete;

  // Opens, binds and listens. Errors: kUnavailable.
  Status Listen() {
    const ServerOptions& options = shared_->options;
    const std::string where = fmt::format("{}:{}", options.host, options.port);
    beast::error_code ec;
    tcp::endpoint endpoint;
    const asio::ip::address address = asio::ip::make_address(options.host, ec);
    if (!ec) {
      endpoint = tcp::endpoint(address, options.port);
    } else {
      tcp::resolver resolver(ioc_);
      const tcp::resolver::results_type found =
          resolver.resolve(options.host, std::to_string(options.port), ec);
      if (ec || found.empty()) {
        return Status::Unavailable(
            fmt::format("cannot listen on {}: cannot resolve host '{}'", where, options.host));
      }
      endpoint = found.begin()->endpoint();
    }
    const auto failed = [&](const char* step) {
      return Status::Unavailable(
          fmt::format("cannot listen on {}: {} failed: {}", where, step, ec.message()));
    };
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) return failed("open");
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) return failed("SO_REUSEADDR");
    acceptor_.bind(endpoint, ec);
    if (ec) return failed("bind");
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return failed("listen");
    port_ = acceptor_.local_endpoint(ec).port();
    if (ec) return failed("getsockname");
    return Status();
  }

  void Run() {
    asio::post(accept_strand_, [this] { Accept(); });
    const int threads = std::max(1, shared_->options.threads);
    threads_.reserve(static_cast<std::size_t>(threads));
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this] {
        for (;;) {
          try {
            ioc_.run();
            return;
          } catch (const std::exception& e) {
            spdlog::error("HTTP I/O thread caught: {}", e.what());
          }
        }
      });
    }
  }

  std::uint16_t port() const override { return port_; }

  std::size_t open_connections() const override {
    MutexLock lock(shared_->mutex);
    return shared_->connections.size();
  }

  void WaitForShutdownSignal() override {
    // The signal_set lives on its own io_context run by this thread, so it is never touched by
    // two threads, and Stop() from elsewhere can end the wait with io_context::stop().
    asio::io_context signal_ioc(1);
    asio::signal_set signals(signal_ioc, SIGINT, SIGTERM);
    int received = 0;
    signals.async_wait([&received](const beast::error_code& ec, int number) {
      if (!ec) received = number;
    });
    // A caller may have blocked SIGINT/SIGTERM while it started (so that a signal arriving
    // before this wait is kept pending, not fatal); the handler is installed now, so let them in.
    sigset_t shutdown_signals;
    sigemptyset(&shutdown_signals);
    sigaddset(&shutdown_signals, SIGINT);
    sigaddset(&shutdown_signals, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &shutdown_signals, nullptr);
    {
      MutexLock lock(signal_mutex_);
      if (stop_requested_) signal_ioc.stop();
      signal_ioc_ = &signal_ioc;
    }
    signal_ioc.run();
    {
      MutexLock lock(signal_mutex_);
      signal_ioc_ = nullptr;
    }
    if (received != 0) spdlog::info("signal {} received: shutting down", received);
    Stop();
  }

  void Stop() override {
    std::call_once(stop_once_, [this] { DoStop(); });
  }

 private:
  void Accept() {
    if (!acceptor_.is_open()) return;
    acceptor_.async_accept(
        asio::make_strand(ioc_),
        [this](beast::error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
  }

  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open() || ec == asio::error::operation_aborted) return;
    if (ec) {  // e.g. out of file descriptors: wait a little rather than spin
      spdlog::warn("accept failed: {}", ec.message());
      accept_retry_.expires_after(std::chrono::milliseconds(50));
      accept_retry_.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec) Accept();
      });
      return;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    const tcp::endpoint remote = socket.remote_endpoint(ignored);
    std::shared_ptr<Connection> connection;
    bool full = false;
    {
      MutexLock lock(shared_->mutex);
      if (shared_->stopping.load()) {
        // Stop() has begun: the socket closes as it goes out of scope.
      } else if (shared_->connections.size() >= shared_->options.max_connections) {
        full = true;
      } else {
        connection =
            std::make_shared<Connection>(std::move(socket), shared_, remote.address().to_string());
        shared_->connections.emplace(connection.get(), connection);
      }
    }
    if (full) {
      if (shared_->options.on_refused) shared_->options.on_refused(503);
      Reject(std::move(socket));
    }
    if (connection) asio::dispatch(connection->executor(), [connection] { connection->Start(); });
    Accept();
  }

  // Answers 503 and closes. The answer fits in a fresh socket's send buffer, so this costs no
  // more than the accept did, and the connection is not counted.
  static void Reject(tcp::socket socket) {
    struct Rejection {
      tcp::socket socket;
      std::string text;
    };
    const std::string body = ErrorBody("unavailable", "too many open connections; retry later");
    std::string security;
    for (const HeaderField& h : kSecurityHeaders) {
      security += fmt::format("{}: {}\r\n", h.name, h.value);
    }
    auto rejection = std::make_shared<Rejection>(Rejection{
        std::move(socket), fmt::format("HTTP/1.1 503 Service Unavailable\r\nServer: cohort\r\n"
                                       "Content-Type: application/json\r\nContent-Length: {}\r\n"
                                       "Retry-After: 1\r\nX-Request-Id: {}\r\n{}"
                                       "Connection: close\r\n\r\n{}",
                                       body.size(), NewRequestId(), security, body)});
    spdlog::debug("refusing a connection: too many open connections");
    asio::async_write(rejection->socket, asio::buffer(rejection->text),
                      [rejection](beast::error_code, std::size_t) {
                        beast::error_code ignored;
                        rejection->socket.shutdown(tcp::socket::shutdown_send, ignored);
                        rejection->socket.close(ignored);
                      });
  }

  std::vector<std::weak_ptr<Connection>> OpenConnections() {
    std::vector<std::weak_ptr<Connection>> open;
    MutexLock lock(shared_->mutex);
    open.reserve(shared_->connections.size());
    for (const auto& entry : shared_->connections) open.push_back(entry.second);
    return open;
  }

  void DoStop() {
    assert(std::none_of(
               threads_.begin(), threads_.end(),
               [](const std::thread& t) { return t.get_id() == std::this_thread::get_id(); }) &&
           "Stop() must not be called from a handler");
    shared_->stopping.store(true);
    {
      MutexLock lock(signal_mutex_);
      stop_requested_ = true;
      if (signal_ioc_ != nullptr) signal_ioc_->stop();
    }
    asio::post(accept_strand_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      accept_retry_.cancel();
    });
    // A connection registered after this snapshot saw `stopping` under the mutex and was
    // refused; one that goes idle after it sees `stopping` in WaitForRequest().
    for (const std::weak_ptr<Connection>& weak : OpenConnections()) {
      if (std::shared_ptr<Connection> c = weak.lock()) {
        asio::post(c->executor(), [c] { c->OnServerStopping(); });
      }
    }
    work_.reset();
    {
      MutexLock lock(shared_->mutex);
      const bool drained = shared_->drained.wait_for(
          lock.unique(), Seconds(shared_->options.shutdown_timeout_s),
          [this]() NO_THREAD_SAFETY_ANALYSIS { return shared_->connections.empty(); });
      if (!drained) {
        spdlog::warn("{} HTTP connection(s) still busy after {} s; closing them",
                     shared_->connections.size(), shared_->options.shutdown_timeout_s);
      }
    }
    ioc_.stop();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    // A write still being handled after the grace period finishes (its store commit is not cut
    // short); its answer, posted to a stopped io_context, is not sent.
    shared_->writes.join();
    // No I/O thread runs any more, and the handlers posted above may never have run (stop()
    // drops them): close the acceptor and whatever outlived the grace period directly.
    beast::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
    for (const std::weak_ptr<Connection>& weak : OpenConnections()) {
      if (std::shared_ptr<Connection> c = weak.lock()) c->CloseNow();
    }
  }

  const std::shared_ptr<Shared> shared_;
  asio::io_context ioc_;
  asio::strand<asio::io_context::executor_type> accept_strand_;
  tcp::acceptor acceptor_;           // used on accept_strand_ only (and by Listen before Run)
  asio::steady_timer accept_retry_;  // used on accept_strand_ only
  asio::executor_work_guard<asio::io_context::executor_type> work_;  // released by Stop()
  std::vector<std::thread> threads_;  // written by Run() and DoStop() only
  std::uint16_t port_ = 0;
  std::once_flag stop_once_;

  Mutex signal_mutex_;
  bool stop_requested_ GUARDED_BY(signal_mutex_) = false;
  // WaitForShutdownSignal()'s, while it waits.
  asio::io_context* signal_ioc_ GUARDED_BY(signal_mutex_) = nullptr;
};

}  // namespace

Result<std::unique_ptr<Server>> StartServer(const ServerOptions& options, Handler handler) {
  auto server = std::make_unique<ServerImpl>(std::make_shared<Shared>(options, std::move(handler)));
  Status listening = server->Listen();
  if (!listening.ok()) return listening;
  server->Run();
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace cohort::http

#include "support/http_client.h"

#include <utility>  // GCC 12 in C++20: before <boost/asio.hpp>

#include <limits>
#include <optional>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace cohort::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Resolves host:port to one endpoint; an IP literal needs no lookup.
std::optional<tcp::endpoint> Resolve(asio::io_context& ioc, const std::string& host,
                                     std::uint16_t port, std::string& error) {
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(address, port);
  tcp::resolver resolver(ioc);
  const tcp::resolver::results_type found = resolver.resolve(host, std::to_string(port), ec);
  if (ec || found.empty()) {
    error = "resolve " + host + ": " + (ec ? ec.message() : std::string("no address"));
    return std::nullopt;
  }
  return found.begin()->endpoint();
}

// Runs `ioc` until its work is done or `timeout` passes; on timeout cancels `socket`'s
// operations and lets them complete. Returns false on timeout.
bool RunFor(asio::io_context& ioc, tcp::socket& socket, std::chrono::milliseconds timeout) {
  ioc.restart();
  ioc.run_for(timeout);
  if (ioc.stopped()) return true;
  beast::error_code ignored;
  socket.cancel(ignored);
  ioc.restart();
  ioc.run();
  return false;
}

bool IsClosedByPeer(const beast::error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == bhttp::error::end_of_stream;
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

struct HttpClient::Impl {
  Impl(std::string h, std::uint16_t p, std::chrono::milliseconds t)
      : host(std::move(h)), port(p), timeout(t) {}

  // Returns "" or what went wrong.
  std::string Connect() {
    std::string error;
    std::optional<tcp::endpoint> endpoint = Resolve(ioc, host, port, error);
    if (!endpoint) return error;
    stream.emplace(ioc);
    buffer.clear();
    beast::error_code ec;
    stream->expires_after(timeout);
    stream->async_connect(*endpoint, [&ec](beast::error_code e) { ec = e; });
    ioc.restart();
    ioc.run();
    if (ec) {
      stream.reset();
      return ec.message();
    }
    ++opened;
    return {};
  }

  void Disconnect() {
    if (!stream) return;
    beast::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream->close();
    stream.reset();
    ioc.restart();
    ioc.run();  // completes whatever the close cancelled
  }

  beast::error_code Write(bhttp::request<bhttp::string_body>& request) {
    beast::error_code ec;
    stream->expires_after(timeout);
    bhttp::async_write(*stream, request, [&ec](beast::error_code e, std::size_t) { ec = e; });
    ioc.restart();
    ioc.run();
    return ec;
  }

  // Reads one final answer into `out`, skipping interim 1xx answers.
  beast::error_code Read(bool head, HttpResponse& out, bool& keep_alive) {
    for (;;) {
      bhttp::response_parser<bhttp::string_body> parser;
      // No limit. Not boost::none: Boost 1.74 compares the Content-Length with the empty
      // optional as "greater", and refuses every body whose length is known before it arrives.
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      parser.header_limit(1u << 20);
      if (head) parser.skip(true);
      beast::error_code ec;
      stream->expires_after(timeout);
      bhttp::async_read(*stream, buffer, parser,
                        [&ec](beast::error_code e, std::size_t) { ec = e; });
      ioc.restart();
      ioc.run();
      if (ec) return ec;
      bhttp::response<bhttp::string_body> message = parser.release();
      const unsigned status = message.result_int();
      if (status >= 100 && status < 200 && status != 101) continue;
      out.status = static_cast<int>(status);
      for (const auto& field : message) {
        std::string name =
            Lower(std::string_view(field.name_string().data(), field.name_string().size()));
        const std::string value(field.value().data(), field.value().size());
        auto [it, inserted] = out.headers.emplace(std::move(name), value);
        if (!inserted) it->second += ", " + value;
      }
      out.body = std::move(message.body());
      keep_alive = message.keep_alive();
      return {};
    }
  }

  HttpResponse Send(std::string_view method, std::string_view target, std::string_view body,
                    const HeaderList& headers) {
    for (int attempt = 0;; ++attempt) {
      const bool reused = stream.has_value();
      if (!stream) {
        std::string error = Connect();
        if (!error.empty()) {
          HttpResponse failed;
          failed.error = "connect: " + error;
          return failed;
        }
      }
      bhttp::request<bhttp::string_body> request;
      request.version(11);
      request.method_string(beast::string_view(method.data(), method.size()));
      request.target(beast::string_view(target.data(), target.size()));
      request.set(bhttp::field::host, host + ":" + std::to_string(port));
      request.set(bhttp::field::user_agent, "cohort-test");
      request.body() = std::string(body);
      request.prepare_payload();
      for (const auto& [name, value] : headers) request.set(name, value);

      // A write error is not final: the server may have answered early (413) and closed.
      const beast::error_code write_ec = Write(request);
      HttpResponse out;
      bool keep_alive = false;
      const beast::error_code read_ec = Read(method == "HEAD", out, keep_alive);
      if (!read_ec) {
        if (!keep_alive) Disconnect();
        return out;
      }
      Disconnect();
      if (reused && attempt == 0 && IsClosedByPeer(read_ec)) continue;  // a stale keep-alive
      out = HttpResponse();
      if (write_ec) out.error = "write: " + write_ec.message() + "; ";
      out.error += "read: " + read_ec.message();
      return out;
    }
  }

  const std::string host;
  const std::uint16_t port;
  const std::chrono::milliseconds timeout;
  asio::io_context ioc{1};
  std::optional<beast::tcp_stream> stream;  // engaged while connected
  beast::flat_buffer buffer;
  int opened = 0;
};

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(std::move(host), port, timeout)) {}

HttpClient::~HttpClient() { impl_->Disconnect(); }

HttpResponse HttpClient::Send(std::string_view method, std::string_view target,
                              std::string_view body, const HeaderList& headers) {
  return impl_->Send(method, target, body, headers);
}

bool HttpClient::connected() const { return impl_->stream.has_value(); }
int HttpClient::connections_opened() const { return impl_->opened; }
void HttpClient::Close() { impl_->Disconnect(); }

HttpResponse SendOnce(const std::string& host, std::uint16_t port, std::string_view method,
                      std::string_view target, std::string_view body, const HeaderList& headers,
                      std::chrono::milliseconds timeout) {
  HttpClient client(host, port, timeout);
  HeaderList all = headers;
  all.emplace_back("Connection", "close");
  return client.Send(method, target, body, all);
}

struct RawSocket::Impl {
  asio::io_context ioc{1};
  tcp::socket socket{ioc};
  bool connected = false;
  bool peer_closed = false;
  std::string error;
};

RawSocket::RawSocket(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  std::optional<tcp::endpoint> endpoint = Resolve(impl_->ioc, host, port, impl_->error);
  if (!endpoint) return;
  beast::error_code ec;
  impl_->socket.async_connect(*endpoint, [&ec](beast::error_code e) { ec = e; });
  if (!RunFor(impl_->ioc, impl_->socket, timeout)) {
    impl_->error = "connect: timeout";
    return;
  }
  if (ec) {
    impl_->error = "connect: " + ec.message();
    return;
  }
  impl_->connected = true;
}

RawSocket::~RawSocket() { Close(); }

bool RawSocket::connected() const { return impl_->connected; }
const std::string& RawSocket::error() const { return impl_->error; }
bool RawSocket::peer_closed() const { return impl_->peer_closed; }

bool RawSocket::Send(std::string_view bytes, std::chrono::milliseconds timeout) {
  if (!impl_->connected) return false;
  beast::error_code ec;
  asio::async_write(impl_->socket, asio::buffer(bytes.data(), bytes.size()),
                    [&ec](beast::error_code e, std::size_t) { ec = e; });
  if (!RunFor(impl_->ioc, impl_->socket, timeout)) {
    impl_->error = "write: timeout";
    return false;
  }
  if (ec) {
    if (IsClosedByPeer(ec)) impl_->peer_closed = true;
    impl_->error = "write: " + ec.message();
    return false;
  }
  return true;
}

std::string RawSocket::ReadSome(std::chrono::milliseconds timeout) {
  if (!impl_->connected || impl_->peer_closed) return {};
  std::string chunk(64 * 1024, '\0');
  beast::error_code ec;
  std::size_t n = 0;
  impl_->socket.async_read_some(asio::buffer(chunk), [&](beast::error_code e, std::size_t got) {
    ec = e;
    n = got;
  });
  if (!RunFor(impl_->ioc, impl_->socket, timeout)) return {};
  if (ec) {
    if (IsClosedByPeer(ec)) impl_->peer_closed = true;
    impl_->error = "read: " + ec.message();
  }
  chunk.resize(n);
  return chunk;
}

std::string RawSocket::ReadUntilClosed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  while (impl_->connected && !impl_->peer_closed) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    out += ReadSome(left);
  }
  return out;
}

void RawSocket::Close() {
  if (!impl_->connected) return;
  impl_->connected = false;
  beast::error_code ignored;
  impl_->socket.shutdown(tcp::socket::shutdown_both, ignored);
  impl_->socket.close(ignored);
}

}  // namespace cohort::testing

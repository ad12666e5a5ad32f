#include "http_client/http_client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http_client/raw_socket.h"

namespace cohort::http_client {
namespace {

using namespace std::chrono_literals;

// A server on 127.0.0.1 that answers each request it reads with the next scripted answer, on
// one thread, one connection at a time, and records the requests' bytes.
class ScriptedServer {
 public:
  struct Answer {
    std::string bytes;
    bool close_after = false;  // close the connection once written
  };

  explicit ScriptedServer(std::vector<Answer> answers) : answers_(std::move(answers)) {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (bind(listener_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        listen(listener_, 8) != 0 ||
        getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      ADD_FAILURE() << "cannot listen";
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    thread_.join();
    close(listener_);
  }

  std::uint16_t port() const { return port_; }
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    std::size_t next = 0;
    while (!stop_ && next < answers_.size()) {
      pollfd p{listener_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      const int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::string pending;
      while (!stop_ && next < answers_.size()) {
        std::string request;
        if (!ReadRequest(fd, pending, request)) break;
        {
          std::lock_guard lock(mu_);
          requests_.push_back(request);
        }
        const Answer& answer = answers_[next++];
        if (send(fd, answer.bytes.data(), answer.bytes.size(), MSG_NOSIGNAL) < 0) break;
        if (answer.close_after) break;
      }
      close(fd);
    }
  }

  // One request (head, and a body of its Content-Length); false when the client went away.
  bool ReadRequest(int fd, std::string& pending, std::string& request) {
    std::size_t end;
    while ((end = pending.find("\r\n\r\n")) == std::string::npos) {
      if (!ReadMore(fd, pending)) return false;
    }
    std::size_t length = 0;
    const std::size_t at = pending.find("Content-Length: ");
    if (at != std::string::npos && at < end) length = std::stoul(pending.substr(at + 16));
    while (pending.size() < end + 4 + length) {
      if (!ReadMore(fd, pending)) return false;
    }
    request = pending.substr(0, end + 4 + length);
    pending.erase(0, request.size());
    return true;
  }

  bool ReadMore(int fd, std::string& pending) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      char chunk[4096];
      const ssize_t n = read(fd, chunk, sizeof chunk);
      if (n <= 0) return false;
      pending.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    return false;
  }

  const std::vector<Answer> answers_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

TEST(HttpClientTest, ReadsALengthDelimitedAnswerAndKeepsTheConnection) {
  ScriptedServer server({{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\n\r\nhello"},
                         {"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"}});
  HttpClient client("127.0.0.1", server.port());
  const HttpResponse one = client.Get("/one");
  EXPECT_EQ(one.status, 200) << one.error;
  EXPECT_EQ(one.body, "hello");
  EXPECT_EQ(one.Header("x-a"), "1, 2");
  EXPECT_EQ(one.Header("content-length"), "5");
  EXPECT_GT(one.first_byte_ms, 0);
  EXPECT_GE(one.total_ms, one.first_byte_ms);
  EXPECT_EQ(client.Send("POST", "/two", "{}").status, 201);
  EXPECT_EQ(client.connections_opened(), 1);
  EXPECT_TRUE(client.connected());
}

TEST(HttpClientTest, DechunksABodyAndKeepsItsTrailers) {
  ScriptedServer server({{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "5;note=x\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"},
                         {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"}});
  HttpClient client("127.0.0.1", server.port());
  const HttpResponse r = client.Get("/");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, "hello, world");
  EXPECT_EQ(r.Header("x-trailer"), "t");
  const HttpResponse empty = client.Get("/");
  EXPECT_EQ(empty.status, 200) << empty.error;
  EXPECT_EQ(empty.body, "");
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST(HttpClientTest, SkipsInterimAnswers) {
  ScriptedServer server(
      {{"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}});
  const HttpResponse r = HttpClient("127.0.0.1", server.port()).Get("/");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, "ok");
}

TEST(HttpClientTest, ReadsABodyThatEndsWithTheConnection) {
  ScriptedServer server({{"HTTP/1.1 200 OK\r\n\r\nuntil the end", true}});
  HttpClient client("127.0.0.1", server.port());
  const HttpResponse r = client.Get("/");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, "until the end");
  EXPECT_FALSE(client.connected());
}

TEST(HttpClientTest, AnswersToHeadHaveNoBody) {
  ScriptedServer server({{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"},
                         {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"}});
  HttpClient client("127.0.0.1", server.port());
  const HttpResponse head = client.Send("HEAD", "/");
  EXPECT_EQ(head.status, 200) << head.error;
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(client.Get("/").body, "hello");
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST(HttpClientTest, AnAnswerCutShortIsAPartialMessage) {
  ScriptedServer server({{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true}});
  const HttpResponse r = HttpClient("127.0.0.1", server.port()).Get("/");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("partial message"), std::string::npos) << r.error;
}

TEST(HttpClientTest, ConnectionCloseClosesAndAStaleConnectionIsRetriedOnce) {
  ScriptedServer server({{"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"},
                         {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\nb"},
                         {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc", true},
                         {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nd"}});
  HttpClient client("127.0.0.1", server.port());
  EXPECT_EQ(client.Get("/").body, "a");
  EXPECT_EQ(client.Get("/").body, "b");
  EXPECT_FALSE(client.connected());  // the answer said "Connection: close"
  EXPECT_EQ(client.Get("/").body, "c");
  EXPECT_TRUE(client.connected());  // the server closed without saying so
  const HttpResponse d = client.Get("/");
  EXPECT_EQ(d.body, "d") << d.error;
  EXPECT_EQ(client.connections_opened(), 3);
}

TEST(HttpClientTest, HeadersAreSetAfterTheDefaultsAndReplaceThemByName) {
  ScriptedServer server({{"HTTP/1.1 204 No Content\r\n\r\n"}});
  HttpClient client("127.0.0.1", server.port());
  EXPECT_EQ(client.Send("POST", "/x", {}, {{"user-agent", "me"}, {"X-B", "b"}}).status, 204);
  const std::vector<std::string> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0], "POST /x HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port()) +
                             "\r\nContent-Length: 0\r\nuser-agent: me\r\nX-B: b\r\n\r\n");
}

TEST(HttpClientTest, ARefusedConnectionIsAnErrorNotAnAnswer) {
  std::uint16_t port = 0;
  { port = ScriptedServer({}).port(); }  // a port nobody listens on any more
  const HttpResponse r = SendOnce("127.0.0.1", port, "GET", "/", {}, {}, 2s);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error.rfind("connect:", 0), 0u) << r.error;
}

TEST(RawSocketTest, SendsBytesAndSeesThePeerClose) {
  ScriptedServer server({{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true}});
  RawSocket socket("127.0.0.1", server.port());
  ASSERT_TRUE(socket.connected()) << socket.error();
  EXPECT_TRUE(socket.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(socket.ReadUntilClosed(5s), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  EXPECT_TRUE(socket.peer_closed());
}

}  // namespace
}  // namespace cohort::http_client

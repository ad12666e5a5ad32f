#include "http/server.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/http_client.h"

namespace cohort::http {
namespace {

using cohort::testing::HttpClient;
using cohort::testing::HttpResponse;
using cohort::testing::RawSocket;
using cohort::testing::SendOnce;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kHost = "127.0.0.1";

ServerOptions TestOptions() {
  ServerOptions options;
  options.host = kHost;
  options.port = 0;
  options.threads = 2;
  return options;
}

std::unique_ptr<Server> Start(const ServerOptions& options, Handler handler) {
  Result<std::unique_ptr<Server>> server = StartServer(options, std::move(handler));
  if (!server.ok()) {
    ADD_FAILURE() << server.status().ToString();
    return nullptr;
  }
  return std::move(server).value();
}

Response Text(std::string body) {
  Response r;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

Response Hello(const Request&) { return Text("hello"); }

// A handler answering "hello" that counts its calls and keeps a copy of the last request.
struct Recorder {
  std::atomic<int> calls{0};
  std::mutex mutex;  // guards last
  Request last;

  Handler handler() {
    return [this](const Request& request) {
      ++calls;
      std::lock_guard<std::mutex> lock(mutex);
      last = request;
      return Text("hello");
    };
  }
  Request Last() {
    std::lock_guard<std::mutex> lock(mutex);
    return last;
  }
};

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

TEST(ServerTest, GetReturnsTheHandlersStatusHeadersAndBody) {
  Recorder recorder;
  auto server = Start(TestOptions(), [&recorder](const Request& request) {
    Response r = recorder.handler()(request);
    r.status = 201;
    r.headers.emplace_back("X-Extra", "yes");
    return r;
  });
  ASSERT_TRUE(server);
  HttpClient client(kHost, server->port());
  HttpResponse r = client.Get("/things/1", {{"X-Custom", "Value"}});
  EXPECT_EQ(r.status, 201) << r.error;
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.Header("content-type"), "text/plain");
  EXPECT_EQ(r.Header("x-extra"), "yes");
  EXPECT_EQ(r.Header("server"), "cohort");
  const Request seen = recorder.Last();
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.target, "/things/1");
  EXPECT_EQ(seen.path, "/things/1");
  EXPECT_EQ(seen.Header("x-custom"), "Value");
  EXPECT_EQ(seen.remote_address, "127.0.0.1");
}

TEST(ServerTest, PostBodyOfOneMebibyteArrivesIntact) {
  std::string body(1u << 20, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>((i * 7919) % 251);
  auto server = Start(TestOptions(), [](const Request& request) { return Text(request.body); });
  ASSERT_TRUE(server);
  HttpResponse r = SendOnce(kHost, server->port(), "POST", "/echo", body);
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body.size(), body.size());
  EXPECT_TRUE(r.body == body);
}

TEST(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  Recorder recorder;
  auto server = Start(TestOptions(), recorder.handler());
  ASSERT_TRUE(server);
  HttpClient client(kHost, server->port());
  EXPECT_EQ(client.Get("/one").status, 200);
  EXPECT_EQ(client.Get("/two").status, 200);
  EXPECT_EQ(client.connections_opened(), 1);
  EXPECT_EQ(recorder.calls.load(), 2);
}

TEST(ServerTest, BodyOverTheLimitIs413Json) {
  ServerOptions options = TestOptions();
  options.max_body_bytes = 1024;
  Recorder recorder;
  auto server = Start(options, recorder.handler());
  ASSERT_TRUE(server);
  HttpClient client(kHost, server->port());
  EXPECT_EQ(client.Send("POST", "/x", std::string(1024, 'a')).status, 200);
  HttpResponse r = client.Send("POST", "/x", std::string(1025, 'a'));
  ASSERT_EQ(r.status, 413) << r.error;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  const nlohmann::json error = nlohmann::json::parse(r.body);
  EXPECT_EQ(error["error"]["code"], "too_large");
  EXPECT_EQ(error["error"]["message"], "request body is larger than 1 KiB");
  EXPECT_EQ(recorder.calls.load(), 1);
}

TEST(ServerTest, ClientSendingAHugeBodyOverTheLimitStillReads413) {
  ServerOptions options = TestOptions();
  options.max_body_bytes = 1024;
  auto server = Start(options, Hello);
  ASSERT_TRUE(server);
  // The client writes all 8 MiB before it reads anything: the early 413 must still reach it.
  HttpResponse r = SendOnce(kHost, server->port(), "POST", "/x", std::string(8u << 20, 'a'));
  EXPECT_EQ(r.status, 413) << r.error;
}

TEST(ServerTest, ContentLengthOverTheLimitIsRefusedBeforeTheBody) {
  ServerOptions options = TestOptions();
  options.max_body_bytes = 1024;
  Recorder recorder;
  auto server = Start(options, recorder.handler());
  ASSERT_TRUE(server);
  RawSocket socket(kHost, server->port());
  ASSERT_TRUE(socket.connected()) << socket.error();
  // Only the header: the answer must come without waiting for the announced megabyte.
  ASSERT_TRUE(socket.Send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1048576\r\n\r\n"));
  const std::string answer = socket.ReadUntilClosed(5s);
  EXPECT_EQ(answer.rfind("HTTP/1.1 413 ", 0), 0u) << answer;
  EXPECT_NE(answer.find(R"("code":"too_large")"), std::string::npos) << answer;
  EXPECT_TRUE(socket.peer_closed());
  EXPECT_EQ(recorder.calls.load(), 0);
}

TEST(ServerTest, HeaderOverTheLimitIs431) {
  ServerOptions options = TestOptions();
  options.max_header_bytes = 1024;
  auto server = Start(options, Hello);
  ASSERT_TRUE(server);
  HttpResponse r =
      SendOnce(kHost, server->port(), "GET", "/", {}, {{"X-Big", std::string(2048, 'b')}});
  EXPECT_EQ(r.status, 431) << r.error;
  EXPECT_NE(r.body.find(R"("code":"too_large")"), std::string::npos) << r.body;
}

TEST(ServerTest, MalformedRequestLineIs400AndCloses) {
  Recorder recorder;
  auto server = Start(TestOptions(), recorder.handler());
  ASSERT_TRUE(server);
  RawSocket socket(kHost, server->port());
  ASSERT_TRUE(socket.connected()) << socket.error();
  ASSERT_TRUE(socket.Send("this is not http\r\n\r\n"));
  const std::string answer = socket.ReadUntilClosed(5s);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0u) << answer;
  EXPECT_NE(answer.find(R"({"error":{"code":"malformed")"), std::string::npos) << answer;
  EXPECT_TRUE(socket.peer_closed());
  EXPECT_EQ(recorder.calls.load(), 0);
}

TEST(ServerTest, ExceptionEscapingTheHandlerIs500Json) {
  auto server = Start(
      TestOptions(), [](const Request&) -> Response { throw std::runtime_error("secret detail"); });
  ASSERT_TRUE(server);
  HttpResponse r = SendOnce(kHost, server->port(), "GET", "/boom");
  ASSERT_EQ(r.status, 500) << r.error;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(r.body),
            nlohmann::json::parse(
                R"({"error":{"code":"internal","message":"internal error","details":[]}})"));
}

TEST(ServerTest, PathAndQueryAreDecoded) {
  Recorder recorder;
  auto server = Start(TestOptions(), recorder.handler());
  ASSERT_TRUE(server);
  const std::string target = "/a%20b/%C3%A9?q=a%20b&q=c&x=1+2&flag";
  ASSERT_EQ(SendOnce(kHost, server->port(), "GET", target).status, 200);
  const Request seen = recorder.Last();
  EXPECT_EQ(seen.target, target);
  EXPECT_EQ(seen.path, "/a b/\xC3\xA9");
  std::vector<std::string> q;
  for (auto [it, end] = seen.query.equal_range("q"); it != end; ++it) q.push_back(it->second);
  EXPECT_EQ(q, (std::vector<std::string>{"a b", "c"}));
  EXPECT_EQ(seen.query.find("x")->second, "1 2");
  EXPECT_EQ(seen.query.count("flag"), 1u);
}

TEST(ServerTest, BadPercentEncodingInThePathIs400WithoutCallingTheHandler) {
  Recorder recorder;
  auto server = Start(TestOptions(), recorder.handler());
  ASSERT_TRUE(server);
  HttpClient client(kHost, server->port());
  for (const char* target : {"/bad%zz", "/bad%ff"}) {
    HttpResponse r = client.Get(target);
    EXPECT_EQ(r.status, 400) << target << " " << r.error;
    EXPECT_NE(r.body.find(R"("code":"malformed")"), std::string::npos) << r.body;
  }
  EXPECT_EQ(recorder.calls.load(), 0);
}

TEST(ServerTest, SlowClientIsCutOffAtTheRequestTimeout) {
  ServerOptions options = TestOptions();
  options.request_timeout_s = 1;
  Recorder recorder;
  auto server = Start(options, recorder.handler());
  ASSERT_TRUE(server);
  RawSocket socket(kHost, server->port());
  ASSERT_TRUE(socket.connected()) << socket.error();
  const Clock::time_point start = Clock::now();
  // Half a request, then a header line every 200 ms: each read is quick, the whole is not.
  ASSERT_TRUE(socket.Send("GET / HTTP/1.1\r\nHost: a\r\n"));
  while (!socket.peer_closed() && SecondsSince(start) < 5) {
    socket.ReadSome(200ms);
    if (!socket.Send("X-Slow: 1\r\n")) break;
  }
  if (!socket.peer_closed()) socket.ReadUntilClosed(1s);
  const double elapsed = SecondsSince(start);
  EXPECT_TRUE(socket.peer_closed()) << socket.error();
  EXPECT_GE(elapsed, 0.9);
  EXPECT_LT(elapsed, 3.0);
  EXPECT_EQ(recorder.calls.load(), 0);
}

TEST(ServerTest, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  ServerOptions options = TestOptions();
  options.idle_timeout_s = 1;
  auto server = Start(options, Hello);
  ASSERT_TRUE(server);
  RawSocket socket(kHost, server->port());
  ASSERT_TRUE(socket.connected()) << socket.error();
  ASSERT_TRUE(socket.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  const Clock::time_point start = Clock::now();
  const std::string answer = socket.ReadUntilClosed(5s);
  const double elapsed = SecondsSince(start);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 ", 0), 0u) << answer;
  EXPECT_TRUE(socket.peer_closed());
  EXPECT_GE(elapsed, 0.9);  // kept alive after the answer...
  EXPECT_LT(elapsed, 3.0);  // ...but not for long
}

// Starts a server whose handler takes 300 ms, sends `method` /slow with body "it", calls Stop()
// while the handler runs, and answers what the client got.
HttpResponse StopDuringARequest(const std::string& method, std::uint16_t* port_out = nullptr) {
  std::atomic<bool> entered{false};
  auto server = Start(TestOptions(), [&entered](const Request& request) {
    entered = true;
    std::this_thread::sleep_for(300ms);
    return Text("done " + request.body);
  });
  if (!server) return {};
  const std::uint16_t port = server->port();
  if (port_out) *port_out = port;
  HttpResponse r;
  std::thread client([&r, &method, port] { r = HttpClient(kHost, port).Send(method, "/slow", "it"); });
  const Clock::time_point start = Clock::now();
  while (!entered && SecondsSince(start) < 5) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(entered);
  server->Stop();
  client.join();
  return r;
}

TEST(ServerTest, StopLetsAnInFlightRequestFinish) {
  std::uint16_t port = 0;
  const HttpResponse r = StopDuringARequest("GET", &port);
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, "done it");
  EXPECT_EQ(r.Header("connection"), "close");
  const HttpResponse after = SendOnce(kHost, port, "GET", "/", {}, {}, 2s);
  EXPECT_NE(after.error.find("connect:"), std::string::npos) << after.error;  // not listening
}

// A write's handler (any method but GET and HEAD) runs off the I/O threads: with one I/O thread
// and a POST held in its handler, a GET on another connection is still answered at once.
TEST(ServerTest, AWriteBeingHandledLeavesTheIoThreadToReads) {
  ServerOptions options = TestOptions();
  options.threads = 1;
  std::atomic<bool> writing{false};
  std::atomic<bool> read_answered{false};
  auto server = Start(options, [&](const Request& request) {
    if (request.method == "POST") {
      writing = true;
      const Clock::time_point start = Clock::now();
      while (!read_answered && SecondsSince(start) < 5) std::this_thread::sleep_for(5ms);
      return Text(read_answered ? "written after the read" : "the read waited");
    }
    return Text("read");
  });
  ASSERT_TRUE(server);
  const std::uint16_t port = server->port();
  HttpResponse post;
  std::thread writer([&post, port] { post = HttpClient(kHost, port).Send("POST", "/w", "x"); });
  const Clock::time_point start = Clock::now();
  while (!writing && SecondsSince(start) < 5) std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(writing);
  const HttpResponse get = HttpClient(kHost, port).Get("/r");
  const double waited = SecondsSince(start);
  read_answered = true;
  writer.join();
  EXPECT_EQ(get.status, 200) << get.error;
  EXPECT_EQ(get.body, "read");
  EXPECT_LT(waited, 4.0);
  EXPECT_EQ(post.status, 200) << post.error;
  EXPECT_EQ(post.body, "written after the read");
}

// A write's handler runs at a lower CPU priority than a read's (nice 10 above the process's),
// so that views keep the cores while writes queue (docs/decisions.md, "Reads while ingesting").
TEST(ServerTest, AWritesHandlerRunsAtALowerPriorityThanAReads) {
  auto server = Start(TestOptions(), [](const Request& request) {
    errno = 0;
    const int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
    return Text(request.method + " " + std::to_string(nice));
  });
  ASSERT_TRUE(server);
  errno = 0;
  const int own = getpriority(PRIO_PROCESS, 0);
  HttpClient client(kHost, server->port());
  for (int i = 0; i < 3; ++i) {  // the pool's threads, whichever takes it, and the I/O thread again
    EXPECT_EQ(client.Send("POST", "/w", "x").body, "POST " + std::to_string(std::min(own + 10, 19)));
    EXPECT_EQ(client.Get("/r").body, "GET " + std::to_string(own));
  }
}

// Stop() waits for a write being handled on the writers' pool, and its answer is sent.
TEST(ServerTest, StopLetsAnInFlightWriteFinishAndAnswers) {
  const HttpResponse r = StopDuringARequest("PUT");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, "done it");
  EXPECT_EQ(r.Header("connection"), "close");
}

TEST(ServerTest, StopClosesIdleConnectionsPromptly) {
  auto server = Start(TestOptions(), Hello);  // idle timeout: 60 s
  ASSERT_TRUE(server);
  RawSocket socket(kHost, server->port());
  ASSERT_TRUE(socket.connected()) << socket.error();
  ASSERT_TRUE(socket.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  std::string answer;
  const Clock::time_point start = Clock::now();
  while (answer.find("hello") == std::string::npos && SecondsSince(start) < 5) {
    answer += socket.ReadSome(1s);
  }
  ASSERT_NE(answer.find("hello"), std::string::npos) << answer;
  const Clock::time_point stop = Clock::now();
  server->Stop();
  EXPECT_LT(SecondsSince(stop), 1.5);
  socket.ReadUntilClosed(1s);
  EXPECT_TRUE(socket.peer_closed());
}

TEST(ServerTest, ConnectionsOverTheLimitAreRefusedWhileOthersKeepWorking) {
  ServerOptions options = TestOptions();
  options.max_connections = 2;
  Recorder recorder;
  auto server = Start(options, recorder.handler());
  ASSERT_TRUE(server);
  HttpClient first(kHost, server->port());
  HttpClient second(kHost, server->port());
  ASSERT_EQ(first.Get("/").status, 200);
  ASSERT_EQ(second.Get("/").status, 200);

  RawSocket third(kHost, server->port());
  ASSERT_TRUE(third.connected()) << third.error();  // the kernel completes the handshake
  third.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  const std::string answer = third.ReadUntilClosed(3s);
  EXPECT_TRUE(third.peer_closed());
  EXPECT_TRUE(answer.empty() || answer.rfind("HTTP/1.1 503 ", 0) == 0) << answer;
  EXPECT_EQ(recorder.calls.load(), 2);

  EXPECT_EQ(first.Get("/").status, 200);
  EXPECT_EQ(second.Get("/").status, 200);
  EXPECT_EQ(first.connections_opened(), 1);
  EXPECT_EQ(second.connections_opened(), 1);
}

TEST(ServerTest, BindingAPortInUseIsUnavailable) {
  auto server = Start(TestOptions(), Hello);
  ASSERT_TRUE(server);
  ServerOptions options = TestOptions();
  options.port = server->port();
  Result<std::unique_ptr<Server>> second = StartServer(options, Hello);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(second.status().message().find(std::to_string(server->port())), std::string::npos)
      << second.status().message();
}

TEST(ServerTest, WaitForShutdownSignalReturnsWhenStopIsCalled) {
  auto server = Start(TestOptions(), Hello);
  ASSERT_TRUE(server);
  std::thread stopper([&server] {
    std::this_thread::sleep_for(200ms);
    server->Stop();
  });
  const Clock::time_point start = Clock::now();
  server->WaitForShutdownSignal();
  EXPECT_LT(SecondsSince(start), 5.0);
  stopper.join();
}

void IgnoreSignal(int) {}

TEST(ServerTest, WaitForShutdownSignalReturnsOnSigterm) {
  auto server = Start(TestOptions(), Hello);
  ASSERT_TRUE(server);
  const std::uint16_t port = server->port();
  // Until the server installs its own handler, a SIGTERM must not kill the test.
  struct sigaction ignore {};
  ignore.sa_handler = IgnoreSignal;
  sigemptyset(&ignore.sa_mask);
  struct sigaction previous {};
  ASSERT_EQ(sigaction(SIGTERM, &ignore, &previous), 0);
  std::atomic<bool> sent{false};
  std::thread sender([&sent, &server] {
    const Clock::time_point start = Clock::now();
    while (true) {
      if (SecondsSince(start) > 5) {  // never saw the handler: fail rather than hang
        server->Stop();
        return;
      }
      struct sigaction now {};
      sigaction(SIGTERM, nullptr, &now);
      if (now.sa_handler != IgnoreSignal) {  // the server's signal_set is listening
        kill(getpid(), SIGTERM);
        sent = true;
        return;
      }
      std::this_thread::sleep_for(5ms);
    }
  });
  server->WaitForShutdownSignal();
  sender.join();
  sigaction(SIGTERM, &previous, nullptr);
  EXPECT_TRUE(sent);
  const HttpResponse after = SendOnce(kHost, port, "GET", "/", {}, {}, 2s);
  EXPECT_NE(after.error.find("connect:"), std::string::npos) << after.error;  // stopped
}

}  // namespace
}  // namespace cohort::http

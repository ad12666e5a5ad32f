// Streamed answers (Response::stream): chunked transfer encoding, keep-alive after them, a
// producer that fails mid-way, a client that goes away, and the access log's byte count.
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "common/metric_registry.h"
#include "http/http_telemetry.h"
#include "http/server.h"
#include "support/http_client.h"

namespace cohort::http {
namespace {

using cohort::testing::HttpClient;
using cohort::testing::HttpResponse;
using cohort::testing::RawSocket;
using namespace std::chrono_literals;

ServerOptions TestOptions() {
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  return options;
}

// A body of `pieces` pieces "piece 0\n", "piece 1\n", ...; then `last` (kDone or kFailed).
// Counts the producers destroyed in `released`.
Response Pieces(int pieces, BodyStep last, std::shared_ptr<std::atomic<int>> released) {
  struct Guard {
    std::shared_ptr<std::atomic<int>> released;
    ~Guard() {
      if (released) ++*released;
    }
  };
  auto guard = std::make_shared<Guard>();
  guard->released = std::move(released);
  auto next = std::make_shared<int>(0);
  Response r;
  r.content_type = "text/plain";
  r.stream = [pieces, last, next, guard](std::string& chunk) {
    if (*next == pieces) {
      chunk.clear();
      return last;
    }
    chunk = "piece " + std::to_string((*next)++) + "\n";
    return BodyStep::kMore;
  };
  return r;
}

std::string Expected(int pieces) {
  std::string out;
  for (int i = 0; i < pieces; ++i) out += "piece " + std::to_string(i) + "\n";
  return out;
}

TEST(ServerStreamTest, SendsEveryPieceAsAChunkAndKeepsTheConnection) {
  auto released = std::make_shared<std::atomic<int>>(0);
  Result<std::unique_ptr<Server>> server = StartServer(
      TestOptions(), [&](const Request&) { return Pieces(500, BodyStep::kDone, released); });
  ASSERT_TRUE(server.ok());
  HttpClient client("127.0.0.1", server.value()->port());
  for (int i = 0; i < 3; ++i) {
    HttpResponse r = client.Get("/");
    ASSERT_EQ(r.status, 200) << r.error;
    EXPECT_EQ(r.body, Expected(500));
  }
  EXPECT_EQ(client.connections_opened(), 1);  // keep-alive works after a streamed answer
  RawSocket raw("127.0.0.1", server.value()->port());
  ASSERT_TRUE(raw.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string answer;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!answer.ends_with("\r\n0\r\n\r\n") && std::chrono::steady_clock::now() < deadline) {
    answer += raw.ReadSome(1s);
  }
  EXPECT_NE(answer.find("Transfer-Encoding: chunked\r\n"), std::string::npos)
      << answer.substr(0, 300);
  EXPECT_NE(answer.find("\r\n8\r\npiece 0\n\r\n"), std::string::npos);
  EXPECT_EQ(answer.substr(answer.size() - 5), "0\r\n\r\n");
  server.value()->Stop();
  EXPECT_EQ(released->load(), 4);  // every producer was destroyed
}

TEST(ServerStreamTest, AnHttp10ClientGetsTheBodyUntilTheClose) {
  Result<std::unique_ptr<Server>> server = StartServer(
      TestOptions(), [](const Request&) { return Pieces(20, BodyStep::kDone, nullptr); });
  ASSERT_TRUE(server.ok());
  RawSocket raw("127.0.0.1", server.value()->port());
  ASSERT_TRUE(raw.Send("GET / HTTP/1.0\r\n\r\n"));
  const std::string answer = raw.ReadUntilClosed(5s);
  EXPECT_EQ(answer.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << answer.substr(0, 200);
  EXPECT_EQ(answer.find("chunked"), std::string::npos);
  ASSERT_NE(answer.find("\r\n\r\n"), std::string::npos);
  EXPECT_EQ(answer.substr(answer.find("\r\n\r\n") + 4), Expected(20));
}

TEST(ServerStreamTest, AFailedProducerTruncatesTheAnswerAndClosesTheConnection) {
  Result<std::unique_ptr<Server>> server = StartServer(
      TestOptions(), [](const Request&) { return Pieces(3, BodyStep::kFailed, nullptr); });
  ASSERT_TRUE(server.ok());
  RawSocket raw("127.0.0.1", server.value()->port());
  ASSERT_TRUE(raw.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string answer = raw.ReadUntilClosed(5s);
  EXPECT_TRUE(raw.peer_closed());
  EXPECT_NE(answer.find("piece 2\n"), std::string::npos) << answer;
  EXPECT_EQ(answer.find("\r\n0\r\n\r\n"), std::string::npos) << answer;  // no final chunk
}

TEST(ServerStreamTest, APendingProducerIsAskedAgainWithoutHoldingTheThread) {
  ServerOptions options = TestOptions();
  options.threads = 1;  // one thread: the second request is answered while the first waits
  auto ready = std::make_shared<std::atomic<bool>>(false);
  auto pending = std::make_shared<std::atomic<int>>(0);  // times the producer said kPending
  Result<std::unique_ptr<Server>> server = StartServer(options, [ready, pending](const Request& r) {
    if (r.path == "/ready") {
      ready->store(true);
      Response ok;
      ok.body = "ok";
      return ok;
    }
    Response slow;
    slow.content_type = "text/plain";
    slow.stream = [ready, pending, sent = false](std::string& chunk) mutable {
      if (!ready->load()) {
        pending->fetch_add(1);
        return BodyStep::kPending;
      }
      if (sent) return BodyStep::kDone;
      sent = true;
      chunk = "at last";
      return BodyStep::kMore;
    };
    return slow;
  });
  ASSERT_TRUE(server.ok());
  std::thread waiter([&] {
    HttpResponse r = HttpClient("127.0.0.1", server.value()->port()).Get("/slow");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "at last");
  });
  // The second request goes out once the first is in flight and waiting on its producer.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (pending->load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_GT(pending->load(), 0) << "the slow request never reached its producer";
  HttpResponse other = HttpClient("127.0.0.1", server.value()->port()).Get("/ready");
  EXPECT_EQ(other.status, 200);
  waiter.join();
}

TEST(ServerStreamTest, AProducerThatFailsBeforeAnyPieceGetsA500) {
  Result<std::unique_ptr<Server>> server = StartServer(TestOptions(), [](const Request&) {
    Response r;
    r.stream = [polls = 0](std::string&) mutable {
      return ++polls < 3 ? BodyStep::kPending : BodyStep::kFailed;
    };
    return r;
  });
  ASSERT_TRUE(server.ok());
  HttpClient client("127.0.0.1", server.value()->port());
  HttpResponse r = client.Get("/");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("internal"), std::string::npos) << r.body;
  EXPECT_EQ(client.Get("/").status, 500);  // the connection stays usable
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST(ServerStreamTest, AClientThatLeavesReleasesTheProducer) {
  auto released = std::make_shared<std::atomic<int>>(0);
  Result<std::unique_ptr<Server>> server = StartServer(TestOptions(), [&](const Request&) {
    return Pieces(50'000'000, BodyStep::kDone, released);  // far more than socket buffers hold
  });
  ASSERT_TRUE(server.ok());
  {
    RawSocket raw("127.0.0.1", server.value()->port());
    ASSERT_TRUE(raw.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_FALSE(raw.ReadSome(5s).empty());
  }
  for (int i = 0; i < 500 && released->load() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(released->load(), 1);
}

TEST(ServerStreamTest, TheAccessLogCountsTheBytesStreamed) {
  MetricRegistry registry;
  Handler handler = Instrument(
      [](const Request&) {
        Response r = Pieces(100, BodyStep::kDone, nullptr);
        r.route = "/streamed";
        return r;
      },
      registry);
  Result<std::unique_ptr<Server>> server = StartServer(TestOptions(), handler);
  ASSERT_TRUE(server.ok());
  HttpResponse r = HttpClient("127.0.0.1", server.value()->port()).Get("/");
  ASSERT_EQ(r.status, 200);
  server.value()->Stop();
  const std::string text = registry.RenderText();
  const std::string series = "cohort_http_response_body_bytes_total{route=\"/streamed\"} " +
                             std::to_string(Expected(100).size());
  EXPECT_NE(text.find(series), std::string::npos) << text;
}

}  // namespace
}  // namespace cohort::http

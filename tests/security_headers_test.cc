// Issue 8: the security headers on every answer of the real `cohort serve` — UI pages and files,
// every API route, exports, /healthz, /metrics, errors, and the answers the server gives before
// any route (400, 408, 413, 431, 503) — and error bodies that never show internals.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "hostile/served.h"
#include "support/http_client.h"

namespace cohort::testing {
namespace {

namespace fs = std::filesystem;

// What every answer must carry (docs/security.md). `where` names the request in failures.
void ExpectSecurityHeaders(const std::map<std::string, std::string>& headers,
                           const std::string& where) {
  auto header = [&](const std::string& name) {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  };
  const std::string csp = header("content-security-policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << where << ": " << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << where << ": " << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << where << ": " << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << where << ": " << csp;
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << where << ": " << csp;
  EXPECT_EQ(header("x-content-type-options"), "nosniff") << where;
  EXPECT_EQ(header("x-frame-options"), "DENY") << where;
  EXPECT_EQ(header("referrer-policy"), "same-origin") << where;
}

// An error body says what was wrong with the request, never how the server is built.
void ExpectNoInternals(const std::string& body, const std::string& where) {
  for (const char* leak : {"sqlite", "SQLITE", "SELECT ", "INSERT ", "/tmp/", "/work/",
                           ".cc:", ".db", "std::", "what()", "exception", "Traceback", "#0 "}) {
    EXPECT_EQ(body.find(leak), std::string::npos) << where << " leaks '" << leak << "': " << body;
  }
}

class SecurityHeadersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(served_.started());
    ASSERT_EQ(Put("/api/v1/courses/py",
                  R"({"title":"Python","chapters":[{"key":"c1","title":"Basics","exercises":[)"
                  R"({"key":"e1","title":"Variables"}]}]})")
                  .status,
              200);
    ASSERT_EQ(Put("/api/v1/groups/g1", R"({"name":"Group one"})").status, 200);
    ASSERT_EQ(
        Put("/api/v1/users/ann", R"({"name":"Ann","email":"ann@acme.example","groups":["g1"]})")
            .status,
        200);
    ASSERT_EQ(served_
                  .Call("POST", "/api/v1/attempts",
                        R"([{"id":"a1","user":"ann","course":"py","exercise":"e1",)"
                        R"("started_at":"2026-03-01T10:00:00Z","responses":[)"
                        R"({"question":"q1","correct":true}]}])")
                  .status,
              200);
  }
  HttpResponse Put(const std::string& target, const std::string& body) {
    return served_.Call("PUT", target, body);
  }
  // A request with headers of our choosing, on its own connection; checks the headers.
  HttpResponse Check(const std::string& method, const std::string& target, const HeaderList& h,
                     int status, const std::string& body = "") {
    HttpResponse r = SendOnce("127.0.0.1", served_.port(), method, target, body, h);
    const std::string where = method + " " + target;
    EXPECT_EQ(r.status, status) << where << ": " << r.error << r.body.substr(0, 300);
    ExpectSecurityHeaders(r.headers, where);
    if (r.status >= 400) ExpectNoInternals(r.body, where);
    ++checked_;
    return r;
  }
  HeaderList Auth(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

  // Raw bytes, for the answers the server gives before any route.
  RawAnswer Raw(const std::string& bytes,
                std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    RawSocket socket("127.0.0.1", served_.port());
    EXPECT_TRUE(socket.connected()) << socket.error();
    socket.Send(bytes);
    return ParseRawAnswer(socket.ReadUntilClosed(wait));
  }
  void CheckRaw(const std::string& what, const RawAnswer& a, int status) {
    EXPECT_EQ(a.status, status) << what;
    ExpectSecurityHeaders(a.headers, what);
    ExpectNoInternals(a.body, what);
    ++checked_;
  }

  // The UI's one npm file, made here: the test does not depend on `npm install` having run.
  static std::string FakeNodeModules(const TempDir& dir) {
    const fs::path chart = dir.path() / "chart.js" / "dist" / "chart.umd.js";
    fs::create_directories(chart.parent_path());
    std::ofstream(chart) << "// Chart.js stand-in\n";
    return dir.path().string();
  }

  TempDir node_modules_;
  Served served_{{"--request-timeout", "1", "--node-modules", FakeNodeModules(node_modules_)}};
  int checked_ = 0;
};

TEST_F(SecurityHeadersTest, EveryUiPageAndFileCarriesThem) {
  const HeaderList none;
  Check("GET", "/", none, 200);
  Check("GET", "/index.html", none, 200);
  Check("HEAD", "/", none, 200);
  Check("GET", "/ui/vendor/chart.umd.js", none, 200);
  int files = 0;
  const fs::path web = fs::path(COHORT_SOURCE_DIR) / "web";
  for (const auto& entry : fs::recursive_directory_iterator(web)) {
    if (!entry.is_regular_file()) continue;
    const std::string relative = fs::relative(entry.path(), web).generic_string();
    Check("GET", "/ui/" + relative, none, 200);
    ++files;
  }
  EXPECT_GE(files, 10);
  // Refusals of the file server: each a 404 that shows nothing of the disk.
  for (const char* target :
       {"/ui/missing.js", "/ui/../../../../etc/passwd", "/ui/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/ui/..%2f..%2f..%2fetc%2fpasswd", "/ui/.hidden", "/ui/js/", "/ui/vendor/../../README.md",
        "/ui/vendor/chart.js"}) {
    HttpResponse r = Check("GET", target, none, 404);
    EXPECT_EQ(r.body.find("root:"), std::string::npos) << target;
  }
  Check("POST", "/ui/js/app.js", none, 405);
  std::printf("UI answers checked: %d\n", checked_);
}

TEST_F(SecurityHeadersTest, EveryApiRouteExportAndErrorCarriesThem) {
  const HeaderList token = Auth(served_.token());
  const HeaderList admin = Auth(served_.admin_token());
  for (const char* view :
       {"/api/v1/courses", "/api/v1/courses/py", "/api/v1/courses/py/users",
        "/api/v1/courses/py/groups", "/api/v1/courses/py/users/ann",
        "/api/v1/courses/py/users/ann/exercises/e1/attempts", "/api/v1/report", "/api/v1/whoami"}) {
    Check("GET", view, token, 200);
    const std::string target = view;
    if (target != "/api/v1/whoami") {
      Check("GET", target + "?format=csv", token, 200);   // streamed, chunked
      Check("GET", target + "?format=xlsx", token, 200);  // streamed from a temporary file
    }
  }
  Check("GET", "/healthz", {}, 200);
  Check("HEAD", "/healthz", {}, 200);
  Check("GET", "/api/v1/tokens", admin, 200);
  Check("GET", "/api/v1/session", {}, 401);
  // Writes, and the error of each kind a route gives.
  HeaderList json = token;
  json.emplace_back("Content-Type", "application/json");
  Check("PUT", "/api/v1/groups/g2", json, 200, R"({"name":"Two"})");
  Check("POST", "/api/v1/attempts", json, 400, "[");
  Check("POST", "/api/v1/attempts", json, 422, R"([{"id":1}])");
  Check("POST", "/api/v1/attempts",
        {{"Authorization", "Bearer " + served_.token()}, {"Content-Type", "text/plain"}}, 415,
        "[]");
  Check("GET", "/api/v1/courses", {}, 401);
  Check("GET", "/api/v1/tokens", token, 403);
  Check("GET", "/api/v1/courses/nope", token, 404);
  Check("GET", "/nope", {}, 404);
  Check("DELETE", "/api/v1/attempts", token, 405);
  Check("GET", "/api/v1/courses/py/users?limit=0", token, 422);
  Check("GET", "/api/v1/courses/py/users?q=%zz", token, 400);
  Check("POST", "/api/v1/session", {{"Content-Type", "application/json"}}, 401,
        R"({"email":"nobody@acme.example","password":"wrong-password-1"})");
  // /metrics, on its own listener.
  HttpResponse metrics = SendOnce("127.0.0.1", served_.metrics_port(), "GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  ExpectSecurityHeaders(metrics.headers, "GET /metrics");
  HttpResponse metrics_404 = SendOnce("127.0.0.1", served_.metrics_port(), "GET", "/other");
  EXPECT_EQ(metrics_404.status, 404);
  ExpectSecurityHeaders(metrics_404.headers, "GET /other on the metrics listener");
  std::printf("API answers checked: %d\n", checked_ + 2);
}

TEST_F(SecurityHeadersTest, AnswersGivenBeforeAnyRouteCarryThem) {
  CheckRaw("malformed request line", Raw("NOT HTTP AT ALL\r\n\r\n"), 400);
  CheckRaw("bad target", Raw("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  CheckRaw("body over the limit",
           Raw("POST /api/v1/attempts HTTP/1.1\r\nHost: x\r\nContent-Length: 33554433\r\n\r\n"),
           413);
  CheckRaw("header over the limit",
           Raw("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(70'000, 'b') + "\r\n\r\n"),
           431);
  // A request that never completes: 408 after --request-timeout (1 s here).
  CheckRaw("request timeout", Raw("GET / HTTP/1.1\r\nHost: x\r\n", std::chrono::seconds(5)), 408);
}

TEST(SecurityHeadersCapTest, TheRefusalOverTheConnectionCapCarriesThem) {
  Served served({"--max-connections", "2"});
  ASSERT_TRUE(served.started());
  RawSocket one("127.0.0.1", served.port());
  RawSocket two("127.0.0.1", served.port());
  ASSERT_TRUE(one.connected() && two.connected());
  // Both are counted once the server has accepted them; a request on each proves it.
  ASSERT_TRUE(one.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(two.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_NE(one.ReadSome(std::chrono::seconds(5)).find("200 OK"), std::string::npos);
  ASSERT_NE(two.ReadSome(std::chrono::seconds(5)).find("200 OK"), std::string::npos);
  RawSocket third("127.0.0.1", served.port());
  ASSERT_TRUE(third.connected());
  const RawAnswer refused = ParseRawAnswer(third.ReadUntilClosed(std::chrono::seconds(5)));
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.headers.count("retry-after"), 1u);
  ExpectSecurityHeaders(refused.headers, "503 over the connection cap");
  ExpectNoInternals(refused.body, "503 over the connection cap");
}

}  // namespace
}  // namespace cohort::testing

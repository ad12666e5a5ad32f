// Operations (issue 9) on the real binary: /metrics on its own listener, the request log,
// X-Request-Id, configuration from the environment.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "process_test_support.h"
#include "support/http_client.h"
#include "support/log_audit.h"

namespace cohort::testing {
namespace {

using nlohmann::json;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// --- a small parser of the Prometheus text format 0.0.4 ---

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Exposition {
  std::map<std::string, std::string> types;  // family → counter, gauge, histogram, ...
  std::vector<Sample> samples;
  std::vector<std::string> errors;

  // The value of the one sample with this name and exactly these labels; NaN when absent.
  double Value(const std::string& name,
               const std::map<std::string, std::string>& labels = {}) const {
    for (const Sample& s : samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
    return std::nan("");
  }
};

bool ParseValue(const std::string& text, double& out) {
  if (text == "+Inf") {
    out = INFINITY;
    return true;
  }
  if (text == "-Inf") {
    out = -INFINITY;
    return true;
  }
  if (text == "NaN") {
    out = NAN;
    return true;
  }
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size();
}

// The family a sample belongs to (histogram samples carry _bucket, _sum, _count).
std::string FamilyOf(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s = suffix;
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      const std::string base = name.substr(0, name.size() - s.size());
      auto it = types.find(base);
      if (it != types.end() && it->second == "histogram") return base;
    }
  }
  return name;
}

Exposition ParseExposition(const std::string& text) {
  Exposition e;
  const std::regex name_re("[a-zA-Z_:][a-zA-Z0-9_:]*");
  const std::regex help_re(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*)");
  const std::regex type_re(
      R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  std::set<std::string> families_seen;  // families whose samples have begun
  int number = 0;
  if (!text.empty() && text.back() != '\n') e.errors.push_back("the text does not end in \\n");
  for (const std::string& line : Lines(text)) {
    ++number;
    const std::string where = fmt::format("line {}: '{}'", number, line);
    std::smatch m;
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (std::regex_match(line, m, type_re)) {
        if (e.types.count(m[1]) != 0 || families_seen.count(m[1]) != 0) {
          e.errors.push_back(where + ": TYPE repeated or after samples");
        }
        e.types[m[1]] = m[2];
      } else if (!std::regex_match(line, help_re)) {
        e.errors.push_back(where + ": a comment that is neither HELP nor TYPE");
      }
      continue;
    }
    Sample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = line.substr(0, i);
    if (!std::regex_match(s.name, name_re)) {
      e.errors.push_back(where + ": bad metric name");
      continue;
    }
    bool ok = true;
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (ok && i < line.size() && line[i] != '}') {
        std::size_t eq = line.find('=', i);
        if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
          ok = false;
          break;
        }
        const std::string label = line.substr(i, eq - i);
        if (!std::regex_match(label, name_re) || s.labels.count(label) != 0) ok = false;
        std::string value;
        std::size_t j = eq + 2;
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\') {
            if (j + 1 >= line.size()) {
              ok = false;
              break;
            }
            const char next = line[++j];
            if (next == 'n') {
              value += '\n';
            } else if (next == '\\' || next == '"') {
              value += next;
            } else {
              ok = false;
            }
          } else {
            value += line[j];
          }
        }
        if (j >= line.size()) {
          ok = false;
          break;
        }
        s.labels[label] = value;
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size() || line[i] != '}') ok = false;
      ++i;
    }
    if (!ok || i >= line.size() || line[i] != ' ') {
      e.errors.push_back(where + ": bad labels");
      continue;
    }
    std::string rest = line.substr(i + 1);
    const std::size_t space = rest.find(' ');  // an optional timestamp follows
    if (space != std::string::npos) rest = rest.substr(0, space);
    if (!ParseValue(rest, s.value)) {
      e.errors.push_back(where + ": bad value");
      continue;
    }
    const std::string family = FamilyOf(s.name, e.types);
    auto type = e.types.find(family);
    if (type == e.types.end()) {
      e.errors.push_back(where + ": a sample without a TYPE line before it");
    } else if (type->second == "counter" &&
               (s.name.size() < 6 || s.name.substr(s.name.size() - 6) != "_total")) {
      e.errors.push_back(where + ": a counter whose name does not end in _total");
    }
    families_seen.insert(family);
    e.samples.push_back(std::move(s));
  }
  // Histograms: per series, le increasing and ending in +Inf, counts non-decreasing,
  // _count equal to the +Inf bucket, and a _sum.
  for (const auto& [family, type] : e.types) {
    if (type != "histogram") continue;
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
    for (const Sample& s : e.samples) {
      if (s.name != family + "_bucket") continue;
      auto labels = s.labels;
      double le = 0;
      if (labels.count("le") == 0 || !ParseValue(labels["le"], le)) {
        e.errors.push_back(family + ": a bucket without a numeric le");
        continue;
      }
      labels.erase("le");
      buckets[labels].emplace_back(le, s.value);
    }
    for (const auto& [labels, series] : buckets) {
      for (std::size_t k = 1; k < series.size(); ++k) {
        if (!(series[k].first > series[k - 1].first))
          e.errors.push_back(family + ": le not increasing");
        if (series[k].second < series[k - 1].second)
          e.errors.push_back(family + ": buckets decrease");
      }
      if (series.empty() || !std::isinf(series.back().first)) {
        e.errors.push_back(family + ": no +Inf bucket");
        continue;
      }
      if (e.Value(family + "_count", labels) != series.back().second) {
        e.errors.push_back(family + ": _count differs from the +Inf bucket");
      }
      if (std::isnan(e.Value(family + "_sum", labels))) e.errors.push_back(family + ": no _sum");
    }
  }
  return e;
}

TEST(PrometheusParserTest, RejectsWhatThePrometheusFormatForbids) {
  EXPECT_TRUE(ParseExposition("# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\"} 3\n")
                  .errors.empty());
  EXPECT_FALSE(ParseExposition("a_total 3\n").errors.empty());              // no TYPE
  EXPECT_FALSE(ParseExposition("# TYPE a counter\na 3\n").errors.empty());  // no _total
  EXPECT_FALSE(ParseExposition("# TYPE g gauge\ng{x=1} 3\n").errors.empty());
  EXPECT_FALSE(ParseExposition("# TYPE g gauge\ng three\n").errors.empty());
  EXPECT_FALSE(ParseExposition("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} "
                               "1\nh_sum 1\nh_count 1\n")
                   .errors.empty());  // decreasing
  EXPECT_FALSE(ParseExposition("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} "
                               "2\nh_sum 1\nh_count 3\n")
                   .errors.empty());  // _count != +Inf
}

// --- the fixture: a database with an account, tokens and a user with secrets ---

constexpr const char* kEmail = "ann.private@acme.example";
constexpr const char* kPassword = "correct-horse-battery-staple";
constexpr const char* kQuerySecret = "zq-secret-query-value";

class OpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = (dir_.path() / "ops.db").string();
    log_ = dir_.path() / "server.log";
    ASSERT_EQ(RunCohort({"account", "create", "acme", "--name", "Acme", "--db", db_}).exit_code, 0);
    token_ = Token("read,ingest");
    admin_token_ = Token("admin");
    AuditSecret(kPassword);
  }
  std::string Token(const std::string& scopes) {
    CommandResult r =
        RunCohort({"token", "create", "--account", "acme", "--scope", scopes, "--db", db_});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  }
  std::unique_ptr<ServerProcess> Serve(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "serve", "--db", db_, "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto server = std::make_unique<ServerProcess>(args, log_);
    EXPECT_TRUE(server->started());
    std::smatch m;
    if (std::regex_search(server->printed(), m,
                          std::regex(R"(metrics on http://127\.0\.0\.1:(\d+)/metrics)"))) {
      metrics_port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
    }
    return server;
  }
  HttpResponse Scrape() { return SendOnce("127.0.0.1", metrics_port_, "GET", "/metrics"); }

  TempDir dir_;
  std::string db_;
  std::filesystem::path log_;
  std::string token_, admin_token_;
  std::uint16_t metrics_port_ = 0;
};

// A known workload: what /metrics must count after it.
void RunWorkload(HttpClient& client, const std::string& token, const std::string& admin_token) {
  const HeaderList auth = {{"Authorization", "Bearer " + token}};
  const HeaderList admin = {{"Authorization", "Bearer " + admin_token}};
  auto expect = [](const HttpResponse& r, int status) { EXPECT_EQ(r.status, status) << r.body; };
  expect(client.Send("PUT", "/api/v1/courses/py",
                     R"({"title":"Python","chapters":[{"key":"c1","title":"One","exercises":[)"
                     R"({"key":"e1","title":"E1"},{"key":"e2","title":"E2"}]}]})",
                     auth),
         200);
  expect(client.Send(
             "PUT", "/api/v1/users/ann",
             fmt::format(R"({{"name":"Ann Lee","email":"{}","password":"{}"}})", kEmail, kPassword),
             admin),
         200);
  const std::string attempts =
      R"([{"id":"a1","user":"ann","course":"py","exercise":"e1","started_at":"2024-01-01T10:00:00Z",)"
      R"("responses":[{"question":"q1","correct":true},{"question":"q2","correct":false}]},)"
      R"({"id":"a2","user":"ann","course":"py","exercise":"e2","started_at":"2024-01-02T10:00:00Z",)"
      R"("responses":[{"question":"q1","correct":true}]}])";
  expect(client.Send("POST", "/api/v1/attempts", attempts, auth), 200);
  expect(client.Send("POST", "/api/v1/attempts", attempts, auth), 200);  // 2 duplicates
  expect(client.Send("POST", "/api/v1/attempts", "[{", auth), 400);
  expect(client.Send("POST", "/api/v1/attempts",
                     R"([{"id":"a3","user":"nobody","course":"py","exercise":"e1",)"
                     R"("started_at":"2024-01-01T10:00:00Z","responses":[]}])",
                     auth),
         422);
  expect(client.Send("POST", "/api/v1/attempts", attempts, {}), 401);
  expect(client.Get(fmt::format("/api/v1/courses/py/users?q={}", kQuerySecret), auth), 200);
  expect(client.Get("/api/v1/courses/py/users/ann", auth), 200);
  expect(client.Get("/no/such/path"), 404);
  expect(client.Get("/metrics"), 404);  // never on the public port
}

// Requests the server answers by itself, before any route: a malformed request line, a bad
// target, a body over 32 MiB and a header over 64 KiB.
void RunRefusedRequests(std::uint16_t port) {
  auto answer = [port](const std::string& request) {
    RawSocket raw("127.0.0.1", port);
    EXPECT_TRUE(raw.Send(request)) << raw.error();
    const std::string reply = raw.ReadUntilClosed(std::chrono::seconds(5));
    return reply.substr(0, reply.find("\r\n"));
  };
  EXPECT_EQ(answer("NOT AN HTTP REQUEST\r\n\r\n"), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(answer("GET /api/v1/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(answer("POST /api/v1/attempts HTTP/1.1\r\nHost: x\r\nContent-Length: 40000000\r\n\r\n"),
            "HTTP/1.1 413 Payload Too Large");
  EXPECT_EQ(
      answer("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(70'000, 'a') + "\r\n\r\n"),
      "HTTP/1.1 431 Request Header Fields Too Large");
}

TEST_F(OpsTest, MetricsCountAKnownWorkloadExactlyAndParse) {
  std::unique_ptr<ServerProcess> server = Serve();
  ASSERT_NE(metrics_port_, 0) << server->printed();
  HttpClient client("127.0.0.1", server->port());
  RunWorkload(client, token_, admin_token_);
  RunRefusedRequests(server->port());

  HttpResponse scraped = Scrape();
  ASSERT_EQ(scraped.status, 200) << scraped.body;
  EXPECT_EQ(scraped.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const Exposition e = ParseExposition(scraped.body);
  for (const std::string& error : e.errors) ADD_FAILURE() << error;

  auto requests = [&](const std::string& route, const std::string& method,
                      const std::string& status) {
    return e.Value("cohort_http_requests_total",
                   {{"route", route}, {"method", method}, {"status", status}});
  };
  EXPECT_EQ(requests("/api/v1/courses/{course}", "PUT", "200"), 1);
  EXPECT_EQ(requests("/api/v1/users/{user}", "PUT", "200"), 1);
  EXPECT_EQ(requests("/api/v1/attempts", "POST", "200"), 2);
  EXPECT_EQ(requests("/api/v1/attempts", "POST", "400"), 1);
  EXPECT_EQ(requests("/api/v1/attempts", "POST", "422"), 1);
  EXPECT_EQ(requests("/api/v1/attempts", "POST", "401"), 1);
  EXPECT_EQ(requests("/api/v1/courses/{course}/users", "GET", "200"), 1);
  EXPECT_EQ(requests("/api/v1/courses/{course}/users/{user}", "GET", "200"), 1);
  EXPECT_EQ(requests("unmatched", "GET", "404"), 2);
  EXPECT_EQ(requests("refused", "other", "400"), 2);
  EXPECT_EQ(requests("refused", "other", "413"), 1);
  EXPECT_EQ(requests("refused", "other", "431"), 1);
  std::size_t request_series = 0;
  for (const Sample& s : e.samples) {
    if (s.name != "cohort_http_requests_total") continue;
    ++request_series;
    EXPECT_EQ(s.labels.at("route").find("ann"), std::string::npos) << "a raw path as a label";
  }
  EXPECT_EQ(request_series, 12u);
  EXPECT_EQ(e.Value("cohort_http_request_duration_seconds_count", {{"route", "/api/v1/attempts"}}),
            5);
  EXPECT_EQ(e.Value("cohort_http_request_duration_seconds_count", {{"route", "unmatched"}}), 2);

  EXPECT_EQ(e.Value("cohort_ingest_attempts_total"), 2);
  EXPECT_EQ(e.Value("cohort_ingest_responses_total"), 3);
  EXPECT_EQ(e.Value("cohort_ingest_duplicates_total"), 2);
  EXPECT_EQ(e.Value("cohort_ingest_rejected_total", {{"reason", "malformed"}}), 1);
  EXPECT_EQ(e.Value("cohort_ingest_rejected_total", {{"reason", "invalid"}}), 1);
  EXPECT_EQ(e.Value("cohort_ingest_rejected_total", {{"reason", "unauthenticated"}}), 1);

  EXPECT_EQ(e.Value("cohort_engine_accounts"), 1);
  EXPECT_EQ(e.Value("cohort_engine_users"), 1);
  EXPECT_EQ(e.Value("cohort_engine_enrollments"), 1);
  EXPECT_EQ(e.Value("cohort_engine_cells"), 2);
  EXPECT_EQ(e.Value("cohort_engine_touched_cells"), 2);
  EXPECT_GT(e.Value("cohort_engine_bytes"), 0);
  // PUT course, PUT user, two good posts, the post with an unknown user: five transactions.
  EXPECT_EQ(e.Value("cohort_store_write_duration_seconds_count"), 5);
  EXPECT_GE(e.Value("cohort_open_connections"), 1);  // `client` keeps its connection open
  EXPECT_GT(e.Value("cohort_process_resident_memory_bytes"), 0);
  EXPECT_EQ(e.types.at("cohort_http_request_duration_seconds"), "histogram");
  bool build_info = false;
  for (const Sample& s : e.samples) {
    if (s.name == "cohort_build_info") build_info = s.value == 1 && !s.labels.at("version").empty();
  }
  EXPECT_TRUE(build_info);

  // Only /metrics on the metrics listener.
  EXPECT_EQ(SendOnce("127.0.0.1", metrics_port_, "GET", "/api/v1/courses").status, 404);
  EXPECT_EQ(server->StopWith(SIGTERM), 0);
}

TEST_F(OpsTest, EveryResponseCarriesARequestIdAndAWellFormedOneIsEchoed) {
  std::unique_ptr<ServerProcess> server = Serve();
  HttpClient client("127.0.0.1", server->port());
  HttpResponse given = client.Get("/healthz", {{"X-Request-Id", "lb-7f3a.9_Z-1"}});
  EXPECT_EQ(given.Header("x-request-id"), "lb-7f3a.9_Z-1");
  for (const std::string& bad :
       {std::string("has space"), std::string("semi;colon"), std::string(65, 'a')}) {
    HttpResponse r = client.Get("/healthz", {{"X-Request-Id", bad}});
    EXPECT_TRUE(std::regex_match(r.Header("x-request-id"), std::regex("[0-9a-f]{16}")))
        << r.Header("x-request-id");
  }
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.insert(client.Get("/nowhere").Header("x-request-id"));
  EXPECT_EQ(ids.size(), 5u);
  // An answer the server makes itself (a malformed request) carries one too.
  RawSocket raw("127.0.0.1", server->port());
  ASSERT_TRUE(raw.Send("NOT HTTP\r\n\r\n"));
  const std::string answer = raw.ReadUntilClosed(std::chrono::seconds(5));
  EXPECT_NE(answer.find("X-Request-Id: "), std::string::npos) << answer;
}

TEST_F(OpsTest, RequestLogLinesAreJsonWithTheirFieldsAndNoSecrets) {
  std::string request_id;
  {
    std::unique_ptr<ServerProcess> server = Serve();
    HttpClient client("127.0.0.1", server->port());
    RunWorkload(client, token_, admin_token_);
    RunRefusedRequests(server->port());
    request_id = client.Get("/healthz", {{"X-Request-Id", "trace-me-42"}}).Header("x-request-id");
    EXPECT_EQ(server->StopWith(SIGTERM), 0);
  }
  const std::string log = ReadAll(log_);
  for (const std::string& secret :
       {token_, admin_token_, std::string(kEmail), std::string(kPassword),
        std::string(kQuerySecret), std::string("Bearer")}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "the log holds '" << secret << "'";
  }
  int requests = 0;
  std::set<std::string> messages;
  for (const std::string& line : Lines(log)) {
    const json j = json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
    ASSERT_TRUE(j.contains("time") && j.contains("level") && j.contains("msg")) << line;
    messages.insert(j["msg"].get<std::string>());
    if (j["msg"] != "request") continue;
    ++requests;
    for (const char* field :
         {"method", "route", "status", "duration_ms", "bytes", "account", "request_id"}) {
      EXPECT_TRUE(j.contains(field)) << field << " missing in " << line;
    }
    EXPECT_TRUE(j["status"].is_number_integer()) << line;
    EXPECT_TRUE(j["duration_ms"].is_number()) << line;
  }
  EXPECT_EQ(requests, 16);  // the workload's 11, the 4 refused and the /healthz
  for (const char* message : {"starting", "listening", "stopped"}) {
    EXPECT_EQ(messages.count(message), 1u) << message;
  }
  EXPECT_NE(log.find(R"("route":"/api/v1/courses/{course}/users/{user}","status":200)"),
            std::string::npos);
  EXPECT_NE(log.find(R"("account":"acme")"), std::string::npos);
  EXPECT_NE(log.find(R"("request_id":"trace-me-42")"), std::string::npos);
}

TEST_F(OpsTest, TheLogLevelFiltersLines) {
  {
    std::unique_ptr<ServerProcess> server = Serve({"--log-level", "warn"});
    EXPECT_EQ(SendOnce("127.0.0.1", server->port(), "GET", "/healthz").status, 200);
    EXPECT_EQ(server->StopWith(SIGTERM), 0);
  }
  EXPECT_EQ(ReadAll(log_), "");
  CommandResult bad = RunCohort({"serve", "--db", db_, "--log-level", "chatty"});
  EXPECT_NE(bad.exit_code, 0);
}

// Sets environment variables for the life of the object (each test is its own process).
class ScopedEnv {
 public:
  explicit ScopedEnv(std::vector<std::pair<std::string, std::string>> vars)
      : vars_(std::move(vars)) {
    for (const auto& [name, value] : vars_) setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : vars_) unsetenv(name.c_str());
  }

 private:
  std::vector<std::pair<std::string, std::string>> vars_;
};

TEST_F(OpsTest, EnvironmentVariablesConfigureServeAndFlagsWinOverThem) {
  {
    ScopedEnv env({{"COHORT_DB", db_},
                   {"COHORT_LISTEN", "127.0.0.1:0"},
                   {"COHORT_METRICS_LISTEN", "127.0.0.1:0"},
                   {"COHORT_THREADS", "2"},
                   {"COHORT_LOG_LEVEL", "warn"}});
    ServerProcess server(std::vector<std::string>{"serve"}, log_);
    ASSERT_TRUE(server.started());
    EXPECT_NE(server.printed().find("metrics on http://127.0.0.1:"), std::string::npos);
    // COHORT_DB named the file: the account made above is there.
    HttpResponse r = SendOnce("127.0.0.1", server.port(), "GET", "/api/v1/whoami", {},
                              {{"Authorization", "Bearer " + token_}});
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(server.StopWith(SIGTERM), 0);
    EXPECT_EQ(ReadAll(log_), "");  // COHORT_LOG_LEVEL=warn
  }
  {
    ScopedEnv env({{"COHORT_THREADS", "0"}, {"COHORT_LOG_LEVEL", "info"}});
    CommandResult r = RunCohort({"serve", "--db", db_});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("threads"), std::string::npos) << r.err;
  }
  {
    ScopedEnv env({{"COHORT_LISTEN", "not-an-address"}, {"COHORT_DB", "/nonexistent/dir/x.db"}});
    ServerProcess server(std::vector<std::string>{"serve", "--listen", "127.0.0.1:0", "--db", db_},
                         log_);
    EXPECT_TRUE(server.started());
    EXPECT_EQ(server.StopWith(SIGTERM), 0);
  }
}

TEST(OpsHelpTest, ServeHelpListsEveryFlagWithItsVariableAndDefault) {
  CommandResult r = RunCohort({"serve", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* text :
       {"--listen", "COHORT_LISTEN", "127.0.0.1:8080", "--threads", "COHORT_THREADS", "=4",
        "--metrics-listen", "COHORT_METRICS_LISTEN", "--db", "COHORT_DB", "cohort.db",
        "--log-level", "COHORT_LOG_LEVEL", "=info"}) {
    EXPECT_NE(r.out.find(text), std::string::npos) << text << " missing in\n" << r.out;
  }
}

}  // namespace
}  // namespace cohort::testing

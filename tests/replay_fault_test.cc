// A store fault while the engine replays a user × course (issue 16): the request that needed the
// replay answers 503 with Retry-After, nothing aborts, the committed write stays stored exactly
// once, and every view afterwards equals an engine rebuilt from the store.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/metric_registry.h"
#include "http/api.h"
#include "http/views_json.h"
#include "service/service.h"
#include "store/store.h"
#include "store/testing/failing_store.h"

namespace cohort {
namespace {

constexpr Instant kNow{1'773'144'000'000};  // 2026-03-10T12:00:00Z

std::string Attempt(const std::string& id, const std::string& exercise, const char* started) {
  return fmt::format(
      R"({{"id": "{}", "user": "ann", "course": "py", "exercise": "{}", "started_at": "{}",
          "responses": [{{"question": "q1", "correct": true, "time_ms": 1000}},
                        {{"question": "q2", "correct": false, "time_ms": 1000}}]}})",
      id, exercise, started);
}

class ReplayFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("cohort-replay-fault-{:x}", std::random_device{}());
    std::filesystem::create_directories(dir_);
    real_ = store::OpenSqliteStore((dir_ / "cohort.db").string()).value();
    faulty_ = std::make_unique<store::FailingStore>(*real_);
    service_ = std::make_unique<service::Service>(*faulty_, clock_);
    service_->SetMetrics(registry_);
    ASSERT_TRUE(service_->CreateAccount({"acme", "Acme", "UTC"}).ok());
    ASSERT_TRUE(service_->Rebuild(nullptr).ok());
    domain::ScopeSet scopes;
    scopes.Add(domain::Scope::kAdmin);
    token_ = service_->CreateToken("acme", "test", scopes).value().secret;
    api_ = std::make_unique<http::Api>(*service_, &registry_);
    ASSERT_EQ(Call("PUT", "/api/v1/courses/py",
                   R"({"title": "Python", "chapters": [{"key": "c1", "title": "One",
                       "exercises": [{"key": "e1", "title": "E1"}, {"key": "e2", "title": "E2"}]}]})")
                  .status,
              200);
    ASSERT_EQ(Call("PUT", "/api/v1/users/ann",
                   R"({"name": "Ann", "email": "ann@example.com", "roles": ["learner"]})")
                  .status,
              200);
    ASSERT_EQ(Call("POST", "/api/v1/attempts",
                   "[" + Attempt("a2", "e1", "2026-03-05T10:00:00Z") + "]")
                  .status,
              200);
  }
  void TearDown() override {
    api_.reset();
    service_.reset();
    faulty_.reset();
    real_.reset();
    std::filesystem::remove_all(dir_);
  }

  http::Response Call(const std::string& method, const std::string& path,
                      const std::string& body = "") {
    http::Request request;
    request.method = method;
    request.target = path;
    request.path = path;
    request.body = body;
    request.headers["authorization"] = "Bearer " + token_;
    if (!body.empty()) request.headers["content-type"] = "application/json";
    request.remote_address = "127.0.0.1";
    return api_->Handle(request);
  }
  static std::string HeaderOf(const http::Response& r, const std::string& name) {
    for (const auto& [key, value] : r.headers) {
      if (key == name) return value;
    }
    return "";
  }
  // Every view of the account as JSON, from `service`.
  static std::string Views(service::Service& service) {
    const service::Caller caller = service.LocalAdmin("acme").value();
    const TimeZone zone = service.Zone(caller).value();
    std::string out;
    out += http::ToJson(service.AllCourses(caller).value(), zone).dump();
    out += http::ToJson(service.CourseDetail(caller, "py").value(), zone).dump();
    out += http::ToJson(service.UserLeague(caller, "py", {}).value(), zone).dump();
    out += http::ToJson(service.UserInCourse(caller, "py", "ann").value(), zone).dump();
    out += http::ToJson(service.History(caller, "py", "ann", "e1").value(), zone).dump();
    metrics::TableQuery report;
    report.sort = "name";
    out += http::ToJson(service.Report(caller, report).value(), zone).dump();
    return out;
  }
  std::string Fresh() {
    service::Service fresh(*real_, clock_);
    EXPECT_TRUE(fresh.Rebuild(nullptr).ok());
    return Views(fresh);
  }

  std::filesystem::path dir_;
  FakeClock clock_{kNow};
  MetricRegistry registry_;
  std::unique_ptr<store::Store> real_;
  std::unique_ptr<store::FailingStore> faulty_;
  std::unique_ptr<service::Service> service_;
  std::unique_ptr<http::Api> api_;
  std::string token_;
};

TEST_F(ReplayFaultTest, ALateAttemptWhoseReplayCannotReadTheStoreAnswers503AndCountsOnce) {
  // Earlier than a2 on the same cell: the engine must replay ann × py from the store.
  faulty_->Fail("LoadAttempts", Status::Unavailable("injected fault: LoadAttempts"), 1);
  const http::Response late =
      Call("POST", "/api/v1/attempts", "[" + Attempt("a1", "e1", "2026-03-01T10:00:00Z") + "]");
  EXPECT_EQ(late.status, 503) << late.body;
  EXPECT_EQ(HeaderOf(late, "Retry-After"), "1");
  EXPECT_EQ(faulty_->Calls("LoadAttempts"), 1);
  // Committed before the engine was asked: stored once, and a re-post is a duplicate.
  EXPECT_EQ(real_->Counts(AccountId{1}).value().attempts, 2);
  const http::Response again =
      Call("POST", "/api/v1/attempts", "[" + Attempt("a1", "e1", "2026-03-01T10:00:00Z") + "]");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(nlohmann::json::parse(again.body)["duplicates"], 1);
  EXPECT_EQ(Views(*service_), Fresh());
  EXPECT_EQ(registry_.GetCounter("cohort_engine_apply_failures_total", "").value(), 1u);
}

TEST_F(ReplayFaultTest, AReadWhileTheStoreCannotReloadTheAccountAnswers503ThenRecovers) {
  faulty_->Fail("LoadAttempts", Status::Unavailable("injected fault: LoadAttempts"), 1);
  ASSERT_EQ(Call("POST", "/api/v1/attempts",
                 "[" + Attempt("a1", "e1", "2026-03-01T10:00:00Z") + "]")
                .status,
            503);
  // The account is loaded again before its next read; the store still fails for a while.
  faulty_->Fail("ReadAccountState", Status::Unavailable("injected fault: ReadAccountState"), 2);
  const http::Response first = Call("GET", "/api/v1/courses/py/users");
  EXPECT_EQ(first.status, 503) << first.body;
  EXPECT_EQ(HeaderOf(first, "Retry-After"), "1");
  EXPECT_EQ(Call("GET", "/api/v1/courses").status, 503);
  const http::Response healed = Call("GET", "/api/v1/courses/py/users");
  EXPECT_EQ(healed.status, 200) << healed.body;
  EXPECT_EQ(nlohmann::json::parse(healed.body)["rows"][0]["user"], "ann");
  EXPECT_EQ(Views(*service_), Fresh());
}

TEST_F(ReplayFaultTest, ACatalogChangeWhoseReplayFailsIsAppliedOnTheNextWrite) {
  faulty_->Fail("LoadAttempts", Status::Unavailable("injected fault: LoadAttempts"), 1);
  // A third exercise: every enrollment of the course is replayed.
  const http::Response changed =
      Call("PUT", "/api/v1/courses/py",
           R"({"title": "Python", "chapters": [{"key": "c1", "title": "One",
               "exercises": [{"key": "e1", "title": "E1"}, {"key": "e2", "title": "E2"},
                             {"key": "e3", "title": "E3"}]}]})");
  EXPECT_EQ(changed.status, 503) << changed.body;
  // The next write loads the account from the store first, then applies itself.
  ASSERT_EQ(Call("POST", "/api/v1/attempts",
                 "[" + Attempt("a3", "e3", "2026-03-06T10:00:00Z") + "]")
                .status,
            200);
  EXPECT_EQ(Views(*service_), Fresh());
  const std::string course = Call("GET", "/api/v1/courses/py").body;
  EXPECT_NE(course.find("\"users\":1"), std::string::npos) << course;
}

}  // namespace
}  // namespace cohort

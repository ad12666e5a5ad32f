#include "api_fixture.h"

#include <fmt/format.h>

#include <random>

#include "openapi_record.h"
#include "support/http_client.h"
#include "support/log_audit.h"

namespace cohort::testing {

std::string TimeAt(int minutes_from_now) {
  return FormatRfc3339Utc(Instant{1'773'144'000'000 + std::int64_t{minutes_from_now} * 60'000});
}

void ApiFixture::SetUp() {
  SendLogsToAudit();
  std::random_device rd;
  dir_ = std::filesystem::temp_directory_path() / fmt::format("cohort-test-{:x}", rd());
  std::filesystem::create_directories(dir_);
  Result<std::unique_ptr<store::Store>> s = store::OpenSqliteStore((dir_ / "test.db").string());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  store_ = std::move(s).value();
  service_ = std::make_unique<service::Service>(*store_, clock_);
  Result<store::AccountId> acme = service_->CreateAccount({"acme", "Acme", "Europe/Paris"});
  ASSERT_TRUE(acme.ok()) << acme.status().ToString();
  account_ = acme.value();
  ASSERT_TRUE(service_->CreateAccount({"globex", "Globex", "UTC"}).ok());
  ASSERT_TRUE(service_->Rebuild(nullptr).ok());
  auto token = [&](const char* account, std::initializer_list<domain::Scope> scopes) {
    domain::ScopeSet set;
    for (domain::Scope scope : scopes) set.Add(scope);
    Result<service::NewToken> t = service_->CreateToken(account, "test", set);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? t->secret : std::string();
  };
  ingest_token_ = token("acme", {domain::Scope::kIngest});
  read_token_ = token("acme", {domain::Scope::kRead});
  admin_token_ = token("acme", {domain::Scope::kAdmin});
  other_account_token_ = token("globex", {domain::Scope::kIngest});
  api_ = std::make_unique<http::Api>(*service_);
  http::ServerOptions options;
  options.port = 0;
  options.threads = 2;
  Result<std::unique_ptr<http::Server>> server =
      http::StartServer(options, [this](const http::Request& r) { return api_->Handle(r); });
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  server_ = std::move(server).value();
}

void ApiFixture::TearDown() {
  if (server_) server_->Stop();
  server_.reset();
  api_.reset();
  service_.reset();
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Reply ApiFixture::Call(const std::string& method, const std::string& target,
                       const std::string& body, const std::string& token) {
  HeaderList headers = {{"Content-Type", "application/json"}};
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  HttpResponse r = SendOnce("127.0.0.1", server_->port(), method, target, body, headers);
  RecordApiAnswer(method, target, body, r.status, r.headers, r.body);  // for docs/openapi.json's check
  Reply out;
  out.status = r.status;
  out.body = r.body;
  out.json = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (out.json.is_discarded()) out.json = nullptr;
  if (r.status == 0) ADD_FAILURE() << "no answer: " << r.error;
  return out;
}

store::TableCounts ApiFixture::Counts() {
  Result<store::TableCounts> c = store_->Counts(account_);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? c.value() : store::TableCounts{};
}

void ApiFixture::PutPythonCourse() {
  Reply course = Put("/api/v1/courses/py",
                     R"({"title":"Python","chapters":[
                        {"key":"c1","title":"Basics","exercises":[{"key":"e1","title":"Variables"},
                                                                  {"key":"e2","title":"Loops"}]},
                        {"key":"c2","title":"More","exercises":[{"key":"e3","title":"Functions"}]}],
                        "settings":{"mastery_window":5}})");
  ASSERT_EQ(course.status, 200) << course.body;
}

void ApiFixture::SeedCatNeverStarted() {
  ASSERT_EQ(Put("/api/v1/users/cat", R"({"name":"Cat Ng","email":"cat@acme.example"})").status,
            200);
  ASSERT_EQ(Put("/api/v1/enrollments/cat/py", R"({"enrolled_at":"2026-02-20T08:00:00Z"})").status,
            200);
}

void ApiFixture::SeedCatalog() {
  PutPythonCourse();
  if (::testing::Test::HasFatalFailure()) return;
  ASSERT_EQ(Put("/api/v1/groups/g1", R"({"name":"Group one"})").status, 200);
  Reply ann =
      Put("/api/v1/users/ann", R"({"name":"Ann Lee","email":"ann@acme.example","groups":["g1"]})");
  ASSERT_EQ(ann.status, 200) << ann.body;
  ASSERT_EQ(
      Put("/api/v1/users/bob",
          R"({"name":"Bob Ray","email":"bob@acme.example","groups":["g1"],"roles":["learner","group_manager"]})")
          .status,
      200);
  ASSERT_EQ(Put("/api/v1/groups/g1", R"({"name":"Group one","managers":["bob"]})").status, 200);
}

}  // namespace cohort::testing

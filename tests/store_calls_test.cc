// What a signed-in request costs the store (issue 16): the caller — session, roles, managed
// groups and their members — is ONE store read, and the session's last use is written at most
// once a minute. Every Store call is counted by a FailingStore in front of the real SQLite store;
// the requests go to Api::Handle as the server would hand them over.
#include <fmt/format.h>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "common/clock.h"
#include "http/api.h"
#include "metrics/engine.h"
#include "service/service.h"
#include "store/store.h"
#include "store/testing/failing_store.h"
#include "support/log_audit.h"

namespace cohort::testing {
namespace {

using Calls = std::map<std::string, std::int64_t, std::less<>>;

constexpr const char* kPassword = "correct horse battery";

// acme: boss (account manager), gman (group manager of gA), ann and ben (learners in gA); the
// course py with one attempt of ann's; an ingest token for the set-up.
class SessionStoreCallsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SendLogsToAudit();
    AuditSecret(kPassword);
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / fmt::format("cohort-calls-{:x}", rd());
    std::filesystem::create_directories(dir_);
    Result<std::unique_ptr<store::Store>> s = store::OpenSqliteStore((dir_ / "test.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    sqlite_ = std::move(s).value();
    store_ = std::make_unique<store::FailingStore>(*sqlite_);
    service_ = std::make_unique<service::Service>(*store_, clock_);
    ASSERT_TRUE(service_->CreateAccount({"acme", "Acme", "Europe/Paris"}).ok());
    ASSERT_TRUE(service_->Rebuild(nullptr).ok());
    domain::ScopeSet ingest;
    ingest.Add(domain::Scope::kIngest);
    Result<service::NewToken> token = service_->CreateToken("acme", "test", ingest);
    ASSERT_TRUE(token.ok());
    ingest_token_ = token->secret;
    api_ = std::make_unique<http::Api>(*service_);

    Put("/api/v1/courses/py", R"({"title":"Python","chapters":[{"key":"c1","title":"C",
                                   "exercises":[{"key":"e1","title":"E"}]}]})");
    Put("/api/v1/groups/gA", R"({"name":"Group A"})");
    Result<std::string> hash = service::HashPassword(kPassword);
    ASSERT_TRUE(hash.ok());
    domain::WriteBatch people;
    people.users.origin = {"", false};
    auto person = [&](const char* key, domain::Role role, std::vector<std::string> groups) {
      domain::User u;
      u.key = key;
      u.name = key;
      u.email = fmt::format("{}@acme.example", key);
      u.roles.Add(role);
      u.groups = std::move(groups);
      people.users.items.push_back({std::move(u), hash.value()});
    };
    person("boss", domain::Role::kAccountManager, {});
    person("gman", domain::Role::kGroupManager, {});
    person("ann", domain::Role::kLearner, {"gA"});
    person("ben", domain::Role::kLearner, {"gA"});
    Result<service::Caller> admin = service_->LocalAdmin("acme");
    ASSERT_TRUE(admin.ok());
    Result<domain::WriteSummary> written = service_->Write(*admin, std::move(people));
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    Put("/api/v1/groups/gA", R"({"name":"Group A","managers":["gman"]})");
    Put("/api/v1/enrollments/ben/py", "{}");
    http::Response posted = Send("POST", "/api/v1/attempts",
                                 R"([{"id":"a1","user":"ann","course":"py","exercise":"e1",
                                      "started_at":"2026-03-10T11:00:00Z",
                                      "responses":[{"question":"q1","correct":true}]}])",
                                 {{"authorization", "Bearer " + ingest_token_}});
    ASSERT_EQ(posted.status, 200) << posted.body;
  }

  void TearDown() override {
    api_.reset();
    service_.reset();
    store_.reset();
    sqlite_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  http::Response Send(const std::string& method, const std::string& path, const std::string& body,
                      std::map<std::string, std::string> headers) {
    http::Request r;
    r.method = method;
    r.target = path;
    r.path = path;
    r.headers = std::move(headers);
    r.headers.emplace("content-type", "application/json");
    r.body = body;
    r.remote_address = "127.0.0.1";
    return api_->Handle(r);
  }

  void Put(const std::string& path, const std::string& body) {
    http::Response r = Send("PUT", path, body, {{"authorization", "Bearer " + ingest_token_}});
    ASSERT_EQ(r.status, 200) << path << ": " << r.body;
  }

  // Signs `user` in; returns the Cookie header their browser sends.
  std::string SignIn(const std::string& user) {
    http::Response r =
        Send("POST", "/api/v1/session",
             fmt::format(R"({{"email":"{}@acme.example","password":"{}"}})", user, kPassword), {});
    EXPECT_EQ(r.status, 200) << r.body;
    for (const auto& [name, value] : r.headers) {
      if (name == "Set-Cookie") return value.substr(0, value.find(';'));
    }
    ADD_FAILURE() << "no cookie for " << user;
    return "";
  }

  // The store calls of one GET with `cookie`, which must answer 200.
  Calls CallsOfGet(const std::string& cookie, const std::string& path) {
    store_->ResetCalls();
    http::Response r = Send("GET", path, "", {{"cookie", cookie}});
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return store_->CallCounts();
  }

  std::filesystem::path dir_;
  FakeClock clock_{Instant{1'773'144'000'000}};  // 2026-03-10T12:00:00Z
  std::unique_ptr<store::Store> sqlite_;
  std::unique_ptr<store::FailingStore> store_;
  std::unique_ptr<service::Service> service_;
  std::unique_ptr<http::Api> api_;
  std::string ingest_token_;
};

TEST_F(SessionStoreCallsTest, EachSignedInReadReadsItsCallerOnceWhateverTheRole) {
  const Calls caller_only = {{"LoadSessionCaller", 1}};
  for (const char* who : {"boss", "gman", "ann"}) {
    SCOPED_TRACE(who);
    const std::string cookie = SignIn(who);
    // The session answer also reads the person's name (the top bar's), once per page load.
    EXPECT_EQ(CallsOfGet(cookie, "/api/v1/session"),
              (Calls{{"FindUser", 1}, {"LoadSessionCaller", 1}}));
    EXPECT_EQ(CallsOfGet(cookie, "/api/v1/whoami"), caller_only);
    EXPECT_EQ(CallsOfGet(cookie, "/api/v1/courses"), caller_only);
    // The user view reads the user's awards, the history their attempts: the view's own reads.
    EXPECT_EQ(CallsOfGet(cookie, "/api/v1/courses/py/users/ann"),
              (Calls{{"ListAwards", 1}, {"LoadSessionCaller", 1}}));
    EXPECT_EQ(CallsOfGet(cookie, "/api/v1/courses/py/users/ann/exercises/e1/attempts"),
              (Calls{{"LoadExerciseAttempts", 1}, {"LoadSessionCaller", 1}}));
    if (std::string(who) == "ann") continue;  // a learner sees no course-wide view
    EXPECT_EQ(CallsOfGet(cookie, "/api/v1/courses/py"), caller_only);
    EXPECT_EQ(CallsOfGet(cookie, "/api/v1/courses/py/users"), caller_only);
    EXPECT_EQ(CallsOfGet(cookie, "/api/v1/courses/py/groups"), caller_only);
    EXPECT_EQ(CallsOfGet(cookie, "/api/v1/report"), caller_only);
  }
}

TEST_F(SessionStoreCallsTest, ABearerTokenCostsOneStoreRead) {
  // The token's row carries its account's key: no second read for the account (issue 17).
  store_->ResetCalls();
  http::Response r =
      Send("GET", "/api/v1/courses", "", {{"authorization", "Bearer " + ingest_token_}});
  EXPECT_EQ(r.status, 403) << r.body;  // an ingest token: known, and refused the read
  EXPECT_EQ(store_->CallCounts(), (Calls{{"FindTokenByDigest", 1}}));
}

TEST_F(SessionStoreCallsTest, AGroupManagersOneReadHoldsTheirGroupsAndMembers) {
  const std::string cookie = SignIn("gman");
  store_->ResetCalls();
  http::Response league = Send("GET", "/api/v1/courses/py/users", "", {{"cookie", cookie}});
  ASSERT_EQ(league.status, 200) << league.body;
  EXPECT_EQ(store_->CallCounts(), (Calls{{"LoadSessionCaller", 1}}));
  // Both of gA's members, and nobody else: the groups and members came with that one read.
  const nlohmann::json answer = nlohmann::json::parse(league.body);
  std::set<std::string> users;
  for (const nlohmann::json& row : answer["rows"]) {
    users.insert(row["user"].get<std::string>());
  }
  EXPECT_EQ(users, (std::set<std::string>{"ann", "ben"})) << league.body;
  http::Response groups = Send("GET", "/api/v1/courses/py/groups", "", {{"cookie", cookie}});
  ASSERT_EQ(groups.status, 200);
  EXPECT_EQ(nlohmann::json::parse(groups.body)["total"], 1) << groups.body;
}

TEST_F(SessionStoreCallsTest, TheLastUseIsWrittenOnceAMinuteAtMost) {
  const std::string cookie = SignIn("gman");
  EXPECT_EQ(CallsOfGet(cookie, "/api/v1/courses"), (Calls{{"LoadSessionCaller", 1}}));
  clock_.Advance(59'000);
  EXPECT_EQ(CallsOfGet(cookie, "/api/v1/courses"), (Calls{{"LoadSessionCaller", 1}}));
  clock_.Advance(1'000);  // a minute since the sign-in: one write with the read
  EXPECT_EQ(CallsOfGet(cookie, "/api/v1/courses"),
            (Calls{{"LoadSessionCaller", 1}, {"TouchSession", 1}}));
  EXPECT_EQ(CallsOfGet(cookie, "/api/v1/courses"), (Calls{{"LoadSessionCaller", 1}}));
  clock_.Advance(60'000);
  EXPECT_EQ(CallsOfGet(cookie, "/api/v1/courses"),
            (Calls{{"LoadSessionCaller", 1}, {"TouchSession", 1}}));
}

TEST_F(SessionStoreCallsTest, AStoreFaultReadingTheCallerIs503AndPassesWithIt) {
  const std::string cookie = SignIn("ann");
  store_->Fail("LoadSessionCaller", Status::Unavailable("the store is busy"), 1);
  http::Response refused = Send("GET", "/api/v1/courses", "", {{"cookie", cookie}});
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_TRUE(refused.account_key.empty());
  http::Response served = Send("GET", "/api/v1/courses", "", {{"cookie", cookie}});
  EXPECT_EQ(served.status, 200) << served.body;
  EXPECT_EQ(served.account_key, "acme");
  EXPECT_EQ(served.route, "/api/v1/courses");
}

}  // namespace
}  // namespace cohort::testing

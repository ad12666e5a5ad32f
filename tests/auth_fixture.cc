#include "auth_fixture.h"

#include <fmt/format.h>

#include "openapi_record.h"
#include "support/log_audit.h"

namespace cohort::testing {
namespace {

// Clean correct answers on e1 per seeded user.
int SeededCorrect(const std::string& user) {
  if (user == "ann") return 3;
  if (user == "ben") return 1;
  if (user == "carl") return 5;
  return 0;
}

}  // namespace

void AuthFixture::SetUp() {
  AuditSecret(kPassword);
  ApiFixture::SetUp();
  if (HasFatalFailure()) return;
  PutPythonCourse();
  if (HasFatalFailure()) return;
  ASSERT_EQ(Put("/api/v1/groups/gA", R"({"name":"Group A"})").status, 200);
  ASSERT_EQ(Put("/api/v1/groups/gB", R"({"name":"Group B"})").status, 200);
  // One argon2id hash for everyone, set through the service (hashing each would cost seconds).
  Result<std::string> hash = service::HashPassword(kPassword);
  ASSERT_TRUE(hash.ok());
  struct Person {
    const char* key;
    const char* roles;
    const char* groups;
  };
  const Person people[] = {
      {"boss", R"(["account_manager"])", "[]"}, {"exec", R"(["executive"])", "[]"},
      {"gman", R"(["group_manager"])", "[]"},   {"ann", R"(["learner"])", R"(["gA"])"},
      {"ben", R"(["learner"])", R"(["gA"])"},   {"carl", R"(["learner"])", R"(["gB"])"},
      {"dora", R"(["learner"])", "[]"},         {"nobody", "[]", "[]"},
  };
  for (const Person& p : people) {
    Reply r = Put(
        fmt::format("/api/v1/users/{}", p.key),
        fmt::format(R"({{"name":"{} Person","email":"{}@acme.example","roles":{},"groups":{}}})",
                    p.key, p.key, p.roles, p.groups));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  ASSERT_EQ(Put("/api/v1/groups/gA", R"({"name":"Group A","managers":["gman"]})").status, 200);
  ASSERT_EQ(Put("/api/v1/enrollments/dora/py", "{}").status, 200);
  std::string attempts = "[";
  for (const char* user : {"ann", "ben", "carl"}) {
    std::string responses;
    for (int i = 0; i < SeededCorrect(user); ++i) {
      responses += fmt::format(R"({}{{"question":"q{}","correct":true,"time_ms":1000}})",
                               i == 0 ? "" : ",", i);
    }
    attempts += fmt::format(
        R"({}{{"id":"{}-1","user":"{}","course":"py","exercise":"e1","started_at":"{}","responses":[{}]}})",
        attempts.size() > 1 ? "," : "", user, user, TimeAt(-120), responses);
  }
  attempts += "]";
  Reply posted = Post("/api/v1/attempts", attempts);
  ASSERT_EQ(posted.status, 200) << posted.body;
  // Passwords (and gus of globex) straight through the service, with the precomputed hash.
  auto with_password = [&](const char* account, std::vector<domain::User> users) {
    domain::WriteBatch batch;
    batch.users.origin = {"", false};
    for (domain::User& u : users) batch.users.items.push_back({std::move(u), hash.value()});
    Result<service::Caller> admin = service_->LocalAdmin(account);
    ASSERT_TRUE(admin.ok());
    Result<domain::WriteSummary> done = service_->Write(*admin, std::move(batch));
    ASSERT_TRUE(done.ok()) << done.status().ToString();
  };
  std::vector<domain::User> acme;
  for (const Person& p : people) {
    Result<store::UserRecord> u = store_->FindUser(account_, p.key);
    ASSERT_TRUE(u.ok());
    acme.push_back(u->user);
  }
  with_password("acme", std::move(acme));
  domain::User gus;
  gus.key = "gus";
  gus.name = "Gus Globex";
  gus.email = "gus@globex.example";
  gus.roles.Add(domain::Role::kAccountManager);
  with_password("globex", {gus});
}

AuthFixture::Answer AuthFixture::Send(const std::string& method, const std::string& target,
                                      const std::string& body, HeaderList headers) {
  headers.emplace_back("Content-Type", "application/json");
  Answer a;
  a.http = SendOnce("127.0.0.1", server_->port(), method, target, body, headers);
  RecordApiAnswer(method, target, body, a.http.status, a.http.headers, a.http.body);
  if (a.http.status == 0) ADD_FAILURE() << "no answer: " << a.http.error;
  a.json = nlohmann::json::parse(a.http.body, nullptr, /*allow_exceptions=*/false);
  if (a.json.is_discarded()) a.json = nullptr;
  return a;
}

AuthFixture::Answer AuthFixture::As(const Browser& browser, const std::string& method,
                                    const std::string& target, const std::string& body,
                                    bool with_csrf) {
  HeaderList headers = {{"Cookie", browser.cookie}};
  if (with_csrf) headers.emplace_back("X-CSRF-Token", browser.csrf);
  return Send(method, target, body, headers);
}

AuthFixture::Answer AuthFixture::SignInAnswer(const std::string& email, const std::string& password,
                                              HeaderList extra) {
  return Send("POST", "/api/v1/session",
              nlohmann::json{{"email", email}, {"password", password}}.dump(), std::move(extra));
}

Browser AuthFixture::SignIn(const std::string& email, const std::string& password) {
  Answer a = SignInAnswer(email, password);
  EXPECT_EQ(a.status(), 200) << email << ": " << a.http.body;
  Browser b;
  b.cookie = "cohort_session=" + CookieValue(a.http.Header("set-cookie"));
  if (a.json.is_object() && a.json.contains("csrf_token")) b.csrf = a.json["csrf_token"];
  return b;
}

double AuthFixture::SeededMastery(const std::string& user) {
  return std::min(SeededCorrect(user), 5) / 5.0 / 3.0;
}

std::string AuthFixture::CookieValue(const std::string& set_cookie) {
  const std::string prefix = "cohort_session=";
  if (set_cookie.rfind(prefix, 0) != 0) return "";
  return set_cookie.substr(prefix.size(), set_cookie.find(';') - prefix.size());
}

}  // namespace cohort::testing

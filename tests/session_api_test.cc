// Sign-in and sessions (SPEC §5, §9) through HTTP: the cookie's flags, CSRF, sign-out, idle and
// absolute expiry on the fake clock, password changes, throttling, and what reaches the logs.
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <mutex>

#include "auth_fixture.h"
#include "http/http_telemetry.h"

namespace cohort::testing {
namespace {

using nlohmann::json;

class SessionApiTest : public AuthFixture {};

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(SessionApiTest, SignInAnswersTheSessionAndSetsAnHttpOnlyLaxCookie) {
  Answer a = SignInAnswer("Ann@ACME.example", kPassword);  // emails fold case
  ASSERT_EQ(a.status(), 200) << a.http.body;
  std::vector<std::string> keys;
  const nlohmann::ordered_json sent = nlohmann::ordered_json::parse(a.http.body);
  for (const auto& item : sent.items()) {
    keys.push_back(item.key());
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"user", "name", "account", "roles", "csrf_token",
                                            "zone", "scope"}));
  EXPECT_EQ(a.json["scope"]["kind"], "self");  // a learner only
  EXPECT_EQ(a.json["scope"]["members"], 1);
  EXPECT_EQ(a.json["user"], "ann");
  EXPECT_EQ(a.json["account"], "acme");
  EXPECT_EQ(a.json["roles"], json::array({"learner"}));
  EXPECT_GE(a.json["csrf_token"].get<std::string>().size(), 32u);
  const std::string cookie = a.http.Header("set-cookie");
  EXPECT_TRUE(cookie.starts_with("cohort_session=cs_")) << cookie;
  EXPECT_TRUE(Has(cookie, "; HttpOnly")) << cookie;
  EXPECT_TRUE(Has(cookie, "; SameSite=Lax")) << cookie;
  EXPECT_TRUE(Has(cookie, "; Path=/;")) << cookie;
  EXPECT_FALSE(Has(cookie, "Secure")) << cookie;
  EXPECT_NE(a.http.body.find(a.json["csrf_token"].get<std::string>()), std::string::npos);
  EXPECT_FALSE(Has(a.http.body, CookieValue(cookie)));  // the secret is only in the cookie

  Browser ann{"cohort_session=" + CookieValue(cookie), a.json["csrf_token"]};
  Answer again = As(ann, "GET", "/api/v1/session");
  ASSERT_EQ(again.status(), 200) << again.http.body;
  EXPECT_EQ(again.json, a.json);
}

TEST_F(SessionApiTest, TheSessionNamesThePersonAndKeepsTheKey) {
  Browser ann = SignIn("ann@acme.example");
  Answer a = As(ann, "GET", "/api/v1/session");
  ASSERT_EQ(a.status(), 200) << a.http.body;
  EXPECT_EQ(a.json["user"], "ann");
  EXPECT_EQ(a.json["name"], "ann Person");
  // A new name shows at the next answer: it is read per request, not kept in the session.
  ASSERT_EQ(Put("/api/v1/users/ann", R"({"name":"Ann Renamed","email":"ann@acme.example",)"
                R"("roles":["learner"],"groups":["gA"],"active":true})")
                .status,
            200);
  EXPECT_EQ(As(ann, "GET", "/api/v1/session").json["name"], "Ann Renamed");
}

TEST_F(SessionApiTest, TheCookieIsSecureOnlyBehindAnHttpsProxy) {
  Answer plain = SignInAnswer("exec@acme.example", kPassword, {{"X-Forwarded-Proto", "http"}});
  EXPECT_FALSE(Has(plain.http.Header("set-cookie"), "Secure"));
  Answer tls = SignInAnswer("exec@acme.example", kPassword, {{"X-Forwarded-Proto", "https"}});
  ASSERT_EQ(tls.status(), 200);
  EXPECT_TRUE(Has(tls.http.Header("set-cookie"), "; Secure")) << tls.http.Header("set-cookie");
  EXPECT_TRUE(Has(tls.http.Header("set-cookie"), "; HttpOnly"));
}

TEST_F(SessionApiTest, SignedOutWhenThereIsNoOrABadCookie) {
  Answer none = Send("GET", "/api/v1/session", "", {});
  EXPECT_EQ(none.status(), 401);
  EXPECT_EQ(none.json["error"]["code"], "unauthenticated");
  Answer bad = Send("GET", "/api/v1/session", "", {{"Cookie", "cohort_session=cs_forged"}});
  EXPECT_EQ(bad.status(), 401);
  EXPECT_EQ(Send("GET", "/api/v1/courses", "", {{"Cookie", "cohort_session=cs_x"}}).status(), 401);
}

TEST_F(SessionApiTest, SigningOutEndsTheSessionAtOnce) {
  Browser boss = SignIn("boss@acme.example");
  ASSERT_EQ(As(boss, "GET", "/api/v1/courses").status(), 200);
  Answer out = As(boss, "DELETE", "/api/v1/session");
  ASSERT_EQ(out.status(), 200) << out.http.body;
  EXPECT_TRUE(Has(out.http.Header("set-cookie"), "cohort_session=; Path=/; Max-Age=0"));
  EXPECT_EQ(As(boss, "GET", "/api/v1/session").status(), 401);
  EXPECT_EQ(As(boss, "GET", "/api/v1/courses").status(), 401);
  EXPECT_EQ(As(boss, "PUT", "/api/v1/groups/gC", R"({"name":"C"})").status(), 401);
}

TEST_F(SessionApiTest, StateChangingRequestsNeedTheCsrfToken) {
  Browser boss = SignIn("boss@acme.example");
  const store::TableCounts before = Counts();
  Answer missing = As(boss, "PUT", "/api/v1/groups/gC", R"({"name":"C"})", /*with_csrf=*/false);
  EXPECT_EQ(missing.status(), 403);
  EXPECT_EQ(missing.json["error"]["code"], "forbidden");
  EXPECT_TRUE(Has(missing.json["error"]["message"], "X-CSRF-Token"));
  Browser forged = boss;
  forged.csrf = std::string(boss.csrf.size(), 'A');
  EXPECT_EQ(As(forged, "PUT", "/api/v1/groups/gC", R"({"name":"C"})").status(), 403);
  EXPECT_EQ(As(boss, "DELETE", "/api/v1/session", "", false).status(), 403);
  EXPECT_EQ(As(boss, "POST", "/api/v1/tokens", R"({"name":"x","scopes":["read"]})", false).status(),
            403);
  EXPECT_EQ(Counts(), before);
  // Reads need none; with the token the write goes through.
  EXPECT_EQ(As(boss, "GET", "/api/v1/courses", "", false).status(), 200);
  Answer ok = As(boss, "PUT", "/api/v1/groups/gC", R"({"name":"C"})");
  EXPECT_EQ(ok.status(), 200) << ok.http.body;
  EXPECT_EQ(Counts().groups, before.groups + 1);
  // A bearer token needs no CSRF token, cookie or not.
  EXPECT_EQ(Send("PUT", "/api/v1/groups/gD", R"({"name":"D"})",
                 {{"Authorization", "Bearer " + ingest_token_}, {"Cookie", boss.cookie}})
                .status(),
            200);
}

TEST_F(SessionApiTest, SessionsExpireAfterTwelveIdleHoursAndThirtyDaysInAnyCase) {
  Browser ann = SignIn("ann@acme.example");
  clock_.Advance(11 * 3600 * 1000);
  ASSERT_EQ(As(ann, "GET", "/api/v1/session").status(), 200);  // and counts as activity
  clock_.Advance(11 * 3600 * 1000);
  ASSERT_EQ(As(ann, "GET", "/api/v1/session").status(), 200);
  clock_.Advance(12 * 3600 * 1000);
  EXPECT_EQ(As(ann, "GET", "/api/v1/session").status(), 401);
  EXPECT_EQ(As(ann, "GET", "/api/v1/courses").status(), 401);

  Browser busy = SignIn("ann@acme.example");
  for (int i = 0; i < 65; ++i) {  // a request every 11 h: 29.8 days
    clock_.Advance(11 * 3600 * 1000);
    ASSERT_EQ(As(busy, "GET", "/api/v1/session").status(), 200) << "after " << (i + 1) * 11 << " h";
  }
  clock_.Advance(11 * 3600 * 1000);  // 30.25 days after sign-in
  EXPECT_EQ(As(busy, "GET", "/api/v1/session").status(), 401);
}

TEST_F(SessionApiTest, ChangingOnesPasswordEndsOneOtherSessions) {
  Browser here = SignIn("ann@acme.example");
  Browser there = SignIn("ann@acme.example");
  Answer wrong =
      As(here, "POST", "/api/v1/session/password",
         json{{"current_password", "not it at all"}, {"new_password", "a new secret"}}.dump());
  EXPECT_EQ(wrong.status(), 422);
  EXPECT_EQ(wrong.json["error"]["details"][0]["pointer"], "/current_password");
  Answer short_one = As(here, "POST", "/api/v1/session/password",
                        json{{"current_password", kPassword}, {"new_password", "short"}}.dump());
  EXPECT_EQ(short_one.status(), 422);
  ASSERT_EQ(As(there, "GET", "/api/v1/session").status(), 200);  // nothing changed yet

  Answer changed =
      As(here, "POST", "/api/v1/session/password",
         json{{"current_password", kPassword}, {"new_password", "a new secret"}}.dump());
  ASSERT_EQ(changed.status(), 200) << changed.http.body;
  EXPECT_EQ(As(here, "GET", "/api/v1/session").status(), 200);
  EXPECT_EQ(As(there, "GET", "/api/v1/session").status(), 401);
  EXPECT_EQ(SignInAnswer("ann@acme.example", kPassword).status(), 401);
  EXPECT_EQ(SignInAnswer("ann@acme.example", "a new secret").status(), 200);
}

TEST_F(SessionApiTest, WrongCurrentPasswordsAreSlowedDownToo) {
  Browser ann = SignIn("ann@acme.example");
  const std::string wrong =
      json{{"current_password", "guess"}, {"new_password", "whatever 1"}}.dump();
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(As(ann, "POST", "/api/v1/session/password", wrong).status(), 422);
  Answer blocked = As(ann, "POST", "/api/v1/session/password",
                      json{{"current_password", kPassword}, {"new_password", "whatever 1"}}.dump());
  EXPECT_EQ(blocked.status(), 429);
  EXPECT_EQ(blocked.http.Header("retry-after"), "1");  // the first wait of (email, address)
  EXPECT_EQ(SignInAnswer("ann@acme.example", kPassword).status(), 429);  // same email and address
  clock_.Advance(1000);
  EXPECT_EQ(As(ann, "POST", "/api/v1/session/password", wrong).status(), 422);
  EXPECT_EQ(As(ann, "POST", "/api/v1/session/password", wrong).http.Header("retry-after"), "2");
}

TEST_F(SessionApiTest, AManagerSettingAPasswordEndsThatPersonsSessions) {
  Browser ann = SignIn("ann@acme.example");
  Browser boss = SignIn("boss@acme.example");
  Answer set = As(boss, "PUT", "/api/v1/users/ann",
                  R"({"name":"ann Person","email":"ann@acme.example","groups":["gA"],
                      "password":"set by the boss"})");
  ASSERT_EQ(set.status(), 200) << set.http.body;
  EXPECT_EQ(As(ann, "GET", "/api/v1/session").status(), 401);
  EXPECT_EQ(As(boss, "GET", "/api/v1/session").status(), 200);
  EXPECT_EQ(SignInAnswer("ann@acme.example", "set by the boss").status(), 200);
  // Only account managers set passwords: an executive's attempt is an unknown resource.
  Browser exec = SignIn("exec@acme.example");
  Answer denied = As(exec, "PUT", "/api/v1/users/ann",
                     R"({"name":"ann Person","email":"ann@acme.example","password":"hijacked!"})");
  EXPECT_EQ(denied.status(), 404);
  EXPECT_EQ(SignInAnswer("ann@acme.example", "hijacked!").status(), 401);
}

TEST_F(SessionApiTest, InactiveUsersCannotSignInAndTheirSessionsStop) {
  Browser carl = SignIn("carl@acme.example");
  ASSERT_EQ(Delete("/api/v1/users/carl").status, 200);  // deactivates
  EXPECT_EQ(As(carl, "GET", "/api/v1/session").status(), 401);
  Answer again = SignInAnswer("carl@acme.example", kPassword);
  EXPECT_EQ(again.status(), 401);
  EXPECT_EQ(again.http.body, SignInAnswer("nobody-here@acme.example", kPassword).http.body);
}

TEST_F(SessionApiTest, PasswordsAreStoredAsArgon2idAndNeverInClear) {
  Browser boss = SignIn("boss@acme.example");
  ASSERT_EQ(As(boss, "PUT", "/api/v1/users/dora",
               R"({"name":"dora Person","email":"dora@acme.example","password":"dora's own pass"})")
                .status(),
            200);
  Result<store::UserRecord> dora = store_->FindUser(account_, "dora");
  ASSERT_TRUE(dora.ok());
  ASSERT_TRUE(dora->password_hash);
  EXPECT_TRUE(dora->password_hash->starts_with("$argon2id$")) << *dora->password_hash;
  // The bytes of the database file and its WAL: hashes there, clear passwords nowhere.
  std::string bytes;
  for (const char* file : {"test.db", "test.db-wal"}) {
    std::ifstream in(dir_ / file, std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  EXPECT_TRUE(Has(bytes, "$argon2id$"));
  EXPECT_FALSE(Has(bytes, "dora's own pass"));
  EXPECT_FALSE(Has(bytes, kPassword));
  EXPECT_FALSE(Has(bytes, CookieValue("cohort_session=" + boss.cookie.substr(15) + ";")));
}

TEST_F(SessionApiTest, RepeatedFailuresAreSlowedDownAlikeForUnknownEmailsAndWrongPasswords) {
  std::string wrong_body, unknown_body;
  for (int i = 0; i < 5; ++i) {
    Answer wrong = SignInAnswer("ann@acme.example", "guess " + std::to_string(i));
    Answer unknown = SignInAnswer("ghost@acme.example", "guess " + std::to_string(i));
    ASSERT_EQ(wrong.status(), 401);
    ASSERT_EQ(unknown.status(), 401);
    EXPECT_EQ(wrong.http.body, unknown.http.body);
    wrong_body = wrong.http.body;
  }
  Answer wrong = SignInAnswer("ann@acme.example", "guess 5");
  Answer unknown = SignInAnswer("ghost@acme.example", "guess 5");
  ASSERT_EQ(wrong.status(), 429) << wrong.http.body;
  ASSERT_EQ(unknown.status(), 429) << unknown.http.body;
  EXPECT_EQ(wrong.http.body, unknown.http.body);
  EXPECT_EQ(wrong.json["error"]["code"], "too_many_requests");
  EXPECT_EQ(wrong.http.Header("retry-after"), unknown.http.Header("retry-after"));
  const int retry = std::stoi(wrong.http.Header("retry-after"));
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 15 * 60);
  // Even the right password waits; another person is not held up.
  EXPECT_EQ(SignInAnswer("ann@acme.example", kPassword).status(), 429);
  EXPECT_EQ(SignInAnswer("ben@acme.example", kPassword).status(), 200);
  clock_.Advance(std::int64_t{retry} * 1000);
  EXPECT_EQ(SignInAnswer("ann@acme.example", kPassword).status(), 200);
}

TEST_F(SessionApiTest, GuessesFromOneAddressWaitLongerEachTimeAndLeaveTheOwnerElsewhereIn) {
  const HeaderList guesser = {{"X-Forwarded-For", "203.0.113.7"}};
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(SignInAnswer("ann@acme.example", fmt::format("guess {}", i), guesser).status(), 401);
  }
  // Each further failure doubles the wait: 1 s, then 2 s, then 4 s.
  for (const int wait_s : {1, 2, 4}) {
    Answer held = SignInAnswer("ann@acme.example", "guess", guesser);
    ASSERT_EQ(held.status(), 429) << held.http.body;
    EXPECT_EQ(held.http.Header("retry-after"), std::to_string(wait_s));
    clock_.Advance(std::int64_t{wait_s} * 1000);
    ASSERT_EQ(SignInAnswer("ann@acme.example", "guess", guesser).status(), 401);
  }
  // Ann, from her own address, is not locked out by them.
  EXPECT_EQ(SignInAnswer("ann@acme.example", kPassword).status(), 200);
}

TEST_F(SessionApiTest, UnknownEmailsTakeAboutAsLongAsWrongPasswords) {
  auto seconds = [&](const std::string& email, const std::string& password) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(SignInAnswer(email, password).status(), 401);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  // Each pays one argon2id verification (tens of milliseconds); the rest is noise. Each kind's
  // fastest of five, interleaved, is its cost with the least interference from whatever else
  // the machine runs (sums swung 2x under the sanitizers with other tests beside them); a
  // missing verification halves it or worse, as would hashing the dummy on the first unknown
  // email only.
  (void)seconds("warm-up@acme.example", "guess");  // the first sign-in makes the dummy hash
  double unknown = 1e9, wrong = 1e9;
  const char* const known[] = {"ann@acme.example", "ben@acme.example", "carl@acme.example"};
  for (int i = 0; i < 5; ++i) {
    unknown = std::min(unknown, seconds(fmt::format("ghost{}@acme.example", i), "guess"));
    wrong = std::min(wrong, seconds(known[i % 3], "guess"));
  }
  RecordProperty("unknown_over_wrong", std::to_string(unknown / wrong));
  EXPECT_GT(unknown / wrong, 0.6) << unknown << " s vs " << wrong << " s";
  EXPECT_LT(unknown / wrong, 1.6) << unknown << " s vs " << wrong << " s";
}

TEST_F(SessionApiTest, ManyFailuresFromOneAddressAreSlowedDown) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(SignInAnswer(fmt::format("guess{}@acme.example", i), "x").status(), 401) << i;
  }
  Answer blocked = SignInAnswer("ben@acme.example", kPassword);
  EXPECT_EQ(blocked.status(), 429);
  EXPECT_FALSE(blocked.http.Header("retry-after").empty());
  clock_.Advance(15 * 60 * 1000);
  EXPECT_EQ(SignInAnswer("ben@acme.example", kPassword).status(), 200);
}

TEST_F(SessionApiTest, BehindALocalProxyTheForwardedAddressIsCounted) {
  const HeaderList client = {{"X-Forwarded-For", "198.51.100.1, 203.0.113.5"}};
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(SignInAnswer(fmt::format("guess{}@acme.example", i), "x", client).status(), 401);
  }
  EXPECT_EQ(SignInAnswer("ben@acme.example", kPassword, client).status(), 429);
  // Another client behind the same proxy, or a forged first entry, is not held up.
  EXPECT_EQ(
      SignInAnswer("ben@acme.example", kPassword, {{"X-Forwarded-For", "203.0.113.6"}}).status(),
      200);
  EXPECT_EQ(
      SignInAnswer("ben@acme.example", kPassword, {{"X-Forwarded-For", "203.0.113.5, 203.0.113.7"}})
          .status(),
      200);
}

TEST_F(SessionApiTest, AnEmailInSeveralAccountsNeedsTheAccountOnlyWhenThePasswordFitsBoth) {
  // gus of globex gets the same email (and password) as ann of acme.
  domain::WriteBatch batch;
  batch.users.origin = {"", false};
  domain::User twin;
  twin.key = "ann2";
  twin.name = "Ann Twin";
  twin.email = "ann@acme.example";
  twin.roles.Add(domain::Role::kLearner);
  batch.users.items.push_back({twin, service::HashPassword(kPassword).value()});
  ASSERT_TRUE(service_->Write(service_->LocalAdmin("globex").value(), std::move(batch)).ok());
  Answer ambiguous = SignInAnswer("ann@acme.example", kPassword);
  EXPECT_EQ(ambiguous.status(), 422);
  EXPECT_EQ(ambiguous.json["error"]["details"][0]["pointer"], "/account");
  Answer picked = Send(
      "POST", "/api/v1/session",
      json{{"email", "ann@acme.example"}, {"password", kPassword}, {"account", "globex"}}.dump(),
      {});
  ASSERT_EQ(picked.status(), 200) << picked.http.body;
  EXPECT_EQ(picked.json["account"], "globex");
  EXPECT_EQ(picked.json["user"], "ann2");
  // With different passwords, the password says which account.
  domain::WriteBatch other;
  other.users.origin = {"", false};
  other.users.items.push_back({twin, service::HashPassword("the globex one").value()});
  ASSERT_TRUE(service_->Write(service_->LocalAdmin("globex").value(), std::move(other)).ok());
  EXPECT_EQ(SignInAnswer("ann@acme.example", kPassword).json["account"], "acme");
  EXPECT_EQ(SignInAnswer("ann@acme.example", "the globex one").json["account"], "globex");
}

TEST_F(SessionApiTest, BadSignInBodiesAreRefusedPrecisely) {
  EXPECT_EQ(Send("POST", "/api/v1/session", "{", {}).status(), 400);
  Answer missing = Send("POST", "/api/v1/session", R"({"email":"ann@acme.example"})", {});
  EXPECT_EQ(missing.status(), 422);
  EXPECT_TRUE(Has(missing.http.body, "password"));
  Answer unknown =
      Send("POST", "/api/v1/session", R"({"email":"a@b.c","password":"x","remember":true})", {});
  EXPECT_EQ(unknown.status(), 422);
  EXPECT_EQ(unknown.json["error"]["details"][0]["pointer"], "/remember");
  EXPECT_EQ(Send("PUT", "/api/v1/session", "{}", {}).status(), 405);
}

// Collects every formatted log line.
class CaptureSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string text() {
    std::lock_guard lock(mutex_);
    return text_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    text_.append(formatted.data(), formatted.size());
  }
  void flush_() override {}

 private:
  std::string text_;
};

TEST_F(SessionApiTest, NoLogLineHoldsAPasswordATokenOrASessionSecret) {
  auto sink = std::make_shared<CaptureSink>();
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("capture", sink);
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  // The production handler: the API behind the access log.
  MetricRegistry registry;
  http::ServerOptions options;
  options.port = 0;
  options.threads = 2;
  auto server = http::StartServer(
      options,
      http::Instrument([this](const http::Request& r) { return api_->Handle(r); }, registry));
  ASSERT_TRUE(server.ok());
  auto send = [&](const std::string& method, const std::string& target, const std::string& body,
                  HeaderList headers) {
    headers.emplace_back("Content-Type", "application/json");
    return SendOnce("127.0.0.1", server.value()->port(), method, target, body, headers);
  };
  HttpResponse bad =
      send("POST", "/api/v1/session",
           json{{"email", "boss@acme.example"}, {"password", "wrong-password-1"}}.dump(), {});
  EXPECT_EQ(bad.status, 401);
  HttpResponse good =
      send("POST", "/api/v1/session",
           json{{"email", "boss@acme.example"}, {"password", kPassword}}.dump(), {});
  ASSERT_EQ(good.status, 200);
  const std::string secret = CookieValue(good.Header("set-cookie"));
  const std::string csrf = json::parse(good.body)["csrf_token"];
  const HeaderList browser = {{"Cookie", "cohort_session=" + secret}, {"X-CSRF-Token", csrf}};
  HttpResponse token =
      send("POST", "/api/v1/tokens", R"({"name":"ci","scopes":["read"]})", browser);
  ASSERT_EQ(token.status, 200) << token.body;
  const std::string token_secret = json::parse(token.body)["token"];
  EXPECT_EQ(
      send("GET", "/api/v1/courses", "", {{"Authorization", "Bearer " + token_secret}}).status,
      200);
  EXPECT_EQ(send("PUT", "/api/v1/users/dora",
                 R"({"name":"d","email":"dora@acme.example","password":"new-password-2"})", browser)
                .status,
            200);
  EXPECT_EQ(send("POST", "/api/v1/session/password",
                 json{{"current_password", kPassword}, {"new_password", "new-password-3"}}.dump(),
                 browser)
                .status,
            200);
  server.value()->Stop();
  spdlog::set_default_logger(previous);
  const std::string logged = sink->text();
  EXPECT_TRUE(Has(logged, "\"route\":\"/api/v1/session\"")) << logged;  // the log did run
  EXPECT_TRUE(Has(logged, "\"route\":\"/api/v1/tokens\"")) << logged;
  for (const std::string& secret_text :
       {std::string(kPassword), std::string("wrong-password-1"), std::string("new-password-2"),
        std::string("new-password-3"), secret, csrf, token_secret}) {
    EXPECT_FALSE(Has(logged, secret_text)) << secret_text << " in:\n" << logged;
  }
}

}  // namespace
}  // namespace cohort::testing

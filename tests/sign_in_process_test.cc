// Signing in against the real `cohort` binary: people made by `cohort user create
// --password-stdin` and by `cohort demo` sign in to `cohort serve`, and the server's log (its
// real output) never shows a password, a session secret or a CSRF token.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "process_test_support.h"
#include "support/http_client.h"

namespace cohort::testing {
namespace {

using nlohmann::json;

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

HttpResponse SignIn(std::uint16_t port, const std::string& email, const std::string& password) {
  return SendOnce("127.0.0.1", port, "POST", "/api/v1/session",
                  json{{"email", email}, {"password", password}}.dump(),
                  {{"Content-Type", "application/json"}});
}

TEST(SignInProcessTest, AUserCreatedWithPasswordStdinSignsInAndTheLogKeepsNoSecret) {
  TempDir dir;
  const std::string db = (dir.path() / "people.db").string();
  ASSERT_EQ(RunCohort({"--db", db, "account", "create", "acme", "--name", "Acme"}).exit_code, 0);
  const std::string password = "stdin-password-42";
  CommandResult made =
      RunCohort({"--db", db, "user", "create", "--account", "acme", "--key", "mia", "--email",
                 "mia@acme.example", "--name", "Mia", "--role", "executive", "--password-stdin"},
                password + "\n");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_EQ(made.out.find(password), std::string::npos);
  std::string secret, csrf;
  {
    ServerProcess server(db);
    ASSERT_TRUE(server.started());
    EXPECT_EQ(SignIn(server.port(), "mia@acme.example", "not-her-password").status, 401);
    HttpResponse ok = SignIn(server.port(), "MIA@acme.example", password);
    ASSERT_EQ(ok.status, 200) << ok.body;
    const json session = json::parse(ok.body);
    EXPECT_EQ(session["user"], "mia");
    EXPECT_EQ(session["roles"], json::array({"executive"}));
    csrf = session["csrf_token"];
    const std::string cookie = ok.Header("set-cookie");
    secret = cookie.substr(0, cookie.find(';'));  // "cohort_session=cs_..."
    const HeaderList browser = {{"Cookie", secret}, {"X-CSRF-Token", csrf}};
    EXPECT_EQ(SendOnce("127.0.0.1", server.port(), "GET", "/api/v1/courses", "", browser).status,
              200);
    EXPECT_EQ(SendOnce("127.0.0.1", server.port(), "DELETE", "/api/v1/session", "", browser).status,
              200);
    EXPECT_EQ(server.StopWith(SIGTERM), 0);
  }
  const std::string log = ReadAll(db + ".server.log");
  EXPECT_NE(log.find("\"route\":\"/api/v1/session\""), std::string::npos) << log;
  for (const std::string& s :
       {password, std::string("not-her-password"), secret.substr(15), csrf}) {
    EXPECT_EQ(log.find(s), std::string::npos) << s << " in:\n" << log;
  }
}

TEST(SignInProcessTest, EveryDemoSignInWorksWithItsRole) {
  TempDir dir;
  const std::string db = (dir.path() / "demo.db").string();
  CommandResult demo =
      RunCohort({"demo", "--users", "40", "--courses", "2", "--seed", "3", "--db", db});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  const std::regex line(R"(^  (\w+) +(\S+@\S+) +(\S+)$)");
  std::istringstream out(demo.out);
  std::vector<std::array<std::string, 3>> sign_ins;
  for (std::string text; std::getline(out, text);) {
    std::smatch m;
    if (std::regex_match(text, m, line)) sign_ins.push_back({m[1], m[2], m[3]});
  }
  ASSERT_EQ(sign_ins.size(), 4u) << demo.out;
  ServerProcess server(db);
  ASSERT_TRUE(server.started());
  for (const auto& [role, email, password] : sign_ins) {
    HttpResponse r = SignIn(server.port(), email, password);
    ASSERT_EQ(r.status, 200) << role << ": " << r.body;
    const json roles = json::parse(r.body)["roles"];
    EXPECT_NE(std::find(roles.begin(), roles.end(), role), roles.end()) << role << " " << roles;
  }
}

}  // namespace
}  // namespace cohort::testing

#pragma once

#include <string>
#include <vector>

#include "api_fixture.h"
#include "support/http_client.h"

namespace cohort::testing {

// A signed-in browser: the session cookie's secret and the CSRF token the sign-in returned.
struct Browser {
  std::string cookie;  // "cohort_session=cs_..." as sent back in the Cookie header
  std::string csrf;
};

// ApiFixture with people who sign in (SPEC §5), all with the password kPassword:
//   acme: boss (account_manager), exec (executive), gman (group_manager of gA, in no group),
//         ann and ben (learners in gA), carl (learner in gB), dora (learner in no group),
//         nobody (given no role, so a learner, enrolled in nothing);
//   globex: gus (account_manager) — another account.
// The course "py" (as SeedCatalog, window 5: three exercises e1, e2, e3) has attempts on e1:
// ann 3 clean correct answers, ben 1, carl 5, dora none (enrolled). So course mastery is
// ann 3/15, ben 1/15, carl 5/15, dora 0.
class AuthFixture : public ApiFixture {
 protected:
  static constexpr const char* kPassword = "correct horse battery";

  void SetUp() override;

  // One request with any headers; `json` parsed from the body.
  struct Answer {
    HttpResponse http;
    nlohmann::json json;
    int status() const { return http.status; }
  };
  Answer Send(const std::string& method, const std::string& target, const std::string& body,
              HeaderList headers);
  // A request as `browser` makes it: its cookie, and its CSRF token unless `with_csrf` is false.
  Answer As(const Browser& browser, const std::string& method, const std::string& target,
            const std::string& body = "", bool with_csrf = true);
  // Signs in (asserting 200) and returns the browser's cookie and CSRF token.
  Browser SignIn(const std::string& email, const std::string& password = kPassword);
  Answer SignInAnswer(const std::string& email, const std::string& password, HeaderList extra = {});

  // Course mastery of each seeded user, recomputed from the posted answers: the e1 credits of
  // the last 5 answers / 5, averaged over the course's 3 exercises.
  static double SeededMastery(const std::string& user);

  // The cookie value ("cs_...") from a Set-Cookie header, "" when none.
  static std::string CookieValue(const std::string& set_cookie);
};

}  // namespace cohort::testing

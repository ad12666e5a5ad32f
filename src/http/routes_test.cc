#include "http/routes.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>

#include "http/api.h"

namespace cohort::http {
namespace {

Response One(const RouteCall&) { return {}; }
Response Two(const RouteCall&) { return {}; }

const RouteTable& Table() {
  static const RouteTable table({
      {"GET", "/healthz", Credential::kNone, {}, One},
      {"GET", "/api/v1/courses/{course}", Credential::kAny, domain::Scope::kRead, One},
      {"PUT", "/api/v1/courses/{course}", Credential::kAny, domain::Scope::kIngest, Two},
      {"GET", "/api/v1/courses/{course}/users/{user}", Credential::kAny, domain::Scope::kRead, Two},
  });
  return table;
}

TEST(RouteTableTest, FindsTheRowOfPathAndMethodWithItsParameters) {
  const RouteTable::Match m = Table().Find("GET", "/api/v1/courses/py/users/ann");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/courses/{course}/users/{user}");
  EXPECT_EQ(m.route->handler, &Two);
  EXPECT_EQ(m.params[0], "py");
  EXPECT_EQ(m.params[1], "ann");
  EXPECT_EQ(m.params[2], "");
  const RouteTable::Match put = Table().Find("PUT", "/api/v1/courses/py");
  ASSERT_NE(put.route, nullptr);
  EXPECT_EQ(put.route->handler, &Two);
  EXPECT_EQ(put.route->scope, domain::Scope::kIngest);
}

TEST(RouteTableTest, AKnownPathWithAnotherMethodNamesItsFirstRow) {
  const RouteTable::Match m = Table().Find("DELETE", "/api/v1/courses/py");
  EXPECT_EQ(m.route, nullptr);
  ASSERT_NE(m.path_route, nullptr);
  EXPECT_EQ(m.path_route->method, "GET");
  EXPECT_EQ(m.path_route->pattern, "/api/v1/courses/{course}");
}

TEST(RouteTableTest, AParameterIsOneNonEmptySegmentAndLiteralsMatchExactly) {
  for (const char* path : {"/api/v1/courses/", "/api/v1/courses//users/ann", "/api/v1/course/py",
                           "/api/v1/courses/py/", "/healthz/", "/", "", "/HEALTHZ",
                           "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p"}) {
    const RouteTable::Match m = Table().Find("GET", path);
    EXPECT_EQ(m.route, nullptr) << path;
    EXPECT_EQ(m.path_route, nullptr) << path;
  }
}

TEST(RouteTableTest, ADefectInTheRowsIsFoundWhenTheTableIsBuilt) {
  EXPECT_THROW(RouteTable({{"GET", "/a", Credential::kAny, {}, One},
                           {"GET", "/a", Credential::kAny, {}, Two}}),
               std::logic_error);
  EXPECT_THROW(RouteTable({{"GET", "a", Credential::kAny, {}, One}}), std::logic_error);
  EXPECT_THROW(RouteTable({{"GET", "/a//b", Credential::kAny, {}, One}}), std::logic_error);
  EXPECT_THROW(RouteTable({{"GET", "/a/{b", Credential::kAny, {}, One}}), std::logic_error);
  EXPECT_THROW(RouteTable({{"GET", "/{a}/{b}/{c}/{d}/{e}", Credential::kAny, {}, One}}),
               std::logic_error);
  EXPECT_THROW(RouteTable({{"GET", "/a", Credential::kAny, {}, nullptr}}), std::logic_error);
  EXPECT_NO_THROW(RouteTable(
      {{"GET", "/a", Credential::kAny, {}, One}, {"PUT", "/a", Credential::kAny, {}, Two}}));
}

// The API's own table, as documents read it (Api::Routes): what each kind of route asks for.
TEST(ApiRoutesTest, ListEveryRouteWithItsCredentialAndScope) {
  std::set<std::string> seen;
  for (const RouteInfo& r : Api::Routes()) {
    const std::string route = std::string(r.method) + " " + std::string(r.pattern);
    EXPECT_TRUE(seen.insert(route).second) << route;
    if (r.pattern.starts_with("/api/v1/courses") && r.method == "GET") {
      EXPECT_EQ(r.scope, domain::Scope::kRead) << route;
    }
    if (r.pattern.starts_with("/api/v1/tokens")) {
      EXPECT_EQ(r.scope, domain::Scope::kAdmin) << route;
    }
  }
  auto info = [](std::string_view method, std::string_view pattern) -> RouteInfo {
    for (const RouteInfo& r : Api::Routes()) {
      if (r.method == method && r.pattern == pattern) return r;
    }
    ADD_FAILURE() << method << " " << pattern << " is not listed";
    return {};
  };
  EXPECT_EQ(info("GET", "/healthz").credential, Credential::kNone);
  EXPECT_EQ(info("POST", "/api/v1/session").credential, Credential::kNone);
  EXPECT_EQ(info("GET", "/api/v1/session").credential, Credential::kSession);
  EXPECT_EQ(info("DELETE", "/api/v1/session").credential, Credential::kSession);
  EXPECT_EQ(info("POST", "/api/v1/session/password").credential, Credential::kSession);
  EXPECT_EQ(info("POST", "/api/v1/session").max_body_bytes, 64u * 1024);
  EXPECT_EQ(info("POST", "/api/v1/attempts").scope, domain::Scope::kIngest);
  EXPECT_EQ(info("POST", "/api/v1/attempts").max_body_bytes, 0u);
  EXPECT_EQ(info("GET", "/api/v1/whoami").scope, std::nullopt);
  EXPECT_EQ(info("DELETE", "/api/v1/awards/{id}").credential, Credential::kAny);
}

}  // namespace
}  // namespace cohort::http

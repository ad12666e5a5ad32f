// The error bodies of SPEC §4.1: what the client reads of each kind of failure. Errors that are
// the server's own (kInternal, kUnavailable) carry a generic message; their detail, which may
// name a file, a table or a statement, goes to the log only (docs/security.md).
#include "http/errors.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace cohort::http {
namespace {

std::string HeaderOf(const Response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

TEST(ErrorsTest, InternalErrorsShowNoDetail) {
  const Response r = ErrorResponse(Status::Internal(
      "sqlite: no such table: attempts (code 1) in 'SELECT id FROM attempts' on /var/lib/x.db"));
  EXPECT_EQ(r.status, 500);
  const nlohmann::json body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["error"]["code"], "internal");
  EXPECT_EQ(body["error"]["message"], "internal error");
  EXPECT_TRUE(body["error"]["details"].empty());
  for (const char* leak : {"sqlite", "SELECT", "/var/lib", "attempts"}) {
    EXPECT_EQ(r.body.find(leak), std::string::npos) << leak;
  }
}

TEST(ErrorsTest, UnavailableErrorsShowNoDetailAndAskToRetry) {
  const Response r = ErrorResponse(Status::Unavailable(
      "cannot create a temporary file for the XLSX export in /tmp/cohort-42: No space left"));
  EXPECT_EQ(r.status, 503);
  const nlohmann::json body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["error"]["code"], "unavailable");
  EXPECT_EQ(body["error"]["message"], "the service is temporarily unavailable; retry later");
  EXPECT_EQ(r.body.find("/tmp"), std::string::npos);
  EXPECT_EQ(HeaderOf(r, "Retry-After"), "1");
}

TEST(ErrorsTest, ClientErrorsKeepTheirMessageAndDetails) {
  const Response r = ErrorResponse(Status::Invalid(
      "1 attempt is invalid", {{0, "/0/responses/0/hints", "hints must be 0-1000000; got -1"}}));
  EXPECT_EQ(r.status, 422);
  const nlohmann::json body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["error"]["code"], "invalid");
  EXPECT_EQ(body["error"]["message"], "1 attempt is invalid");
  EXPECT_EQ(body["error"]["details"][0]["pointer"], "/0/responses/0/hints");
  EXPECT_EQ(body["error"]["details"][0]["index"], 0);
  EXPECT_EQ(HeaderOf(r, "Retry-After"), "");
}

TEST(ErrorsTest, UnauthenticatedAsksForABearerToken) {
  const Response r = ErrorResponse(Status::Unauthenticated("no credentials"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(HeaderOf(r, "WWW-Authenticate"), "Bearer");
}

}  // namespace
}  // namespace cohort::http

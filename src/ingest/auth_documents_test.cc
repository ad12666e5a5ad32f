#include "ingest/auth_documents.h"

#include <gtest/gtest.h>

namespace cohort::ingest {
namespace {

// The pointers of a failed parse's details, in order.
template <typename T>
std::vector<std::string> Pointers(const Result<T>& r) {
  std::vector<std::string> out;
  const Status status = r.status();  // a copy: keep it while iterating its details
  for (const ErrorDetail& d : status.details()) out.push_back(d.pointer);
  return out;
}

TEST(ParseSignInTest, ReadsEmailPasswordAndAnOptionalAccount) {
  Result<SignInRequest> r = ParseSignIn(R"({"email":"a@b.c","password":"pw","account":"acme"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->email, "a@b.c");
  EXPECT_EQ(r->password, "pw");
  EXPECT_EQ(r->account, "acme");
  Result<SignInRequest> no_account =
      ParseSignIn(R"({"email":"a@b.c","password":"","account":null})");
  ASSERT_TRUE(no_account.ok());
  EXPECT_FALSE(no_account->account);
}

TEST(ParseSignInTest, RefusesMalformedMissingAndBadFieldsWithoutEchoingThePassword) {
  EXPECT_EQ(ParseSignIn("{\"email\":").status().code(), ErrorCode::kMalformed);
  EXPECT_EQ(ParseSignIn("[]").status().code(), ErrorCode::kInvalid);
  Result<SignInRequest> bad =
      ParseSignIn(R"({"email":5,"password":"secret-pw","account":"no spaces","extra":1})");
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalid);
  EXPECT_EQ(Pointers(bad), (std::vector<std::string>{"/email", "/account", "/extra"}));
  EXPECT_EQ(bad.status().ToString().find("secret-pw"), std::string::npos);
  Result<SignInRequest> missing = ParseSignIn(R"({"email":"a@b.c"})");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().ToString().find("password"), std::string::npos);
  const std::string long_password(1025, 'x');
  EXPECT_EQ(Pointers(ParseSignIn(R"({"email":"a@b.c","password":")" + long_password + "\"}")),
            std::vector<std::string>{"/password"});
}

TEST(ParsePasswordChangeTest, TheNewPasswordIsEightTo1024Bytes) {
  EXPECT_TRUE(ParsePasswordChange(R"({"current_password":"x","new_password":"12345678"})").ok());
  EXPECT_EQ(Pointers(ParsePasswordChange(R"({"current_password":"x","new_password":"1234567"})")),
            std::vector<std::string>{"/new_password"});
}

TEST(ParseTokenRequestTest, NeedsANameAndKnownScopes) {
  Result<TokenRequest> r = ParseTokenRequest(R"({"name":"ci","scopes":["read","ingest"]})");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->scopes.Allows(domain::Scope::kRead));
  EXPECT_TRUE(r->scopes.Allows(domain::Scope::kIngest));
  EXPECT_FALSE(r->scopes.Allows(domain::Scope::kAdmin));
  EXPECT_EQ(Pointers(ParseTokenRequest(R"({"name":"","scopes":["read","root"]})")),
            (std::vector<std::string>{"/name", "/scopes/1"}));
  EXPECT_EQ(Pointers(ParseTokenRequest(R"({"name":"ci","scopes":[]})")),
            std::vector<std::string>{"/scopes"});
}

TEST(ParseAwardTest, ReadsUserCourseTitleAndNote) {
  Result<AwardRequest> r = ParseAward(R"({"user":"ann","course":"py","title":"Star","note":"n"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->user, "ann");
  EXPECT_EQ(r->course, "py");
  EXPECT_EQ(r->title, "Star");
  EXPECT_EQ(r->note, "n");
  Result<AwardRequest> minimal = ParseAward(R"({"user":"ann","title":"Star"})");
  ASSERT_TRUE(minimal.ok());
  EXPECT_FALSE(minimal->course);
  EXPECT_EQ(minimal->note, "");
  EXPECT_EQ(Pointers(ParseAward(R"({"user":"a b","course":"..","title":"","note":7})")),
            (std::vector<std::string>{"/user", "/course", "/title", "/note"}));
}

}  // namespace
}  // namespace cohort::ingest

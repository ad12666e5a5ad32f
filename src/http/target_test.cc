#include "http/target.h"

#include <gtest/gtest.h>

namespace cohort::http {
namespace {

TEST(DecodeTargetTest, SplitsPathAndRepeatedQueryParameters) {
  Result<DecodedTarget> t = DecodeTarget("/api/v1/courses?q=a%20b&q=c&flag&sort=name");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->path, "/api/v1/courses");
  ASSERT_EQ(t->query.count("q"), 2u);
  auto [first, last] = t->query.equal_range("q");
  EXPECT_EQ(first->second, "a b");
  EXPECT_EQ(std::next(first)->second, "c");
  EXPECT_EQ(t->query.find("flag")->second, "");
  EXPECT_EQ(t->query.find("sort")->second, "name");
}

TEST(DecodeTargetTest, PlusIsASpaceInTheQueryButNotInThePath) {
  Result<DecodedTarget> t = DecodeTarget("/a+b%2Bc?x=1+2%2B3");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->path, "/a+b+c");
  EXPECT_EQ(t->query.find("x")->second, "1 2+3");
}

TEST(DecodeTargetTest, DecodesUtf8InThePath) {
  Result<DecodedTarget> t = DecodeTarget("/users/%C3%A9l%C3%A8ve");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->path, "/users/\xC3\xA9l\xC3\xA8ve");
}

TEST(DecodeTargetTest, AbsoluteFormIsReducedToPathAndQuery) {
  Result<DecodedTarget> t = DecodeTarget("http://example.com:8080/healthz?a=1");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->path, "/healthz");
  EXPECT_EQ(t->query.find("a")->second, "1");
}

class BadTargetTest : public ::testing::TestWithParam<const char*> {};

TEST_P(BadTargetTest, IsMalformed) {
  Result<DecodedTarget> t = DecodeTarget(GetParam());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), ErrorCode::kMalformed);
}

INSTANTIATE_TEST_SUITE_P(Targets, BadTargetTest,
                         ::testing::Values("/bad%zz",        // not hex
                                           "/bad%4",         // truncated
                                           "/bad%",          // truncated
                                           "/bad%ff",        // not UTF-8
                                           "/bad%C0%AF",     // overlong
                                           "/bad%ED%A0%80",  // surrogate
                                           "/nul%00",        // NUL
                                           "/ok?q=%zz",      // bad value
                                           "/ok?%ff=1",      // bad name
                                           "relative/path",  // not origin-form
                                           "?q=1",           // no path
                                           ""));

}  // namespace
}  // namespace cohort::http

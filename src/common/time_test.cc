#include "common/time.h"

#include <gtest/gtest.h>

namespace cohort {
namespace {

TEST(TimeTest, ParsesUtcAndOffsetsToTheSameInstant) {
  auto a = ParseRfc3339("2026-03-01T09:30:00.250Z");
  auto b = ParseRfc3339("2026-03-01T10:30:00.250+01:00");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->ms, 1772357400250);
}

TEST(TimeTest, RejectsMalformedTimes) {
  for (const char* bad : {"", "2026-03-01", "2026-03-01T09:30:00", "2026-02-30T00:00:00Z",
                          "2026-03-01T24:00:00Z", "2026-03-01T09:30:00.Z",
                          "2026-03-01T09:30:00Zjunk", "2026-03-01 09:30:00Z",
                          "2026-03-01T09:30:00+1:00"}) {
    EXPECT_FALSE(ParseRfc3339(bad)) << bad;
  }
}

TEST(TimeTest, FormatsUtcWithMillisecondsOnlyWhenPresent) {
  EXPECT_EQ(FormatRfc3339Utc(Instant{1772357400250}), "2026-03-01T09:30:00.250Z");
  EXPECT_EQ(FormatRfc3339Utc(Instant{1772357400000}), "2026-03-01T09:30:00Z");
  EXPECT_EQ(FormatRfc3339Utc(Instant{-1000}), "1969-12-31T23:59:59Z");
}

TEST(TimeTest, FormatsInAZoneWithItsOffset) {
  auto paris = TimeZone::Find("Europe/Paris");
  ASSERT_TRUE(paris);
  EXPECT_EQ(paris->Format(Instant{1772357400250}), "2026-03-01T10:30:00.250+01:00");
  EXPECT_EQ(paris->Format(*ParseRfc3339("2026-07-01T12:00:00Z")), "2026-07-01T14:00:00+02:00");
  EXPECT_FALSE(TimeZone::Find("Mars/Olympus"));
}

TEST(TimeTest, LocalDayFollowsTheZone) {
  auto ny = TimeZone::Find("America/New_York");
  ASSERT_TRUE(ny);
  const Instant t = *ParseRfc3339("2026-03-02T02:00:00Z");  // 21:00 on 1 March in New York
  EXPECT_EQ(TimeZone::Utc().LocalDay(t) - ny->LocalDay(t), 1);
}

TEST(TimeTest, ParseDateTakesRealDatesOnlyAndRoundTrips) {
  for (const std::int64_t day : {0LL, 20'522LL, -1LL, 11'016LL}) {
    EXPECT_EQ(ParseDate(FormatDate(day)), day) << FormatDate(day);
  }
  EXPECT_EQ(ParseDate("2024-02-29"), 19'782);
  for (const char* bad : {"2026-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "26-01-01",
                          "2026/01/01", "2026-01-01T", "", "yesterday", "2026-01-0x"}) {
    EXPECT_FALSE(ParseDate(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace cohort

#include "service/sign_in_throttle.h"

#include <gtest/gtest.h>

namespace cohort::service {
namespace {

constexpr Instant kStart{1'773'144'000'000};

Instant At(std::int64_t seconds) { return Instant{kStart.ms + seconds * 1000}; }

TEST(SignInThrottleTest, AllowsUpToTheLimitThenWaitsForTheOldestFailureToAgeOut) {
  SignInThrottle throttle({.per_email = 3, .per_address = 100, .window_ms = 60'000});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(throttle.RetryAfterSeconds("a@x", "10.0.0.1", At(i * 10)), 0) << i;
    throttle.RecordFailure("a@x", "10.0.0.1", At(i * 10));
  }
  // Failures at 0, 10, 20 s: under the limit again when the one at 0 s is 60 s old.
  EXPECT_EQ(throttle.RetryAfterSeconds("a@x", "10.0.0.1", At(25)), 35);
  EXPECT_EQ(throttle.RetryAfterSeconds("a@x", "10.0.0.2", At(25)), 35);  // per email
  EXPECT_EQ(throttle.RetryAfterSeconds("b@x", "10.0.0.1", At(25)), 0);   // not per address yet
  EXPECT_EQ(throttle.RetryAfterSeconds("a@x", "10.0.0.1", At(60)), 0);
}

TEST(SignInThrottleTest, CountsFailuresPerAddressAcrossEmails) {
  SignInThrottle throttle({.per_email = 100, .per_address = 2, .window_ms = 60'000});
  throttle.RecordFailure("a@x", "10.0.0.1", At(0));
  throttle.RecordFailure("b@x", "10.0.0.1", At(1));
  EXPECT_EQ(throttle.RetryAfterSeconds("c@x", "10.0.0.1", At(1)), 59);
  EXPECT_EQ(throttle.RetryAfterSeconds("c@x", "10.0.0.9", At(1)), 0);
}

TEST(SignInThrottleTest, ASuccessClearsTheEmailButNotTheAddress) {
  SignInThrottle throttle({.per_email = 2, .per_address = 2, .window_ms = 60'000});
  throttle.RecordFailure("a@x", "10.0.0.1", At(0));
  throttle.RecordFailure("a@x", "10.0.0.1", At(1));
  throttle.RecordSuccess("a@x");
  EXPECT_EQ(throttle.RetryAfterSeconds("a@x", "10.0.0.2", At(2)), 0);
  EXPECT_GT(throttle.RetryAfterSeconds("a@x", "10.0.0.1", At(2)), 0);
}

TEST(SignInThrottleTest, RoundsPartialSecondsUp) {
  SignInThrottle throttle({.per_email = 1, .per_address = 10, .window_ms = 1'500});
  throttle.RecordFailure("a@x", "h", At(0));
  EXPECT_EQ(throttle.RetryAfterSeconds("a@x", "h", At(1)), 1);  // 0.5 s left
  EXPECT_EQ(throttle.RetryAfterSeconds("a@x", "h", Instant{At(1).ms + 500}), 0);
}

}  // namespace
}  // namespace cohort::service

#include "service/sign_in_throttle.h"

#include <gtest/gtest.h>

#include <string>

namespace cohort::service {
namespace {

constexpr Instant kStart{1'773'144'000'000};

Instant At(std::int64_t seconds) { return Instant{kStart.ms + seconds * 1000}; }

// Small numbers, so that the delays are easy to follow: 2 free failures a pair, 4 an address,
// 3 an email; 1 s doubling up to 8 s.
ThrottlePolicy Small() {
  return {.pair_free = 2,
          .address_free = 4,
          .email_free = 3,
          .first_delay_ms = 1'000,
          .max_delay_ms = 8'000,
          .forget_ms = 3'600'000,
          .known_ms = 86'400'000};
}

std::int64_t Wait(SignInThrottle& t, std::string_view email, std::string_view address,
                  Instant now) {
  Result<std::int64_t> w = t.WaitMs(email, address, now);
  EXPECT_TRUE(w.ok());
  return w.ok() ? w.value() : -1;
}

TEST(ThrottlePolicyTest, DelaysDoubleAfterTheFreeFailuresUpToTheCap) {
  const ThrottlePolicy p = Small();
  EXPECT_EQ(p.DelayMs(1, 2), 0);
  EXPECT_EQ(p.DelayMs(2, 2), 1'000);
  EXPECT_EQ(p.DelayMs(3, 2), 2'000);
  EXPECT_EQ(p.DelayMs(4, 2), 4'000);
  EXPECT_EQ(p.DelayMs(5, 2), 8'000);
  EXPECT_EQ(p.DelayMs(6, 2), 8'000);
  EXPECT_EQ(p.DelayMs(1'000'000, 2), 8'000);
  EXPECT_EQ(ThrottlePolicy{}.DelayMs(100, 5), 15 * 60 * 1000);
}

TEST(SignInThrottleTest, FailuresOfOneEmailFromOneAddressWaitLongerAndLonger) {
  auto t = NewMemorySignInThrottle(Small());
  std::int64_t now_s = 0;
  std::vector<std::int64_t> waits;
  for (int i = 0; i < 6; ++i) {
    const std::int64_t wait = Wait(*t, "ann@x", "10.0.0.1", At(now_s));
    waits.push_back(wait);
    now_s += wait / 1000;
    ASSERT_TRUE(t->RecordFailure("ann@x", "10.0.0.1", At(now_s)).ok());
  }
  EXPECT_EQ(waits, (std::vector<std::int64_t>{0, 0, 1'000, 2'000, 4'000, 8'000}));
  EXPECT_EQ(Wait(*t, "ann@x", "10.0.0.1", At(now_s)), 8'000);
  EXPECT_EQ(Wait(*t, "ann@x", "10.0.0.1", Instant{At(now_s).ms + 7'500}), 500);
  EXPECT_EQ(WaitSeconds(500), 1);  // told as a whole second, rounded up
}

TEST(SignInThrottleTest, TheOwnerAtAnotherAddressIsNotLockedOut) {
  auto t = NewMemorySignInThrottle(Small());
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(t->RecordFailure("ann@x", "6.6.6.6", At(0)).ok());
  EXPECT_GT(Wait(*t, "ann@x", "6.6.6.6", At(0)), 0);
  EXPECT_EQ(Wait(*t, "ann@x", "10.0.0.1", At(0)), 0);  // under the email's free failures
}

TEST(SignInThrottleTest, ManyAddressesGuessingOneEmailAreSlowedButNotWhereItSignedIn) {
  auto t = NewMemorySignInThrottle(Small());
  ASSERT_TRUE(t->RecordSuccess("ann@x", "10.0.0.1", At(0)).ok());  // Ann's own address
  // One guess from each of many addresses: no pair nor address is over its free failures.
  for (int i = 0; i < 5; ++i) {
    const std::string address = "6.6.6." + std::to_string(i);
    ASSERT_EQ(Wait(*t, "ann@x", address, At(10)), i < 3 ? 0 : (1'000 << (i - 3))) << i;
    ASSERT_TRUE(t->RecordFailure("ann@x", address, At(10)).ok());
  }
  EXPECT_EQ(Wait(*t, "ann@x", "6.6.6.99", At(10)), 4'000);  // any new address waits
  EXPECT_EQ(Wait(*t, "ann@x", "10.0.0.1", At(10)), 0);      // Ann where she signed in: not
  EXPECT_EQ(Wait(*t, "ben@x", "6.6.6.99", At(10)), 0);      // nor another email
}

TEST(SignInThrottleTest, OneAddressGuessingManyEmailsIsSlowedForEveryEmail) {
  auto t = NewMemorySignInThrottle(Small());
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(t->RecordFailure("user" + std::to_string(i) + "@x", "6.6.6.6", At(0)).ok());
  }
  EXPECT_EQ(Wait(*t, "someone@x", "6.6.6.6", At(0)), 1'000);
  EXPECT_EQ(Wait(*t, "someone@x", "10.0.0.1", At(0)), 0);
}

TEST(SignInThrottleTest, ASuccessClearsThePairButNeitherTheAddressNorTheEmail) {
  auto t = NewMemorySignInThrottle(Small());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(t->RecordFailure("ann@x", "10.0.0.1", At(0)).ok());
  ASSERT_TRUE(t->RecordSuccess("ann@x", "10.0.0.1", At(0)).ok());
  // The address's four failures still hold: a good account must not reset a guesser's budget.
  EXPECT_EQ(Wait(*t, "ann@x", "10.0.0.1", At(0)), 1'000);
  EXPECT_EQ(Wait(*t, "ann@x", "10.0.0.1", At(1)), 0);
  // The email's four failures hold back an address Ann never signed in from.
  EXPECT_EQ(Wait(*t, "ann@x", "10.0.0.2", At(1)), 1'000);
}

TEST(SignInThrottleTest, AQuietKeyStartsAfreshAndKnownAddressesAreForgotten) {
  auto t = NewMemorySignInThrottle(Small());
  ASSERT_TRUE(t->RecordSuccess("ann@x", "10.0.0.1", At(0)).ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(t->RecordFailure("ann@x", "6.6.6.6", At(0)).ok());
  EXPECT_EQ(Wait(*t, "ann@x", "6.6.6.6", At(3'599)), 0);   // 8 s past the last failure
  ASSERT_TRUE(t->RecordFailure("ann@x", "6.6.6.6", At(3'600)).ok());
  EXPECT_EQ(Wait(*t, "ann@x", "6.6.6.6", At(3'600)), 0);   // an hour of quiet: one failure
  // A day on, Ann's address is no longer known: the email's failures hold it back too.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(t->RecordFailure("ann@x", "6.6.6." + std::to_string(i), At(86'400)).ok());
  }
  EXPECT_EQ(Wait(*t, "ann@x", "10.0.0.1", At(86'400)), 1'000);
}

TEST(SignInThrottleTest, KeepsAtMostAboutItsKeysByForgettingTheQuietOnes) {
  ThrottlePolicy p = Small();
  auto t = NewMemorySignInThrottle(p);
  // Many addresses, an hour apart from the rest: the old ones are pruned, the throttle works on.
  for (std::size_t i = 0; i < kMaxMemoryKeys / 3 + 10; ++i) {
    ASSERT_TRUE(t->RecordFailure("e" + std::to_string(i), "a" + std::to_string(i), At(0)).ok());
  }
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(t->RecordFailure("z@x", "z", At(7'200)).ok());
  EXPECT_EQ(Wait(*t, "z@x", "z", At(7'200)), 4'000);
}

}  // namespace
}  // namespace cohort::service

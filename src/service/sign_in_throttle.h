#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "common/result.h"
#include "common/time.h"

namespace cohort::service {

// How sign-in failures slow further tries (SPEC §5; the figures are in docs/decisions.md,
// "Sign-in throttle"). Failures count under three keys, each allowed a few free failures, after
// which each further failure makes the next try wait twice as long as the last, up to a cap:
// - (email, address): one person's guesses from one place. Cleared by a success there.
// - address: every email tried from one client address. Never cleared by a success (one good
//   account must not reset a guesser's budget).
// - email: every address trying one email, but it holds back only the addresses that email has
//   not signed in from lately, so that guesses from many addresses stay slow while the real
//   owner, at an address they signed in from, is never locked out by them.
// A key with no failure for `forget_ms` starts afresh.
struct ThrottlePolicy {
  int pair_free = 5;
  int address_free = 20;
  int email_free = 20;
  std::int64_t first_delay_ms = 1'000;
  std::int64_t max_delay_ms = 15 * 60 * 1'000;
  std::int64_t forget_ms = 24LL * 3600 * 1'000;
  std::int64_t known_ms = 30LL * 24 * 3600 * 1'000;  // how long a signed-in address stays known

  // The wait after a key's `failures`-th failure, when it allows `free` of them: 0 below `free`,
  // then first_delay_ms, doubling with each failure, at most max_delay_ms.
  std::int64_t DelayMs(std::int64_t failures, int free) const;
};

// Where the throttle keeps its counts: an interface, so that several nodes can share them (a
// table in PostgreSQL) where one process keeps them in memory (NewMemorySignInThrottle). Emails
// come folded (domain::FoldEmail); `address` is the client's address (http ClientAddress).
// Implementations are thread-safe. A store-backed one answers its store's errors
// (kUnavailable): the service then refuses the sign-in rather than let it through unthrottled.
class SignInThrottle {
 public:
  virtual ~SignInThrottle() = default;
  // Milliseconds before a sign-in for `email` from `address` may be tried; 0: now.
  virtual Result<std::int64_t> WaitMs(std::string_view email, std::string_view address,
                                      Instant now) = 0;
  virtual Status RecordFailure(std::string_view email, std::string_view address, Instant now) = 0;
  // Clears the (email, address) failures and makes `address` known to `email` (its email-wide
  // failures no longer hold it back).
  virtual Status RecordSuccess(std::string_view email, std::string_view address, Instant now) = 0;
};

// The throttle of one process: its counts in memory, forgotten at a restart (docs/decisions.md).
// At most about kMaxMemoryKeys keys: past that, those forgotten or no longer known are dropped.
inline constexpr std::size_t kMaxMemoryKeys = 100'000;
std::unique_ptr<SignInThrottle> NewMemorySignInThrottle(ThrottlePolicy policy = {});

// Whole seconds to tell a client for a wait of `wait_ms` (rounded up; 0 when none).
inline std::int64_t WaitSeconds(std::int64_t wait_ms) {
  return wait_ms <= 0 ? 0 : (wait_ms + 999) / 1000;
}

}  // namespace cohort::service

#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/time.h"

namespace cohort::service {

// Slows down password guessing (SPEC §5): counts failed sign-ins per email and per client
// address in a sliding window; past the limit, sign-ins from that email or address are refused
// until the oldest failure in the window has aged out. Memory: at most `max_failures` instants
// per key, and keys whose failures have all aged out are dropped when the map grows past
// kMaxKeys. Kept in memory: a restart forgets it (see docs/decisions.md).
// Thread-safe.
class SignInThrottle {
 public:
  struct Limits {
    int per_email = 5;     // failures per (folded) email in the window
    int per_address = 20;  // failures per client address in the window
    std::int64_t window_ms = 15 * 60 * 1000;
  };
  static constexpr std::size_t kMaxKeys = 100'000;

  SignInThrottle() = default;
  explicit SignInThrottle(Limits limits) : limits_(limits) {}

  // 0 when a sign-in for `email` from `address` may go ahead now, else the whole seconds (≥ 1)
  // to wait.
  std::int64_t RetryAfterSeconds(std::string_view email, std::string_view address, Instant now);
  void RecordFailure(std::string_view email, std::string_view address, Instant now);
  // A successful sign-in clears the email's failures (not the address's: one good account must
  // not reset a guesser's budget).
  void RecordSuccess(std::string_view email);

 private:
  // Milliseconds until `key` is under `limit` again; 0 when it is. Requires: mutex_ held.
  std::int64_t WaitMs(const std::string& key, int limit, Instant now);
  void Prune(Instant now);  // Requires: mutex_ held.

  Limits limits_;
  std::mutex mutex_;  // guards failures_
  // "e:<email>" or "a:<address>" → times of recent failures, oldest first.
  std::unordered_map<std::string, std::deque<std::int64_t>> failures_;
};

}  // namespace cohort::service

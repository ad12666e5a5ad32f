#include "service/sign_in_throttle.h"

#include <algorithm>

namespace cohort::service {
namespace {

std::string EmailKey(std::string_view email) { return "e:" + std::string(email); }
std::string AddressKey(std::string_view address) { return "a:" + std::string(address); }

}  // namespace

std::int64_t SignInThrottle::WaitMs(const std::string& key, int limit, Instant now) {
  auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  std::deque<std::int64_t>& times = it->second;
  while (!times.empty() && times.front() <= now.ms - limits_.window_ms) times.pop_front();
  if (static_cast<int>(times.size()) < limit) return 0;
  // Under the limit again once the failure that would make it `limit - 1` has aged out.
  const std::int64_t oldest = times[times.size() - static_cast<std::size_t>(limit)];
  return oldest + limits_.window_ms - now.ms;
}

std::int64_t SignInThrottle::RetryAfterSeconds(std::string_view email, std::string_view address,
                                               Instant now) {
  std::lock_guard lock(mutex_);
  const std::int64_t wait_ms = std::max(WaitMs(EmailKey(email), limits_.per_email, now),
                                        WaitMs(AddressKey(address), limits_.per_address, now));
  if (wait_ms <= 0) return 0;
  return (wait_ms + 999) / 1000;
}

void SignInThrottle::RecordFailure(std::string_view email, std::string_view address, Instant now) {
  std::lock_guard lock(mutex_);
  if (failures_.size() >= kMaxKeys) Prune(now);
  for (const std::string& key : {EmailKey(email), AddressKey(address)}) {
    std::deque<std::int64_t>& times = failures_[key];
    times.push_back(now.ms);
    const std::size_t keep =
        static_cast<std::size_t>(std::max(limits_.per_email, limits_.per_address));
    while (times.size() > keep) times.pop_front();
  }
}

void SignInThrottle::RecordSuccess(std::string_view email) {
  std::lock_guard lock(mutex_);
  failures_.erase(EmailKey(email));
}

void SignInThrottle::Prune(Instant now) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    if (it->second.empty() || it->second.back() <= now.ms - limits_.window_ms) {
      it = failures_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace cohort::service

#include "service/sign_in_throttle.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "common/thread_annotations.h"

namespace cohort::service {

std::int64_t ThrottlePolicy::DelayMs(std::int64_t failures, int free) const {
  if (failures < free) return 0;
  const std::int64_t doublings = failures - free;
  if (doublings >= 40) return max_delay_ms;
  return std::min(max_delay_ms, first_delay_ms << doublings);
}

namespace {

// Keys never collide: emails and addresses hold no newline.
std::string PairKey(std::string_view email, std::string_view address) {
  return "p:" + std::string(email) + "\n" + std::string(address);
}
std::string AddressKey(std::string_view address) { return "a:" + std::string(address); }
std::string EmailKey(std::string_view email) { return "e:" + std::string(email); }

class MemorySignInThrottle final : public SignInThrottle {
 public:
  explicit MemorySignInThrottle(ThrottlePolicy policy) : policy_(policy) {}

  Result<std::int64_t> WaitMs(std::string_view email, std::string_view address,
                              Instant now) override {
    MutexLock lock(mutex_);
    std::int64_t wait = std::max(Wait(PairKey(email, address), policy_.pair_free, now),
                                 Wait(AddressKey(address), policy_.address_free, now));
    if (!Known(PairKey(email, address), now)) {
      wait = std::max(wait, Wait(EmailKey(email), policy_.email_free, now));
    }
    return wait;
  }

  Status RecordFailure(std::string_view email, std::string_view address, Instant now) override {
    MutexLock lock(mutex_);
    if (failures_.size() + known_.size() >= kMaxMemoryKeys) Prune(now);
    for (const std::string& key : {PairKey(email, address), AddressKey(address), EmailKey(email)}) {
      Failures& f = failures_[key];
      if (now.ms - f.last_ms >= policy_.forget_ms) f.count = 0;
      ++f.count;
      f.last_ms = now.ms;
    }
    return Status();
  }

  Status RecordSuccess(std::string_view email, std::string_view address, Instant now) override {
    MutexLock lock(mutex_);
    if (failures_.size() + known_.size() >= kMaxMemoryKeys) Prune(now);
    const std::string pair = PairKey(email, address);
    failures_.erase(pair);
    known_[pair] = now.ms;
    return Status();
  }

 private:
  struct Failures {
    std::int64_t count = 0;
    std::int64_t last_ms = 0;  // the latest failure
  };

  // Milliseconds left of the wait `key`'s failures impose. Requires: mutex_ held.
  std::int64_t Wait(const std::string& key, int free, Instant now) REQUIRES(mutex_) {
    auto it = failures_.find(key);
    if (it == failures_.end() || now.ms - it->second.last_ms >= policy_.forget_ms) return 0;
    const std::int64_t until = it->second.last_ms + policy_.DelayMs(it->second.count, free);
    return std::max<std::int64_t>(0, until - now.ms);
  }

  bool Known(const std::string& pair, Instant now) REQUIRES(mutex_) {
    auto it = known_.find(pair);
    return it != known_.end() && now.ms - it->second < policy_.known_ms;
  }

  void Prune(Instant now) REQUIRES(mutex_) {
    std::erase_if(failures_,
                  [&](const auto& e) { return now.ms - e.second.last_ms >= policy_.forget_ms; });
    std::erase_if(known_, [&](const auto& e) { return now.ms - e.second >= policy_.known_ms; });
  }

  const ThrottlePolicy policy_;
  Mutex mutex_;
  std::unordered_map<std::string, Failures> failures_ GUARDED_BY(mutex_);
  // (email, address) pairs → when that email last signed in from that address.
  std::unordered_map<std::string, std::int64_t> known_ GUARDED_BY(mutex_);
};

}  // namespace

std::unique_ptr<SignInThrottle> NewMemorySignInThrottle(ThrottlePolicy policy) {
  return std::make_unique<MemorySignInThrottle>(policy);
}

}  // namespace cohort::service

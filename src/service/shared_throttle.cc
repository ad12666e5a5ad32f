#include "service/shared_throttle.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <sodium.h>

namespace cohort::service {
namespace {

// A digest of a throttle key: "p:", "a:" or "e:" and 32 hex digits of BLAKE2b-128.
std::string Digest(char kind, std::string_view a, std::string_view b = {}) {
  std::array<unsigned char, 16> hash{};
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, hash.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(a.data()), a.size());
  const unsigned char separator = '\n';  // emails and addresses hold none
  crypto_generichash_update(&state, &separator, 1);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(b.data()), b.size());
  crypto_generichash_final(&state, hash.data(), hash.size());
  std::array<char, 33> hex{};
  sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
  return fmt::format("{}:{}", kind, hex.data());
}

class StoreSignInThrottle final : public SignInThrottle {
 public:
  StoreSignInThrottle(store::Store& store, ThrottlePolicy policy)
      : store_(store), policy_(policy) {
    // sodium_init picks BLAKE2b's fastest code (idempotent); the digests are the same without.
    static const bool sodium_ready = sodium_init() >= 0;
    static_cast<void>(sodium_ready);
  }

  Result<std::int64_t> WaitMs(std::string_view email, std::string_view address,
                              Instant now) override {
    const std::string pair = Digest('p', email, address), by_address = Digest('a', address),
                      by_email = Digest('e', email);
    Result<std::vector<store::ThrottleRecord>> records =
        store_.ReadThrottle({pair, by_address, by_email});
    if (!records.ok()) return records.status();
    auto find = [&](const std::string& key) -> const store::ThrottleRecord* {
      for (const store::ThrottleRecord& r : records.value()) {
        if (r.key == key) return &r;
      }
      return nullptr;
    };
    auto wait = [&](const store::ThrottleRecord* r, int free) -> std::int64_t {
      if (r == nullptr || now.ms - r->last_failure_ms >= policy_.forget_ms) return 0;
      const std::int64_t until = r->last_failure_ms + policy_.DelayMs(r->failures, free);
      return std::max<std::int64_t>(0, until - now.ms);
    };
    const store::ThrottleRecord* p = find(pair);
    std::int64_t ms = std::max(wait(p, policy_.pair_free), wait(find(by_address), policy_.address_free));
    const bool known = p != nullptr && p->known_at_ms && now.ms - *p->known_at_ms < policy_.known_ms;
    if (!known) ms = std::max(ms, wait(find(by_email), policy_.email_free));
    return ms;
  }

  Status RecordFailure(std::string_view email, std::string_view address, Instant now) override {
    return store_.AddThrottleFailures(
        {Digest('p', email, address), Digest('a', address), Digest('e', email)}, now,
        policy_.forget_ms, policy_.known_ms);
  }

  Status RecordSuccess(std::string_view email, std::string_view address, Instant now) override {
    return store_.SetThrottleKnown(Digest('p', email, address), now);
  }

 private:
  store::Store& store_;
  const ThrottlePolicy policy_;
};

}  // namespace

std::unique_ptr<SignInThrottle> NewStoreSignInThrottle(store::Store& store, ThrottlePolicy policy) {
  return std::make_unique<StoreSignInThrottle>(store, policy);
}

}  // namespace cohort::service

#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "metrics/engine.h"
#include "store/store.h"

namespace cohort::service {

// The engine's one way into the stored attempts (metrics::AttemptSource over the store), built
// once by the Service that owns the engine. Thread-safe as the store is; the bound is set and
// read only by the engine's writer (the Service's write_mutex_).
class StoredAttempts final : public metrics::AttemptSource {
 public:
  explicit StoredAttempts(store::Store& store) : store_(store) {}

  Result<std::vector<domain::Attempt>> Load(AccountId account, std::string_view user,
                                            std::string_view course) const override {
    if (through_seq_) return store_.LoadAttemptsThrough(account, user, course, *through_seq_);
    return store_.LoadAttempts(account, user, course);
  }

  // While one lives, replays read the store as of change `seq` of the account's change log
  // (Store::LoadAttemptsThrough): the change the engine is applying, when other nodes may have
  // committed more since.
  class Through {
   public:
    Through(StoredAttempts& source, std::int64_t seq) : source_(source) {
      source_.through_seq_ = seq;
    }
    ~Through() { source_.through_seq_.reset(); }
    Through(const Through&) = delete;
    Through& operator=(const Through&) = delete;

   private:
    StoredAttempts& source_;
  };

 private:
  store::Store& store_;
  std::optional<std::int64_t> through_seq_;
};

}  // namespace cohort::service

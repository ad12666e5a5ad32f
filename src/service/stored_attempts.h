#pragma once

#include <string_view>
#include <vector>

#include "metrics/engine.h"
#include "store/store.h"

namespace cohort::service {

// The engine's one way into the stored attempts (metrics::AttemptSource over the store), built
// once by the Service that owns the engine. Thread-safe as the store is.
class StoredAttempts final : public metrics::AttemptSource {
 public:
  explicit StoredAttempts(store::Store& store) : store_(store) {}

  Result<std::vector<domain::Attempt>> Load(AccountId account, std::string_view user,
                                            std::string_view course) const override {
    return store_.LoadAttempts(account, user, course);
  }

 private:
  store::Store& store_;
};

}  // namespace cohort::service

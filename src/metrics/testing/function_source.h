#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/engine.h"

namespace cohort::metrics::testing {

// An AttemptSource for tests over a function of the account's key. Each account key gets an id
// from Id(); `Fail` makes every later Load answer an error (a store that stopped answering).
class FunctionSource : public AttemptSource {
 public:
  using Fn = std::function<std::vector<domain::Attempt>(
      std::string_view account, std::string_view user, std::string_view course)>;
  explicit FunctionSource(Fn fn) : fn_(std::move(fn)) {}

  // The id of an account key (the same key, the same id).
  AccountId Id(std::string_view account) {
    auto [it, inserted] = ids_.emplace(std::string(account), AccountId{});
    if (inserted) {
      it->second = AccountId{static_cast<std::int64_t>(ids_.size())};
      keys_[it->second] = it->first;
    }
    return it->second;
  }
  void Fail(std::optional<Status> failure) { failure_ = std::move(failure); }
  std::size_t loads() const { return loads_; }

  Result<std::vector<domain::Attempt>> Load(AccountId account, std::string_view user,
                                            std::string_view course) const override {
    ++loads_;
    if (failure_) return *failure_;
    auto it = keys_.find(account);
    if (it == keys_.end()) return Status::NotFound("no such account id");
    return fn_(it->second, user, course);
  }

 private:
  Fn fn_;
  std::map<std::string, AccountId, std::less<>> ids_;
  std::map<AccountId, std::string> keys_;
  std::optional<Status> failure_;
  mutable std::size_t loads_ = 0;
};

}  // namespace cohort::metrics::testing

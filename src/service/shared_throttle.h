#pragma once

#include <memory>

#include "service/sign_in_throttle.h"
#include "store/store.h"

namespace cohort::service {

// The sign-in throttle of several processes over one database: its counts in the store
// (store::Store::ReadThrottle), so that N nodes allow the guesses of one. Keys are BLAKE2b
// digests of the memory throttle's keys: no email or address is stored. Answers the store's
// errors. Private to the service (the store is).
std::unique_ptr<SignInThrottle> NewStoreSignInThrottle(store::Store& store,
                                                       ThrottlePolicy policy = {});

}  // namespace cohort::service

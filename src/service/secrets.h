#pragma once

#include <string>
#include <string_view>

namespace cohort::service::internal {

// Initialises libsodium once; false when it cannot be (nothing secret can be made then).
bool EnsureSodium();
// A new random secret: `prefix` then 32 random bytes in URL-safe base64 (43 characters).
// Requires: EnsureSodium().
std::string NewSecret(std::string_view prefix);
// The BLAKE2b digest of a secret, as stored instead of the secret (raw bytes).
std::string SecretDigest(std::string_view secret);

}  // namespace cohort::service::internal

#pragma once

#include <string>
#include <string_view>

namespace cohort::http {

// A fresh request id: 16 random hex digits (a per-thread generator seeded from the system).
std::string NewRequestId();

// Whether a client's X-Request-Id may be echoed and logged as is: 1-64 characters of
// A-Z a-z 0-9 . _ -
bool IsValidRequestId(std::string_view id);

}  // namespace cohort::http

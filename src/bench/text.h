#pragma once

#include <string>
#include <string_view>

#include "bench/bench_run.h"
#include "bench/percentiles.h"

namespace cohort::bench {

// What the bench's sides share to talk to the nodes and report their figures.

// `s` as a URL query value: RFC 3986's unreserved characters kept, every other byte %XX.
std::string UrlEncode(std::string_view s);
// `s` without leading and trailing whitespace (a command's printed token, say).
std::string Trim(std::string s);
// A set of times as the report's JSON: p50_ms, p99_ms, max_ms, requests.
json PercentilesJson(const Percentiles& p);

}  // namespace cohort::bench

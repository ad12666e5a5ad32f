#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/result.h"

namespace cohort::http {

// A request target split into its decoded path and query parameters.
struct DecodedTarget {
  std::string path;                               // "/api/v1/users/ann" — percent-decoded
  std::multimap<std::string, std::string> query;  // every "name=value" pair, in order per name
};

// Percent-decodes `text` ("a%20b" -> "a b"). With `plus_is_space` (query components), '+' is a
// space too. Errors: kMalformed when a '%' is not followed by two hex digits, or when the
// decoded bytes are not valid UTF-8 or contain a NUL.
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Splits and decodes an origin-form target ("/a%20b?q=x&q=y&flag"); a parameter without '='
// has the value "". An absolute-form target ("http://host/path?q") is reduced to its path and
// query. Errors: kMalformed when the target does not start with '/' (after the absolute-form
// prefix), or when the path, a name or a value is badly percent-encoded or not UTF-8.
Result<DecodedTarget> DecodeTarget(std::string_view target);

}  // namespace cohort::http

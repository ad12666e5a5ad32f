#pragma once

#include <map>
#include <string>
#include <string_view>

namespace cohort::testing {

// Keeps an answer a test received from the API for the OpenAPI check of the whole run
// (tests/openapi/validate.mjs, CTest `openapi_validate_answers`, which runs after every test
// that records): one JSON line per answer — the test, method, target, the request's body (when
// JSON of at most 1 MiB), status, headers and body — in
// $COHORT_TEST_LOG_DIR/openapi-answers-<pid>.jsonl. Outside CTest (the variable unset) it does
// nothing. `headers` are lower-cased names. Thread-safe. An answer with status 0 (none came) is
// not kept.
void RecordApiAnswer(std::string_view method, std::string_view target, std::string_view request,
                     int status, const std::map<std::string, std::string>& headers,
                     std::string_view body);

}  // namespace cohort::testing

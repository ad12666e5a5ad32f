#pragma once

#include <string_view>

namespace cohort::http {

// The OpenAPI 3.1 document of the HTTP API (docs/openapi.json), as built into the binary
// (src/http/embed_file.cmake). Served by StaticFiles at /api/v1/openapi.json.
std::string_view OpenApiDocument();

}  // namespace cohort::http

#pragma once

#include "common/metric_registry.h"
#include "http/message.h"
#include "service/service.h"

namespace cohort::http {

// The Learning Record Store under /xapi/ (xAPI 1.0.3 and 2.0.0; docs/xapi.md). Its routes are
// the xAPI specification's, so they have a table of their own here rather than rows of the API's
// (and docs/openapi.json, which describes Cohort's own API, leaves them out). Every answer
// carries X-Experience-API-Version; every request but GET /xapi/about must send it. The
// credential is an API token, as the password of HTTP Basic (what LRS clients send; the user
// name is ignored) or as a Bearer token.
bool IsXapiPath(std::string_view path);
Response HandleXapi(service::Service& service, MetricRegistry* registry, const Request& request);

}  // namespace cohort::http

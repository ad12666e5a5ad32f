#pragma once

#include <vector>

#include "common/metric_registry.h"
#include "http/message.h"
#include "http/routes.h"
#include "service/service.h"

namespace cohort::http {

// The HTTP API of SPEC §2, §4.1 and §9 over a Service: one route table (api.cc), a row per
// route — method, pattern, credential, scope, handler — compiled once, when the first Api is
// built (the rows are static: every Api serves the same). Handle
// matches a request once against it, checks the row's credential and calls its handler.
// Thread-safe (no mutable state beyond the Service and registry references).
// Every response carries `route` (the pattern matched) and `account_key` (once authenticated).
class Api {
 public:
  // With a registry, counts ingest (cohort_ingest_*) there.
  explicit Api(service::Service& service, MetricRegistry* registry = nullptr);
  Response Handle(const Request& request);

  // Every route of the table, in its order: method, pattern, credential, scope, body limit.
  // The same rows every Api serves (the table is static): for documents and checks.
  static const std::vector<RouteInfo>& Routes();

 private:
  // Answers a request matched to `route`: its body limit, its credential, then its handler.
  Response Serve(const Route& route, const RouteParams& params, const Request& request);

  service::Service& service_;
  MetricRegistry* registry_;
  const RouteTable& routes_;  // the table, compiled once for every Api
};

}  // namespace cohort::http

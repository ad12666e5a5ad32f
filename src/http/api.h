#pragma once

#include <string_view>
#include <vector>

#include "common/metric_registry.h"
#include "http/message.h"
#include "service/service.h"

namespace cohort::http {

// The HTTP API of SPEC §2 and §4.1 over a Service: routing, credentials, JSON in and out.
// Thread-safe (it holds no state of its own beyond the Service and registry references).
// Every response carries `route` (the template matched) and `account_key` (once authenticated).
class Api {
 public:
  // With a registry, counts ingest (cohort_ingest_*) there.
  explicit Api(service::Service& service, MetricRegistry* registry = nullptr)
      : service_(service), registry_(registry) {}
  Response Handle(const Request& request);

 private:
  // Answers a matched, authenticated request; `p` holds the pattern's {parameters}.
  Response Serve(const Request& request, std::string_view pattern,
                 const std::vector<std::string_view>& p, const service::Caller& caller);
  void CountIngest(const domain::WriteSummary& done);

  service::Service& service_;
  MetricRegistry* registry_;
};

}  // namespace cohort::http

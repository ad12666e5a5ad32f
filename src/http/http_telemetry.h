#pragma once

#include <functional>

#include "common/metric_registry.h"
#include "http/message.h"

namespace cohort::http {

// Wraps `inner` with the access log and the request metrics. The returned Handler, for each
// request:
// - takes its id from a well-formed X-Request-Id header (IsValidRequestId) or makes one, and
//   answers it in X-Request-Id;
// - counts cohort_http_requests_total{route,method,status} and observes
//   cohort_http_request_duration_seconds{route} (the handler's time, not the network's), where
//   route is the template the inner handler reported in Response::route, or "unmatched";
// - logs one structured line "request" with method, route, status, duration_ms, bytes (of the
//   body), account and request_id: never the path's values, the query, a header or the body;
//   and counts cohort_http_response_body_bytes_total{route}. For a streamed body
//   (Response::stream) the line is logged when the body ends — with the bytes actually
//   produced, "streamed" and "complete" (false when the connection ended first) — while
//   duration_ms stays the handler's time until the first byte could go out.
// Thread-safe when `inner` is; `registry` must outlive the Handler.
Handler Instrument(Handler inner, MetricRegistry& registry);

// The ServerOptions::on_refused of a server whose handler is Instrument(...): counts
// cohort_http_requests_total{route="refused",method="other",status} and logs a "request" line
// with route "refused" (503s are counted but not logged: logging under overload adds to it).
std::function<void(int status)> CountRefused(MetricRegistry& registry);

// The handler of the metrics listener: GET (or HEAD) /metrics answers the registry in the
// Prometheus text format 0.0.4; any other path is 404.
Handler MetricsEndpoint(const MetricRegistry& registry);

}  // namespace cohort::http

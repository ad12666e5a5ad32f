#include "http/http_telemetry.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <string>
#include <utility>

#include "common/logging.h"
#include "http/errors.h"
#include "http/request_id.h"

namespace cohort::http {
namespace {

// A method label from a closed set, so a client cannot create series at will.
std::string_view MethodLabel(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "other";
}

}  // namespace

Handler Instrument(Handler inner, MetricRegistry& registry) {
  return [inner = std::move(inner), &registry](const Request& request) {
    const auto start = std::chrono::steady_clock::now();
    const std::string_view given = request.Header("x-request-id");
    const std::string request_id = IsValidRequestId(given) ? std::string(given) : NewRequestId();
    Response response;
    try {
      response = inner(request);
    } catch (const std::exception& e) {
      spdlog::error(StructuredLog("handler failed")
                        .Add("error", e.what())
                        .Add("request_id", request_id)
                        .Text());
      response = ErrorResponse(500, "internal", "internal error");
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    response.headers.emplace_back("X-Request-Id", request_id);
    const std::string route = response.route.empty() ? "unmatched" : response.route;
    const std::string_view method = MethodLabel(request.method);
    registry
        .GetCounter("cohort_http_requests_total",
                    "HTTP requests answered, by route template, method and status.",
                    {{"route", route},
                     {"method", std::string(method)},
                     {"status", std::to_string(response.status)}})
        .Add();
    registry
        .GetHistogram("cohort_http_request_duration_seconds",
                      "Time to handle a request (routing, store, engine, rendering), by route.",
                      LatencyBuckets(), {{"route", route}})
        .Observe(seconds);
    const std::string line = StructuredLog("request")
                                 .Add("method", method)
                                 .Add("route", route)
                                 .Add("status", std::int64_t{response.status})
                                 .Add("duration_ms", seconds * 1000.0)
                                 .Add("bytes", static_cast<std::int64_t>(response.body.size()))
                                 .Add("account", response.account_key)
                                 .Add("request_id", request_id)
                                 .Text();
    if (response.status >= 500) {
      spdlog::warn(line);
    } else {
      spdlog::info(line);
    }
    return response;
  };
}

std::function<void(int status)> CountRefused(MetricRegistry& registry) {
  return [&registry](int status) {
    registry
        .GetCounter("cohort_http_requests_total",
                    "HTTP requests answered, by route template, method and status.",
                    {{"route", "refused"}, {"method", "other"}, {"status", std::to_string(status)}})
        .Add();
    if (status == 503) return;
    spdlog::info(StructuredLog("request")
                     .Add("method", "other")
                     .Add("route", "refused")
                     .Add("status", std::int64_t{status})
                     .Add("duration_ms", 0.0)
                     .Add("bytes", std::int64_t{0})
                     .Add("account", "")
                     .Add("request_id", NewRequestId())
                     .Text());
  };
}

Handler MetricsEndpoint(const MetricRegistry& registry) {
  return [&registry](const Request& request) {
    if (request.path != "/metrics") return ErrorResponse(404, "not_found", "no such resource");
    if (request.method != "GET" && request.method != "HEAD") {
      return ErrorResponse(405, "method_not_allowed", "use GET");
    }
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = registry.RenderText();
    return r;
  };
}

}  // namespace cohort::http

#include "http/http_telemetry.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <optional>
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

// What the request log line says about one request.
struct RequestRecord {
  std::string method, route;
  int status = 0;
  double handler_ms = 0;
  std::string account, request_id;
  MetricRegistry* registry = nullptr;

  // Logs the line and counts the body's bytes. `complete` only for streamed bodies: whether
  // the whole body was produced (false when the connection ended first or production failed).
  void Log(std::int64_t bytes, std::optional<bool> complete) const {
    registry
        ->GetCounter("cohort_http_response_body_bytes_total",
                     "Bytes of response bodies produced (streamed ones included), by route.",
                     {{"route", route}})
        .Add(static_cast<std::uint64_t>(bytes));
    StructuredLog line("request");
    line.Add("method", method)
        .Add("route", route)
        .Add("status", std::int64_t{status})
        .Add("duration_ms", handler_ms)
        .Add("bytes", bytes)
        .Add("account", account)
        .Add("request_id", request_id);
    if (complete) {
      line.Add("streamed", "true").Add("complete", *complete ? "true" : "false");
    }
    if (status >= 500 || (complete && !*complete)) {
      spdlog::warn(line.Text());
    } else {
      spdlog::info(line.Text());
    }
  }
};

// Counts a streamed body's bytes; logs the request once, when the body ends or is dropped.
struct StreamTally {
  explicit StreamTally(RequestRecord r) : record(std::move(r)) {}
  StreamTally(const StreamTally&) = delete;
  StreamTally& operator=(const StreamTally&) = delete;
  ~StreamTally() { Finish(false); }
  void Finish(bool complete) {
    if (logged) return;
    logged = true;
    record.Log(bytes, complete);
  }
  RequestRecord record;
  std::int64_t bytes = 0;
  bool logged = false;
};

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
    RequestRecord record{std::string(method), route, response.status, seconds * 1000.0,
                         response.account_key, request_id, &registry};
    if (!response.stream) {
      record.Log(static_cast<std::int64_t>(response.body.size()), std::nullopt);
      return response;
    }
    // A streamed body: its size is known once the server has taken the last piece (or the
    // connection ended first), so the line is logged then, from the producer's wrapper.
    auto tally = std::make_shared<StreamTally>(std::move(record));
    response.stream = [produce = std::move(response.stream), tally](std::string& chunk) {
      const BodyStep step = produce(chunk);
      tally->bytes += static_cast<std::int64_t>(chunk.size());
      if (step == BodyStep::kDone || step == BodyStep::kFailed) {
        tally->Finish(step == BodyStep::kDone);
      }
      return step;
    };
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

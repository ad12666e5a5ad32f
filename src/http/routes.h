#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "common/metric_registry.h"
#include "domain/token.h"
#include "http/message.h"
#include "service/service.h"

namespace cohort::http {

// The credential a route reads before its handler runs (SPEC §5, §9).
enum class Credential : std::uint8_t {
  kNone,     // none: anyone may call it (/healthz, signing in)
  kAny,      // an API token (Authorization: Bearer) or the session cookie, with X-CSRF-Token
             // when the request changes state; 401 without a valid one
  kSession,  // the session cookie only, for routes acting on that session: 401 with a token or
             // without a cookie, and the cookie cleared when the session is no longer valid
};

// Parameters taken from a path: the values of the pattern's {names}, in order, unused ones empty.
inline constexpr std::size_t kMaxRouteParams = 4;
using RouteParams = std::array<std::string_view, kMaxRouteParams>;

// One matched request, as its route's handler sees it. Borrows everything.
struct RouteCall {
  service::Service& service;
  MetricRegistry* registry;  // nullable: where ingest is counted
  const Request& request;
  const RouteParams& params;
  // The checked credential's caller: set for every route but those of Credential::kNone.
  const service::Caller* caller;
};

// Answers one matched request. Must not throw for expected failures (they are Status values).
using RouteHandler = Response (*)(const RouteCall& call);

// A row of the route table: everything about one route (STYLE.md §2).
//
// `scope` is what an API token needs (SPEC §5): the service checks it once the request's input
// is read, and a token without it gets 403 naming it. A person's rights come from their roles
// instead; for a write (scope kIngest) a person whose roles grant no ingest gets the 404 of an
// unknown resource before anything else is read (SPEC §5: nothing to learn from the answer).
// Other scopes are left to the service for people, as their roles decide there (a group
// manager awards their own members without the admin scope).
struct Route {
  std::string_view method;   // "GET", "PUT", ...: one method per row
  std::string_view pattern;  // "/api/v1/courses/{course}": literal segments and {parameters}
  Credential credential = Credential::kAny;
  std::optional<domain::Scope> scope;  // nullopt: any credential of the kind will do
  RouteHandler handler = nullptr;
  // A body larger than this is refused with 413 before the credential is read (0: only the
  // server's own limit applies).
  std::size_t max_body_bytes = 0;
  // The message of the 405 a known path answers for a method it does not take.
  std::string_view wrong_method = "method not allowed here";
};

// What the table tells of a route, for documents and checks (the OpenAPI description): the row
// without its handler.
struct RouteInfo {
  std::string_view method, pattern;
  Credential credential = Credential::kAny;
  std::optional<domain::Scope> scope;
  std::size_t max_body_bytes = 0;
};

// Route rows compiled for matching: each pattern is split into its segments once, when the
// table is built, and a request walks the rows once. Immutable after construction, so
// thread-safe. The rows' strings must outlive the table (they are string literals).
class RouteTable {
 public:
  // Throws std::logic_error for a defect in `rows`: a pattern not starting with '/', an empty
  // segment, more than kMaxRouteParams parameters or kMaxSegments segments, a row without a
  // handler, or the same method and pattern twice.
  explicit RouteTable(const std::vector<Route>& rows);

  struct Match {
    const Route* route = nullptr;  // the row of the path and method; nullptr when none
    // The first row (in table order) whose pattern matches the path, whatever its method;
    // nullptr when the path is unknown.
    const Route* path_route = nullptr;
    RouteParams params{};  // `route`'s parameters from the path
  };
  // The row for `method` on `path` (a decoded path: "/api/v1/courses/py"). A {parameter}
  // matches one non-empty segment; literals match exactly.
  Match Find(std::string_view method, std::string_view path) const;

  // Every row, in table order, without handlers.
  const std::vector<RouteInfo>& Info() const { return info_; }

  // The most segments a pattern may have; a longer path is unknown without further look.
  static constexpr std::size_t kMaxSegments = 12;

 private:
  struct Segment {
    std::string_view literal;  // the text to match; empty for a {parameter}
    bool parameter = false;
  };
  struct Compiled {
    Route row;
    std::vector<Segment> segments;
  };

  std::vector<Compiled> compiled_;
  std::vector<RouteInfo> info_;
};

// Lower-case names for documents and logs: "none", "any", "session".
std::string_view CredentialName(Credential credential);

}  // namespace cohort::http

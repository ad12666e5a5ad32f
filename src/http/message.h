#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cohort::http {

// A request as routes see it: no Beast types, so routes compile fast and test without sockets.
struct Request {
  std::string method;  // "GET", "PUT", ...
  std::string target;  // as sent: path and query
  std::string path;    // decoded path, no query
  std::multimap<std::string, std::string> query;  // decoded query parameters
  std::map<std::string, std::string> headers;     // names lower-cased
  std::string body;
  std::string remote_address;

  // The header's value, or "" when absent. `name` must be lower case.
  std::string_view Header(std::string_view name) const;
};

// What a streamed body's producer says after each call.
enum class BodyStep {
  kMore,    // `chunk` holds the next piece (possibly empty); call again
  kDone,    // `chunk` holds the last piece (possibly empty); the body is complete
  kFailed,  // stop: the body cannot be completed. Before any piece was sent the server answers
            // 500 instead; after, it closes the connection without the final chunk, so the
            // client sees a truncated answer rather than a short file
  kPending,  // nothing yet (`chunk` left empty): the server calls again a little later (about
             // 10 ms), leaving its thread free meanwhile — for bodies made on another thread
};

// Produces a response body piece by piece, for answers too large to hold in memory (exports).
// The server calls it on the connection's thread, one call at a time, until it answers kDone or
// kFailed, sending each piece as an HTTP/1.1 chunk as soon as it is produced (the status line
// and header go out with the first piece); it is destroyed
// (with whatever it owns) when the answer is complete or the connection ends. Must not throw.
using BodyProducer = std::function<BodyStep(std::string& chunk)>;

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the body is this producer's output, sent with chunked transfer encoding, and
  // `body` is ignored. HEAD answers send the header only.
  BodyProducer stream;
  // Not sent: what the access log and /metrics record about the request. `route` is the route
  // template matched ("/api/v1/courses/{course}"), empty when none; `account_key` the account of
  // a checked credential, empty when there was none.
  std::string route;
  std::string account_key;
};

// Answers one request. Called on a server thread; must be thread-safe; must not throw (the
// server turns an escaped exception into a 500 all the same).
using Handler = std::function<Response(const Request&)>;

}  // namespace cohort::http

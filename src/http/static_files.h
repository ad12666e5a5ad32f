#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "http/message.h"

namespace cohort::http {

// Where the web UI's files are (SPEC §4; STYLE.md §1 `web/`).
struct StaticFilesOptions {
  std::filesystem::path web_root;      // index.html, app.js, css/, js/ ...
  std::filesystem::path node_modules;  // the npm packages the UI loads (Chart.js)
};

// Serves the web UI from disk, on the API's origin:
//   GET|HEAD /                      -> web_root/index.html
//   GET|HEAD /ui/vendor/chart.umd.js -> node_modules/chart.js/dist/chart.umd.js (an allow-list)
//   GET|HEAD /ui/<path>             -> web_root/<path>
//   GET|HEAD /api/v1/openapi.json   -> the API's OpenAPI document, built in (openapi_document.h);
//                                      another method is 405 in the API's JSON error shape
// The security headers (nosniff, the Content-Security-Policy, ...) are the server's, on every
// answer (server.cc). Every file carries Cache-Control: no-cache with an ETag (size and modification time), so a browser revalidates
// each file and gets 304 when unchanged. A path with a "." or ".." segment, an empty segment, a
// dot file, a backslash or a NUL is refused with 404, as is anything that resolves outside its
// root (a symbolic link out of web_root), a directory or an unknown file type.
// Thread-safe: it holds only the two paths; files are read on each request (they are small).
class StaticFiles {
 public:
  explicit StaticFiles(StaticFilesOptions options);

  // The answer for a request to `/`, under `/ui/` or to /api/v1/openapi.json; nullopt for any
  // other path (the API's).
  std::optional<Response> Serve(const Request& request) const;

  // True when web_root/index.html exists (the server warns at start otherwise).
  bool Available() const;

 private:
  Response File(const Request& request, const std::filesystem::path& root,
                const std::string& relative) const;

  StaticFilesOptions options_;
};

// `api` behind the static files: requests to `/`, `/ui/...` and /api/v1/openapi.json go to
// `files`, the rest to `api`.
// `files` must outlive the Handler.
Handler WithStaticFiles(const StaticFiles& files, Handler api);

}  // namespace cohort::http

#include "http/static_files.h"

#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string_view>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "http/openapi_document.h"

namespace cohort::http {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "/ui/";
constexpr std::string_view kOpenApiPath = "/api/v1/openapi.json";

// The npm files the UI may load, by their name under /ui/vendor/.
struct VendorFile {
  std::string_view name;
  std::string_view path;  // under node_modules
};
constexpr std::array<VendorFile, 1> kVendor{{
    {"chart.umd.js", "chart.js/dist/chart.umd.js"},
}};

std::string_view ContentType(const fs::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return {};
}

Response Plain(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

// Each segment must be a plain name: not empty, not starting with '.', no backslash or NUL.
bool SafeRelativePath(std::string_view relative) {
  if (relative.empty()) return false;
  std::size_t start = 0;
  while (start <= relative.size()) {
    std::size_t end = relative.find('/', start);
    if (end == std::string_view::npos) end = relative.size();
    const std::string_view segment = relative.substr(start, end - start);
    if (segment.empty() || segment.front() == '.') return false;
    if (segment.find('\\') != std::string_view::npos) return false;
    if (segment.find('\0') != std::string_view::npos) return false;
    start = end + 1;
  }
  return true;
}

// True when `inner` (canonical) lies under `root` (canonical).
bool Within(const fs::path& root, const fs::path& inner) {
  auto r = root.begin();
  auto i = inner.begin();
  for (; r != root.end(); ++r, ++i) {
    if (i == inner.end() || *r != *i) return false;
  }
  return true;
}

// The OpenAPI document: built in, so it always describes the routes of this binary. Its ETag is
// a hash of its bytes (FNV-1a), so a browser revalidates it like the UI's files.
Response OpenApi(const Request& request) {
  Response r;
  if (request.method != "GET" && request.method != "HEAD") {
    // An API path: the API's error shape (docs/openapi.json, x-cohort-unrouted).
    r.status = 405;
    r.body =
        R"({"error":{"code":"method_not_allowed","message":"method not allowed here","details":[]}})";
    r.headers.emplace_back("Allow", "GET, HEAD");
  } else {
    static const std::string etag = [] {
      std::uint64_t hash = 14695981039346656037ull;
      for (const char c : OpenApiDocument()) {
        hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
      }
      return fmt::format("\"{:016x}\"", hash);
    }();
    r.headers.emplace_back("Cache-Control", "no-cache");
    r.headers.emplace_back("ETag", etag);
    if (request.Header("if-none-match") == etag) {
      r.status = 304;
      r.content_type.clear();
    } else {
      r.body = std::string(OpenApiDocument());
    }
  }
  r.route = std::string(kOpenApiPath);
  return r;
}

}  // namespace

StaticFiles::StaticFiles(StaticFilesOptions options) : options_(std::move(options)) {}

bool StaticFiles::Available() const {
  std::error_code ec;
  return fs::is_regular_file(options_.web_root / "index.html", ec);
}

std::optional<Response> StaticFiles::Serve(const Request& request) const {
  const std::string& path = request.path;
  if (path == kOpenApiPath) return OpenApi(request);
  const bool root = path == "/" || path == "/index.html";
  if (!root && path.compare(0, kPrefix.size(), kPrefix) != 0) return std::nullopt;
  Response r;
  if (request.method != "GET" && request.method != "HEAD") {
    r = Plain(405, "method not allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
  } else if (root) {
    r = File(request, options_.web_root, "index.html");
  } else {
    const std::string relative = path.substr(kPrefix.size());
    constexpr std::string_view kVendorDir = "vendor/";
    if (relative.compare(0, kVendorDir.size(), kVendorDir) == 0) {
      r = Plain(404, "not found\n");
      for (const VendorFile& v : kVendor) {
        if (relative.substr(kVendorDir.size()) == v.name) {
          r = File(request, options_.node_modules, std::string(v.path));
        }
      }
    } else {
      r = File(request, options_.web_root, relative);
    }
  }
  r.route = root ? "/" : "/ui/{file}";
  return r;
}

Response StaticFiles::File(const Request& request, const fs::path& root,
                           const std::string& relative) const {
  if (!SafeRelativePath(relative)) return Plain(404, "not found\n");
  std::error_code ec;
  const fs::path canonical_root = fs::canonical(root, ec);
  if (ec) return Plain(404, "not found\n");
  const fs::path file = fs::canonical(root / fs::path(relative), ec);
  if (ec || !Within(canonical_root, file) || !fs::is_regular_file(file, ec)) {
    return Plain(404, "not found\n");
  }
  const std::string_view type = ContentType(file);
  if (type.empty()) return Plain(404, "not found\n");
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec) return Plain(404, "not found\n");
  const auto modified = fs::last_write_time(file, ec);
  if (ec) return Plain(404, "not found\n");
  const std::string etag = fmt::format(
      "\"{:x}-{:x}\"", size, static_cast<std::uint64_t>(modified.time_since_epoch().count()));

  Response r;
  r.content_type = std::string(type);
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("ETag", etag);
  if (request.Header("if-none-match") == etag) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return Plain(404, "not found\n");
  r.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return r;
}

Handler WithStaticFiles(const StaticFiles& files, Handler api) {
  return [&files, api = std::move(api)](const Request& request) -> Response {
    std::optional<Response> r = files.Serve(request);
    if (r) return std::move(*r);
    return api(request);
  };
}

}  // namespace cohort::http

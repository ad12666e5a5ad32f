// docs/openapi.json against the routes the server serves (issue 16, point 8). The document built
// into the binary is read back and each of its paths is called as `cohort serve` serves it (the
// static files and the built-in document in front of the API), without a credential:
//   - every operation is routed: one that needs a credential answers 401, one that needs none
//     answers a status it declares, never 404 or 405;
//   - every other method of a documented path answers 405;
//   - the paths next to the documented ones (their prefixes, and each with one more segment)
//     answer 404 to every method.
// So a route added without its entry in the document, or an entry without its route, fails here.
// The answers are kept for tests/openapi/validate.mjs like every fixture call's.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "api_fixture.h"
#include "http/api.h"
#include "http/openapi_document.h"
#include "http/static_files.h"
#include "openapi_record.h"
#include "support/http_client.h"

namespace cohort::testing {
namespace {

using json = nlohmann::json;

const std::vector<std::string> kMethods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
                                           "OPTIONS"};

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class OpenApiRoutesTest : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    if (HasFatalFailure()) return;
    files_ = std::make_unique<http::StaticFiles>(
        http::StaticFilesOptions{dir_ / "no-web-root", dir_ / "no-node-modules"});
    http::ServerOptions options;
    options.port = 0;
    options.threads = 1;
    Result<std::unique_ptr<http::Server>> server = http::StartServer(
        options, http::WithStaticFiles(
                     *files_, [this](const http::Request& r) { return api_->Handle(r); }));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    served_ = std::move(server).value();
    document_ = json::parse(http::OpenApiDocument(), nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(document_.is_object()) << "the built-in OpenAPI document is not JSON";
    ASSERT_TRUE(document_.contains("paths"));
  }

  void TearDown() override {
    if (served_) served_->Stop();
    served_.reset();
    ApiFixture::TearDown();
  }

  // One request without a credential; the answer is kept for the OpenAPI check.
  HttpResponse Send(const std::string& method, const std::string& target,
                    const std::string& body = "") {
    HttpResponse r = SendOnce("127.0.0.1", served_->port(), method, target, body,
                              {{"Content-Type", "application/json"}});
    EXPECT_NE(r.status, 0) << method << " " << target << ": " << r.error;
    RecordApiAnswer(method, target, body, r.status, r.headers, r.body);
    return r;
  }

  // The path with each {parameter} filled: ids with 1, keys with x.
  static std::string Filled(const std::string& path) {
    std::string out;
    for (const std::string& segment : Split(path)) {
      out += "/";
      if (segment.starts_with("{")) {
        out += segment == "{id}" ? "1" : "x";
      } else {
        out += segment;
      }
    }
    return out;
  }

  // Whether `path` (filled in) is one the document lists.
  bool Documented(const std::string& path) const {
    const std::vector<std::string> segments = Split(path);
    for (const auto& [pattern, item] : document_["paths"].items()) {
      const std::vector<std::string> parts = Split(pattern);
      if (parts.size() != segments.size()) continue;
      bool same = true;
      for (std::size_t i = 0; i < parts.size() && same; ++i) {
        same = parts[i].starts_with("{") ? !segments[i].empty() : parts[i] == segments[i];
      }
      if (same) return true;
    }
    return false;
  }

  std::unique_ptr<http::StaticFiles> files_;
  std::unique_ptr<http::Server> served_;
  json document_;
};

TEST_F(OpenApiRoutesTest, EveryDocumentedOperationIsServed) {
  int operations = 0;
  for (const auto& [path, item] : document_["paths"].items()) {
    for (const std::string& method : kMethods) {
      const std::string key = Lower(method);
      if (!item.contains(key)) continue;
      ++operations;
      const json& operation = item[key];
      const bool needs_credential =
          !operation.contains("security") || !operation["security"].empty();
      const std::string body = method == "POST" || method == "PUT" ? "{}" : "";
      const HttpResponse r = Send(method, Filled(path), body);
      const std::string what = fmt::format("{} {} answered {}: {}", method, path, r.status, r.body);
      EXPECT_NE(r.status, 404) << what;
      EXPECT_NE(r.status, 405) << what;
      if (needs_credential) {
        EXPECT_EQ(r.status, 401) << what << " (it declares a credential)";
      } else {
        EXPECT_TRUE(operation["responses"].contains(std::to_string(r.status)))
            << what << " (a status it does not declare)";
      }
    }
  }
  EXPECT_GE(operations, 20);
}

TEST_F(OpenApiRoutesTest, EveryOtherMethodOfADocumentedPathIs405) {
  for (const auto& [path, item] : document_["paths"].items()) {
    for (const std::string& method : kMethods) {
      if (item.contains(Lower(method))) continue;
      const HttpResponse r = Send(method, Filled(path));
      EXPECT_EQ(r.status, 405) << method << " " << path
                               << " is not in docs/openapi.json but answered " << r.status << ": "
                               << r.body;
    }
  }
}

TEST_F(OpenApiRoutesTest, PathsNextToTheDocumentedOnesAre404) {
  std::set<std::string> neighbours;
  for (const auto& [path, item] : document_["paths"].items()) {
    const std::string filled = Filled(path);
    for (std::size_t slash = filled.find('/', 1); slash != std::string::npos;
         slash = filled.find('/', slash + 1)) {
      neighbours.insert(filled.substr(0, slash));
    }
    neighbours.insert(filled + "/x");
    neighbours.insert(filled + "/1");
  }
  int checked = 0;
  for (const std::string& path : neighbours) {
    if (Documented(path)) continue;
    ++checked;
    for (const std::string& method : kMethods) {
      const HttpResponse r = Send(method, path);
      EXPECT_EQ(r.status, 404) << method << " " << path
                               << " is not in docs/openapi.json but answered " << r.status << ": "
                               << r.body;
    }
  }
  EXPECT_GE(checked, 20);
}

// The document and the one route table (http::Api::Routes()) list the same operations, and each
// operation's `security` says what the row's credential and scope say.
TEST(OpenApiRouteTableTest, TheDocumentListsExactlyTheRouteTableWithItsCredentials) {
  const json document = json::parse(http::OpenApiDocument());
  std::set<std::string> documented, routed;
  for (const auto& [path, item] : document["paths"].items()) {
    if (path == "/api/v1/openapi.json") continue;  // served beside the API, by the static files
    for (const auto& [method, op] : item.items()) {
      if (method != "parameters") documented.insert(method + " " + path);
    }
  }
  for (const http::RouteInfo& route : http::Api::Routes()) {
    std::string method(route.method);
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string pattern(route.pattern);
    routed.insert(method + " " + pattern);
    SCOPED_TRACE(method + " " + pattern);
    const json& op = document["paths"][pattern][method];
    ASSERT_TRUE(op.is_object());
    ASSERT_TRUE(op.contains("security"));
    const json& security = op["security"];
    bool bearer = false, cookie = false;
    std::vector<std::string> bearer_scopes;
    for (const json& requirement : security) {
      if (requirement.contains("bearerToken")) {
        bearer = true;
        bearer_scopes = requirement["bearerToken"].get<std::vector<std::string>>();
      }
      cookie = cookie || requirement.contains("sessionCookie");
    }
    switch (route.credential) {
      case http::Credential::kNone:
        EXPECT_TRUE(security.empty());
        break;
      case http::Credential::kAny:
        EXPECT_TRUE(bearer && cookie);
        break;
      case http::Credential::kSession:
        EXPECT_TRUE(cookie && !bearer);
        break;
    }
    if (route.scope) {
      domain::ScopeSet scope;
      scope.Add(*route.scope);
      EXPECT_EQ(bearer_scopes, domain::ScopeNames(scope));
    } else if (bearer) {
      EXPECT_TRUE(bearer_scopes.empty()) << security.dump();
    }
  }
  EXPECT_EQ(documented, routed);
}

}  // namespace
}  // namespace cohort::testing

#include "http/static_files.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/openapi_document.h"

namespace cohort::http {
namespace {

namespace fs = std::filesystem;

std::string HeaderOf(const Response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cohort_static_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "web" / "js");
    fs::create_directories(dir_ / "node_modules" / "chart.js" / "dist");
    Write(dir_ / "web" / "index.html", "<!doctype html><title>Cohort</title>");
    Write(dir_ / "web" / "js" / "app.js", "export const x = 1;");
    Write(dir_ / "web" / "style.css", "body{}");
    Write(dir_ / "web" / ".hidden.js", "secret");
    Write(dir_ / "web" / "notes.bin", "binary");
    Write(dir_ / "secret.txt", "outside the web root");
    Write(dir_ / "node_modules" / "chart.js" / "dist" / "chart.umd.js", "/* chart */");
    Write(dir_ / "node_modules" / "chart.js" / "package.json", "{}");
    fs::create_symlink(dir_ / "secret.txt", dir_ / "web" / "link.txt");
    files_ = std::make_unique<StaticFiles>(StaticFilesOptions{dir_ / "web", dir_ / "node_modules"});
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void Write(const fs::path& file, const std::string& text) {
    std::ofstream(file, std::ios::binary) << text;
  }

  Response Get(const std::string& path, const std::string& method = "GET") const {
    Request request;
    request.method = method;
    request.path = path;
    request.target = path;
    std::optional<Response> r = files_->Serve(request);
    EXPECT_TRUE(r.has_value()) << path;
    return r ? *r : Response{};
  }

  fs::path dir_;
  std::unique_ptr<StaticFiles> files_;
};

// The security headers are the server's, on every answer: tests/security_headers_test.cc.
TEST_F(StaticFilesTest, RootIsIndexHtmlWithCacheHeaders) {
  const Response r = Get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.body, "<!doctype html><title>Cohort</title>");
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-cache");
  EXPECT_FALSE(HeaderOf(r, "ETag").empty());
  EXPECT_EQ(r.route, "/");
}

TEST_F(StaticFilesTest, ModulesAndStylesHaveTheirContentTypes) {
  EXPECT_EQ(Get("/ui/js/app.js").content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Get("/ui/js/app.js").body, "export const x = 1;");
  EXPECT_EQ(Get("/ui/style.css").content_type, "text/css; charset=utf-8");
}

TEST_F(StaticFilesTest, ChartJsComesFromNodeModulesByItsVendorName) {
  const Response r = Get("/ui/vendor/chart.umd.js");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "/* chart */");
  EXPECT_EQ(Get("/ui/vendor/package.json").status, 404);
  EXPECT_EQ(Get("/ui/vendor/chart.js/package.json").status, 404);
}

TEST_F(StaticFilesTest, TraversalDotFilesLinksOutAndUnknownTypesAre404) {
  for (const char* path : {"/ui/../secret.txt", "/ui/js/../../secret.txt", "/ui/./js/app.js",
                           "/ui/.hidden.js", "/ui/js//app.js", "/ui/link.txt", "/ui/notes.bin",
                           "/ui/js", "/ui/", "/ui/missing.js", "/ui/js\\app.js"}) {
    const Response r = Get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body.find("outside"), std::string::npos) << path;
  }
}

TEST_F(StaticFilesTest, OtherPathsAreLeftToTheApi) {
  Request request;
  request.method = "GET";
  request.path = "/api/v1/courses";
  EXPECT_FALSE(files_->Serve(request).has_value());
  request.path = "/uix/app.js";
  EXPECT_FALSE(files_->Serve(request).has_value());
}

TEST_F(StaticFilesTest, WritesAreRefusedAndHeadHasTheSameHeaders) {
  EXPECT_EQ(Get("/ui/js/app.js", "POST").status, 405);
  const Response head = Get("/ui/js/app.js", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.content_type, "text/javascript; charset=utf-8");
}

TEST_F(StaticFilesTest, AMatchingETagAnswers304WithoutABody) {
  const Response first = Get("/ui/js/app.js");
  Request again;
  again.method = "GET";
  again.path = "/ui/js/app.js";
  again.headers["if-none-match"] = HeaderOf(first, "ETag");
  const std::optional<Response> second = files_->Serve(again);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, 304);
  EXPECT_TRUE(second->body.empty());
}

TEST_F(StaticFilesTest, WithStaticFilesSendsTheRestToTheApi) {
  const Handler handler = WithStaticFiles(*files_, [](const Request&) {
    Response r;
    r.status = 418;
    return r;
  });
  Request request;
  request.method = "GET";
  request.path = "/api/v1/courses";
  EXPECT_EQ(handler(request).status, 418);
  request.path = "/";
  EXPECT_EQ(handler(request).status, 200);
  EXPECT_TRUE(files_->Available());
}

TEST_F(StaticFilesTest, TheOpenApiDocumentIsBuiltInAndNeedsNoWebRoot) {
  const StaticFiles none({dir_ / "missing", dir_ / "missing"});
  Request request;
  request.method = "GET";
  request.path = "/api/v1/openapi.json";
  const std::optional<Response> r = none.Serve(request);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->content_type, "application/json");
  EXPECT_EQ(r->route, "/api/v1/openapi.json");
  EXPECT_EQ(r->body, OpenApiDocument());
  const nlohmann::json document = nlohmann::json::parse(r->body, nullptr, false);
  ASSERT_TRUE(document.is_object());
  EXPECT_EQ(document.value("openapi", ""), "3.1.0");
  EXPECT_TRUE(document["paths"].contains("/api/v1/openapi.json"));

  request.headers["if-none-match"] = HeaderOf(*r, "ETag");
  EXPECT_EQ(none.Serve(request)->status, 304);
  request.headers.clear();
  request.method = "HEAD";
  EXPECT_EQ(none.Serve(request)->status, 200);
}

TEST_F(StaticFilesTest, TheOpenApiDocumentRefusesWritesInTheApisErrorShape) {
  const Response r = Get("/api/v1/openapi.json", "POST");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(HeaderOf(r, "Allow"), "GET, HEAD");
  const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_EQ(body["error"]["code"], "method_not_allowed");
  EXPECT_TRUE(body["error"]["details"].is_array());
}

}  // namespace
}  // namespace cohort::http

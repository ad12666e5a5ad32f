#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "http/api.h"
#include "http/server.h"
#include "service/service.h"
#include "store/store.h"

namespace cohort::testing {

// What a test sees of an HTTP answer.
struct Reply {
  int status = 0;
  std::string body;
  nlohmann::json json;  // parsed body (null when not JSON)
};

// A real server on 127.0.0.1:<free port> over a fresh SQLite file in a temp directory, with the
// metrics engine, an account "acme" (Europe/Paris) and tokens of each scope. The clock is fake: 2026-03-10T12:00:00Z.
class ApiFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  Reply Call(const std::string& method, const std::string& target, const std::string& body,
             const std::string& token);
  Reply Put(const std::string& target, const std::string& body) {
    return Call("PUT", target, body, ingest_token_);
  }
  Reply Post(const std::string& target, const std::string& body) {
    return Call("POST", target, body, ingest_token_);
  }
  Reply Delete(const std::string& target) { return Call("DELETE", target, "", ingest_token_); }
  store::TableCounts Counts();

  // The course "py": chapters c1 (e1, e2) and c2 (e3), mastery_window 5.
  void PutPythonCourse();
  // The course "py", a group "g1", users "ann" and "bob" in g1.
  void SeedCatalog();
  // A user "cat" (Cat Ng, in no group) enrolled in "py" on 2026-02-20T08:00:00Z, with no
  // response: at risk by the fixture's clock.
  void SeedCatNeverStarted();

  std::filesystem::path dir_;
  FakeClock clock_{Instant{1'773'144'000'000}};  // 2026-03-10T12:00:00Z
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<service::Service> service_;
  std::unique_ptr<http::Api> api_;
  std::unique_ptr<http::Server> server_;
  store::AccountId account_;
  std::string ingest_token_, read_token_, admin_token_, other_account_token_;
};

// "2026-03-10T11:00:00Z"-style times relative to the fixture's clock, in minutes.
std::string TimeAt(int minutes_from_now);

}  // namespace cohort::testing

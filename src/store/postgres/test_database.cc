// Test support (cohort_store_testing): a database per test on the suite's PostgreSQL server.
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "store/testing/pg_test_database.h"

namespace cohort::store {
namespace {

std::string BaseUri() {
  const char* uri = std::getenv("COHORT_TEST_PG_URI");
  return uri == nullptr ? "" : uri;
}

// Runs `sql` on the server's `postgres` database.
Status Admin(const std::string& sql) {
  const std::string base = BaseUri();
  if (base.empty()) {
    return Status::Unavailable(
        "COHORT_TEST_PG_URI is not set: run the PostgreSQL tests through ctest (fixture "
        "`postgres`)");
  }
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(base.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return Status::Unavailable(fmt::format("the test PostgreSQL server is not there ({}): {}", base,
                                           PQerrorMessage(conn.get())));
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    return Status::Unavailable(fmt::format("{}: {}", sql, PQresultErrorMessage(result.get())));
  }
  return Status();
}

std::string NameOf(const std::string& uri) {
  const std::size_t slash = uri.find('/', uri.find("://") + 3);
  const std::size_t query = uri.find('?', slash);
  return uri.substr(slash + 1, (query == std::string::npos ? uri.size() : query) - slash - 1);
}

}  // namespace

std::string TestDatabaseUri(const std::string& name) {
  const std::string base = BaseUri();
  const std::size_t slash = base.find('/', base.find("://") + 3);
  const std::size_t query = base.find('?', slash);
  return base.substr(0, slash + 1) + name +
         (query == std::string::npos ? "" : base.substr(query));
}

Result<std::string> CreateTestDatabase() {
  static std::atomic<int> counter{0};
  const std::string name = fmt::format(
      "cohort_test_{}_{}_{}", getpid(), counter++,
      std::chrono::steady_clock::now().time_since_epoch().count() % 1'000'000'007);
  COHORT_RETURN_IF_ERROR(Admin(fmt::format("CREATE DATABASE {}", name)));
  return TestDatabaseUri(name);
}

void DropTestDatabase(const std::string& uri) {
  Status dropped = Admin(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", NameOf(uri)));
  (void)dropped;
}

}  // namespace cohort::store

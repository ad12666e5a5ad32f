// The one factory that picks a backend from the --db value.
#include <string>
#include <string_view>

#include "store/postgres/pg_store.h"
#include "store/store.h"

namespace cohort::store {

bool IsPostgresUri(std::string_view db) {
  return db.starts_with("postgresql://") || db.starts_with("postgres://");
}

std::string MaskDbUri(std::string_view db) {
  std::string out(db);
  if (IsPostgresUri(db)) {
    // postgresql://user:secret@host/...: the user info ends at the first '@' before the path.
    const std::size_t scheme_end = out.find("://") + 3;
    const std::size_t path = out.find_first_of("/?", scheme_end);
    const std::size_t at = out.rfind('@', path == std::string::npos ? out.size() : path);
    if (at != std::string::npos && at > scheme_end) {
      const std::size_t colon = out.find(':', scheme_end);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "****");
    }
  }
  // password=... as a URI parameter (&password=) or a conninfo keyword (password=...).
  for (std::size_t from = 0;;) {
    const std::size_t key = out.find("password=", from);
    if (key == std::string::npos) break;
    const std::size_t value = key + 9;
    const bool at_start = key == 0 || out[key - 1] == '?' || out[key - 1] == '&' ||
                          out[key - 1] == ' ';
    const std::size_t end = out.find_first_of("& ", value);
    if (at_start) {
      out.replace(value, (end == std::string::npos ? out.size() : end) - value, "****");
    }
    from = value;
  }
  return out;
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& db) {
  if (!IsPostgresUri(db)) return OpenSqliteStore(db);
  Result<std::unique_ptr<postgres::PgStore>> store = postgres::PgStore::Open(db);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(store).value());
}

Result<std::unique_ptr<Store>> OpenStoreReadOnly(const std::string& db) {
  if (!IsPostgresUri(db)) return OpenSqliteStoreReadOnly(db);
  Result<std::unique_ptr<postgres::PgStore>> store = postgres::PgStore::Open(db, true);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(store).value());
}

}  // namespace cohort::store

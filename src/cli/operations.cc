// cohort backup, restore and check.
#include <chrono>
#include <filesystem>
#include <initializer_list>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "common/clock.h"
#include "http/views_json.h"
#include "metrics/engine.h"
#include "service/service.h"
#include "store/store.h"

namespace cohort::cli {
namespace {

namespace fs = std::filesystem;

// Every view of SPEC §4.1, rendered as JSON, keyed by a name such as
// "acme /courses/py/users?active=true&offset=0".
using Views = std::map<std::string, std::string>;

// Renders every view of every account: all courses, each course, both leagues (active and
// inactive users, every page), each enrolled user's view and the history of each exercise they
// attempted, and the report. Errors: the first view that fails.
Result<Views> RenderAllViews(service::Service& service, store::Store& store) {
  Views out;
  Result<std::vector<store::AccountRecord>> accounts = store.ListAccounts();
  if (!accounts.ok()) return accounts.status();
  for (const store::AccountRecord& account : accounts.value()) {
    const std::string& key = account.account.key;
    Result<service::Caller> caller = service.LocalAdmin(key);
    if (!caller.ok()) return caller.status();
    Result<TimeZone> zone = service.Zone(*caller);
    if (!zone.ok()) return zone.status();
    auto keep = [&](const std::string& name, const auto& view) -> Status {
      if (!view.ok()) {
        return Status(view.status().code(),
                      fmt::format("{} {}: {}", key, name, view.status().message()));
      }
      out[key + " " + name] = http::ToJson(view.value(), zone.value()).dump();
      return Status();
    };
    Result<metrics::Table<metrics::AllCoursesRow>> courses = service.AllCourses(*caller);
    COHORT_RETURN_IF_ERROR(keep("/courses", courses));
    for (const metrics::AllCoursesRow& course : courses->rows) {
      const std::string base = "/courses/" + course.course;
      COHORT_RETURN_IF_ERROR(keep(base, service.CourseDetail(*caller, course.course)));
      std::vector<std::string> users;
      for (const bool active : {true, false}) {
        metrics::TableQuery query;
        query.limit = 1000;
        query.active = active;
        for (;; query.offset += query.limit) {
          auto page = service.UserLeague(*caller, course.course, query);
          COHORT_RETURN_IF_ERROR(
              keep(fmt::format("{}/users?active={}&offset={}", base, active, query.offset), page));
          for (const metrics::LeagueRow& row : page->rows) users.push_back(row.user);
          if (page->rows.size() < query.limit) break;
        }
      }
      metrics::TableQuery groups;
      groups.limit = 1000;
      for (;; groups.offset += groups.limit) {
        auto page = service.GroupLeague(*caller, course.course, groups);
        COHORT_RETURN_IF_ERROR(keep(fmt::format("{}/groups?offset={}", base, groups.offset), page));
        if (page->rows.size() < groups.limit) break;
      }
      for (const std::string& user : users) {
        auto view = service.UserInCourse(*caller, course.course, user);
        COHORT_RETURN_IF_ERROR(keep(base + "/users/" + user, view));
        for (const metrics::ExerciseFigure& exercise : view->exercises) {
          if (exercise.attempts == 0) continue;
          COHORT_RETURN_IF_ERROR(
              keep(fmt::format("{}/users/{}/exercises/{}/attempts", base, user, exercise.exercise),
                   service.History(*caller, course.course, user, exercise.exercise)));
        }
      }
    }
    metrics::TableQuery report;
    report.sort = "name";
    report.limit = 1000;
    for (;; report.offset += report.limit) {
      auto page = service.Report(*caller, report);
      COHORT_RETURN_IF_ERROR(keep(fmt::format("/report?offset={}", report.offset), page));
      if (page->rows.size() < report.limit) break;
    }
  }
  return out;
}

// Opens an existing database read-only, or prints why not.
std::unique_ptr<store::Store> OpenExisting(const std::string& path) {
  Result<std::unique_ptr<store::Store>> s = store::OpenStoreReadOnly(path);
  if (!s.ok()) {
    std::cerr << "cohort: cannot open " << store::MaskDbUri(path) << ": " << s.status().message()
              << "\n";
    return nullptr;
  }
  return std::move(s).value();
}

// Integrity problems of `store` printed under "integrity:"; false when there are any.
bool ReportIntegrity(store::Store& store, std::ostream& out) {
  Result<std::vector<std::string>> problems = store.IntegrityCheck();
  if (!problems.ok()) {
    out << "integrity: FAILED (the check could not run: " << problems.status().message() << ")\n";
    return false;
  }
  if (problems->empty()) {
    out << "integrity: ok\n";
    return true;
  }
  out << fmt::format("integrity: FAILED ({} problem(s))\n", problems->size());
  for (std::size_t i = 0; i < problems->size() && i < 20; ++i) {
    out << "  " << (*problems)[i] << "\n";
  }
  return false;
}

bool ReportSchema(store::Store& store, std::ostream& out) {
  Result<int> version = store.SchemaVersion();
  if (!version.ok()) {
    out << "schema: FAILED (" << version.status().message() << ")\n";
    return false;
  }
  const int latest = store.LatestSchemaVersion();
  if (version.value() != latest) {
    out << fmt::format("schema: FAILED (version {}, this binary's latest is {})\n", version.value(),
                       latest);
    return false;
  }
  out << fmt::format("schema: ok (version {}, the latest)\n", version.value());
  return true;
}

void RemoveDatabaseFiles(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix, ec);
}

// backup and restore copy SQLite files; PostgreSQL has its own tools. True (and said) when
// one of `dbs` is a PostgreSQL URI.
bool RefusePostgres(std::initializer_list<std::string_view> dbs) {
  for (const std::string_view db : dbs) {
    if (!store::IsPostgresUri(db)) continue;
    std::cerr << "cohort: " << store::MaskDbUri(db) << " is a PostgreSQL database: "
              << store::kPostgresBackupAdvice << "\n";
    return true;
  }
  return false;
}

}  // namespace

int RunBackup(const std::string& db, const std::string& output, bool force) {
  if (RefusePostgres({db, output})) return 1;
  if (fs::exists(output) && !force) {
    std::cerr << "cohort: " << output << " exists; pass --force to replace it\n";
    return 1;
  }
  std::unique_ptr<store::Store> store = OpenExisting(db);
  if (!store) return 1;
  if (force) RemoveDatabaseFiles(output);
  const auto start = std::chrono::steady_clock::now();
  Status copied = store->Backup(output);
  if (!copied.ok()) {
    std::cerr << "cohort: backup of " << db << " failed: " << copied.message() << "\n";
    return copied.code() == ErrorCode::kInternal ? 2 : 1;
  }
  std::unique_ptr<store::Store> copy = OpenExisting(output);
  if (!copy) return 1;
  std::ostringstream report;
  const bool sound = ReportIntegrity(*copy, report);
  std::error_code ec;
  const auto bytes = fs::file_size(output, ec);
  std::cout << fmt::format(
                   "backed up {} to {} ({} bytes in {:.2f} s)\n", db, output, ec ? 0 : bytes,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count())
            << report.str();
  return sound ? 0 : 1;
}

int RunRestore(const std::string& db, const std::string& source, bool force) {
  if (RefusePostgres({db, source})) return 1;
  std::unique_ptr<store::Store> from = OpenExisting(source);
  if (!from) return 1;
  std::ostringstream report;
  const bool sound = ReportIntegrity(*from, report) && ReportSchema(*from, report);
  std::cout << "source " << source << ":\n" << report.str();
  if (!sound) {
    std::cerr << "cohort: " << source << " is not a sound Cohort database; nothing restored\n";
    return 1;
  }
  if (fs::exists(db) && !force) {
    std::cerr << "cohort: " << db
              << " exists; stop the server that uses it and pass --force to replace it\n";
    return 1;
  }
  // Copied into the database (through its own journal), not over its file: a stale -wal file
  // next to it can never be replayed onto the restored pages.
  Status copied = from->Backup(db);
  if (!copied.ok()) {
    std::cerr << "cohort: restore into " << db << " failed: " << copied.message() << "\n";
    return copied.code() == ErrorCode::kInternal ? 2 : 1;
  }
  from.reset();
  std::unique_ptr<store::Store> restored = OpenExisting(db);
  if (!restored) return 1;
  std::ostringstream after;
  const bool ok = ReportIntegrity(*restored, after);
  std::cout << "restored " << source << " into " << db << ":\n" << after.str();
  return ok ? 0 : 1;
}

int RunCheck(const std::string& db) {
  std::unique_ptr<store::Store> store = OpenExisting(db);
  if (!store) {
    std::cout << "check of " << store::MaskDbUri(db) << ": FAILED (cannot open it)\n";
    return 1;
  }
  std::cout << "check of " << store::MaskDbUri(db) << "\n" << std::flush;
  if (!ReportIntegrity(*store, std::cout)) {
    std::cout << "result: FAILED\n";
    return 1;
  }
  bool ok = ReportSchema(*store, std::cout);
  // Two engines rebuilt from the stored events at the same instant must answer every view
  // identically, and each view must answer at all.
  const auto start = std::chrono::steady_clock::now();
  FakeClock clock(SystemClock().Now());
  service::Service first(*store, clock), second(*store, clock);
  Status rebuilt = first.Rebuild(nullptr);
  if (rebuilt.ok()) rebuilt = second.Rebuild(nullptr);
  if (!rebuilt.ok()) {
    std::cout << "rebuild: FAILED (" << rebuilt.message() << ")\nresult: FAILED\n";
    return 1;
  }
  Result<Views> a = RenderAllViews(first, *store);
  Result<Views> b = a.ok() ? RenderAllViews(second, *store) : a;
  if (!a.ok() || !b.ok()) {
    std::cout << "views: FAILED (" << (a.ok() ? b : a).status().message() << ")\nresult: FAILED\n";
    return 1;
  }
  std::size_t different = 0;
  for (const auto& [name, json] : a.value()) {
    auto other = b->find(name);
    if (other == b->end() || other->second != json) {
      if (++different <= 10) std::cout << "  differs between two rebuilds: " << name << "\n";
    }
  }
  different += b->size() > a->size() ? b->size() - a->size() : 0;
  // The engine holds every stored enrollment.
  std::int64_t stored_enrollments = 0;
  Result<std::vector<store::AccountRecord>> accounts = store->ListAccounts();
  for (const store::AccountRecord& account :
       accounts.ok() ? accounts.value() : std::vector<store::AccountRecord>()) {
    Result<store::TableCounts> counts = store->Counts(account.id);
    if (counts.ok()) stored_enrollments += counts->enrollments;
  }
  const metrics::Engine::Size size = first.EngineSize();
  const bool enrollments_match = static_cast<std::int64_t>(size.enrollments) == stored_enrollments;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format(
      "rebuild: {} ({} accounts, {} users, {} enrollments of {} stored, {} cells)\n",
      enrollments_match ? "ok" : "FAILED", size.accounts, size.users, size.enrollments,
      stored_enrollments, size.cells);
  std::cout << fmt::format(
      "views: {} ({} views answered, {} differ between two rebuilds; {:.1f} s)\n",
      different == 0 ? "ok" : "FAILED", a->size(), different, seconds);
  ok = ok && enrollments_match && different == 0;
  std::cout << "result: " << (ok ? "ok" : "FAILED") << "\n";
  return ok ? 0 : 1;
}

}  // namespace cohort::cli

#include "cli/commands.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/progress.h"
#include "common/clock.h"
#include "domain/key.h"
#include "domain/validation.h"
#include "http/api.h"
#include "http/server.h"
#include "ingest/csv_attempts.h"
#include "ingest/json_documents.h"
#include "metrics/engine.h"
#include "service/demo.h"
#include "service/service.h"
#include "store/store.h"

namespace cohort::cli {
namespace {

int Fail(const Status& status) {
  std::cerr << "cohort: " << status.ToString() << "\n";
  return status.code() == ErrorCode::kInternal ? 2 : 1;
}

// Opens the store or prints why not.
std::unique_ptr<store::Store> Open(const std::string& db) {
  Result<std::unique_ptr<store::Store>> s = store::OpenSqliteStore(db);
  if (!s.ok()) {
    std::cerr << "cohort: cannot open " << db << ": " << s.status().ToString() << "\n";
    return nullptr;
  }
  return std::move(s).value();
}

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = std::move(buffer).str();
  return !in.bad();
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

int RunServe(const ServeOptions& options) {
  const std::size_t colon = options.listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    try {
      port = std::stoi(options.listen.substr(colon + 1));
    } catch (const std::exception&) {
      port = -1;
    }
  }
  if (colon == std::string::npos || port < 0 || port > 65535) {
    std::cerr << "cohort: --listen must be host:port, e.g. 127.0.0.1:8080; got '"
              << options.listen << "'\n";
    return 1;
  }
  // SIGTERM/SIGINT stay pending (not fatal) until the server waits for them, so a signal
  // during the rebuild still ends in a clean shutdown. Threads started from here inherit this.
  sigset_t shutdown_signals;
  sigemptyset(&shutdown_signals);
  sigaddset(&shutdown_signals, SIGINT);
  sigaddset(&shutdown_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &shutdown_signals, nullptr);
  std::unique_ptr<store::Store> store = Open(options.db);
  if (!store) return 1;
  SystemClock clock;
  store::Store& s = *store;
  metrics::Engine engine([&s](std::string_view account, std::string_view user,
                              std::string_view course) {
    Result<store::AccountRecord> a = s.FindAccount(account);
    if (!a.ok()) return std::vector<domain::Attempt>();
    Result<std::vector<domain::Attempt>> attempts = s.LoadAttempts(a->id, user, course);
    if (!attempts.ok()) {
      // The engine cannot answer without them; a store that fails here fails everywhere.
      spdlog::critical("cannot load attempts for a replay: {}", attempts.status().ToString());
      std::abort();
    }
    return std::move(attempts).value();
  });
  service::Service service(*store, clock, engine);
  {
    Progress progress("loading metrics from " + options.db);
    progress.Stage("accounts", 0);
    Status rebuilt = service.Rebuild(
        [&progress](std::size_t done, std::size_t total) { progress.Update(done, total); });
    if (!rebuilt.ok()) {
      progress.Finish("failed");
      return Fail(rebuilt);
    }
    const metrics::Engine::Size size = engine.size();
    progress.Finish(fmt::format("{} accounts, {} users, {} enrollments, {} cells", size.accounts,
                                size.users, size.enrollments, size.cells));
  }
  http::Api api(service);
  http::ServerOptions server_options;
  server_options.host = options.listen.substr(0, colon);
  server_options.port = static_cast<std::uint16_t>(port);
  server_options.threads = options.threads;
  Result<std::unique_ptr<http::Server>> server = http::StartServer(
      server_options, [&api](const http::Request& request) { return api.Handle(request); });
  if (!server.ok()) return Fail(server.status());
  spdlog::info("cohort listening on http://{}:{} (database {})", server_options.host,
               server.value()->port(), options.db);
  std::cout << fmt::format("Cohort is serving on http://{}:{}  (Ctrl-C stops it)\n",
                           server_options.host, server.value()->port())
            << std::flush;
  server.value()->WaitForShutdownSignal();
  server.value().reset();
  store.reset();
  spdlog::info("cohort stopped cleanly");
  return 0;
}

int RunAccountCreate(const std::string& db, const std::string& key, const std::string& name,
                     const std::string& timezone) {
  std::unique_ptr<store::Store> store = Open(db);
  if (!store) return 1;
  SystemClock clock;
  service::Service service(*store, clock);
  Result<store::AccountId> id = service.CreateAccount({key, name, timezone});
  if (!id.ok()) return Fail(id.status());
  std::cout << "account " << key << " created\n";
  return 0;
}

int RunTokenCreate(const std::string& db, const std::string& account, const std::string& scopes,
                   const std::string& name) {
  domain::ScopeSet set;
  std::stringstream list(scopes);
  for (std::string scope; std::getline(list, scope, ',');) {
    std::optional<domain::Scope> s = domain::ParseScope(scope);
    if (!s) {
      std::cerr << "cohort: unknown scope '" << scope << "' (use read, ingest, admin)\n";
      return 1;
    }
    set.Add(*s);
  }
  std::unique_ptr<store::Store> store = Open(db);
  if (!store) return 1;
  SystemClock clock;
  service::Service service(*store, clock);
  Result<service::NewToken> token = service.CreateToken(account, name, set);
  if (!token.ok()) return Fail(token.status());
  std::cout << token->secret << "\n";
  return 0;
}

int RunUserCreate(const UserCreateOptions& options) {
  domain::User user;
  user.key = options.key;
  user.name = options.name;
  user.email = options.email;
  user.groups = options.groups;
  for (const std::string& r : options.roles) {
    std::optional<domain::Role> role = domain::ParseRole(r);
    if (!role) {
      std::cerr << "cohort: unknown role '" << r
                << "' (use account_manager, executive, group_manager, learner)\n";
      return 1;
    }
    user.roles.Add(*role);
  }
  if (user.roles.bits == 0) user.roles.Add(domain::Role::kLearner);
  if (options.password_stdin) {
    std::string password;
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    user.password = password;
  }
  std::vector<ErrorDetail> problems = domain::ValidateUser(user);
  if (!problems.empty()) return Fail(Status::Invalid("the user is not valid", std::move(problems)));
  std::unique_ptr<store::Store> store = Open(options.db);
  if (!store) return 1;
  SystemClock clock;
  service::Service service(*store, clock);
  Result<service::Caller> caller = service.LocalAdmin(options.account);
  if (!caller.ok()) return Fail(caller.status());
  domain::WriteBatch batch;
  batch.users.origin = {"", false};
  batch.users.items.push_back({std::move(user), std::nullopt});
  Result<domain::WriteSummary> done = service.Write(*caller, std::move(batch));
  if (!done.ok()) return Fail(done.status());
  std::cout << "user " << options.key << " saved in account " << options.account << "\n";
  return 0;
}

int RunImport(const std::string& db, const std::string& account,
              const std::vector<std::string>& files) {
  std::unique_ptr<store::Store> store = Open(db);
  if (!store) return 1;
  SystemClock clock;
  service::Service service(*store, clock);
  Result<service::Caller> caller = service.LocalAdmin(account);
  if (!caller.ok()) return Fail(caller.status());
  int failed = 0;
  std::size_t total_responses = 0;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string& file = files[i];
    Progress progress(fmt::format("[{}/{}] {}", i + 1, files.size(), file));
    std::string text;
    if (!ReadFile(file, text)) {
      progress.Finish("cannot be read");
      ++failed;
      continue;
    }
    progress.Stage("parsing", text.size());
    const Instant now = clock.Now();
    Result<domain::WriteBatch> batch = EndsWith(file, ".csv") || EndsWith(file, ".CSV")
                                           ? ingest::ParseAttemptsCsv(text, now)
                                           : ingest::ParseImportJson(text, now);
    std::string().swap(text);
    if (!batch.ok()) {
      progress.Finish("rejected, nothing imported from it");
      std::cerr << "cohort: " << file << ": " << batch.status().ToString() << "\n";
      ++failed;
      continue;
    }
    progress.Stage("storing attempts", batch->attempts.items.size());
    batch.value().progress = [&progress](std::size_t done, std::size_t total) {
      progress.Update(done, total);
    };
    Result<domain::WriteSummary> done = service.Write(*caller, std::move(batch).value());
    if (!done.ok()) {
      progress.Finish("rejected, nothing imported from it");
      std::cerr << "cohort: " << file << ": " << done.status().ToString() << "\n";
      ++failed;
      continue;
    }
    total_responses += done->responses;
    progress.Finish(fmt::format("{} attempts imported, {} duplicates, {} responses",
                                done->accepted, done->duplicates, done->responses));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << fmt::format("imported {} responses in {:.2f} s ({:.0f} responses/s){}\n",
                           total_responses, seconds,
                           seconds > 0 ? static_cast<double>(total_responses) / seconds : 0.0,
                           failed > 0 ? fmt::format("; {} file(s) rejected", failed) : "");
  return failed > 0 ? 1 : 0;
}

int RunDemo(const DemoCliOptions& options) {
  std::unique_ptr<store::Store> store = Open(options.db);
  if (!store) return 1;
  SystemClock clock;
  service::Service service(*store, clock);
  service::DemoOptions demo;
  demo.account_key = options.account;
  demo.users = options.users;
  demo.courses = options.courses;
  demo.seed = options.seed;
  demo.until = Instant{clock.Now().ms / kMsPerDay * kMsPerDay};
  Progress progress("creating the demo organisation");
  progress.Stage("writing attempts", 0);
  Result<service::DemoResult> result = service::CreateDemoOrganisation(
      service, demo, [&progress](std::size_t done, std::size_t total) {
        progress.Update(done, total);
      });
  if (!result.ok()) {
    progress.Finish("failed");
    return Fail(result.status());
  }
  progress.Finish(fmt::format("{} attempts, {} responses", result->attempts, result->responses));
  std::ostringstream out;
  out << "Demo organisation '" << options.account << "' is in " << options.db << ".\n";
  out << "Sign in (email / password):\n";
  for (const service::DemoSignIn& s : result->sign_ins) {
    out << fmt::format("  {:<16} {:<32} {}\n", s.role, s.email, s.password);
  }
  out << "API token (read, ingest): " << result->ingest_token << "\n";
  std::cout << out.str();
  std::ofstream(options.db + ".sign-in.txt") << out.str();
  return 0;
}

}  // namespace cohort::cli

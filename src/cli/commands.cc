#include "cli/commands.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <future>
#include <iostream>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/progress.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/metric_registry.h"
#include "demo/demo.h"
#include "domain/key.h"
#include "domain/validation.h"
#include "http/api.h"
#include "http/http_telemetry.h"
#include "http/server.h"
#include "http/static_files.h"
#include "ingest/csv_attempts.h"
#include "ingest/json_documents.h"
#include "metrics/engine.h"
#include "service/service.h"
#include "store/store.h"

namespace cohort::cli {
namespace {

#ifndef COHORT_VERSION
#define COHORT_VERSION "dev"
#endif
constexpr const char* kVersion = COHORT_VERSION;

int Fail(const Status& status) {
  std::cerr << "cohort: " << status.ToString() << "\n";
  return status.code() == ErrorCode::kInternal ? 2 : 1;
}

// Opens the store or prints why not.
std::unique_ptr<store::Store> Open(const std::string& db) {
  Result<std::unique_ptr<store::Store>> s = store::OpenStore(db);
  if (!s.ok()) {
    std::cerr << "cohort: cannot open " << store::MaskDbUri(db) << ": " << s.status().ToString()
              << "\n";
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

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

// "127.0.0.1:8080" → {"127.0.0.1", 8080}; nullopt when it is not host:port.
std::optional<HostPort> ParseHostPort(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  const std::string digits = text.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const int port = std::stoi(digits);
  if (port > 65535) return std::nullopt;
  return HostPort{text.substr(0, colon), static_cast<std::uint16_t>(port)};
}

// The resident set size of this process in bytes, from /proc (0 when unreadable).
double ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  if (!(statm >> pages >> resident)) return 0;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

// The gauges of /metrics: engine sizes, open connections, memory, build info.
void RegisterGauges(MetricRegistry& registry, const service::Service& service,
                    const http::Server& server) {
  registry.SetGauge("cohort_engine_accounts", "Accounts in the in-memory metrics engine.",
                    [&service] { return static_cast<double>(service.EngineSize().accounts); });
  registry.SetGauge("cohort_engine_users", "Users in the in-memory metrics engine.",
                    [&service] { return static_cast<double>(service.EngineSize().users); });
  registry.SetGauge("cohort_engine_enrollments", "Enrollments in the in-memory metrics engine.",
                    [&service] { return static_cast<double>(service.EngineSize().enrollments); });
  registry.SetGauge("cohort_engine_cells", "User x exercise cells in the in-memory engine.",
                    [&service] { return static_cast<double>(service.EngineSize().cells); });
  registry.SetGauge("cohort_engine_touched_cells",
                    "User x exercise cells with at least one attempt (the ones stored).",
                    [&service] { return static_cast<double>(service.EngineSize().touched_cells); });
  registry.SetGauge("cohort_engine_bytes",
                    "Bytes held by the engine's enrollments (cells, weekly series, certificates).",
                    [&service] { return static_cast<double>(service.EngineSize().bytes); });
  registry.SetGauge("cohort_process_resident_memory_bytes",
                    "Resident memory of the process (engine included).", ResidentBytes);
  registry.SetGauge("cohort_open_connections", "Open connections on the public listener.",
                    [&server] { return static_cast<double>(server.open_connections()); });
  registry.SetGauge("cohort_build_info", "Always 1; the version is in the label.",
                    [] { return 1.0; }, {{"version", kVersion}});
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

int RunServe(const ServeOptions& options) {
  std::optional<HostPort> listen = ParseHostPort(options.listen);
  if (!listen) {
    std::cerr << "cohort: --listen must be host:port, e.g. 127.0.0.1:8080; got '"
              << options.listen << "'\n";
    return 1;
  }
  std::optional<HostPort> metrics_listen;
  if (!options.metrics_listen.empty()) {
    metrics_listen = ParseHostPort(options.metrics_listen);
    if (!metrics_listen) {
      std::cerr << "cohort: --metrics-listen must be host:port, e.g. 127.0.0.1:9464; got '"
                << options.metrics_listen << "'\n";
      return 1;
    }
  }
  // SIGTERM/SIGINT stay pending (not fatal) until the server waits for them, so a signal
  // during the rebuild still ends in a clean shutdown. Threads started from here inherit this.
  sigset_t shutdown_signals;
  sigemptyset(&shutdown_signals);
  sigaddset(&shutdown_signals, SIGINT);
  sigaddset(&shutdown_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &shutdown_signals, nullptr);
  spdlog::info(StructuredLog("starting")
                   .Add("version", kVersion)
                   .Add("db", store::MaskDbUri(options.db))
                   .Add("listen", options.listen)
                   .Add("metrics_listen", options.metrics_listen)
                   .Add("threads", std::int64_t{options.threads})
                   .Text());
  std::unique_ptr<store::Store> store = Open(options.db);
  if (!store) return 1;
  SystemClock clock;
  service::Service service(*store, clock);
  // Buffers of 4 MiB and more (request bodies up to the 32 MiB limit and their parse buffers)
  // are mapped for themselves and unmapped when freed. With glibc's default the threshold rises
  // to the size of each such buffer freed, and the next ones come from the heap arena of
  // whichever thread served them, where they stay resident: tens of MiB per thread after a few
  // large requests (HostileMemoryTest).
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  {
    const auto started = std::chrono::steady_clock::now();
    // A progress line on a terminal; with JSON logs, stderr carries log lines only.
    std::optional<Progress> progress;
    if (!LogsAreJson()) {
      progress.emplace("loading metrics from " + store::MaskDbUri(options.db));
      progress->Stage("accounts", 0);
    }
    Status rebuilt = service.Rebuild([&progress](std::size_t done, std::size_t total) {
      if (progress) progress->Update(done, total);
    });
    if (!rebuilt.ok()) {
      if (progress) progress->Finish("failed");
      spdlog::error(StructuredLog("rebuild failed").Add("error", rebuilt.ToString()).Text());
      return Fail(rebuilt);
    }
    // The rebuild frees far more than the engine keeps (decoded attempts, the store's pages);
    // glibc keeps freed heap mapped unless asked: at M, 10.7 GiB resident instead of 1.5.
    malloc_trim(0);
    const metrics::Engine::Size size = service.EngineSize();
    if (progress) {
      progress->Finish(fmt::format("{} accounts, {} users, {} enrollments, {} cells",
                                   size.accounts, size.users, size.enrollments, size.cells));
    }
    spdlog::info(
        StructuredLog("metrics loaded")
            .Add("accounts", static_cast<std::int64_t>(size.accounts))
            .Add("users", static_cast<std::int64_t>(size.users))
            .Add("enrollments", static_cast<std::int64_t>(size.enrollments))
            .Add("cells", static_cast<std::int64_t>(size.cells))
            .Add("duration_ms", std::chrono::duration<double, std::milli>(
                                    std::chrono::steady_clock::now() - started)
                                    .count())
            .Text());
  }
  MetricRegistry registry;
  service.SetMetrics(registry);
  http::Api api(service, &registry);
  const http::StaticFiles web({options.web_root, options.node_modules});
  if (!web.Available()) {
    spdlog::warn(StructuredLog("no web UI: index.html not found")
                     .Add("web_root", options.web_root)
                     .Text());
  }
  http::ServerOptions server_options;
  server_options.host = listen->host;
  server_options.port = listen->port;
  server_options.threads = options.threads;
  server_options.request_timeout_s = options.request_timeout_s;
  server_options.idle_timeout_s = options.idle_timeout_s;
  server_options.max_connections = options.max_connections;
  server_options.on_refused = http::CountRefused(registry);
  Result<std::unique_ptr<http::Server>> server = http::StartServer(
      server_options,
      http::Instrument(
          http::WithStaticFiles(
              web, [&api](const http::Request& request) { return api.Handle(request); }),
          registry));
  if (!server.ok()) {
    spdlog::error(StructuredLog("cannot listen").Add("error", server.status().ToString()).Text());
    return Fail(server.status());
  }
  http::Server& public_server = *server.value();
  RegisterGauges(registry, service, public_server);
  std::unique_ptr<http::Server> metrics_server;
  std::string metrics_note;
  if (metrics_listen) {
    http::ServerOptions metrics_options;
    metrics_options.host = metrics_listen->host;
    metrics_options.port = metrics_listen->port;
    metrics_options.threads = 1;
    metrics_options.max_connections = 64;
    Result<std::unique_ptr<http::Server>> started =
        http::StartServer(metrics_options, http::MetricsEndpoint(registry));
    if (!started.ok()) {
      spdlog::error(
          StructuredLog("cannot listen").Add("error", started.status().ToString()).Text());
      return Fail(started.status());
    }
    metrics_server = std::move(started).value();
    metrics_note = fmt::format("  (metrics on http://{}:{}/metrics)", metrics_options.host,
                               metrics_server->port());
  }
  // Over PostgreSQL, other nodes (and cohort import, demo, user create) commit too: follow the
  // change log from here on (a no-op on SQLite). /healthz answers 503 until the first poll.
  // Started once nothing can fail before the stop below, which ends it before the store goes.
  service.StartFollowing(std::chrono::milliseconds(10));
  spdlog::info(StructuredLog("listening")
                   .Add("address", fmt::format("{}:{}", server_options.host, public_server.port()))
                   .Add("metrics_address",
                        metrics_server ? fmt::format("{}:{}", metrics_listen->host,
                                                     metrics_server->port())
                                       : std::string())
                   .Add("db", store::MaskDbUri(options.db))
                   .Text());
  std::cout << fmt::format("Cohort is serving on http://{}:{}{}  (Ctrl-C stops it)\n",
                           server_options.host, public_server.port(), metrics_note)
            << std::flush;
  public_server.WaitForShutdownSignal();
  if (metrics_server) metrics_server->Stop();
  metrics_server.reset();
  server.value().reset();
  // The follow thread reads the store and counts into the registry: it stops before either goes.
  service.StopFollowing();
  store.reset();
  spdlog::info(StructuredLog("stopped").Text());
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
  // File i+1 is read and parsed on a second thread while file i is stored: parsing is a fifth
  // of the work and the machine has more than one core. Each file is still one transaction.
  struct Parsed {
    bool readable = false;
    Result<domain::WriteBatch> batch = Status::Internal("not parsed");
  };
  auto parse = [&clock](const std::string& file) {
    Parsed parsed;
    std::string text;
    if (!ReadFile(file, text)) return parsed;
    parsed.readable = true;
    const Instant now = clock.Now();
    parsed.batch = EndsWith(file, ".csv") || EndsWith(file, ".CSV")
                       ? ingest::ParseAttemptsCsv(text, now)
                       : ingest::ParseImportJson(text, now);
    return parsed;
  };
  std::future<Parsed> next;
  if (!files.empty()) next = std::async(std::launch::async, parse, files[0]);
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string& file = files[i];
    Progress progress(fmt::format("[{}/{}] {}", i + 1, files.size(), file));
    progress.Stage("parsing", 0);
    Parsed parsed = next.get();
    if (i + 1 < files.size()) next = std::async(std::launch::async, parse, files[i + 1]);
    if (!parsed.readable) {
      progress.Finish("cannot be read");
      ++failed;
      continue;
    }
    Result<domain::WriteBatch>& batch = parsed.batch;
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
  demo::DemoOptions demo;
  demo.account_key = options.account;
  demo.users = options.users;
  demo.courses = options.courses;
  demo.seed = options.seed;
  demo.until = Instant{clock.Now().ms / kMsPerDay * kMsPerDay};
  Progress progress("creating the demo organisation");
  progress.Stage("writing attempts", 0);
  Result<demo::DemoResult> result = demo::CreateDemoOrganisation(
      service, demo, [&progress](std::size_t done, std::size_t total) {
        progress.Update(done, total);
      });
  if (!result.ok()) {
    progress.Finish("failed");
    return Fail(result.status());
  }
  progress.Finish(fmt::format("{} attempts, {} responses", result->attempts, result->responses));
  std::ostringstream out;
  out << "Demo organisation '" << options.account << "' is in " << store::MaskDbUri(options.db)
      << ".\n";
  out << "Sign in (email / password):\n";
  for (const demo::DemoSignIn& s : result->sign_ins) {
    out << fmt::format("  {:<16} {:<32} {}\n", s.role, s.email, s.password);
  }
  out << "API token (read, ingest): " << result->ingest_token << "\n";
  std::cout << out.str();
  // Beside a SQLite file; a PostgreSQL database has no directory of ours to write it in.
  if (!store::IsPostgresUri(options.db)) std::ofstream(options.db + ".sign-in.txt") << out.str();
  return 0;
}

}  // namespace cohort::cli

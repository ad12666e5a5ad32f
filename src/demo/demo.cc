#include "demo/demo.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string_view>
#include <utility>
#include <vector>

#include "demo/generator.h"
#include "domain/validation.h"

// The demo organisation is simulated first (generator.h) and only then written through
// Service::Write, the path of HTTP ingest, in chronological chunks as an LMS would send it.
// Token secrets and password salts are random by design: they are the only differences between
// two databases made with the same options.

namespace cohort::demo {
namespace {

constexpr std::size_t kAttemptsPerWrite = 5'000;

// The generator's output passes the same rules as a request body would; a failure here is a
// bug in the generator, reported rather than written.
Status CheckGenerated(const DemoData& data, Instant until) {
  const auto first = [](std::string_view what, const std::string& key,
                        const std::vector<ErrorDetail>& problems) {
    return Status::Internal(fmt::format("the demo generator made an invalid {} '{}': {} {}", what,
                                        key, problems.front().pointer, problems.front().reason));
  };
  for (const domain::Group& g : data.setup.groups.items) {
    if (auto p = domain::ValidateGroup(g); !p.empty()) return first("group", g.key, p);
  }
  for (const domain::Course& c : data.setup.courses.items) {
    if (auto p = domain::ValidateCourse(c); !p.empty()) return first("course", c.key, p);
  }
  for (const domain::UserWrite& u : data.setup.users.items) {
    if (auto p = domain::ValidateUser(u.user); !p.empty()) return first("user", u.user.key, p);
  }
  for (const domain::Attempt& a : data.attempts) {
    if (auto p = domain::ValidateAttempt(a, until); !p.empty()) return first("attempt", a.id, p);
  }
  return Status();
}

}  // namespace

Result<DemoResult> CreateDemoOrganisation(
    service::Service& service, const DemoOptions& options,
    const std::function<void(std::size_t, std::size_t)>& progress) {
  if (options.users < 4 || options.users > 200'000) {
    return Status::Invalid(
        fmt::format("a demo needs 4-200000 users (one per sign-in role); got {}", options.users));
  }
  if (options.courses < 1 || options.courses > 100) {
    return Status::Invalid(fmt::format("a demo needs 1-100 courses; got {}", options.courses));
  }
  // Without a date, the history ends now (then two runs differ by their dates only).
  const Instant until = options.until.ms > 0 ? options.until : service.clock().Now();

  const auto account =
      service.CreateAccount({options.account_key, options.account_name, options.timezone});
  if (!account.ok()) return account.status();
  Result<service::Caller> caller = service.LocalAdmin(options.account_key);
  if (!caller.ok()) return caller.status();

  DemoData data = GenerateDemo(options, until);
  COHORT_RETURN_IF_ERROR(CheckGenerated(data, until));

  DemoResult result;
  result.sign_ins = std::move(data.sign_ins);
  Result<domain::WriteSummary> setup = service.Write(caller.value(), std::move(data.setup));
  if (!setup.ok()) return setup.status();

  const std::size_t total = data.attempts.size();
  if (progress) progress(0, total);
  for (std::size_t from = 0; from < total; from += kAttemptsPerWrite) {
    const std::size_t to = std::min(total, from + kAttemptsPerWrite);
    domain::WriteBatch chunk;
    chunk.attempts.origin = {"/attempts", true};
    chunk.attempts.items.assign(
        std::make_move_iterator(data.attempts.begin() + static_cast<std::ptrdiff_t>(from)),
        std::make_move_iterator(data.attempts.begin() + static_cast<std::ptrdiff_t>(to)));
    Result<domain::WriteSummary> written = service.Write(caller.value(), std::move(chunk));
    if (!written.ok()) return written.status();
    result.attempts += written->accepted;
    result.responses += written->responses;
    if (progress) progress(to, total);
  }

  domain::ScopeSet scopes;
  scopes.Add(domain::Scope::kRead);
  scopes.Add(domain::Scope::kIngest);
  Result<service::NewToken> token = service.CreateToken(options.account_key, "demo", scopes);
  if (!token.ok()) return token.status();
  result.ingest_token = std::move(token).value().secret;
  return result;
}

}  // namespace cohort::demo

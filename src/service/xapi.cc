// The Learning Record Store's use cases (docs/xapi.md): storing statements, mapping those that
// describe answers to exercises onto derived attempts, and reading statements back.
#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <map>
#include <limits>
#include <set>
#include <tuple>

#include "domain/user.h"
#include "domain/validation.h"
#include "service/service.h"
#include "service/xapi_keys.h"
#include "service/stored_attempts.h"
#include "store/store.h"
#include "xapi/statement.h"

namespace cohort::service {
namespace {

using xapi_keys::ActorHint;
using xapi_keys::Hex;

// Verbs whose statements describe an answer (docs/xapi.md, "Statements → attempts").
constexpr std::array<std::string_view, 3> kAnswerVerbs = {
    "http://adlnet.gov/expapi/verbs/answered",
    "http://adlnet.gov/expapi/verbs/responded",
    "https://w3id.org/xapi/acrossx/verbs/evaluated",
};
// An exercise's IRI: urn:cohort:exercise:<course key>/<exercise key>.
constexpr std::string_view kExerciseIriPrefix = "urn:cohort:exercise:";

std::optional<std::pair<std::string, std::string>> ExerciseOfIri(std::string_view iri) {
  if (!iri.starts_with(kExerciseIriPrefix)) return std::nullopt;
  iri.remove_prefix(kExerciseIriPrefix.size());
  const std::size_t slash = iri.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == iri.size()) {
    return std::nullopt;
  }
  return std::pair{std::string(iri.substr(0, slash)), std::string(iri.substr(slash + 1))};
}

// A random (version 4) UUID for a statement sent without an id.
std::string RandomUuid() {
  std::array<unsigned char, 16> b{};
  randombytes_buf(b.data(), b.size());
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  const std::string h = Hex(b.data(), b.size());
  return fmt::format("{}-{}-{}-{}-{}", h.substr(0, 8), h.substr(8, 4), h.substr(12, 4),
                     h.substr(16, 4), h.substr(20));
}

// The derived attempt's id: the same statements' grouping always gives the same id, so a
// re-sent statement lands in the same attempt.
std::string DerivedAttemptId(std::string_view user, std::string_view course,
                             std::string_view exercise, std::string_view registration,
                             std::string_view session) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 16);
  for (std::string_view part : {user, course, exercise, registration, session}) {
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                              part.size());
    const unsigned char separator = 0;
    crypto_generichash_update(&state, &separator, 1);
  }
  std::array<unsigned char, 16> digest{};
  crypto_generichash_final(&state, digest.data(), digest.size());
  return "xapi-" + Hex(digest.data(), digest.size());
}

bool IsAnswerVerb(std::string_view verb) {
  return std::find(kAnswerVerbs.begin(), kAnswerVerbs.end(), verb) != kAnswerVerbs.end();
}

// Where an answer statement counts.
struct Target {
  std::string user, course, exercise, attempt;
};

// One response of a derived attempt, with what orders it.
struct Answer {
  domain::Response response;
  std::int64_t seq = 0;  // storage order (new statements after every stored one)
  std::string id;
};

// Resolves statements against the account's people and catalog, caching per request.
class StatementMapper {
 public:
  StatementMapper(store::Store& store, const metrics::Engine& engine, const Caller& caller)
      : store_(store), engine_(engine), caller_(caller) {}

  // The user the actor names: account.name = a user key, or mbox = a user's email.
  std::optional<std::string> UserOf(const std::string& actor) {
    auto [it, inserted] = users_.try_emplace(actor);
    if (!inserted) return it->second;
    if (actor.starts_with("account:")) {
      const std::size_t space = actor.rfind(' ');
      const std::string name = actor.substr(space + 1);
      if (engine_.HasUser(caller_.account_key, name)) it->second = name;
    } else if (actor.starts_with("mbox:mailto:")) {
      const std::string email = actor.substr(std::string_view("mbox:mailto:").size());
      Result<std::vector<store::SignInCandidate>> found =
          store_.FindUsersByEmail(domain::FoldEmail(email));
      if (found.ok()) {
        for (const store::SignInCandidate& c : found.value()) {
          if (c.account.id == caller_.account) it->second = c.user.user.key;
        }
      }
    }
    return it->second;
  }

  // Where the statement counts, or nullopt (with the reason) when it is only stored.
  std::optional<Target> TargetOf(const xapi::Statement& s, std::string* reason) {
    if (!IsAnswerVerb(s.verb)) return Miss(reason, "not_an_answer");
    if (s.object_type != "Activity") return Miss(reason, "not_an_activity");
    if (!s.result || (!s.result->success && !s.result->scaled)) return Miss(reason, "no_outcome");
    std::optional<std::string> user = s.actor.empty() ? std::nullopt : UserOf(s.actor);
    if (!user) return Miss(reason, "unknown_actor");
    std::vector<std::string_view> candidates{s.object_id};
    for (const std::string& p : s.parents) candidates.push_back(p);
    for (const std::string& g : s.groupings) candidates.push_back(g);
    for (std::string_view iri : candidates) {
      std::optional<std::pair<std::string, std::string>> ex = ExerciseOfIri(iri);
      if (!ex) ex = engine_.ExerciseOfXapiId(caller_.account_key, iri);
      if (!ex || !engine_.ListsExercise(caller_.account_key, ex->first, ex->second)) continue;
      Target t{*user, ex->first, ex->second, ""};
      t.attempt = DerivedAttemptId(t.user, t.course, t.exercise, s.registration.value_or(""),
                                   s.session.value_or(""));
      return t;
    }
    return Miss(reason, "unknown_exercise");
  }

 private:
  static std::optional<Target> Miss(std::string* reason, const char* why) {
    if (reason != nullptr) *reason = why;
    return std::nullopt;
  }

  store::Store& store_;
  const metrics::Engine& engine_;
  const Caller& caller_;
  std::map<std::string, std::optional<std::string>> users_;
};

// The response a counted statement gives (docs/xapi.md): its outcome, hints, time and points.
domain::Response ResponseOf(const xapi::Statement& s, Instant fallback) {
  domain::Response r;
  r.question = s.object_id.size() <= domain::kMaxQuestionBytes
                   ? s.object_id
                   : s.object_id.substr(0, domain::kMaxQuestionBytes);
  const xapi::Statement::Outcome& o = *s.result;
  r.correct = o.success ? *o.success : (o.scaled && *o.scaled == 1.0);
  r.hints = std::clamp<std::int64_t>(o.hints.value_or(0), 0, domain::kMaxHints);
  r.time_ms = std::clamp<std::int64_t>(o.duration_ms.value_or(0), 0, domain::kMaxTimeMs);
  r.answered_at = s.timestamp.value_or(fallback);
  if (o.raw && *o.raw >= 0 && *o.raw <= static_cast<double>(domain::kMaxPoints) &&
      *o.raw == static_cast<double>(static_cast<std::int64_t>(*o.raw))) {
    r.points = static_cast<std::int64_t>(*o.raw);
  }
  return r;
}

// The attempt a derived attempt's answers make: responses in answer order, started at the
// first answer's time less its duration, finished at the last answer.
domain::Attempt AttemptOf(const Target& t, std::vector<Answer> answers) {
  std::sort(answers.begin(), answers.end(), [](const Answer& a, const Answer& b) {
    return std::tie(a.response.answered_at.ms, a.seq, a.id) <
           std::tie(b.response.answered_at.ms, b.seq, b.id);
  });
  domain::Attempt a;
  a.id = t.attempt;
  a.user = t.user;
  a.course = t.course;
  a.exercise = t.exercise;
  std::int64_t start = answers.front().response.answered_at.ms;
  for (const Answer& x : answers) {
    start = std::min(start, x.response.answered_at.ms - x.response.time_ms);
  }
  a.started_at = Instant{std::max<std::int64_t>(start, 0)};
  a.finished_at = answers.back().response.answered_at;
  if (answers.size() > domain::kMaxResponsesPerAttempt) {
    answers.resize(domain::kMaxResponsesPerAttempt);
    a.finished_at = answers.back().response.answered_at;
  }
  for (Answer& x : answers) a.responses.push_back(std::move(x.response));
  return a;
}

// Answers on their way into derived attempts: the attempts to build again, where each counts,
// and the answers of statements that start to count in them now.
struct Derivation {
  std::set<std::string> affected;
  std::map<std::string, Target> targets;
  std::map<std::string, std::vector<Answer>> answers;

  void Add(const Target& t, Answer answer) {
    affected.insert(t.attempt);
    targets.emplace(t.attempt, t);
    answers[t.attempt].push_back(std::move(answer));
  }
};

// Builds every affected derived attempt again from the statements stored for it (less those
// `voided`) and the new answers, into `batch`: a stored attempt is replaced, one left with no
// answer removed. Returns the responses counted.
Result<std::size_t> Derive(store::Store& store, StatementMapper& mapper, AccountId account,
                           Derivation d, const std::set<std::string>& voided, Instant now,
                           domain::WriteBatch& batch) {
  if (d.affected.empty()) return std::size_t{0};
  Result<std::vector<store::StoredStatement>> before = store.StatementsOfAttempts(
      account, std::vector<std::string>(d.affected.begin(), d.affected.end()));
  if (!before.ok()) return before.status();
  std::set<std::string> existed;
  for (const store::StoredStatement& st : before.value()) {
    existed.insert(*st.attempt);
    Result<xapi::Statement> p = xapi::ParseStatement(st.body);
    if (!p.ok()) {
      spdlog::error("xapi: stored statement {} no longer parses: {}", st.id,
                    p.status().ToString());
      continue;
    }
    std::optional<Target> t = mapper.TargetOf(p.value(), nullptr);
    if (!t || t->attempt != *st.attempt) continue;
    d.targets.emplace(t->attempt, *t);
    if (voided.contains(st.id)) continue;
    d.answers[*st.attempt].push_back({ResponseOf(p.value(), st.stored), st.seq, st.id});
  }
  std::size_t counted = 0;
  for (const std::string& id : d.affected) {
    auto t = d.targets.find(id);
    if (t == d.targets.end()) continue;
    if (existed.contains(id)) batch.attempts_replaced.push_back({id, t->second.user, t->second.course});
    auto a = d.answers.find(id);
    if (a == d.answers.end() || a->second.empty()) continue;
    domain::Attempt attempt = AttemptOf(t->second, std::move(a->second));
    std::vector<ErrorDetail> problems = domain::ValidateAttempt(attempt, now);
    if (!problems.empty()) {
      spdlog::info("xapi: derived attempt {} is not counted: {}", id, problems.front().reason);
      continue;
    }
    counted += attempt.responses.size();
    batch.attempts.items.push_back(std::move(attempt));
  }
  return counted;
}

// The agent key (xapi::AgentKey) of Authority(caller).
std::string AuthorityKey(const Caller& caller) {
  return fmt::format("account:urn:cohort:account:{} token-{}", caller.account_key,
                     caller.token_id.value);
}

std::string Authority(const Caller& caller) {
  return fmt::format(
      R"({{"objectType":"Agent","account":{{"homePage":"urn:cohort:account:{}","name":"token-{}"}}}})",
      caller.account_key, caller.token_id.value);
}

}  // namespace

Result<StatementsStored> Service::PostStatements(const Caller& caller, std::string_view body,
                                                 std::optional<std::string_view> put_id) {
  if (!caller.scopes.Allows(domain::Scope::kIngest)) return Denied(caller, "ingest");
  if (!store_.StoresStatements()) return Status::Unavailable(std::string(store::kNoStatementsHere));
  std::vector<xapi::Statement> parsed;
  if (put_id) {
    Result<xapi::Statement> one = xapi::ParseStatement(body);
    if (!one.ok()) return one.status();
    xapi::Statement s = std::move(one).value();
    if (!s.id.empty() && s.id != xapi::LowerUuid(*put_id)) {
      return Status::Malformed(fmt::format(
          "the statement's id '{}' differs from the statementId parameter '{}'", s.id, *put_id));
    }
    s.id = xapi::LowerUuid(*put_id);
    parsed.push_back(std::move(s));
  } else {
    Result<std::vector<xapi::Statement>> many = xapi::ParseStatements(body);
    if (!many.ok()) return many.status();
    parsed = std::move(many).value();
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    if (parsed[i].id.empty()) parsed[i].id = RandomUuid();
    if (!seen.insert(parsed[i].id).second) {
      return Status::Malformed(
          fmt::format("statement {} repeats the id '{}' of an earlier statement of the batch "
                      "(xAPI 1.0.3 §2.1.2)",
                      i, parsed[i].id));
    }
  }
  if (serving_) {
    MutexLock lock(write_mutex_);
    COHORT_RETURN_IF_ERROR(EnsureLoaded(caller.account, caller.account_key));
  }

  std::lock_guard statements_lock(statements_mu_);
  const Instant now = clock_.Now();
  const std::string authority = Authority(caller);
  const std::string authority_key = AuthorityKey(caller);
  StatementsStored out;
  for (const xapi::Statement& s : parsed) out.ids.push_back(s.id);

  // Idempotency: an id already stored is a no-op with the same content, else a conflict.
  Result<std::vector<store::StoredStatement>> existing =
      store_.FindStatements(caller.account, out.ids);
  if (!existing.ok()) return existing.status();
  std::map<std::string, const store::StoredStatement*> stored_by_id;
  for (const store::StoredStatement& e : existing.value()) stored_by_id[e.id] = &e;
  std::vector<const xapi::Statement*> fresh;
  for (const xapi::Statement& s : parsed) {
    auto it = stored_by_id.find(s.id);
    if (it == stored_by_id.end()) {
      fresh.push_back(&s);
      continue;
    }
    if (!xapi::SameStatement(it->second->body,
                             xapi::StoredForm(s, s.id, it->second->stored, authority))) {
      return Status::Conflict(fmt::format(
          "statement '{}' was already stored with different content (xAPI 1.0.3 §2.1.3)",
          s.id));
    }
  }

  // Voiding (xAPI 1.0.3 §2.3.2): the targets, stored or in this batch.
  std::set<std::string> voided;
  std::vector<std::string> targets;
  for (const xapi::Statement* s : fresh) {
    if (s->verb == xapi::kVoidedVerb) {
      if (s->object_type != "StatementRef") {
        return Status::Malformed(fmt::format(
            "statement '{}': a voiding statement's object must be a StatementRef "
            "(xAPI 1.0.3 §2.3.2)",
            s->id));
      }
      targets.push_back(s->object_id);
    }
  }
  std::map<std::string, store::StoredStatement> stored_targets;
  if (!targets.empty()) {
    Result<std::vector<store::StoredStatement>> found =
        store_.FindStatements(caller.account, targets);
    if (!found.ok()) return found.status();
    for (store::StoredStatement& t : found.value()) stored_targets[t.id] = std::move(t);
  }
  for (const std::string& target : targets) {
    std::optional<xapi::Statement> target_parsed;
    if (auto it = stored_targets.find(target); it != stored_targets.end()) {
      Result<xapi::Statement> p = xapi::ParseStatement(it->second.body);
      if (p.ok()) target_parsed = std::move(p).value();
      if (it->second.voided) continue;
    } else {
      auto in_batch = std::find_if(fresh.begin(), fresh.end(),
                                   [&](const xapi::Statement* f) { return f->id == target; });
      if (in_batch == fresh.end()) continue;  // unknown: nothing to void
      target_parsed = **in_batch;
    }
    if (target_parsed && target_parsed->verb == xapi::kVoidedVerb) {
      return Status::Malformed(fmt::format(
          "statement '{}' is a voiding statement and cannot be voided (xAPI 1.0.3 §2.3.2)",
          target));
    }
    voided.insert(target);
  }

  // Map the fresh statements onto derived attempts.
  StatementMapper mapper(store_, *engine_, caller);
  domain::WriteBatch batch;
  Derivation derivation;
  for (const std::string& target : voided) {
    if (auto it = stored_targets.find(target); it != stored_targets.end() && it->second.attempt) {
      derivation.affected.insert(*it->second.attempt);
    }
  }
  std::int64_t next_seq = std::numeric_limits<std::int64_t>::max() / 2;
  for (const xapi::Statement* s : fresh) {
    domain::StatementWrite w;
    w.id = s->id;
    w.body = xapi::StoredForm(*s, s->id, now, authority);
    w.stored = now;
    w.verb = s->verb;
    if (s->object_type == "Activity") w.activity = s->object_id;
    w.registration = s->registration;
    if (s->verb == xapi::kVoidedVerb) w.voids = s->object_id;
    if (!s->actor.empty()) {
      w.user = mapper.UserOf(s->actor);
      w.actor_hint = ActorHint(s->actor);
    }
    for (const std::string& a : s->agents) w.refs.emplace_back(domain::kRefAgent, a);
    for (const std::string& a : s->related_agents) w.refs.emplace_back(domain::kRefRelatedAgent, a);
    w.refs.emplace_back(domain::kRefRelatedAgent, authority_key);
    for (const std::string& a : s->related_activities) {
      w.refs.emplace_back(domain::kRefRelatedActivity, a);
    }
    if (voided.contains(s->id)) {
      w.outcome = "voided";
    } else if (std::optional<Target> t = mapper.TargetOf(*s, &w.outcome)) {
      w.attempt = t->attempt;
      w.outcome = "counted";
      derivation.Add(*t, {ResponseOf(*s, now), next_seq++, s->id});
    }
    CountStatement(w.outcome);
    batch.statements.items.push_back(std::move(w));
  }
  batch.statements_voided.assign(voided.begin(), voided.end());
  Result<std::size_t> counted =
      Derive(store_, mapper, caller.account, std::move(derivation), voided, now, batch);
  if (!counted.ok()) return counted.status();
  out.counted = counted.value();
  if (batch.empty()) return out;
  Result<domain::WriteSummary> written = Write(caller, std::move(batch));
  if (!written.ok()) return written.status();
  return out;
}

Status Service::RemapStatements(const Caller& caller, const std::vector<std::string>& actor_hints,
                                const std::vector<std::string>& activities) {
  if (!store_.StoresStatements() || (actor_hints.empty() && activities.empty())) return Status();
  std::lock_guard statements_lock(statements_mu_);
  Result<std::vector<store::StoredStatement>> waiting =
      store_.UnmappedStatements(caller.account, actor_hints, activities);
  if (!waiting.ok()) return waiting.status();
  if (waiting->empty()) return Status();
  StatementMapper mapper(store_, *engine_, caller);
  domain::WriteBatch batch;
  Derivation derivation;
  for (const store::StoredStatement& st : waiting.value()) {
    Result<xapi::Statement> p = xapi::ParseStatement(st.body);
    if (!p.ok()) continue;
    std::optional<Target> t = mapper.TargetOf(p.value(), nullptr);
    if (!t) continue;
    batch.statements_mapped.push_back({st.id, t->attempt, t->user});
    derivation.Add(*t, {ResponseOf(p.value(), st.stored), st.seq, st.id});
    CountStatement("counted_later");
  }
  if (batch.statements_mapped.empty()) return Status();
  Result<std::size_t> counted = Derive(store_, mapper, caller.account, std::move(derivation), {},
                                       clock_.Now(), batch);
  if (!counted.ok()) return counted.status();
  Result<domain::WriteSummary> written = Write(caller, std::move(batch));
  return written.ok() ? Status() : written.status();
}

void Service::CountStatement(const std::string& outcome) {
  if (registry_ == nullptr) return;
  registry_
      ->GetCounter("cohort_xapi_statements_total",
                   "xAPI statements stored, by outcome: counted (an answer that became a "
                   "response), counted_later (a person or exercise named came later), or why "
                   "it only is stored (docs/xapi.md).",
                   {{"outcome", outcome}})
      .Add();
}

Result<std::string> Service::GetStatement(const Caller& caller, std::string_view id, bool voided,
                                          std::string_view format,
                                          std::string_view accept_language) {
  if (!caller.scopes.Allows(domain::Scope::kRead)) return Denied(caller, "read");
  if (!store_.StoresStatements()) return Status::Unavailable(std::string(store::kNoStatementsHere));
  Result<std::vector<store::StoredStatement>> found =
      store_.FindStatements(caller.account, {xapi::LowerUuid(id)});
  if (!found.ok()) return found.status();
  if (found->empty() || found->front().voided != voided) {
    return Status::NotFound(fmt::format("no {}statement '{}'", voided ? "voided " : "", id));
  }
  const std::string& body = found->front().body;
  if (format == "ids") return xapi::IdsFormat(body);
  if (format == "canonical") return xapi::CanonicalFormat(body, accept_language);
  return body;
}

Result<StatementPage> Service::QueryStatements(const Caller& caller,
                                               const StatementFilter& filter) {
  if (!caller.scopes.Allows(domain::Scope::kRead)) return Denied(caller, "read");
  if (!store_.StoresStatements()) return Status::Unavailable(std::string(store::kNoStatementsHere));
  store::StatementQuery q;
  if (filter.agent) {
    Result<std::string> key = xapi::AgentKey(*filter.agent);
    if (!key.ok()) return key.status();
    q.agent = std::move(key).value();
  }
  q.related_agents = filter.related_agents;
  q.verb = filter.verb;
  q.activity = filter.activity;
  q.related_activities = filter.related_activities;
  if (filter.registration) q.registration = xapi::LowerUuid(*filter.registration);
  q.since = filter.since;
  q.until = filter.until;
  q.ascending = filter.ascending;
  q.after_seq = filter.after_seq;
  const std::size_t limit = filter.limit == 0 || filter.limit > kStatementPageLimit
                                ? kStatementPageLimit
                                : filter.limit;
  q.limit = limit + 1;
  Result<std::vector<store::StoredStatement>> found = store_.QueryStatements(caller.account, q);
  if (!found.ok()) return found.status();
  std::vector<store::StoredStatement> rows = std::move(found).value();
  StatementPage page;
  if (rows.size() > limit) {
    rows.resize(limit);
    page.more_after = rows.back().seq;
  }
  page.statements = "[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) page.statements += ',';
    const std::string& body = rows[i].body;
    if (filter.format == "ids") {
      page.statements += xapi::IdsFormat(body);
    } else if (filter.format == "canonical") {
      page.statements += xapi::CanonicalFormat(body, filter.accept_language);
    } else {
      page.statements += body;
    }
  }
  page.statements += ']';
  return page;
}

}  // namespace cohort::service

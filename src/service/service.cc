#include "service/service.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <set>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include "domain/key.h"
#include "service/secrets.h"
#include "service/shared_throttle.h"
#include "service/stored_attempts.h"
#include "store/store.h"

namespace cohort::service {
namespace {

using internal::EnsureSodium;

constexpr std::string_view kTokenPrefix = "coh_";

}  // namespace

namespace internal {

bool EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::string SecretDigest(std::string_view secret) {
  std::array<unsigned char, crypto_generichash_BYTES> digest{};
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                     nullptr, 0);
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

std::string NewSecret(std::string_view prefix) {
  std::array<unsigned char, 32> random{};
  randombytes_buf(random.data(), random.size());
  std::array<char, sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)> text{};
  sodium_bin2base64(text.data(), text.size(), random.data(), random.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string(prefix) + text.data();
}

}  // namespace internal

Result<std::string> HashPassword(std::string_view password) {
  if (!EnsureSodium()) return Status::Internal("libsodium failed to initialise");
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status::Unavailable("not enough memory to hash a password");
  }
  return std::string(out.data());
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (!EnsureSodium()) return false;
  const std::string h(hash);  // crypto_pwhash_str_verify needs a NUL-terminated string
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

Service::Service(store::Store& store, const Clock& clock)
    : store_(store),
      clock_(clock),
      stored_attempts_(std::make_unique<StoredAttempts>(store)),
      engine_(std::make_unique<metrics::Engine>(*stored_attempts_)),
      // Several processes over one database share the throttle's counts (N nodes must not
      // allow N times the guesses); one process over a SQLite file keeps them in memory.
      throttle_(store.KeepsChangeLog() ? NewStoreSignInThrottle(store)
                                       : NewMemorySignInThrottle()) {}

Service::~Service() { StopFollowing(); }

metrics::Engine::Size Service::EngineSize() const { return engine_->size(); }

Result<AccountId> Service::CreateAccount(const domain::Account& account) {
  std::vector<ErrorDetail> problems;
  if (!domain::IsValidKey(account.key)) {
    problems.push_back({std::nullopt, "/key",
                        fmt::format("'{}' is not a valid account key (1-128 bytes of A-Z a-z "
                                    "0-9 . _ -)",
                                    account.key)});
  }
  if (account.name.empty() || account.name.size() > 1024) {
    problems.push_back({std::nullopt, "/name", "the account name must be 1-1024 bytes"});
  }
  if (!TimeZone::Find(account.timezone)) {
    problems.push_back({std::nullopt, "/timezone",
                        fmt::format("'{}' is not an IANA time zone name", account.timezone)});
  }
  if (!problems.empty()) {
    const std::string first = problems.front().reason;
    return Status::Invalid(first, std::move(problems));
  }
  MutexLock lock(write_mutex_);
  Result<AccountId> id = store_.CreateAccount(account);
  if (id.ok() && serving_) engine_->PutAccount(id.value(), account);
  return id;
}

Result<NewToken> Service::CreateToken(std::string_view account_key, std::string_view name,
                                      domain::ScopeSet scopes) {
  if (!EnsureSodium()) return Status::Internal("libsodium failed to initialise");
  if (scopes.bits == 0) return Status::Invalid("a token needs at least one scope");
  if (name.size() > 200) return Status::Invalid("a token name is at most 200 bytes");
  Result<store::AccountRecord> account = store_.FindAccount(account_key);
  if (!account.ok()) return account.status();
  const std::string secret = internal::NewSecret(kTokenPrefix);
  Result<TokenId> id =
      store_.CreateToken(account->id, name, scopes, internal::SecretDigest(secret), clock_.Now());
  if (!id.ok()) return id.status();
  return NewToken{id.value(), secret};
}

Result<Caller> Service::Authenticate(std::string_view bearer_token) {
  if (!EnsureSodium()) return Status::Internal("libsodium failed to initialise");
  if (bearer_token.empty()) {
    return Status::Unauthenticated("sign in, or send an API token (Authorization: Bearer ...)");
  }
  if (!bearer_token.starts_with(kTokenPrefix) || bearer_token.size() > 200) {
    return Status::Unauthenticated("the API token is not valid");
  }
  Result<store::TokenRecord> token = store_.FindTokenByDigest(internal::SecretDigest(bearer_token));
  if (!token.ok()) {
    if (token.status().code() == ErrorCode::kNotFound) {
      return Status::Unauthenticated("the API token is not valid");
    }
    return token.status();
  }
  if (token->revoked_at) return Status::Unauthenticated("the API token has been revoked");
  // The token's row carries its account's key (one store read per request); a token cannot
  // outlive its account (foreign key).
  const Instant now = clock_.Now();
  if (!token->last_used_at || now.ms - token->last_used_at->ms >= kLastUseResolutionMs) {
    Status touched = store_.TouchToken(token->id, now);
    // Unavailable: the store is busy or failing (logged there); the next request tries again.
    if (!touched.ok() && touched.code() != ErrorCode::kUnavailable) {
      spdlog::warn("cannot record a token's use: {}", touched.ToString());
    }
  }
  return Caller{token->account, token->account_key, token->scopes, std::nullopt, token->id};
}

Result<Caller> Service::LocalAdmin(std::string_view account_key) {
  Result<store::AccountRecord> account = store_.FindAccount(account_key);
  if (!account.ok()) return account.status();
  domain::ScopeSet all;
  all.Add(domain::Scope::kAdmin);
  return Caller{account->id, account->account.key, all};
}

Result<domain::WriteSummary> Service::Write(const Caller& caller, domain::WriteBatch batch) {
  if (!caller.scopes.Allows(domain::Scope::kIngest)) return Denied(caller, "ingest");
  for (domain::UserWrite& w : batch.users.items) {
    if (!w.user.password) continue;
    if (!caller.scopes.Allows(domain::Scope::kAdmin)) {
      return Status::Forbidden("setting a password needs the 'admin' scope");
    }
    Result<std::string> hash = HashPassword(*w.user.password);
    if (!hash.ok()) return hash.status();
    w.password_hash = std::move(hash).value();
    w.user.password.reset();
  }
  // People or exercises that stored xAPI statements may be waiting for (RemapStatements).
  std::vector<std::string> actor_hints, activities;
  if (serving_ && store_.StoresStatements()) {
    for (const domain::UserWrite& w : batch.users.items) {
      actor_hints.push_back("key:" + w.user.key);
      if (!w.user.email.empty()) actor_hints.push_back("email:" + domain::FoldEmail(w.user.email));
    }
    for (const domain::Course& c : batch.courses.items) {
      for (const domain::ChapterDef& chapter : c.chapters) {
        for (const domain::ExerciseDef& e : chapter.exercises) {
          activities.push_back(fmt::format("urn:cohort:exercise:{}/{}", c.key, e.key));
          if (e.xapi_id) activities.push_back(*e.xapi_id);
        }
      }
    }
  }
  Result<domain::WriteSummary> answer = Commit(caller, std::move(batch));
  if (answer.ok() && (!actor_hints.empty() || !activities.empty())) {
    Status remapped = RemapStatements(caller, actor_hints, activities);
    if (!remapped.ok()) {
      spdlog::warn("xapi: stored statements could not be mapped after a write to account {}: {}",
                   caller.account_key, remapped.ToString());
    }
  }
  return answer;
}

Result<domain::WriteSummary> Service::Commit(const Caller& caller, domain::WriteBatch batch) {
  // Group commit: queue the batch; the first writer to find no leader commits what has queued
  // (its own batch among them, or ahead of it) and hands over; the others wait for their answer.
  PendingWrite mine{&caller, std::move(batch), std::nullopt};
  MutexLock lock(queue_mu_);
  queue_.push_back(&mine);
  ++pending_;
  while (true) {
    // The predicate runs with queue_mu_ held (the wait retakes it), which the analysis cannot
    // see through std::condition_variable.
    queue_changed_.wait(lock.unique(), [&]() NO_THREAD_SAFETY_ANALYSIS {
      return mine.answer.has_value() || !leading_;
    });
    if (mine.answer) {
      --pending_;
      return std::move(*mine.answer);
    }
    leading_ = true;
    const std::vector<PendingWrite*> group = TakeGroup();
    lock.Unlock();
    std::vector<Result<domain::WriteSummary>> answers = CommitGroup(group);
    lock.Lock();
    for (std::size_t i = 0; i < group.size(); ++i) group[i]->answer = std::move(answers[i]);
    leading_ = false;
    queue_changed_.notify_all();
  }
}

std::size_t Service::PendingWrites() {
  MutexLock lock(queue_mu_);
  return pending_;
}

namespace {

// A batch of attempts and nothing else: the only kind that shares a group (see TakeGroup).
bool AttemptsOnly(const domain::WriteBatch& b) {
  return b.groups.items.empty() && b.courses.items.empty() && b.users.items.empty() &&
         b.enrollments.items.empty() && b.enrollment_removals.items.empty() &&
         b.certifications.items.empty() && b.user_removals.empty() &&
         b.statements.items.empty() && b.statements_voided.empty() &&
         b.attempts_replaced.empty();
}

}  // namespace

std::vector<Service::PendingWrite*> Service::TakeGroup() {
  // Only batches of attempts alone share a group: CommitGroup hands the engine a group's
  // attempts as one batch, which keeps the engine's replays right (below); a batch with other
  // sections (catalog, people, removals) commits on its own, in its turn.
  std::vector<PendingWrite*> group;
  std::size_t attempts = 0;
  while (!queue_.empty() && group.size() < kGroupBatches) {
    const domain::WriteBatch& next = queue_.front()->batch;
    const bool shares = AttemptsOnly(next);
    if (!group.empty() && (!shares || attempts + next.attempts.items.size() > kGroupAttempts)) {
      break;
    }
    attempts += next.attempts.items.size();
    group.push_back(queue_.front());
    queue_.pop_front();
    if (!shares) break;
  }
  return group;
}

std::vector<Result<domain::WriteSummary>> Service::CommitGroup(
    const std::vector<PendingWrite*>& group) {
  std::vector<Result<domain::WriteSummary>> answers(
      group.size(), Result<domain::WriteSummary>(Status::Internal("the write was not applied")));
  try {
    MutexLock lock(write_mutex_);
    std::vector<store::GroupWrite> writes;
    std::vector<std::size_t> slots;  // writes[k] answers group[slots[k]]
    for (std::size_t i = 0; i < group.size(); ++i) {
      const Caller& caller = *group[i]->caller;
      if (serving_) {
        // An account created after the engine was built (e.g. by `cohort account create`), or
        // dropped after an apply failed: the engine must hold it before this write is applied.
        Status loaded = EnsureLoaded(caller.account, caller.account_key);
        if (!loaded.ok()) {
          answers[i] = loaded;
          continue;
        }
      }
      writes.push_back({caller.account, &group[i]->batch});
      slots.push_back(i);
    }
    if (writes.empty()) return answers;
    const Instant now = clock_.Now();
    const auto started = std::chrono::steady_clock::now();
    // With a change log the engine applies changes in the log's order whoever committed them
    // (ApplyToEngine catches up through the log when this change is not the next): the commit
    // need not hold the engine's writer, and the follower applies other nodes' changes
    // meanwhile. Without one, the commit and the apply stay together: the engine sees commit
    // order.
    std::optional<Result<std::vector<Result<domain::WriteSummary>>>> committed;
    if (store_.KeepsChangeLog()) {
      lock.Unlock();
      committed.emplace(store_.ApplyGroup(writes, now));
      lock.Lock();
    } else {
      committed.emplace(store_.ApplyGroup(writes, now));
    }
    Result<std::vector<Result<domain::WriteSummary>>>& done = *committed;
    if (store_write_seconds_ != nullptr) {
      store_write_seconds_->Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    if (!done.ok()) {
      // A fault of the store: nothing of the group was committed, every batch gets the error.
      if (done.status().code() == ErrorCode::kUnavailable && store_unavailable_ != nullptr) {
        store_unavailable_->Add(writes.size());
      }
      for (std::size_t slot : slots) answers[slot] = done.status();
      return answers;
    }
    for (std::size_t k = 0; k < writes.size(); ++k) answers[slots[k]] = std::move(done.value()[k]);
    // On the engine's own thread: views wait for its exclusive lock, so the apply runs at that
    // thread's priority, not the writers' lowered one (docs/decisions.md).
    engine_thread_.Run([&]() NO_THREAD_SAFETY_ANALYSIS {
      ApplyToEngine(group, slots, answers, now);  // this caller holds write_mutex_ meanwhile
    });
  } catch (const std::exception& e) {
    // Never leave the followers waiting: they get the kInternal set above.
    spdlog::error("a group commit failed with an exception: {}", e.what());
  }
  return answers;
}

void Service::ApplyToEngine(const std::vector<PendingWrite*>& group,
                            const std::vector<std::size_t>& slots,
                            std::vector<Result<domain::WriteSummary>>& answers, Instant now) {
  // Committed: now the engine, with only the attempts newly stored (a batch rolled back to
  // its savepoint is not seen by the engine either). The engine requires that the store holds
  // no more than the batch it applies beyond what it has seen: a late attempt makes it replay
  // that user × course from the store, which already holds the whole group. So a group's
  // batches (attempts only, TakeGroup) reach it as one batch per account, in commit order.
  struct ForEngine {
    const Caller* caller;
    domain::WriteBatch batch;
    std::vector<std::size_t> slots;  // the answers of the batches merged into it
    std::vector<std::size_t> parts;  // where each merged batch's attempts end
  };
  std::vector<ForEngine> for_engine;
  // With a change log, each account's write in this group is one change at seq `change_seq`;
  // the engine applies it here only when it is the next change of the account (and this
  // group made it: duplicates alone change nothing), else CatchUp reads what came between from
  // the log, this change included.
  struct Logged {
    std::int64_t change_seq = 0;
    bool changed = false;
  };
  std::map<std::string, Logged, std::less<>> logged;
  const bool log = store_.KeepsChangeLog();
  for (std::size_t slot : slots) {
    Result<domain::WriteSummary>& summary = answers[slot];
    PendingWrite& write = *group[slot];
    // An account the engine does not hold is loaded whole from the store when it is read.
    if (!summary.ok() || !engine_->HasAccount(write.caller->account_key)) continue;
    domain::WriteBatch& batch = write.batch;
    if (log) {
      Logged& l = logged[write.caller->account_key];
      l.change_seq = summary->change_seq;
      l.changed = l.changed || summary->accepted > 0 || !AttemptsOnly(batch);
    }
    std::vector<domain::Attempt> fresh;
    fresh.reserve(summary->new_attempts.size());
    for (std::uint32_t i : summary->new_attempts) {
      // A replaced attempt's new version is replayed with its user × course (below).
      const std::string& id = batch.attempts.items[i].id;
      if (std::any_of(batch.attempts_replaced.begin(), batch.attempts_replaced.end(),
                      [&](const domain::ReplacedAttempt& r) { return r.id == id; })) {
        continue;
      }
      fresh.push_back(std::move(batch.attempts.items[i]));
    }
    batch.attempts.items = std::move(fresh);
    const std::string& account = write.caller->account_key;
    auto same = std::find_if(for_engine.begin(), for_engine.end(),
                             [&](const ForEngine& e) { return e.caller->account_key == account; });
    if (same == for_engine.end()) {
      const std::size_t end = batch.attempts.items.size();
      for_engine.push_back({write.caller, std::move(batch), {slot}, {end}});
    } else {
      auto& into = same->batch.attempts.items;
      into.insert(into.end(), std::make_move_iterator(batch.attempts.items.begin()),
                  std::make_move_iterator(batch.attempts.items.end()));
      same->slots.push_back(slot);
      same->parts.push_back(into.size());
    }
  }
  for (ForEngine& e : for_engine) {
    const std::string& account = e.caller->account_key;
    Status applied;
    if (!log) {
      applied = engine_->Apply(account, e.batch, now, e.parts);
      if (applied.ok()) applied = ReplayReplaced(e.caller->account, account, e.batch);
    } else if (const Logged& l = logged[account]; l.changed) {
      if (Applied(account) + 1 == l.change_seq) {
        // Replays see the store as of this change, not what other nodes committed since.
        StoredAttempts::Through as_of(*stored_attempts_, l.change_seq);
        applied = engine_->Apply(account, e.batch, now, e.parts);
        if (applied.ok()) SetApplied(account, l.change_seq);
      } else {
        applied = CatchUp(e.caller->account, account, l.change_seq);
      }
    }
    if (applied.ok()) continue;
    SetApplied(account, std::nullopt);
    // Stored, but the engine could not follow (it has dropped the account, loaded again before
    // its next read or write). The caller retries: a re-post is counted once (SPEC §2).
    spdlog::warn("the metrics of account {} could not be updated after a commit ({}); they are "
                 "loaded again from the store on the next request",
                 e.caller->account_key, applied.ToString());
    if (engine_reloads_ != nullptr) engine_reloads_->Add();
    for (std::size_t slot : e.slots) {
      answers[slot] = Status::Unavailable(
          "the write is stored but the figures could not be updated: the store could not be "
          "read; retry (a re-sent attempt counts once)");
    }
  }
}

Status Service::ReplayReplaced(AccountId id, const std::string& account,
                               const domain::WriteBatch& batch) {
  std::set<std::pair<std::string, std::string>> pairs;
  for (const domain::ReplacedAttempt& r : batch.attempts_replaced) pairs.emplace(r.user, r.course);
  for (const auto& [user, course] : pairs) {
    Result<std::vector<domain::Attempt>> attempts = stored_attempts_->Load(id, user, course);
    if (!attempts.ok()) return attempts.status();
    engine_->Replay(account, user, course, attempts.value());
  }
  return Status();
}

void Service::SetMetrics(MetricRegistry& registry) {
  registry_ = &registry;
  engine_reloads_ = &registry.GetCounter(
      "cohort_engine_apply_failures_total",
      "Committed writes the engine could not apply because a replay could not read the store "
      "(the account is loaded again from the store).");
  store_write_seconds_ = &registry.GetHistogram(
      "cohort_store_write_duration_seconds",
      "Time of one store write transaction (BEGIN IMMEDIATE to durable COMMIT).", LatencyBuckets());
  store_unavailable_ = &registry.GetCounter(
      "cohort_store_unavailable_total",
      "Writes refused with 503 because the store could not write (disk full, read-only, locked "
      "by another process, I/O error).");
  if (!store_.KeepsChangeLog()) return;
  follow_errors_ = &registry.GetCounter(
      "cohort_follow_errors_total",
      "Polls of the store's change log that failed (the node retries; its lag grows).");
  follow_reloads_ = &registry.GetCounter(
      "cohort_follow_reloads_total",
      "Accounts loaded again from the store to follow a change other than attempts made by "
      "another process.");
  follow_applied_ = &registry.GetCounter(
      "cohort_follow_changes_total", "Changes committed by other processes applied from the log.");
  registry.SetGauge(
      "cohort_follow_lag_seconds",
      "Seconds since the start of the last poll after which this node had applied every change "
      "committed to the store (-1 before the first).",
      [this] { return FollowLagSeconds().value_or(-1.0); });
}

Status Service::RemoveUser(const Caller& caller, std::string_view user_key, bool erase) {
  if (!caller.scopes.Allows(domain::Scope::kIngest)) return Denied(caller, "ingest");
  Result<store::UserRecord> user = store_.FindUser(caller.account, user_key);
  if (!user.ok()) return user.status();
  domain::WriteBatch batch;
  batch.user_removals.push_back({std::string(user_key), erase});
  return Write(caller, std::move(batch)).status();
}

Status Service::RemoveEnrollment(const Caller& caller, std::string_view user_key,
                                 std::string_view course_key) {
  if (!caller.scopes.Allows(domain::Scope::kIngest)) return Denied(caller, "ingest");
  domain::WriteBatch batch;
  batch.enrollment_removals.origin = {"", false};
  batch.enrollment_removals.items.push_back(
      {std::string(user_key), std::string(course_key), std::nullopt});
  Status s = Write(caller, std::move(batch)).status();
  // The keys come from the path: an unknown one is a missing resource, not a bad body.
  if (s.code() == ErrorCode::kInvalid) return Status::NotFound(s.message());
  return s;
}

}  // namespace cohort::service

namespace cohort::service {

Status Service::Rebuild(const std::function<void(std::size_t, std::size_t)>& progress) {
  MutexLock lock(write_mutex_);
  serving_ = true;
  Result<std::vector<store::AccountRecord>> accounts = store_.ListAccounts();
  if (!accounts.ok()) return accounts.status();
  const std::size_t total = accounts->size();
  std::size_t done = 0;
  for (const store::AccountRecord& a : accounts.value()) {
    COHORT_RETURN_IF_ERROR(RebuildAccount(a));
    if (progress) progress(++done, total);
  }
  return Status();
}

Status Service::EnsureLoaded(AccountId id, std::string_view account_key) {
  if (engine_->HasAccount(account_key)) return Status();
  Result<store::AccountRecord> account = store_.FindAccount(account_key);
  if (!account.ok()) return account.status();
  if (account->id != id) return Status::NotFound("the account no longer exists");
  return RebuildAccount(account.value());
}

Status Service::RebuildAccount(const store::AccountRecord& a) {
  Status s = RebuildAccountOnce(a);
  if (!s.ok()) {
    engine_->DropAccount(a.account.key);
    SetApplied(a.account.key, std::nullopt);
  }
  return s;
}

Status Service::RebuildAccountOnce(const store::AccountRecord& a) {
  SetApplied(a.account.key, std::nullopt);
  engine_->DropAccount(a.account.key);
  engine_->PutAccount(a.id, a.account);
  // The catalog, enrollments and attempts come from one committed state, whose change seq the
  // engine is then at (store::Store::ReadAccountState). The head is applied on the reader's
  // thread, before it reads the first attempt.
  std::int64_t change_seq = 0;
  auto head = [&](store::AccountHead& state) -> Status {
    change_seq = state.change_seq;
    COHORT_RETURN_IF_ERROR(engine_->Apply(a.account.key, state.catalog, clock_.Now()));
    for (const store::EnrollmentRecord& e : state.enrollments) {
      engine_->SetEnrollment(a.account.key, e.user, e.course, e.enrolled_at, e.explicit_date);
    }
    return Status();
  };
  // The store reads and decodes on a second thread while this one replays what it has read:
  // each side is about half of a rebuild (docs/performance.md). At most kQueued user × course
  // groups wait between them. Replayed groups' vectors go back to the reader, which overwrites
  // them: the reader allocates (almost) nothing, and no memory it allocated is freed on this
  // thread (glibc's arena lock was a tenth of the reader's time when this thread freed them).
  struct Group {
    std::string user, course;
    std::vector<domain::Attempt> attempts;
  };
  constexpr std::size_t kQueued = 512;
  std::mutex mu;
  std::condition_variable changed;
  std::deque<Group> queue;
  std::vector<std::vector<domain::Attempt>> spare;
  bool done = false;
  Status scanned;
  std::thread reader([&] {
    Status s = store_.ReadAccountState(a.id, head, [&](const std::string& user,
                                                       const std::string& course,
                                                       std::vector<domain::Attempt>& attempts) {
      std::unique_lock lock(mu);
      changed.wait(lock, [&] { return queue.size() < kQueued; });
      const bool was_empty = queue.empty();
      queue.push_back({user, course, std::move(attempts)});
      attempts.clear();
      if (!spare.empty()) {
        attempts.swap(spare.back());
        spare.pop_back();
      }
      if (was_empty) changed.notify_all();
    });
    std::lock_guard lock(mu);
    spare.clear();  // freed here, where it was allocated; none comes back once `done`
    scanned = std::move(s);
    done = true;
    changed.notify_all();
  });
  std::vector<domain::Attempt> replayed;
  while (true) {
    std::unique_lock lock(mu);
    if (!done && !replayed.empty() && spare.size() < kQueued) spare.push_back(std::move(replayed));
    replayed.clear();
    changed.wait(lock, [&] { return done || !queue.empty(); });
    if (queue.empty()) break;
    Group group = std::move(queue.front());
    queue.pop_front();
    if (queue.size() + 1 == kQueued) changed.notify_all();  // the reader may wait for room
    lock.unlock();
    engine_->Replay(a.account.key, group.user, group.course, group.attempts);
    replayed = std::move(group.attempts);
  }
  reader.join();
  if (scanned.ok()) SetApplied(a.account.key, change_seq);
  return scanned;
}

}  // namespace cohort::service

// Several processes over one database (issue 17, docs/deployment.md): each account's engine
// state is at a change seq of the store's change log, and a thread follows the log.
#include <algorithm>
#include <chrono>
#include <limits>
#include <mutex>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "service/service.h"
#include "service/stored_attempts.h"
#include "store/store.h"

namespace cohort::service {
namespace {

// Changes read from the log at a time.
constexpr std::size_t kChangesPerRead = 1000;

std::int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What a change asks of the engine.
enum class Need { kNothing, kAttempts, kReload };

Need NeedOf(const store::ChangeRecord& change) {
  Need need = Need::kNothing;
  for (const std::string& kind : change.kinds) {
    if (kind == "attempts") {
      need = std::max(need, Need::kAttempts);
    } else if (kind != "tokens" && kind != "awards" && kind != "password") {
      return Need::kReload;  // catalog, people, enrollments, certifications, removals
    }
  }
  return need;
}

}  // namespace

bool Service::KeepsChangeLog() const { return store_.KeepsChangeLog(); }

std::int64_t Service::Applied(std::string_view account_key) const {
  std::lock_guard lock(seq_mu_);
  auto it = applied_.find(std::string(account_key));
  return it == applied_.end() ? 0 : it->second;
}

void Service::SetApplied(std::string_view account_key, std::optional<std::int64_t> seq) {
  {
    std::lock_guard lock(seq_mu_);
    if (seq) {
      applied_[std::string(account_key)] = *seq;
    } else {
      applied_.erase(std::string(account_key));
    }
  }
  seq_changed_.notify_all();
}

std::int64_t Service::AppliedSeq(const Caller& caller) const {
  return Applied(caller.account_key);
}

Status Service::WaitForSeq(const Caller& caller, std::int64_t seq,
                           std::chrono::milliseconds timeout) {
  if (!store_.KeepsChangeLog() || seq <= 0) return Status();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(seq_mu_);
  auto reached = [&] {
    auto it = applied_.find(caller.account_key);
    return it != applied_.end() && it->second >= seq;
  };
  if (reached()) return Status();
  {
    // Poll now rather than at the next tick.
    std::lock_guard wake(follow_mu_);
    poll_now_ = true;
  }
  follow_wake_.notify_all();
  if (seq_changed_.wait_until(lock, deadline, reached)) return Status();
  auto it = applied_.find(caller.account_key);
  return Status::Unavailable(fmt::format(
      "this node has not yet applied change {} of the account (it is at {}); retry",
      seq, it == applied_.end() ? 0 : it->second));
}

std::optional<double> Service::FollowLagSeconds() const {
  const std::int64_t at = caught_up_at_ns_.load();
  if (at < 0) return std::nullopt;
  return static_cast<double>(SteadyNs() - at) / 1e9;
}

Status Service::CatchUp(AccountId id, std::string_view account_key,
                        std::optional<std::int64_t> through) {
  const std::int64_t target = through.value_or(std::numeric_limits<std::int64_t>::max());
  while (true) {
    if (!engine_->HasAccount(account_key)) return EnsureLoaded(id, account_key);
    const std::int64_t applied = Applied(account_key);
    if (applied >= target) return Status();
    Result<std::vector<store::ChangeRecord>> changes =
        store_.ListChanges(id, applied, kChangesPerRead);
    if (!changes.ok()) return changes.status();
    if (changes->empty()) {
      if (!through) return Status();
      return Status::Internal(
          fmt::format("change {} of account {} is not in the log", target, account_key));
    }
    // The longest run of changes that need no reload, applied as one batch.
    std::vector<std::int64_t> rows;
    std::int64_t last = applied;
    bool reload = false;
    for (const store::ChangeRecord& change : changes.value()) {
      if (change.seq != last + 1) {
        return Status::Internal(fmt::format("the change log of account {} skips from {} to {}",
                                            account_key, last, change.seq));
      }
      if (NeedOf(change) == Need::kReload) {
        reload = true;
        break;
      }
      rows.insert(rows.end(), change.attempt_rows.begin(), change.attempt_rows.end());
      last = change.seq;
    }
    if (last > applied) {
      Result<std::vector<domain::Attempt>> attempts = store_.LoadAttemptRows(id, rows);
      if (!attempts.ok()) return attempts.status();
      domain::WriteBatch batch;
      batch.attempts.items = std::move(attempts).value();
      // Replays see the store as of `last`, not what other nodes committed since.
      StoredAttempts::Through as_of(*stored_attempts_, last);
      COHORT_RETURN_IF_ERROR(engine_->Apply(account_key, batch, clock_.Now()));
      SetApplied(account_key, last);
      if (follow_applied_ != nullptr) follow_applied_->Add(static_cast<std::uint64_t>(last - applied));
    }
    if (reload) {
      Result<store::AccountRecord> record = store_.FindAccount(account_key);
      if (!record.ok()) return record.status();
      COHORT_RETURN_IF_ERROR(RebuildAccount(record.value()));
      if (follow_reloads_ != nullptr) follow_reloads_->Add();
    }
  }
}

Status Service::FollowOnce() {
  Result<std::vector<store::AccountPosition>> positions = store_.ListAccountPositions();
  if (!positions.ok()) return positions.status();
  for (const store::AccountPosition& p : positions.value()) {
    const std::string& key = p.record.account.key;
    if (engine_->HasAccount(key) && Applied(key) >= p.change_seq) continue;
    MutexLock lock(write_mutex_);
    // A new account (created by another process) is loaded whole; a known one caught up.
    Status s = engine_->HasAccount(key) ? CatchUp(p.record.id, key, p.change_seq)
                                        : RebuildAccount(p.record);
    if (!s.ok()) return s;
  }
  return Status();
}

void Service::FollowLoop(std::chrono::milliseconds interval) {
  std::int64_t failures_in_a_row = 0;
  while (true) {
    {
      std::unique_lock lock(follow_mu_);
      follow_wake_.wait_for(lock, interval, [&] { return stop_following_ || poll_now_; });
      if (stop_following_) return;
      poll_now_ = false;
    }
    const std::int64_t started = SteadyNs();
    Status s;
    try {
      s = FollowOnce();
    } catch (const std::exception& e) {
      s = Status::Internal(e.what());
    }
    if (s.ok()) {
      caught_up_at_ns_ = started;
      if (failures_in_a_row > 0) {
        spdlog::info("following the change log again after {} failed polls", failures_in_a_row);
      }
      failures_in_a_row = 0;
      continue;
    }
    if (follow_errors_ != nullptr) follow_errors_->Add();
    // A log line for the first failure and then one every 250 polls (a few seconds).
    if (failures_in_a_row++ % 250 == 0) {
      spdlog::warn("following the change log failed ({}); retrying", s.ToString());
    }
  }
}

void Service::StartFollowing(std::chrono::milliseconds interval) {
  if (!store_.KeepsChangeLog() || follower_.joinable()) return;
  serving_ = true;
  follower_ = std::thread([this, interval] { FollowLoop(interval); });
}

void Service::StopFollowing() {
  {
    std::lock_guard lock(follow_mu_);
    stop_following_ = true;
  }
  follow_wake_.notify_all();
  if (follower_.joinable()) follower_.join();
}

}  // namespace cohort::service

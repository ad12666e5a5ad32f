// Sign-in, sessions, token administration and awards (SPEC §5, §3.6, §9): small reads on the
// reader connection, one-statement writes on the writer.
#include <fmt/format.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/store_side.h"

namespace cohort::store::sqlite {
namespace {

// How long a best-effort write (a token's or session's last use) waits for the writer: long
// enough for an ordinary batch to commit, short enough not to slow the read it comes with.
constexpr std::chrono::milliseconds kBestEffortWait(100);

// `mu` locked if it could be taken within `wait` (polled every millisecond), else unlocked.
std::unique_lock<std::mutex> LockWithin(std::mutex& mu, std::chrono::milliseconds wait) {
  std::unique_lock lock(mu, std::try_to_lock);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (!lock.owns_lock() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    lock.try_lock();
  }
  return lock;
}

// Steps through every row, collecting read(query) of each.
template <typename Read>
auto AllRows(Query& query, Read read) -> Result<std::vector<decltype(read(query))>> {
  std::vector<decltype(read(query))> out;
  while (true) {
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return out;
    out.push_back(read(query));
  }
}

// Collects column 0 of every row as text.
Result<std::vector<std::string>> Keys(Query& query) {
  return AllRows(query, [](const Query& q) { return q.Text(0); });
}

// Runs a write that RETURNING-s a row when it changed one: true when it did.
Result<bool> ChangedRow(Query& query) {
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  const bool changed = row.value();
  if (changed) {
    Result<bool> more = query.Step();  // finish the statement so the write completes
    if (!more.ok()) return more.status();
  }
  return changed;
}

// Runs a touch_* statement (?1 id, ?2 now): records a use, to the minute.
template <typename Tag>
Status Touch(Statement& statement, Id<Tag> id, Instant now) {
  Query query(statement);
  query.BindInt(1, id.value);
  query.BindInt(2, now.ms);
  return query.Run();
}

// Runs a revoke_* statement (?1 account, ?2 id, ?3 now → id when it revoked one). kNotFound
// naming `what` when the account has no such row to revoke.
template <typename Tag>
Status Revoke(Statement& statement, AccountId account, Id<Tag> id, Instant now, const char* what) {
  Query query(statement);
  query.BindInt(1, account.value);
  query.BindInt(2, id.value);
  query.BindInt(3, now.ms);
  Result<bool> changed = ChangedRow(query);
  if (!changed.ok()) return changed.status();
  if (!changed.value()) return Status::NotFound(fmt::format("{} {} is unknown", what, id.value));
  return Status();
}

// Reads find_award's columns.
AwardRecord ReadAward(const Query& query) {
  AwardRecord a;
  a.id = AwardId{query.Int(0)};
  a.user = query.Text(1);
  if (!query.IsNull(2)) a.course = query.Text(2);
  a.title = query.Text(3);
  a.note = query.Text(4);
  if (!query.IsNull(5)) a.granted_by = query.Text(5);
  a.granted_at = Instant{query.Int(6)};
  return a;
}

// The id of `key` by `statement` (?1 account, ?2 key → id), or nullopt when absent.
Result<std::optional<std::int64_t>> IdOf(Statement& statement, AccountId account,
                                         std::string_view key) {
  Query query(statement);
  query.BindInt(1, account.value);
  query.BindText(2, key);
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(query.Int(0));
}

}  // namespace

Result<std::vector<TokenRecord>> SqliteStore::ListTokens(AccountId account) {
  return Guarded("ListTokens", [&]() -> Result<std::vector<TokenRecord>> {
    std::lock_guard lock(read_mu_);
    Query query(reader_->auth.list_tokens);
    query.BindInt(1, account.value);
    return AllRows(query, ReadToken);
  });
}

Status SqliteStore::RevokeToken(AccountId account, TokenId token_id, Instant now) {
  return Guarded("RevokeToken", [&]() -> Status {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(WriterReady());
    return Revoke(writer_->auth.revoke_token, account, token_id, now, "token");
  });
}

Status SqliteStore::TouchToken(TokenId token_id, Instant now) {
  return Guarded("TouchToken", [&]() -> Status {
    // Best effort, with a read waiting on it: never queue behind a write (a batch may be
    // waiting out another process's lock) nor wait for the file's write lock.
    std::unique_lock lock = LockWithin(write_mu_, kBestEffortWait);
    if (!lock.owns_lock()) return Status::Unavailable("the store is busy writing");
    COHORT_RETURN_IF_ERROR(WriterReady());
    NoBusyWait no_wait(*writer_->connection);
    return Touch(writer_->auth.touch_token, token_id, now);
  });
}

Result<std::vector<SignInCandidate>> SqliteStore::FindUsersByEmail(std::string_view folded_email) {
  return Guarded("FindUsersByEmail", [&]() -> Result<std::vector<SignInCandidate>> {
    std::lock_guard lock(read_mu_);
    Result<std::vector<SignInCandidate>> found = [&] {
      Query query(reader_->auth.users_by_email);
      query.BindText(1, folded_email);
      return AllRows(query, [](const Query& q) {
        SignInCandidate c;
        c.account = {AccountId{q.Int(0)}, domain::Account{q.Text(1), q.Text(2), q.Text(3)}};
        c.user.id = UserId{q.Int(4)};
        c.user.user.key = q.Text(5);
        c.user.user.name = q.Text(6);
        c.user.user.email = q.Text(7);
        c.user.user.roles.bits = static_cast<std::uint8_t>(q.Int(8));
        c.user.user.active = q.Int(9) != 0;
        if (!q.IsNull(10)) c.user.password_hash = q.Text(10);
        return c;
      });
    }();
    if (!found.ok()) return found.status();
    std::vector<SignInCandidate> out = std::move(found).value();
    for (SignInCandidate& c : out) {
      Query query(reader_->auth.user_groups);
      query.BindInt(1, c.user.id.value);
      Result<std::vector<std::string>> groups = Keys(query);
      if (!groups.ok()) return groups.status();
      c.user.user.groups = std::move(groups).value();
    }
    return out;
  });
}

Result<SessionId> SqliteStore::CreateSession(AccountId account, UserId user_id,
                                             std::string_view secret_digest,
                                             std::string_view csrf_token, Instant now) {
  return Guarded("CreateSession", [&]() -> Result<SessionId> {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(WriterReady());
    Query query(writer_->auth.insert_session);
    query.BindInt(1, account.value);
    query.BindInt(2, user_id.value);
    query.BindBlob(3, secret_digest);
    query.BindText(4, csrf_token);
    query.BindInt(5, now.ms);
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return Status::Internal("the session was not stored");
    return SessionId{query.Int(0)};
  });
}

Result<SessionCaller> SqliteStore::LoadSessionCaller(std::string_view secret_digest) {
  return Guarded("LoadSessionCaller", [&]() -> Result<SessionCaller> {
    std::lock_guard lock(read_mu_);
    Query query(reader_->auth.load_session_caller);
    query.BindBlob(1, secret_digest);
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    // The session's row comes first (kind 0), or there is no row at all.
    if (!row.value() || query.Int(0) != 0) return Status::NotFound("no session has this secret");
    SessionCaller out;
    SessionRecord& s = out.session;
    s.user_key = query.Text(1);
    s.id = SessionId{query.Int(2)};
    s.account = AccountId{query.Int(3)};
    s.account_key = query.Text(4);
    s.user_id = UserId{query.Int(5)};
    s.csrf_token = query.Text(6);
    s.created_at = Instant{query.Int(7)};
    s.last_seen_at = Instant{query.Int(8)};
    out.roles.bits = static_cast<std::uint8_t>(query.Int(9));
    out.active = query.Int(10) != 0;
    while (true) {
      row = query.Step();
      if (!row.ok()) return row.status();
      if (!row.value()) return out;
      (query.Int(0) == 1 ? out.managed_groups : out.managed_members).push_back(query.Text(1));
    }
  });
}

Status SqliteStore::TouchSession(SessionId session_id, Instant now) {
  return Guarded("TouchSession", [&]() -> Status {
    // Best effort, with a read waiting on it: never queue behind a write (a batch may be
    // waiting out another process's lock) nor wait for the file's write lock.
    std::unique_lock lock = LockWithin(write_mu_, kBestEffortWait);
    if (!lock.owns_lock()) return Status::Unavailable("the store is busy writing");
    COHORT_RETURN_IF_ERROR(WriterReady());
    NoBusyWait no_wait(*writer_->connection);
    return Touch(writer_->auth.touch_session, session_id, now);
  });
}

Status SqliteStore::DeleteSession(SessionId session_id) {
  return Guarded("DeleteSession", [&]() -> Status {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(WriterReady());
    Query query(writer_->auth.delete_session);
    query.BindInt(1, session_id.value);
    return query.Run();
  });
}

Result<std::int64_t> SqliteStore::DeleteExpiredSessions(Instant idle_before,
                                                        Instant created_before) {
  return Guarded("DeleteExpiredSessions", [&]() -> Result<std::int64_t> {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(WriterReady());
    Query query(writer_->auth.delete_expired_sessions);
    query.BindInt(1, idle_before.ms);
    query.BindInt(2, created_before.ms);
    COHORT_RETURN_IF_ERROR(query.Run());
    return query.Changes();
  });
}

Status SqliteStore::SetPasswordHash(AccountId account, UserId user_id,
                                    std::string_view password_hash, SessionId keep_session) {
  return Guarded("SetPasswordHash", [&]() -> Status {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(WriterReady());
    WriteTransaction transaction(*writer_->connection);
    COHORT_RETURN_IF_ERROR(transaction.Begin());
    {
      Query query(writer_->auth.set_password_hash);
      query.BindInt(1, account.value);
      query.BindInt(2, user_id.value);
      query.BindText(3, password_hash);
      Result<bool> changed = ChangedRow(query);
      if (!changed.ok()) return changed.status();
      if (!changed.value()) return Status::NotFound("the user is unknown");
    }
    {
      Query query(writer_->auth.delete_other_sessions);
      query.BindInt(1, user_id.value);
      query.BindInt(2, keep_session.value);
      COHORT_RETURN_IF_ERROR(query.Run());
    }
    return transaction.Commit();
  });
}

Result<AwardId> SqliteStore::CreateAward(AccountId account, const NewAward& award, Instant now) {
  return Guarded("CreateAward", [&]() -> Result<AwardId> {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(WriterReady());
    AuthStatements& st = writer_->auth;
    Result<std::optional<std::int64_t>> user = IdOf(st.find_user_id, account, award.user);
    if (!user.ok()) return user.status();
    if (!user.value()) {
      const std::string reason = fmt::format("user '{}' is unknown", award.user);
      return Status::Invalid(reason, {{std::nullopt, "/user", reason}});
    }
    std::optional<std::int64_t> course_id;
    if (award.course) {
      Result<std::optional<std::int64_t>> course = IdOf(st.find_course_id, account, *award.course);
      if (!course.ok()) return course.status();
      if (!course.value()) {
        const std::string reason = fmt::format("course '{}' is unknown", *award.course);
        return Status::Invalid(reason, {{std::nullopt, "/course", reason}});
      }
      course_id = course.value();
      Query enrolled(st.is_enrolled);
      enrolled.BindInt(1, **user);
      enrolled.BindInt(2, *course_id);
      Result<bool> row = enrolled.Step();
      if (!row.ok()) return row.status();
      if (!row.value()) {
        // It would show nowhere: the user view of a course lists its enrolled users only.
        const std::string reason =
            fmt::format("user '{}' is not enrolled in '{}'", award.user, *award.course);
        return Status::Invalid(reason, {{std::nullopt, "/course", reason}});
      }
    }
    Query query(st.insert_award);
    query.BindInt(1, account.value);
    query.BindInt(2, **user);
    query.BindOptionalInt(3, course_id);
    query.BindText(4, award.title);
    query.BindText(5, award.note);
    query.BindOptionalInt(6,
                          award.granted_by ? std::optional(award.granted_by->value) : std::nullopt);
    query.BindInt(7, now.ms);
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return Status::Internal("the award was not stored");
    return AwardId{query.Int(0)};
  });
}

Result<AwardRecord> SqliteStore::FindAward(AccountId account, AwardId award_id) {
  return Guarded("FindAward", [&]() -> Result<AwardRecord> {
    std::lock_guard lock(read_mu_);
    Query query(reader_->auth.find_award);
    query.BindInt(1, account.value);
    query.BindInt(2, award_id.value);
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return Status::NotFound(fmt::format("award {} is unknown", award_id.value));
    return ReadAward(query);
  });
}

Status SqliteStore::RevokeAward(AccountId account, AwardId award_id, Instant now) {
  return Guarded("RevokeAward", [&]() -> Status {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(WriterReady());
    return Revoke(writer_->auth.revoke_award, account, award_id, now, "award");
  });
}

Result<std::vector<AwardRecord>> SqliteStore::ListAwards(
    AccountId account, std::string_view user_key, std::optional<std::string_view> course_key) {
  return Guarded("ListAwards", [&]() -> Result<std::vector<AwardRecord>> {
    std::lock_guard lock(read_mu_);
    Query query(reader_->auth.list_awards);
    query.BindInt(1, account.value);
    query.BindText(2, user_key);
    if (course_key) {
      query.BindText(3, *course_key);
    } else {
      query.BindNull(3);
    }
    return AllRows(query, ReadAward);
  });
}

}  // namespace cohort::store::sqlite

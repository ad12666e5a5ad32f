// Sign-in, sessions, token administration and awards on PostgreSQL (the twin of
// store/sqlite/sqlite_store_auth.cc): small reads on the reader, short writes on the writer.
#include <fmt/format.h>

#include <mutex>

#include "store/guarded.h"
#include "store/postgres/batch_writer.h"
#include "store/postgres/connection.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/statements.h"

namespace cohort::store::postgres {
namespace {

TokenRecord ReadToken(const Rows& rows, int r) {
  TokenRecord t;
  t.id = TokenId{rows.Int(r, 0)};
  t.account = AccountId{rows.Int(r, 1)};
  t.account_key = rows.Text(r, 2);
  t.name = rows.Text(r, 3);
  t.scopes.bits = static_cast<std::uint8_t>(rows.Int(r, 4));
  t.created_at = Instant{rows.Int(r, 5)};
  if (!rows.IsNull(r, 6)) t.revoked_at = Instant{rows.Int(r, 6)};
  if (!rows.IsNull(r, 7)) t.last_used_at = Instant{rows.Int(r, 7)};
  return t;
}

AwardRecord ReadAward(const Rows& rows, int r) {
  AwardRecord a;
  a.id = AwardId{rows.Int(r, 0)};
  a.user = rows.Text(r, 1);
  if (!rows.IsNull(r, 2)) a.course = rows.Text(r, 2);
  a.title = rows.Text(r, 3);
  a.note = rows.Text(r, 4);
  if (!rows.IsNull(r, 5)) a.granted_by = rows.Text(r, 5);
  a.granted_at = Instant{rows.Int(r, 6)};
  return a;
}

// The single id a write RETURNING-s, in a transaction that also records the account's change
// `kind`. nullopt when the write changed no row (then nothing is recorded).
Result<std::optional<std::int64_t>> WriteAndRecord(Connection& db, const Statement& statement,
                                                   const Params& params, AccountId account,
                                                   const char* kind) {
  Transaction transaction(db);
  COHORT_RETURN_IF_ERROR(transaction.Begin());
  Result<Rows> rows = db.Run(statement, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<std::int64_t>();
  const std::int64_t id = rows->Int(0, 0);
  COHORT_RETURN_IF_ERROR(BumpChangeSeq(db, account, kind).status());
  COHORT_RETURN_IF_ERROR(transaction.Commit());
  return std::optional<std::int64_t>(id);
}

}  // namespace

Result<TokenId> PgStore::CreateToken(AccountId account, std::string_view name,
                                     domain::ScopeSet scopes, std::string_view secret_digest,
                                     Instant now) {
  return Guarded("CreateToken", [&]() -> Result<TokenId> {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(writer_->Ready());
    Result<std::optional<std::int64_t>> id = WriteAndRecord(
        *writer_, sql::kInsertToken,
        Params().Int(account.value).Text(name).Hex(secret_digest).Int(scopes.bits).Int(now.ms),
        account, "tokens");
    if (!id.ok()) return id.status();
    if (!id.value()) return Status::Internal("the token was not stored");
    return TokenId{**id};
  });
}

Result<TokenRecord> PgStore::FindTokenByDigest(std::string_view secret_digest) {
  return Guarded("FindTokenByDigest", [&]() -> Result<TokenRecord> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Result<Rows> rows = reader_->Run(sql::kFindToken, Params().Hex(secret_digest));
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Status::NotFound("no token has this secret");
    return ReadToken(rows.value(), 0);
  });
}

Result<std::vector<TokenRecord>> PgStore::ListTokens(AccountId account) {
  return Guarded("ListTokens", [&]() -> Result<std::vector<TokenRecord>> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Result<Rows> rows = reader_->Run(sql::kListTokens, Params().Int(account.value));
    if (!rows.ok()) return rows.status();
    std::vector<TokenRecord> out;
    for (int r = 0; r < rows->size(); ++r) out.push_back(ReadToken(rows.value(), r));
    return out;
  });
}

Status PgStore::RevokeToken(AccountId account, TokenId token_id, Instant now) {
  return Guarded("RevokeToken", [&]() -> Status {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(writer_->Ready());
    Result<std::optional<std::int64_t>> id =
        WriteAndRecord(*writer_, sql::kRevokeToken,
                       Params().Int(account.value).Int(token_id.value).Int(now.ms), account,
                       "tokens");
    if (!id.ok()) return id.status();
    if (!id.value()) return Status::NotFound(fmt::format("token {} is unknown", token_id.value));
    return Status();
  });
}

// Best effort: when another write holds the writer, answers kUnavailable at once (the next
// use tries again) instead of making the read behind it wait.
Status PgStore::TouchToken(TokenId token_id, Instant now) {
  return Guarded("TouchToken", [&]() -> Status {
    std::unique_lock lock(write_mu_, std::try_to_lock);
    if (!lock.owns_lock()) return Status::Unavailable("the store is busy writing");
    COHORT_RETURN_IF_ERROR(writer_->Ready());
    return writer_->Run(sql::kTouchToken, Params().Int(token_id.value).Int(now.ms)).status();
  });
}

Result<std::vector<SignInCandidate>> PgStore::FindUsersByEmail(std::string_view folded_email) {
  return Guarded("FindUsersByEmail", [&]() -> Result<std::vector<SignInCandidate>> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Result<Rows> rows = reader_->Run(sql::kUsersByEmail, Params().Text(folded_email));
    if (!rows.ok()) return rows.status();
    std::vector<SignInCandidate> out;
    for (int r = 0; r < rows->size(); ++r) {
      SignInCandidate c;
      c.account = {AccountId{rows->Int(r, 0)},
                   domain::Account{rows->Text(r, 1), rows->Text(r, 2), rows->Text(r, 3)}};
      c.user.id = UserId{rows->Int(r, 4)};
      c.user.user.key = rows->Text(r, 5);
      c.user.user.name = rows->Text(r, 6);
      c.user.user.email = rows->Text(r, 7);
      c.user.user.roles.bits = static_cast<std::uint8_t>(rows->Int(r, 8));
      c.user.user.active = rows->Bool(r, 9);
      if (!rows->IsNull(r, 10)) c.user.password_hash = rows->Text(r, 10);
      Result<Rows> groups = reader_->Run(sql::kUserGroups, Params().Int(c.user.id.value));
      if (!groups.ok()) return groups.status();
      for (int g = 0; g < groups->size(); ++g) c.user.user.groups.push_back(groups->Text(g, 0));
      out.push_back(std::move(c));
    }
    return out;
  });
}

Result<SessionId> PgStore::CreateSession(AccountId account, UserId user_id,
                                         std::string_view secret_digest,
                                         std::string_view csrf_token, Instant now) {
  return Guarded("CreateSession", [&]() -> Result<SessionId> {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(writer_->Ready());
    Result<Rows> rows = writer_->Run(sql::kInsertSession, Params()
                                                              .Int(account.value)
                                                              .Int(user_id.value)
                                                              .Hex(secret_digest)
                                                              .Text(csrf_token)
                                                              .Int(now.ms));
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Status::Internal("the session was not stored");
    return SessionId{rows->Int(0, 0)};
  });
}

Result<SessionCaller> PgStore::LoadSessionCaller(std::string_view secret_digest) {
  return Guarded("LoadSessionCaller", [&]() -> Result<SessionCaller> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Result<Rows> rows = reader_->Run(sql::kLoadSessionCaller, Params().Hex(secret_digest));
    if (!rows.ok()) return rows.status();
    // The session's row comes first (kind 0), or there is no row at all.
    if (rows->empty() || rows->Int(0, 0) != 0) return Status::NotFound("no session has this secret");
    SessionCaller out;
    SessionRecord& s = out.session;
    s.user_key = rows->Text(0, 1);
    s.id = SessionId{rows->Int(0, 2)};
    s.account = AccountId{rows->Int(0, 3)};
    s.account_key = rows->Text(0, 4);
    s.user_id = UserId{rows->Int(0, 5)};
    s.csrf_token = rows->Text(0, 6);
    s.created_at = Instant{rows->Int(0, 7)};
    s.last_seen_at = Instant{rows->Int(0, 8)};
    out.roles.bits = static_cast<std::uint8_t>(rows->Int(0, 9));
    out.active = rows->Bool(0, 10);
    for (int r = 1; r < rows->size(); ++r) {
      (rows->Int(r, 0) == 1 ? out.managed_groups : out.managed_members).push_back(rows->Text(r, 1));
    }
    return out;
  });
}

Status PgStore::TouchSession(SessionId session_id, Instant now) {
  return Guarded("TouchSession", [&]() -> Status {
    std::unique_lock lock(write_mu_, std::try_to_lock);
    if (!lock.owns_lock()) return Status::Unavailable("the store is busy writing");
    COHORT_RETURN_IF_ERROR(writer_->Ready());
    return writer_->Run(sql::kTouchSession, Params().Int(session_id.value).Int(now.ms)).status();
  });
}

Status PgStore::DeleteSession(SessionId session_id) {
  return Guarded("DeleteSession", [&]() -> Status {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(writer_->Ready());
    return writer_->Run(sql::kDeleteSession, Params().Int(session_id.value)).status();
  });
}

Result<std::int64_t> PgStore::DeleteExpiredSessions(Instant idle_before, Instant created_before) {
  return Guarded("DeleteExpiredSessions", [&]() -> Result<std::int64_t> {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(writer_->Ready());
    Result<Rows> rows = writer_->Run(sql::kDeleteExpiredSessions,
                                     Params().Int(idle_before.ms).Int(created_before.ms));
    if (!rows.ok()) return rows.status();
    return rows->affected();
  });
}

Status PgStore::SetPasswordHash(AccountId account, UserId user_id, std::string_view password_hash,
                                SessionId keep_session) {
  return Guarded("SetPasswordHash", [&]() -> Status {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(writer_->Ready());
    Transaction transaction(*writer_);
    COHORT_RETURN_IF_ERROR(transaction.Begin());
    Result<Rows> changed = writer_->Run(
        sql::kSetPasswordHash, Params().Int(account.value).Int(user_id.value).Text(password_hash));
    if (!changed.ok()) return changed.status();
    if (changed->empty()) return Status::NotFound("the user is unknown");
    COHORT_RETURN_IF_ERROR(
        writer_->Run(sql::kDeleteOtherSessions,
                     Params().Int(user_id.value).Int(keep_session.value))
            .status());
    COHORT_RETURN_IF_ERROR(BumpChangeSeq(*writer_, account, "password").status());
    return transaction.Commit();
  });
}

Result<AwardId> PgStore::CreateAward(AccountId account, const NewAward& award, Instant now) {
  return Guarded("CreateAward", [&]() -> Result<AwardId> {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(writer_->Ready());
    Result<Rows> user = writer_->Run(sql::kFindUserId, Params().Int(account.value).Text(award.user));
    if (!user.ok()) return user.status();
    if (user->empty()) {
      const std::string reason = fmt::format("user '{}' is unknown", award.user);
      return Status::Invalid(reason, {{std::nullopt, "/user", reason}});
    }
    const std::int64_t user_id = user->Int(0, 0);
    std::optional<std::int64_t> course_id;
    if (award.course) {
      Result<Rows> course =
          writer_->Run(sql::kFindCourseId, Params().Int(account.value).Text(*award.course));
      if (!course.ok()) return course.status();
      if (course->empty()) {
        const std::string reason = fmt::format("course '{}' is unknown", *award.course);
        return Status::Invalid(reason, {{std::nullopt, "/course", reason}});
      }
      course_id = course->Int(0, 0);
      Result<Rows> enrolled = writer_->Run(sql::kIsEnrolled, Params().Int(user_id).Int(*course_id));
      if (!enrolled.ok()) return enrolled.status();
      if (enrolled->empty()) {
        // It would show nowhere: the user view of a course lists its enrolled users only.
        const std::string reason =
            fmt::format("user '{}' is not enrolled in '{}'", award.user, *award.course);
        return Status::Invalid(reason, {{std::nullopt, "/course", reason}});
      }
    }
    Result<std::optional<std::int64_t>> id = WriteAndRecord(
        *writer_, sql::kInsertAward,
        Params()
            .Int(account.value)
            .Int(user_id)
            .OptionalInt(course_id)
            .Text(award.title)
            .Text(award.note)
            .OptionalInt(award.granted_by ? std::optional(award.granted_by->value) : std::nullopt)
            .Int(now.ms),
        account, "awards");
    if (!id.ok()) return id.status();
    if (!id.value()) return Status::Internal("the award was not stored");
    return AwardId{**id};
  });
}

Result<AwardRecord> PgStore::FindAward(AccountId account, AwardId award_id) {
  return Guarded("FindAward", [&]() -> Result<AwardRecord> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Result<Rows> rows = reader_->Run(sql::kFindAward, Params().Int(account.value).Int(award_id.value));
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Status::NotFound(fmt::format("award {} is unknown", award_id.value));
    return ReadAward(rows.value(), 0);
  });
}

Status PgStore::RevokeAward(AccountId account, AwardId award_id, Instant now) {
  return Guarded("RevokeAward", [&]() -> Status {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(writer_->Ready());
    Result<std::optional<std::int64_t>> id =
        WriteAndRecord(*writer_, sql::kRevokeAward,
                       Params().Int(account.value).Int(award_id.value).Int(now.ms), account,
                       "awards");
    if (!id.ok()) return id.status();
    if (!id.value()) return Status::NotFound(fmt::format("award {} is unknown", award_id.value));
    return Status();
  });
}

Result<std::vector<AwardRecord>> PgStore::ListAwards(AccountId account, std::string_view user_key,
                                                     std::optional<std::string_view> course_key) {
  return Guarded("ListAwards", [&]() -> Result<std::vector<AwardRecord>> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Params params;
    params.Int(account.value).Text(user_key);
    if (course_key) {
      params.Text(*course_key);
    } else {
      params.Null();
    }
    Result<Rows> rows = reader_->Run(sql::kListAwards, params);
    if (!rows.ok()) return rows.status();
    std::vector<AwardRecord> out;
    for (int r = 0; r < rows->size(); ++r) out.push_back(ReadAward(rows.value(), r));
    return out;
  });
}

}  // namespace cohort::store::postgres

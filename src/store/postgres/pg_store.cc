#include "store/postgres/pg_store.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/guarded.h"
#include "store/postgres/batch_writer.h"
#include "store/postgres/connection.h"
#include "store/postgres/migrations.h"
#include "store/postgres/statements.h"

namespace cohort::store::postgres {
namespace {

AccountRecord ReadAccount(const Rows& rows, int r) {
  return {AccountId{rows.Int(r, 0)},
          domain::Account{rows.Text(r, 1), rows.Text(r, 2), rows.Text(r, 3)}};
}

// A batch's own failure, which rolls back that batch alone; anything else is a fault of the
// store and fails the whole group.
bool IsBatchError(const Status& s) {
  return s.code() == ErrorCode::kInvalid || s.code() == ErrorCode::kConflict ||
         s.code() == ErrorCode::kNotFound;
}

}  // namespace

Result<std::int64_t> BumpChangeSeq(Connection& connection, AccountId account,
                                   std::string_view kinds,
                                   const std::vector<std::int64_t>& attempt_rows) {
  Params params = Params().Int(account.value).Text(kinds);
  if (attempt_rows.empty()) {
    params.Null();
  } else {
    params.IntArray(attempt_rows);
  }
  Result<Rows> rows = connection.Run(sql::kBumpChangeSeq, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound(fmt::format("account {} is unknown", account.value));
  return rows->Int(0, 0);
}

namespace {

// "{1,2,3}" (a bigint[] as text) → its numbers; "" (NULL) → none.
std::vector<std::int64_t> ParseRowIds(std::string_view text) {
  std::vector<std::int64_t> out;
  std::int64_t value = 0;
  bool in_number = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      value = value * 10 + (c - '0');
      in_number = true;
    } else if (in_number) {
      out.push_back(value);
      value = 0;
      in_number = false;
    }
  }
  return out;
}

std::vector<std::string> SplitKinds(std::string_view joined) {
  std::vector<std::string> out;
  while (!joined.empty()) {
    const std::size_t comma = joined.find(',');
    out.emplace_back(joined.substr(0, comma));
    if (comma == std::string_view::npos) break;
    joined.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

PgStore::PgStore(std::unique_ptr<Connection> writer, std::unique_ptr<Connection> reader)
    : writer_(std::move(writer)), reader_(std::move(reader)) {}

PgStore::~PgStore() = default;

Result<std::unique_ptr<PgStore>> PgStore::Open(const std::string& uri, bool read_only) {
  return Guarded("open", [&]() -> Result<std::unique_ptr<PgStore>> {
    Result<std::unique_ptr<Connection>> writer = Connection::Open(uri);
    if (!writer.ok()) return writer.status();
    if (read_only) {
      Result<int> version = postgres::SchemaVersion(*writer.value());
      if (!version.ok()) return version.status();
      if (version.value() != postgres::LatestSchemaVersion()) {
        return Status::Unavailable(
            fmt::format("the database's schema is at version {}, this binary's is {}",
                        version.value(), postgres::LatestSchemaVersion()));
      }
    } else {
      COHORT_RETURN_IF_ERROR(Migrate(*writer.value()));
    }
    Result<std::unique_ptr<Connection>> reader = Connection::Open(uri);
    if (!reader.ok()) return reader.status();
    if (read_only) {
      COHORT_RETURN_IF_ERROR(writer.value()->Exec("SET default_transaction_read_only = on"));
      COHORT_RETURN_IF_ERROR(reader.value()->Exec("SET default_transaction_read_only = on"));
    }
    return std::unique_ptr<PgStore>(
        new PgStore(std::move(writer).value(), std::move(reader).value()));
  });
}

Result<AccountId> PgStore::CreateAccount(const domain::Account& account) {
  return Guarded("CreateAccount", [&]() -> Result<AccountId> {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(writer_->Ready());
    Result<Rows> rows = writer_->Run(
        sql::kInsertAccount, Params().Text(account.key).Text(account.name).Text(account.timezone));
    if (!rows.ok()) return rows.status();
    if (rows->empty()) {
      std::string reason = fmt::format("account '{}' already exists", account.key);
      return Status::Conflict(reason, {{std::nullopt, "/key", reason}});
    }
    return AccountId{rows->Int(0, 0)};
  });
}

Result<AccountRecord> PgStore::FindAccount(std::string_view key) {
  return Guarded("FindAccount", [&]() -> Result<AccountRecord> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Result<Rows> rows = reader_->Run(sql::kFindAccount, Params().Text(key));
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Status::NotFound(fmt::format("account '{}' is unknown", key));
    return ReadAccount(rows.value(), 0);
  });
}

Result<std::vector<AccountRecord>> PgStore::ListAccounts() {
  return Guarded("ListAccounts", [&]() -> Result<std::vector<AccountRecord>> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Result<Rows> rows = reader_->Run(sql::kListAccounts, {});
    if (!rows.ok()) return rows.status();
    std::vector<AccountRecord> out;
    for (int r = 0; r < rows->size(); ++r) out.push_back(ReadAccount(rows.value(), r));
    return out;
  });
}

Result<domain::WriteSummary> PgStore::Apply(AccountId account, const domain::WriteBatch& batch,
                                            Instant now) {
  Result<std::vector<Result<domain::WriteSummary>>> done = ApplyGroup({{account, &batch}}, now);
  if (!done.ok()) return done.status();
  return std::move(done).value().front();
}

Result<std::vector<Result<domain::WriteSummary>>> PgStore::ApplyGroup(
    const std::vector<GroupWrite>& writes, Instant now) {
  using Answers = std::vector<Result<domain::WriteSummary>>;
  return Guarded("Apply", [&]() -> Result<Answers> {
    Answers answers;
    answers.reserve(writes.size());
    bool any = false;
    for (const GroupWrite& w : writes) any = any || !w.batch->empty();
    if (!any) {
      for (std::size_t i = 0; i < writes.size(); ++i) answers.emplace_back(domain::WriteSummary{});
      return answers;
    }
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(writer_->Ready());
    Transaction transaction(*writer_);
    COHORT_RETURN_IF_ERROR(transaction.Begin());
    const bool alone = writes.size() == 1;
    // What each account's committed batches changed, for its change log: one change per account
    // per transaction, bumped in account order (two groups never wait on each other in a cycle).
    struct Change {
      std::set<std::string> kinds;
      std::vector<std::int64_t> attempt_rows;
    };
    std::map<std::int64_t, Change> changed;
    for (const GroupWrite& w : writes) {
      if (w.batch->empty()) {
        answers.emplace_back(domain::WriteSummary{});
        continue;
      }
      if (!alone) COHORT_RETURN_IF_ERROR(writer_->Exec("SAVEPOINT batch"));
      BatchWriter writer(*writer_, w.account, now);
      Result<domain::WriteSummary> summary = writer.Run(*w.batch);
      if (!summary.ok() && !IsBatchError(summary.status())) return summary.status();
      if (!alone) {
        if (!summary.ok()) COHORT_RETURN_IF_ERROR(writer_->Exec("ROLLBACK TO SAVEPOINT batch"));
        COHORT_RETURN_IF_ERROR(writer_->Exec("RELEASE SAVEPOINT batch"));
      }
      // A batch of attempts that were all stored before changes nothing.
      const std::vector<std::string> kinds = BatchWriter::Kinds(*w.batch);
      const bool only_duplicates =
          summary.ok() && summary->accepted == 0 && kinds == std::vector<std::string>{"attempts"};
      if (summary.ok() && !only_duplicates) {
        Change& change = changed[w.account.value];
        change.kinds.insert(kinds.begin(), kinds.end());
        const std::vector<std::int64_t>& rows = writer.inserted_rows();
        change.attempt_rows.insert(change.attempt_rows.end(), rows.begin(), rows.end());
      }
      answers.push_back(std::move(summary));
    }
    std::map<std::int64_t, std::int64_t> seqs;  // account → its seq after this transaction
    for (const auto& [account, change] : changed) {
      std::string joined;
      for (const std::string& k : change.kinds) joined += (joined.empty() ? "" : ",") + k;
      Result<std::int64_t> seq =
          BumpChangeSeq(*writer_, AccountId{account}, joined, change.attempt_rows);
      if (!seq.ok()) return seq.status();
      seqs[account] = seq.value();
    }
    // A write that changed nothing (duplicates only) is answered the account's current seq: the
    // change that stored its attempts is at or before it.
    for (std::size_t i = 0; i < writes.size(); ++i) {
      if (!answers[i].ok() || writes[i].batch->empty()) continue;
      auto [it, added] = seqs.try_emplace(writes[i].account.value, 0);
      if (added) {
        Result<Rows> current =
            writer_->Run(sql::kChangeSeq, Params().Int(writes[i].account.value));
        if (!current.ok()) return current.status();
        if (!current->empty()) it->second = current->Int(0, 0);
      }
      answers[i].value().change_seq = it->second;
    }
    if (changed.empty()) return answers;  // nothing to keep: rolled back by `transaction`
    COHORT_RETURN_IF_ERROR(transaction.Commit());
    return answers;
  });
}

Result<UserRecord> PgStore::FindUser(AccountId account, std::string_view user_key) {
  return Guarded("FindUser", [&]() -> Result<UserRecord> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Result<Rows> rows = reader_->Run(sql::kFindUser, Params().Int(account.value).Text(user_key));
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Status::NotFound(fmt::format("user '{}' is unknown", user_key));
    UserRecord record;
    record.id = UserId{rows->Int(0, 0)};
    record.user.key = std::string(user_key);
    record.user.name = rows->Text(0, 1);
    record.user.email = rows->Text(0, 2);
    record.user.roles.bits = static_cast<std::uint8_t>(rows->Int(0, 3));
    record.user.active = rows->Bool(0, 4);
    if (!rows->IsNull(0, 5)) record.password_hash = rows->Text(0, 5);
    Result<Rows> groups = reader_->Run(sql::kUserGroups, Params().Int(record.id.value));
    if (!groups.ok()) return groups.status();
    for (int r = 0; r < groups->size(); ++r) record.user.groups.push_back(groups->Text(r, 0));
    return record;
  });
}

Result<domain::Attempt> PgStore::GetAttempt(AccountId account, std::string_view attempt_id) {
  return Guarded("GetAttempt", [&]() -> Result<domain::Attempt> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Result<std::optional<domain::Attempt>> attempt = LoadAttempt(*reader_, account, attempt_id);
    if (!attempt.ok()) return attempt.status();
    if (!attempt.value()) {
      return Status::NotFound(fmt::format("attempt '{}' is unknown", attempt_id));
    }
    return std::move(*std::move(attempt).value());
  });
}

Result<TableCounts> PgStore::Counts(AccountId account) {
  return Guarded("Counts", [&]() -> Result<TableCounts> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Result<Rows> rows = reader_->Run(sql::kCounts, Params().Int(account.value));
    if (!rows.ok()) return rows.status();
    TableCounts c;
    int column = 0;
    for (std::int64_t* field :
         {&c.users, &c.groups, &c.group_members, &c.group_managers, &c.courses, &c.chapters,
          &c.exercises, &c.enrollments, &c.attempts, &c.responses}) {
      *field = rows->Int(0, column++);
    }
    return c;
  });
}

Result<std::int64_t> PgStore::ChangeSeq(AccountId account) {
  return Guarded("ChangeSeq", [&]() -> Result<std::int64_t> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Result<Rows> rows = reader_->Run(sql::kChangeSeq, Params().Int(account.value));
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Status::NotFound("the account is unknown");
    return rows->Int(0, 0);
  });
}

Result<std::vector<AccountPosition>> PgStore::ListAccountPositions() {
  return Guarded("ListAccountPositions", [&]() -> Result<std::vector<AccountPosition>> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Result<Rows> rows = reader_->Run(sql::kListAccountPositions, {});
    if (!rows.ok()) return rows.status();
    std::vector<AccountPosition> out;
    out.reserve(static_cast<std::size_t>(rows->size()));
    for (int r = 0; r < rows->size(); ++r) {
      out.push_back({ReadAccount(rows.value(), r), rows->Int(r, 4)});
    }
    return out;
  });
}

Result<std::vector<ChangeRecord>> PgStore::ListChanges(AccountId account, std::int64_t after,
                                                      std::size_t limit) {
  return Guarded("ListChanges", [&]() -> Result<std::vector<ChangeRecord>> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Result<Rows> rows =
        reader_->Run(sql::kListChanges, Params().Int(account.value).Int(after).Int(
                                            static_cast<std::int64_t>(limit)));
    if (!rows.ok()) return rows.status();
    std::vector<ChangeRecord> out;
    out.reserve(static_cast<std::size_t>(rows->size()));
    for (int r = 0; r < rows->size(); ++r) {
      out.push_back({rows->Int(r, 0), SplitKinds(rows->TextView(r, 1)),
                     rows->IsNull(r, 2) ? std::vector<std::int64_t>()
                                        : ParseRowIds(rows->TextView(r, 2))});
    }
    return out;
  });
}

Result<std::vector<ThrottleRecord>> PgStore::ReadThrottle(const std::vector<std::string>& keys) {
  return Guarded("ReadThrottle", [&]() -> Result<std::vector<ThrottleRecord>> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    Result<Rows> rows = reader_->Run(sql::kReadThrottle, Params().TextArray(keys));
    if (!rows.ok()) return rows.status();
    std::vector<ThrottleRecord> out;
    for (int r = 0; r < rows->size(); ++r) {
      out.push_back({rows->Text(r, 0), rows->Int(r, 1), rows->Int(r, 2), rows->OptionalInt(r, 3)});
    }
    return out;
  });
}

Status PgStore::AddThrottleFailures(const std::vector<std::string>& keys, Instant now,
                                    std::int64_t forget_ms, std::int64_t known_ms) {
  return Guarded("AddThrottleFailures", [&]() -> Status {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(writer_->Ready());
    Result<Rows> rows = writer_->Run(
        sql::kAddThrottleFailures, Params().TextArray(keys).Int(now.ms).Int(forget_ms));
    if (!rows.ok()) return rows.status();
    // Now and then, rows that hold no one back any more go (they are digests, kept a day).
    if (++throttle_writes_ % 256 == 0) {
      Result<Rows> pruned =
          writer_->Run(sql::kPruneThrottle, Params().Int(now.ms - forget_ms).Int(now.ms - known_ms));
      if (!pruned.ok()) return pruned.status();
    }
    return Status();
  });
}

Status PgStore::SetThrottleKnown(const std::string& key, Instant now) {
  return Guarded("SetThrottleKnown", [&]() -> Status {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(writer_->Ready());
    return writer_->Run(sql::kSetThrottleKnown, Params().Text(key).Int(now.ms)).status();
  });
}

Status PgStore::Backup(const std::string&) {
  return Status::Unavailable(std::string(kPostgresBackupAdvice));
}

Result<std::vector<std::string>> PgStore::IntegrityCheck() {
  return Guarded("IntegrityCheck", [&]() -> Result<std::vector<std::string>> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    std::vector<std::string> problems;
    Result<Rows> logs = reader_->Query(
        "SELECT a.key, a.change_seq, count(c.seq), coalesce(max(c.seq), 0) FROM accounts a "
        "LEFT JOIN account_changes c ON c.account_id = a.id GROUP BY a.id "
        "HAVING a.change_seq <> count(c.seq) OR a.change_seq <> coalesce(max(c.seq), 0) "
        "ORDER BY a.key COLLATE \"C\"",
        {});
    if (!logs.ok()) return logs.status();
    for (int r = 0; r < logs->size(); ++r) {
      problems.push_back(fmt::format(
          "account '{}': change_seq is {} but its change log holds {} changes up to {}",
          logs->Text(r, 0), logs->Int(r, 1), logs->Int(r, 2), logs->Int(r, 3)));
    }
    Result<Rows> responses = reader_->Query(
        "SELECT a.client_id FROM attempts a WHERE json_typeof(a.responses::json) <> 'array' "
        "LIMIT 20",
        {});
    if (!responses.ok()) {
      problems.push_back("an attempt's responses are not JSON");
      return problems;
    }
    for (int r = 0; r < responses->size(); ++r) {
      problems.push_back(
          fmt::format("attempt '{}': its responses are not an array", responses->Text(r, 0)));
    }
    return problems;
  });
}

Result<int> PgStore::SchemaVersion() {
  return Guarded("SchemaVersion", [&]() -> Result<int> {
    std::lock_guard lock(read_mu_);
    COHORT_RETURN_IF_ERROR(reader_->Ready());
    return postgres::SchemaVersion(*reader_);
  });
}

int PgStore::LatestSchemaVersion() const { return postgres::LatestSchemaVersion(); }

}  // namespace cohort::store::postgres

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/store_side.h"

#include <exception>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/sqlite/batch_writer.h"
#include "store/sqlite/checkpointer.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/statements.h"

namespace cohort::store::sqlite {


namespace {

AccountRecord ReadAccount(const Query& query) {
  return {AccountId{query.Int(0)}, domain::Account{query.Text(1), query.Text(2), query.Text(3)}};
}

// Reads find_course's columns from 2 on.
domain::CourseSettings ReadSettings(const Query& query) {
  domain::CourseSettings s;
  s.mastery_model =
      query.Text(2) == "bkt" ? domain::MasteryModel::kBkt : domain::MasteryModel::kRecent;
  s.mastery_window = static_cast<int>(query.Int(3));
  s.mastery_threshold = query.OptionalDouble(4);
  s.p_init = query.Double(5);
  s.p_learn = query.Double(6);
  s.p_guess = query.Double(7);
  s.p_slip = query.Double(8);
  s.points_per_question = static_cast<int>(query.Int(9));
  s.max_attempt_seconds = static_cast<int>(query.Int(10));
  s.certification_mastery = query.Double(11);
  if (!query.IsNull(12)) s.certification_valid_days = static_cast<int>(query.Int(12));
  s.at_risk_days = static_cast<int>(query.Int(13));
  return s;
}

// The course row's id, title and settings; nullopt when absent.
Result<std::optional<std::pair<std::int64_t, domain::Course>>> FindCourseRow(Statements& st,
                                                                             AccountId account,
                                                                             std::string_view key) {
  Query query(st.find_course);
  query.BindInt(1, account.value);
  query.BindText(2, key);
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<std::pair<std::int64_t, domain::Course>>();
  domain::Course course;
  course.key = std::string(key);
  course.title = query.Text(1);
  course.settings = ReadSettings(query);
  return std::optional(std::pair(query.Int(0), std::move(course)));
}

}  // namespace

SqliteStore::SqliteStore(std::string path, int busy_timeout_ms, std::unique_ptr<Side> writer,
                         std::unique_ptr<Side> reader)
    : path_(std::move(path)),
      busy_timeout_ms_(busy_timeout_ms),
      writer_(std::move(writer)),
      reader_(std::move(reader)) {
  StartCheckpointer();
}

void SqliteStore::StartCheckpointer() {
  if (writer_->connection->read_only()) return;
  if (!checkpointer_) checkpointer_ = std::make_unique<Checkpointer>(path_, busy_timeout_ms_);
  checkpointer_->Attach(*writer_->connection);
}

long SqliteStore::BackgroundCheckpoints() {
  return checkpointer_ ? checkpointer_->checkpoints() : 0;
}

Status SqliteStore::WriterReady() {
  if (!writer_->connection->read_only()) return Status();
  const auto now = std::chrono::steady_clock::now();
  if (now < next_reopen_) return Status::Unavailable("the database is read-only");
  next_reopen_ = now + std::chrono::milliseconds(250);
  Result<std::unique_ptr<Side>> reopened = OpenSide(path_, false, busy_timeout_ms_);
  if (!reopened.ok()) return reopened.status();
  if (reopened.value()->connection->read_only()) {
    return Status::Unavailable("the database is read-only");
  }
  // The reader was opened while the disk was read-only too (immutable: it would never see a
  // write); the new writer has switched the file to WAL mode again, so a new reader follows.
  Result<std::unique_ptr<Side>> reader = OpenSide(path_, true, busy_timeout_ms_);
  if (!reader.ok()) return reader.status();
  writer_ = std::move(reopened).value();
  StartCheckpointer();
  {
    std::lock_guard lock(read_mu_);
    reader_ = std::move(reader).value();
  }
  spdlog::info("sqlite: the database is writable again; writes resume");
  return Status();
}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore::Side>> SqliteStore::OpenSide(const std::string& path,
                                                                 bool read_only,
                                                                 int busy_timeout_ms) {
  Result<std::unique_ptr<Connection>> connection =
      Connection::Open(path, {.read_only = read_only, .busy_timeout_ms = busy_timeout_ms});
  if (!connection.ok()) return connection.status();
  if (!read_only) COHORT_RETURN_IF_ERROR(Migrate(*connection.value()));
  auto side = std::make_unique<SqliteStore::Side>();
  side->connection = std::move(connection).value();
  COHORT_RETURN_IF_ERROR(side->statements.Prepare(*side->connection));
  COHORT_RETURN_IF_ERROR(side->auth.Prepare(*side->connection));
  return side;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       const SqliteStoreOptions& options) {
  return Guarded("open", [&]() -> Result<std::unique_ptr<SqliteStore>> {
    Result<std::unique_ptr<Side>> writer = OpenSide(path, false, options.busy_timeout_ms);
    if (!writer.ok()) return writer.status();
    // Opened after the writer, which created the file and its WAL index.
    Result<std::unique_ptr<Side>> reader = OpenSide(path, true, options.busy_timeout_ms);
    if (!reader.ok()) return reader.status();
    return std::unique_ptr<SqliteStore>(new SqliteStore(
        path, options.busy_timeout_ms, std::move(writer).value(), std::move(reader).value()));
  });
}

Result<AccountId> SqliteStore::CreateAccount(const domain::Account& account) {
  return Guarded("CreateAccount", [&]() -> Result<AccountId> {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(WriterReady());
    Query query(writer_->statements.insert_account);
    query.BindText(1, account.key);
    query.BindText(2, account.name);
    query.BindText(3, account.timezone);
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) {
      std::string reason = fmt::format("account '{}' already exists", account.key);
      return Status::Conflict(reason, {{std::nullopt, "/key", reason}});
    }
    return AccountId{query.Int(0)};
  });
}

Result<AccountRecord> SqliteStore::FindAccount(std::string_view key) {
  return Guarded("FindAccount", [&]() -> Result<AccountRecord> {
    std::lock_guard lock(read_mu_);
    Query query(reader_->statements.find_account);
    query.BindText(1, key);
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return Status::NotFound(fmt::format("account '{}' is unknown", key));
    return ReadAccount(query);
  });
}

Result<std::vector<AccountRecord>> SqliteStore::ListAccounts() {
  return Guarded("ListAccounts", [&]() -> Result<std::vector<AccountRecord>> {
    std::lock_guard lock(read_mu_);
    Query query(reader_->statements.list_accounts);
    std::vector<AccountRecord> out;
    while (true) {
      Result<bool> row = query.Step();
      if (!row.ok()) return row.status();
      if (!row.value()) return out;
      out.push_back(ReadAccount(query));
    }
  });
}

Result<TokenId> SqliteStore::CreateToken(AccountId account, std::string_view name,
                                         domain::ScopeSet scopes, std::string_view secret_digest,
                                         Instant now) {
  return Guarded("CreateToken", [&]() -> Result<TokenId> {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(WriterReady());
    Query query(writer_->statements.insert_token);
    query.BindInt(1, account.value);
    query.BindText(2, name);
    query.BindBlob(3, secret_digest);
    query.BindInt(4, scopes.bits);
    query.BindInt(5, now.ms);
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return Status::Internal("the token was not stored");
    return TokenId{query.Int(0)};
  });
}

Result<TokenRecord> SqliteStore::FindTokenByDigest(std::string_view secret_digest) {
  return Guarded("FindTokenByDigest", [&]() -> Result<TokenRecord> {
    std::lock_guard lock(read_mu_);
    Query query(reader_->statements.find_token);
    query.BindBlob(1, secret_digest);
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return Status::NotFound("no token has this secret");
    return ReadToken(query);
  });
}

Result<domain::WriteSummary> SqliteStore::Apply(AccountId account, const domain::WriteBatch& batch,
                                                Instant now) {
  Result<std::vector<Result<domain::WriteSummary>>> done = ApplyGroup({{account, &batch}}, now);
  if (!done.ok()) return done.status();
  return std::move(done).value().front();
}

namespace {

// A batch's own failure, which rolls back that batch alone; anything else is a fault of the
// store and fails the whole group.
bool IsBatchError(const Status& s) {
  return s.code() == ErrorCode::kInvalid || s.code() == ErrorCode::kConflict ||
         s.code() == ErrorCode::kNotFound;
}

}  // namespace

Result<std::vector<Result<domain::WriteSummary>>> SqliteStore::ApplyGroup(
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
    COHORT_RETURN_IF_ERROR(WriterReady());
    Connection& connection = *writer_->connection;
    WriteTransaction transaction(connection);
    COHORT_RETURN_IF_ERROR(transaction.Begin());
    // A group of one needs no savepoint: the transaction itself is rolled back when it fails
    // (the `cohort import` path, whose single batch may touch millions of rows).
    const bool alone = writes.size() == 1;
    std::size_t committed = 0;
    for (const GroupWrite& w : writes) {
      if (w.batch->empty()) {
        answers.emplace_back(domain::WriteSummary{});
        continue;
      }
      if (!alone) COHORT_RETURN_IF_ERROR(connection.Exec("SAVEPOINT batch"));
      BatchWriter writer(writer_->statements, w.account, now);
      Result<domain::WriteSummary> summary = writer.Run(*w.batch);
      if (!summary.ok() && !IsBatchError(summary.status())) {
        return summary.status();  // a fault: the whole group is rolled back by `transaction`
      }
      if (!alone) {
        // RELEASE after ROLLBACK TO: the savepoint stays open after a ROLLBACK TO.
        if (!summary.ok()) COHORT_RETURN_IF_ERROR(connection.Exec("ROLLBACK TO batch"));
        COHORT_RETURN_IF_ERROR(connection.Exec("RELEASE batch"));
      }
      if (summary.ok()) ++committed;
      answers.push_back(std::move(summary));
    }
    if (committed == 0) return answers;  // nothing to keep: rolled back by `transaction`
    COHORT_RETURN_IF_ERROR(transaction.Commit());
    return answers;
  });
}

Result<UserRecord> SqliteStore::FindUser(AccountId account, std::string_view user_key) {
  return Guarded("FindUser", [&]() -> Result<UserRecord> {
    std::lock_guard lock(read_mu_);
    Statements& st = reader_->statements;
    UserRecord record;
    {
      Query query(st.find_user);
      query.BindInt(1, account.value);
      query.BindText(2, user_key);
      Result<bool> row = query.Step();
      if (!row.ok()) return row.status();
      if (!row.value()) return Status::NotFound(fmt::format("user '{}' is unknown", user_key));
      record.id = UserId{query.Int(0)};
      record.user.key = std::string(user_key);
      record.user.name = query.Text(1);
      record.user.email = query.Text(2);
      record.user.roles.bits = static_cast<std::uint8_t>(query.Int(3));
      record.user.active = query.Int(4) != 0;
      if (!query.IsNull(5)) record.password_hash = query.Text(5);
    }
    Query query(st.list_user_groups);
    query.BindInt(1, record.id.value);
    while (true) {
      Result<bool> row = query.Step();
      if (!row.ok()) return row.status();
      if (!row.value()) return record;
      record.user.groups.push_back(query.Text(0));
    }
  });
}

Result<domain::Attempt> SqliteStore::GetAttempt(AccountId account, std::string_view attempt_id) {
  return Guarded("GetAttempt", [&]() -> Result<domain::Attempt> {
    std::lock_guard lock(read_mu_);
    Result<std::optional<domain::Attempt>> attempt =
        LoadAttempt(reader_->statements, account, attempt_id);
    if (!attempt.ok()) return attempt.status();
    if (!attempt.value()) {
      return Status::NotFound(fmt::format("attempt '{}' is unknown", attempt_id));
    }
    return std::move(*std::move(attempt).value());
  });
}

Result<TableCounts> SqliteStore::Counts(AccountId account) {
  return Guarded("Counts", [&]() -> Result<TableCounts> {
    std::lock_guard lock(read_mu_);
    Query query(reader_->statements.counts);
    query.BindInt(1, account.value);
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return Status::Internal("the database returned no row");
    TableCounts c;
    int column = 0;
    for (std::int64_t* field :
         {&c.users, &c.groups, &c.group_members, &c.group_managers, &c.courses, &c.chapters,
          &c.exercises, &c.enrollments, &c.attempts, &c.responses, &c.statements}) {
      *field = query.Int(column++);
    }
    return c;
  });
}

Result<domain::Course> SqliteStore::FindCourse(AccountId account, std::string_view course_key) {
  return Guarded("FindCourse", [&]() -> Result<domain::Course> {
    std::lock_guard lock(read_mu_);
    Statements& st = reader_->statements;
    auto found = FindCourseRow(st, account, course_key);
    if (!found.ok()) return found.status();
    if (!found.value()) {
      return Status::NotFound(fmt::format("course '{}' is unknown", course_key));
    }
    auto& [course_id, course] = *found.value();
    std::unordered_map<std::string, std::size_t> chapter_index;
    {
      Query query(st.list_chapters);
      query.BindInt(1, course_id);
      while (true) {
        Result<bool> row = query.Step();
        if (!row.ok()) return row.status();
        if (!row.value()) break;
        chapter_index[query.Text(0)] = course.chapters.size();
        course.chapters.push_back({query.Text(0), query.Text(1), {}});
      }
    }
    Query query(st.list_exercises);
    query.BindInt(1, course_id);
    while (true) {
      Result<bool> row = query.Step();
      if (!row.ok()) return row.status();
      if (!row.value() || query.Int(3) != 0) break;  // removed ones come last
      const auto chapter = chapter_index.find(query.Text(2));
      if (chapter == chapter_index.end()) return Status::Internal("an exercise lost its chapter");
      domain::ExerciseDef& ex = course.chapters[chapter->second].exercises.emplace_back();
      ex.key = query.Text(0);
      ex.title = query.Text(1);
      if (!query.IsNull(4)) ex.xapi_id = query.Text(4);
    }
    return std::move(course);
  });
}

Result<std::vector<std::string>> SqliteStore::RemovedExercises(AccountId account,
                                                               std::string_view course_key) {
  return Guarded("RemovedExercises", [&]() -> Result<std::vector<std::string>> {
    std::lock_guard lock(read_mu_);
    Statements& st = reader_->statements;
    auto found = FindCourseRow(st, account, course_key);
    if (!found.ok()) return found.status();
    if (!found.value()) {
      return Status::NotFound(fmt::format("course '{}' is unknown", course_key));
    }
    Query query(st.list_exercises);
    query.BindInt(1, found.value()->first);
    std::vector<std::string> removed;
    while (true) {
      Result<bool> row = query.Step();
      if (!row.ok()) return row.status();
      if (!row.value()) return removed;
      if (query.Int(3) != 0) removed.push_back(query.Text(0));
    }
  });
}

Result<Instant> SqliteStore::EnrolledAt(AccountId account, std::string_view user_key,
                                        std::string_view course_key) {
  return Guarded("EnrolledAt", [&]() -> Result<Instant> {
    std::lock_guard lock(read_mu_);
    Query query(reader_->statements.enrolled_at_by_keys);
    query.BindInt(1, account.value);
    query.BindText(2, user_key);
    query.BindText(3, course_key);
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) {
      return Status::NotFound(
          fmt::format("user '{}' is not enrolled in course '{}'", user_key, course_key));
    }
    return Instant{query.Int(0)};
  });
}

Result<int> SqliteStore::SchemaVersion() {
  return Guarded("SchemaVersion", [&]() -> Result<int> {
    std::lock_guard lock(read_mu_);
    return sqlite::SchemaVersion(*reader_->connection);
  });
}

Result<std::vector<std::pair<std::string, std::vector<std::string>>>>
SqliteStore::DescribeTables() {
  using Tables = std::vector<std::pair<std::string, std::vector<std::string>>>;
  return Guarded("DescribeTables", [&]() -> Result<Tables> {
    std::lock_guard lock(read_mu_);
    Statements& st = reader_->statements;
    Tables tables;
    {
      Query query(st.list_tables);
      while (true) {
        Result<bool> row = query.Step();
        if (!row.ok()) return row.status();
        if (!row.value()) break;
        tables.emplace_back(query.Text(0), std::vector<std::string>());
      }
    }
    for (auto& [name, columns] : tables) {
      Query query(st.list_columns);
      query.BindText(1, name);
      while (true) {
        Result<bool> row = query.Step();
        if (!row.ok()) return row.status();
        if (!row.value()) break;
        columns.push_back(query.Text(0));
      }
    }
    return tables;
  });
}

}  // namespace cohort::store::sqlite

namespace cohort::store {

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  Result<std::unique_ptr<sqlite::SqliteStore>> store = sqlite::SqliteStore::Open(path);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(store).value());
}

}  // namespace cohort::store

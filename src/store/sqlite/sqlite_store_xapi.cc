// xAPI statements (docs/xapi.md): the reads of the LRS. Statements are written by Apply
// (BatchWriter::WriteStatements), in the same transaction as the attempts derived from them.
// Documents (State, Agent Profile, Activity Profile) are read and written here, one statement
// each, outside the engine: nothing derives from them.
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <mutex>
#include <string>

#include "store/guarded.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/statements.h"
#include "store/sqlite/store_side.h"

namespace cohort::store::sqlite {
namespace {

// Reads rows of (seq, statement id, body, stored_at, voided, attempt).
Status ReadStatementRows(Query& query, std::vector<StoredStatement>& out) {
  while (true) {
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return Status();
    StoredStatement& s = out.emplace_back();
    s.seq = query.Int(0);
    s.id = query.Text(1);
    s.body = query.Text(2);
    s.stored = Instant{query.Int(3)};
    s.voided = query.Int(4) != 0;
    if (!query.IsNull(5)) s.attempt = query.Text(5);
  }
}

// Runs `statement` (?1 account, ?2 one of `keys`) once per key, gathering the rows.
Result<std::vector<StoredStatement>> ReadForEach(Statement& statement, AccountId account,
                                                 const std::vector<std::string>& keys) {
  std::vector<StoredStatement> out;
  for (const std::string& key : keys) {
    Query query(statement);
    query.BindInt(1, account.value);
    query.BindText(2, key);
    COHORT_RETURN_IF_ERROR(ReadStatementRows(query, out));
  }
  return out;
}

// Binds ?1 account, ?2 kind, ?3 activity, ?4 agent, ?5 registration (the statements over
// xapi_documents); `key` outlives the query. With `any_registration`, no registration binds
// NULL: a list or a delete of all without one covers every registration (xAPI 1.0.3 §2.3,
// "+ registration if specified").
void BindDocumentScope(Query& query, AccountId account, const DocumentKey& key,
                       bool any_registration = false) {
  query.BindInt(1, account.value);
  query.BindInt(2, static_cast<std::int64_t>(key.kind));
  query.BindText(3, key.activity);
  query.BindText(4, key.agent);
  if (any_registration && key.registration.empty()) {
    query.BindNull(5);
  } else {
    query.BindText(5, key.registration);
  }
}

}  // namespace

Result<std::vector<StoredStatement>> SqliteStore::FindStatements(
    AccountId account, const std::vector<std::string>& ids) {
  return Guarded("FindStatements", [&]() -> Result<std::vector<StoredStatement>> {
    std::lock_guard lock(read_mu_);
    return ReadForEach(reader_->statements.find_statement, account, ids);
  });
}

Result<std::vector<StoredStatement>> SqliteStore::StatementsOfAttempts(
    AccountId account, const std::vector<std::string>& attempts) {
  return Guarded("StatementsOfAttempts", [&]() -> Result<std::vector<StoredStatement>> {
    std::lock_guard lock(read_mu_);
    return ReadForEach(reader_->statements.statements_of_attempt, account, attempts);
  });
}

Result<std::vector<StoredStatement>> SqliteStore::UnmappedStatements(
    AccountId account, const std::vector<std::string>& actor_hints,
    const std::vector<std::string>& activities) {
  return Guarded("UnmappedStatements", [&]() -> Result<std::vector<StoredStatement>> {
    std::lock_guard lock(read_mu_);
    Result<std::vector<StoredStatement>> by_actor =
        ReadForEach(reader_->statements.unmapped_by_actor, account, actor_hints);
    if (!by_actor.ok()) return by_actor.status();
    Result<std::vector<StoredStatement>> by_activity =
        ReadForEach(reader_->statements.unmapped_by_activity, account, activities);
    if (!by_activity.ok()) return by_activity.status();
    std::vector<StoredStatement> out = std::move(by_actor).value();
    for (StoredStatement& s : std::move(by_activity).value()) out.push_back(std::move(s));
    std::sort(out.begin(), out.end(),
              [](const StoredStatement& a, const StoredStatement& b) { return a.seq < b.seq; });
    out.erase(std::unique(out.begin(), out.end(),
                          [](const StoredStatement& a, const StoredStatement& b) {
                            return a.seq == b.seq;
                          }),
              out.end());
    return out;
  });
}

Result<std::vector<StoredStatement>> SqliteStore::QueryStatements(AccountId account,
                                                                  const StatementQuery& q) {
  return Guarded("QueryStatements", [&]() -> Result<std::vector<StoredStatement>> {
    // The filters present choose the joins and conditions; every value is bound (?1 is the
    // account, then in the order appended).
    // A ref filter (agent, related activities) drives the query from its refs, read in seq order
    // from their primary key (CROSS JOIN keeps that table outermost): the planner would rather
    // walk the account's statements in seq order and probe each one's refs, which reads every
    // statement for a rare agent.
    std::string from;
    std::string order = "s.seq";
    std::string where = " WHERE s.account_id = ?1 AND s.voided = 0";
    std::vector<std::string> texts;
    std::vector<std::int64_t> ints;
    struct Bind {
      bool text;
      std::size_t index;
    };
    std::vector<Bind> binds;
    const auto next = [&] { return binds.size() + 2; };
    const auto text = [&](std::string value) {
      const std::size_t n = next();
      texts.push_back(std::move(value));
      binds.push_back({true, texts.size() - 1});
      return fmt::format("?{}", n);
    };
    const auto integer = [&](std::int64_t value) {
      const std::size_t n = next();
      ints.push_back(value);
      binds.push_back({false, ints.size() - 1});
      return fmt::format("?{}", n);
    };
    const auto ref = [&](std::string_view alias, int kind, const std::string& value) {
      from += fmt::format("{}xapi_statement_refs {}", from.empty() ? "" : " CROSS JOIN ", alias);
      where += fmt::format(" AND {0}.account_id = ?1 AND {0}.kind = {1} AND {0}.value = {2}",
                           alias, integer(kind), text(value));
      if (order == "s.seq") {
        order = fmt::format("{}.seq", alias);  // the outermost table gives the order
      } else {
        where += fmt::format(" AND {}.seq = {}", alias, order);
      }
    };
    if (q.agent) {
      ref("ra", q.related_agents ? domain::kRefRelatedAgent : domain::kRefAgent, *q.agent);
    }
    if (q.activity) {
      if (q.related_activities) {
        ref("rc", domain::kRefRelatedActivity, *q.activity);
      } else {
        where += fmt::format(" AND s.activity = {}", text(*q.activity));
      }
    }
    from += from.empty() ? "xapi_statements s" : " CROSS JOIN xapi_statements s";
    if (order != "s.seq") where += fmt::format(" AND s.seq = {}", order);
    std::string sql =
        "SELECT s.seq, s.statement_id, s.body, s.stored_at, s.voided, s.attempt FROM " + from;
    if (q.verb) where += fmt::format(" AND s.verb = {}", text(*q.verb));
    if (q.registration) where += fmt::format(" AND s.registration = {}", text(*q.registration));
    if (q.since) where += fmt::format(" AND s.stored_at > {}", integer(q.since->ms));
    if (q.until) where += fmt::format(" AND s.stored_at <= {}", integer(q.until->ms));
    if (q.after_seq) {
      where += fmt::format(" AND {} {} {}", order, q.ascending ? ">" : "<", integer(*q.after_seq));
    }
    sql += where;
    sql += fmt::format(" ORDER BY {} {} LIMIT {}", order, q.ascending ? "ASC" : "DESC",
                       integer(static_cast<std::int64_t>(q.limit)));

    std::lock_guard lock(read_mu_);
    Statement statement;
    COHORT_RETURN_IF_ERROR(statement.Prepare(reader_->connection->get(), sql.c_str()));
    Query query(statement);
    query.BindInt(1, account.value);
    for (std::size_t i = 0; i < binds.size(); ++i) {
      const int index = static_cast<int>(i + 2);
      if (binds[i].text) {
        query.BindText(index, texts[binds[i].index]);
      } else {
        query.BindInt(index, ints[binds[i].index]);
      }
    }
    std::vector<StoredStatement> out;
    COHORT_RETURN_IF_ERROR(ReadStatementRows(query, out));
    return out;
  });
}

Result<std::optional<StoredDocument>> SqliteStore::FindDocument(AccountId account,
                                                                const DocumentKey& key) {
  return Guarded("FindDocument", [&]() -> Result<std::optional<StoredDocument>> {
    std::lock_guard lock(read_mu_);
    Query query(reader_->statements.find_document);
    BindDocumentScope(query, account, key);
    query.BindText(6, key.id);
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return std::optional<StoredDocument>();
    StoredDocument d;
    d.id = key.id;
    d.content_type = query.Text(0);
    d.body = query.Text(1);
    d.etag = query.Text(2);
    d.updated = Instant{query.Int(3)};
    return std::optional<StoredDocument>(std::move(d));
  });
}

Result<std::vector<StoredDocument>> SqliteStore::ListDocuments(AccountId account,
                                                               const DocumentKey& key,
                                                               std::optional<Instant> since) {
  return Guarded("ListDocuments", [&]() -> Result<std::vector<StoredDocument>> {
    std::lock_guard lock(read_mu_);
    Query query(reader_->statements.list_documents);
    BindDocumentScope(query, account, key, /*any_registration=*/true);
    query.BindInt(6, since ? since->ms : std::numeric_limits<std::int64_t>::min());
    std::vector<StoredDocument> out;
    while (true) {
      Result<bool> row = query.Step();
      if (!row.ok()) return row.status();
      if (!row.value()) return out;
      StoredDocument& d = out.emplace_back();
      d.id = query.Text(0);
      d.updated = Instant{query.Int(1)};
    }
  });
}

Status SqliteStore::PutDocument(AccountId account, const DocumentWrite& write) {
  return Guarded("PutDocument", [&]() -> Status {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(WriterReady());
    Query query(writer_->statements.upsert_document);
    BindDocumentScope(query, account, write.key);
    query.BindText(6, write.key.id);
    query.BindText(7, write.content_type);
    query.BindBlob(8, write.body);
    query.BindText(9, write.etag);
    query.BindInt(10, write.updated.ms);
    if (write.actor_hint) {
      query.BindText(11, *write.actor_hint);
    } else {
      query.BindNull(11);
    }
    return query.Run();
  });
}

Status SqliteStore::DeleteDocuments(AccountId account, const DocumentKey& key) {
  return Guarded("DeleteDocuments", [&]() -> Status {
    std::lock_guard lock(write_mu_);
    COHORT_RETURN_IF_ERROR(WriterReady());
    const bool one = !key.id.empty();
    Query query(one ? writer_->statements.delete_document : writer_->statements.delete_documents);
    BindDocumentScope(query, account, key, /*any_registration=*/!one);
    if (one) query.BindText(6, key.id);
    return query.Run();
  });
}

}  // namespace cohort::store::sqlite

// xAPI statements (docs/xapi.md): the reads of the LRS. Statements are written by Apply
// (BatchWriter::WriteStatements), in the same transaction as the attempts derived from them.
#include <fmt/format.h>

#include <algorithm>
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
    std::string sql =
        "SELECT s.seq, s.statement_id, s.body, s.stored_at, s.voided, s.attempt "
        "FROM xapi_statements s";
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
    if (q.agent) {
      const int kind = q.related_agents ? domain::kRefRelatedAgent : domain::kRefAgent;
      sql += fmt::format(
          " JOIN xapi_statement_refs ra ON ra.account_id = ?1 AND ra.kind = {} AND "
          "ra.value = {} AND ra.seq = s.seq",
          integer(kind), text(*q.agent));
    }
    if (q.activity) {
      if (q.related_activities) {
        sql += fmt::format(
            " JOIN xapi_statement_refs rc ON rc.account_id = ?1 AND rc.kind = {} AND "
            "rc.value = {} AND rc.seq = s.seq",
            integer(domain::kRefRelatedActivity), text(*q.activity));
      } else {
        where += fmt::format(" AND s.activity = {}", text(*q.activity));
      }
    }
    if (q.verb) where += fmt::format(" AND s.verb = {}", text(*q.verb));
    if (q.registration) where += fmt::format(" AND s.registration = {}", text(*q.registration));
    if (q.since) where += fmt::format(" AND s.stored_at > {}", integer(q.since->ms));
    if (q.until) where += fmt::format(" AND s.stored_at <= {}", integer(q.until->ms));
    if (q.after_seq) {
      where += fmt::format(" AND s.seq {} {}", q.ascending ? ">" : "<", integer(*q.after_seq));
    }
    sql += where;
    sql += fmt::format(" ORDER BY s.seq {} LIMIT {}", q.ascending ? "ASC" : "DESC",
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

}  // namespace cohort::store::sqlite

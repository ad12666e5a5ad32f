// PostgreSQL by nature: the change counter under concurrent writers, migrations run by two
// processes at once, masked passwords. Each test has a database of its own.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/connection.h"
#include "store/postgres/pg_store.h"
#include "store/store.h"
#include "store/store_test_data.h"
#include "store/testing/pg_test_database.h"

namespace cohort::store::postgres {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace test_data;  // NOLINT: the tests' vocabulary

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::string> uri = CreateTestDatabase();
    ASSERT_TRUE(uri.ok()) << uri.status().ToString();
    uri_ = uri.value();
  }
  void TearDown() override {
    if (!uri_.empty()) DropTestDatabase(uri_);
  }

  std::unique_ptr<PgStore> Open() {
    Result<std::unique_ptr<PgStore>> opened = PgStore::Open(uri_);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  std::string uri_;
};

TEST_F(PostgresStoreTest, ChangeSeqIsGapFreePerAccountUnderTwoConcurrentWriters) {
  std::unique_ptr<PgStore> a = Open();
  std::unique_ptr<PgStore> b = Open();  // another connection, as another process would have
  ASSERT_TRUE(a && b);
  const AccountId acme = a->CreateAccount({"acme", "Acme", "UTC"}).value();
  const AccountId other = a->CreateAccount({"other", "Other", "UTC"}).value();
  EXPECT_EQ(a->ChangeSeq(acme).value(), 0);
  ASSERT_TRUE(a->Apply(acme, Catalog(), kNow).ok());
  ASSERT_TRUE(a->Apply(other, Catalog(), kNow).ok());
  constexpr int kWrites = 40;
  auto writer = [&](PgStore& store, const char* prefix) {
    for (int i = 0; i < kWrites; ++i) {
      const std::string id = fmt::format("{}{}", prefix, i);
      EXPECT_TRUE(store.Apply(acme, Attempts({Attempt(id, "ann", "e1", 1000 + i)}), kNow).ok());
      // A group over both accounts: one change each.
      const domain::WriteBatch mine = Attempts({Attempt(id + "x", "bob", "e2", 1000 + i)});
      const domain::WriteBatch theirs = Attempts({Attempt(id, "bob", "e3", 1000 + i)});
      auto done = store.ApplyGroup({{other, &theirs}, {acme, &mine}}, kNow);
      EXPECT_TRUE(done.ok() && done->at(0).ok() && done->at(1).ok());
    }
  };
  std::thread first(writer, std::ref(*a), "a");
  std::thread second(writer, std::ref(*b), "b");
  first.join();
  second.join();
  // Duplicates change nothing: no change recorded.
  ASSERT_EQ(a->Apply(acme, Attempts({Attempt("a0", "ann", "e1", 1000)}), kNow)->duplicates, 1u);
  for (const AccountId account : {acme, other}) {
    auto changes = a->ListChanges(account, 0, 100'000);
    ASSERT_TRUE(changes.ok());
    const std::int64_t expected = 1 + (account == acme ? 4 : 2) * kWrites;
    ASSERT_EQ(static_cast<std::int64_t>(changes->size()), expected);
    for (std::size_t i = 0; i < changes->size(); ++i) {
      EXPECT_EQ((*changes)[i].seq, static_cast<std::int64_t>(i) + 1);  // strictly +1
    }
    EXPECT_EQ(changes->front().kinds, (std::vector<std::string>{"courses", "groups", "users"}));
    EXPECT_TRUE(changes->front().attempt_rows.empty());
    EXPECT_EQ(changes->back().kinds, std::vector<std::string>{"attempts"});
    ASSERT_EQ(changes->back().attempt_rows.size(), 1u);  // each write stored one attempt
    // The rows name exactly the attempts stored, wherever the log is read from.
    std::vector<std::int64_t> rows;
    for (const ChangeRecord& c : changes.value()) {
      rows.insert(rows.end(), c.attempt_rows.begin(), c.attempt_rows.end());
    }
    auto attempts = b->LoadAttemptRows(account, rows);
    ASSERT_TRUE(attempts.ok()) << attempts.status().ToString();
    EXPECT_EQ(static_cast<std::int64_t>(attempts->size()), (account == acme ? 4 : 2) * kWrites);
    // Reading from the middle of the log gives the rest.
    EXPECT_EQ(a->ListChanges(account, expected - 3, 10)->size(), 3u);
    EXPECT_EQ(a->ListChanges(account, 0, 2)->back().seq, 2);
    EXPECT_EQ(a->ChangeSeq(account).value(), expected);
  }
  EXPECT_TRUE(a->IntegrityCheck().value().empty());
}

TEST_F(PostgresStoreTest, AttemptsThroughAChangeLeaveOutWhatLaterChangesStored) {
  std::unique_ptr<PgStore> store = Open();
  ASSERT_TRUE(store);
  const AccountId acme = store->CreateAccount({"acme", "Acme", "UTC"}).value();
  ASSERT_TRUE(store->Apply(acme, Catalog(), kNow).ok());  // change 1
  ASSERT_TRUE(store->Apply(acme, Attempts({Attempt("a1", "ann", "e1", 3000)}), kNow).ok());  // 2
  ASSERT_TRUE(store->Apply(acme, Attempts({Attempt("a2", "ann", "e1", 1000),
                                           Attempt("b1", "bob", "e1", 1000)}), kNow).ok());  // 3
  ASSERT_TRUE(store->Apply(acme, Attempts({Attempt("a3", "ann", "e2", 2000)}), kNow).ok());  // 4
  auto ids = [&](std::int64_t through) {
    std::vector<std::string> out;
    auto attempts = store->LoadAttemptsThrough(acme, "ann", "c1", through);
    EXPECT_TRUE(attempts.ok()) << attempts.status().ToString();
    if (attempts.ok()) {
      for (const domain::Attempt& a : attempts.value()) out.push_back(a.id);
    }
    return out;
  };
  EXPECT_EQ(ids(1), std::vector<std::string>{});
  EXPECT_EQ(ids(2), std::vector<std::string>{"a1"});
  EXPECT_EQ(ids(3), (std::vector<std::string>{"a2", "a1"}));  // in start order, as LoadAttempts
  EXPECT_EQ(ids(4), (std::vector<std::string>{"a2", "a3", "a1"}));
  EXPECT_EQ(ids(4).size(), store->LoadAttempts(acme, "ann", "c1")->size());
}

TEST_F(PostgresStoreTest, ArrayParametersArriveElementForElement) {
  Result<std::unique_ptr<Connection>> connection = Connection::Open(uri_);
  ASSERT_TRUE(connection.ok()) << connection.status().ToString();
  const std::vector<std::string> texts = {"plain", "a,b", "say \"hi\"", "back\\slash", "{}",
                                          "", "NULL"};
  constexpr Statement kEcho{"echo_arrays",
                            "SELECT t, ord FROM unnest($1::text[]) WITH ORDINALITY AS u(t, ord) "
                            "UNION ALL SELECT (sum(x) + count(*) * 1000)::text, 0 "
                            "FROM unnest($2::bigint[]) AS x ORDER BY 2"};
  Result<Rows> rows = connection.value()->Run(
      kEcho, Params().TextArray(texts).IntArray({1, -2, 9'000'000'000}));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), static_cast<int>(texts.size()) + 1);
  EXPECT_EQ(rows->Text(0, 0), std::to_string(1 - 2 + 9'000'000'000LL + 3 * 1000));
  for (std::size_t i = 0; i < texts.size(); ++i) {
    EXPECT_FALSE(rows->IsNull(static_cast<int>(i) + 1, 0)) << texts[i];
    EXPECT_EQ(rows->Text(static_cast<int>(i) + 1, 0), texts[i]);
  }
}

TEST_F(PostgresStoreTest, TwoProcessesMigratingAtOnceApplyEachMigrationOnce) {
  std::vector<Result<std::unique_ptr<PgStore>>> opened;
  for (int i = 0; i < 4; ++i) opened.emplace_back(Status::Internal("not run"));
  std::vector<std::thread> threads;
  for (auto& slot : opened) {
    threads.emplace_back([&slot, this] { slot = PgStore::Open(uri_); });
  }
  for (std::thread& t : threads) t.join();
  for (auto& slot : opened) {
    ASSERT_TRUE(slot.ok()) << slot.status().ToString();
    EXPECT_EQ(slot.value()->SchemaVersion().value(), slot.value()->LatestSchemaVersion());
  }
  // Opening again migrates nothing and keeps the data.
  const AccountId acme = opened[0].value()->CreateAccount({"acme", "Acme", "UTC"}).value();
  std::unique_ptr<PgStore> again = Open();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->FindAccount("acme")->id, acme);
}

TEST_F(PostgresStoreTest, TokensCarryTheirAccountKey) {
  std::unique_ptr<PgStore> store = Open();
  ASSERT_TRUE(store);
  const AccountId acme = store->CreateAccount({"acme", "Acme", "UTC"}).value();
  ASSERT_TRUE(store->CreateToken(acme, "ci", {}, std::string("\x00\x01z", 3), kNow).ok());
  Result<TokenRecord> token = store->FindTokenByDigest(std::string("\x00\x01z", 3));
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->account_key, "acme");
  EXPECT_EQ(store->ChangeSeq(acme).value(), 1);  // the token is a change of the account
}

TEST(PostgresUriTest, PasswordsAreMaskedAndTheBackendFollowsTheScheme) {
  EXPECT_EQ(MaskDbUri("postgresql://cohort:s3cret@db1:5432,db2:5432/cohort?sslmode=require"),
            "postgresql://cohort:****@db1:5432,db2:5432/cohort?sslmode=require");
  EXPECT_EQ(MaskDbUri("postgres://u:p@h/d?password=x&user=u"), "postgres://u:****@h/d?password=****&user=u");
  EXPECT_EQ(MaskDbUri("postgresql://h/d"), "postgresql://h/d");
  EXPECT_EQ(MaskDbUri("/var/lib/cohort.db"), "/var/lib/cohort.db");
  EXPECT_TRUE(IsPostgresUri("postgresql://h/d"));
  EXPECT_TRUE(IsPostgresUri("postgres://h/d"));
  EXPECT_FALSE(IsPostgresUri("cohort.db"));
}

TEST(PostgresUriTest, AnUnreachableServerIsUnavailableAndTheMessageHidesThePassword) {
  Result<std::unique_ptr<Store>> s = OpenStore(
      "postgresql://cohort:s3cret@/cohort?host=/nonexistent-cohort-socket&connect_timeout=2");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(s.status().message(), Not(HasSubstr("s3cret")));
  EXPECT_THAT(s.status().message(), HasSubstr("****"));
}

}  // namespace
}  // namespace cohort::store::postgres

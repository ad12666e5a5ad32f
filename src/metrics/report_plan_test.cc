// The account report in pages (Engine::PlanReport, ReportRows), as streamed exports read it:
// the same rows in the same order as Report, and rows of people who left since the plan
// left out.
#include <gtest/gtest.h>

#include "metrics/engine.h"
#include "metrics/testing/function_source.h"

namespace cohort::metrics {
namespace {

constexpr const char* kAccount = "acme";
constexpr Instant kNow{1'773'144'000'000};  // 2026-03-10T12:00:00Z

class ReportPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_.PutAccount(source_.Id(kAccount), {kAccount, "Acme", "Europe/Paris"});
    domain::WriteBatch batch;
    for (const char* key : {"py", "go"}) {
      domain::Course c;
      c.key = key;
      c.title = std::string("Course ") + key;
      c.chapters.push_back({"c1", "One", {{"e1", "E1"}, {"e2", "E2"}}});
      batch.courses.items.push_back(std::move(c));
    }
    // Names that tie, so the key breaks the tie; "Zed" sorts after the others.
    const std::vector<std::pair<std::string, std::string>> people = {
        {"u3", "Ann"}, {"u1", "Ann"}, {"u2", "Bob"}, {"u4", "Zed"}, {"u5", "Cat"}};
    for (const auto& [key, name] : people) {
      domain::User u;
      u.key = key;
      u.name = name;
      u.email = key + "@acme.example";
      batch.users.items.push_back({std::move(u), std::nullopt});
    }
    int n = 0;
    for (const auto& [key, name] : people) {
      for (const char* course : {"go", "py"}) {
        if (key == "u5" && std::string(course) == "go") continue;
        domain::Attempt a;
        a.id = "a" + std::to_string(n++);
        a.user = key;
        a.course = course;
        a.exercise = "e1";
        a.started_at = Instant{kNow.ms - 3'600'000 + n * 1000};
        a.responses.push_back({"q1", n % 2 == 0, 0, 1000, Instant{a.started_at.ms + 1000}, {}});
        batch.attempts.items.push_back(std::move(a));
      }
    }
    ASSERT_TRUE(engine_.Apply(kAccount, batch, kNow).ok());
  }

  // Every row of the plan, built in pages of `page` rows.
  std::vector<std::optional<ReportRow>> AllRows(const ReportPlan& plan, std::size_t page) {
    std::vector<std::optional<ReportRow>> out;
    for (std::size_t first = 0; first < plan.entries.size(); first += page) {
      auto rows = engine_.ReportRows(kAccount, plan, first, page, kNow);
      EXPECT_TRUE(rows.ok());
      for (auto& r : rows.value()) out.push_back(std::move(r));
    }
    return out;
  }

  testing::FunctionSource source_{[](std::string_view, std::string_view, std::string_view) {
    return std::vector<domain::Attempt>();
  }};
  Engine engine_{source_};
};

void ExpectSameRows(const std::vector<std::optional<ReportRow>>& paged,
                    const std::vector<ReportRow>& whole) {
  ASSERT_EQ(paged.size(), whole.size());
  for (std::size_t i = 0; i < whole.size(); ++i) {
    ASSERT_TRUE(paged[i].has_value()) << i;
    EXPECT_EQ(paged[i]->user, whole[i].user) << i;
    EXPECT_EQ(paged[i]->course, whole[i].course) << i;
    EXPECT_EQ(paged[i]->mastery, whole[i].mastery) << i;
    EXPECT_EQ(paged[i]->last_active, whole[i].last_active) << i;
  }
}

TEST(ReportPlanOrderTest, OnlyTheOrderByNameCanBePlanned) {
  testing::FunctionSource source([](std::string_view, std::string_view, std::string_view) {
    return std::vector<domain::Attempt>();
  });
  Engine engine(source);
  engine.PutAccount(source.Id(kAccount), {kAccount, "Acme", "UTC"});
  TableQuery query;
  query.sort = "mastery";
  EXPECT_EQ(engine.PlanReport(kAccount, query, Instant{}).status().code(), ErrorCode::kInvalid);
  query.sort = "name";
  EXPECT_TRUE(engine.PlanReport(kAccount, query, Instant{}).ok());
  EXPECT_EQ(engine.PlanReport("nope", query, Instant{}).status().code(), ErrorCode::kNotFound);
}

TEST_F(ReportPlanTest, PagesHoldTheRowsOfTheReportInItsOrder) {
  for (const bool descending : {false, true}) {
    for (const std::string sort : {"name", "rank"}) {
      TableQuery query;
      query.sort = sort;
      query.descending = descending;
      query.limit = 1000;
      Result<Table<ReportRow>> whole = engine_.Report(kAccount, query, kNow);
      Result<ReportPlan> plan = engine_.PlanReport(kAccount, query, Instant{});
      ASSERT_TRUE(whole.ok() && plan.ok());
      EXPECT_EQ(plan->total, whole->total);
      ASSERT_EQ(whole->rows.size(), 9u);
      // Ann u1 before Ann u3 (the key breaks the tie in both directions), go before py.
      const std::size_t ann = descending ? 5 : 0;
      EXPECT_EQ(whole->rows[ann].user, "u1");
      EXPECT_EQ(whole->rows[ann].course, "go");
      EXPECT_EQ(whole->rows[ann + 2].user, "u3");
      for (std::size_t page : {1u, 2u, 4u, 100u}) ExpectSameRows(AllRows(*plan, page), whole->rows);
    }
  }
}

TEST_F(ReportPlanTest, FiltersAndPagingAreThoseOfTheReport) {
  TableQuery query;
  query.sort = "name";
  query.q = "N";  // Ann, Ann (no email holds an n: they are "u1@acme.example", ...)
  query.offset = 1;
  query.limit = 2;
  Result<Table<ReportRow>> whole = engine_.Report(kAccount, query, kNow);
  Result<ReportPlan> plan = engine_.PlanReport(kAccount, query, Instant{});
  ASSERT_TRUE(whole.ok() && plan.ok());
  EXPECT_EQ(plan->total, 4u);
  EXPECT_EQ(whole->total, 4u);
  ExpectSameRows(AllRows(*plan, 1000), whole->rows);
}

TEST_F(ReportPlanTest, RowsOfPeopleWhoLeftSinceThePlanAreLeftOut) {
  TableQuery query;
  query.sort = "name";
  query.limit = 1000;
  Result<ReportPlan> plan = engine_.PlanReport(kAccount, query, Instant{});
  ASSERT_TRUE(plan.ok());
  domain::WriteBatch erase;
  erase.user_removals.push_back({"u2", true});
  ASSERT_TRUE(engine_.Apply(kAccount, erase, kNow).ok());
  const std::vector<std::optional<ReportRow>> rows = AllRows(*plan, 3);
  ASSERT_EQ(rows.size(), 9u);
  std::size_t left_out = 0;
  for (const auto& row : rows) {
    if (!row) {
      ++left_out;
    } else {
      EXPECT_NE(row->user, "u2");
    }
  }
  EXPECT_EQ(left_out, 2u);
}

}  // namespace
}  // namespace cohort::metrics

// The read API of SPEC §4.1 through HTTP: wire shapes (times in the account's offset, seconds,
// nulls), filters and paging, and errors. The figures themselves are checked against the oracle
// in src/metrics; here, that what the engine computed reaches the client intact.
#include <fmt/format.h>

#include "api_fixture.h"

namespace cohort::testing {
namespace {

using nlohmann::json;

class ReadApiTest : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    SeedCatalog();
    // Ann: e1 three clean answers (W=5 → 0.6), one attempt capped at 7200 s.
    // Bob: e2 one wrong answer. Cat: enrolled, no responses.
    SeedCatNeverStarted();
    if (HasFatalFailure()) return;
    Reply r = Post("/api/v1/attempts", R"([
      {"id":"a1","user":"ann","course":"py","exercise":"e1","started_at":"2026-03-09T10:00:00Z",
       "finished_at":"2026-03-09T13:00:00Z",
       "responses":[{"question":"q1","correct":true,"time_ms":1500},
                    {"question":"q2","correct":true,"time_ms":1500},
                    {"question":"q3","correct":true,"time_ms":1500}]},
      {"id":"b1","user":"bob","course":"py","exercise":"e2","started_at":"2026-03-09T11:00:00Z",
       "responses":[{"question":"q1","correct":false,"time_ms":75500}]}])");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  Reply Get(const std::string& target) { return Call("GET", target, "", read_token_); }
};

TEST_F(ReadApiTest, LeagueRowsHaveTheWireShapeOfTheSpec) {
  Reply r = Get("/api/v1/courses/py/users");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["total"], 3);
  const json& ann = r.json["rows"][0];
  std::vector<std::string> keys;  // in the order sent: ordered_json keeps it
  const nlohmann::ordered_json sent = nlohmann::ordered_json::parse(r.body);
  for (const auto& item : sent["rows"][0].items()) keys.push_back(item.key());
  EXPECT_EQ(keys,
            (std::vector<std::string>{"rank", "user", "name", "email", "mastery", "progress",
                                      "completed", "completed_at", "certified", "certified_at",
                                      "score", "points", "time", "enrolled_at", "last_active",
                                      "days_inactive", "not_started", "at_risk"}));
  EXPECT_EQ(ann["user"], "ann");
  EXPECT_EQ(ann["rank"], 1);
  EXPECT_DOUBLE_EQ(ann["mastery"].get<double>(), 0.6 / 3);  // e1 0.6, e2 and e3 0
  EXPECT_DOUBLE_EQ(ann["progress"].get<double>(), 1.0 / 3);
  EXPECT_EQ(ann["points"], 30);
  EXPECT_DOUBLE_EQ(ann["time"].get<double>(), 7200.0);  // 3 h capped at max_attempt_seconds
  EXPECT_EQ(ann["last_active"], "2026-03-09T11:00:04.500+01:00");  // Europe/Paris
  EXPECT_TRUE(ann["completed_at"].is_null());
  const json& bob = r.json["rows"][1];
  EXPECT_EQ(bob["user"], "bob");
  EXPECT_DOUBLE_EQ(bob["score"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(bob["time"].get<double>(), 75.5);  // Σ time_ms without finished_at
  const json& cat = r.json["rows"][2];
  EXPECT_EQ(cat["user"], "cat");
  EXPECT_TRUE(cat["score"].is_null());
  EXPECT_TRUE(cat["last_active"].is_null());
  EXPECT_EQ(cat["at_risk"], true);  // enrolled 20 February, nothing in 14 days since
}

TEST_F(ReadApiTest, SortsFiltersAndPagesTheLeague) {
  Reply by_score = Get("/api/v1/courses/py/users?sort=score&order=desc");
  ASSERT_EQ(by_score.status, 200);
  // Ann 1.0, Bob 0.0, Cat null: nulls last in both directions.
  EXPECT_EQ(by_score.json["rows"][0]["user"], "ann");
  EXPECT_EQ(by_score.json["rows"][2]["user"], "cat");
  Reply asc = Get("/api/v1/courses/py/users?sort=score&order=asc");
  EXPECT_EQ(asc.json["rows"][0]["user"], "bob");
  EXPECT_EQ(asc.json["rows"][2]["user"], "cat");
  EXPECT_EQ(asc.json["rows"][0]["rank"], 2);  // rank stays the mastery position

  Reply group = Get("/api/v1/courses/py/users?group=g1");
  EXPECT_EQ(group.json["total"], 2);
  Reply q = Get("/api/v1/courses/py/users?q=NG");
  ASSERT_EQ(q.json["total"], 1);
  EXPECT_EQ(q.json["rows"][0]["user"], "cat");
  Reply page = Get("/api/v1/courses/py/users?limit=1&offset=1");
  EXPECT_EQ(page.json["total"], 3);
  ASSERT_EQ(page.json["rows"].size(), 1u);
  EXPECT_EQ(page.json["rows"][0]["user"], "bob");
  Reply risky = Get("/api/v1/courses/py/users?at_risk=false");
  EXPECT_EQ(risky.json["total"], 2);
}

TEST_F(ReadApiTest, DeactivatedUsersLeaveAggregatesAndShowUnderActiveFalse) {
  ASSERT_EQ(Delete("/api/v1/users/bob").status, 200);
  Reply course = Get("/api/v1/courses/py");
  ASSERT_EQ(course.status, 200);
  EXPECT_EQ(course.json["users"], 2);
  Reply inactive = Get("/api/v1/courses/py/users?active=false");
  ASSERT_EQ(inactive.json["total"], 1);
  EXPECT_EQ(inactive.json["rows"][0]["user"], "bob");
  Reply groups = Get("/api/v1/courses/py/groups");
  ASSERT_EQ(groups.json["total"], 1);
  EXPECT_EQ(groups.json["rows"][0]["users"], 1);  // g1 without bob
}

TEST_F(ReadApiTest, CourseViewShowsSettingsChaptersAndWeeks) {
  Reply r = Get("/api/v1/courses/py");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["settings"]["mastery_window"], 5);
  EXPECT_EQ(r.json["settings"]["mastery_model"], "recent");
  ASSERT_EQ(r.json["chapters"].size(), 2u);
  EXPECT_EQ(r.json["chapters"][0]["chapter"], "c1");
  EXPECT_DOUBLE_EQ(r.json["chapters"][0]["mastery"].get<double>(), 0.6 / 2 / 3);
  ASSERT_FALSE(r.json["weekly"].empty());
  EXPECT_EQ(r.json["weekly"][0]["week"], "2026-03-09");  // a Monday
  EXPECT_EQ(r.json["weekly"].back()["week"], "2026-03-09");
}

TEST_F(ReadApiTest, AllCoursesCarriesEveryCoursesWeeklySeriesInOneAnswerWhenAsked) {
  // Twelve courses, more than the ten the web UI once asked for one by one.
  for (int i = 0; i < 11; ++i) {
    const std::string key = fmt::format("k{:02}", i);
    ASSERT_EQ(Put("/api/v1/courses/" + key,
                  R"({"title":"T","chapters":[{"key":"c","title":"C","exercises":[{"key":"x","title":"X"}]}]})")
                  .status,
              200);
    ASSERT_EQ(Put("/api/v1/enrollments/cat/" + key, R"({"enrolled_at":"2026-02-20T08:00:00Z"})")
                  .status,
              200);
  }
  Reply plain = Get("/api/v1/courses?limit=1000");
  ASSERT_EQ(plain.status, 200) << plain.body;
  ASSERT_EQ(plain.json["rows"].size(), 12u);
  EXPECT_FALSE(plain.json["rows"][0].contains("weekly"));  // the table as before
  Reply with = Get("/api/v1/courses?limit=1000&weekly=true");
  ASSERT_EQ(with.status, 200) << with.body;
  ASSERT_EQ(with.json["rows"].size(), 12u);
  for (std::size_t i = 0; i < 12; ++i) {
    json row = with.json["rows"][i];
    const std::string course = row["course"];
    SCOPED_TRACE(course);
    ASSERT_TRUE(row.contains("weekly"));
    EXPECT_EQ(row["weekly"], Get("/api/v1/courses/" + course).json["weekly"]);
    if (course == "py") {
      EXPECT_FALSE(row["weekly"].empty());
    }
    row.erase("weekly");
    EXPECT_EQ(row, plain.json["rows"][i]);
  }
  EXPECT_EQ(Get("/api/v1/courses?weekly=maybe").status, 422);
  EXPECT_EQ(Get("/api/v1/courses/py/users?weekly=true").status, 422);
}

TEST_F(ReadApiTest, UserInCourseAndHistory) {
  Reply r = Get("/api/v1/courses/py/users/ann");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json["exercises"].size(), 3u);
  const json& e1 = r.json["exercises"][0];
  EXPECT_EQ(e1["exercise"], "e1");
  EXPECT_EQ(e1["attempts"], 1);
  EXPECT_DOUBLE_EQ(e1["avg_time"].get<double>(), 7200.0);
  EXPECT_EQ(e1["last_attempt"], "2026-03-09T11:00:00+01:00");
  EXPECT_TRUE(r.json["exercises"][1]["score"].is_null());
  EXPECT_TRUE(r.json["exercises"][1]["avg_time"].is_null());

  Reply h = Get("/api/v1/courses/py/users/ann/exercises/e1/attempts");
  ASSERT_EQ(h.status, 200) << h.body;
  ASSERT_EQ(h.json["rows"].size(), 1u);
  EXPECT_DOUBLE_EQ(h.json["rows"][0]["mastery_after"].get<double>(), 0.6);
  EXPECT_DOUBLE_EQ(h.json["rows"][0]["duration"].get<double>(), 7200.0);
  EXPECT_EQ(h.json["rows"][0]["detail"].size(), 3u);
  Reply none = Get("/api/v1/courses/py/users/ann/exercises/e3/attempts");
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(none.json["rows"].empty());
}

TEST_F(ReadApiTest, UnknownKeysAreNotFoundAndBadParametersInvalid) {
  EXPECT_EQ(Get("/api/v1/courses/nope").status, 404);
  EXPECT_EQ(Get("/api/v1/courses/nope/users").status, 404);
  EXPECT_EQ(Get("/api/v1/courses/py/users/nobody").status, 404);
  EXPECT_EQ(Get("/api/v1/courses/py/users/ann/exercises/e99/attempts").status, 404);
  EXPECT_EQ(Get("/api/v1/courses/py/users?group=nope").status, 404);
  Reply sort = Get("/api/v1/courses/py/users?sort=shoe_size");
  EXPECT_EQ(sort.status, 422);
  EXPECT_NE(sort.body.find("shoe_size"), std::string::npos);
  EXPECT_EQ(Get("/api/v1/courses/py/users?limit=1001").status, 422);
  EXPECT_EQ(Get("/api/v1/courses/py/users?order=up").status, 422);
  EXPECT_EQ(Get("/api/v1/courses/py/users?colour=red").status, 422);
  // The league's filters belong to the user league: elsewhere they are refused by name, never
  // ignored (a filter that changes nothing would show unfiltered figures as filtered).
  for (const char* target : {"/api/v1/courses/py/groups?completed=true",
                             "/api/v1/courses/py/groups?group=g1", "/api/v1/report?mastered=true",
                             "/api/v1/report?active=false", "/api/v1/courses?certified=true",
                             "/api/v1/courses/py/users?chapters=true",
                             "/api/v1/courses/py/users?course=py"}) {
    Reply filtered = Get(target);
    EXPECT_EQ(filtered.status, 422) << target;
    EXPECT_NE(filtered.body.find("not a filter of this view"), std::string::npos) << target;
  }
  // Another account's course is as unknown as a missing one; an ingest token cannot read.
  domain::ScopeSet read;
  read.Add(domain::Scope::kRead);
  Result<service::NewToken> globex = service_->CreateToken("globex", "reader", read);
  ASSERT_TRUE(globex.ok());
  EXPECT_EQ(Call("GET", "/api/v1/courses/py", "", globex->secret).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/courses/py", "", ingest_token_).status, 403);
}

TEST_F(ReadApiTest, AllCoursesAndReport) {
  Reply all = Get("/api/v1/courses");
  ASSERT_EQ(all.status, 200);
  ASSERT_EQ(all.json["total"], 1);
  EXPECT_EQ(all.json["rows"][0]["users"], 3);
  Reply report = Get("/api/v1/report");
  ASSERT_EQ(report.status, 200);
  ASSERT_EQ(report.json["total"], 3);
  EXPECT_EQ(report.json["rows"][0]["name"], "Ann Lee");
  EXPECT_EQ(report.json["rows"][0]["groups"], json::array({"g1"}));
  EXPECT_EQ(report.json["rows"][0]["attempts"], 1);
}

// All courses is a table like the others (SPEC §4): sort by any column both ways, search, page;
// an export of it holds the same rows in the same order.
TEST_F(ReadApiTest, AllCoursesSortsSearchesAndPagesLikeEveryTable) {
  for (const char* key : {"go", "rust"}) {
    ASSERT_EQ(Put(fmt::format("/api/v1/courses/{}", key),
                  fmt::format(R"({{"title":"{} course","chapters":[{{"key":"c1","title":"C",)"
                              R"("exercises":[{{"key":"e1","title":"E"}}]}}]}})",
                              key == std::string("go") ? "Zig" : "Alpha"))
                  .status,
              200);
  }
  ASSERT_EQ(Put("/api/v1/enrollments/ann/go", "{}").status, 200);
  ASSERT_EQ(Put("/api/v1/enrollments/bob/rust", "{}").status, 200);
  ASSERT_EQ(Put("/api/v1/enrollments/cat/rust", "{}").status, 200);
  auto courses = [](const Reply& r) {
    std::vector<std::string> keys;
    for (const json& row : r.json["rows"]) keys.push_back(row["course"]);
    return keys;
  };
  Reply by_title = Get("/api/v1/courses");
  ASSERT_EQ(by_title.status, 200) << by_title.body;
  EXPECT_EQ(by_title.json["total"], 3);
  EXPECT_EQ(courses(by_title), (std::vector<std::string>{"rust", "py", "go"}));  // Alpha, Py.., Zig
  EXPECT_EQ(courses(Get("/api/v1/courses?sort=title&order=desc")),
            (std::vector<std::string>{"go", "py", "rust"}));
  EXPECT_EQ(courses(Get("/api/v1/courses?sort=users&order=desc")),
            (std::vector<std::string>{"py", "rust", "go"}));  // 3, 2, 1 users
  EXPECT_EQ(courses(Get("/api/v1/courses?sort=users")),
            (std::vector<std::string>{"go", "rust", "py"}));
  Reply page = Get("/api/v1/courses?sort=users&order=desc&limit=1&offset=1");
  EXPECT_EQ(courses(page), (std::vector<std::string>{"rust"}));
  EXPECT_EQ(page.json["total"], 3);
  Reply searched = Get("/api/v1/courses?q=ZIG");
  EXPECT_EQ(courses(searched), (std::vector<std::string>{"go"}));
  EXPECT_EQ(searched.json["total"], 1);
  EXPECT_EQ(Get("/api/v1/courses?sort=colour").status, 422);
  Reply filter = Get("/api/v1/courses?group=g1");
  EXPECT_EQ(filter.status, 422);
  EXPECT_NE(filter.body.find("group"), std::string::npos) << filter.body;

  Reply csv = Get("/api/v1/courses?sort=users&order=desc&format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  const std::size_t py = csv.body.find("\r\npy,"), go = csv.body.find("\r\ngo,"),
                    rust = csv.body.find("\r\nrust,");
  ASSERT_NE(py, std::string::npos) << csv.body;
  ASSERT_NE(go, std::string::npos) << csv.body;
  ASSERT_NE(rust, std::string::npos) << csv.body;
  EXPECT_LT(py, rust);
  EXPECT_LT(rust, go);
}

// GET /api/v1/columns lists every table's declared columns, and the sortable tables accept
// exactly the columns it declares sortable: what the web UI offers never answers 422.
TEST_F(ReadApiTest, ColumnsEndpointMatchesWhatTheViewsAnswerAndSort) {
  Reply columns = Call("GET", "/api/v1/columns", "", "");  // no credential needed
  ASSERT_EQ(columns.status, 200) << columns.body;
  const json& tables = columns.json["tables"];
  for (const char* name : {"courses", "league", "groups", "report", "exercises", "history",
                           "history_detail", "chapters", "weekly"}) {
    EXPECT_TRUE(tables.contains(name)) << name;
  }
  // Each row of a view has exactly the declared fields, in the declared order.
  const std::vector<std::pair<std::string, std::string>> views = {
      {"courses", "/api/v1/courses"},
      {"league", "/api/v1/courses/py/users"},
      {"groups", "/api/v1/courses/py/groups"},
      {"report", "/api/v1/report"},
      {"history", "/api/v1/courses/py/users/ann/exercises/e1/attempts"}};
  for (const auto& [table, target] : views) {
    Reply r = Get(target);
    ASSERT_EQ(r.status, 200) << target;
    const nlohmann::ordered_json sent = nlohmann::ordered_json::parse(r.body);
    ASSERT_FALSE(sent["rows"].empty()) << target;
    std::vector<std::string> fields;
    for (const auto& item : sent["rows"][0].items()) {
      // Not columns: a history row's responses, a group row's mastery bands.
      if (item.key() != "detail" && item.key() != "bands") fields.push_back(item.key());
    }
    std::vector<std::string> declared;
    for (const json& c : tables[table]["columns"]) declared.push_back(c["name"]);
    EXPECT_EQ(fields, declared) << table;
  }
  Reply user = Get("/api/v1/courses/py/users/ann");
  ASSERT_EQ(user.status, 200);
  EXPECT_EQ(user.json["exercises"][0].size(), tables["exercises"]["columns"].size());
  // A sortable column sorts both ways; an unsortable one is refused by name.
  const std::vector<std::pair<std::string, std::string>> sortable = {
      {"courses", "/api/v1/courses"},
      {"league", "/api/v1/courses/py/users"},
      {"groups", "/api/v1/courses/py/groups"},
      {"report", "/api/v1/report"}};
  for (const auto& [table, target] : sortable) {
    for (const json& c : tables[table]["columns"]) {
      const std::string name = c["name"];
      for (const char* order : {"asc", "desc"}) {
        Reply r = Get(target + "?sort=" + name + "&order=" + order);
        if (c["sort"].is_null()) {
          EXPECT_EQ(r.status, 422) << table << " sort=" << name;
          EXPECT_NE(r.body.find(name), std::string::npos) << r.body;
        } else {
          EXPECT_EQ(r.status, 200) << table << " sort=" << name << ": " << r.body;
        }
      }
    }
  }
  EXPECT_TRUE(tables["report"]["columns"][3]["sort"].is_null());  // groups: a key list
}

}  // namespace
}  // namespace cohort::testing

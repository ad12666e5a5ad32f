// Issue 20, "What a manager needs", points 1 and 5, through HTTP: who needs attention (at risk as
// a count and a share on All courses, the course and the group league; days inactive, not
// started and the enrolment date in the league) and telling people apart (the email in the
// league, a search by name or email that ignores case and accents). Each figure is checked
// against a recomputation here from the rows' own dates and the fixture's clock.
#include <fmt/format.h>

#include "api_fixture.h"
#include "common/time.h"

namespace cohort::testing {
namespace {

using nlohmann::json;

constexpr std::int64_t kDayMs = 86'400'000;
constexpr int kAtRiskDays = 14;  // the course's default (SPEC §3.3)

class ReadApiManagerTest : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    SeedCatalog();
    // Ann and Bob (g1) answered on 9 March; Cat enrolled on 20 February and never started;
    // Élodie Lefèvre (g2) enrolled on 5 March and never started.
    SeedCatNeverStarted();
    if (HasFatalFailure()) return;
    ASSERT_EQ(Put("/api/v1/groups/g2", R"({"name":"Équipe rouge"})").status, 200);
    ASSERT_EQ(Put("/api/v1/users/elo",
                  R"({"name":"Élodie Lefèvre","email":"E.L@Acme.example","groups":["g2"]})")
                  .status,
              200);
    ASSERT_EQ(Put("/api/v1/enrollments/elo/py", R"({"enrolled_at":"2026-03-05T09:00:00Z"})").status,
              200);
    Reply r = Post("/api/v1/attempts", R"([
      {"id":"a1","user":"ann","course":"py","exercise":"e1","started_at":"2026-03-09T10:00:00Z",
       "responses":[{"question":"q1","correct":true,"time_ms":1500}]},
      {"id":"b1","user":"bob","course":"py","exercise":"e2","started_at":"2026-03-09T11:00:00Z",
       "responses":[{"question":"q1","correct":false,"time_ms":75500}]}])");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  Reply Get(const std::string& target) { return Call("GET", target, "", read_token_); }

  // Every row of the league of py under `query` (one page of up to 1000).
  json League(const std::string& query = "") {
    Reply r = Get("/api/v1/courses/py/users?limit=1000" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json["rows"];
  }
  static std::vector<std::string> Users(const json& rows) {
    std::vector<std::string> out;
    for (const json& row : rows) out.push_back(row["user"]);
    return out;
  }

  // What days_inactive should be, recomputed from the row's own dates and the clock: whole days
  // since the last response, or since the enrolment when there is none.
  std::int64_t DaysInactive(const json& row) const {
    const json& since = row["last_active"].is_null() ? row["enrolled_at"] : row["last_active"];
    const std::optional<Instant> at = ParseRfc3339(since.get<std::string>());
    EXPECT_TRUE(at.has_value()) << since;
    const std::int64_t idle = clock_.Now().ms - (at ? at->ms : 0);
    return idle <= 0 ? 0 : idle / kDayMs;
  }

  // The league's own rows agree with each other and with the clock.
  void ExpectLeagueRowsConsistent(const json& rows) const {
    for (const json& row : rows) {
      const std::int64_t days = DaysInactive(row);
      EXPECT_EQ(row["days_inactive"], days) << row;
      EXPECT_EQ(row["not_started"], row["last_active"].is_null()) << row;
      EXPECT_EQ(row["at_risk"], !row["completed"].get<bool>() && days >= kAtRiskDays) << row;
    }
  }

  // Counts the at-risk rows of a league.
  static std::int64_t AtRisk(const json& rows) {
    std::int64_t n = 0;
    for (const json& row : rows) n += row["at_risk"].get<bool>() ? 1 : 0;
    return n;
  }

  // All courses, the course view and the group league give the at-risk count and share the
  // league's rows give.
  void ExpectSharesAgreeWithTheLeague() {
    const json everyone = League();
    const auto users = static_cast<std::int64_t>(everyone.size());
    const std::int64_t at_risk = AtRisk(everyone);

    Reply all = Get("/api/v1/courses");
    ASSERT_EQ(all.status, 200) << all.body;
    ASSERT_EQ(all.json["rows"].size(), 1u);
    const json& py = all.json["rows"][0];
    EXPECT_EQ(py["users"], users);
    EXPECT_EQ(py["at_risk"], at_risk);
    EXPECT_DOUBLE_EQ(py["at_risk_share"].get<double>(),
                     static_cast<double>(at_risk) / static_cast<double>(users));

    Reply course = Get("/api/v1/courses/py");
    ASSERT_EQ(course.status, 200) << course.body;
    EXPECT_EQ(course.json["at_risk"], at_risk);
    EXPECT_DOUBLE_EQ(course.json["at_risk_share"].get<double>(),
                     static_cast<double>(at_risk) / static_cast<double>(users));

    Reply groups = Get("/api/v1/courses/py/groups");
    ASSERT_EQ(groups.status, 200) << groups.body;
    ASSERT_EQ(groups.json["rows"].size(), 2u);
    for (const json& g : groups.json["rows"]) {
      const json members = League("&group=" + g["group"].get<std::string>());
      const std::int64_t risky = AtRisk(members);
      EXPECT_EQ(g["users"], members.size()) << g;
      EXPECT_EQ(g["at_risk"], risky) << g;
      EXPECT_DOUBLE_EQ(g["at_risk_share"].get<double>(),
                       static_cast<double>(risky) / static_cast<double>(members.size()))
          << g;
      // The group's one-click at-risk list is the league's filter.
      EXPECT_EQ(League("&group=" + g["group"].get<std::string>() + "&at_risk=true").size(),
                static_cast<std::size_t>(risky));
    }
  }
};

TEST_F(ReadApiManagerTest, LeagueRowsCarryEmailEnrolmentDaysInactiveAndNotStarted) {
  const json rows = League("&sort=name");
  ASSERT_EQ(Users(rows), (std::vector<std::string>{"ann", "bob", "cat", "elo"}));
  EXPECT_EQ(rows[0]["email"], "ann@acme.example");
  EXPECT_EQ(rows[3]["email"], "E.L@Acme.example");  // as given: folding is the search's
  // Times in the account's zone (Europe/Paris): Ann enrolled by her first attempt.
  EXPECT_EQ(rows[0]["enrolled_at"], "2026-03-09T11:00:00+01:00");
  EXPECT_EQ(rows[2]["enrolled_at"], "2026-02-20T09:00:00+01:00");
  // By hand: Ann answered 1 day 2 h ago; Cat enrolled 18 days 4 h ago and never started.
  EXPECT_EQ(rows[0]["days_inactive"], 1);
  EXPECT_EQ(rows[0]["not_started"], false);
  EXPECT_EQ(rows[2]["days_inactive"], 18);
  EXPECT_EQ(rows[2]["not_started"], true);
  EXPECT_EQ(rows[2]["at_risk"], true);
  EXPECT_EQ(rows[3]["days_inactive"], 5);
  EXPECT_EQ(rows[3]["not_started"], true);
  EXPECT_EQ(rows[3]["at_risk"], false);
  ExpectLeagueRowsConsistent(rows);
}

TEST_F(ReadApiManagerTest, DaysInactiveAndAtRiskFollowTheClock) {
  ExpectLeagueRowsConsistent(League());
  // 13 days on (23 March, 12:00 UTC): Ann and Bob reach 14 days, Élodie 18.
  clock_.Advance(13 * kDayMs);
  const json rows = League("&sort=name");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0]["days_inactive"], 14);
  EXPECT_EQ(rows[0]["at_risk"], true);
  ExpectLeagueRowsConsistent(rows);
  ExpectSharesAgreeWithTheLeague();
  // A response brings Ann back: no longer at risk, started, 0 days.
  ASSERT_EQ(Post("/api/v1/attempts", R"([
      {"id":"a2","user":"ann","course":"py","exercise":"e2","started_at":"2026-03-23T11:00:00Z",
       "responses":[{"question":"q1","correct":true,"time_ms":1000}]}])")
                .status,
            200);
  const json after = League("&sort=name");
  EXPECT_EQ(after[0]["days_inactive"], 0);
  EXPECT_EQ(after[0]["at_risk"], false);
  ExpectLeagueRowsConsistent(after);
  ExpectSharesAgreeWithTheLeague();
}

TEST_F(ReadApiManagerTest, AtRiskCountsAndSharesAgreeWithTheLeague) {
  ExpectSharesAgreeWithTheLeague();
  Reply all = Get("/api/v1/courses");
  EXPECT_EQ(all.json["rows"][0]["at_risk"], 1);  // Cat alone, by hand
  EXPECT_DOUBLE_EQ(all.json["rows"][0]["at_risk_share"].get<double>(), 0.25);
  // The one-click list of a course: the league's at_risk filter, and its export.
  EXPECT_EQ(Users(League("&at_risk=true")), (std::vector<std::string>{"cat"}));
  Reply csv = Get("/api/v1/courses/py/users?at_risk=true&format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_NE(csv.body.find("\r\n1,cat,Cat Ng,cat@acme.example,"), std::string::npos) << csv.body;
  EXPECT_EQ(csv.body.find("ann"), std::string::npos) << csv.body;
  // A course with no one enrolled has no share (null), not 0.
  ASSERT_EQ(Put("/api/v1/courses/empty",
                R"({"title":"Empty","chapters":[{"key":"c","title":"C","exercises":[]}]})")
                .status,
            200);
  Reply empty = Get("/api/v1/courses/empty");
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_TRUE(empty.json["at_risk_share"].is_null());
}

TEST_F(ReadApiManagerTest, LeagueExportsCarryTheNewColumnsInJsonOrder) {
  Reply csv = Get("/api/v1/courses/py/users?format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  const std::string header = csv.body.substr(0, csv.body.find("\r\n"));
  EXPECT_NE(header.find("Name,Email,Mastery %"), std::string::npos) << header;
  EXPECT_NE(header.find("Enrolled at,Last active,Days inactive,Not started,At risk"),
            std::string::npos)
      << header;
  Reply groups = Get("/api/v1/courses/py/groups?format=csv");
  ASSERT_EQ(groups.status, 200) << groups.body;
  EXPECT_NE(groups.body.find("Certified,At risk,At risk %,Completed %,Certified %,Score %"),
            std::string::npos)
      << groups.body;
}

TEST_F(ReadApiManagerTest, SearchFindsNamesAndEmailsWhateverTheCaseAndAccents) {
  for (const char* q : {"lefevre", "LEFÈVRE", "Lefèvre", "lefe%CC%80vre", "elodie", "%C3%89LO"}) {
    EXPECT_EQ(Users(League(fmt::format("&q={}", q))), (std::vector<std::string>{"elo"})) << q;
  }
  // By email, case-insensitively; a name and an email never run into each other.
  EXPECT_EQ(Users(League("&q=e.l%40acme")), (std::vector<std::string>{"elo"}));
  EXPECT_EQ(Users(League("&q=BOB%40")), (std::vector<std::string>{"bob"}));
  EXPECT_EQ(League("&q=lefevree.l").size(), 0u);
  EXPECT_EQ(League("&q=acme.example").size(), 4u);
  EXPECT_EQ(League("&q=zzz").size(), 0u);
  // The account report searches the same way; the group league searches group names.
  Reply report = Get("/api/v1/report?q=LEFEVRE");
  ASSERT_EQ(report.status, 200) << report.body;
  ASSERT_EQ(report.json["total"], 1);
  EXPECT_EQ(report.json["rows"][0]["user"], "elo");
  EXPECT_EQ(Get("/api/v1/report?q=cat%40acme").json["total"], 1);
  Reply groups = Get("/api/v1/courses/py/groups?q=equipe");
  ASSERT_EQ(groups.status, 200) << groups.body;
  ASSERT_EQ(groups.json["total"], 1);
  EXPECT_EQ(groups.json["rows"][0]["group"], "g2");
  // A renamed email is searched at once (the league's cached search text follows it).
  ASSERT_EQ(Put("/api/v1/users/cat", R"({"name":"Cat Ng","email":"kitty@acme.example"})").status,
            200);
  EXPECT_EQ(Users(League("&q=kitty")), (std::vector<std::string>{"cat"}));
  EXPECT_EQ(League("&q=cat%40").size(), 0u);
}

TEST_F(ReadApiManagerTest, NewColumnsSortAndBadValuesAreRefusedByName) {
  EXPECT_EQ(Users(League("&sort=days_inactive&order=desc")),
            (std::vector<std::string>{"cat", "elo", "ann", "bob"}));  // 18, 5, 1, 1 (ties by name)
  EXPECT_EQ(Users(League("&sort=email")),
            (std::vector<std::string>{"elo", "ann", "bob", "cat"}));  // bytes: 'E' < 'a'
  EXPECT_EQ(Users(League("&sort=not_started")),
            (std::vector<std::string>{"ann", "bob", "cat", "elo"}));  // false first
  EXPECT_EQ(Users(League("&sort=enrolled_at")),
            (std::vector<std::string>{"cat", "elo", "ann", "bob"}));
  Reply groups = Get("/api/v1/courses/py/groups?sort=at_risk_share&order=desc");
  ASSERT_EQ(groups.status, 200) << groups.body;
  Reply courses = Get("/api/v1/courses?sort=at_risk_share");
  ASSERT_EQ(courses.status, 200) << courses.body;
  for (const char* target : {"/api/v1/courses/py/users?at_risk=maybe",
                             "/api/v1/courses/py/users?at_risk=TRUE"}) {
    Reply bad = Get(target);
    EXPECT_EQ(bad.status, 422) << target;
    EXPECT_NE(bad.body.find("at_risk"), std::string::npos) << bad.body;
  }
}

// Point 3: mastery bands. Ann (1 correct of e1) and Bob (1 wrong answer of e2) started below
// half; Cat and Élodie never started. In chapter c1 (e1, e2) both starters are below half; no
// one answered in c2.
TEST_F(ReadApiManagerTest, BandsCountEachLearnerOnceAtTheCoursesOwnThreshold) {
  const json course = Get("/api/v1/courses/py").json;
  EXPECT_EQ(course["mastery_threshold"], 0.8);
  const json want = {{"not_started", 2}, {"below_half", 2}, {"below_threshold", 0},
                     {"mastered", 0}};
  EXPECT_EQ(course["bands"], want);
  ASSERT_EQ(course["chapters"].size(), 2u);
  EXPECT_EQ(course["chapters"][0]["bands"], want);
  EXPECT_EQ(course["chapters"][1]["bands"],
            json({{"not_started", 4}, {"below_half", 0}, {"below_threshold", 0}, {"mastered", 0}}));
  // Five clean answers to each exercise: Ann masters the course (window 5).
  std::string attempts = "[";
  for (const char* e : {"e1", "e2", "e3"}) {
    attempts += fmt::format(
        R"({{"id":"m-{0}","user":"ann","course":"py","exercise":"{0}",)"
        R"("started_at":"2026-03-10T09:00:00Z","responses":[)",
        e);
    for (int i = 0; i < 5; ++i) {
      attempts += fmt::format(R"({}{{"question":"q{}","correct":true,"time_ms":1000}})",
                              i ? "," : "", i);
    }
    attempts += std::string("]}") + (e == std::string("e3") ? "" : ",");
  }
  ASSERT_EQ(Post("/api/v1/attempts", attempts + "]").status, 200);
  const json after = Get("/api/v1/courses/py").json;
  EXPECT_EQ(after["bands"]["mastered"], 1);
  EXPECT_EQ(after["bands"]["below_half"], 1);
  EXPECT_EQ(after["chapters"][1]["bands"]["mastered"], 1);
  EXPECT_EQ(after["chapters"][1]["bands"]["not_started"], 3);
  // The group league: each group's own bands, and shares of its members.
  // The answer is kept: a range-for over a member of a temporary would read freed memory.
  const Reply groups = Get("/api/v1/courses/py/groups?chapters=true");
  ASSERT_EQ(groups.status, 200) << groups.body;
  for (const json& row : groups.json["rows"]) {
    const json& b = row["bands"];
    EXPECT_EQ(b["not_started"].get<int>() + b["below_half"].get<int>() +
                  b["below_threshold"].get<int>() + b["mastered"].get<int>(),
              row["users"].get<int>())
        << row.dump();
    EXPECT_DOUBLE_EQ(row["completed_share"].get<double>(),
                     row["completed"].get<double>() / row["users"].get<double>());
    EXPECT_DOUBLE_EQ(row["avg_time"].get<double>(),
                     row["time"].get<double>() / row["users"].get<double>());
    ASSERT_EQ(row["chapters"].size(), 2u) << row.dump();
    // A group's page: the course view over its members.
    const json page = Get("/api/v1/courses/py/groups/" + row["group"].get<std::string>()).json;
    EXPECT_EQ(page["name"], row["name"]);
    EXPECT_EQ(page["users"], row["users"]);
    EXPECT_EQ(page["bands"], row["bands"]);
    EXPECT_DOUBLE_EQ(page["chapters"][0]["mastery"].get<double>(),
                     row["chapters"][0]["mastery"].get<double>());
  }
  EXPECT_EQ(Get("/api/v1/courses/py/groups/nope").status, 404);
  EXPECT_EQ(Get("/api/v1/courses/py/groups/g1?format=csv").status, 422);
  EXPECT_EQ(Get("/api/v1/users/ann?format=xlsx").status, 422);
}

// Point 8: the report filters by course, group, completed, certified and at risk, and shows
// group names.
TEST_F(ReadApiManagerTest, TheReportFiltersByCourseGroupAndFiguresWithGroupNames) {
  const json all = Get("/api/v1/report?limit=1000").json;
  ASSERT_EQ(all["total"], 4);
  auto users = [&](const std::string& query) {
    Reply r = Get("/api/v1/report?limit=1000&" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return Users(r.json["rows"]);
  };
  EXPECT_EQ(users("group=g1"), (std::vector<std::string>{"ann", "bob"}));
  EXPECT_EQ(users("group=g2"), (std::vector<std::string>{"elo"}));
  EXPECT_EQ(users("course=py&at_risk=true"), (std::vector<std::string>{"cat"}));
  EXPECT_EQ(users("at_risk=false&group=g1"), (std::vector<std::string>{"ann", "bob"}));
  EXPECT_EQ(users("completed=true"), std::vector<std::string>{});
  EXPECT_EQ(users("certified=false").size(), 4u);
  for (const json& row : all["rows"]) {
    if (row["user"] == "elo") {
      EXPECT_EQ(row["group_names"], json::array({"Équipe rouge"}));
    } else if (row["user"] == "ann") {
      EXPECT_EQ(row["group_names"], json::array({"Group one"}));
    } else if (row["user"] == "cat") {
      EXPECT_EQ(row["at_risk"], true);
    }
  }
  EXPECT_EQ(Get("/api/v1/report?course=nope").status, 404);
  EXPECT_EQ(Get("/api/v1/report?group=nope").status, 404);
  Reply bad = Get("/api/v1/report?at_risk=maybe");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("at_risk"), std::string::npos);
  // The export holds the filtered rows, with the names in "Groups".
  Reply csv = Get("/api/v1/report?format=csv&group=g2");
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("Équipe rouge"), std::string::npos) << csv.body;
  EXPECT_EQ(csv.body.find("Ann Lee"), std::string::npos) << csv.body;
}

// Point 2: the dashboard. The fixture's clock is Tuesday 10 March 2026 (Paris): its week
// starts Monday 9 March, when Ann and Bob answered; Cat and Élodie never did.
TEST_F(ReadApiManagerTest, TheDashboardCountsPeopleAttemptsAndRatesPerWeek) {
  Reply r = Get("/api/v1/activity?weeks=4");
  ASSERT_EQ(r.status, 200) << r.body;
  const json& a = r.json;
  EXPECT_EQ(a["from"], "2026-02-16");
  EXPECT_EQ(a["to"], "2026-03-09");
  EXPECT_EQ(a["learners"], 4);
  EXPECT_EQ(a["enrolments"], 4);
  EXPECT_EQ(a["active_this_week"], 2);
  EXPECT_EQ(a["at_risk"], 1);  // Cat: enrolled 20 February, never started
  EXPECT_EQ(a["completion_rate"], 0.0);
  const json course = Get("/api/v1/courses/py").json;
  EXPECT_DOUBLE_EQ(a["mastery"].get<double>(), course["mastery"].get<double>());
  ASSERT_EQ(a["weeks"].size(), 4u);
  const json& last = a["weeks"][3];
  EXPECT_EQ(last["week"], "2026-03-09");
  EXPECT_EQ(last["active"], 2);
  EXPECT_EQ(last["attempts"], 2);
  EXPECT_EQ(a["weeks"][0]["attempts"], 0);
  // The same person answering in a second course is still one person that week.
  ASSERT_EQ(Put("/api/v1/courses/js", R"({"title":"JS","chapters":[{"key":"k1","title":"K",
      "exercises":[{"key":"x1","title":"X1"}]}]})").status, 200);
  ASSERT_EQ(Post("/api/v1/attempts", R"([{"id":"js1","user":"ann","course":"js","exercise":"x1",
      "started_at":"2026-03-10T08:00:00Z","responses":[{"question":"q","correct":true,"time_ms":900}]}])")
                .status,
            200);
  const json after = Get("/api/v1/activity?from=2026-03-10&to=2026-03-10").json;
  EXPECT_EQ(after["from"], "2026-03-09");
  ASSERT_EQ(after["weeks"].size(), 1u);
  EXPECT_EQ(after["weeks"][0]["active"], 2);
  EXPECT_EQ(after["weeks"][0]["attempts"], 3);
  EXPECT_EQ(after["learners"], 4);
  EXPECT_EQ(after["enrolments"], 5);
  // Bad ranges are refused naming the parameter.
  for (const char* bad : {"weeks=0", "weeks=521", "weeks=x", "from=2026-02-30", "to=yesterday",
                          "from=2026-03-10&to=2026-03-01", "from=2016-01-01&to=2026-03-01",
                          "format=csv", "colour=red"}) {
    Reply b = Get(std::string("/api/v1/activity?") + bad);
    EXPECT_EQ(b.status, 422) << bad << ": " << b.body;
  }
}

}  // namespace
}  // namespace cohort::testing

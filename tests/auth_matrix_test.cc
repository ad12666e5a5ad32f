// Who sees what (SPEC §5): every endpoint × every kind of caller × target (own, same group,
// other group, other account), with the exact status and, for reads, exactly the rows and
// figures allowed — a group manager's aggregates are recomputed here over their members only.
// Whatever a caller may not see answers byte for byte what an unknown key answers.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "auth_fixture.h"

namespace cohort::testing {
namespace {

using nlohmann::json;

// A caller of the matrix: a signed-in person, a token of one scope, or nobody.
struct Who {
  std::string name;
  HeaderList headers;
};

class AuthMatrixTest : public AuthFixture {
 protected:
  void SetUp() override {
    AuthFixture::SetUp();
    if (HasFatalFailure()) return;
    // globex has a course "py" too (no one enrolled): its keys are not acme's.
    Reply py = Call("PUT", "/api/v1/courses/py",
                    R"({"title":"Globex Python","chapters":[{"key":"c1","title":"C",
                        "exercises":[{"key":"e1","title":"E"}]}]})",
                    other_account_token_);
    ASSERT_EQ(py.status, 200) << py.body;
    for (const char* person : {"boss", "exec", "gman", "ann", "dora", "nobody"}) {
      const Browser b = SignIn(fmt::format("{}@acme.example", person));
      callers_.push_back({person, {{"Cookie", b.cookie}, {"X-CSRF-Token", b.csrf}}});
    }
    const Browser gus = SignIn("gus@globex.example");
    callers_.push_back({"gus", {{"Cookie", gus.cookie}, {"X-CSRF-Token", gus.csrf}}});
    callers_.push_back({"read", {{"Authorization", "Bearer " + read_token_}}});
    callers_.push_back({"ingest", {{"Authorization", "Bearer " + ingest_token_}}});
    callers_.push_back({"admin", {{"Authorization", "Bearer " + admin_token_}}});
    callers_.push_back({"none", {}});
  }

  const Who& Caller(const std::string& name) const {
    for (const Who& w : callers_) {
      if (w.name == name) return w;
    }
    throw std::logic_error("no caller " + name);
  }
  Answer As(const std::string& who, const std::string& method, const std::string& target,
            const std::string& body = "") {
    return Send(method, target, body, Caller(who).headers);
  }
  // The body an unknown key gets: what the boss gets for `target` with `unknown` in it, with
  // `key` put in its place.
  std::string UnknownBody(const std::string& target, const std::string& unknown,
                          const std::string& key) {
    Answer a = As("boss", "GET", target);
    EXPECT_EQ(a.status(), 404) << target;
    return Replaced(a.http.body, "'" + unknown + "'", "'" + key + "'");
  }
  // `text` with every `from` replaced by `to`.
  static std::string Replaced(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
    return text;
  }

  // Users of a table's rows (field `field`), as a set.
  static std::set<std::string> Keys(const json& reply, const char* field = "user") {
    std::set<std::string> out;
    for (const json& row : reply["rows"]) out.insert(row[field].get<std::string>());
    return out;
  }
  // The mean of SeededMastery over `users`.
  static double MeanMastery(const std::set<std::string>& users) {
    double sum = 0;
    for (const std::string& u : users) sum += SeededMastery(u);
    return sum / static_cast<double>(users.size());
  }

  std::vector<Who> callers_;
};

const std::set<std::string> kEveryone = {"ann", "ben", "carl", "dora"};  // enrolled in py
const std::set<std::string> kGroupA = {"ann", "ben"};                    // gman's members

TEST_F(AuthMatrixTest, AllCoursesListsWhatEachCallerMaySeeWithTheirFigures) {
  struct Case {
    const char* who;
    int status;
    std::set<std::string> over;  // the users the figures are over; empty: no row
  };
  const Case cases[] = {
      {"boss", 200, kEveryone},  {"exec", 200, kEveryone}, {"read", 200, kEveryone},
      {"admin", 200, kEveryone}, {"gman", 200, kGroupA},   {"ann", 200, {"ann"}},
      {"dora", 200, {"dora"}},   {"nobody", 200, {}},      {"gus", 200, {}},
      {"ingest", 403, {}},       {"none", 401, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.who);
    Answer a = As(c.who, "GET", "/api/v1/courses");
    ASSERT_EQ(a.status(), c.status) << a.http.body;
    if (c.status != 200) continue;
    if (c.over.empty()) {
      EXPECT_EQ(a.json["total"], 0);
      EXPECT_TRUE(a.json["rows"].empty());
      continue;
    }
    ASSERT_EQ(a.json["rows"].size(), 1u) << a.http.body;
    const json& py = a.json["rows"][0];
    EXPECT_EQ(py["course"], "py");
    EXPECT_EQ(py["users"], c.over.size());
    EXPECT_NEAR(py["mastery"].get<double>(), MeanMastery(c.over), 1e-12);
  }
}

TEST_F(AuthMatrixTest, CourseViewIsComputedOverTheMembersAGroupManagerManagesOnly) {
  const std::string unknown_py = UnknownBody("/api/v1/courses/nope", "nope", "py");
  struct Case {
    const char* who;
    int status;
    std::set<std::string> over;
  };
  const Case cases[] = {
      {"boss", 200, kEveryone},  {"exec", 200, kEveryone}, {"read", 200, kEveryone},
      {"admin", 200, kEveryone}, {"gman", 200, kGroupA},   {"ann", 404, {}},
      {"dora", 404, {}},         {"nobody", 404, {}},      {"ingest", 403, {}},
      {"none", 401, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.who);
    Answer a = As(c.who, "GET", "/api/v1/courses/py");
    ASSERT_EQ(a.status(), c.status) << a.http.body;
    if (c.status == 404) {
      EXPECT_EQ(a.http.body, unknown_py);
    }
    if (c.status != 200) continue;
    EXPECT_EQ(a.json["users"], c.over.size());
    EXPECT_NEAR(a.json["mastery"].get<double>(), MeanMastery(c.over), 1e-12);
    // Chapter c1 (e1, e2): each user's e1 mastery / 2, averaged over the same users.
    EXPECT_NEAR(a.json["chapters"][0]["mastery"].get<double>(), MeanMastery(c.over) * 3 / 2, 1e-12);
  }
  // gus's account has its own "py", with no one in it: nothing of acme's shows.
  Answer gus = As("gus", "GET", "/api/v1/courses/py");
  ASSERT_EQ(gus.status(), 200);
  EXPECT_EQ(gus.json["title"], "Globex Python");
  EXPECT_EQ(gus.json["users"], 0);
  EXPECT_TRUE(gus.json["mastery"].is_null());
}

TEST_F(AuthMatrixTest, LeaguesAndReportListExactlyTheAllowedRows) {
  const std::string unknown_py = UnknownBody("/api/v1/courses/nope/users", "nope", "py");
  const std::string unknown_py_groups = UnknownBody("/api/v1/courses/nope/groups", "nope", "py");
  const std::string no_such_resource = Send("GET", "/api/v1/no-such-thing", "", {}).http.body;
  struct Case {
    const char* who;
    int status;
    std::set<std::string> users, groups;
  };
  const Case cases[] = {
      {"boss", 200, kEveryone, {"gA", "gB"}},
      {"exec", 200, kEveryone, {"gA", "gB"}},
      {"read", 200, kEveryone, {"gA", "gB"}},
      {"admin", 200, kEveryone, {"gA", "gB"}},
      {"gman", 200, kGroupA, {"gA"}},
      {"ann", 404, {}, {}},
      {"dora", 404, {}, {}},
      {"nobody", 404, {}, {}},
      {"ingest", 403, {}, {}},
      {"none", 401, {}, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.who);
    Answer league = As(c.who, "GET", "/api/v1/courses/py/users");
    Answer groups = As(c.who, "GET", "/api/v1/courses/py/groups");
    Answer report = As(c.who, "GET", "/api/v1/report");
    ASSERT_EQ(league.status(), c.status) << league.http.body;
    ASSERT_EQ(groups.status(), c.status) << groups.http.body;
    ASSERT_EQ(report.status(), c.status) << report.http.body;
    if (c.status == 404) {
      EXPECT_EQ(league.http.body, unknown_py);
      EXPECT_EQ(groups.http.body, unknown_py_groups);
      EXPECT_EQ(report.http.body, no_such_resource);
    }
    if (c.status != 200) continue;
    EXPECT_EQ(Keys(league.json), c.users);
    EXPECT_EQ(league.json["total"], c.users.size());
    EXPECT_EQ(Keys(report.json), c.users);
    EXPECT_EQ(Keys(groups.json, "group"), c.groups);
    // Ranks are positions among the rows the caller sees: 1..n.
    std::set<int> ranks;
    for (const json& row : league.json["rows"]) ranks.insert(row["rank"].get<int>());
    EXPECT_EQ(ranks.size(), c.users.size());
    EXPECT_EQ(*ranks.rbegin(), static_cast<int>(c.users.size()));
    for (const json& row : league.json["rows"]) {
      EXPECT_NEAR(row["mastery"].get<double>(), SeededMastery(row["user"]), 1e-12);
    }
    for (const json& row : groups.json["rows"]) {
      const std::set<std::string> members =
          row["group"] == "gA" ? kGroupA : std::set<std::string>{"carl"};
      EXPECT_EQ(row["users"], members.size());
      EXPECT_NEAR(row["mastery"].get<double>(), MeanMastery(members), 1e-12);
    }
  }
  // A group manager's league filtered by a group they do not manage: as if it did not exist.
  EXPECT_EQ(Keys(As("gman", "GET", "/api/v1/courses/py/users?group=gA").json), kGroupA);
  Answer other = As("gman", "GET", "/api/v1/courses/py/users?group=gB");
  EXPECT_EQ(other.status(), 404);
  EXPECT_EQ(other.http.body, UnknownBody("/api/v1/courses/py/users?group=nope", "nope", "gB"));
  // gus sees the globex py, empty.
  Answer gus = As("gus", "GET", "/api/v1/courses/py/users");
  ASSERT_EQ(gus.status(), 200);
  EXPECT_EQ(gus.json["total"], 0);
  EXPECT_EQ(As("gus", "GET", "/api/v1/report").json["total"], 0);
}

// Exports (issue 5) are the same views: a spreadsheet holds exactly the rows the caller may see,
// and what the caller may not see is the same 404. The report's CSV is streamed from a plan of
// its rows, which must be scoped like the JSON.
TEST_F(AuthMatrixTest, ExportsHoldExactlyTheRowsTheirViewsAllow) {
  // The user keys in column `column` of a CSV export (keys hold no commas or quotes).
  auto csv_keys = [](const std::string& csv, std::size_t column) {
    std::set<std::string> keys;
    std::size_t start = csv.find("\r\n");  // after the header row
    while (start != std::string::npos && start + 2 < csv.size()) {
      const std::size_t end = csv.find("\r\n", start + 2);
      const std::string line = csv.substr(start + 2, end - start - 2);
      std::size_t from = 0;
      for (std::size_t i = 0; i < column; ++i) from = line.find(',', from) + 1;
      keys.insert(line.substr(from, line.find(',', from) - from));
      start = end;
    }
    return keys;
  };
  struct Case {
    const char* who;
    int status;
    std::set<std::string> users;
  };
  const Case cases[] = {{"boss", 200, kEveryone}, {"exec", 200, kEveryone}, {"gman", 200, kGroupA},
                        {"ann", 404, {}},         {"ingest", 403, {}},      {"none", 401, {}}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.who);
    Answer report = As(c.who, "GET", "/api/v1/report?format=csv");
    Answer league = As(c.who, "GET", "/api/v1/courses/py/users?format=csv");
    Answer xlsx = As(c.who, "GET", "/api/v1/report?format=xlsx");
    ASSERT_EQ(report.status(), c.status) << report.http.body;
    ASSERT_EQ(league.status(), c.status) << league.http.body;
    ASSERT_EQ(xlsx.status(), c.status);
    if (c.status != 200) {
      EXPECT_EQ(report.http.body, As(c.who, "GET", "/api/v1/report").http.body);
      continue;
    }
    EXPECT_EQ(csv_keys(report.http.body, 0), c.users);
    EXPECT_EQ(csv_keys(league.http.body, 1), c.users);
  }
}

TEST_F(AuthMatrixTest, UserViewsAnswerForOwnSameGroupOtherGroupAndOtherAccountTargets) {
  // Targets: ann (own for ann; gman's member), ben (same group as ann), carl (other group),
  // dora (no group), gus (another account's user: unknown in acme).
  const std::vector<std::string> targets = {"ann", "ben", "carl", "dora", "gus"};
  std::map<std::string, std::set<std::string>> allowed = {
      {"boss", kEveryone}, {"exec", kEveryone}, {"read", kEveryone}, {"admin", kEveryone},
      {"gman", kGroupA},   {"ann", {"ann"}},    {"dora", {"dora"}},  {"nobody", {}}};
  for (const auto& [who, may_see] : allowed) {
    for (const std::string& target : targets) {
      SCOPED_TRACE(who + " → " + target);
      const std::string view = "/api/v1/courses/py/users/" + target;
      const std::string history = view + "/exercises/e1/attempts";
      Answer v = As(who, "GET", view);
      Answer h = As(who, "GET", history);
      if (may_see.contains(target)) {
        ASSERT_EQ(v.status(), 200) << v.http.body;
        EXPECT_EQ(v.json["user"], target);
        EXPECT_NEAR(v.json["mastery"].get<double>(), SeededMastery(target), 1e-12);
        ASSERT_EQ(h.status(), 200) << h.http.body;
        EXPECT_EQ(h.json["total"], target == "dora" ? 0 : 1);
      } else {
        EXPECT_EQ(v.status(), 404);
        EXPECT_EQ(v.http.body, UnknownBody("/api/v1/courses/py/users/ghost", "ghost", target));
        EXPECT_EQ(h.status(), 404);
        EXPECT_EQ(h.http.body, UnknownBody("/api/v1/courses/py/users/ghost/exercises/e1/attempts",
                                           "ghost", target));
      }
    }
  }
  for (const std::string& target : targets) {
    SCOPED_TRACE(target);
    const std::string view = "/api/v1/courses/py/users/" + target;
    EXPECT_EQ(As("gus", "GET", view).status(), 404);  // globex's py has none of them
    EXPECT_EQ(As("ingest", "GET", view).status(), 403);
    EXPECT_EQ(As("none", "GET", view).status(), 401);
  }
  // Unknown course or exercise for a hidden user: the answer an unknown user gets there too.
  EXPECT_EQ(As("ann", "GET", "/api/v1/courses/nope/users/carl").http.body,
            UnknownBody("/api/v1/courses/nope/users/ghost", "ghost", "carl"));
  EXPECT_EQ(As("ann", "GET", "/api/v1/courses/py/users/carl/exercises/e9/attempts").http.body,
            UnknownBody("/api/v1/courses/py/users/ghost/exercises/e9/attempts", "ghost", "carl"));
}

TEST_F(AuthMatrixTest, WritesNeedAnAccountManagerOrAnIngestToken) {
  // Each caller's writes, with targets of their own so that one's write does not change
  // another's answer. 200: done; 404 for people whose roles change nothing.
  const std::map<std::string, int> expected = {
      {"boss", 200}, {"admin", 200}, {"ingest", 200}, {"read", 403},   {"exec", 404},
      {"gman", 404}, {"ann", 404},   {"dora", 404},   {"nobody", 404}, {"none", 401},
  };
  for (const auto& [who, status] : expected) {
    SCOPED_TRACE(who);
    const store::TableCounts before = Counts();
    const std::string user = "new-" + who;
    const std::vector<std::tuple<std::string, std::string, std::string>> writes = {
        {"PUT", "/api/v1/groups/g-" + who, R"({"name":"G"})"},
        {"PUT", "/api/v1/users/" + user,
         fmt::format(R"({{"name":"N","email":"{}@acme.example"}})", user)},
        {"PUT", "/api/v1/courses/c-" + who,
         R"({"title":"T","chapters":[{"key":"c","title":"C","exercises":[{"key":"x","title":"X"}]}]})"},
        {"PUT", "/api/v1/enrollments/dora/py", "{}"},
        {"POST", "/api/v1/attempts",
         fmt::format(R"([{{"id":"w-{}","user":"dora","course":"py","exercise":"e2",
                          "started_at":"{}","responses":[]}}])",
                     who, TimeAt(-10))},
        {"DELETE", "/api/v1/enrollments/carl/py", ""},
        {"DELETE", "/api/v1/users/" + user, ""},
    };
    for (const auto& [method, target, body] : writes) {
      Answer a = As(who, method, target, body);
      EXPECT_EQ(a.status(), status) << method << " " << target << ": " << a.http.body;
      if (status == 404) {
        EXPECT_EQ(a.json["error"]["message"], "no such resource");
      }
    }
    if (status != 200) {
      EXPECT_EQ(Counts(), before);
    }
    if (status == 200) {
      ASSERT_EQ(Put("/api/v1/enrollments/carl/py", "{}").status, 200);  // back
    }
  }
  // gus (globex's manager) writes in globex only: acme's carl stays active and enrolled.
  EXPECT_EQ(As("gus", "DELETE", "/api/v1/users/carl").status(), 404);
  EXPECT_EQ(As("gus", "DELETE", "/api/v1/enrollments/ann/py").status(), 404);
  EXPECT_EQ(As("gus", "PUT", "/api/v1/groups/gA", R"({"name":"Globex A"})").status(), 200);
  const Answer groups = As("boss", "GET", "/api/v1/courses/py/groups");
  ASSERT_EQ(groups.json["rows"].size(), 2u);
  for (const json& row : groups.json["rows"]) {
    EXPECT_EQ(row["name"], row["group"] == "gA" ? "Group A" : "Group B");
  }
  EXPECT_TRUE(Keys(As("boss", "GET", "/api/v1/courses/py/users").json).contains("carl"));
}

TEST_F(AuthMatrixTest, TokensAreAdministeredByAccountManagersAndAdminTokensOnly) {
  const std::map<std::string, int> expected = {
      {"boss", 200}, {"admin", 200}, {"gus", 200}, {"read", 403},   {"ingest", 403},
      {"exec", 404}, {"gman", 404},  {"ann", 404}, {"nobody", 404}, {"none", 401},
  };
  for (const auto& [who, status] : expected) {
    SCOPED_TRACE(who);
    EXPECT_EQ(As(who, "GET", "/api/v1/tokens").status(), status);
    Answer made =
        As(who, "POST", "/api/v1/tokens", R"({"name":"by )" + who + R"(","scopes":["read"]})");
    ASSERT_EQ(made.status(), status) << made.http.body;
    if (status != 200) continue;
    const std::int64_t id = made.json["id"];
    const std::string secret = made.json["token"];
    EXPECT_TRUE(secret.starts_with("coh_"));
    // Listed by id, name, scopes, times — never the secret.
    Answer list = As(who, "GET", "/api/v1/tokens");
    EXPECT_EQ(list.http.body.find(secret), std::string::npos);
    bool listed = false;
    for (const json& t : list.json["rows"]) {
      if (t["id"] != id) continue;
      listed = true;
      EXPECT_EQ(t["name"], "by " + who);
      EXPECT_EQ(t["scopes"], json::array({"read"}));
      EXPECT_EQ(t["revoked"], false);
      EXPECT_TRUE(t.contains("created_at"));
      EXPECT_TRUE(t.contains("last_used"));
    }
    EXPECT_TRUE(listed);
    // Works, then revoked: refused at once.
    const HeaderList bearer = {{"Authorization", "Bearer " + secret}};
    EXPECT_EQ(Send("GET", "/api/v1/courses", "", bearer).status(), 200);
    bool used = false;
    const Answer after_use = As(who, "GET", "/api/v1/tokens");
    for (const json& t : after_use.json["rows"]) {
      // The fake clock's time, in the account's zone (Paris for acme, UTC for globex).
      if (t["id"] == id) used = t["last_used"] == t["created_at"];
    }
    EXPECT_TRUE(used) << after_use.http.body;
    Answer revoked = As(who, "DELETE", "/api/v1/tokens/" + std::to_string(id));
    EXPECT_EQ(revoked.status(), 200) << revoked.http.body;
    EXPECT_EQ(Send("GET", "/api/v1/courses", "", bearer).status(), 401);
  }
  // Tenants: gus lists only globex's tokens, and cannot revoke acme's.
  Answer acme_list = As("boss", "GET", "/api/v1/tokens");
  Answer globex_list = As("gus", "GET", "/api/v1/tokens");
  std::set<std::int64_t> acme_ids, globex_ids;
  for (const json& t : acme_list.json["rows"]) acme_ids.insert(t["id"].get<std::int64_t>());
  for (const json& t : globex_list.json["rows"]) globex_ids.insert(t["id"].get<std::int64_t>());
  ASSERT_FALSE(acme_ids.empty());
  for (std::int64_t id : acme_ids) {
    EXPECT_FALSE(globex_ids.contains(id));
    Answer a = As("gus", "DELETE", "/api/v1/tokens/" + std::to_string(id));
    EXPECT_EQ(a.status(), 404);
    EXPECT_EQ(a.http.body, Replaced(As("gus", "DELETE", "/api/v1/tokens/999999").http.body,
                                    "999999", std::to_string(id)));
  }
  EXPECT_EQ(Call("GET", "/api/v1/courses", "", read_token_).status, 200);  // still works
}

TEST_F(AuthMatrixTest, AwardsByAccountManagersForAnyoneAndGroupManagersForTheirMembers) {
  struct Case {
    const char* who;
    const char* target;
    int status;
  };
  const Case cases[] = {
      {"boss", "ann", 200},   {"boss", "carl", 200}, {"boss", "dora", 200},  {"boss", "gus", 422},
      {"admin", "ben", 200},  {"gman", "ann", 200},  {"gman", "ben", 200},   {"gman", "carl", 422},
      {"gman", "dora", 422},  {"exec", "ann", 404},  {"ann", "ann", 404},    {"dora", "ann", 404},
      {"nobody", "ann", 404}, {"read", "ann", 403},  {"ingest", "ann", 403}, {"none", "ann", 401},
      {"gus", "ann", 422},
  };
  std::map<std::string, std::int64_t> award_of;  // "who→target" → id
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.who) + " → " + c.target);
    Answer a = As(c.who, "POST", "/api/v1/awards",
                  json{{"user", c.target},
                       {"course", "py"},
                       {"title", "Star"},
                       {"note", std::string("from ") + c.who}}
                      .dump());
    ASSERT_EQ(a.status(), c.status) << a.http.body;
    if (c.status == 200) award_of[std::string(c.who) + "→" + c.target] = a.json["id"];
    if (c.status == 422 && std::string(c.who) == "gman") {
      // Not their member: exactly an unknown user.
      Answer ghost = As("boss", "POST", "/api/v1/awards",
                        json{{"user", "ghost"}, {"course", "py"}, {"title", "Star"}}.dump());
      EXPECT_EQ(a.http.body,
                Replaced(ghost.http.body, "'ghost'", std::string("'") + c.target + "'"));
    }
  }
  // Listed in the user-in-course view with who granted them and when.
  Answer ann = As("boss", "GET", "/api/v1/courses/py/users/ann");
  ASSERT_EQ(ann.json["awards"].size(), 2u) << ann.http.body;
  EXPECT_EQ(ann.json["awards"][0]["id"], award_of["boss→ann"]);
  EXPECT_EQ(ann.json["awards"][0]["granted_by"], "boss");
  EXPECT_EQ(ann.json["awards"][0]["note"], "from boss");
  EXPECT_EQ(ann.json["awards"][0]["granted_at"], "2026-03-10T13:00:00+01:00");
  EXPECT_EQ(ann.json["awards"][1]["granted_by"], "gman");
  Answer own = As("ann", "GET", "/api/v1/courses/py/users/ann");  // ann sees her own awards
  EXPECT_EQ(own.json["awards"].size(), 2u);
  Answer by_token = As("boss", "GET", "/api/v1/courses/py/users/ben");
  ASSERT_EQ(by_token.json["awards"].size(), 2u);
  EXPECT_TRUE(by_token.json["awards"][0]["granted_by"].is_null());  // an admin token

  // Revoking: group managers only their members' awards (whoever granted them).
  const std::string carl_award = "/api/v1/awards/" + std::to_string(award_of["boss→carl"]);
  const std::string ann_award = "/api/v1/awards/" + std::to_string(award_of["boss→ann"]);
  Answer hidden = As("gman", "DELETE", carl_award);
  EXPECT_EQ(hidden.status(), 404);
  EXPECT_EQ(hidden.http.body, Replaced(As("boss", "DELETE", "/api/v1/awards/999999").http.body,
                                       "999999", std::to_string(award_of["boss→carl"])));
  for (const char* who : {"exec", "ann", "nobody", "gus"}) {
    EXPECT_EQ(As(who, "DELETE", ann_award).status(), 404) << who;
  }
  EXPECT_EQ(As("read", "DELETE", ann_award).status(), 403);
  EXPECT_EQ(As("none", "DELETE", ann_award).status(), 401);
  EXPECT_EQ(As("gman", "DELETE", ann_award).status(), 200);
  EXPECT_EQ(As("gman", "DELETE", ann_award).status(), 404);  // already revoked
  EXPECT_EQ(As("boss", "DELETE", carl_award).status(), 200);
  Answer after = As("boss", "GET", "/api/v1/courses/py/users/ann");
  ASSERT_EQ(after.json["awards"].size(), 1u);
  EXPECT_EQ(after.json["awards"][0]["granted_by"], "gman");
}

TEST_F(AuthMatrixTest, APersonWithSeveralRolesSeesTheUnion) {
  // ann, a learner in gA, becomes the manager of gB too — seen on her next request.
  ASSERT_EQ(Put("/api/v1/users/ann", R"({"name":"ann Person","email":"ann@acme.example",
                 "roles":["learner","group_manager"],"groups":["gA"]})")
                .status,
            200);
  ASSERT_EQ(Put("/api/v1/groups/gB", R"({"name":"Group B","managers":["ann"]})").status, 200);
  const std::set<std::string> over = {"ann", "carl"};  // herself and gB's members
  Answer course = As("ann", "GET", "/api/v1/courses/py");
  ASSERT_EQ(course.status(), 200) << course.http.body;
  EXPECT_EQ(course.json["users"], 2);
  EXPECT_NEAR(course.json["mastery"].get<double>(), MeanMastery(over), 1e-12);
  EXPECT_EQ(Keys(As("ann", "GET", "/api/v1/courses/py/users").json), over);
  EXPECT_EQ(Keys(As("ann", "GET", "/api/v1/report").json), over);
  EXPECT_EQ(Keys(As("ann", "GET", "/api/v1/courses/py/groups").json, "group"),
            std::set<std::string>{"gB"});
  EXPECT_EQ(As("ann", "GET", "/api/v1/courses/py/users/carl").status(), 200);
  EXPECT_EQ(As("ann", "GET", "/api/v1/courses/py/users/ben").status(), 404);
  // Awards: her gB members, not herself (she is not a member of a group she manages).
  EXPECT_EQ(As("ann", "POST", "/api/v1/awards", R"({"user":"carl","title":"T"})").status(), 200);
  EXPECT_EQ(As("ann", "POST", "/api/v1/awards", R"({"user":"ann","title":"T"})").status(), 422);
}

TEST_F(AuthMatrixTest, AnAwardWithoutCourseShowsInEveryCourseAndErasureRemovesIt) {
  ASSERT_EQ(Put("/api/v1/courses/js", R"({"title":"JS","chapters":[{"key":"c","title":"C",
                 "exercises":[{"key":"x","title":"X"}]}]})")
                .status,
            200);
  ASSERT_EQ(Put("/api/v1/enrollments/ann/js", "{}").status, 200);
  Answer general = As("boss", "POST", "/api/v1/awards", R"({"user":"ann","title":"Team player"})");
  ASSERT_EQ(general.status(), 200) << general.http.body;
  Answer py_only =
      As("boss", "POST", "/api/v1/awards", R"({"user":"ann","course":"py","title":"Pythonista"})");
  ASSERT_EQ(py_only.status(), 200);
  Answer in_py = As("boss", "GET", "/api/v1/courses/py/users/ann");
  Answer in_js = As("boss", "GET", "/api/v1/courses/js/users/ann");
  ASSERT_EQ(in_py.json["awards"].size(), 2u) << in_py.http.body;
  ASSERT_EQ(in_js.json["awards"].size(), 1u) << in_js.http.body;
  EXPECT_EQ(in_js.json["awards"][0]["id"], general.json["id"]);
  EXPECT_EQ(in_js.json["awards"][0]["title"], "Team player");
  EXPECT_EQ(in_js.json["awards"][0]["note"], "");
  EXPECT_TRUE(in_js.json["awards"][0]["course"].is_null());
  EXPECT_EQ(in_py.json["awards"][1]["course"], "py");
  // Bad awards change nothing.
  EXPECT_EQ(As("boss", "POST", "/api/v1/awards", R"({"user":"ann","course":"nope","title":"T"})")
                .status(),
            422);
  EXPECT_EQ(
      As("boss", "POST", "/api/v1/awards", R"({"user":"ben","course":"js","title":"T"})").status(),
      422);  // ben is not enrolled in js: it would show nowhere
  EXPECT_EQ(As("boss", "POST", "/api/v1/awards", R"({"user":"ann","title":""})").status(), 422);
  EXPECT_EQ(As("boss", "POST", "/api/v1/awards", R"({"user":"ann"})").status(), 422);
  EXPECT_EQ(As("boss", "GET", "/api/v1/courses/py/users/ann").json["awards"].size(), 2u);
  // Her page lists every award in one list, by date then id: for no course, and each course's,
  // including a course she has left (the award stays hers).
  Answer js_only =
      As("boss", "POST", "/api/v1/awards", R"({"user":"ann","course":"js","title":"Scripter"})");
  ASSERT_EQ(js_only.status(), 200);
  ASSERT_EQ(Delete("/api/v1/enrollments/ann/js").status, 200);
  const Answer page = As("boss", "GET", "/api/v1/users/ann");
  ASSERT_EQ(page.status(), 200) << page.http.body;
  ASSERT_EQ(page.json["awards"].size(), 3u) << page.http.body;
  EXPECT_EQ(page.json["awards"][0]["id"], general.json["id"]);
  EXPECT_EQ(page.json["awards"][1]["id"], py_only.json["id"]);
  EXPECT_EQ(page.json["awards"][2]["id"], js_only.json["id"]);
  EXPECT_EQ(page.json["awards"][2]["course"], "js");
  for (const json& c : page.json["courses"]) EXPECT_NE(c["course"], "js");
  // Erasing ann erases her awards.
  ASSERT_EQ(Delete("/api/v1/users/ann?erase=true").status, 200);
  const AwardId general_id{general.json["id"].get<std::int64_t>()};
  const AwardId py_only_id{py_only.json["id"].get<std::int64_t>()};
  EXPECT_EQ(store_->FindAward(account_, general_id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->FindAward(account_, py_only_id).status().code(), ErrorCode::kNotFound);
}

// Issue 20, point 4: whose figures each page shows, the account's zone, and "as of".
TEST_F(AuthMatrixTest, TheSessionNamesTheScopeAndZoneAndViewsSayAsOfWhen) {
  const json boss = As("boss", "GET", "/api/v1/session").json;
  EXPECT_EQ(boss["zone"], "Europe/Paris");
  EXPECT_EQ(boss["scope"], json({{"kind", "account"}, {"groups", json::array()}, {"members", 0}}));
  const json gman = As("gman", "GET", "/api/v1/session").json;
  EXPECT_EQ(gman["scope"]["kind"], "groups");
  EXPECT_EQ(gman["scope"]["groups"], json::array({{{"group", "gA"}, {"name", "Group A"}}}));
  EXPECT_EQ(gman["scope"]["members"], 2);  // ann and ben
  EXPECT_EQ(As("ann", "GET", "/api/v1/session").json["scope"]["kind"], "self");
  // The last change was applied at the fixture's clock: 12:00 UTC is 13:00 in Paris.
  for (const char* target : {"/api/v1/courses", "/api/v1/courses/py", "/api/v1/courses/py/users",
                             "/api/v1/report", "/api/v1/users/carl",
                             "/api/v1/courses/py/groups/gB"}) {
    Answer a = As("boss", "GET", target);
    ASSERT_EQ(a.status(), 200) << target;
    EXPECT_EQ(a.http.headers["cohort-as-of"], "2026-03-10T13:00:00+01:00") << target;
  }
}

// Issue 20, points 6 and 7: a person's page and a group's page answer as the other views do:
// a learner sees only themselves, a group manager only their groups and members.
TEST_F(AuthMatrixTest, PersonAndGroupPagesFollowTheRoles) {
  EXPECT_EQ(As("ann", "GET", "/api/v1/users/ann").status(), 200);
  EXPECT_EQ(As("ann", "GET", "/api/v1/users/carl").status(), 404);
  EXPECT_EQ(As("gman", "GET", "/api/v1/users/ann").status(), 200);
  EXPECT_EQ(As("gman", "GET", "/api/v1/users/carl").status(), 404);
  EXPECT_EQ(As("gman", "GET", "/api/v1/users/nope").status(), 404);
  const Answer carl = As("boss", "GET", "/api/v1/users/carl");
  ASSERT_EQ(carl.status(), 200);
  EXPECT_EQ(carl.json["groups"], json::array({{{"group", "gB"}, {"name", "Group B"}}}));
  ASSERT_EQ(carl.json["courses"].size(), 1u);
  EXPECT_EQ(carl.json["courses"][0]["course"], "py");
  EXPECT_NEAR(carl.json["courses"][0]["mastery"].get<double>(), SeededMastery("carl"), 1e-12);
  EXPECT_EQ(As("nobody", "GET", "/api/v1/users/nobody").json["courses"], json::array());

  const Answer ga = As("gman", "GET", "/api/v1/courses/py/groups/gA");
  ASSERT_EQ(ga.status(), 200) << ga.http.body;
  EXPECT_EQ(ga.json["users"], 2);
  EXPECT_NEAR(ga.json["mastery"].get<double>(),
              (SeededMastery("ann") + SeededMastery("ben")) / 2, 1e-12);
  EXPECT_EQ(As("gman", "GET", "/api/v1/courses/py/groups/gB").status(), 404);
  EXPECT_EQ(As("gman", "GET", "/api/v1/courses/nope/groups/gA").status(), 404);
  EXPECT_EQ(As("ann", "GET", "/api/v1/courses/py/groups/gA").status(), 404);
  EXPECT_EQ(As("boss", "GET", "/api/v1/courses/py/groups/gB").json["users"], 1);
  // The report's group filter: a group the manager does not manage is unknown to them.
  EXPECT_EQ(As("gman", "GET", "/api/v1/report?group=gB").status(), 404);
  const Answer mine = As("gman", "GET", "/api/v1/report?group=gA");
  ASSERT_EQ(mine.status(), 200);
  EXPECT_EQ(mine.json["total"], 2);
}

// Issue 20: the account's groups for filters and pickers — all of them with their active
// members for whoever sees the account, a group manager's own, a learner's none.
TEST_F(AuthMatrixTest, TheGroupListFollowsTheRoles) {
  const json all = json::array({{{"group", "gA"}, {"name", "Group A"}, {"members", 2}},
                                {{"group", "gB"}, {"name", "Group B"}, {"members", 1}}});
  for (const char* who : {"boss", "exec", "read", "admin"}) {
    const Answer a = As(who, "GET", "/api/v1/groups");
    ASSERT_EQ(a.status(), 200) << who << a.http.body;
    EXPECT_EQ(a.json["groups"], all) << who;
  }
  EXPECT_EQ(As("gman", "GET", "/api/v1/groups").json["groups"], json::array({all[0]}));
  EXPECT_EQ(As("ann", "GET", "/api/v1/groups").json["groups"], json::array());
  EXPECT_EQ(As("gus", "GET", "/api/v1/groups").json["groups"], json::array());
  EXPECT_EQ(As("ingest", "GET", "/api/v1/groups").status(), 403);
  EXPECT_EQ(As("none", "GET", "/api/v1/groups").status(), 401);
  EXPECT_EQ(As("boss", "GET", "/api/v1/groups?format=csv").status(), 422);
  // A deactivated member no longer counts; a renamed group sorts by its new name.
  ASSERT_EQ(Put("/api/v1/users/ben", R"({"name":"ben Person","email":"ben@acme.example",
                                         "groups":["gA"],"active":false})")
                .status,
            200);
  ASSERT_EQ(Put("/api/v1/groups/gB", R"({"name":"Alpha team"})").status, 200);
  EXPECT_EQ(As("boss", "GET", "/api/v1/groups").json["groups"],
            json::array({{{"group", "gB"}, {"name", "Alpha team"}, {"members", 1}},
                         {{"group", "gA"}, {"name", "Group A"}, {"members", 1}}}));
}

TEST_F(AuthMatrixTest, SessionEndpointsAreForPeopleOnly) {
  for (const char* who : {"boss", "exec", "gman", "ann", "dora", "nobody", "gus"}) {
    Answer a = As(who, "GET", "/api/v1/session");
    EXPECT_EQ(a.status(), 200) << who;
    EXPECT_EQ(a.json["user"], who == std::string("gus") ? "gus" : who);
  }
  EXPECT_EQ(As("gman", "GET", "/api/v1/session").json["roles"], json::array({"group_manager"}));
  // No roles given makes a learner (every person is at least that): one enrolled in nothing.
  EXPECT_EQ(As("nobody", "GET", "/api/v1/session").json["roles"], json::array({"learner"}));
  for (const char* who : {"read", "ingest", "admin", "none"}) {
    EXPECT_EQ(As(who, "GET", "/api/v1/session").status(), 401) << who;
    EXPECT_EQ(As(who, "DELETE", "/api/v1/session").status(), 401) << who;
    EXPECT_EQ(As(who, "POST", "/api/v1/session/password",
                 R"({"current_password":"x","new_password":"long enough"})")
                  .status(),
              401)
        << who;
  }
  // whoami answers everyone with credentials: their account and scopes.
  EXPECT_EQ(As("gus", "GET", "/api/v1/whoami").json["account"], "globex");
  EXPECT_EQ(As("boss", "GET", "/api/v1/whoami").json["scopes"], json::array({"admin"}));
  EXPECT_EQ(As("gman", "GET", "/api/v1/whoami").json["scopes"], json::array({"read"}));
  EXPECT_EQ(As("none", "GET", "/api/v1/whoami").status(), 401);
}

}  // namespace
}  // namespace cohort::testing

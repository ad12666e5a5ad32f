// Every rule of SPEC §2 broken once: the exact status, error code and item/pointer named, and
// the database unchanged afterwards.
#include <fmt/format.h>

#include "api_fixture.h"

namespace cohort::testing {
namespace {

struct BadCase {
  const char* name;
  const char* method;
  const char* target;
  std::string body;
  enum class Token { kIngest, kRead, kNone, kBogus } token = Token::kIngest;
  int status;
  const char* code;
  std::optional<int> index = std::nullopt;  // details[0].index, when the case names an item
  std::optional<std::string> pointer = std::nullopt;  // details[0].pointer
};

std::string AttemptWith(const std::string& id, const std::string& fields_override,
                        const std::string& responses) {
  return fmt::format(
      R"({{"id":"{}","user":"ann","course":"py","exercise":"e1","started_at":"2026-03-10T10:00:00Z",)"
      R"("finished_at":"2026-03-10T10:05:00Z"{},"responses":{}}})",
      id, fields_override, responses);
}

const std::string kOk = R"([{"question":"q1","correct":true,"time_ms":500}])";

std::string Batch(const std::string& attempt) { return "[" + attempt + "]"; }

std::string ManyResponses(int n) {
  std::string out = "[";
  for (int i = 0; i < n; ++i) {
    if (i) out += ",";
    out += R"({"question":"q","correct":true})";
  }
  return out + "]";
}

std::string ManyAttempts(int n) {
  std::string out = "[";
  for (int i = 0; i < n; ++i) {
    if (i) out += ",";
    out += AttemptWith(fmt::format("m{}", i), "", kOk);
  }
  return out + "]";
}

std::string Nested(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']');
}

std::vector<BadCase> Cases() {
  using T = BadCase::Token;
  std::vector<BadCase> c;
  c.push_back({"MalformedJson", "POST", "/api/v1/attempts", R"([{"id": "x",)", T::kIngest, 400,
               "malformed"});
  c.push_back({"TrailingGarbage", "POST", "/api/v1/attempts", "[] []", T::kIngest, 400,
               "malformed"});
  c.push_back({"InvalidUtf8", "POST", "/api/v1/attempts",
               Batch(AttemptWith("bad\xff", "", kOk)), T::kIngest, 400, "malformed"});
  c.push_back({"NestingDeeperThan64", "POST", "/api/v1/attempts", Nested(65), T::kIngest, 400,
               "malformed"});
  c.push_back({"WrongType", "POST", "/api/v1/attempts",
               Batch(AttemptWith("w1", "", R"([{"question":"q1","correct":true,"hints":"2"}])")),
               T::kIngest, 422, "invalid", 0, "/0/responses/0/hints"});
  c.push_back({"UnknownField", "POST", "/api/v1/attempts",
               Batch(AttemptWith("u1", R"(,"colour":"red")", kOk)), T::kIngest, 422, "invalid",
               0, "/0/colour"});
  c.push_back({"DuplicateField", "POST", "/api/v1/attempts",
               Batch(AttemptWith("d1", R"(,"user":"bob")", kOk)), T::kIngest, 422, "invalid", 0,
               "/0/user"});
  c.push_back({"NegativeHints", "POST", "/api/v1/attempts",
               Batch(AttemptWith("n1", "", R"([{"question":"q1","correct":true,"hints":-1}])")),
               T::kIngest, 422, "invalid", 0, "/0/responses/0/hints"});
  c.push_back({"NegativeTime", "POST", "/api/v1/attempts",
               Batch(AttemptWith("n2", "", R"([{"question":"q1","correct":true,"time_ms":-5}])")),
               T::kIngest, 422, "invalid", 0, "/0/responses/0/time_ms"});
  c.push_back({"FinishedBeforeStarted", "POST", "/api/v1/attempts",
               R"([{"id":"f1","user":"ann","course":"py","exercise":"e1",)"
               R"("started_at":"2026-03-10T10:00:00Z","finished_at":"2026-03-10T09:00:00Z",)"
               R"("responses":[{"question":"q1","correct":true}]}])",
               T::kIngest, 422, "invalid", 0, "/0/finished_at"});
  c.push_back({"MoreThan24HoursInTheFuture", "POST", "/api/v1/attempts",
               R"([{"id":"f2","user":"ann","course":"py","exercise":"e1",)"
               R"("started_at":"2026-03-11T12:00:01Z","responses":[{"question":"q1","correct":true}]}])",
               T::kIngest, 422, "invalid", 0, "/0/started_at"});
  c.push_back({"NotATime", "POST", "/api/v1/attempts",
               R"([{"id":"f3","user":"ann","course":"py","exercise":"e1",)"
               R"("started_at":"yesterday","responses":[]}])",
               T::kIngest, 422, "invalid", 0, "/0/started_at"});
  c.push_back({"ThousandAndOneResponses", "POST", "/api/v1/attempts",
               Batch(AttemptWith("r1", "", ManyResponses(1001))), T::kIngest, 422, "invalid", 0,
               "/0/responses"});
  c.push_back({"TenThousandAndOneAttempts", "POST", "/api/v1/attempts", ManyAttempts(10'001),
               T::kIngest, 422, "invalid", std::nullopt, ""});
  c.push_back({"UnknownUser", "POST", "/api/v1/attempts",
               Batch(AttemptWith("x1", "", kOk)).replace(20, 3, "zed"), T::kIngest, 422,
               "invalid", 0, "/0/user"});
  c.push_back({"UnknownExercise", "POST", "/api/v1/attempts",
               "[" + AttemptWith("ok1", "", kOk) + "," +
                   R"({"id":"x2","user":"ann","course":"py","exercise":"e99",)"
                   R"("started_at":"2026-03-10T10:00:00Z","responses":[]}])",
               T::kIngest, 422, "invalid", 1, "/1/exercise"});
  c.push_back({"UnknownCourse", "POST", "/api/v1/attempts",
               R"([{"id":"x3","user":"ann","course":"go","exercise":"e1",)"
               R"("started_at":"2026-03-10T10:00:00Z","responses":[]}])",
               T::kIngest, 422, "invalid", 0, "/0/course"});
  c.push_back({"SameIdTwiceWithDifferentContent", "POST", "/api/v1/attempts",
               "[" + AttemptWith("dup", "", kOk) + "," +
                   AttemptWith("dup", "", R"([{"question":"q1","correct":false}])") + "]",
               T::kIngest, 409, "conflict", 1, "/1/id"});
  c.push_back({"OversizeBody", "POST", "/api/v1/attempts",
               "[" + std::string(33u << 20, ' ') + "]", T::kIngest, 413, "too_large"});
  c.push_back({"NoToken", "POST", "/api/v1/attempts", Batch(AttemptWith("t1", "", kOk)),
               T::kNone, 401, "unauthenticated"});
  c.push_back({"BadToken", "POST", "/api/v1/attempts", Batch(AttemptWith("t2", "", kOk)),
               T::kBogus, 401, "unauthenticated"});
  c.push_back({"WrongScope", "POST", "/api/v1/attempts", Batch(AttemptWith("t3", "", kOk)),
               T::kRead, 403, "forbidden"});
  c.push_back({"BadKeyInPath", "PUT", "/api/v1/courses/bad%20key",
               R"({"title":"T","chapters":[]})", T::kIngest, 422, "invalid", std::nullopt, ""});
  c.push_back({"CourseUnknownSetting", "PUT", "/api/v1/courses/py2",
               R"({"title":"T","chapters":[],"settings":{"mastery_windw":5}})", T::kIngest, 422,
               "invalid", std::nullopt, "/settings/mastery_windw"});
  c.push_back({"CourseSettingOutOfRange", "PUT", "/api/v1/courses/py2",
               R"({"title":"T","chapters":[],"settings":{"mastery_window":40}})", T::kIngest,
               422, "invalid", std::nullopt, "/settings/mastery_window"});
  c.push_back({"UserBadEmail", "PUT", "/api/v1/users/cat",
               R"({"name":"Cat","email":"cat-at-acme"})", T::kIngest, 422, "invalid",
               std::nullopt, "/email"});
  c.push_back({"UserUnknownGroup", "PUT", "/api/v1/users/cat",
               R"({"name":"Cat","email":"cat@acme.example","groups":["nope"]})", T::kIngest, 422,
               "invalid", std::nullopt, "/groups/0"});
  c.push_back({"UserUnknownRole", "PUT", "/api/v1/users/cat",
               R"({"name":"Cat","email":"cat@acme.example","roles":["king"]})", T::kIngest, 422,
               "invalid", std::nullopt, "/roles/0"});
  c.push_back({"GroupUnknownManager", "PUT", "/api/v1/groups/g2",
               R"({"name":"G2","managers":["nobody"]})", T::kIngest, 422, "invalid",
               std::nullopt, "/managers/0"});
  c.push_back({"EnrollmentBadTime", "PUT", "/api/v1/enrollments/ann/py",
               R"({"enrolled_at":"soon"})", T::kIngest, 422, "invalid", std::nullopt,
               "/enrolled_at"});
  return c;
}

// Names the case in test output instead of dumping its bytes.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class BadInputTest : public ApiFixture, public ::testing::WithParamInterface<BadCase> {};

TEST_P(BadInputTest, IsRefusedPreciselyAndChangesNothing) {
  SeedCatalog();
  // Something already stored, so that a change would show in the counts.
  ASSERT_EQ(Post("/api/v1/attempts", Batch(AttemptWith("seed", "", kOk))).status, 200);
  const store::TableCounts before = Counts();
  const BadCase& c = GetParam();
  std::string token;
  switch (c.token) {
    case BadCase::Token::kIngest: token = ingest_token_; break;
    case BadCase::Token::kRead: token = read_token_; break;
    case BadCase::Token::kNone: break;
    case BadCase::Token::kBogus: token = "coh_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; break;
  }
  Reply r = Call(c.method, c.target, c.body, token);
  EXPECT_EQ(r.status, c.status) << r.body.substr(0, 2000);
  ASSERT_TRUE(r.json.is_object()) << r.body.substr(0, 2000);
  EXPECT_EQ(r.json["error"]["code"], c.code);
  EXPECT_FALSE(r.json["error"]["message"].get<std::string>().empty());
  if (c.pointer) {
    ASSERT_FALSE(r.json["error"]["details"].empty()) << r.body.substr(0, 2000);
    const nlohmann::json& d = r.json["error"]["details"][0];
    EXPECT_EQ(d["pointer"], *c.pointer) << r.body.substr(0, 2000);
    EXPECT_FALSE(d["reason"].get<std::string>().empty());
    if (c.index) {
      EXPECT_EQ(d["index"], *c.index) << r.body.substr(0, 2000);
    } else {
      EXPECT_FALSE(d.contains("index")) << r.body.substr(0, 2000);
    }
  }
  EXPECT_EQ(Counts(), before);
}

INSTANTIATE_TEST_SUITE_P(EveryRule, BadInputTest, ::testing::ValuesIn(Cases()),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

}  // namespace
}  // namespace cohort::testing

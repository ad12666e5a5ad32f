// The hostile-input corpus of issue 8 (docs/security.md): request bodies, keys, URL paths,
// query strings, methods and content types that a careless or malicious client may send, each
// answered with the exact status and error code, a message and pointer that name the problem,
// within bounded time, with a bounded answer, and with nothing applied (the store's counts and
// every view unchanged). tests/bad_input_test.cc holds one case per rule of SPEC §2; this file
// holds the extremes. Requests a client library would not send (bad framing, smuggling) go
// through a raw socket.
#include <fmt/format.h>
#include <time.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api_fixture.h"
#include "support/http_client.h"

namespace cohort::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::string_literals;

// Every hostile request must be answered within this (the answers are computed, not waited for).
// (Times COHORT_TIME_FACTOR, 10 in sanitizer builds: tests/CMakeLists.txt.)
constexpr auto kAnswerBound = std::chrono::seconds(2 * COHORT_TIME_FACTOR);

// The CPU time this process (the server runs in it) has used so far. A body's cost is judged
// by it, not by the wall-clock time, which on a loaded machine (a parallel ctest beside other
// builds on 2 cores) reached 10.9 s for a 10 MB body whose work had not changed.
std::chrono::nanoseconds ProcessCpuTime() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
}

// No error answer echoes a large input back.
constexpr std::size_t kMaxAnswerBytes = 16 * 1024;

enum class Token { kIngest, kRead, kNone };

struct HostileCase {
  std::string name;
  std::string method;
  std::string target;
  std::string body;
  int status;
  std::string code;
  std::string message_has;             // a piece of error.message
  std::optional<std::string> pointer;  // details[0].pointer, when the answer names one
  Token token = Token::kIngest;
  HeaderList headers = {};  // replace the defaults by name (Content-Type)
  // Makes the body when it is sent, for the huge ones: every test process registers every
  // case, and a hundred megabytes built at each start would cost more than the tests.
  std::function<std::string()> make_body = nullptr;
};

// A response object: {"question":"q1","correct":true,"hints":0,"time_ms":500} with the named
// fields' raw JSON values replaced (or added when not there).
std::string Fields(std::vector<std::pair<std::string, std::string>> base,
                   const std::vector<std::pair<std::string, std::string>>& overrides) {
  for (const auto& [name, value] : overrides) {
    bool found = false;
    for (auto& field : base) {
      if (field.first == name) {
        field.second = value;
        found = true;
      }
    }
    if (!found) base.emplace_back(name, value);
  }
  std::string out = "{";
  for (const auto& [name, value] : base) {
    if (out.size() > 1) out += ",";
    out += name.front() == '"' ? name : "\"" + name + "\"";  // a raw (odd) name as given
    out += ":" + value;
  }
  return out + "}";
}

std::string Response(const std::vector<std::pair<std::string, std::string>>& overrides = {}) {
  return Fields({{"question", R"("q1")"}, {"correct", "true"}, {"hints", "0"}, {"time_ms", "500"}},
                overrides);
}

std::string Attempt(const std::vector<std::pair<std::string, std::string>>& overrides = {}) {
  return Fields({{"id", R"("h1")"},
                 {"user", R"("ann")"},
                 {"course", R"("py")"},
                 {"exercise", R"("e1")"},
                 {"started_at", R"("2026-03-10T10:00:00Z")"},
                 {"finished_at", R"("2026-03-10T10:05:00Z")"},
                 {"responses", "[" + Response() + "]"}},
                overrides);
}

std::string Batch(const std::string& attempt) { return "[" + attempt + "]"; }
std::string Quoted(const std::string& s) { return "\"" + s + "\""; }
std::string WithResponse(const std::vector<std::pair<std::string, std::string>>& fields) {
  return Batch(Attempt({{"responses", "[" + Response(fields) + "]"}}));
}

constexpr std::size_t kTenMegabytes = 10u << 20;
const std::string& TenMegabytes() {
  static const std::string s(kTenMegabytes, 'a');
  return s;
}

std::string DeepArrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}
std::string DeepObjects(std::size_t depth) {
  std::string out;
  out.reserve(depth * 7);
  for (std::size_t i = 0; i < depth; ++i) out += R"({"a":)";
  out += "1";
  out.append(depth, '}');
  return out;
}

const char* kAttempts = "/api/v1/attempts";
const char* kLeague = "/api/v1/courses/py/users";

std::vector<HostileCase> Cases() {
  std::vector<HostileCase> c;
  // A case whose body is made when it is sent.
  auto lazy = [&](std::string name, std::function<std::string()> make, int status, std::string code,
                  std::string message_has, std::optional<std::string> pointer = std::nullopt) {
    HostileCase hc{
        std::move(name),   "POST", kAttempts, "", status, std::move(code), std::move(message_has),
        std::move(pointer)};
    hc.make_body = std::move(make);
    c.push_back(std::move(hc));
  };
  auto post = [&](std::string name, std::string body, int status, std::string code,
                  std::string message_has, std::optional<std::string> pointer = std::nullopt) {
    c.push_back({std::move(name), "POST", kAttempts, std::move(body), status, std::move(code),
                 std::move(message_has), std::move(pointer)});
  };
  // --- Not JSON at all, or JSON's extensions that RFC 8259 leaves out: 400 malformed.
  post("EmptyBody", "", 400, "malformed", "is empty");
  post("OnlyWhitespace", " \r\n\t ", 400, "malformed", "is empty");
  post("NaNLiteral", WithResponse({{"hints", "NaN"}}), 400, "malformed",
       "malformed JSON near byte");
  post("InfinityLiteral", WithResponse({{"time_ms", "Infinity"}}), 400, "malformed",
       "malformed JSON near byte");
  post("MinusInfinityLiteral", WithResponse({{"time_ms", "-Infinity"}}), 400, "malformed",
       "malformed JSON near byte");
  post("HexNumber", WithResponse({{"hints", "0x10"}}), 400, "malformed", "not a valid number");
  post("LeadingZeros", WithResponse({{"hints", "007"}}), 400, "malformed", "not a valid number");
  post("PlusSign", WithResponse({{"hints", "+1"}}), 400, "malformed", "malformed JSON near byte");
  post("SingleQuotes", "[{'id':'h1'}]", 400, "malformed", "malformed JSON");
  post("TrailingComma", "[" + Attempt() + ",]", 400, "malformed", "malformed JSON");
  post("Comment", "[/* no */" + Attempt() + "]", 400, "malformed", "malformed JSON");
  post("UnescapedControlCharacter", Batch(Attempt({{"id", "\"h\x01\""}})), 400, "malformed",
       "unescaped control character");
  post("BadEscape", Batch(Attempt({{"id", R"("h\x41")"}})), 400, "malformed", "invalid escape");
  post("LoneSurrogateEscape", Batch(Attempt({{"id", R"("h\ud800")"}})), 400, "malformed",
       "invalid escape");
  post("TwoDocuments", Batch(Attempt()) + Batch(Attempt()), 400, "malformed", "malformed JSON");
  // --- Nesting: a parser that recurses without a bound would overflow its stack here.
  lazy(
      "HundredThousandDeepArrays", [] { return DeepArrays(100'000); }, 400, "malformed",
      "nesting deeper than 64 levels");
  lazy(
      "HundredThousandDeepObjects", [] { return DeepObjects(100'000); }, 400, "malformed",
      "nesting deeper than 64 levels");
  lazy(
      "DeepNestingInsideAField",
      [] {
        return WithResponse({{"points", DeepArrays(100'000)}});
      },
      400, "malformed", "nesting deeper than 64 levels");
  lazy(
      "UnclosedHundredThousandDeep", [] { return std::string(100'000, '['); }, 400, "malformed",
      "malformed JSON");
  // --- Invalid UTF-8 in values and in object keys: 400, whatever the field.
  post("OverlongSlashInValue", Batch(Attempt({{"id", "\"h\xC0\xAF\""}})), 400, "malformed",
       "is not valid UTF-8");
  post("EncodedSurrogateInValue", Batch(Attempt({{"user", "\"a\xED\xA0\x80\""}})), 400, "malformed",
       "is not valid UTF-8");
  post("TruncatedSequenceInValue", Batch(Attempt({{"course", "\"py\xE2\x82\""}})), 400, "malformed",
       "is not valid UTF-8");
  post("FiveByteSequenceInValue", WithResponse({{"question", "\"q\xF8\x88\x80\x80\x80\""}}), 400,
       "malformed", "is not valid UTF-8");
  post("AboveU10FFFFInValue", WithResponse({{"question", "\"q\xF4\x90\x80\x80\""}}), 400,
       "malformed", "is not valid UTF-8");
  post("OverlongInObjectKey",
       Batch(Attempt({{"\"us\xC0\xAF"
                       "er\"",
                       R"("ann")"}})),
       400, "malformed", "is not valid UTF-8");
  post("LoneContinuationByteInKey", Batch(Attempt({{"\"\x80\"", "1"}})), 400, "malformed",
       "is not valid UTF-8");
  // --- Wrong types: 422 naming the field.
  post("RootIsAnObject", Attempt(), 422, "invalid", "expected an array", "");
  post("RootIsAString", R"("attempts")", 422, "invalid", "expected an array", "");
  post("AttemptIsAnArray", "[[1,2]]", 422, "invalid", "expected an object", "/0");
  post("IdIsANumber", Batch(Attempt({{"id", "17"}})), 422, "invalid", "expected a string", "/0/id");
  post("UserIsNull", Batch(Attempt({{"user", "null"}})), 422, "invalid", "", "/0/user");
  post("StartedAtIsANumber", Batch(Attempt({{"started_at", "1773136800000"}})), 422, "invalid",
       "expected a string", "/0/started_at");
  post("ResponsesIsAnObject", Batch(Attempt({{"responses", Response()}})), 422, "invalid",
       "expected an array", "/0/responses");
  post("CorrectIsAString", WithResponse({{"correct", R"("yes")"}}), 422, "invalid",
       "expected a boolean", "/0/responses/0/correct");
  post("HintsIsAFraction", WithResponse({{"hints", "1.5"}}), 422, "invalid", "expected an integer",
       "/0/responses/0/hints");
  // --- Huge and odd numbers: 422 naming the field, never a wrapped value stored.
  post("HintsIs1e400", WithResponse({{"hints", "1e400"}}), 422, "invalid", "expected an integer",
       "/0/responses/0/hints");
  post("HintsIs2To64", WithResponse({{"hints", "18446744073709551616"}}), 422, "invalid",
       "number out of range", "/0/responses/0/hints");
  post("HintsIsUint64Max", WithResponse({{"hints", "18446744073709551615"}}), 422, "invalid",
       "number out of range", "/0/responses/0/hints");
  post("HintsOfAThousandDigits", WithResponse({{"hints", std::string(1000, '9')}}), 422, "invalid",
       "number out of range", "/0/responses/0/hints");
  post("HintsAboveTheMaximum", WithResponse({{"hints", "1000001"}}), 422, "invalid",
       "hints must be 0-1000000", "/0/responses/0/hints");
  post("TimeMsIsInt64Max", WithResponse({{"time_ms", "9223372036854775807"}}), 422, "invalid",
       "time_ms must be 0-86400000 (24 h)", "/0/responses/0/time_ms");
  post("TimeMsIsInt64Min", WithResponse({{"time_ms", "-9223372036854775808"}}), 422, "invalid",
       "time_ms must be 0-86400000 (24 h)", "/0/responses/0/time_ms");
  post("TimeMsIsMinus1e400", WithResponse({{"time_ms", "-1e400"}}), 422, "invalid",
       "expected an integer", "/0/responses/0/time_ms");
  post("PointsIs2To63", WithResponse({{"points", "9223372036854775808"}}), 422, "invalid",
       "number out of range", "/0/responses/0/points");
  post("PointsNegative", WithResponse({{"points", "-1"}}), 422, "invalid",
       "points must be 0-1000000", "/0/responses/0/points");
  // --- Absurd times.
  post("StartedInYear9999",
       Batch(Attempt({{"started_at", R"("9999-12-31T23:59:59Z")"}, {"finished_at", "null"}})), 422,
       "invalid", "started_at is more than 24 h in the future", "/0/started_at");
  post("StartedInYear0", Batch(Attempt({{"started_at", R"("0000-01-01T00:00:00Z")"}})), 422,
       "invalid", "is before 1970-01-01T00:00:00Z", "/0/started_at");
  post("StartedBeforeTheEpoch", Batch(Attempt({{"started_at", R"("1969-12-31T23:59:59Z")"}})), 422,
       "invalid", "is before 1970-01-01T00:00:00Z", "/0/started_at");
  post("AnsweredInYear1", WithResponse({{"answered_at", R"("0001-01-01T00:00:00Z")"}}), 422,
       "invalid", "is before 1970-01-01T00:00:00Z", "/0/responses/0/answered_at");
  c.push_back({"EnrolledInYear0", "PUT", "/api/v1/enrollments/ann/py",
               R"({"enrolled_at":"0000-01-01T00:00:00Z"})", 422, "invalid",
               "is before 1970-01-01T00:00:00Z", "/enrolled_at"});
  post("MonthThirteen", Batch(Attempt({{"started_at", R"("2026-13-01T10:00:00Z")"}})), 422,
       "invalid", "is not an RFC 3339 time", "/0/started_at");
  post("FebruaryThirtieth", Batch(Attempt({{"started_at", R"("2026-02-30T10:00:00Z")"}})), 422,
       "invalid", "is not an RFC 3339 time", "/0/started_at");
  post("HourTwentyFive", Batch(Attempt({{"started_at", R"("2026-03-10T25:00:00Z")"}})), 422,
       "invalid", "is not an RFC 3339 time", "/0/started_at");
  post("OffsetOfTwentyFiveHours",
       Batch(Attempt({{"started_at", R"("2026-03-10T10:00:00+25:00")"}})), 422, "invalid",
       "is not an RFC 3339 time", "/0/started_at");
  post("NoTimeZone", Batch(Attempt({{"started_at", R"("2026-03-10T10:00:00")"}})), 422, "invalid",
       "is not an RFC 3339 time", "/0/started_at");
  post("EpochMillisecondsAsAString", Batch(Attempt({{"started_at", R"("1773136800000")"}})), 422,
       "invalid", "is not an RFC 3339 time", "/0/started_at");
  post("FinishedAnHourBeforeStarted",
       Batch(Attempt({{"finished_at", R"("2026-03-10T09:00:00Z")"}})), 422, "invalid",
       "finished_at is before started_at", "/0/finished_at");
  post("AnsweredBeforeStarted", WithResponse({{"answered_at", R"("2026-03-10T09:59:59Z")"}}), 422,
       "invalid", "answered_at is before started_at", "/0/responses/0/answered_at");
  // --- Ten-megabyte strings: refused without echoing them back.
  lazy(
      "TenMegabyteId",
      [] {
        return Batch(Attempt({{"id", Quoted(TenMegabytes())}}));
      },
      422, "invalid", "", "/0/id");
  lazy(
      "TenMegabyteUserKey",
      [] {
        return Batch(Attempt({{"user", Quoted(TenMegabytes())}}));
      },
      422, "invalid", "1-128 bytes", "/0/user");
  lazy(
      "TenMegabyteQuestion",
      [] {
        return WithResponse({{"question", Quoted(TenMegabytes())}});
      },
      422, "invalid", "question must be 1-256 bytes", "/0/responses/0/question");
  lazy(
      "TenMegabyteFieldName",
      [] {
        return Batch(Attempt({{Quoted(TenMegabytes()), "1"}}));
      },
      422, "invalid", "unknown field", "/0/" + std::string(128, 'a') + "...");
  lazy(
      "TenMegabyteTime",
      [] {
        return Batch(Attempt({{"started_at", Quoted(TenMegabytes())}}));
      },
      422, "invalid", "is not an RFC 3339 time", "/0/started_at");
  // --- Duplicate keys and unknown fields, at every level.
  post("DuplicateKeyInAResponse",
       Batch(Attempt({{"responses", R"([{"question":"q1","correct":true,"correct":false}])"}})),
       422, "invalid", "", "/0/responses/0/correct");
  post("UnknownFieldInAResponse", WithResponse({{"colour", R"("red")"}}), 422, "invalid",
       "unknown field", "/0/responses/0/colour");
  post("ProtoFieldInAnAttempt", Batch(Attempt({{"__proto__", "{}"}})), 422, "invalid",
       "unknown field", "/0/__proto__");
  // --- Keys that try to leave their place (SPEC §9: A-Z a-z 0-9 . _ -, 1-128 bytes).
  for (const auto& [name, key] : std::vector<std::pair<std::string, std::string>>{
           {"DotDotSlashInUserKey", "../etc"},
           {"PercentEncodedDotsInUserKey", "%2e%2e"},
           {"SlashInUserKey", "a/b"},
           {"DotDotUserKey", ".."},
           {"DotUserKey", "."},
           {"NulInUserKey", R"(a\u0000b)"},
           {"BackslashInUserKey", R"(..\\..\\etc)"},
           {"NonAsciiUserKey", "\xC3\xA9l\xC3\xA8ve"},
           {"SpaceInUserKey", "ann lee"},
           {"EmptyUserKey", ""},
           {"UserKeyOf129Bytes", std::string(129, 'u')},
       }) {
    post(name, Batch(Attempt({{"user", Quoted(key)}})), 422, "invalid", "1-128 bytes", "/0/user");
  }
  post("DotDotExerciseKey", Batch(Attempt({{"exercise", R"("../../e1")"}})), 422, "invalid",
       "1-128 bytes", "/0/exercise");
  c.push_back({"DotDotChapterKeyInACourse", "PUT", "/api/v1/courses/py2",
               R"({"title":"T","chapters":[{"key":"../c","title":"C","exercises":[]}]})", 422,
               "invalid", "1-128 bytes", "/chapters/0/key"});
  c.push_back({"DuplicateKeyInACourse", "PUT", "/api/v1/courses/py2",
               R"({"title":"T","chapters":[],"title":"U"})", 422, "invalid", "", "/title"});
  c.push_back({"UnknownFieldInAUser", "PUT", "/api/v1/users/cat",
               R"({"name":"Cat","email":"cat@acme.example","admin":true})", 422, "invalid",
               "unknown field", "/admin"});
  // --- Keys in the URL path: decoded, then held to the same rule, or matching no route.
  auto put_user = [&](std::string name, std::string target, int status, std::string code,
                      std::string message_has, std::optional<std::string> pointer = std::nullopt) {
    c.push_back({std::move(name), "PUT", std::move(target),
                 R"({"name":"Cat","email":"cat@acme.example"})", status, std::move(code),
                 std::move(message_has), std::move(pointer)});
  };
  put_user("EncodedDotDotUserInPath", "/api/v1/users/%2e%2e", 422, "invalid", "");
  put_user("EncodedDotUserInPath", "/api/v1/users/%2E", 422, "invalid", "");
  put_user("EncodedSlashesInPath", "/api/v1/users/..%2f..%2fetc", 404, "not_found",
           "no such resource");
  put_user("DotDotSegmentsInPath", "/api/v1/users/../../../etc/passwd", 404, "not_found",
           "no such resource");
  put_user("EncodedNulInPath", "/api/v1/users/a%00b", 400, "malformed", "contains NUL");
  put_user("EncodedInvalidUtf8InPath", "/api/v1/users/%C0%AF", 400, "malformed", "not valid UTF-8");
  put_user("BadPercentEncodingInPath", "/api/v1/users/%zz", 400, "malformed",
           "bad percent-encoding");
  put_user("BackslashesInPath", "/api/v1/users/..%5c..%5cetc", 422, "invalid", "");
  put_user("UserKeyOf4000BytesInPath", "/api/v1/users/" + std::string(4000, 'u'), 422, "invalid",
           "");
  c.push_back({"EncodedSlashesInAReadPath", "GET", "/api/v1/courses/..%2f..%2fetc/users", "", 404,
               "not_found", "no such resource", std::nullopt, Token::kRead});
  // --- Oversize bodies (Content-Length: the parser refuses before reading them).
  lazy(
      "ThirtyThreeMebibytes", [] { return "[" + std::string(33u << 20, ' ') + "]"; }, 413,
      "too_large", "larger than 32 MiB");
  // --- Query strings of the list views.
  auto query = [&](std::string name, std::string q, int status, std::string code,
                   std::string message_has) {
    c.push_back({std::move(name), "GET", std::string(kLeague) + "?" + q, "", status,
                 std::move(code), std::move(message_has), std::nullopt, Token::kRead});
  };
  query("LimitMinusOne", "limit=-1", 422, "invalid",
        "query parameter 'limit': must be a whole number");
  query("LimitInExponentForm", "limit=1e9", 422, "invalid",
        "query parameter 'limit': must be a whole number");
  query("LimitOfABillion", "limit=1000000000", 422, "invalid",
        "query parameter 'limit': must be a whole number");
  query("LimitAboveTheMaximum", "limit=1001", 422, "invalid",
        "query parameter 'limit': must be at most 1000");
  query("LimitZero", "limit=0", 422, "invalid", "query parameter 'limit': must be 1-1000");
  query("LimitEmpty", "limit=", 422, "invalid", "query parameter 'limit': must be a whole number");
  query("OffsetNotANumber", "offset=abc", 422, "invalid",
        "query parameter 'offset': must be a whole number");
  query("OffsetOf2To64", "offset=18446744073709551616", 422, "invalid",
        "query parameter 'offset': must be a whole number");
  query("SortUnknown", "sort=password", 422, "invalid", "sort");
  query("OrderSideways", "order=sideways", 422, "invalid",
        "query parameter 'order': must be asc or desc");
  query("RepeatedLimit", "limit=1&limit=2", 422, "invalid",
        "query parameter 'limit': given more than once");
  query("UnknownParameter", "debug=1", 422, "invalid",
        "query parameter 'debug': unknown parameter");
  query("BooleanNotABoolean", "active=maybe", 422, "invalid",
        "query parameter 'active': must be true or false");
  query("FormatUnknown", "format=pdf", 422, "invalid", "format");
  query("NulInAValue", "q=a%00b", 400, "malformed", "contains NUL");
  query("BadPercentEncodingInAValue", "q=%G1", 400, "malformed", "bad percent-encoding");
  query("InvalidUtf8InAValue", "q=%FF%FE", 400, "malformed", "not valid UTF-8");
  // --- Methods a route does not take.
  auto method = [&](std::string name, std::string verb, std::string target, int status,
                    std::string code, std::string message_has) {
    c.push_back({std::move(name), std::move(verb), std::move(target), "", status, std::move(code),
                 std::move(message_has), std::nullopt, Token::kIngest});
  };
  method("GetOfTheIngestRoute", "GET", kAttempts, 405, "method_not_allowed", "method not allowed");
  method("DeleteOfTheIngestRoute", "DELETE", kAttempts, 405, "method_not_allowed",
         "method not allowed");
  method("PatchOfACourse", "PATCH", "/api/v1/courses/py", 405, "method_not_allowed",
         "method not allowed");
  method("TraceOfAView", "TRACE", kLeague, 405, "method_not_allowed", "method not allowed");
  method("InventedMethod", "BREW", kLeague, 405, "method_not_allowed", "method not allowed");
  method("PostOfHealthz", "POST", "/healthz", 405, "method_not_allowed", "use GET");
  method("UnknownRoute", "GET", "/api/v2/attempts", 404, "not_found", "no such resource");
  // --- Bodies labelled as something else than JSON.
  for (const auto& [name, type] : std::vector<std::pair<std::string, std::string>>{
           {"FormUrlencodedBody", "application/x-www-form-urlencoded"},
           {"MultipartBody", "multipart/form-data; boundary=x"},
           {"TextPlainBody", "text/plain"},
           {"XmlBody", "application/xml"},
           {"JsonLookalikeBody", "application/jsonp"},
       }) {
    c.push_back({name,
                 "POST",
                 kAttempts,
                 Batch(Attempt()),
                 415,
                 "unsupported_media_type",
                 "Content-Type: application/json",
                 std::nullopt,
                 Token::kIngest,
                 {{"Content-Type", type}}});
  }
  return c;
}

// Names the case in test output instead of dumping its bytes.
void PrintTo(const HostileCase& c, std::ostream* os) { *os << c.name; }

// The resident memory of this process (the server runs in it), in KiB.
long ResidentKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

class HostileInput : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    if (HasFatalFailure()) return;
    SeedCatalog();
    if (HasFatalFailure()) return;
    // Something already stored, so that a change would show in the counts and the views.
    ASSERT_EQ(Post(kAttempts, Batch(Attempt({{"id", R"("seed")"}}))).status, 200);
    before_ = Snapshot();
  }

  // The store's counts and every view of the seeded course, as the API answers them.
  std::string Snapshot() {
    const store::TableCounts counts = Counts();
    std::string out =
        fmt::format("{} {} {} {} {} {} {} {} {} {}\n", counts.users, counts.groups,
                    counts.group_members, counts.group_managers, counts.courses, counts.chapters,
                    counts.exercises, counts.enrollments, counts.attempts, counts.responses);
    for (const char* view :
         {"/api/v1/courses", "/api/v1/courses/py", "/api/v1/courses/py/users",
          "/api/v1/courses/py/groups", "/api/v1/courses/py/users/ann", "/api/v1/report",
          "/api/v1/courses/py/users/ann/exercises/e1/attempts"}) {
      Reply r = Call("GET", view, "", read_token_);
      EXPECT_EQ(r.status, 200) << view << " " << r.body;
      out += r.body + "\n";
    }
    return out;
  }

  HttpResponse Send(const HostileCase& c) {
    HeaderList headers = {{"Content-Type", "application/json"}};
    if (c.token == Token::kIngest) headers.emplace_back("Authorization", "Bearer " + ingest_token_);
    if (c.token == Token::kRead) headers.emplace_back("Authorization", "Bearer " + read_token_);
    for (const auto& h : c.headers) headers.push_back(h);
    return SendOnce("127.0.0.1", server_->port(), c.method, c.target,
                    c.make_body ? c.make_body() : c.body, headers, std::chrono::seconds(10));
  }

  std::string before_;
};

class HostileInputTest : public HostileInput, public ::testing::WithParamInterface<HostileCase> {};

TEST_P(HostileInputTest, IsRefusedPreciselyPromptlyAndChangesNothing) {
  const HostileCase& c = GetParam();
  const Clock::time_point start = Clock::now();
  const std::chrono::nanoseconds cpu_before = ProcessCpuTime();
  const HttpResponse r = Send(c);
  const std::chrono::nanoseconds cpu = ProcessCpuTime() - cpu_before;
  const auto took = Clock::now() - start;
  ASSERT_NE(r.status, 0) << r.error;
  // The client's share (building and writing the body) is small beside the server's.
  EXPECT_LT(cpu, kAnswerBound) << "CPU time; wall-clock "
                               << std::chrono::duration<double>(took).count() << " s";
  EXPECT_EQ(r.status, c.status) << r.body.substr(0, 2000);
  EXPECT_LE(r.body.size(), kMaxAnswerBytes) << "the answer echoes the input";
  const nlohmann::json json = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_TRUE(json.is_object()) << r.body.substr(0, 2000);
  EXPECT_EQ(json["error"]["code"], c.code) << r.body.substr(0, 2000);
  const std::string message = json["error"]["message"].get<std::string>();
  EXPECT_FALSE(message.empty());
  EXPECT_NE(message.find(c.message_has), std::string::npos) << message;
  if (c.pointer) {
    ASSERT_FALSE(json["error"]["details"].empty()) << r.body.substr(0, 2000);
    const nlohmann::json& d = json["error"]["details"][0];
    EXPECT_EQ(d["pointer"], *c.pointer) << r.body.substr(0, 2000);
    EXPECT_FALSE(d["reason"].get<std::string>().empty());
  }
  EXPECT_EQ(Snapshot(), before_);
}

INSTANTIATE_TEST_SUITE_P(Corpus, HostileInputTest, ::testing::ValuesIn(Cases()),
                         [](const auto& test_info) { return test_info.param.name; });

// A valid batch of two attempts cut short at every offset: each prefix is malformed JSON (or
// empty), answered 400 with the byte it stopped at, and none of it is applied.
TEST_F(HostileInput, BatchTruncatedAtEveryOffsetIsMalformedAndNothingIsApplied) {
  const std::string batch =
      "[" + Attempt({{"id", R"("t1")"}}) + "," +
      Attempt({{"id", R"("t2")"},
               {"user", R"("bob")"},
               {"responses", "[" + Response() + "," + Response({{"hints", "2"}}) + "]"}}) +
      "]";
  int answered = 0;
  for (std::size_t cut = 0; cut < batch.size(); ++cut) {
    HttpResponse r =
        Send({"cut", "POST", kAttempts, batch.substr(0, cut), 0, "", "", std::nullopt});
    ASSERT_EQ(r.status, 400) << "cut at " << cut << ": " << r.body;
    const nlohmann::json json = nlohmann::json::parse(r.body, nullptr, false);
    ASSERT_TRUE(json.is_object()) << r.body;
    EXPECT_EQ(json["error"]["code"], "malformed") << "cut at " << cut;
    const std::string message = json["error"]["message"].get<std::string>();
    EXPECT_TRUE(message.find("malformed JSON") == 0 ||
                message.find("is empty") != std::string::npos)
        << "cut at " << cut << ": " << message;
    ++answered;
  }
  EXPECT_EQ(answered, static_cast<int>(batch.size()));
  std::printf("a %zu-byte batch cut at each of its %d offsets: each answered 400\n", batch.size(),
              answered);
  EXPECT_EQ(Snapshot(), before_);
  // And whole, it is applied: the cuts were refused for being cut, not for their content.
  HttpResponse whole = Send({"whole", "POST", kAttempts, batch, 0, "", "", std::nullopt});
  EXPECT_EQ(whole.status, 200) << whole.body;
}

// What a client library would refuse to send: framing errors and request smuggling. Each is
// answered 400 (or 413) by the server before any route, and the connection is closed.
struct RawCase {
  std::string name;
  std::string bytes;
  int status;
  std::string code;
  std::string message_has;
};

std::vector<RawCase> RawCases() {
  const std::string head = "POST /api/v1/attempts HTTP/1.1\r\nHost: x\r\n";
  std::vector<RawCase> c;
  c.push_back({"ContentLengthNegative", head + "Content-Length: -1\r\n\r\n[]", 400, "malformed",
               "malformed HTTP request"});
  c.push_back({"ContentLengthNotANumber", head + "Content-Length: abc\r\n\r\n[]", 400, "malformed",
               "malformed HTTP request"});
  c.push_back({"ContentLengthTwiceDiffering",
               head + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n[] ", 400, "malformed",
               "malformed HTTP request"});
  c.push_back({"ContentLengthOf2To64", head + "Content-Length: 18446744073709551616\r\n\r\n", 400,
               "malformed", "malformed HTTP request"});
  c.push_back({"ContentLengthOverTheLimit", head + "Content-Length: 33554433\r\n\r\n", 413,
               "too_large", "larger than 32 MiB"});
  c.push_back({"ChunkedAndContentLength",
               head + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n[]\r\n0\r\n\r\n",
               400, "malformed", "malformed HTTP request"});
  c.push_back({"ChunkSizeNotHex", head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n[]\r\n0\r\n\r\n",
               400, "malformed", "malformed HTTP request"});
  c.push_back({"ChunkSizeOf2To64",
               head + "Transfer-Encoding: chunked\r\n\r\n10000000000000000\r\n[]\r\n0\r\n\r\n", 400,
               "malformed", "malformed HTTP request"});
  c.push_back({"ChunkOverTheLimit", head + "Transfer-Encoding: chunked\r\n\r\n2000001\r\n", 413,
               "too_large", "larger than 32 MiB"});
  // A body with neither Content-Length nor chunked has length 0 (RFC 9112 §6.3): the request
  // is answered as empty, and the body's bytes, read as the next request, are malformed.
  c.push_back({"BodyWithoutALength",
               head + "Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n\r\n" +
                   std::string(100'000, '['),
               400, "malformed", "is empty"});
  c.push_back({"UnknownTransferEncoding", head + "Transfer-Encoding: gzip\r\n\r\n[]", 400,
               "malformed", "Transfer-Encoding other than chunked"});
  c.push_back({"GzipThenChunked",
               head + "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n[]\r\n0\r\n\r\n", 400,
               "malformed", "Transfer-Encoding other than chunked"});
  c.push_back({"HttpVersion2", "GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 400, "malformed",
               "malformed HTTP request"});
  c.push_back({"NulInAHeader", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n"s, 400,
               "malformed", "malformed HTTP request"});
  c.push_back({"BareLineFeeds", "GET /healthz HTTP/1.1\nHost: x\n\n", 400, "malformed",
               "malformed HTTP request"});
  c.push_back({"InvalidMethodToken", "G@T /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed",
               "malformed HTTP request"});
  c.push_back({"TargetWithoutSlash", "GET healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
               400, "malformed", "must start with '/'"});
  c.push_back(
      {"HeaderOverTheLimit",
       "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(70'000, 'b') + "\r\n\r\n", 431,
       "too_large", "request header is larger than 64 KiB"});
  c.push_back({"TenThousandHeaders",
               [] {
                 std::string s = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
                 for (int i = 0; i < 10'000; ++i) s += fmt::format("X-{}: 1\r\n", i);
                 return s + "\r\n";
               }(),
               431, "too_large", "request header is larger than 64 KiB"});
  return c;
}

void PrintTo(const RawCase& c, std::ostream* os) { *os << c.name; }

class HostileRawTest : public HostileInput, public ::testing::WithParamInterface<RawCase> {};

TEST_P(HostileRawTest, IsRefusedBeforeAnyRouteAndTheConnectionCloses) {
  const RawCase& c = GetParam();
  RawSocket socket("127.0.0.1", server_->port());
  ASSERT_TRUE(socket.connected()) << socket.error();
  const Clock::time_point start = Clock::now();
  std::string bytes = c.bytes;
  if (const std::size_t at = bytes.find("{TOKEN}"); at != std::string::npos) {
    bytes.replace(at, 7, ingest_token_);
  }
  socket.Send(bytes);  // may fail part way once the server has answered and closed
  const std::string answer = socket.ReadUntilClosed(std::chrono::seconds(5 * COHORT_TIME_FACTOR));
  EXPECT_LT(Clock::now() - start, kAnswerBound);
  EXPECT_TRUE(socket.peer_closed());
  ASSERT_EQ(answer.rfind("HTTP/1.1 ", 0), 0u) << answer.substr(0, 500);
  EXPECT_EQ(std::stoi(answer.substr(9, 3)), c.status) << answer.substr(0, 500);
  const std::size_t body_at = answer.find("\r\n\r\n");
  ASSERT_NE(body_at, std::string::npos);
  // The first answer's body only: a second may follow (BodyWithoutALength).
  const std::size_t length_at = answer.find("Content-Length: ");
  ASSERT_LT(length_at, body_at);
  const std::size_t length = std::stoul(answer.substr(length_at + 16));
  const nlohmann::json json =
      nlohmann::json::parse(answer.substr(body_at + 4, length), nullptr, false);
  ASSERT_TRUE(json.is_object()) << answer.substr(0, 500);
  EXPECT_EQ(json["error"]["code"], c.code);
  EXPECT_NE(json["error"]["message"].get<std::string>().find(c.message_has), std::string::npos)
      << json["error"]["message"];
  EXPECT_EQ(Snapshot(), before_);
}

INSTANTIATE_TEST_SUITE_P(Framing, HostileRawTest, ::testing::ValuesIn(RawCases()),
                         [](const auto& test_info) { return test_info.param.name; });

// The largest refusals repeated: memory returns to where it was (the server runs in this
// process, so its resident size is this process's).
TEST_F(HostileInput, MemoryStaysBoundedUnderRepeatedHugeAndDeepBodies) {
  const std::vector<HostileCase> all = Cases();
  std::vector<HostileCase> heavy;
  for (const HostileCase& c : all) {
    if (c.name.find("TenMegabyte") == 0 || c.name.find("HundredThousandDeep") == 0 ||
        c.name == "DeepNestingInsideAField") {
      heavy.push_back(c);
    }
  }
  ASSERT_GE(heavy.size(), 8u);
  // One round first: allocator arenas and the parser's buffers reach their working size.
  for (const HostileCase& c : heavy) ASSERT_EQ(Send(c).status, c.status) << c.name;
  const long before = ResidentKiB();
  ASSERT_GT(before, 0);
  Clock::time_point start = Clock::now();
  for (int round = 0; round < 5; ++round) {
    for (const HostileCase& c : heavy) ASSERT_EQ(Send(c).status, c.status) << c.name;
  }
  const double per_request_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - start).count() /
      static_cast<double>(5 * heavy.size());
  const long after = ResidentKiB();
  std::printf("hostile heavy cases: %zu x 5 rounds, %.1f ms each on average; RSS %ld -> %ld KiB\n",
              heavy.size(), per_request_ms, before, after);
  EXPECT_LT(after - before, (64 + COHORT_MEMORY_SLACK_MIB) * 1024)
      << "RSS grew from " << before << " to " << after << " KiB";
  EXPECT_EQ(Snapshot(), before_);
}

}  // namespace
}  // namespace cohort::testing

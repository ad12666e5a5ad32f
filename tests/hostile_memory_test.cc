// Issue 8: the heaviest hostile bodies (10 MB strings, 100,000-deep nesting, a body over the
// limit) sent again and again to the real `cohort serve`: each refused promptly, and the
// server's own resident memory (/proc/PID/status) back where it was. tests/hostile_input_test.cc
// checks the exact answers; this checks the cost, in the server's process alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "hostile/served.h"
#include "support/http_client.h"

namespace cohort::testing {
namespace {

using Clock = std::chrono::steady_clock;

struct Heavy {
  const char* name;
  std::string body;
  int status;
};

std::vector<Heavy> HeavyBodies() {
  const std::string ten(10u << 20, 'a');
  const std::string attempt_head =
      R"({"id":"h1","user":"ann","course":"py","exercise":"e1","started_at":"2026-03-10T10:00:00Z",)";
  const std::string responses = R"("responses":[{"question":"q1","correct":true}])";
  std::string deep_objects;
  for (int i = 0; i < 100'000; ++i) deep_objects += R"({"a":)";
  deep_objects += "1" + std::string(100'000, '}');
  return {
      {"TenMegabyteId", R"([{"id":")" + ten + R"(","user":"ann"}])", 422},
      {"TenMegabyteUserKey",
       R"([{"id":"h1","user":")" + ten + R"(","course":"py","exercise":"e1",)" +
           R"("started_at":"2026-03-10T10:00:00Z",)" + responses + "}]",
       422},
      {"TenMegabyteQuestion",
       "[" + attempt_head + R"("responses":[{"question":")" + ten + R"(","correct":true}]}])", 422},
      {"TenMegabyteFieldName", "[" + attempt_head + "\"" + ten + "\":1," + responses + "}]", 422},
      {"HundredThousandDeepArrays", std::string(100'000, '[') + std::string(100'000, ']'), 400},
      {"HundredThousandDeepObjects", deep_objects, 400},
      {"HundredThousandUnclosed", std::string(100'000, '['), 400},
      {"ThirtyThreeMebibytes", "[" + std::string(33u << 20, ' ') + "]", 413},
  };
}

TEST(HostileMemoryTest, HeavyBodiesRepeatedLeaveTheServersMemoryWhereItWas) {
  Served served;
  ASSERT_TRUE(served.started());
  const std::vector<Heavy> heavy = HeavyBodies();
  const HeaderList headers = {{"Authorization", "Bearer " + served.token()},
                              {"Content-Type", "application/json"}};
  HttpClient client("127.0.0.1", served.port(), std::chrono::seconds(30));
  // "Promptly" is judged by the CPU time the server spent on the body, not the wall-clock
  // time: on a loaded machine (a parallel ctest and other builds on 2 cores) a body's wall-clock
  // time reached 3.9 s while the server's work stayed the same. The wall-clock time is printed.
  double max_wall_ms = 0;
  auto send = [&](const Heavy& h) {
    const Clock::time_point start = Clock::now();
    const double cpu_before = CpuMs(served.pid());
    const HttpResponse r = client.Send("POST", "/api/v1/attempts", h.body, headers);
    const double cpu_ms = CpuMs(served.pid()) - cpu_before;
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    max_wall_ms = std::max(max_wall_ms, ms);
    EXPECT_EQ(r.status, h.status) << h.name << ": " << r.error << r.body.substr(0, 300);
    EXPECT_LT(r.body.size(), 16u * 1024) << h.name;
    EXPECT_GE(cpu_before, 0) << "no /proc/" << served.pid() << "/stat";
    EXPECT_LT(cpu_ms, 2000.0 * COHORT_TIME_FACTOR) << h.name << " (" << ms << " ms wall-clock)";
    return cpu_ms;
  };
  // One round first: the parser's buffers and the allocator's arenas reach their working size.
  for (const Heavy& h : heavy) send(h);
  const long before = ResidentKiB(served.pid());
  ASSERT_GT(before, 0);
  double total_ms = 0, max_ms = 0;
  constexpr int kRounds = 5;
  for (int round = 0; round < kRounds; ++round) {
    for (const Heavy& h : heavy) {
      const double ms = send(h);
      total_ms += ms;
      max_ms = std::max(max_ms, ms);
    }
  }
  const long after = ResidentKiB(served.pid());
  std::printf(
      "%zu heavy bodies x %d rounds: the server's CPU time %.1f ms each on average, %.1f ms at "
      "most (wall-clock at most %.1f ms); server RSS %ld -> %ld KiB\n",
      heavy.size(), kRounds, total_ms / static_cast<double>(kRounds * heavy.size()), max_ms,
      max_wall_ms, before, after);
  EXPECT_LT(after - before, (64 + COHORT_MEMORY_SLACK_MIB) * 1024)
      << "the server's RSS grew from " << before << " to " << after << " KiB";
  EXPECT_EQ(served.Call("GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace cohort::testing

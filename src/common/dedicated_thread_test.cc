#include "common/dedicated_thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace cohort {
namespace {

TEST(DedicatedThreadTest, RunsTheFunctionOnItsOwnThreadAndReturnsWhenItHasRun) {
  DedicatedThread runner;
  std::thread::id ran_on, first;
  int value = 0;
  runner.Run([&] {
    ran_on = std::this_thread::get_id();
    value = 42;
  });
  EXPECT_EQ(value, 42);
  EXPECT_NE(ran_on, std::this_thread::get_id());
  first = ran_on;
  runner.Run([&] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, first) << "always the same thread";
}

TEST(DedicatedThreadTest, AnExceptionOfTheFunctionIsThrownToTheCallerAndTheThreadGoesOn) {
  DedicatedThread runner;
  EXPECT_THROW(runner.Run([] { throw std::runtime_error("boom"); }), std::runtime_error);
  bool ran = false;
  runner.Run([&] { ran = true; });
  EXPECT_TRUE(ran);
}

TEST(DedicatedThreadTest, CallersFromSeveralThreadsTakeTurns) {
  DedicatedThread runner;
  std::atomic<int> inside{0}, most{0};
  int total = 0;  // written only on the runner's thread, one function at a time
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        runner.Run([&] {
          const int now = ++inside;
          if (now > most) most = now;
          ++total;
          --inside;
        });
      }
    });
  }
  for (std::thread& c : callers) c.join();
  EXPECT_EQ(most.load(), 1);
  EXPECT_EQ(total, 800);
}

}  // namespace
}  // namespace cohort

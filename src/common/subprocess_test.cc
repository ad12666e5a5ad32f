#include "common/subprocess.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <gtest/gtest.h>

namespace cohort::subprocess {
namespace {

TEST(SubprocessTest, CapturesBothOutputsAndTheExitCode) {
  Result r = subprocess::Run({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
}

TEST(SubprocessTest, LooksProgramsUpInPath) {
  Result r = subprocess::Run({"printf", "%s-%s", "a b", "c"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "a b-c");  // arguments are passed as they are, without a shell
}

TEST(SubprocessTest, FeedsALargeInputWhileTheChildPrintsAsMuch) {
  // 4 MiB both ways: far more than a pipe holds, so writing all before reading would block.
  std::string input(4 << 20, 'x');
  for (std::size_t i = 0; i < input.size(); i += 97) input[i] = '\n';
  RunOptions options;
  options.stdin_text = input;
  Result r = subprocess::Run({"cat"}, options);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.size(), input.size());
  EXPECT_TRUE(r.out == input);
}

TEST(SubprocessTest, ReadsStdinFromAFileOrNothing) {
  const std::filesystem::path file = std::filesystem::temp_directory_path() /
                                     ("cohort-subprocess-" + std::to_string(std::random_device{}()));
  std::ofstream(file) << "from the file\n";
  RunOptions options;
  options.stdin_file = file.string();
  EXPECT_EQ(subprocess::Run({"cat"}, options).out, "from the file\n");
  EXPECT_EQ(subprocess::Run({"cat"}).out, "");  // /dev/null
  std::filesystem::remove(file);
  Result missing = subprocess::Run({"cat"}, options);
  EXPECT_EQ(missing.exit_code, -1);
  EXPECT_NE(missing.err.find("cannot read"), std::string::npos) << missing.err;
}

TEST(SubprocessTest, AProgramThatDoesNotExistIsAnErrorNotACrash) {
  Result r = subprocess::Run({"/nonexistent/cohort-no-such-program"});
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_NE(r.err.find("cannot start /nonexistent/cohort-no-such-program"), std::string::npos)
      << r.err;
  EXPECT_EQ(subprocess::Run({}).exit_code, -1);
}

TEST(SubprocessTest, ASilentChildIsKilledAfterTheSilenceLimit) {
  RunOptions options;
  options.silence_limit = std::chrono::milliseconds(300);
  const auto started = std::chrono::steady_clock::now();
  Result r = subprocess::Run({"sleep", "30"}, options);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
}

TEST(SubprocessTest, ChildIsReadUntilItPrintsAndStoppedBySignal) {
  const std::filesystem::path log = std::filesystem::temp_directory_path() /
                                    ("cohort-subprocess-" + std::to_string(std::random_device{}()));
  {
    Child child({"/bin/sh", "-c", "echo to-log >&2; echo ready; exec sleep 30"}, log.string());
    ASSERT_TRUE(child.running());
    EXPECT_GT(child.pid(), 0);
    EXPECT_TRUE(child.ReadUntil("ready", std::chrono::seconds(20)));
    EXPECT_EQ(child.printed(), "ready\n");
    EXPECT_FALSE(child.ReadUntil("never printed", std::chrono::milliseconds(200)));
    EXPECT_EQ(child.Stop(SIGTERM), 128 + SIGTERM);
    EXPECT_FALSE(child.running());
    EXPECT_EQ(child.Stop(SIGTERM), -1);
  }
  std::ifstream in(log);
  std::string logged((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(logged, "to-log\n");
  std::filesystem::remove(log);
}

TEST(SubprocessTest, ReadUntilStopsWhenTheChildClosesItsOutput) {
  Child child({"/bin/sh", "-c", "echo bye"}, "/dev/null");
  EXPECT_FALSE(child.ReadUntil("never printed", std::chrono::seconds(20)));
  EXPECT_EQ(child.printed(), "bye\n");
  EXPECT_EQ(child.Stop(SIGKILL), 0);  // it had ended on its own
}

TEST(SubprocessTest, StartLoggedSendsBothOutputsToTheLog) {
  const std::filesystem::path log = std::filesystem::temp_directory_path() /
                                    ("cohort-subprocess-" + std::to_string(std::random_device{}()));
  const pid_t pid = StartLogged({"/bin/sh", "-c", "echo one; echo two >&2; exit 4"}, log.string());
  ASSERT_GT(pid, 0);
  EXPECT_EQ(Wait(pid), 4);
  std::ifstream in(log);
  std::string logged((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(logged, "one\ntwo\n");
  std::filesystem::remove(log);
  EXPECT_EQ(StartLogged({"/bin/true"}, "/nonexistent-dir/log"), -1);
}

}  // namespace
}  // namespace cohort::subprocess

#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace cohort::cli {

// A progress line on standard error for long CLI work: redrawn in place on a terminal, a line
// every few seconds otherwise (so logs of scripted runs stay short). Not thread-safe.
class Progress {
 public:
  explicit Progress(std::string label);
  // Starts a named stage of `total` units (0 when unknown).
  void Stage(std::string name, std::size_t total);
  void Update(std::size_t done, std::size_t total);
  // Ends the line with a result and the elapsed time.
  void Finish(const std::string& result);

 private:
  void Draw(bool force);
  std::string label_, stage_;
  std::size_t done_ = 0, total_ = 0;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace cohort::cli

#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace cohort::cli {

Progress::Progress(std::string label)
    : label_(std::move(label)),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void Progress::Stage(std::string name, std::size_t total) {
  stage_ = std::move(name);
  done_ = 0;
  total_ = total;
  Draw(true);
}

void Progress::Update(std::size_t done, std::size_t total) {
  done_ = done;
  total_ = total;
  Draw(false);
}

void Progress::Draw(bool force) {
  const auto now = std::chrono::steady_clock::now();
  const auto interval = tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(3000);
  if (!force && now - last_draw_ < interval) return;
  last_draw_ = now;
  std::string bar;
  if (total_ > 0) {
    const double f = static_cast<double>(done_) / static_cast<double>(total_);
    const int filled = static_cast<int>(f * 30);
    bar = fmt::format(" [{}{}] {:5.1f}% ({}/{})", std::string(static_cast<std::size_t>(filled), '#'),
                      std::string(static_cast<std::size_t>(30 - filled), '.'), f * 100, done_,
                      total_);
  }
  const std::string line = fmt::format("{}: {}{}", label_, stage_, bar);
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

void Progress::Finish(const std::string& result) {
  const double s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const std::string line = fmt::format("{}: {} ({:.2f} s)", label_, result, s);
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s\n", line.c_str());
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace cohort::cli

// exports::XlsxFile: workbooks written by worker threads to unlinked temporary files.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/result.h"
#include "common/thread_annotations.h"
#include "export/stream.h"
#include "export/xlsx_writer.h"

namespace cohort::exports {
namespace {

constexpr std::size_t kFileChunkBytes = 64 * 1024;

// An open file descriptor, closed by the destructor.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Writes the workbook to a fresh temporary file in `tmpdir` (the system's when empty), unlinks
// it, and returns it open at its start: its space is freed when the last holder closes it.
Result<std::shared_ptr<UniqueFd>> WriteXlsxFile(const std::vector<Sheet>& sheets,
                                                const TimeZone& zone, const std::string& tmpdir) {
  std::error_code ec;
  const std::filesystem::path dir =
      tmpdir.empty() ? std::filesystem::temp_directory_path(ec) : std::filesystem::path(tmpdir);
  if (ec) return Status::Internal("no temporary directory for the XLSX file: " + ec.message());
  std::string path = (dir / "cohort-export-XXXXXX").string();
  auto fd = std::make_shared<UniqueFd>(::mkstemp(path.data()));
  if (fd->get() < 0) {
    return Status::Internal("cannot create a temporary file for the XLSX export in " +
                            dir.string() + ": " + std::strerror(errno));
  }
  Status written = WriteXlsx(sheets, zone, path, dir.string());
  ::unlink(path.c_str());
  if (!written.ok()) return written;
  return fd;
}

// Reads the next piece of an open file into `chunk`.
Step ReadPiece(int fd, std::string& chunk) {
  chunk.resize(kFileChunkBytes);
  ssize_t n = 0;
  do {
    n = ::read(fd, chunk.data(), chunk.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    spdlog::error("cannot read the temporary XLSX file: {}", std::strerror(errno));
    chunk.clear();
    return Step::kFailed;
  }
  chunk.resize(static_cast<std::size_t>(n));
  return n == 0 ? Step::kDone : Step::kMore;
}

// Writes XLSX workbooks off the callers' threads (200,000 rows take seconds; the server's I/O
// threads must stay free): a few worker threads and a queue, for the life of the process. At
// exit, the jobs still queued are dropped (nobody waits for them) and the running ones finish.
// Thread-safe.
class XlsxWorkers {
 public:
  static constexpr int kThreads = 2;

  static XlsxWorkers& Instance() {
    static XlsxWorkers workers;
    return workers;
  }

  void Post(std::function<void()> job) EXCLUDES(mutex_) {
    {
      MutexLock lock(mutex_);
      queue_.push_back(std::move(job));
    }
    wake_.notify_one();
  }

  ~XlsxWorkers() {
    {
      MutexLock lock(mutex_);
      stopping_ = true;
      queue_.clear();
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  XlsxWorkers(const XlsxWorkers&) = delete;
  XlsxWorkers& operator=(const XlsxWorkers&) = delete;

 private:
  XlsxWorkers() {
    for (int i = 0; i < kThreads; ++i) threads_.emplace_back([this] { Work(); });
  }

  void Work() EXCLUDES(mutex_) {
    for (;;) {
      std::function<void()> job;
      {
        MutexLock lock(mutex_);
        while (!stopping_ && queue_.empty()) wake_.wait(lock.unique());
        if (stopping_) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  Mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::vector<std::thread> threads_;
};

// A workbook being written by a worker, and what came of it. Shared by the worker's job and the
// stream, so that either may finish first.
struct XlsxJob {
  Mutex mutex;
  std::condition_variable written;  // notified once `done`
  bool done GUARDED_BY(mutex) = false;
  Result<std::shared_ptr<UniqueFd>> file GUARDED_BY(mutex) = Status::Internal("not written yet");
};

class XlsxFileStream final : public Stream {
 public:
  XlsxFileStream(std::vector<Sheet> sheets, TimeZone zone, std::string tmpdir)
      : job_(std::make_shared<XlsxJob>()) {
    XlsxWorkers::Instance().Post([job = job_, sheets = std::move(sheets), zone = std::move(zone),
                                  tmpdir = std::move(tmpdir)] {
      Result<std::shared_ptr<UniqueFd>> file = WriteXlsxFile(sheets, zone, tmpdir);
      {
        MutexLock lock(job->mutex);
        job->file = std::move(file);
        job->done = true;
      }
      job->written.notify_all();
    });
  }

  Step Next(std::string& chunk) override {
    if (fd_ == nullptr) {
      MutexLock lock(job_->mutex);
      if (!job_->done) return Step::kPending;
      if (!job_->file.ok()) {
        spdlog::error("an XLSX export failed: {}", job_->file.status().ToString());
        return Step::kFailed;
      }
      fd_ = job_->file.value();
    }
    return ReadPiece(fd_->get(), chunk);
  }

  void Wait() override {
    MutexLock lock(job_->mutex);
    while (!job_->done) job_->written.wait(lock.unique());
  }

 private:
  std::shared_ptr<XlsxJob> job_;
  std::shared_ptr<UniqueFd> fd_;  // the written file, once taken from the job
};

}  // namespace

std::unique_ptr<Stream> XlsxFile(std::vector<Sheet> sheets, TimeZone zone, std::string tmpdir) {
  return std::make_unique<XlsxFileStream>(std::move(sheets), std::move(zone), std::move(tmpdir));
}

}  // namespace cohort::exports

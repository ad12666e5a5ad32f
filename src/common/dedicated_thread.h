#pragma once

// One thread of its own that runs the functions handed to it, one at a time: Run() returns when
// the function has run there. Used to run work at the thread's own scheduling priority whatever
// the caller's (the engine's apply, which views wait for, is not slowed by the lowered priority
// of the writers' threads that call it: docs/decisions.md, "Reads while ingesting").

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

#include "common/thread_annotations.h"

namespace cohort {

class DedicatedThread {
 public:
  DedicatedThread() : thread_([this] { Loop(); }) {}
  ~DedicatedThread() {
    {
      MutexLock lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  DedicatedThread(const DedicatedThread&) = delete;
  DedicatedThread& operator=(const DedicatedThread&) = delete;

  // Runs `f` on the thread and waits for it; an exception `f` throws is thrown here. Callers
  // take turns.
  void Run(const std::function<void()>& f) EXCLUDES(turn_, mu_) {
    MutexLock turn(turn_);
    std::exception_ptr failure;
    {
      MutexLock lock(mu_);
      job_ = &f;
      failure_ = nullptr;
      wake_.notify_all();
      while (job_ != nullptr) done_.wait(lock.unique());
      failure = failure_;
    }
    if (failure) std::rethrow_exception(failure);
  }

 private:
  void Loop() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    while (true) {
      while (!stop_ && job_ == nullptr) wake_.wait(lock.unique());
      if (job_ == nullptr) return;  // stopping, nothing to run
      const std::function<void()>* job = job_;
      lock.Unlock();
      std::exception_ptr failure;
      try {
        (*job)();
      } catch (...) {
        failure = std::current_exception();
      }
      lock.Lock();
      failure_ = failure;
      job_ = nullptr;
      done_.notify_all();
    }
  }

  Mutex turn_;  // one Run at a time
  Mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void()>* job_ GUARDED_BY(mu_) = nullptr;
  std::exception_ptr failure_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once the rest is ready
};

}  // namespace cohort

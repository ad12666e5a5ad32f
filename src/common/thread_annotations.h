#pragma once

// Clang's thread-safety analysis (-Wthread-safety): a mutex is a capability, and the members it
// guards, the functions that need it held and those that must not hold it say so, so the
// compiler checks every access. Other compilers ignore the attributes. The shape of LevelDB's
// port/thread_annotations.h and Abseil's mutex.h.
#include <condition_variable>
#include <mutex>
#include <shared_mutex>
#include <thread>

#if defined(__clang__)
#define COHORT_THREAD_ATTRIBUTE(x) __attribute__((x))
#else
#define COHORT_THREAD_ATTRIBUTE(x)
#endif

#define CAPABILITY(x) COHORT_THREAD_ATTRIBUTE(capability(x))
#define SCOPED_CAPABILITY COHORT_THREAD_ATTRIBUTE(scoped_lockable)
#define GUARDED_BY(x) COHORT_THREAD_ATTRIBUTE(guarded_by(x))
#define PT_GUARDED_BY(x) COHORT_THREAD_ATTRIBUTE(pt_guarded_by(x))
#define REQUIRES(...) COHORT_THREAD_ATTRIBUTE(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) COHORT_THREAD_ATTRIBUTE(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) COHORT_THREAD_ATTRIBUTE(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) COHORT_THREAD_ATTRIBUTE(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) COHORT_THREAD_ATTRIBUTE(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) COHORT_THREAD_ATTRIBUTE(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) COHORT_THREAD_ATTRIBUTE(release_generic_capability(__VA_ARGS__))
#define EXCLUDES(...) COHORT_THREAD_ATTRIBUTE(locks_excluded(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS COHORT_THREAD_ATTRIBUTE(no_thread_safety_analysis)

namespace cohort {

// std::mutex as a capability the analysis knows.
class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // For std::condition_variable: the raw mutex (the analysis cannot follow a wait's unlock).
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

// std::shared_mutex: exclusive for writers, shared for readers.
class CAPABILITY("shared mutex") SharedMutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  void LockShared() ACQUIRE_SHARED() { mu_.lock_shared(); }
  void UnlockShared() RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

// Holds a Mutex for its scope. `unique()` is a std::unique_lock over the same mutex, for a
// condition variable's wait (which releases and retakes it: the capability is held again when
// the wait returns, which is all the analysis needs).
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : lock_(mu.native()) {}
  ~MutexLock() RELEASE() = default;
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;
  std::unique_lock<std::mutex>& unique() { return lock_; }
  // Lets go of the mutex inside the scope, and takes it again.
  void Unlock() RELEASE() { lock_.unlock(); }
  void Lock() ACQUIRE() { lock_.lock(); }

 private:
  std::unique_lock<std::mutex> lock_;
};

// Holds a SharedMutex exclusively for its scope.
class SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~WriterLock() RELEASE() { mu_.Unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;
  // Lets the readers waiting for the mutex in, then holds it again (for the analysis, it is
  // held throughout: what it guards must be looked up again after).
  void Yield() NO_THREAD_SAFETY_ANALYSIS {
    mu_.Unlock();
    std::this_thread::yield();
    mu_.Lock();
  }

 private:
  SharedMutex& mu_;
};

// Holds a SharedMutex shared for its scope.
class SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_.LockShared(); }
  ~ReaderLock() RELEASE() { mu_.UnlockShared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex& mu_;
};

}  // namespace cohort

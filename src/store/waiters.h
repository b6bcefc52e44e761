// Blocking primitives of the commit path, built on a mutex and a condition variable (so on
// a plain futex wait). libstdc++'s std::binary_semaphore / std::counting_semaphore spin with
// sched_yield() before they sleep; with dozens of writers parked on their commits that
// spinning was over 10% of the server's CPU under load (perf, VerifiableSet at 32 clients).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace immudb::store {

// One-shot event: Wait() returns once Notify() was called (before or after).
class Notification {
 public:
  // Notifies under the lock: the waiter may destroy this object as soon as Wait() returns,
  // which cannot happen before the lock is released.
  void Notify() {
    std::lock_guard<std::mutex> l(mu_);
    notified_ = true;
    cv_.notify_one();
  }
  void Wait() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return notified_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool notified_ = false;
};

// At most `permits` holders at a time.
class CountingGate {
 public:
  explicit CountingGate(size_t permits) : free_(permits) {}
  void Acquire() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return free_ > 0; });
    --free_;
  }
  void Release() {
    {
      std::lock_guard<std::mutex> l(mu_);
      ++free_;
    }
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t free_;
};

}  // namespace immudb::store

#include "store/sync_helper.h"

#include <pthread.h>

namespace immudb::store {

SyncHelper::SyncHelper() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "store-sync");
    Loop();
  });
}

SyncHelper::~SyncHelper() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void SyncHelper::Loop() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    cv_.wait(l, [this] { return stop_ || job_ != nullptr; });
    if (job_ == nullptr) return;
    const std::function<Status()>* job = job_;
    l.unlock();
    Status st = (*job)();
    l.lock();
    result_ = std::move(st);
    job_ = nullptr;
    done_ = true;
    cv_.notify_all();
  }
}

Status SyncHelper::Run(const std::function<Status()>& background,
                       const std::function<Status()>& foreground) {
  {
    std::lock_guard<std::mutex> l(mu_);
    job_ = &background;
    done_ = false;
  }
  cv_.notify_all();
  Status fg = foreground();
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [this] { return done_; });
  if (!fg.ok()) return fg;
  return result_;
}

}  // namespace immudb::store

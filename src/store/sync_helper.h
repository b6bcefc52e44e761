// SyncHelper: a thread that runs one fdatasync while the committer runs another, so the
// value log and the tx log of a group are flushed concurrently (the file system can then
// share one journal commit between them) instead of one after the other.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "base/status.h"

namespace immudb::store {

class SyncHelper {
 public:
  SyncHelper();
  ~SyncHelper();
  SyncHelper(const SyncHelper&) = delete;
  SyncHelper& operator=(const SyncHelper&) = delete;

  // Runs `background` on the helper thread and `foreground` on the calling thread, waits
  // for both and returns the first non-ok Status (foreground's first). One caller at a time.
  Status Run(const std::function<Status()>& background, const std::function<Status()>& foreground);

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  const std::function<Status()>* job_ = nullptr;  // guarded by mu_
  bool done_ = false;                             // guarded by mu_
  bool stop_ = false;                             // guarded by mu_
  Status result_;                                 // guarded by mu_
  std::thread thread_;
};

}  // namespace immudb::store

#include "server/login_limiter.h"

#include <algorithm>

namespace immudb::server {
namespace {

std::string PairKey(const std::string& username, const std::string& address) {
  return address + "\n" + username;
}

}  // namespace

LoginLimiter::Permit::~Permit() {
  if (owner_ != nullptr) owner_->Release();
}

void LoginLimiter::Release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
  }
  slot_cv_.notify_one();
}

std::chrono::milliseconds LoginLimiter::Remaining(const Failures& f, int allowed,
                                                  Clock::time_point now) const {
  using std::chrono::milliseconds;
  if (allowed <= 0 || f.count < allowed) return milliseconds(0);
  if (now - f.last > limits_.window) return milliseconds(0);
  // base, 2 x base, 4 x base, ... for the allowed-th, (allowed+1)-th, ... failure.
  int doublings = std::min(f.count - allowed, 30);
  milliseconds delay = limits_.base_delay;
  for (int i = 0; i < doublings && delay < limits_.max_delay; ++i) delay *= 2;
  delay = std::min(delay, limits_.max_delay);
  auto until = f.last + delay;
  if (until <= now) return milliseconds(0);
  return std::chrono::ceil<milliseconds>(until - now);
}

Result<LoginLimiter::Permit> LoginLimiter::Admit(const std::string& username,
                                                 const std::string& address,
                                                 Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  if (limits_.max_failures > 0) {
    const Clock::time_point now = Now();
    std::chrono::milliseconds wait{0};
    if (auto it = by_pair_.find(PairKey(username, address)); it != by_pair_.end()) {
      wait = std::max(wait, Remaining(it->second, limits_.max_failures, now));
    }
    if (auto it = by_address_.find(address); it != by_address_.end()) {
      wait = std::max(wait, Remaining(it->second, 4 * limits_.max_failures, now));
    }
    if (wait.count() > 0) {
      int64_t secs = (wait.count() + 999) / 1000;
      return ResourceExhausted("too many failed login attempts for user " + username + " from " +
                               address + "; retry in " + std::to_string(secs) + " s");
    }
  }
  const int cap = std::max(1, limits_.max_concurrent);
  if (!slot_cv_.wait_until(lock, deadline, [&] { return running_ < cap; })) {
    return ResourceExhausted("too many concurrent login attempts; retry later");
  }
  ++running_;
  return Permit(this);
}

void LoginLimiter::Bump(std::map<std::string, Failures>& m, const std::string& key,
                        Clock::time_point now) {
  auto it = m.find(key);
  if (it == m.end()) {
    if (m.size() >= kMaxTrackedKeys) {
      std::erase_if(m, [&](const auto& kv) { return now - kv.second.last > limits_.window; });
      if (m.size() >= kMaxTrackedKeys) return;
    }
    it = m.emplace(key, Failures{}).first;
  }
  Failures& f = it->second;
  if (f.count > 0 && now - f.last > limits_.window) f.count = 0;  // old failures forgotten
  ++f.count;
  f.last = now;
}

void LoginLimiter::RecordFailure(const std::string& username, const std::string& address) {
  if (limits_.max_failures <= 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  const Clock::time_point now = Now();
  Bump(by_pair_, PairKey(username, address), now);
  Bump(by_address_, address, now);
}

void LoginLimiter::RecordSuccess(const std::string& username, const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  by_pair_.erase(PairKey(username, address));
}

std::string PeerAddress(const std::string& peer) {
  std::string_view s = peer;
  if (s.starts_with("ipv4:")) {
    s.remove_prefix(5);
    auto colon = s.rfind(':');
    return std::string(colon == std::string_view::npos ? s : s.substr(0, colon));
  }
  if (s.starts_with("ipv6:")) {
    s.remove_prefix(5);
    if (s.starts_with("[")) {
      auto close = s.find(']');
      if (close != std::string_view::npos) return std::string(s.substr(1, close - 1));
    }
    return std::string(s);
  }
  return peer;
}

}  // namespace immudb::server

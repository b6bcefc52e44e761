// Failed-login rate limiting for Login and OpenSession, checked before any password hash is
// computed (a PBKDF2 verification costs ~0.4 s of CPU).
//
// Failures are counted per (username, peer address) and per peer address. A key whose count
// within `window` reaches `max_failures` (per address: 4 x max_failures, so one address
// cannot spray many user names) is refused until its last failure + a back-off that starts
// at `base_delay` and doubles with every further failure, up to `max_delay`. A successful
// login resets the (username, address) count; the address count only decays with the window,
// so a valid account cannot be used to reset it. Refusals compute no hash and are not counted.
//
// Independently, at most `max_concurrent` verifications run at once server-wide; further
// attempts wait for a slot until their deadline.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "base/status.h"

namespace immudb::server {

struct LoginLimits {
  int max_failures = 5;  // 0 disables the failure back-off (not the concurrency bound)
  std::chrono::milliseconds window = std::chrono::minutes(10);
  std::chrono::milliseconds base_delay = std::chrono::seconds(1);
  std::chrono::milliseconds max_delay = std::chrono::minutes(5);
  int max_concurrent = 4;  // password verifications running at once (>= 1)
};

class LoginLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // Upper bound of tracked (user, address) and address keys; stale keys are dropped first,
  // beyond it new pairs are not tracked (the per-address count still applies).
  static constexpr size_t kMaxTrackedKeys = 65536;

  explicit LoginLimiter(LoginLimits limits) : limits_(limits) {}

  // A slot for one verification, released on destruction.
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)) {}
    Permit& operator=(Permit&&) = delete;
    ~Permit();

   private:
    friend class LoginLimiter;
    explicit Permit(LoginLimiter* owner) : owner_(owner) {}
    LoginLimiter* owner_ = nullptr;
  };

  // Call before verifying a password. ResourceExhausted "too many failed login attempts for
  // user U from A; retry in N s" while (U, A) or A is backing off; ResourceExhausted "too many
  // concurrent login attempts; retry later" when no verification slot frees up before
  // `deadline`. Otherwise a Permit to hold while verifying.
  Result<Permit> Admit(const std::string& username, const std::string& address,
                       Clock::time_point deadline);

  // Record the outcome of a verification admitted for (username, address).
  void RecordFailure(const std::string& username, const std::string& address);
  void RecordSuccess(const std::string& username, const std::string& address);

  const LoginLimits& limits() const { return limits_; }
  // For tests: the clock used for back-off decisions (steady clock unless overridden).
  void SetClockForTesting(std::function<Clock::time_point()> now) { now_ = std::move(now); }

 private:
  struct Failures {
    int count = 0;
    Clock::time_point last;
  };
  Clock::time_point Now() const { return now_ ? now_() : Clock::now(); }
  // Time until `f` may try again (zero when not blocked) for a key allowing `allowed` failures.
  std::chrono::milliseconds Remaining(const Failures& f, int allowed, Clock::time_point now) const;
  void Bump(std::map<std::string, Failures>& m, const std::string& key, Clock::time_point now);
  void Release();

  const LoginLimits limits_;
  std::function<Clock::time_point()> now_;
  std::mutex mu_;
  std::condition_variable slot_cv_;
  int running_ = 0;
  std::map<std::string, Failures> by_pair_;     // "<address>\n<username>"
  std::map<std::string, Failures> by_address_;  // "<address>"
};

// The address part of a gRPC peer string: "ipv4:127.0.0.1:5000" -> "127.0.0.1",
// "ipv6:[::1]:5000" -> "::1"; anything else is returned unchanged.
std::string PeerAddress(const std::string& grpc_peer);

}  // namespace immudb::server

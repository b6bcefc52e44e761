// Failed-login rate limiting: Login and OpenSession through a real channel with small
// thresholds (back-off per user and address, per address, reset on success, doubling up to
// the cap), and the limiter's concurrency bound and peer parsing directly.
#include <gtest/gtest.h>

#include <thread>

#include "server/login_limiter.h"
#include "server_fixture.h"

namespace immudb::server::testing {
namespace {

using google::protobuf::Empty;
using namespace std::chrono_literals;

class LoginLimitTest : public ::testing::Test {
 protected:
  void StartServer(int max_failures) {
    dir_ = MakeTempDir("loginlimit");
    ServerOptions o = TestOptions(dir_ + "/data");
    o.synced = false;
    o.max_login_failures = max_failures;
    o.login_backoff = 2s;  // long enough that a stalled test machine still sees the back-off
    o.login_backoff_max = 4s;
    o.login_failure_window = 1min;
    auto s = ImmuServer::Start(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    stub_ = StubFor(server_->port());
    auto admin = Open("immudb", "immudb");
    ASSERT_TRUE(admin.ok()) << admin.error_message();
    for (const char* u : {"alice", "bob"}) {
      schema::CreateUserRequest req;
      req.set_user(u);
      req.set_password("Passw0rd!");
      req.set_permission(1);
      req.set_database("defaultdb");
      Empty out;
      auto ctx = Ctx(sid_);
      ASSERT_TRUE(stub_->CreateUser(ctx.get(), req, &out).ok());
    }
  }
  void TearDown() override {
    server_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  grpc::Status Open(const std::string& user, const std::string& password) {
    schema::OpenSessionRequest req;
    req.set_username(user);
    req.set_password(password);
    req.set_databasename("defaultdb");
    schema::OpenSessionResponse resp;
    auto ctx = Ctx();
    grpc::Status st = stub_->OpenSession(ctx.get(), req, &resp);
    if (st.ok()) sid_ = resp.sessionid();
    return st;
  }
  grpc::Status Login(const std::string& user, const std::string& password) {
    schema::LoginRequest req;
    req.set_user(user);
    req.set_password(password);
    schema::LoginResponse resp;
    auto ctx = Ctx();
    return stub_->Login(ctx.get(), req, &resp);
  }
  static void ExpectWrongPassword(const grpc::Status& st) {
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNKNOWN) << st.error_message();
    EXPECT_EQ(st.error_message(), "invalid user name or password");
  }
  static void ExpectBackingOff(const grpc::Status& st, const std::string& user, int secs) {
    EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << st.error_message();
    EXPECT_EQ(st.error_message(), "too many failed login attempts for user " + user +
                                      " from 127.0.0.1; retry in " + std::to_string(secs) +
                                      " s");
  }

  std::string dir_;
  std::unique_ptr<ImmuServer> server_;
  std::unique_ptr<schema::ImmuService::Stub> stub_;
  std::string sid_;
};

TEST_F(LoginLimitTest, UserBacksOffAfterFailuresAndSuccessResets) {
  StartServer(3);
  // Login and OpenSession share the count.
  ExpectWrongPassword(Open("alice", "wrong-1"));
  ExpectWrongPassword(Login("alice", "wrong-2"));
  ExpectWrongPassword(Open("alice", "wrong-3"));
  // Refused before the password is looked at: even the right one.
  ExpectBackingOff(Open("alice", "Passw0rd!"), "alice", 2);
  ExpectBackingOff(Login("alice", "Passw0rd!"), "alice", 2);
  // Other users from the same address are not affected.
  EXPECT_TRUE(Open("bob", "Passw0rd!").ok());
  EXPECT_TRUE(Login("immudb", "immudb").ok());

  std::this_thread::sleep_for(2100ms);
  // Back-off over: the right password works and resets alice's count.
  ASSERT_TRUE(Open("alice", "Passw0rd!").ok());
  ExpectWrongPassword(Login("alice", "wrong-4"));
  ExpectWrongPassword(Login("alice", "wrong-5"));
  EXPECT_TRUE(Login("alice", "Passw0rd!").ok());
}

TEST_F(LoginLimitTest, BackOffDoublesUpToTheCap) {
  StartServer(2);
  ExpectWrongPassword(Login("alice", "w"));
  ExpectWrongPassword(Login("alice", "w"));
  ExpectBackingOff(Login("alice", "w"), "alice", 2);
  std::this_thread::sleep_for(2100ms);
  ExpectWrongPassword(Login("alice", "w"));           // third failure
  ExpectBackingOff(Login("alice", "w"), "alice", 4);  // 2 x 2 s
  std::this_thread::sleep_for(4100ms);
  ExpectWrongPassword(Login("alice", "w"));           // fourth failure: 8 s, capped at 4 s
  ExpectBackingOff(Login("alice", "Passw0rd!"), "alice", 4);
}

TEST_F(LoginLimitTest, OneAddressCannotSprayUserNames) {
  StartServer(1);  // per address: 4 failures
  ExpectWrongPassword(Login("alice", "w"));
  ExpectWrongPassword(Login("bob", "w"));
  ExpectWrongPassword(Login("nobody1", "w"));  // unknown users count the same
  ExpectWrongPassword(Login("nobody2", "w"));
  ExpectBackingOff(Login("nobody3", "w"), "nobody3", 2);
  grpc::Status st = Open("immudb", "immudb");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  std::this_thread::sleep_for(2100ms);
  EXPECT_TRUE(Open("immudb", "immudb").ok());
}

TEST_F(LoginLimitTest, SuccessfulLoginsAreNeverLimited) {
  StartServer(1);
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(Login("alice", "Passw0rd!").ok()) << i;
}

TEST(LoginLimiter, BoundsConcurrentVerifications) {
  LoginLimits limits;
  limits.max_concurrent = 1;
  LoginLimiter limiter(limits);
  auto first = limiter.Admit("a", "10.0.0.1", LoginLimiter::Clock::now() + 1s);
  ASSERT_TRUE(first.ok());
  auto second = limiter.Admit("b", "10.0.0.2", LoginLimiter::Clock::now() + 50ms);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(second.status().message(), "too many concurrent login attempts; retry later");
  // A waiter gets the slot as soon as it is released.
  std::thread releaser([p = std::move(*first)]() mutable {
    std::this_thread::sleep_for(50ms);
    LoginLimiter::Permit gone = std::move(p);
  });
  auto third = limiter.Admit("c", "10.0.0.3", LoginLimiter::Clock::now() + 10s);
  EXPECT_TRUE(third.ok());
  releaser.join();
}

TEST(LoginLimiter, WindowForgetsOldFailures) {
  LoginLimits limits;
  limits.max_failures = 2;
  limits.window = std::chrono::minutes(1);
  LoginLimiter limiter(limits);
  LoginLimiter::Clock::time_point now = LoginLimiter::Clock::now();
  limiter.SetClockForTesting([&] { return now; });
  limiter.RecordFailure("u", "a");
  limiter.RecordFailure("u", "a");
  auto blocked = limiter.Admit("u", "a", now);
  ASSERT_FALSE(blocked.ok());
  now += std::chrono::minutes(2);  // past the window and the back-off
  EXPECT_TRUE(limiter.Admit("u", "a", now + 1s).ok());
  limiter.RecordFailure("u", "a");  // counting restarts at 1
  EXPECT_TRUE(limiter.Admit("u", "a", now + 1s).ok());
  limiter.RecordFailure("u", "a");
  EXPECT_FALSE(limiter.Admit("u", "a", now + 1s).ok());
  // Disabled limiter never refuses for failures.
  LoginLimits off;
  off.max_failures = 0;
  LoginLimiter none(off);
  for (int i = 0; i < 10; ++i) none.RecordFailure("u", "a");
  EXPECT_TRUE(none.Admit("u", "a", LoginLimiter::Clock::now() + 1s).ok());
}

TEST(LoginLimiter, PeerAddressStripsTransportAndPort) {
  EXPECT_EQ(PeerAddress("ipv4:127.0.0.1:54321"), "127.0.0.1");
  EXPECT_EQ(PeerAddress("ipv6:[::1]:4000"), "::1");
  EXPECT_EQ(PeerAddress("ipv6:[2001:db8::2]:1"), "2001:db8::2");
  EXPECT_EQ(PeerAddress("unix:/tmp/sock"), "unix:/tmp/sock");
}

}  // namespace
}  // namespace immudb::server::testing

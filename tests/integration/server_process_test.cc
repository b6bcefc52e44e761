// The `immudb` program as a subprocess on 127.0.0.1: it serves, writes its pid file and JSON
// log, honours --admin-password, exits 0 on SIGTERM/SIGINT after removing the pid file,
// keeps its server id across restarts, and exits non-zero when it cannot listen.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "server_fixture.h"

#ifndef IMMUDB_BINARY
#error "IMMUDB_BINARY must name the immudb program"
#endif

namespace immudb::server::testing {
namespace {

using google::protobuf::Empty;

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

pid_t Spawn(const std::vector<std::string>& args) {
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(IMMUDB_BINARY));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(IMMUDB_BINARY, argv.data());
    ::_exit(127);
  }
  return pid;
}

// Waits up to `seconds` for the child to exit; returns its wait status or -1 on timeout.
int WaitExit(pid_t pid, int seconds) {
  for (int i = 0; i < seconds * 20; ++i) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;
}

// Polls Health for up to 20 s; returns the server id from the immudb-uuid header.
std::string WaitHealthy(int port) {
  for (int i = 0; i < 200; ++i) {
    auto stub = StubFor(port);  // a fresh channel: no reconnect back-off between attempts
    Empty req;
    schema::HealthResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
    if (stub->Health(&ctx, req, &resp).ok() && resp.status()) {
      auto it = ctx.GetServerInitialMetadata().find("immudb-uuid");
      if (it == ctx.GetServerInitialMetadata().end()) return "";
      return std::string(it->second.data(), it->second.size());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "";
}

class ServerProcessTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("process"); }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    std::filesystem::remove_all(dir_);
  }
  void Launch(int port, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--dir", dir_ + "/data", "--address", "127.0.0.1",
                                     "--port", std::to_string(port),
                                     "--pidfile", dir_ + "/immudb.pid",
                                     "--logfile", dir_ + "/immudb.log", "--logformat", "json",
                                     "--admin-password", "Admin123!"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = Spawn(args);
    ASSERT_GT(pid_, 0);
  }
  int Stop(int sig) {
    ::kill(pid_, sig);
    int status = WaitExit(pid_, 20);
    if (status != -1) pid_ = -1;
    return status;
  }
  std::string dir_;
  pid_t pid_ = -1;
};

TEST_F(ServerProcessTest, ServesThenExitsCleanlyOnSigterm) {
  int port = FreePort();
  Launch(port);
  std::string uuid = WaitHealthy(port);
  ASSERT_EQ(uuid.size(), 20u) << "server did not become healthy";

  // Pid file holds the child's pid.
  std::ifstream pidfile(dir_ + "/immudb.pid");
  long written = 0;
  pidfile >> written;
  EXPECT_EQ(written, pid_);

  // --admin-password took effect: the default is refused, the given one works, no warning.
  auto stub = StubFor(port);
  schema::LoginRequest login;
  login.set_user("immudb");
  login.set_password("immudb");
  schema::LoginResponse lr;
  auto c1 = Ctx();
  EXPECT_FALSE(stub->Login(c1.get(), login, &lr).ok());
  login.set_password("Admin123!");
  auto c2 = Ctx();
  ASSERT_TRUE(stub->Login(c2.get(), login, &lr).ok());
  EXPECT_TRUE(lr.warning().empty());

  // With a client channel still connected (the slow case for gRPC's shutdown).
  auto stop_start = std::chrono::steady_clock::now();
  int status = Stop(SIGTERM);
  std::printf("SIGTERM to exit: %lld ms\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - stop_start)
                                         .count()));
  ASSERT_NE(status, -1) << "no exit within 20 s of SIGTERM";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/immudb.pid"));

  // Every log line is a JSON object; the shutdown was logged.
  std::ifstream log(dir_ + "/immudb.log");
  std::string line;
  int lines = 0;
  bool saw_sigterm = false;
  while (std::getline(log, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_TRUE(j.contains("time") && j.contains("level") && j.contains("msg")) << line;
    if (j["msg"].get<std::string>().find("SIGTERM") != std::string::npos) saw_sigterm = true;
    ++lines;
  }
  EXPECT_GE(lines, 3);
  EXPECT_TRUE(saw_sigterm);

  // Same data folder, same server id.
  int port2 = FreePort();
  Launch(port2);
  EXPECT_EQ(WaitHealthy(port2), uuid);
  status = Stop(SIGINT);
  ASSERT_NE(status, -1) << "no exit within 20 s of SIGINT";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(ServerProcessTest, ExitsNonZeroWhenThePortIsTaken) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  Launch(ntohs(addr.sin_port));
  int status = WaitExit(pid_, 20);
  ::close(fd);
  ASSERT_NE(status, -1) << "server kept running on a taken port";
  pid_ = -1;
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 0);
}

TEST_F(ServerProcessTest, RejectsABadFlagValue) {
  Launch(FreePort(), {"--max-sessions", "many"});
  int status = WaitExit(pid_, 20);
  ASSERT_NE(status, -1);
  pid_ = -1;
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace immudb::server::testing

// The real `immudb` program as a subprocess of a reliability test: 127.0.0.1, a free port,
// a given data folder; health polling, RSS sampling, SIGTERM / SIGKILL. Header-only, used by
// the tests of this folder only.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "schema.grpc.pb.h"

#ifndef IMMUDB_BINARY
#error "IMMUDB_BINARY must name the immudb program"
#endif

namespace immudb::reliability {

// A port nobody listens on right now (bind to port 0, read it back, close).
inline int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class ServerProcess {
 public:
  // Starts `immudb --dir data_dir` on a free port with the given admin password; extra
  // arguments are appended. The log goes to log_file.
  ServerProcess(const std::string& data_dir, const std::string& log_file,
                const std::string& admin_password, std::vector<std::string> extra = {})
      : port_(FreePort()) {
    std::vector<std::string> args = {IMMUDB_BINARY, "--dir", data_dir, "--address", "127.0.0.1",
                                     "--port", std::to_string(port_), "--admin-password",
                                     admin_password, "--logfile", log_file,
                                     "--grpc-reflection=false"};
    for (auto& e : extra) args.push_back(e);
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(IMMUDB_BINARY, argv.data());
      ::_exit(127);
    }
  }
  ~ServerProcess() { Kill(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  bool running() const { return pid_ > 0; }

  // Polls Health for up to `seconds`; false if the server never answered or exited.
  bool WaitHealthy(int seconds) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                       grpc::InsecureChannelCredentials());
    auto stub = schema::ImmuService::NewStub(channel);
    while (std::chrono::steady_clock::now() < until) {
      if (::waitpid(pid_, &exit_status_, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      google::protobuf::Empty req;
      schema::HealthResponse resp;
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
      if (stub->Health(&ctx, req, &resp).ok() && resp.status()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // Resident set size of the server in KiB (VmRSS), 0 if unknown.
  uint64_t RssKiB() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
    }
    return 0;
  }

  // SIGTERM, then wait up to `seconds`; returns the exit code, -1 when it did not exit on
  // its own (it is SIGKILLed then).
  int Terminate(int seconds = 30) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < seconds * 20; ++i) {
      if (::waitpid(pid_, &exit_status_, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(exit_status_) ? WEXITSTATUS(exit_status_) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    Kill();
    return -1;
  }

  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &exit_status_, 0);
    pid_ = -1;
  }

 private:
  int port_;
  pid_t pid_ = -1;
  int exit_status_ = 0;
};

}  // namespace immudb::reliability

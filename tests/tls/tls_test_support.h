// Helpers for the TLS tests: run a shell command bounded by `timeout`, start the real immudb
// program on 127.0.0.1 with TLS flags, and drive `openssl s_client` against it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace immudb::tls_testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `sh -c command` (callers bound it with `timeout`), capturing stdout+stderr.
inline CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* p = ::popen(("( " + command + " ) 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline int FreePort() {
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

// The real immudb program as a child process.
class ServerProcess {
 public:
  ServerProcess() = default;
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess() { Kill(); }

  // Starts `binary` on 127.0.0.1:<free port> with a data folder under work_dir and `flags`.
  void Start(const std::string& binary, const std::string& work_dir,
             const std::vector<std::string>& flags) {
    port_ = FreePort();
    dir_ = work_dir;
    std::filesystem::create_directories(dir_);
    log_ = dir_ + "/immudb.log";
    std::vector<std::string> args = {binary, "--dir", dir_ + "/data", "--address", "127.0.0.1",
                                     "--port", std::to_string(port_), "--logfile", log_,
                                     "--admin-password", "Admin123!", "--grpc-reflection=false"};
    args.insert(args.end(), flags.begin(), flags.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
  }

  // Waits (up to 30 s) until the log shows the listening line; false if the process exited.
  bool WaitReady() {
    for (int i = 0; i < 300; ++i) {
      if (ReadFile(log_).find("transport:") != std::string::npos) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_status_ = status;
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // Waits (up to 30 s) for the process to exit; its exit code, or -1 if it kept running.
  int WaitExitCode() {
    if (pid_ < 0) return WIFEXITED(exit_status_) ? WEXITSTATUS(exit_status_) : -1;
    for (int i = 0; i < 300; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_status_ = status;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return -1;
  }

  void Kill() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      if (WaitExitCode() == -1 && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
      }
      pid_ = -1;
    }
  }

  int port() const { return port_; }
  std::string log() const { return ReadFile(log_); }
  const std::string& dir() const { return dir_; }

 private:
  pid_t pid_ = -1;
  int exit_status_ = 0;
  int port_ = 0;
  std::string dir_, log_;
};

// What one `openssl s_client` handshake showed.
struct Handshake {
  bool accepted = false;  // a suite was negotiated and the server did not drop the connection
  std::string protocol;   // "TLSv1.3"
  std::string cipher;     // "TLS_AES_256_GCM_SHA384"
  std::string group;      // from "Server Temp Key", e.g. "prime256v1", "X25519"
  bool ems = false;       // "Extended master secret: yes" (TLS 1.2)
  std::string output;     // everything s_client printed, for failure messages
};

// Connects to 127.0.0.1:port with `openssl s_client <args>`, keeps the connection open for
// hold_seconds (under TLS 1.3 the server judges the client certificate after the client has
// finished its handshake, so a refusal arrives as an alert or a close after that), and
// reports the result. env_prefix is prepended to the command (e.g. "OPENSSL_CONF=x").
inline Handshake SClient(int port, const std::string& args, const std::string& env_prefix = "",
                         int hold_seconds = 1) {
  Handshake h;
  std::string cmd = "sleep " + std::to_string(hold_seconds) + " | " + env_prefix + " timeout 10 openssl s_client -connect 127.0.0.1:" +
                    std::to_string(port) + " -servername localhost -alpn h2 " + args;
  CommandResult r = RunCommand(cmd);
  h.output = "$ " + cmd + "\n" + r.output;
  std::istringstream lines(r.output);
  std::string line;
  bool negotiated = false, failed = false;
  while (std::getline(lines, line)) {
    if (auto p = line.find(", Cipher is "); p != std::string::npos) {
      h.cipher = line.substr(p + 12);
      negotiated = h.cipher != "(NONE)";
    }
    if (auto p = line.find("Protocol  : "); p != std::string::npos) h.protocol = line.substr(p + 12);
    if (auto p = line.find("Server Temp Key: "); p != std::string::npos) {
      std::string rest = line.substr(p + 17);
      auto c1 = rest.find(", ");
      if (rest.starts_with("ECDH, ")) {
        auto c2 = rest.find(',', 6);
        h.group = rest.substr(6, c2 == std::string::npos ? std::string::npos : c2 - 6);
      } else {
        h.group = rest.substr(0, c1);
      }
    }
    if (line.find("Extended master secret: yes") != std::string::npos) h.ems = true;
    if (line.find(":error:") != std::string::npos || line.find("errno=") != std::string::npos ||
        line.find("alert") != std::string::npos) {
      failed = true;
    }
  }
  h.accepted = negotiated && !failed;
  return h;
}

}  // namespace immudb::tls_testing

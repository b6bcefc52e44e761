// The write path over TLS against two real `immudb` servers started side by side in one run:
// one with --fips-mode=on, one with --fips-mode=off, both with --auto-cert (TLS, ECDSA P-256
// certificate) and the same other flags. Set and VerifiedSet (inclusion + consistency proofs
// checked client-side) through the client library, each operation's two runs back to back,
// then the FIPS/default throughput ratio. The client process itself runs in default mode, so
// the difference is the server's (FIPS provider for TLS records, hashing and signing).
//
//   tls_bench --immudb=PATH [--synced=true|false] [google benchmark flags]
#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "client/immu_client.h"
#include "crypto/module.h"

namespace {

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Server {
  std::string mode;
  std::string dir;
  int port = 0;
  pid_t pid = -1;
  std::unique_ptr<immudb::client::ImmuClient> client;
  ~Server() {
    client.reset();
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

// Starts immudb in `mode` with --auto-cert and opens a TLS session to it.
bool StartServer(Server& s, const std::string& binary, const std::string& root, bool synced) {
  s.dir = root + "/" + s.mode;
  std::filesystem::create_directories(s.dir);
  s.port = FreePort();
  std::vector<std::string> args = {binary, "--fips-mode", s.mode, "--auto-cert",
                                   "--dir", s.dir + "/data", "--address", "127.0.0.1",
                                   "--port", std::to_string(s.port),
                                   "--logfile", s.dir + "/immudb.log",
                                   "--admin-password", "Bench123!",
                                   std::string("--synced=") + (synced ? "true" : "false")};
  s.pid = ::fork();
  if (s.pid == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  for (int i = 0; i < 300 && ReadFile(s.dir + "/immudb.log").find("transport:") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::fprintf(stderr, "%s server: %s", s.mode.c_str(), ReadFile(s.dir + "/immudb.log").c_str());
  immudb::client::ClientOptions o;
  o.port = s.port;
  o.state_dir = s.dir;
  o.use_tls = true;
  o.ca_cert_file = s.dir + "/data/tls/auto-cert.pem";
  auto c = immudb::client::ImmuClient::Create(o);
  if (!c.ok()) return false;
  s.client = std::move(c).value();
  auto st = s.client->OpenSession("immudb", "Bench123!", "defaultdb");
  if (!st.ok()) {
    std::fprintf(stderr, "%s: %s\n", s.mode.c_str(), st.ToString().c_str());
    return false;
  }
  return true;
}

std::map<std::string, Server*> g_servers;

void BM_Set(benchmark::State& state, Server* s, bool verified) {
  uint64_t i = 0;
  const std::string value(128, 'v');
  for (auto _ : state) {
    std::string key = "k" + std::to_string(state.thread_index()) + "-" + std::to_string(i++);
    auto r = verified ? s->client->VerifiedSet(key, value) : s->client->Set(key, value);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  std::string binary;
  bool synced = false;
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--immudb=", 9) == 0) binary = argv[i] + 9;
    else if (std::strcmp(argv[i], "--synced=true") == 0) synced = true;
    else if (std::strcmp(argv[i], "--synced=false") == 0) synced = false;
    else rest.push_back(argv[i]);
  }
#ifdef IMMUDB_BINARY
  if (binary.empty()) binary = IMMUDB_BINARY;
#endif
  int rest_argc = int(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  if (auto st = immudb::crypto::InitCryptoModule({immudb::crypto::FipsMode::kOff, ""}); !st.ok()) {
    std::fprintf(stderr, "tls_bench: %s\n", st.ToString().c_str());
    return 1;
  }
  std::string root = (std::filesystem::temp_directory_path() /
                      ("immudb-tls-bench-" + std::to_string(::getpid()))).string();
  {
    Server def, fips;
    def.mode = "off";
    fips.mode = "on";
    if (!StartServer(def, binary, root, synced) || !StartServer(fips, binary, root, synced)) {
      std::fprintf(stderr, "tls_bench: cannot start the servers (see %s)\n", root.c_str());
      return 1;
    }
    std::printf("write path over TLS 1.3, synced=%s; server modes: default=off, fips=on\n",
                synced ? "true" : "false");
    for (bool verified : {false, true}) {
      const char* op = verified ? "verified_set" : "set";
      benchmark::RegisterBenchmark((std::string(op) + "/default").c_str(), BM_Set, &def, verified)
          ->UseRealTime();
      benchmark::RegisterBenchmark((std::string(op) + "/fips").c_str(), BM_Set, &fips, verified)
          ->UseRealTime();
    }
    benchmark::RunSpecifiedBenchmarks();
  }
  benchmark::Shutdown();
  std::filesystem::remove_all(root);
  return 0;
}

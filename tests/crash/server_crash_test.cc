// Server crash test: the real `immudb` program runs as a subprocess on 127.0.0.1 (ephemeral
// port, temporary data folder, --synced default) while several client threads write through
// gRPC with ImmuClient (Set and VerifiedSet mixed) and record every acknowledged write (key,
// value, tx id) and the last verified state their client held. The test SIGKILLs the server
// at a random moment (one cycle in ten while it is still starting, i.e. recovering), restarts
// it, and checks with a fresh client per writer that every acknowledged write is readable,
// carries its tx id and verifies: VerifiedGet proves its inclusion and a dual proof from the
// last state that writer held to the server's new state. A server that lost or rewrote an
// acknowledged write, or went back before a state it had given out, fails here.
//
//   server_crash_test [--cycles N] [--seed S] [--dir D] [gtest flags]
//
// Defaults: 50 cycles (CI, well under 3 minutes); --cycles 2000 for a long run.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "client/immu_client.h"
#include "crypto/module.h"

#ifndef IMMUDB_BINARY
#error "IMMUDB_BINARY must name the immudb program"
#endif

namespace immudb::crash {
namespace {

uint64_t g_cycles = 50;
uint64_t g_seed = 0;
std::string g_dir;

constexpr int kWriters = 4;
constexpr char kPassword[] = "Crash123!";

struct AckedWrite {
  std::string value;
  uint64_t tx = 0;
  int writer = 0;
  uint64_t cycle = 0;
};

// The trusted state a writer's client held last (tx 0 = none yet).
struct HeldState {
  uint64_t tx = 0;
  std::string hash;
};

int FreePort() {
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

// The server process of one cycle.
class ServerProcess {
 public:
  ServerProcess(const std::string& dir, int port) : port_(port) {
    std::vector<std::string> args = {IMMUDB_BINARY,  "--dir",         dir + "/data",
                                     "--address",    "127.0.0.1",     "--port",
                                     std::to_string(port), "--admin-password", kPassword,
                                     "--logfile",    dir + "/immudb.log", "--grpc-reflection=false"};
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(IMMUDB_BINARY, argv.data());
      ::_exit(127);
    }
  }
  ~ServerProcess() {
    if (pid_ > 0) Kill();
  }
  pid_t pid() const { return pid_; }
  int port() const { return port_; }

  // Polls Health for up to `seconds`; false if the server never answered or exited.
  bool WaitHealthy(int seconds) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < until) {
      if (::waitpid(pid_, &exit_status_, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                         grpc::InsecureChannelCredentials());
      auto stub = schema::ImmuService::NewStub(channel);
      google::protobuf::Empty req;
      schema::HealthResponse resp;
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
      if (stub->Health(&ctx, req, &resp).ok() && resp.status()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // SIGKILL and reap; returns true when the process died of the signal (not on its own).
  bool Kill() {
    if (pid_ <= 0) return false;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &exit_status_, 0);
    pid_ = -1;
    return WIFSIGNALED(exit_status_) && WTERMSIG(exit_status_) == SIGKILL;
  }

  // SIGTERM, then wait up to 30 s; returns the exit code (-1 when it did not exit cleanly).
  int Terminate() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 600; ++i) {
      if (::waitpid(pid_, &exit_status_, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(exit_status_) ? WEXITSTATUS(exit_status_) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    Kill();
    return -1;
  }
  int exit_status() const { return exit_status_; }

 private:
  pid_t pid_ = -1;
  int port_;
  int exit_status_ = 0;
};

std::string StateDir(int writer) { return g_dir + "/state-" + std::to_string(writer); }

Result<std::unique_ptr<client::ImmuClient>> Connect(int port, int writer) {
  client::ClientOptions o;
  o.address = "127.0.0.1";
  o.port = port;
  o.state_dir = StateDir(writer);
  o.call_timeout = std::chrono::milliseconds(15000);
  IMMUDB_ASSIGN_OR_RETURN(auto c, client::ImmuClient::Create(o));
  IMMUDB_RETURN_IF_ERROR(c->OpenSession("immudb", kPassword, "defaultdb"));
  return c;
}

class ServerCrashTest : public ::testing::Test {
 protected:
  using Clients = std::vector<std::unique_ptr<client::ImmuClient>>;

  // A fresh client per writer (its own trusted-state folder), sessions opened in parallel
  // (each login costs a password-hash verification on the server).
  static Result<Clients> ConnectAll(int port) {
    Clients clients(kWriters);
    std::vector<Status> errs(kWriters);
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([&, w] {
        auto c = Connect(port, w);
        if (c.ok()) clients[w] = std::move(*c);
        else errs[w] = c.status();
      });
    }
    for (auto& t : threads) t.join();
    for (const Status& e : errs) {
      if (!e.ok()) return e;
    }
    return clients;
  }

  // Writes from every client until `stop`; every acknowledged write lands in acked_.
  void RunWriters(Clients& clients, uint64_t cycle, std::atomic<bool>& stop) {
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([&, w] {
        client::ImmuClient& c = *clients[w];
        std::mt19937_64 rng(g_seed ^ (cycle << 8) ^ uint64_t(w));
        for (uint64_t n = 0; !stop.load(); ++n) {
          std::string key = "c" + std::to_string(cycle) + "-w" + std::to_string(w) + "-" +
                            std::to_string(n);
          std::string value(rng() % 200, '\0');
          for (char& ch : value) ch = char(rng());
          bool verified = rng() % 2 == 0;
          auto r = verified ? c.VerifiedSet(key, value) : c.Set(key, value);
          if (!r.ok()) {
            // `stop` is raised just before the kill, so a call failing while it is up was
            // in flight at the kill (outcome unknown, not acknowledged). A failure before it
            // (a refusal, a tampering verdict, an outage) is a finding.
            if (!stop.load()) {
              std::lock_guard<std::mutex> l(mu_);
              errors_.push_back("writer " + std::to_string(w) + ": " + r.status().ToString());
            }
            return;
          }
          std::lock_guard<std::mutex> l(mu_);
          acked_[key] = AckedWrite{value, r->id(), w, cycle};
          pending_.push_back(key);
          if (verified) {
            auto st = c.LocalState();
            if (st.ok() && st->has_value()) held_[w] = HeldState{(*st)->txid(), (*st)->txhash()};
          }
        }
      });
    }
    for (auto& t : threads) t.join();
  }

  // Checks every write acknowledged since the last check through VerifiedGet with this
  // cycle's fresh clients, whose trusted states are the ones the writers held before the kill.
  void CheckPending(Clients& clients, uint64_t max_acked_tx) {
    for (int w = 0; w < kWriters; ++w) {
      auto local = clients[w]->LocalState();
      ASSERT_TRUE(local.ok()) << local.status().ToString();
      if (held_[w].tx > 0) {
        ASSERT_TRUE(local->has_value());
        EXPECT_EQ((*local)->txid(), held_[w].tx) << "writer " << w << "'s trusted state";
        EXPECT_EQ((*local)->txhash(), held_[w].hash);
      }
    }
    auto state = clients[0]->CurrentState();
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    ASSERT_GE(state->txid(), max_acked_tx) << "the server lost acknowledged transactions";
    for (const std::string& key : pending_) {
      const AckedWrite& a = acked_.at(key);
      client::GetOptions opts;
      opts.since_tx = a.tx;  // wait for the index to reach the write
      auto e = clients[a.writer]->VerifiedGet(key, opts);
      ASSERT_TRUE(e.ok()) << "acknowledged write " << key << " (tx " << a.tx
                          << "): " << e.status().ToString();
      ASSERT_EQ(e->tx(), a.tx) << key;
      ASSERT_EQ(e->value(), a.value) << key;
      ++verified_gets_;
    }
    // Each writer's trusted state now reaches the recovered state: nothing went backwards.
    for (int w = 0; w < kWriters; ++w) {
      auto s = clients[w]->CheckConsistency();
      ASSERT_TRUE(s.ok()) << "writer " << w << ": " << s.status().ToString();
      held_[w] = HeldState{s->txid(), s->txhash()};
    }
    pending_.clear();
  }

  uint64_t MaxAckedTx() const {
    uint64_t m = 0;
    for (const auto& [k, a] : acked_) m = std::max(m, a.tx);
    return m;
  }

  std::mutex mu_;  // guards acked_, pending_, held_ and errors_ while writers run
  std::map<std::string, AckedWrite> acked_;
  std::vector<std::string> pending_;  // acknowledged, not yet checked after a restart
  HeldState held_[kWriters];
  std::vector<std::string> errors_;
  uint64_t verified_gets_ = 0;
};

TEST_F(ServerCrashTest, EveryAcknowledgedWriteSurvivesSigkill) {
  std::mt19937_64 rng(g_seed);
  std::printf("seed %llu, %llu cycles, dir %s\n", static_cast<unsigned long long>(g_seed),
              static_cast<unsigned long long>(g_cycles), g_dir.c_str());
  std::filesystem::remove_all(g_dir);
  std::filesystem::create_directories(g_dir);
  for (int w = 0; w < kWriters; ++w) std::filesystem::create_directories(StateDir(w));

  uint64_t kills_while_writing = 0, kills_while_starting = 0;
  auto started = std::chrono::steady_clock::now();
  for (uint64_t cycle = 1; cycle <= g_cycles; ++cycle) {
    int port = FreePort();
    ASSERT_GT(port, 0);
    ServerProcess server(g_dir, port);
    ASSERT_GT(server.pid(), 0);
    if (rng() % 10 == 0) {
      // Kill while it starts: opening the databases, recovering the store, catching up the
      // index, or just before it listens.
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 150000));
      ASSERT_TRUE(server.Kill()) << "server exited by itself while starting, cycle " << cycle
                                 << " (status " << server.exit_status() << ")";
      ++kills_while_starting;
      continue;
    }
    ASSERT_TRUE(server.WaitHealthy(60))
        << "server did not come back in cycle " << cycle << " (exit status "
        << server.exit_status() << "); see " << g_dir << "/immudb.log";
    auto clients = ConnectAll(port);
    ASSERT_TRUE(clients.ok()) << "cycle " << cycle << ": " << clients.status().ToString();
    CheckPending(*clients, MaxAckedTx());
    if (::testing::Test::HasFatalFailure()) return;

    std::atomic<bool> stop{false};
    size_t before = acked_.size();
    std::thread writers([&] { RunWriters(*clients, cycle, stop); });
    std::this_thread::sleep_for(std::chrono::microseconds(20000 + rng() % 400000));
    stop = true;
    bool killed = server.Kill();
    writers.join();
    ASSERT_TRUE(killed) << "server exited by itself in cycle " << cycle << " (status "
                        << server.exit_status() << ")";
    for (const auto& e : errors_) ADD_FAILURE() << "cycle " << cycle << ": " << e;
    if (!errors_.empty()) return;
    if (acked_.size() > before) ++kills_while_writing;
  }

  // Last restart: check what the last cycle acknowledged, then every write of every cycle,
  // then a clean shutdown.
  ServerProcess server(g_dir, FreePort());
  ASSERT_TRUE(server.WaitHealthy(60)) << "server did not come back after the last cycle";
  auto clients = ConnectAll(server.port());
  ASSERT_TRUE(clients.ok()) << clients.status().ToString();
  CheckPending(*clients, MaxAckedTx());
  if (::testing::Test::HasFatalFailure()) return;
  for (const auto& [key, a] : acked_) pending_.push_back(key);
  CheckPending(*clients, MaxAckedTx());
  clients->clear();
  if (::testing::Test::HasFatalFailure()) return;
  EXPECT_EQ(server.Terminate(), 0) << "no clean exit on SIGTERM";

  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "%llu cycles in %.1f s: %llu kills while writing, %llu while starting; %zu acknowledged "
      "writes, last tx %llu, %llu verified reads\n",
      static_cast<unsigned long long>(g_cycles), secs,
      static_cast<unsigned long long>(kills_while_writing),
      static_cast<unsigned long long>(kills_while_starting), acked_.size(),
      static_cast<unsigned long long>(MaxAckedTx()),
      static_cast<unsigned long long>(verified_gets_));
  EXPECT_GT(kills_while_writing, g_cycles / 2);
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(g_dir);
}

}  // namespace
}  // namespace immudb::crash

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--cycles") {
      immudb::crash::g_cycles = std::stoull(next());
    } else if (a == "--seed") {
      immudb::crash::g_seed = std::stoull(next());
    } else if (a == "--dir") {
      immudb::crash::g_dir = next();
    } else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (immudb::crash::g_seed == 0) immudb::crash::g_seed = std::random_device{}();
  if (immudb::crash::g_dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    immudb::crash::g_dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/immudb-server-crash-" +
                           std::to_string(::getpid());
  }
  // The client verifies proofs (SHA-256) and the server is started in its default mode.
  immudb::crypto::ModuleOptions opts;
  opts.mode = immudb::crypto::DefaultFipsMode();
  immudb::Status st = immudb::crypto::InitCryptoModule(opts);
  if (!st.ok()) {
    std::fprintf(stderr, "crypto module: %s\n", st.ToString().c_str());
    return 2;
  }
  return RUN_ALL_TESTS();
}

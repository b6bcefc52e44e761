// Server-level fault injection: an in-process ImmuServer (real catalog, store and index on
// disk, gRPC on 127.0.0.1) whose store files start failing while a client (ImmuClient)
// writes. The faults are injected at the system-call boundary: this test binary defines
// pwrite / pwrite64 / fdatasync / posix_fallocate, which the store's POSIX Env calls, and
// fails them for files under `<data>/defaultdb/store/<stream>/` while a fault is armed
// (every other file, the index and the client's state included, is untouched):
//   - fdatasync fails with EIO (tx log: before anything is committed; commit log: after);
//   - pwrite fails with EIO, or with ENOSPC;
//   - a torn write: half the bytes reach the file, then the call fails with EIO.
// Checked for each: every write during the fault is refused with a clear error (EIO:
// "I/O error"; ENOSPC: RESOURCE_EXHAUSTED "No space left"), none is acknowledged; when the
// fault clears, writes resume on the same server (faults before the commit records), or
// after a restart when the commit log itself failed (the store refuses commits until it is
// reopened, since those commits' outcome is unknown); after a restart every acknowledged
// write verifies (VerifiedGet + CheckConsistency from the client's trusted state), and a
// write refused before its commit record was written is absent.
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "client/immu_client.h"
#include "server/immu_server.h"

namespace {

enum class Fault { kNone, kSyncEio, kWriteEio, kWriteNoSpace, kTornWrite };

std::atomic<Fault> g_fault{Fault::kNone};
std::atomic<uint64_t> g_injected{0};
std::mutex g_path_mu;
std::string g_path;  // fault only files whose path contains this

bool Targeted(int fd) {
  if (g_fault.load(std::memory_order_acquire) == Fault::kNone) return false;
  char link[64];
  char buf[4096];
  std::snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t n = ::readlink(link, buf, sizeof(buf) - 1);
  if (n <= 0) return false;
  buf[n] = 0;
  std::lock_guard<std::mutex> l(g_path_mu);
  return !g_path.empty() && std::strstr(buf, g_path.c_str()) != nullptr;
}

ssize_t RealPwrite(int fd, const void* p, size_t n, off_t off) {
  return ::syscall(SYS_pwrite64, fd, p, n, off);
}

ssize_t FaultyPwrite(int fd, const void* p, size_t n, off_t off) {
  if (Targeted(fd)) {
    Fault f = g_fault.load();
    if (f == Fault::kWriteEio || f == Fault::kWriteNoSpace || f == Fault::kTornWrite) {
      ++g_injected;
      if (f == Fault::kTornWrite && n > 1) (void)RealPwrite(fd, p, n / 2, off);
      errno = f == Fault::kWriteNoSpace ? ENOSPC : EIO;
      return -1;
    }
  }
  return RealPwrite(fd, p, n, off);
}

}  // namespace

// The interposed calls (the executable's definitions win over libc's).
extern "C" ssize_t pwrite(int fd, const void* p, size_t n, off_t off) {
  return FaultyPwrite(fd, p, n, off);
}
extern "C" ssize_t pwrite64(int fd, const void* p, size_t n, off64_t off) {
  return FaultyPwrite(fd, p, n, off);
}
extern "C" int fdatasync(int fd) {
  if (Targeted(fd) && g_fault.load() == Fault::kSyncEio) {
    ++g_injected;
    errno = EIO;
    return -1;
  }
  return static_cast<int>(::syscall(SYS_fdatasync, fd));
}
extern "C" int posix_fallocate(int fd, off_t off, off_t len) {
  if (Targeted(fd) && g_fault.load() == Fault::kWriteNoSpace) {
    ++g_injected;
    return ENOSPC;
  }
  return ::syscall(SYS_fallocate, fd, 0, off, len) == 0 ? 0 : errno;
}

namespace immudb::reliability {
namespace {

constexpr char kPassword[] = "Fault123!";

struct Case {
  const char* name;
  Fault fault;
  const char* stream;   // store stream folder the fault applies to
  bool before_commit;   // the fault hits before any commit record is written
  bool no_space;        // expected error: RESOURCE_EXHAUSTED (else "I/O error")
};

const Case kCases[] = {
    {"SyncEioTxLog", Fault::kSyncEio, "tx", true, false},
    {"WriteEioValueLog", Fault::kWriteEio, "val", true, false},
    {"TornWriteTxLog", Fault::kTornWrite, "tx", true, false},
    {"NoSpaceValueLog", Fault::kWriteNoSpace, "val", true, true},
    {"SyncEioCommitLog", Fault::kSyncEio, "commit", false, false},
};

class ServerFaultTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("immudb-fault-" + std::to_string(::getpid()) + "-" + GetParam().name);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "state");
    StartServer();
  }
  void TearDown() override {
    g_fault = Fault::kNone;
    client_.reset();
    if (server_) server_->Shutdown(std::chrono::seconds(2));
    server_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  void StartServer() {
    server::ServerOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.dir = (dir_ / "data").string();
    o.admin_password = kPassword;
    o.admin_password_given = true;
    o.grpc_reflection = false;
    auto s = server::ImmuServer::Start(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
    client::ClientOptions co;
    co.port = server_->port();
    co.state_dir = (dir_ / "state").string();
    co.call_timeout = std::chrono::milliseconds(20000);
    auto c = client::ImmuClient::Create(co);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    client_ = std::move(*c);
    Status st = client_->OpenSession("immudb", kPassword, "defaultdb");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  void Restart() {
    client_.reset();
    server_->Shutdown(std::chrono::seconds(2));
    server_.reset();
    StartServer();
  }

  // One write (Set or VerifiedSet by n's parity); records it when acknowledged.
  Status Write(const std::string& key, int n) {
    std::string value = "value of " + key;
    auto h = n % 2 == 0 ? client_->Set(key, value) : client_->VerifiedSet(key, value);
    if (h.ok()) acked_[key] = {value, h->id()};
    return h.status();
  }

  std::filesystem::path dir_;
  std::unique_ptr<server::ImmuServer> server_;
  std::unique_ptr<client::ImmuClient> client_;
  std::map<std::string, std::pair<std::string, uint64_t>> acked_;
};

TEST_P(ServerFaultTest, RefusesClearlyAcknowledgesNothingUnwrittenAndResumes) {
  const Case& c = GetParam();
  for (int n = 0; n < 10; ++n) ASSERT_TRUE(Write("before-" + std::to_string(n), n).ok());

  {
    std::lock_guard<std::mutex> l(g_path_mu);
    g_path = (dir_ / "data" / "defaultdb" / "store" / c.stream).string() + "/";
  }
  uint64_t injected0 = g_injected.load();
  g_fault = c.fault;
  std::vector<std::string> refused;
  for (int n = 0; n < 6; ++n) {
    std::string key = "during-" + std::to_string(n);
    Status st = Write(key, n);
    EXPECT_FALSE(st.ok()) << key << " was acknowledged while its store file was failing";
    if (st.ok()) continue;
    refused.push_back(key);
    if (n == 0) std::printf("[%s] refusal: %s\n", c.name, st.ToString().c_str());
    // The answer never discloses where the server keeps its data.
    EXPECT_EQ(st.message().find(dir_.string()), std::string::npos) << st.ToString();
    if (c.no_space) {
      EXPECT_EQ(st.code(), Code::kResourceExhausted) << st.ToString();
      EXPECT_NE(st.message().find("No space left"), std::string::npos) << st.ToString();
    } else if (n == 0 || c.before_commit) {
      EXPECT_NE(st.message().find("I/O error"), std::string::npos) << st.ToString();
    } else {
      // After a failed commit-log write the store refuses commits until it is reopened.
      EXPECT_NE(st.message().find("reopen"), std::string::npos) << st.ToString();
    }
  }
  g_fault = Fault::kNone;
  EXPECT_GT(g_injected.load(), injected0) << "no fault was injected";

  // Reads keep working while the store is degraded.
  for (auto& [key, v] : acked_) {
    auto e = client_->VerifiedGet(key);
    ASSERT_TRUE(e.ok()) << key << ": " << e.status().ToString();
    EXPECT_EQ(e->value(), v.first);
  }

  Status resumed = Write("resume-0", 1);
  std::printf("[%s] first write after the fault cleared: %s\n", c.name,
              resumed.ToString().c_str());
  if (c.before_commit) {
    ASSERT_TRUE(resumed.ok()) << "writes did not resume once the fault cleared: "
                              << resumed.ToString();
  } else {
    EXPECT_NE(resumed.message().find("reopen"), std::string::npos) << resumed.ToString();
  }
  Restart();
  if (HasFatalFailure()) return;
  for (int n = 1; n < 10; ++n) {
    Status st = Write("resume-" + std::to_string(n), n);
    ASSERT_TRUE(st.ok()) << "resume-" << n << " after restart: " << st.ToString();
  }
  auto cc = client_->CheckConsistency();
  ASSERT_TRUE(cc.ok()) << cc.status().ToString();
  for (auto& [key, v] : acked_) {
    auto e = client_->VerifiedGet(key);
    ASSERT_TRUE(e.ok()) << key << " after restart: " << e.status().ToString();
    EXPECT_EQ(e->value(), v.first) << key;
    EXPECT_EQ(e->tx(), v.second) << key;
  }
  if (c.before_commit) {
    for (const auto& key : refused) {
      auto e = client_->Get(key);
      EXPECT_FALSE(e.ok()) << key << " was refused but is readable after restart";
      if (!e.ok()) {
        EXPECT_EQ(e.status().code(), Code::kNotFound) << e.status().ToString();
      }
    }
  }
  std::printf("[%s] %zu acknowledged writes verified after restart, %zu refused\n", c.name,
              acked_.size(), refused.size());
}

INSTANTIATE_TEST_SUITE_P(Faults, ServerFaultTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& i) { return i.param.name; });

}  // namespace
}  // namespace immudb::reliability

// Disk-full test: the real `immudb` program keeps its data folder on a small tmpfs (64 MiB,
// mounted by the test; it needs root and is skipped, saying so, otherwise). A filler file
// takes all but a few MiB, then 4 clients write 8 KiB values (Set and VerifiedSet, unique
// keys, database with 1 MiB segment files) until the file system is full. Checked:
//   - every refused write gets a clear error: RESOURCE_EXHAUSTED or "no space left";
//   - every acknowledged write is readable with VerifiedGet while the disk is still full;
//   - once the filler is deleted, writes resume on the same server process;
//   - after a clean restart every acknowledged write (before and after the disk filled)
//     is read back with VerifiedGet (inclusion + dual proof from the client's trusted
//     state) with its value and tx id, and CheckConsistency passes.
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "client/immu_client.h"
#include "server_process.h"

namespace immudb::reliability {
namespace {

constexpr char kPassword[] = "Full123!";
constexpr char kDb[] = "fulldb";
constexpr int kWriters = 4;
constexpr uint64_t kHeadroom = 16ull << 20;  // free bytes left by the filler
constexpr size_t kValueSize = 8 << 10;

uint64_t FreeBytes(const std::string& path) {
  struct statvfs v{};
  if (::statvfs(path.c_str(), &v) != 0) return 0;
  return uint64_t(v.f_bavail) * v.f_frsize;
}

// Mounts a tmpfs of `size` at `dir` for the lifetime of the object.
class TmpfsMount {
 public:
  TmpfsMount(const std::string& dir, const std::string& size) : dir_(dir) {
    std::filesystem::create_directories(dir);
    std::string opts = "size=" + size + ",mode=0700";
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, opts.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~TmpfsMount() { Unmount(); }
  void Unmount() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    mounted_ = false;
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

struct Acked {
  std::string value;
  uint64_t tx = 0;
  int writer = 0;
};

Result<std::unique_ptr<client::ImmuClient>> Connect(int port, const std::string& state_dir) {
  client::ClientOptions o;
  o.port = port;
  o.state_dir = state_dir;
  o.call_timeout = std::chrono::milliseconds(30000);
  std::filesystem::create_directories(state_dir);
  IMMUDB_ASSIGN_OR_RETURN(auto c, client::ImmuClient::Create(o));
  IMMUDB_RETURN_IF_ERROR(c->OpenSession("immudb", kPassword, kDb));
  return c;
}

bool ClearNoSpaceError(const Status& st) {
  std::string m = st.message();
  std::transform(m.begin(), m.end(), m.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return st.code() == Code::kResourceExhausted || m.find("no space") != std::string::npos;
}

TEST(ReliabilityDiskFullTest, RefusesClearlyLosesNothingAndResumesWhenSpaceIsFreed) {
  if (::geteuid() != 0) GTEST_SKIP() << "disk-full test skipped: mounting a tmpfs needs root";
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/immudb-diskfull-" +
                          std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  const std::string mnt = dir + "/mnt";
  TmpfsMount mount(mnt, "64m");
  if (!mount.mounted()) {
    GTEST_SKIP() << "disk-full test skipped: cannot mount a tmpfs at " << mnt << ": "
                 << mount.error();
  }
  const std::string data = mnt + "/data";
  const std::string filler = mnt + "/filler";

  auto server = std::make_unique<ServerProcess>(data, dir + "/immudb.log", kPassword);
  ASSERT_TRUE(server->WaitHealthy(60)) << "server did not start; log in " << dir;
  {
    client::ClientOptions o;
    o.port = server->port();
    o.state_dir = dir + "/state-admin";
    std::filesystem::create_directories(o.state_dir);
    auto admin = client::ImmuClient::Create(o);
    ASSERT_TRUE(admin.ok());
    ASSERT_TRUE((*admin)->OpenSession("immudb", kPassword, "defaultdb").ok());
    schema::DatabaseNullableSettings s;
    s.mutable_filesize()->set_value(1 << 20);
    auto created = (*admin)->CreateDatabase(kDb, s);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }

  std::vector<std::unique_ptr<client::ImmuClient>> cs(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    auto c = Connect(server->port(), dir + "/state-" + std::to_string(w));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cs[w] = std::move(*c);
  }

  // Fill the file system up to kHeadroom.
  {
    std::ofstream f(filler, std::ios::binary);
    std::string chunk(1 << 20, 'f');
    while (FreeBytes(mnt) > kHeadroom + chunk.size() && f.write(chunk.data(), chunk.size())) {
      f.flush();
    }
  }
  std::printf("filler %.1f MiB, %.1f MiB left\n",
              double(std::filesystem::file_size(filler)) / (1 << 20),
              double(FreeBytes(mnt)) / (1 << 20));

  // Write until every writer has seen the disk full (bounded: 4 x 4000 writes, 120 s).
  std::map<std::string, Acked> acked;
  std::mutex mu;
  std::map<std::string, int> errors;  // message -> count
  std::atomic<int> unclear{0};
  auto write_phase = [&](const std::string& tag, int max_per_writer, bool stop_on_full) {
    std::vector<std::thread> ts;
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    for (int w = 0; w < kWriters; ++w) {
      ts.emplace_back([&, w] {
        int refused = 0;
        for (int n = 0; n < max_per_writer && std::chrono::steady_clock::now() < until; ++n) {
          std::string key = tag + "-w" + std::to_string(w) + "-" + std::to_string(n);
          std::string value(kValueSize, char('a' + (n + w) % 26));
          value.replace(0, key.size(), key);
          auto h = n % 2 == 0 ? cs[w]->Set(key, value) : cs[w]->VerifiedSet(key, value);
          std::lock_guard<std::mutex> l(mu);
          if (h.ok()) {
            acked[key] = Acked{value, h->id(), w};
            continue;
          }
          ++errors[h.status().ToString()];
          if (!ClearNoSpaceError(h.status())) ++unclear;
          if (stop_on_full && ++refused >= 3) break;
        }
      });
    }
    for (auto& t : ts) t.join();
  };
  write_phase("full", 4000, true);
  size_t acked_before_full = acked.size();
  uint64_t refused_total = 0;
  for (auto& [m, n] : errors) {
    std::printf("refused %d x: %s\n", n, m.c_str());
    refused_total += n;
  }
  std::printf("%zu writes acknowledged before the disk was full, %llu refused\n",
              acked_before_full, static_cast<unsigned long long>(refused_total));
  ASSERT_GT(refused_total, 0u) << "the file system never filled up";
  EXPECT_EQ(unclear.load(), 0) << "a refusal did not say the disk is full";

  // Everything acknowledged is readable while the disk is still full.
  for (auto& [key, a] : acked) {
    auto e = cs[a.writer]->VerifiedGet(key);
    ASSERT_TRUE(e.ok()) << key << ": " << e.status().ToString();
    ASSERT_EQ(e->value(), a.value) << key;
    ASSERT_EQ(e->tx(), a.tx) << key;
  }

  // Free the space: writes resume on the same server (a few seconds allowed).
  std::filesystem::remove(filler);
  auto t0 = std::chrono::steady_clock::now();
  Status resumed = Internal("not tried");
  while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10)) {
    auto h = cs[0]->VerifiedSet("resume-probe", "after the disk was freed");
    resumed = h.status();
    if (resumed.ok()) {
      acked["resume-probe"] = Acked{"after the disk was freed", h->id(), 0};
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(resumed.ok()) << "writes did not resume after freeing space: " << resumed.ToString();
  std::printf("writes resumed %.2f s after the filler was deleted\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  errors.clear();
  write_phase("after", 50, false);
  for (auto& [m, n] : errors) std::printf("refused after freeing space %d x: %s\n", n, m.c_str());
  EXPECT_TRUE(errors.empty()) << "writes failed after space was freed";

  // Clean restart; every acknowledged write verifies from each writer's trusted state.
  cs.clear();
  EXPECT_EQ(server->Terminate(), 0) << "server did not exit cleanly; log in " << dir;
  server = std::make_unique<ServerProcess>(data, dir + "/immudb.log", kPassword);
  ASSERT_TRUE(server->WaitHealthy(60)) << "server did not restart; log in " << dir;
  for (int w = 0; w < kWriters; ++w) {
    auto c = Connect(server->port(), dir + "/state-" + std::to_string(w));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cs.push_back(std::move(*c));
    auto cc = cs[w]->CheckConsistency();
    ASSERT_TRUE(cc.ok()) << "writer " << w << ": " << cc.status().ToString();
  }
  for (auto& [key, a] : acked) {
    auto e = cs[a.writer]->VerifiedGet(key);
    ASSERT_TRUE(e.ok()) << key << " (acknowledged at tx " << a.tx << ") after restart: "
                        << e.status().ToString();
    ASSERT_EQ(e->value(), a.value) << key;
    ASSERT_EQ(e->tx(), a.tx) << key;
  }
  std::printf("%zu acknowledged writes verified after restart\n", acked.size());
  cs.clear();
  EXPECT_EQ(server->Terminate(), 0);
  mount.Unmount();
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace immudb::reliability

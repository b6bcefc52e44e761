// ImmuClient against a real in-process server on 127.0.0.1 (ephemeral port, temp folder):
// sessions (keep-alive, transparent re-open), legacy tokens, verified calls with the trusted
// state file, signatures, and a tampered trusted state being reported as tampering.
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "client/base64.h"
#include "client/immu_client.h"
#include "crypto/ecdsa.h"
#include "integration/server_fixture.h"
#include "server/immu_server.h"

namespace immudb::client {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Collects the outcomes of `expected` asynchronous write calls: their tx ids and errors.
class AsyncOutcomes {
 public:
  explicit AsyncOutcomes(int expected) : pending_(expected) {}
  std::function<void(Result<schema::TxHeader>)> Callback() {
    return [this](Result<schema::TxHeader> r) {
      std::lock_guard<std::mutex> l(mu_);
      if (r.ok()) {
        txs_.insert(r->id());
      } else {
        errors_.push_back(r.status().ToString());
      }
      if (--pending_ == 0) cv_.notify_all();
    };
  }
  // True once every call has called back (within 30 s).
  bool Wait() {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::seconds(30), [&] { return pending_ == 0; });
  }
  const std::set<uint64_t>& txs() const { return txs_; }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int pending_;
  std::set<uint64_t> txs_;
  std::vector<std::string> errors_;
};

class ClientServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;  // test folder naming only
    dir_ = std::filesystem::temp_directory_path() / ("immudb-client-test-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_ / "data");
    std::filesystem::create_directories(dir_ / "state");
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  server::ServerOptions Options() {
    server::ServerOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.dir = (dir_ / "data").string();
    o.grpc_reflection = false;
    if (server::testing::TestTlsEnabled()) {  // IMMUDB_TEST_TLS=1: the tls re-run
      o.certificate = server::testing::TestTls().cert_file;
      o.pkey = server::testing::TestTls().key_file;
    }
    return o;
  }
  void StartServer(const server::ServerOptions& o) {
    auto s = server::ImmuServer::Start(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }
  std::unique_ptr<ImmuClient> MakeClient(const std::string& pub_key = "") {
    ClientOptions o;
    o.port = server_->port();
    o.state_dir = (dir_ / "state").string();
    o.server_signing_pub_key_file = pub_key;
    o.keepalive_interval = std::chrono::milliseconds(100);
    if (server::testing::TestTlsEnabled()) {
      o.use_tls = true;
      o.ca_cert_file = server::testing::TestTls().cert_file;
    }
    auto c = ImmuClient::Create(o);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(*c) : nullptr;
  }
  // Replaces the trusted state of defaultdb with tx 3 and a hash the server's history does
  // not extend; returns the state file's new content.
  std::string ForgeTrustedState() {
    schema::ImmutableState forged;
    forged.set_db("defaultdb");
    forged.set_txid(3);
    forged.set_txhash(std::string(32, '\x42'));
    std::string raw;
    EXPECT_TRUE(forged.SerializeToString(&raw));
    { std::ofstream(StateFile(), std::ios::trunc) << "defaultdb:" << Base64Encode(AsBytes(raw)); }
    return ReadFile(StateFile());
  }
  std::string StateFile() { return (dir_ / "state" / (".state-" + server_->server_uuid())).string(); }

  std::filesystem::path dir_;
  std::unique_ptr<server::ImmuServer> server_;
};

TEST_F(ClientServerTest, SessionVerifiedCallsAndState) {
  StartServer(Options());
  auto c = MakeClient();
  {
    Status st = c->OpenSession("immudb", "immudb", "defaultdb");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  EXPECT_EQ(c->server_uuid(), server_->server_uuid());

  auto h = c->Set("a", "1");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  auto vs = c->VerifiedSet("b", "2");
  ASSERT_TRUE(vs.ok()) << vs.status().ToString();
  EXPECT_EQ(vs->id(), h->id() + 1);
  auto e = c->VerifiedGet("a");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->value(), "1");
  auto r = c->VerifiedSetReference("ra", "a");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto re = c->VerifiedGet("ra");
  ASSERT_TRUE(re.ok()) << re.status().ToString();
  EXPECT_EQ(re->value(), "1");
  auto z = c->VerifiedZAdd("set", 3.25, "b");
  ASSERT_TRUE(z.ok()) << z.status().ToString();
  auto tx = c->VerifiedTxById(1);
  ASSERT_TRUE(tx.ok()) << tx.status().ToString();
  auto cons = c->CheckConsistency();
  ASSERT_TRUE(cons.ok()) << cons.status().ToString();
  EXPECT_EQ(cons->txid(), z->id());

  auto local = c->LocalState();
  ASSERT_TRUE(local.ok() && local->has_value());
  EXPECT_EQ((*local)->txid(), z->id());
  auto current = c->CurrentState();
  ASSERT_TRUE(current.ok());
  EXPECT_EQ((*local)->txhash(), current->txhash());
  EXPECT_EQ(ReadFile(StateFile()).rfind("defaultdb:", 0), 0u);

  EXPECT_EQ(c->Get("missing").status().code(), Code::kNotFound);
  ASSERT_TRUE(c->CloseSession().ok());
  EXPECT_FALSE(c->has_session());
}

TEST_F(ClientServerTest, ExpiredSessionIsReopenedTransparently) {
  StartServer(Options());
  auto c = MakeClient();
  {
    Status st = c->OpenSession("immudb", "immudb", "defaultdb");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  ASSERT_TRUE(c->Set("k", "v").ok());
  std::string first = c->session_id();
  server_->sessions().ExpireAt(server::Clock::now() + std::chrono::hours(24));
  auto e = c->Get("k");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->value(), "v");
  EXPECT_NE(c->session_id(), first);
}

// Many SetAsync calls in flight at once: each callback once, with its own tx; what they
// acknowledged is readable; refusals (an empty key) come through the callback as well;
// an expired session is re-opened and the call retried.
TEST_F(ClientServerTest, SetAsyncCallsInFlightAtOnce) {
  StartServer(Options());
  auto c = MakeClient();
  ASSERT_TRUE(c->OpenSession("immudb", "immudb", "defaultdb").ok());
  constexpr int kCalls = 64;
  AsyncOutcomes out(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    c->SetAsync("async-" + std::to_string(i), "v" + std::to_string(i), out.Callback());
  }
  ASSERT_TRUE(out.Wait());
  EXPECT_TRUE(out.errors().empty()) << out.errors().front();
  EXPECT_EQ(out.txs().size(), size_t(kCalls));  // one tx each, no id twice
  for (int i = 0; i < kCalls; i += 7) {
    auto e = c->Get("async-" + std::to_string(i));
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    EXPECT_EQ(e->value(), "v" + std::to_string(i));
  }

  std::promise<Status> empty_key;
  c->SetAsync("", "x", [&](Result<schema::TxHeader> r) { empty_key.set_value(r.status()); });
  EXPECT_EQ(empty_key.get_future().get().code(), Code::kInvalidArgument);

  std::string first = c->session_id();
  server_->sessions().ExpireAt(server::Clock::now() + std::chrono::hours(24));
  std::promise<Result<schema::TxHeader>> after_expiry;
  c->SetAsync("after-expiry", "v", [&](Result<schema::TxHeader> r) { after_expiry.set_value(r); });
  auto r = after_expiry.get_future().get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(c->session_id(), first);
  auto e = c->Get("after-expiry");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->tx(), r->id());
}

// VerifiedSetAsync: calls started from several threads at once each prove from the state
// the previous one stored (the state lock orders them), the trusted state ends at the
// server's, a forged trusted state is reported as tampering and left as it was, and an
// expired session is re-opened.
TEST_F(ClientServerTest, VerifiedSetAsyncChainsTheTrustedState) {
  StartServer(Options());
  auto c = MakeClient();
  ASSERT_TRUE(c->OpenSession("immudb", "immudb", "defaultdb").ok());
  constexpr int kThreads = 4, kPerThread = 8;
  AsyncOutcomes out(kThreads * kPerThread);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        c->VerifiedSetAsync("vasync-" + std::to_string(t) + "-" + std::to_string(i), "v",
                            out.Callback());
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(out.Wait());
  ASSERT_TRUE(out.errors().empty()) << out.errors().front();
  const std::set<uint64_t>& txs = out.txs();
  EXPECT_EQ(txs.size(), size_t(kThreads * kPerThread));
  auto local = c->LocalState();
  ASSERT_TRUE(local.ok() && local->has_value());
  auto current = c->CurrentState();
  ASSERT_TRUE(current.ok());
  EXPECT_EQ((*local)->txid(), current->txid());
  EXPECT_EQ((*local)->txid(), *txs.rbegin());
  EXPECT_EQ((*local)->txhash(), current->txhash());
  auto e = c->VerifiedGet("vasync-3-7");
  ASSERT_TRUE(e.ok()) << e.status().ToString();

  std::string first = c->session_id();
  server_->sessions().ExpireAt(server::Clock::now() + std::chrono::hours(24));
  std::promise<Result<schema::TxHeader>> after_expiry;
  c->VerifiedSetAsync("after-expiry", "v",
                      [&](Result<schema::TxHeader> r) { after_expiry.set_value(r); });
  auto r = after_expiry.get_future().get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(c->session_id(), first);

  std::string before = ForgeTrustedState();
  std::promise<Result<schema::TxHeader>> tampered;
  c->VerifiedSetAsync("x", "y", [&](Result<schema::TxHeader> r) { tampered.set_value(r); });
  EXPECT_EQ(tampered.get_future().get().status().code(), Code::kTampered);
  EXPECT_EQ(ReadFile(StateFile()), before);
}

// state_in_memory: verified calls keep the trusted state (and the identity pin) in the
// client only; the state folder stays empty, and a second client trusts on first use.
TEST_F(ClientServerTest, InMemoryTrustedState) {
  StartServer(Options());
  ClientOptions o;
  o.port = server_->port();
  o.state_dir = (dir_ / "state").string();
  o.state_in_memory = true;
  if (server::testing::TestTlsEnabled()) {
    o.use_tls = true;
    o.ca_cert_file = server::testing::TestTls().cert_file;
  }
  auto made = ImmuClient::Create(o);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  auto c = std::move(*made);
  ASSERT_TRUE(c->OpenSession("immudb", "immudb", "defaultdb").ok());
  ASSERT_TRUE(c->Set("a", "1").ok());
  auto vs = c->VerifiedSet("b", "2");
  ASSERT_TRUE(vs.ok()) << vs.status().ToString();
  std::promise<Result<schema::TxHeader>> async_done;
  c->VerifiedSetAsync("c", "3", [&](Result<schema::TxHeader> r) { async_done.set_value(r); });
  auto va = async_done.get_future().get();
  ASSERT_TRUE(va.ok()) << va.status().ToString();
  EXPECT_EQ(va->id(), vs->id() + 1);
  auto e = c->VerifiedGet("a");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  auto local = c->LocalState();
  ASSERT_TRUE(local.ok() && local->has_value());
  EXPECT_EQ((*local)->txid(), va->id());
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "state"));

  auto made2 = ImmuClient::Create(o);
  ASSERT_TRUE(made2.ok());
  auto c2 = std::move(*made2);
  ASSERT_TRUE(c2->OpenSession("immudb", "immudb", "defaultdb").ok());
  auto none = c2->LocalState();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(c2->VerifiedGet("c").ok());
}

TEST_F(ClientServerTest, KeepAliveHoldsAnIdleSession) {
  server::ServerOptions o = Options();
  o.max_session_inactivity_time = std::chrono::milliseconds(300);
  o.session_timeout = std::chrono::milliseconds(300);
  o.sessions_guard_check_interval = std::chrono::milliseconds(50);
  StartServer(o);
  auto c = MakeClient();
  {
    Status st = c->OpenSession("immudb", "immudb", "defaultdb");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  std::string id = c->session_id();
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  // The server still knows the session: keep-alives refreshed it.
  EXPECT_TRUE(server_->sessions().TouchSession(id).ok());
  EXPECT_EQ(c->session_id(), id);
}

TEST_F(ClientServerTest, LegacyTokenLogin) {
  StartServer(Options());
  auto c = MakeClient();
  auto warning = c->Login("immudb", "immudb");
  ASSERT_TRUE(warning.ok()) << warning.status().ToString();
  ASSERT_TRUE(c->UseDatabase("defaultdb").ok());
  ASSERT_FALSE(c->token().empty());
  ASSERT_TRUE(c->Set("t", "1").ok());
  auto e = c->VerifiedGet("t");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  // The token works from another client object (what `immuclient login` relies on).
  auto d = MakeClient();
  d->SetToken(c->token(), "defaultdb");
  auto e2 = d->Get("t");
  ASSERT_TRUE(e2.ok()) << e2.status().ToString();
  EXPECT_EQ(e2->value(), "1");
}

TEST_F(ClientServerTest, TamperedTrustedStateIsDetectedAndKept) {
  StartServer(Options());
  auto c = MakeClient();
  {
    Status st = c->OpenSession("immudb", "immudb", "defaultdb");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c->VerifiedSet("k" + std::to_string(i), "v").ok());

  // Replace the trusted hash: the server's history no longer extends it.
  std::string before = ForgeTrustedState();

  auto e = c->VerifiedGet("k1");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), Code::kTampered) << e.status().ToString();
  EXPECT_EQ(e.status().message().rfind("tampering detected", 0), 0u);
  auto s = c->VerifiedSet("x", "y");
  EXPECT_EQ(s.status().code(), Code::kTampered);
  EXPECT_EQ(c->VerifiedTxById(2).status().code(), Code::kTampered);
  EXPECT_EQ(c->CheckConsistency().status().code(), Code::kTampered);
  EXPECT_EQ(ReadFile(StateFile()), before);
}

TEST_F(ClientServerTest, ServerSignaturesAreChecked) {
  auto key = crypto::EcdsaPrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  auto other = crypto::EcdsaPrivateKey::Generate();
  ASSERT_TRUE(other.ok());
  std::string key_file = (dir_ / "ec.key").string();
  ASSERT_TRUE(key->ToPemFile(key_file).ok());
  auto write_pub = [&](const crypto::EcdsaPrivateKey& k, const std::string& name) {
    auto pem = k.PublicKey().ToPem();
    EXPECT_TRUE(pem.ok());
    std::string path = (dir_ / name).string();
    std::ofstream(path) << *pem;
    return path;
  };
  std::string good_pub = write_pub(*key, "ec.pub");
  std::string bad_pub = write_pub(*other, "other.pub");

  server::ServerOptions o = Options();
  o.signing_key = key_file;
  StartServer(o);
  auto c = MakeClient(good_pub);
  {
    Status st = c->OpenSession("immudb", "immudb", "defaultdb");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  ASSERT_TRUE(c->CurrentState().ok());
  auto s = c->VerifiedSet("a", "1");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE(c->VerifiedGet("a").ok());

  auto d = MakeClient(bad_pub);
  {
    Status st = d->OpenSession("immudb", "immudb", "defaultdb");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  EXPECT_EQ(d->CurrentState().status().code(), Code::kTampered);
  std::string before = ReadFile(StateFile());
  EXPECT_EQ(d->VerifiedSet("b", "2").status().code(), Code::kTampered);
  EXPECT_EQ(ReadFile(StateFile()), before);
}

// Clients sharing a state folder pin the server's identity at the same moment (first verified
// calls from several threads): every one sees a whole pin, never a partly written file.
TEST_F(ClientServerTest, ConcurrentFirstPinsAgree) {
  StartServer(Options());
  constexpr int kClients = 8;
  std::vector<std::unique_ptr<ImmuClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(MakeClient());
    ASSERT_TRUE(clients.back()->OpenSession("immudb", "immudb", "defaultdb").ok());
  }
  std::vector<Status> results(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      results[i] = clients[i]->VerifiedSet("pin-" + std::to_string(i), "v").status();
    });
  }
  for (auto& t : threads) t.join();
  for (const Status& st : results) EXPECT_TRUE(st.ok()) << st.ToString();
  int pins = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir_ / "state")) {
    std::string name = f.path().filename().string();
    if (name.rfind(".identity-", 0) != 0) continue;
    EXPECT_EQ(name.find(".tmp-"), std::string::npos) << name;  // no temporary left behind
    EXPECT_NE(ReadFile(f.path().string()).find(server_->server_uuid()), std::string::npos);
    ++pins;
  }
  EXPECT_EQ(pins, 1);
}

TEST_F(ClientServerTest, ServerIdentityIsPinned) {
  StartServer(Options());
  auto c = MakeClient();
  {
    Status st = c->OpenSession("immudb", "immudb", "defaultdb");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  ASSERT_TRUE(c->VerifiedSet("a", "1").ok());
  std::string identity_file;
  for (const auto& f : std::filesystem::directory_iterator(dir_ / "state")) {
    if (f.path().filename().string().rfind(".identity-", 0) == 0) identity_file = f.path().string();
  }
  ASSERT_FALSE(identity_file.empty());
  std::string content = ReadFile(identity_file);
  EXPECT_NE(content.find("\"serverUUID\": \"" + server_->server_uuid() + "\""), std::string::npos);
  EXPECT_NE(content.find("127.0.0.1:" + std::to_string(server_->port())), std::string::npos);
  ASSERT_TRUE(c->VerifiedGet("a").ok());

  // The pin says another server answered at this address before: verified calls of a new
  // client refuse to run. (A client checks the pin once per server uuid it meets.)
  std::ofstream(identity_file, std::ios::trunc)
      << "{\n\t\"serverUUID\": \"aaaaaaaaaaaaaaaaaaaa\",\n\t\"serverIdentity\": \"x\"\n}";
  auto c2 = MakeClient();
  {
    Status st = c2->OpenSession("immudb", "immudb", "defaultdb");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  auto e = c2->VerifiedGet("a");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("could not check the identity"), std::string::npos);
}

}  // namespace
}  // namespace immudb::client

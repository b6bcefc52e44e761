// Request limits through a real channel, with immudb's error texts: entries per transaction,
// key and value length (defaults and per-database settings), result sizes of the scans, and
// the streamed-transaction byte budget, open streams. (Max sessions: server_session_test.)
#include <gtest/gtest.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "server/stream_framing.h"
#include "server_fixture.h"

namespace immudb::server::testing {
namespace {

using google::protobuf::Empty;

class ServerLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("limits");
    ServerOptions o = TestOptions(dir_ + "/data");
    o.synced = false;
    auto s = ImmuServer::Start(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    stub_ = StubFor(server_->port());
    sid_ = Open("defaultdb");
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string Open(const std::string& db) { return OpenTestSession(stub_.get(), db); }
  grpc::Status SetN(const std::string& sid, int n, const std::string& prefix,
                    const std::string& value = "v") {
    schema::SetRequest req;
    for (int i = 0; i < n; ++i) {
      auto* kv = req.add_kvs();
      kv->set_key(prefix + std::to_string(i));
      kv->set_value(value);
    }
    schema::TxHeader h;
    auto ctx = Ctx(sid);
    return stub_->Set(ctx.get(), req, &h);
  }
  grpc::Status Set1(const std::string& sid, const std::string& key, const std::string& value) {
    schema::SetRequest req;
    auto* kv = req.add_kvs();
    kv->set_key(key);
    kv->set_value(value);
    schema::TxHeader h;
    auto ctx = Ctx(sid);
    return stub_->Set(ctx.get(), req, &h);
  }
  static void ExpectRefused(const grpc::Status& st, const std::string& text) {
    EXPECT_FALSE(st.ok());
    EXPECT_NE(st.error_message().find(text), std::string::npos) << st.error_message();
  }
  uint64_t CurrentTx(const std::string& sid) {
    schema::ImmutableState st;
    auto ctx = Ctx(sid);
    EXPECT_TRUE(stub_->CurrentState(ctx.get(), Empty(), &st).ok());
    return st.txid();
  }

  std::string dir_;
  std::unique_ptr<ImmuServer> server_;
  std::unique_ptr<schema::ImmuService::Stub> stub_;
  std::string sid_;
};

TEST_F(ServerLimitsTest, DefaultEntriesPerTxAndKeyLength) {
  ASSERT_TRUE(SetN(sid_, 1024, "k").ok());
  ExpectRefused(SetN(sid_, 1025, "k"), "max number of entries per tx exceeded");
  schema::ExecAllRequest ex;
  for (int i = 0; i < 1025; ++i) {
    auto* kv = ex.add_operations()->mutable_kv();
    kv->set_key("e" + std::to_string(i));
    kv->set_value("v");
  }
  schema::TxHeader h;
  auto c1 = Ctx(sid_);
  ExpectRefused(stub_->ExecAll(c1.get(), ex, &h), "max number of entries per tx exceeded");
  // Store keys carry a one-byte prefix: user keys up to 1023 bytes fit in immudb's 1024.
  ASSERT_TRUE(Set1(sid_, std::string(1023, 'a'), "v").ok());
  ExpectRefused(Set1(sid_, std::string(1024, 'a'), "v"), "max key length exceeded");
  // The same limits on the streamed path.
  std::vector<std::string> msgs;
  for (int i = 0; i < 1025; ++i) {
    msgs.push_back("s" + std::to_string(i));
    msgs.push_back("v");
  }
  auto c2 = Ctx(sid_);
  auto w = stub_->streamSet(c2.get(), &h);
  ChunkWriter cw([&](const schema::Chunk& c) { return w->Write(c); });
  for (const auto& m : msgs) ASSERT_TRUE(cw.Write(m).ok());
  w->WritesDone();
  ExpectRefused(w->Finish(), "max number of entries per tx exceeded");
  EXPECT_EQ(CurrentTx(sid_), 2u);
}

TEST_F(ServerLimitsTest, PerDatabaseKeyValueAndEntryLimits) {
  schema::CreateDatabaseRequest req;
  req.set_name("small");
  req.mutable_settings()->mutable_maxkeylen()->set_value(16);
  req.mutable_settings()->mutable_maxvaluelen()->set_value(100);
  req.mutable_settings()->mutable_maxtxentries()->set_value(4);
  schema::CreateDatabaseResponse resp;
  auto c = Ctx(sid_);
  grpc::Status cs = stub_->CreateDatabaseV2(c.get(), req, &resp);
  ASSERT_TRUE(cs.ok()) << cs.error_message();
  std::string small = Open("small");
  ASSERT_TRUE(SetN(small, 4, "k").ok());
  ExpectRefused(SetN(small, 5, "k"), "max number of entries per tx exceeded");
  ASSERT_TRUE(Set1(small, std::string(15, 'k'), "v").ok());
  ExpectRefused(Set1(small, std::string(16, 'k'), "v"), "max key length exceeded");
  ASSERT_TRUE(Set1(small, "k", std::string(99, 'v')).ok());  // + 1 prefix byte = 100
  ExpectRefused(Set1(small, "k", std::string(100, 'v')), "max value length exceeded");
  EXPECT_EQ(CurrentTx(small), 3u);
}

TEST_F(ServerLimitsTest, ResultSizesAreCappedAtImmudbsMaximum) {
  for (int t = 0; t < 3; ++t) ASSERT_TRUE(SetN(sid_, 1000, "r" + std::to_string(t) + "-").ok());
  for (int i = 0; i < 3; ++i) {
    schema::ZAddRequest z;
    z.set_set("z");
    z.set_key("r0-" + std::to_string(i));
    z.set_score(i);
    schema::TxHeader h;
    auto c = Ctx(sid_);
    ASSERT_TRUE(stub_->ZAdd(c.get(), z, &h).ok());
  }
  const std::string too_many = "result size limit exceeded";
  {
    schema::ScanRequest req;
    req.set_limit(2501);
    schema::Entries out;
    auto c = Ctx(sid_);
    ExpectRefused(stub_->Scan(c.get(), req, &out), too_many);
    req.set_limit(0);  // 0 = the maximum
    auto c2 = Ctx(sid_);
    ASSERT_TRUE(stub_->Scan(c2.get(), req, &out).ok());
    EXPECT_EQ(out.entries_size(), 2500);
    req.set_limit(2501);
    auto c3 = Ctx(sid_);
    auto r = stub_->streamScan(c3.get(), req);
    schema::Chunk chunk;
    EXPECT_FALSE(r->Read(&chunk));
    ExpectRefused(r->Finish(), too_many);
  }
  {
    schema::HistoryRequest req;
    req.set_key("r0-1");
    req.set_limit(2501);
    schema::Entries out;
    auto c = Ctx(sid_);
    ExpectRefused(stub_->History(c.get(), req, &out), too_many);
  }
  {
    schema::ZScanRequest req;
    req.set_set("z");
    req.set_limit(2501);
    schema::ZEntries out;
    auto c = Ctx(sid_);
    ExpectRefused(stub_->ZScan(c.get(), req, &out), too_many);
  }
  {
    schema::TxScanRequest req;
    req.set_initialtx(1);
    req.set_limit(2501);
    schema::TxList out;
    auto c = Ctx(sid_);
    ExpectRefused(stub_->TxScan(c.get(), req, &out), too_many);
  }
}

TEST_F(ServerLimitsTest, StreamedTransactionByteBudget) {
  // Two values that fit the 32 MiB message limit alone but exceed immudb's MaxTxValueLen
  // together: refused while reading, before the database sees them.
  const std::string half(kMaxStreamMessageSize / 2 + 1024, 'x');
  schema::TxHeader h;
  auto c = Ctx(sid_);
  auto w = stub_->streamSet(c.get(), &h);
  ChunkWriter cw([&](const schema::Chunk& ch) { return w->Write(ch); });
  bool sent = cw.Write(std::string("a")).ok() && cw.Write(half).ok() &&
              cw.Write(std::string("b")).ok() && cw.Write(half).ok();
  (void)sent;  // the server may stop reading once over budget
  w->WritesDone();
  grpc::Status st = w->Finish();
  ExpectRefused(st, "max transaction values length exceeded");
  EXPECT_EQ(CurrentTx(sid_), 0u);
}

// Holds every Set until released: the calls stay "waiting for their commit".
class HeldSets : public KvHandlers {
 public:
  void SetAsync(const CallInfo&, const schema::SetRequest&, schema::TxHeader* resp,
                std::function<void(Status)> done) override {
    std::lock_guard<std::mutex> l(mu_);
    if (released_) {
      resp->set_id(1);
      return done(Status::Ok());
    }
    held_.push_back([resp, done = std::move(done)] {
      resp->set_id(1);
      done(Status::Ok());
    });
    cv_.notify_all();
  }
  bool WaitHeld(size_t n) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::seconds(10), [&] { return held_.size() >= n; });
  }
  void ReleaseAll() {
    std::vector<std::function<void()>> held;
    {
      std::lock_guard<std::mutex> l(mu_);
      released_ = true;
      held.swap(held_);
    }
    for (auto& f : held) f();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::function<void()>> held_;
  bool released_ = false;
};

TEST_F(ServerLimitsTest, WritesWaitingForTheirCommitAreBoundedByGrpcThreads) {
  server_.reset();
  ServerOptions o = TestOptions(dir_ + "/data3");
  o.grpc_threads = 4;
  ServerDeps deps;
  auto held_owner = std::make_unique<HeldSets>();
  HeldSets* held = held_owner.get();
  deps.kv_handlers = std::move(held_owner);
  auto s = ImmuServer::Start(o, std::move(deps));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  server_ = std::move(s).value();
  stub_ = StubFor(server_->port());
  sid_ = Open("defaultdb");

  // Four Sets in flight, none answered: they hold no gRPC thread, only a count.
  struct Pending {
    std::unique_ptr<grpc::ClientContext> ctx;
    schema::SetRequest req;
    schema::TxHeader resp;
  };
  std::vector<Pending> calls(4);
  std::mutex mu;
  std::condition_variable cv;
  int answered = 0;
  std::vector<grpc::Status> statuses;
  int started = 0;
  // Whatever happens below, the held calls are answered and their callbacks have run before
  // the locals they use go away (and before the server stops).
  struct Cleanup {
    std::function<void()> f;
    ~Cleanup() { f(); }
  } cleanup{[&] {
    held->ReleaseAll();
    std::unique_lock<std::mutex> l(mu);
    cv.wait_for(l, std::chrono::seconds(10), [&] { return answered == started; });
  }};
  for (Pending& c : calls) {
    ++started;
    c.ctx = Ctx(sid_);
    auto* kv = c.req.add_kvs();
    kv->set_key("k");
    kv->set_value("v");
    stub_->async()->Set(c.ctx.get(), &c.req, &c.resp, [&](grpc::Status st) {
      std::lock_guard<std::mutex> l(mu);
      statuses.push_back(st);
      ++answered;
      cv.notify_all();
    });
  }
  ASSERT_TRUE(held->WaitHeld(4));
  grpc::Status refused = Set1(sid_, "k5", "v");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(refused.error_message(),
            "too many Set/VerifiableSet calls in flight (limit 4); retry later");
  // VerifiableSet shares the bound.
  {
    schema::VerifiableSetRequest vreq;
    auto* kv = vreq.mutable_setrequest()->add_kvs();
    kv->set_key("k5");
    kv->set_value("v");
    schema::VerifiableTx vresp;
    auto vctx = Ctx(sid_);
    grpc::Status vst = stub_->VerifiableSet(vctx.get(), vreq, &vresp);
    EXPECT_EQ(vst.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_EQ(vst.error_message(),
              "too many Set/VerifiableSet calls in flight (limit 4); retry later");
  }
  // Other calls are not Sets.
  schema::HealthResponse health;
  auto hctx = Ctx();
  EXPECT_TRUE(stub_->Health(hctx.get(), Empty(), &health).ok());

  held->ReleaseAll();
  {
    std::unique_lock<std::mutex> l(mu);
    ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(10), [&] { return answered == 4; }));
  }
  for (const grpc::Status& st : statuses) EXPECT_TRUE(st.ok()) << st.error_message();
  // The slots are free again.
  EXPECT_TRUE(Set1(sid_, "k6", "v").ok());
}

TEST_F(ServerLimitsTest, OpenStreamsAreBoundedServerWide) {
  server_.reset();
  ServerOptions o = TestOptions(dir_ + "/data2");
  o.synced = false;
  o.max_open_streams = 1;
  auto s = ImmuServer::Start(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  server_ = std::move(s).value();
  stub_ = StubFor(server_->port());
  sid_ = Open("defaultdb");

  // One streamSet held open by its client uses the only slot.
  schema::TxHeader h;
  auto c1 = Ctx(sid_);
  auto w = stub_->streamSet(c1.get(), &h);
  ChunkWriter cw([&](const schema::Chunk& c) { return w->Write(c); });
  ASSERT_TRUE(cw.Write(std::string("k")).ok());
  ASSERT_TRUE(cw.Write(std::string("v")).ok());
  // A write returns once gRPC queued it: wait until the streamSet's handler holds the slot,
  // or a streamGet dispatched first would take it and the streamSet would be the one refused.
  for (int i = 0; i < 500 && server_->OpenStreams() < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(server_->OpenStreams(), 1);
  schema::KeyRequest get_k;
  get_k.set_key("k");
  auto c2 = Ctx(sid_);
  auto get = stub_->streamGet(c2.get(), get_k);
  schema::Chunk ignored;
  while (get->Read(&ignored)) {
  }
  grpc::Status refused = get->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(refused.error_message(), "too many open streams (limit 1); retry later");
  // Unary calls are not streams.
  EXPECT_EQ(CurrentTx(sid_), 0u);
  w->WritesDone();
  grpc::Status held = w->Finish();
  ASSERT_TRUE(held.ok()) << held.error_code() << " " << held.error_message();
  // The slot is free again.
  schema::KeyRequest kr;
  kr.set_key("k");
  auto c3 = Ctx(sid_);
  auto r = stub_->streamGet(c3.get(), kr);
  schema::Chunk chunk;
  int chunks = 0;
  while (r->Read(&chunk)) ++chunks;
  EXPECT_TRUE(r->Finish().ok());
  EXPECT_EQ(chunks, 2);
}

}  // namespace
}  // namespace immudb::server::testing

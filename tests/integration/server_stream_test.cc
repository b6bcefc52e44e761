// The stream* RPCs through a real gRPC channel: every streamed call gives the same answer as its
// unary twin, with small values and values spanning several 64 KiB chunks; verifiable streams
// are checked with the client's own verification; malformed chunk streams are refused with a
// clear error and write nothing.
#include <gtest/gtest.h>

#include <bit>
#include <thread>

#include "client/entry_encoding.h"
#include "client/verification.h"
#include "crypto/ecdsa.h"
#include "server/stream_framing.h"
#include "server_fixture.h"

namespace immudb::server::testing {
namespace {

using google::protobuf::Empty;

// A value of n bytes whose content depends on the seed and on every position.
std::string Pattern(size_t n, uint8_t seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + seed + (i >> 8)) & 0xff);
  return s;
}

std::string U64(uint64_t v) {
  Bytes b;
  AppendU64(b, v);
  return std::string(b.begin(), b.end());
}

std::string Str(const Bytes& b) { return std::string(b.begin(), b.end()); }

// Frames the messages onto a client writer with immudb's framing and closes the sending side.
template <typename W>
bool SendAll(W* writer, const std::vector<std::string>& messages) {
  ChunkWriter w([writer](const schema::Chunk& c) { return writer->Write(c); });
  for (const auto& m : messages) {
    if (!w.Write(m).ok()) return false;
  }
  return writer->WritesDone();
}

// Reads every framed message from a client reader (stops at the first framing error).
template <typename R>
std::vector<std::string> ReadAll(R* reader) {
  ChunkReader r([reader](schema::Chunk* c) { return reader->Read(c); });
  std::vector<std::string> out;
  while (true) {
    auto m = r.Next();
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    if (!m.ok() || !m->has_value()) break;
    out.push_back(Str(**m));
  }
  return out;
}

class ServerStreamTest : public SignedServerTest {
 protected:
  ServerStreamTest() : SignedServerTest("stream") {}

  // streamSet of the pairs; returns the status and fills the header.
  grpc::Status StreamSet(const std::vector<std::pair<std::string, std::string>>& kvs,
                         schema::TxHeader* hdr) {
    std::vector<std::string> msgs;
    for (const auto& [k, v] : kvs) {
      msgs.push_back(k);
      msgs.push_back(v);
    }
    auto ctx = Ctx(sid_);
    auto w = stub_->streamSet(ctx.get(), hdr);
    SendAll(w.get(), msgs);
    return w->Finish();
  }

  // Sends raw chunks (no framing applied) on a client stream and returns the final status.
  template <typename Resp>
  grpc::Status SendRawChunks(
      std::unique_ptr<grpc::ClientWriter<schema::Chunk>> (schema::ImmuService::Stub::*rpc)(
          grpc::ClientContext*, Resp*),
      const std::vector<std::string>& chunks) {
    Resp resp;
    auto ctx = Ctx(sid_);
    auto w = ((*stub_).*rpc)(ctx.get(), &resp);
    for (const auto& c : chunks) {
      schema::Chunk chunk;
      chunk.set_content(c);
      if (!w->Write(chunk)) break;
    }
    w->WritesDone();
    return w->Finish();
  }

  uint64_t CurrentTx() {
    schema::ImmutableState st;
    auto ctx = Ctx(sid_);
    EXPECT_TRUE(stub_->CurrentState(ctx.get(), Empty(), &st).ok());
    return st.txid();
  }

  schema::Entry UnaryGet(const std::string& key) {
    schema::KeyRequest req;
    req.set_key(key);
    schema::Entry e;
    auto ctx = Ctx(sid_);
    grpc::Status st = stub_->Get(ctx.get(), req, &e);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return e;
  }

  std::vector<std::string> StreamGet(const std::string& key, grpc::Status* st) {
    schema::KeyRequest req;
    req.set_key(key);
    auto ctx = Ctx(sid_);
    auto r = stub_->streamGet(ctx.get(), req);
    auto msgs = ReadAll(r.get());
    *st = r->Finish();
    return msgs;
  }
};

TEST_F(ServerStreamTest, StreamSetThenStreamGetMatchUnaryGet) {
  const std::string big = Pattern(200 * 1024 + 17, 1);       // four chunks
  const std::string edge = Pattern(64 * 1024 - 8, 2);        // exactly one full chunk
  const std::string edge2 = Pattern(64 * 1024 - 7, 3);       // one byte into a second chunk
  schema::TxHeader hdr;
  grpc::Status st = StreamSet({{"small", "v"}, {"big", big}, {"edge", edge}, {"edge2", edge2},
                               {"empty-value", ""}},
                              &hdr);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(hdr.id(), 1u);
  EXPECT_EQ(hdr.nentries(), 5);

  schema::TxRequest txr;
  txr.set_tx(1);
  schema::Tx tx;
  auto c = Ctx(sid_);
  ASSERT_TRUE(stub_->TxById(c.get(), txr, &tx).ok());
  EXPECT_EQ(tx.header().SerializeAsString(), hdr.SerializeAsString());

  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"small", "v"}, {"big", big}, {"edge", edge}, {"edge2", edge2}, {"empty-value", ""}}) {
    schema::Entry unary = UnaryGet(k);
    EXPECT_TRUE(unary.value() == v) << k;
    grpc::Status gs;
    auto msgs = StreamGet(k, &gs);
    ASSERT_TRUE(gs.ok()) << gs.error_message();
    ASSERT_EQ(msgs.size(), 2u) << k;
    EXPECT_EQ(msgs[0], unary.key());
    EXPECT_TRUE(msgs[1] == unary.value()) << k;
  }

  // A missing key answers like the unary Get.
  grpc::Status gs;
  auto msgs = StreamGet("nope", &gs);
  EXPECT_TRUE(msgs.empty());
  EXPECT_EQ(gs.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_NE(gs.error_message().find("key not found"), std::string::npos);
}

TEST_F(ServerStreamTest, StreamVerifiableSetAndGetProveWhatTheyCarry) {
  ledger::State local{"defaultdb", 0, crypto::EmptyDigest()};
  const std::string big = Pattern(150 * 1024, 7);
  for (int round = 0; round < 2; ++round) {
    const std::string key = "vkey" + std::to_string(round);
    const std::string value = round == 0 ? big : std::string("small value");
    schema::VerifiableTx vtx;
    auto ctx = Ctx(sid_);
    auto w = stub_->streamVerifiableSet(ctx.get(), &vtx);
    ASSERT_TRUE(SendAll(w.get(), {U64(local.tx_id), key, value}));
    grpc::Status st = w->Finish();
    ASSERT_TRUE(st.ok()) << st.error_message();
    client::ExpectedEntry want{client::KvStoreKey(AsBytes(key)),
                               client::PlainStoreValue(AsBytes(value)), true};
    auto next = client::VerifyWriteResponse(vtx, want, local, "defaultdb");
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    EXPECT_EQ(next->tx_id, static_cast<uint64_t>(round + 1));
    EXPECT_TRUE(client::VerifyStateSignature(*next, &vtx.signature(), *public_key_).ok());
    // A different value must not verify against the same answer.
    client::ExpectedEntry wrong{client::KvStoreKey(AsBytes(key)),
                                client::PlainStoreValue(AsBytes(value + "x")), true};
    EXPECT_FALSE(client::VerifyWriteResponse(vtx, wrong, local, "defaultdb").ok());
    local = *next;
  }
  // One more tx so the gets below need a real dual proof from tx 1 to the current state.
  schema::TxHeader hdr;
  ASSERT_TRUE(StreamSet({{"other", "x"}}, &hdr).ok());

  const ledger::State trusted = local;  // state at tx 2, from the verified sets
  for (const std::string key : {"vkey0", "vkey1"}) {
    schema::VerifiableGetRequest req;
    req.mutable_keyrequest()->set_key(key);
    req.set_provesincetx(trusted.tx_id);
    schema::VerifiableEntry unary;
    auto c1 = Ctx(sid_);
    ASSERT_TRUE(stub_->VerifiableGet(c1.get(), req, &unary).ok());

    auto c2 = Ctx(sid_);
    auto r = stub_->streamVerifiableGet(c2.get(), req);
    auto msgs = ReadAll(r.get());
    grpc::Status st = r->Finish();
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(msgs.size(), 4u);
    schema::VerifiableEntry streamed;
    ASSERT_TRUE(streamed.mutable_entry()->ParseFromString(msgs[0]));
    EXPECT_TRUE(streamed.entry().value().empty());
    streamed.mutable_entry()->set_value(msgs[3]);
    ASSERT_TRUE(streamed.mutable_verifiabletx()->ParseFromString(msgs[1]));
    ASSERT_TRUE(streamed.mutable_inclusionproof()->ParseFromString(msgs[2]));

    EXPECT_TRUE(streamed.entry().value() == unary.entry().value());
    EXPECT_EQ(streamed.entry().tx(), unary.entry().tx());
    EXPECT_EQ(streamed.entry().key(), unary.entry().key());
    // Same proofs; ECDSA signatures differ per signing, so compare them without it.
    schema::VerifiableTx sv = streamed.verifiabletx(), uv = unary.verifiabletx();
    EXPECT_FALSE(sv.signature().signature().empty());
    sv.clear_signature();
    uv.clear_signature();
    EXPECT_EQ(sv.SerializeAsString(), uv.SerializeAsString());
    EXPECT_EQ(streamed.inclusionproof().SerializeAsString(),
              unary.inclusionproof().SerializeAsString());

    auto next = client::VerifyEntryResponse(streamed, AsBytes(key), 0, trusted, "defaultdb");
    ASSERT_TRUE(next.ok()) << key << ": " << next.status().ToString();
    EXPECT_EQ(next->tx_id, 2u);  // proofs reach max(entry tx, proveSinceTx), as in immudb
    EXPECT_TRUE(client::VerifyStateSignature(*next, &streamed.verifiabletx().signature(),
                                             *public_key_)
                    .ok());
    // The client must refuse the streamed proof with an altered value.
    schema::VerifiableEntry altered = streamed;
    altered.mutable_entry()->mutable_value()->back() ^= 1;
    EXPECT_FALSE(client::VerifyEntryResponse(altered, AsBytes(key), 0, trusted, "defaultdb").ok());
  }
}

TEST_F(ServerStreamTest, StreamScanAndHistoryMatchUnary) {
  const std::string big = Pattern(100 * 1024, 9);
  schema::TxHeader h;
  ASSERT_TRUE(StreamSet({{"p/a", "1"}, {"p/b", big}, {"q/c", "3"}}, &h).ok());
  ASSERT_TRUE(StreamSet({{"p/a", Pattern(70 * 1024, 4)}}, &h).ok());
  ASSERT_TRUE(StreamSet({{"p/a", "third"}}, &h).ok());

  for (bool desc : {false, true}) {
    schema::ScanRequest req;
    req.set_prefix("p/");
    req.set_desc(desc);
    schema::Entries unary;
    auto c1 = Ctx(sid_);
    ASSERT_TRUE(stub_->Scan(c1.get(), req, &unary).ok());
    ASSERT_EQ(unary.entries_size(), 2);
    auto c2 = Ctx(sid_);
    auto r = stub_->streamScan(c2.get(), req);
    auto msgs = ReadAll(r.get());
    ASSERT_TRUE(r->Finish().ok());
    ASSERT_EQ(msgs.size(), 4u);
    for (int i = 0; i < unary.entries_size(); ++i) {
      EXPECT_EQ(msgs[2 * i], unary.entries(i).key());
      EXPECT_TRUE(msgs[2 * i + 1] == unary.entries(i).value());
    }
  }

  schema::HistoryRequest hreq;
  hreq.set_key("p/a");
  schema::Entries unary;
  auto c1 = Ctx(sid_);
  ASSERT_TRUE(stub_->History(c1.get(), hreq, &unary).ok());
  ASSERT_EQ(unary.entries_size(), 3);
  auto c2 = Ctx(sid_);
  auto r = stub_->streamHistory(c2.get(), hreq);
  auto msgs = ReadAll(r.get());
  ASSERT_TRUE(r->Finish().ok());
  ASSERT_EQ(msgs.size(), 6u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(msgs[2 * i], "p/a");
    EXPECT_TRUE(msgs[2 * i + 1] == unary.entries(i).value());
  }
  EXPECT_TRUE(msgs[3] == Pattern(70 * 1024, 4));
}

TEST_F(ServerStreamTest, StreamZScanMatchesUnary) {
  const std::string big = Pattern(90 * 1024, 5);
  schema::TxHeader h;
  ASSERT_TRUE(StreamSet({{"m1", big}, {"m2", "two"}}, &h).ok());
  for (auto [key, score] : std::vector<std::pair<std::string, double>>{{"m1", 1.5}, {"m2", 0.25}}) {
    schema::ZAddRequest z;
    z.set_set("board");
    z.set_key(key);
    z.set_score(score);
    auto c = Ctx(sid_);
    ASSERT_TRUE(stub_->ZAdd(c.get(), z, &h).ok());
  }
  schema::ZScanRequest req;
  req.set_set("board");
  schema::ZEntries unary;
  auto c1 = Ctx(sid_);
  ASSERT_TRUE(stub_->ZScan(c1.get(), req, &unary).ok());
  ASSERT_EQ(unary.entries_size(), 2);
  auto c2 = Ctx(sid_);
  auto r = stub_->streamZScan(c2.get(), req);
  auto msgs = ReadAll(r.get());
  ASSERT_TRUE(r->Finish().ok());
  ASSERT_EQ(msgs.size(), 10u);
  for (int i = 0; i < 2; ++i) {
    const auto& e = unary.entries(i);
    EXPECT_EQ(msgs[5 * i], e.set());
    EXPECT_EQ(msgs[5 * i + 1], e.key());
    EXPECT_EQ(msgs[5 * i + 2], U64(std::bit_cast<uint64_t>(e.score())));
    EXPECT_EQ(msgs[5 * i + 3], U64(e.attx()));
    EXPECT_TRUE(msgs[5 * i + 4] == e.entry().value());
  }
  EXPECT_EQ(msgs[1], "m2");  // lowest score first
  EXPECT_TRUE(msgs[9] == big);
}

TEST_F(ServerStreamTest, StreamExecAllWritesLikeExecAll) {
  const std::string big = Pattern(130 * 1024, 11);
  schema::TxHeader base;
  ASSERT_TRUE(StreamSet({{"target", "t"}}, &base).ok());
  schema::ZAddRequest z;
  z.set_set("s");
  z.set_key("target");
  z.set_score(2.0);
  std::string kv_type(1, '\x01'), zadd_type(1, '\x02');
  schema::TxHeader hdr;
  auto ctx = Ctx(sid_);
  auto w = stub_->streamExecAll(ctx.get(), &hdr);
  ASSERT_TRUE(SendAll(w.get(), {kv_type, "e1", big, zadd_type, z.SerializeAsString(), kv_type,
                                "e2", "small"}));
  grpc::Status st = w->Finish();
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(hdr.id(), 2u);
  EXPECT_EQ(hdr.nentries(), 3);

  // The same ops through the unary ExecAll give a tx with the same entries (keys and values).
  schema::ExecAllRequest ex;
  auto* o1 = ex.add_operations()->mutable_kv();
  o1->set_key("e1");
  o1->set_value(big);
  *ex.add_operations()->mutable_zadd() = z;
  auto* o2 = ex.add_operations()->mutable_kv();
  o2->set_key("e2");
  o2->set_value("small");
  schema::TxHeader uhdr;
  auto c2 = Ctx(sid_);
  ASSERT_TRUE(stub_->ExecAll(c2.get(), ex, &uhdr).ok());
  EXPECT_EQ(uhdr.nentries(), hdr.nentries());
  schema::Tx t2, t3;
  schema::TxRequest r2, r3;
  r2.set_tx(2);
  r3.set_tx(3);
  auto c3 = Ctx(sid_), c4 = Ctx(sid_);
  ASSERT_TRUE(stub_->TxById(c3.get(), r2, &t2).ok());
  ASSERT_TRUE(stub_->TxById(c4.get(), r3, &t3).ok());
  ASSERT_EQ(t2.entries_size(), t3.entries_size());
  for (int i = 0; i < t2.entries_size(); ++i) {
    EXPECT_EQ(t2.entries(i).key(), t3.entries(i).key());
    EXPECT_EQ(t2.entries(i).hvalue(), t3.entries(i).hvalue());
    EXPECT_EQ(t2.entries(i).vlen(), t3.entries(i).vlen());
  }
  EXPECT_TRUE(UnaryGet("e1").value() == big);
  EXPECT_EQ(UnaryGet("e2").value(), "small");
  schema::ZScanRequest zr;
  zr.set_set("s");
  schema::ZEntries ze;
  auto c5 = Ctx(sid_);
  ASSERT_TRUE(stub_->ZScan(c5.get(), zr, &ze).ok());
  EXPECT_EQ(ze.entries_size(), 1);  // the same (set, key, atTx) again replaces, not adds
}

TEST_F(ServerStreamTest, MalformedChunkStreamsAreRefusedAndWriteNothing) {
  schema::TxHeader h;
  ASSERT_TRUE(StreamSet({{"before", "x"}}, &h).ok());
  const uint64_t tx_before = CurrentTx();
  ASSERT_EQ(tx_before, 1u);

  auto framed = [](const std::string& m) { return U64(m.size()) + m; };
  using Stub = schema::ImmuService::Stub;

  struct Case {
    const char* name;
    std::vector<std::string> chunks;
    const char* expect;
  };
  const std::vector<Case> cases = {
      {"truncated length prefix", {std::string("\0\0\0\0\0", 5)}, "length prefix"},
      {"prefix split then cut", {framed("k") + framed("v"), std::string("\0\0\0", 3)},
       "length prefix"},
      {"declared size larger than sent", {U64(100) + "only-ten-b"}, "declared 100 bytes"},
      {"declared size over the limit", {U64(uint64_t{1} << 40) + "x"}, "exceeds the limit"},
      {"declared size smaller than sent", {U64(1) + std::string("kv\0\0", 4)}, "length prefix"},
      {"extra chunk after the last pair", {framed("k"), framed("v"), framed("dangling")},
       "the value of a key"},
      {"big value cut short", {U64(200000) + Pattern(65528, 1), Pattern(65536, 2)},
       "declared 200000 bytes"},
  };
  for (const auto& c : cases) {
    grpc::Status st = SendRawChunks(&Stub::streamSet, c.chunks);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.name;
    EXPECT_NE(st.error_message().find(c.expect), std::string::npos)
        << c.name << ": " << st.error_message();
  }
  // The same framing faults on the other client streams.
  for (const auto& c : cases) {
    std::vector<std::string> chunks = c.chunks;
    if (std::string(c.name) == "extra chunk after the last pair") continue;
    std::vector<std::string> with_since = {framed(U64(0))};
    with_since.insert(with_since.end(), chunks.begin(), chunks.end());
    grpc::Status st = SendRawChunks(&Stub::streamVerifiableSet, with_since);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.name;
  }
  {
    grpc::Status st = SendRawChunks(&Stub::streamVerifiableSet, {framed("1234567")});
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(st.error_message().find("proveSinceTx must be 8 bytes"), std::string::npos);
    st = SendRawChunks(&Stub::streamVerifiableSet, {framed(U64(0)), framed("k")});
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    st = SendRawChunks(&Stub::streamVerifiableSet, {});
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(st.error_message().find("proveSinceTx"), std::string::npos);
  }
  {
    const std::string kv(1, '\x01');
    grpc::Status st = SendRawChunks(&Stub::streamExecAll, {framed(kv), framed("k")});
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(st.error_message().find("the value of a kv operation"), std::string::npos);
    st = SendRawChunks(&Stub::streamExecAll, {framed(std::string(1, '\x09'))});
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(st.error_message().find("unknown operation type 9"), std::string::npos);
    st = SendRawChunks(&Stub::streamExecAll, {framed("\x01\x01")});
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    st = SendRawChunks(&Stub::streamExecAll,
                       {framed(kv), framed("a"), framed("b"), U64(50) + "short"});
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    st = SendRawChunks(&Stub::streamExecAll, {framed(std::string(1, '\x02')), framed("\xff\xff")});
    EXPECT_NE(st.error_code(), grpc::StatusCode::OK);
  }
  // An empty streamSet carries no entries and is refused by the database like an empty Set.
  {
    grpc::Status st = SendRawChunks(&Stub::streamSet, {});
    EXPECT_FALSE(st.ok());
  }
  EXPECT_EQ(CurrentTx(), tx_before);
  EXPECT_EQ(UnaryGet("before").value(), "x");
  schema::KeyRequest kr;
  kr.set_key("k");
  schema::Entry e;
  auto c = Ctx(sid_);
  EXPECT_FALSE(stub_->Get(c.get(), kr, &e).ok());
}

TEST_F(ServerStreamTest, ShutdownLetsACallInFlightCommitAndAnswer) {
  // A streamSet whose client has not finished sending is in flight when the server is told
  // to stop; the stop waits for it (within the grace), the commit is answered and durable.
  const std::string big = Pattern(300 * 1024, 21);
  schema::TxHeader hdr;
  auto ctx = Ctx(sid_);
  auto w = stub_->streamSet(ctx.get(), &hdr);
  ChunkWriter cw([&](const schema::Chunk& c) { return w->Write(c); });
  ASSERT_TRUE(cw.Write(std::string("inflight")).ok());
  ASSERT_TRUE(cw.Write(big).ok());
  // A write returns once gRPC has queued the message, maybe before the server has handed the
  // call to a handler (a call not yet dispatched when the stop begins is cancelled). Wait
  // until the handler runs: its open-stream slot is taken.
  for (int i = 0; i < 200 && server_->OpenStreams() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GT(server_->OpenStreams(), 0) << "the streamSet never reached its handler";
  std::thread stopper([&] { server_->Shutdown(std::chrono::seconds(10)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  w->WritesDone();
  grpc::Status st = w->Finish();
  stopper.join();
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(hdr.id(), 1u);
  server_.reset();

  StartServer(TestOptions(dir_ + "/data"));
  EXPECT_TRUE(UnaryGet("inflight").value() == big);
}

TEST_F(ServerStreamTest, StreamsNeedASessionOrToken) {
  schema::KeyRequest req;
  req.set_key("k");
  auto ctx = Ctx();
  auto r = stub_->streamGet(ctx.get(), req);
  schema::Chunk chunk;
  EXPECT_FALSE(r->Read(&chunk));
  grpc::Status st = r->Finish();
  EXPECT_FALSE(st.ok());
  schema::TxHeader h;
  auto c2 = Ctx();
  auto w = stub_->streamSet(c2.get(), &h);
  SendAll(w.get(), {"k", "v"});
  EXPECT_FALSE(w->Finish().ok());
  EXPECT_EQ(CurrentTx(), 0u);
}

}  // namespace
}  // namespace immudb::server::testing

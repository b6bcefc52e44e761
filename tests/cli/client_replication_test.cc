// exportTx / replicateTx through gRPC (ImmuClient against an in-process server on 127.0.0.1):
// a database copied tx by tx ends with the same state; the server itself refuses altered
// bytes, gaps and repeats naming the tx (no client-side check involved); both RPCs need admin
// permission; odd chunkings of the framed message are reassembled; streamExportTx answers each
// request on one stream.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "client/immu_client.h"
#include "server/immu_server.h"

namespace immudb::client {
namespace {

class ClientReplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;  // test folder naming only
    dir_ = std::filesystem::temp_directory_path() / ("immudb-repl-test-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_ / "data");
    std::filesystem::create_directories(dir_ / "state");
    server::ServerOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.dir = (dir_ / "data").string();
    o.grpc_reflection = false;
    auto s = server::ImmuServer::Start(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<ImmuClient> Client(const std::string& user, const std::string& pw,
                                     const std::string& db) {
    ClientOptions o;
    o.port = server_->port();
    o.state_dir = (dir_ / "state").string();
    auto c = ImmuClient::Create(o);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (!c.ok()) return nullptr;
    Status st = (*c)->OpenSession(user, pw, db);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return std::move(*c);
  }

  std::filesystem::path dir_;
  std::unique_ptr<server::ImmuServer> server_;
};

TEST_F(ClientReplicationTest, CopiesADatabaseAndRefusesBadTxs) {
  auto src = Client("immudb", "immudb", "defaultdb");
  ASSERT_TRUE(src->Set("a", "1").ok());
  ASSERT_TRUE(src->Set("b", "two").ok());
  ASSERT_TRUE(src->SetReference("ra", "a").ok());
  ASSERT_TRUE(src->ZAdd("s", 1.0, "b").ok());
  ASSERT_TRUE(src->Delete({"a"}).ok());
  ASSERT_TRUE(src->CreateDatabase("copy", {}).ok());
  auto dst = Client("immudb", "immudb", "copy");

  // Altered bytes: "two" -> "twp" inside tx 2's value. The server re-hashes the entries.
  auto t2 = src->ExportTx(2);
  ASSERT_TRUE(t2.ok()) << t2.status().ToString();
  Bytes bad = *t2;
  auto pos = std::search(bad.begin(), bad.end(), std::begin("two"), std::end("two") - 1);
  ASSERT_NE(pos, bad.end());
  pos[2] = 'p';
  ASSERT_TRUE(dst->ReplicateTx(*src->ExportTx(1)).ok());
  auto r = dst->ReplicateTx(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("tx 2: entries do not hash"), std::string::npos)
      << r.status().ToString();
  // A gap and a repeat.
  r = dst->ReplicateTx(*src->ExportTx(3));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("tx 3 does not follow"), std::string::npos)
      << r.status().ToString();
  r = dst->ReplicateTx(*src->ExportTx(1));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("already committed"), std::string::npos);
  // A message that is not one framed tx.
  r = dst->ReplicateTx(ByteView(*t2).first(t2->size() - 3));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(dst->CurrentState()->txid(), 1u);

  // The rest, in odd chunk sizes (the framed message spans chunks).
  size_t chunk = 3;
  auto last = src->CurrentState();
  ASSERT_TRUE(last.ok());
  for (uint64_t i = 2; i <= last->txid(); ++i) {
    auto bytes = src->ExportTx(i);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    auto h = dst->ReplicateTx(*bytes, chunk);
    ASSERT_TRUE(h.ok()) << "tx " << i << ": " << h.status().ToString();
    EXPECT_EQ(h->id(), i);
    auto orig = src->TxById(i);
    ASSERT_TRUE(orig.ok());
    EXPECT_EQ(orig->header().SerializeAsString(), h->SerializeAsString());
    chunk = chunk * 7 + 1;
  }
  auto copied = dst->CurrentState();
  ASSERT_TRUE(copied.ok());
  EXPECT_EQ(copied->txid(), last->txid());
  EXPECT_EQ(copied->txhash(), last->txhash());
  // Reads on the copy: live keys, the deleted one, a verified tx.
  auto ra = dst->Get("b");
  ASSERT_TRUE(ra.ok());
  EXPECT_EQ(ra->value(), "two");
  EXPECT_FALSE(dst->Get("a").ok());
  auto vtx = dst->VerifiedTxById(last->txid());
  EXPECT_TRUE(vtx.ok()) << vtx.status().ToString();

  // Bad requests.
  auto none = src->ExportTx(0);
  EXPECT_EQ(none.status().code(), Code::kInvalidArgument) << none.status().ToString();
  auto missing = src->ExportTx(999);
  EXPECT_EQ(missing.status().code(), Code::kNotFound) << missing.status().ToString();
}

// streamExportTx: one bidirectional stream, one framed message per request, each the same
// bytes exportTx sends; the first chunk of each carries committed-txid-bin.
TEST_F(ClientReplicationTest, StreamExportTxAnswersEachRequest) {
  auto admin = Client("immudb", "immudb", "defaultdb");
  ASSERT_TRUE(admin->Set("k", "v1").ok());
  ASSERT_TRUE(admin->Set("k", "v2").ok());
  Bytes want;
  for (uint64_t i : {1, 2}) {
    auto b = admin->ExportTx(i);
    ASSERT_TRUE(b.ok());
    want.insert(want.end(), b->begin(), b->end());
  }
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = schema::ImmuService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.AddMetadata("sessionid", admin->session_id());
  auto stream = stub->streamExportTx(&ctx);
  schema::ExportTxRequest req;
  for (uint64_t i : {1, 2}) {
    req.set_tx(i);
    ASSERT_TRUE(stream->Write(req));
  }
  stream->WritesDone();
  Bytes got;
  int with_md = 0;
  schema::Chunk chunk;
  while (stream->Read(&chunk)) {
    got.insert(got.end(), chunk.content().begin(), chunk.content().end());
    auto it = chunk.metadata().find("committed-txid-bin");
    if (it != chunk.metadata().end()) {
      ++with_md;
      ASSERT_EQ(it->second.size(), 8u);
      EXPECT_EQ(GetU64(reinterpret_cast<const uint8_t*>(it->second.data())), 2u);
    }
  }
  grpc::Status st = stream->Finish();
  EXPECT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(got, want);
  EXPECT_EQ(with_md, 2);
}

TEST_F(ClientReplicationTest, NeedsAdminPermission) {
  auto admin = Client("immudb", "immudb", "defaultdb");
  ASSERT_TRUE(admin->Set("k", "v").ok());
  ASSERT_TRUE(admin->CreateUser("reader", "Secret1!pw", 2 /* readwrite */, "defaultdb").ok());
  auto rw = Client("reader", "Secret1!pw", "defaultdb");
  auto exp = rw->ExportTx(1);
  EXPECT_EQ(exp.status().code(), Code::kPermissionDenied) << exp.status().ToString();
  auto bytes = admin->ExportTx(1);
  ASSERT_TRUE(bytes.ok());
  auto rep = rw->ReplicateTx(*bytes);
  EXPECT_EQ(rep.status().code(), Code::kPermissionDenied) << rep.status().ToString();
}

}  // namespace
}  // namespace immudb::client

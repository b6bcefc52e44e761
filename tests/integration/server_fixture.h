// Test helpers: a real ImmuServer on 127.0.0.1 with an ephemeral port and a temporary data
// folder, and a gRPC stub talking to it.
#pragma once

#include <grpcpp/grpcpp.h>
#include <unistd.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "crypto/ecdsa.h"
#include "crypto/x509.h"
#include "schema.grpc.pb.h"
#include "server/immu_server.h"

namespace immudb::server::testing {

inline std::string MakeTempDir(const std::string& tag) {
  std::random_device rd;  // test-only folder naming, not security
  auto dir = std::filesystem::temp_directory_path() /
             ("immudb-server-" + tag + "-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

// IMMUDB_TEST_TLS=1 (set by the *_tls_fips registrations in tests/tls): every server from
// TestOptions listens with TLS, using one self-signed P-256 certificate per test process, and
// StubFor connects with TLS trusting exactly that certificate.
inline bool TestTlsEnabled() {
  const char* v = std::getenv("IMMUDB_TEST_TLS");
  return v != nullptr && std::string(v) == "1";
}
struct TestTlsFiles {
  std::string dir, cert_file, key_file, cert_pem;
  ~TestTlsFiles() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};
inline const TestTlsFiles& TestTls() {
  static const TestTlsFiles files = [] {
    TestTlsFiles f;
    auto pair = crypto::GenerateSelfSignedCert();
    EXPECT_TRUE(pair.ok()) << pair.status().ToString();
    if (!pair.ok()) return f;
    auto dir = std::filesystem::temp_directory_path() /
               ("immudb-test-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    f.dir = dir.string();
    f.cert_file = (dir / "cert.pem").string();
    f.key_file = (dir / "key.pem").string();
    f.cert_pem = pair->cert_pem;
    std::ofstream(f.cert_file) << pair->cert_pem;
    std::ofstream(f.key_file) << pair->key_pem;
    return f;
  }();
  return files;
}

inline ServerOptions TestOptions(const std::string& dir) {
  ServerOptions o;
  o.address = "127.0.0.1";
  o.port = 0;
  o.dir = dir;
  o.grpc_reflection = false;
  if (TestTlsEnabled()) {
    o.certificate = TestTls().cert_file;
    o.pkey = TestTls().key_file;
  }
  return o;
}

inline std::unique_ptr<schema::ImmuService::Stub> StubFor(int port) {
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (TestTlsEnabled()) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = TestTls().cert_pem;
    creds = grpc::SslCredentials(ssl);
  }
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), creds);
  return schema::ImmuService::NewStub(channel);
}

// A client context carrying a session id or a bearer token, with a 10 s deadline.
inline std::unique_ptr<grpc::ClientContext> Ctx(const std::string& session_id = "",
                                                const std::string& token = "") {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!session_id.empty()) ctx->AddMetadata("sessionid", session_id);
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

// Opens a session as `user` on `db` and expects it to succeed; returns its id (empty if
// refused).
inline std::string OpenTestSession(schema::ImmuService::Stub* stub,
                                   const std::string& db = "defaultdb",
                                   const std::string& user = "immudb",
                                   const std::string& password = "immudb") {
  schema::OpenSessionRequest req;
  req.set_username(user);
  req.set_password(password);
  req.set_databasename(db);
  schema::OpenSessionResponse resp;
  auto ctx = Ctx();
  grpc::Status st = stub->OpenSession(ctx.get(), req, &resp);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return resp.sessionid();
}

// A real server (signing key, unsynced) on a temporary folder, a stub to it and an open
// session on defaultdb; `tag` names the folder.
class SignedServerTest : public ::testing::Test {
 protected:
  explicit SignedServerTest(std::string tag) : tag_(std::move(tag)) {}
  void SetUp() override {
    dir_ = MakeTempDir(tag_);
    auto key = crypto::EcdsaPrivateKey::Generate();
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    ASSERT_TRUE(key->ToPemFile(dir_ + "/signing.key").ok());
    public_key_.emplace(key->PublicKey());
    ServerOptions o = TestOptions(dir_ + "/data");
    o.signing_key = dir_ + "/signing.key";
    o.synced = false;
    StartServer(o);
  }
  // (Re)starts the server with `o`, a stub to it and a session on defaultdb.
  void StartServer(const ServerOptions& o) {
    auto s = ImmuServer::Start(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    stub_ = StubFor(server_->port());
    sid_ = OpenTestSession(stub_.get());
    ASSERT_FALSE(sid_.empty());
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string tag_;
  std::string dir_;
  std::optional<crypto::EcdsaPublicKey> public_key_;
  std::unique_ptr<ImmuServer> server_;
  std::unique_ptr<schema::ImmuService::Stub> stub_;
  std::string sid_;
};

}  // namespace immudb::server::testing

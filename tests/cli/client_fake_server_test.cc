// ImmuClient against a scripted fake ImmuService on 127.0.0.1: the legacy token fallback when
// the server has no sessions (Login, then UseDatabase replacing the token, then
// `authorization: Bearer <token>` on every call), the immudb-uuid header, and error mapping.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <random>

#include "client/immu_client.h"
#include "schema.grpc.pb.h"

namespace immudb::client {
namespace {

constexpr char kUuid[] = "fakeuuid0000000000aa";

std::string Bearer(grpc::ServerContext* ctx) {
  auto it = ctx->client_metadata().find("authorization");
  if (it == ctx->client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

// A server without sessions that only knows legacy tokens.
class LegacyService final : public schema::ImmuService::Service {
 public:
  grpc::Status OpenSession(grpc::ServerContext*, const schema::OpenSessionRequest*,
                           schema::OpenSessionResponse*) override {
    return {grpc::StatusCode::UNIMPLEMENTED, "sessions are not supported"};
  }
  grpc::Status Login(grpc::ServerContext* ctx, const schema::LoginRequest* req,
                     schema::LoginResponse* resp) override {
    ctx->AddInitialMetadata("immudb-uuid", kUuid);
    if (req->user() != "immudb" || req->password() != "immudb") {
      return {grpc::StatusCode::UNKNOWN, "invalid user name or password"};
    }
    resp->set_token("tok-login");
    return grpc::Status::OK;
  }
  grpc::Status UseDatabase(grpc::ServerContext* ctx, const schema::Database* req,
                           schema::UseDatabaseReply* resp) override {
    ctx->AddInitialMetadata("immudb-uuid", kUuid);
    if (Bearer(ctx) != "Bearer tok-login") return {grpc::StatusCode::PERMISSION_DENIED, "bad token"};
    resp->set_token("tok-" + req->databasename());
    return grpc::Status::OK;
  }
  grpc::Status Get(grpc::ServerContext* ctx, const schema::KeyRequest* req,
                   schema::Entry* resp) override {
    ctx->AddInitialMetadata("immudb-uuid", kUuid);
    {
      std::lock_guard<std::mutex> l(mu_);
      last_auth_ = Bearer(ctx);
    }
    if (Bearer(ctx) != "Bearer tok-mydb") {
      return {grpc::StatusCode::UNKNOWN, "please select a database first"};
    }
    if (req->key() != "k") return {grpc::StatusCode::UNKNOWN, "tbtree: key not found"};
    resp->set_tx(7);
    resp->set_key("k");
    resp->set_value("v");
    return grpc::Status::OK;
  }
  grpc::Status Health(grpc::ServerContext* ctx, const google::protobuf::Empty*,
                      schema::HealthResponse* resp) override {
    ctx->AddInitialMetadata("immudb-uuid", kUuid);
    resp->set_status(true);
    resp->set_version("fake");
    return grpc::Status::OK;
  }
  std::string last_auth() {
    std::lock_guard<std::mutex> l(mu_);
    return last_auth_;
  }

 private:
  std::mutex mu_;
  std::string last_auth_;
};

class FakeServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    b.RegisterService(&service_);
    server_ = b.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
    std::random_device rd;  // test folder naming only
    dir_ = std::filesystem::temp_directory_path() / ("immudb-fake-" + std::to_string(rd()));
  }
  void TearDown() override {
    server_->Shutdown();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<ImmuClient> Client() {
    ClientOptions o;
    o.port = port_;
    o.state_dir = dir_.string();
    auto c = ImmuClient::Create(o);
    EXPECT_TRUE(c.ok());
    return std::move(*c);
  }

  LegacyService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::filesystem::path dir_;
};

TEST_F(FakeServerTest, FallsBackToTokensWithoutSessions) {
  auto c = Client();
  Status st = c->OpenSession("immudb", "immudb", "mydb");
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_FALSE(c->has_session());
  EXPECT_EQ(c->token(), "tok-mydb");  // UseDatabase replaced the login token
  EXPECT_EQ(c->database(), "mydb");
  EXPECT_EQ(c->server_uuid(), kUuid);
  auto e = c->Get("k");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->value(), "v");
  EXPECT_EQ(service_.last_auth(), "Bearer tok-mydb");
}

TEST_F(FakeServerTest, ErrorsKeepTheServerMessage) {
  auto c = Client();
  EXPECT_EQ(c->OpenSession("immudb", "wrong", "mydb").message(), "invalid user name or password");
  ASSERT_TRUE(c->OpenSession("immudb", "immudb", "mydb").ok());
  auto missing = c->Get("other");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "tbtree: key not found");
  c->SetToken("tok-login", "defaultdb");
  EXPECT_EQ(c->Get("k").status().message(), "please select a database first");
  // An unreachable server is Unavailable, not a crash or a hang.
  ClientOptions o;
  o.port = 1;
  o.state_dir = dir_.string();
  o.call_timeout = std::chrono::milliseconds(2000);
  auto dead = ImmuClient::Create(o);
  ASSERT_TRUE(dead.ok());
  EXPECT_EQ((*dead)->Health().status().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace immudb::client

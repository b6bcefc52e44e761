// The real server over gRPC on 127.0.0.1: health, server info, sessions, legacy login,
// users and permissions, UNIMPLEMENTED answers, restart persistence.
#include <gtest/gtest.h>

#include <thread>

#include "crypto/module.h"
#include "server_fixture.h"

namespace immudb::server::testing {
namespace {

using google::protobuf::Empty;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("session");
    Start(TestOptions(dir_));
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Start(const ServerOptions& options) {
    auto s = ImmuServer::Start(options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    stub_ = StubFor(server_->port());
  }
  void Restart() {
    server_->Shutdown();
    server_->Wait();
    server_.reset();
    Start(TestOptions(dir_));
  }

  // Opens a session, asserting success; returns its id.
  std::string Open(const std::string& user, const std::string& password,
                   const std::string& db = "defaultdb") {
    return OpenTestSession(stub_.get(), db, user, password);
  }

  grpc::Status CreateUser(const std::string& sid, const std::string& user,
                          const std::string& password, uint32_t permission,
                          const std::string& db = "defaultdb") {
    schema::CreateUserRequest req;
    req.set_user(user);
    req.set_password(password);
    req.set_permission(permission);
    req.set_database(db);
    Empty resp;
    auto ctx = Ctx(sid);
    return stub_->CreateUser(ctx.get(), req, &resp);
  }

  grpc::Status KeepAlive(const std::string& sid) {
    Empty req, resp;
    auto ctx = Ctx(sid);
    return stub_->KeepAlive(ctx.get(), req, &resp);
  }

  std::string dir_;
  std::unique_ptr<ImmuServer> server_;
  std::unique_ptr<schema::ImmuService::Stub> stub_;
};

TEST_F(ServerTest, HealthNeedsNoCredentialsAndCarriesTheServerUuidHeader) {
  Empty req;
  schema::HealthResponse resp;
  auto ctx = Ctx();
  ASSERT_TRUE(stub_->Health(ctx.get(), req, &resp).ok());
  EXPECT_TRUE(resp.status());
  EXPECT_EQ(resp.version(), ServerVersion());
  const auto& md = ctx->GetServerInitialMetadata();
  auto it = md.find("immudb-uuid");
  ASSERT_NE(it, md.end());
  std::string uuid(it->second.data(), it->second.size());
  EXPECT_EQ(uuid, server_->server_uuid());
  EXPECT_EQ(uuid.size(), 20u);
  EXPECT_EQ(uuid.find_first_not_of("0123456789abcdefghijklmnopqrstuv"), std::string::npos);
  // The crypto module in use, read from the running library.
  auto module = md.find("immudb-crypto-module");
  ASSERT_NE(module, md.end());
  std::string text(module->second.data(), module->second.size());
  EXPECT_EQ(text, crypto::DescribeModule(crypto::CurrentModule()));
  EXPECT_NE(text.find(std::string("mode=") + crypto::FipsModeName(crypto::CurrentModule().mode)),
            std::string::npos);
}

TEST_F(ServerTest, ServerInfoReportsVersionAndStartTime) {
  schema::ServerInfoRequest req;
  schema::ServerInfoResponse resp;
  auto ctx = Ctx();
  ASSERT_TRUE(stub_->ServerInfo(ctx.get(), req, &resp).ok());
  EXPECT_EQ(resp.version(), ServerVersion());
  EXPECT_GT(resp.startedat(), 1700000000);
  EXPECT_EQ(resp.numdatabases(), 1);
}

TEST_F(ServerTest, SessionLifecycle) {
  schema::OpenSessionRequest req;
  req.set_username("immudb");
  req.set_password("immudb");
  req.set_databasename("defaultdb");
  schema::OpenSessionResponse resp;
  auto ctx = Ctx();
  ASSERT_TRUE(stub_->OpenSession(ctx.get(), req, &resp).ok());
  EXPECT_EQ(resp.serveruuid(), server_->server_uuid());
  EXPECT_EQ(resp.sessionid().size(), 44u);  // 32 bytes, base64url with padding
  EXPECT_EQ(resp.sessionid().back(), '=');
  EXPECT_EQ(resp.sessionid().find_first_of("+/"), std::string::npos);

  EXPECT_TRUE(KeepAlive(resp.sessionid()).ok());
  Empty e, out;
  auto close_ctx = Ctx(resp.sessionid());
  ASSERT_TRUE(stub_->CloseSession(close_ctx.get(), e, &out).ok());
  grpc::Status after = KeepAlive(resp.sessionid());
  EXPECT_EQ(after.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(after.error_message(), "session not found");
  EXPECT_EQ(KeepAlive("").error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(ServerTest, WrongCredentialsAreRefusedWithImmudbsMessage) {
  for (auto [user, password] : {std::pair{"immudb", "wrong"}, std::pair{"nobody", "immudb"}}) {
    schema::OpenSessionRequest req;
    req.set_username(user);
    req.set_password(password);
    schema::OpenSessionResponse resp;
    auto ctx = Ctx();
    grpc::Status st = stub_->OpenSession(ctx.get(), req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNKNOWN) << user;
    EXPECT_EQ(st.error_message(), "invalid user name or password");
    EXPECT_TRUE(resp.sessionid().empty());
  }
  schema::LoginRequest login;
  login.set_user("immudb");
  login.set_password("nope");
  schema::LoginResponse lr;
  auto ctx = Ctx();
  EXPECT_EQ(stub_->Login(ctx.get(), login, &lr).error_message(), "invalid user name or password");
}

TEST_F(ServerTest, LegacyLoginWarnsAboutTheDefaultPasswordAndTokenWorksUntilLogout) {
  schema::LoginRequest login;
  login.set_user("immudb");
  login.set_password("immudb");
  schema::LoginResponse lr;
  auto ctx = Ctx();
  ASSERT_TRUE(stub_->Login(ctx.get(), login, &lr).ok());
  EXPECT_EQ(lr.warning(), kDefaultPasswordWarning);
  ASSERT_FALSE(lr.token().empty());

  Empty e;
  schema::UserList users;
  auto list_ctx = Ctx("", lr.token());
  ASSERT_TRUE(stub_->ListUsers(list_ctx.get(), e, &users).ok());
  ASSERT_EQ(users.users_size(), 1);
  EXPECT_EQ(users.users(0).user(), "immudb");

  Empty out;
  auto logout_ctx = Ctx("", lr.token());
  ASSERT_TRUE(stub_->Logout(logout_ctx.get(), e, &out).ok());
  auto again = Ctx("", lr.token());
  EXPECT_EQ(stub_->ListUsers(again.get(), e, &users).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  auto none = Ctx();
  EXPECT_EQ(stub_->ListUsers(none.get(), e, &users).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(ServerTest, LogoutEndsEveryTokenOfTheUserButNotOtherUsersOrSessions) {
  std::string admin = Open("immudb", "immudb");
  ASSERT_TRUE(CreateUser(admin, "alice", "Alice123!", kPermissionRead).ok());
  auto login = [&](const std::string& user, const std::string& password) {
    schema::LoginRequest req;
    req.set_user(user);
    req.set_password(password);
    schema::LoginResponse resp;
    auto ctx = Ctx();
    EXPECT_TRUE(stub_->Login(ctx.get(), req, &resp).ok());
    return resp.token();
  };
  const std::string a = login("immudb", "immudb");
  const std::string b = login("immudb", "immudb");
  const std::string c = login("alice", "Alice123!");
  // A token from UseDatabase belongs to the same user and ends too.
  schema::Database db;
  db.set_databasename("defaultdb");
  schema::UseDatabaseReply used;
  auto uctx = Ctx("", b);
  ASSERT_TRUE(stub_->UseDatabase(uctx.get(), db, &used).ok());
  const std::string b2 = used.token().empty() ? b : used.token();

  Empty e, out;
  schema::UserList users;
  auto list = [&](const std::string& sid, const std::string& token) {
    auto ctx = Ctx(sid, token);
    return stub_->ListUsers(ctx.get(), e, &users).error_code();
  };
  for (const auto& t : {a, b, b2, c}) ASSERT_EQ(list("", t), grpc::StatusCode::OK);

  auto lctx = Ctx("", a);
  ASSERT_TRUE(stub_->Logout(lctx.get(), e, &out).ok());
  for (const auto& t : {a, b, b2}) EXPECT_EQ(list("", t), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(list("", c), grpc::StatusCode::OK);       // another user keeps its token
  EXPECT_EQ(list(admin, ""), grpc::StatusCode::OK);   // sessions are not tokens
  // Logging out again with a dead token is refused; a new login works.
  auto again = Ctx("", b);
  EXPECT_EQ(stub_->Logout(again.get(), e, &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(list("", login("immudb", "immudb")), grpc::StatusCode::OK);
}

TEST_F(ServerTest, PermissionsOnUserManagementAndDataCalls) {
  std::string admin = Open("immudb", "immudb");
  // Password policy is enforced.
  grpc::Status weak = CreateUser(admin, "alice", "short", kPermissionRead);
  EXPECT_EQ(weak.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(CreateUser(admin, "alice", "Alice123!", kPermissionRead).ok());
  ASSERT_TRUE(CreateUser(admin, "bob", "Bob12345!", kPermissionReadWrite).ok());
  EXPECT_EQ(CreateUser(admin, "bob", "Bob12345!", kPermissionRead).error_message(),
            "user already exists");
  EXPECT_EQ(CreateUser(admin, "root2", "Root1234!", kPermissionSysAdmin).error_message(),
            "can not create another system admin");
  EXPECT_EQ(CreateUser(admin, "carol", "Carol123!", kPermissionRead, "nosuchdb").error_message(),
            "database nosuchdb does not exist");

  std::string alice = Open("alice", "Alice123!");
  std::string bob = Open("bob", "Bob12345!");
  // A read-only user may not create users, and sees only itself.
  EXPECT_EQ(CreateUser(alice, "dave", "Dave1234!", kPermissionRead).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  Empty e;
  schema::UserList list;
  auto lc = Ctx(alice);
  ASSERT_TRUE(stub_->ListUsers(lc.get(), e, &list).ok());
  ASSERT_EQ(list.users_size(), 1);
  EXPECT_EQ(list.users(0).user(), "alice");
  schema::UserList all;
  auto ac = Ctx(admin);
  ASSERT_TRUE(stub_->ListUsers(ac.get(), e, &all).ok());
  EXPECT_EQ(all.users_size(), 3);

  // Data calls: the permission check runs before the database.
  schema::SetRequest set;
  auto* kv = set.add_kvs();
  kv->set_key("k");
  kv->set_value("v");
  schema::TxHeader hdr;
  auto sc_alice = Ctx(alice);
  EXPECT_EQ(stub_->Set(sc_alice.get(), set, &hdr).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  auto sc_bob = Ctx(bob);
  grpc::Status bob_set = stub_->Set(sc_bob.get(), set, &hdr);
  ASSERT_TRUE(bob_set.ok()) << bob_set.error_message();
  EXPECT_EQ(hdr.id(), 1u);
  schema::KeyRequest get;
  get.set_key("k");
  schema::Entry entry;
  auto gc_alice = Ctx(alice);
  ASSERT_TRUE(stub_->Get(gc_alice.get(), get, &entry).ok());
  EXPECT_EQ(entry.value(), "v");
  auto gc_none = Ctx();
  EXPECT_EQ(stub_->Get(gc_none.get(), get, &entry).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // Granting RW to alice ends her sessions; a new session can write.
  schema::ChangePermissionRequest grant;
  grant.set_action(schema::GRANT);
  grant.set_username("alice");
  grant.set_database("defaultdb");
  grant.set_permission(kPermissionReadWrite);
  auto bc = Ctx(bob);
  EXPECT_EQ(stub_->ChangePermission(bc.get(), grant, &e).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  auto gc = Ctx(admin);
  ASSERT_TRUE(stub_->ChangePermission(gc.get(), grant, &e).ok());
  EXPECT_EQ(KeepAlive(alice).error_message(), "session not found");
  std::string alice2 = Open("alice", "Alice123!");
  auto sc_alice2 = Ctx(alice2);
  EXPECT_TRUE(stub_->Set(sc_alice2.get(), set, &hdr).ok());
  EXPECT_EQ(hdr.id(), 2u);

  // Deactivation ends sessions and blocks new ones.
  schema::SetActiveUserRequest deactivate;
  deactivate.set_username("bob");
  deactivate.set_active(false);
  auto dc = Ctx(admin);
  ASSERT_TRUE(stub_->SetActiveUser(dc.get(), deactivate, &e).ok());
  EXPECT_EQ(KeepAlive(bob).error_message(), "session not found");
  schema::OpenSessionRequest reopen;
  reopen.set_username("bob");
  reopen.set_password("Bob12345!");
  schema::OpenSessionResponse resp;
  auto oc = Ctx();
  EXPECT_EQ(stub_->OpenSession(oc.get(), reopen, &resp).error_message(), "user is not active");
}

TEST_F(ServerTest, ChangePasswordNeedsTheOldOneAndEndsSessions) {
  std::string admin = Open("immudb", "immudb");
  schema::ChangePasswordRequest req;
  req.set_user("immudb");
  req.set_oldpassword("not-it");
  req.set_newpassword("Secret123!");
  Empty e;
  auto c1 = Ctx(admin);
  grpc::Status bad = stub_->ChangePassword(c1.get(), req, &e);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(bad.error_message(), "old password is incorrect");
  req.set_oldpassword("immudb");
  auto c2 = Ctx(admin);
  ASSERT_TRUE(stub_->ChangePassword(c2.get(), req, &e).ok());
  EXPECT_EQ(KeepAlive(admin).error_message(), "session not found");

  schema::LoginRequest login;
  login.set_user("immudb");
  login.set_password("Secret123!");
  schema::LoginResponse lr;
  auto lc = Ctx();
  ASSERT_TRUE(stub_->Login(lc.get(), login, &lr).ok());
  EXPECT_TRUE(lr.warning().empty());
}

TEST_F(ServerTest, UsersAndServerIdSurviveARestart) {
  std::string admin = Open("immudb", "immudb");
  ASSERT_TRUE(CreateUser(admin, "erin", "Erin1234!", kPermissionReadWrite).ok());
  const std::string uuid = server_->server_uuid();
  Restart();
  EXPECT_EQ(server_->server_uuid(), uuid);
  EXPECT_EQ(KeepAlive(admin).error_message(), "session not found");  // sessions are in memory
  std::string erin = Open("erin", "Erin1234!");
  EXPECT_FALSE(erin.empty());
  EXPECT_TRUE(KeepAlive(erin).ok());
}

TEST_F(ServerTest, UnimplementedFeaturesNameThemselves) {
  std::string admin = Open("immudb", "immudb");
  schema::SQLExecRequest sql;
  sql.set_sql("SELECT 1");
  schema::SQLExecResult sql_resp;
  auto c1 = Ctx(admin);
  grpc::Status st = stub_->SQLExec(c1.get(), sql, &sql_resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_NE(st.error_message().find("SQL"), std::string::npos);

  // exportTx / replicateTx exist now (tests/cli/backup_restore_test.sh); truncation does not.
  schema::TruncateDatabaseRequest trunc;
  trunc.set_database("defaultdb");
  schema::TruncateDatabaseResponse trunc_resp;
  auto c2 = Ctx(admin);
  grpc::Status rs = stub_->TruncateDatabase(c2.get(), trunc, &trunc_resp);
  EXPECT_EQ(rs.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_NE(rs.error_message().find("truncation"), std::string::npos);
}

TEST(ServerSessionsExpiry, IdleSessionsAreClosedAfterTheTimeout) {
  std::string dir = MakeTempDir("expiry");
  ServerOptions o = TestOptions(dir);
  o.session_timeout = std::chrono::milliseconds(300);
  o.max_session_inactivity_time = std::chrono::milliseconds(100);
  o.sessions_guard_check_interval = std::chrono::milliseconds(50);
  auto s = ImmuServer::Start(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto stub = StubFor((*s)->port());
  schema::OpenSessionRequest req;
  req.set_username("immudb");
  req.set_password("immudb");
  schema::OpenSessionResponse busy, idle;
  auto c1 = Ctx(), c2 = Ctx();
  // Password checks take a while (PBKDF2): open the idle one first so the busy one is fresh.
  ASSERT_TRUE(stub->OpenSession(c2.get(), req, &idle).ok());
  ASSERT_TRUE(stub->OpenSession(c1.get(), req, &busy).ok());
  Empty e, out;
  // Keep one session busy for ~1.2 s while the other stays idle.
  for (int i = 0; i < 12; ++i) {
    auto k = Ctx(busy.sessionid());
    ASSERT_TRUE(stub->KeepAlive(k.get(), e, &out).ok()) << "iteration " << i;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto k = Ctx(idle.sessionid());
  grpc::Status st = stub->KeepAlive(k.get(), e, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(st.error_message(), "session not found");
  EXPECT_EQ((*s)->sessions().SessionCount(), 1u);
  s->reset();
  std::filesystem::remove_all(dir);
}

TEST(ServerLimits, MessagesAboveMaxRecvMsgSizeAreRefused) {
  std::string dir = MakeTempDir("maxrecv");
  ServerOptions o = TestOptions(dir);
  o.max_recv_msg_size = 2048;
  auto s = ImmuServer::Start(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto stub = StubFor((*s)->port());
  schema::SetRequest set;
  set.add_kvs()->set_key("big");
  set.mutable_kvs(0)->set_value(std::string(4096, 'x'));
  schema::TxHeader hdr;
  auto c1 = Ctx();
  EXPECT_EQ(stub->Set(c1.get(), set, &hdr).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // A small message still gets through (and fails only for lack of credentials).
  set.mutable_kvs(0)->set_value("small");
  auto c2 = Ctx();
  EXPECT_EQ(stub->Set(c2.get(), set, &hdr).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  s->reset();
  std::filesystem::remove_all(dir);
}

TEST(ServerSessionsLimit, MaxSessionsIsEnforced) {
  std::string dir = MakeTempDir("maxsess");
  ServerOptions o = TestOptions(dir);
  o.max_sessions = 2;
  auto s = ImmuServer::Start(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto stub = StubFor((*s)->port());
  schema::OpenSessionRequest req;
  req.set_username("immudb");
  req.set_password("immudb");
  for (int i = 0; i < 3; ++i) {
    schema::OpenSessionResponse resp;
    auto c = Ctx();
    grpc::Status st = stub->OpenSession(c.get(), req, &resp);
    if (i < 2) {
      EXPECT_TRUE(st.ok()) << st.error_message();
    } else {
      EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
      EXPECT_NE(st.error_message().find("max sessions"), std::string::npos);
    }
  }
  s->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace immudb::server::testing

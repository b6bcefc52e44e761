#include "server/immu_service.h"

#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>

#include "crypto/module.h"
#include "server/status_map.h"

namespace immudb::server {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The first value of metadata `key` (lower-case), or nullopt.
std::optional<std::string> Header(const grpc::ServerContextBase* ctx, const char* key) {
  const auto& md = ctx->client_metadata();
  auto it = md.find(key);
  if (it == md.end()) return std::nullopt;
  return std::string(it->second.data(), it->second.size());
}

std::optional<std::string> BearerToken(const grpc::ServerContextBase* ctx) {
  auto value = Header(ctx, "authorization");
  if (!value) return std::nullopt;
  std::string v = *value;
  if (v.rfind("Bearer ", 0) == 0) v = v.substr(7);
  return v;
}

// Credential failures travel as UNKNOWN with immudb's text (its code 08004 has no gRPC
// mapping), so clients that match the message keep working.
grpc::Status CredentialError(const Status& st) {
  if (st.code() == Code::kUnauthenticated ||
      (st.code() == Code::kPermissionDenied && st.message() == "user is not active")) {
    return grpc::Status(grpc::StatusCode::UNKNOWN, st.message());
  }
  return ToGrpcStatus(st);
}

void ToSchemaUser(const UserRecord& u, schema::User* out) {
  out->set_user(u.username);
  if (u.sysadmin) {
    auto* p = out->add_permissions();
    p->set_database("*");
    p->set_permission(kPermissionSysAdmin);
  }
  for (const auto& [db, perm] : u.permissions) {
    auto* p = out->add_permissions();
    p->set_database(db);
    p->set_permission(perm);
  }
  for (const auto& priv : u.sql_privileges) {
    auto* p = out->add_sqlprivileges();
    p->set_database(priv.database);
    p->set_privilege(priv.privilege);
  }
  out->set_createdby(u.created_by);
  out->set_createdat(u.created_at);
  out->set_active(u.active);
}

}  // namespace

ImmuServiceImpl::ImmuServiceImpl(ServiceDeps deps) : deps_(std::move(deps)) {}

Result<ImmuServiceImpl::Caller> ImmuServiceImpl::ResolveCaller(grpc::ServerContextBase* ctx) const {
  const auto& opts = deps_.access->options();
  if (!opts.auth && !opts.maintenance) {
    Caller anonymous;
    anonymous.principal.database = kDefaultDatabase;
    anonymous.user.sysadmin = true;
    return anonymous;
  }
  Principal principal;
  if (auto session_id = Header(ctx, "sessionid")) {
    IMMUDB_ASSIGN_OR_RETURN(principal, deps_.sessions->TouchSession(*session_id));
  } else if (auto token = BearerToken(ctx)) {
    IMMUDB_ASSIGN_OR_RETURN(principal, deps_.sessions->ResolveToken(*token));
  } else {
    return Unauthenticated("not logged in");
  }
  IMMUDB_ASSIGN_OR_RETURN(UserRecord user, deps_.access->CallerRecord(principal));
  return Caller{std::move(principal), std::move(user)};
}

grpc::Status ImmuServiceImpl::Gate(grpc::ServerContextBase* ctx, Access access,
                                   CallInfo* info) const {
  auto caller = ResolveCaller(ctx);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  Status st = deps_.access->Authorize(caller->user, caller->principal.database, access);
  if (!st.ok()) return ToGrpcStatus(st);
  info->username = caller->principal.username;
  info->database = caller->principal.database;
  info->grpc = ctx;
  return grpc::Status::OK;
}

// ---- users ------------------------------------------------------------------------------

grpc::Status ImmuServiceImpl::ListUsers(Ctx* ctx, const Empty*, schema::UserList* resp) {
  auto caller = ResolveCaller(ctx);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto users = deps_.access->ListUsers(caller->user, caller->principal.database);
  if (!users.ok()) return ToGrpcStatus(users.status());
  for (const auto& u : *users) ToSchemaUser(u, resp->add_users());
  return grpc::Status::OK;
}

grpc::Status ImmuServiceImpl::CreateUser(Ctx* ctx, const schema::CreateUserRequest* req, Empty*) {
  auto caller = ResolveCaller(ctx);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return ToGrpcStatus(deps_.access->CreateUser(caller->user, req->user(), req->password(),
                                               req->permission(), Lower(req->database())));
}

grpc::Status ImmuServiceImpl::ChangePassword(Ctx* ctx, const schema::ChangePasswordRequest* req,
                                             Empty*) {
  auto caller = ResolveCaller(ctx);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return ToGrpcStatus(deps_.access->ChangePassword(caller->user, req->user(), req->oldpassword(),
                                                   req->newpassword()));
}

grpc::Status ImmuServiceImpl::ChangePermission(Ctx* ctx, const schema::ChangePermissionRequest* req,
                                               Empty*) {
  auto caller = ResolveCaller(ctx);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (req->action() != schema::GRANT && req->action() != schema::REVOKE) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "action not recognized");
  }
  Status st = deps_.access->ChangePermission(caller->user, req->action() == schema::GRANT,
                                             req->username(), Lower(req->database()),
                                             req->permission());
  if (st.code() == Code::kNotFound) return grpc::Status(grpc::StatusCode::NOT_FOUND, st.message());
  return ToGrpcStatus(st);
}

grpc::Status ImmuServiceImpl::ChangeSQLPrivileges(Ctx*, const schema::ChangeSQLPrivilegesRequest*,
                                                  schema::ChangeSQLPrivilegesResponse*) {
  return ToGrpcStatus(NotYet("ChangeSQLPrivileges (SQL privileges)"));
}

grpc::Status ImmuServiceImpl::SetActiveUser(Ctx* ctx, const schema::SetActiveUserRequest* req,
                                            Empty*) {
  auto caller = ResolveCaller(ctx);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return ToGrpcStatus(deps_.access->SetActiveUser(caller->user, req->username(), req->active()));
}

grpc::Status ImmuServiceImpl::UpdateAuthConfig(Ctx*, const schema::AuthConfig*, Empty*) {
  return grpc::Status(grpc::StatusCode::UNKNOWN,
                      "deprecated method: set the auth flag at server start instead");
}

grpc::Status ImmuServiceImpl::UpdateMTLSConfig(Ctx*, const schema::MTLSConfig*, Empty*) {
  return grpc::Status(grpc::StatusCode::UNKNOWN,
                      "deprecated method: set mTLS at server start instead");
}

// ---- sessions and login -----------------------------------------------------------------

Result<UserRecord> ImmuServiceImpl::Authenticate(Ctx* ctx, const std::string& username,
                                                 const std::string& password) {
  LoginLimiter* limiter = deps_.login_limiter;
  if (limiter == nullptr) return deps_.access->Authenticate(username, password);
  const std::string address = PeerAddress(ctx->peer());
  // Wait for a verification slot at most until the call's deadline (and never over 60 s).
  auto left = ctx->deadline() - std::chrono::system_clock::now();
  auto wait = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(left),
                         std::chrono::milliseconds(0), std::chrono::milliseconds(60000));
  auto permit = limiter->Admit(username, address, LoginLimiter::Clock::now() + wait);
  if (!permit.ok()) {
    spdlog::warn("login of user '{}' from {} refused: {}", username, address,
                 permit.status().message());
    return permit.status();
  }
  auto user = deps_.access->Authenticate(username, password);
  if (user.ok()) {
    limiter->RecordSuccess(username, address);
  } else if (user.status().code() == Code::kUnauthenticated) {
    limiter->RecordFailure(username, address);
    spdlog::warn("failed login of user '{}' from {}", username, address);
  }
  return user;
}

grpc::Status ImmuServiceImpl::OpenSession(Ctx* ctx, const schema::OpenSessionRequest* req,
                                          schema::OpenSessionResponse* resp) {
  if (!deps_.access->options().auth) {
    return grpc::Status(grpc::StatusCode::UNKNOWN,
                        "server is running with authentication disabled, please enable "
                        "authentication to login");
  }
  auto user = Authenticate(ctx, req->username(), req->password());
  if (!user.ok()) return CredentialError(user.status());
  std::string database = Lower(req->databasename());
  if (database.empty()) database = kDefaultDatabase;
  Status st = deps_.access->CanUseDatabase(*user, database);
  if (!st.ok()) return ToGrpcStatus(st);
  auto id = deps_.sessions->OpenSession(user->username, database);
  if (!id.ok()) return ToGrpcStatus(id.status());
  resp->set_sessionid(*id);
  resp->set_serveruuid(deps_.server_uuid);
  return grpc::Status::OK;
}

grpc::Status ImmuServiceImpl::CloseSession(Ctx* ctx, const Empty*, Empty*) {
  auto id = Header(ctx, "sessionid");
  if (!id) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no sessionID provided");
  return ToGrpcStatus(deps_.sessions->CloseSession(*id));
}

grpc::Status ImmuServiceImpl::KeepAlive(Ctx* ctx, const Empty*, Empty*) {
  auto id = Header(ctx, "sessionid");
  if (!id) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no sessionID provided");
  auto principal = deps_.sessions->TouchSession(*id);
  return ToGrpcStatus(principal.status());
}

grpc::Status ImmuServiceImpl::Login(Ctx* ctx, const schema::LoginRequest* req,
                                    schema::LoginResponse* resp) {
  if (!deps_.access->options().auth) {
    return grpc::Status(grpc::StatusCode::UNKNOWN,
                        "server is running with authentication disabled, please enable "
                        "authentication to login");
  }
  auto user = Authenticate(ctx, req->user(), req->password());
  if (!user.ok()) return CredentialError(user.status());
  // As immudb: a token starts bound to defaultdb only in single-database mode (defaultdb is
  // the only database and immudb the only user); otherwise no database is selected.
  std::string database;
  bool single_mode = deps_.databases->List().size() <= 1;
  if (single_mode) {
    auto all = deps_.access->ListUsers(*user, "");
    single_mode = user->sysadmin && all.ok() && all->size() == 1;
  }
  if (single_mode) database = kDefaultDatabase;
  auto token = deps_.sessions->IssueToken(user->username, database);
  if (!token.ok()) return ToGrpcStatus(token.status());
  resp->set_token(*token);
  if (user->username == kSysAdminUsername && deps_.access->DefaultPasswordInUse()) {
    resp->set_warning(kDefaultPasswordWarning);
  }
  return grpc::Status::OK;
}

grpc::Status ImmuServiceImpl::Logout(Ctx* ctx, const Empty*, Empty*) {
  auto token = BearerToken(ctx);
  if (!token) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "not logged in");
  auto principal = deps_.sessions->ResolveToken(*token);
  if (!principal.ok()) return ToGrpcStatus(principal.status());
  // Every token of the user ends, not only the caller's (immudb drops the user's key pair).
  deps_.sessions->RevokeUserTokens(principal->username);
  return grpc::Status::OK;
}

grpc::Status ImmuServiceImpl::UseDatabase(Ctx* ctx, const schema::Database* req,
                                          schema::UseDatabaseReply* resp) {
  auto caller = ResolveCaller(ctx);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  std::string database = Lower(req->databasename());
  if (database.empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "database name can not be empty");
  }
  if (!deps_.access->options().auth) {
    if (!deps_.databases->Exists(database)) return ToGrpcStatus(NotFound("database does not exist"));
    return grpc::Status::OK;
  }
  Status st = deps_.access->CanUseDatabase(caller->user, database);
  if (!st.ok()) return ToGrpcStatus(st);
  if (!caller->principal.session_id.empty()) {
    st = deps_.sessions->SetSessionDatabase(caller->principal.session_id, database);
    if (!st.ok()) return ToGrpcStatus(st);
  }
  auto token = deps_.sessions->IssueToken(caller->user.username, database);
  if (!token.ok()) return ToGrpcStatus(token.status());
  resp->set_token(*token);
  return grpc::Status::OK;
}

// ---- server -----------------------------------------------------------------------------

// The crypto module in use (provider, version, FIPS mode, self-tests), read from the running
// library, as response header `immudb-crypto-module` of Health and ServerInfo: clients that
// do not know it ignore it; the wire messages stay immudb's.
static void AddCryptoModuleHeader(grpc::ServerContext* ctx) {
  ctx->AddInitialMetadata("immudb-crypto-module",
                          crypto::DescribeModule(crypto::CurrentModule()));
}

grpc::Status ImmuServiceImpl::ServerInfo(Ctx* ctx, const schema::ServerInfoRequest*,
                                         schema::ServerInfoResponse* resp) {
  AddCryptoModuleHeader(ctx);
  resp->set_version(deps_.version);
  resp->set_startedat(deps_.started_at_unix);
  // Totals over the user databases when the catalog can list them (zeros otherwise).
  schema::DatabaseListResponseV2 list;
  CallInfo info{"", "", ctx};
  if (deps_.kv->DatabaseListV2(info, &list).ok()) {
    int64_t txs = 0, size = 0;
    for (const auto& d : list.databases()) {
      txs += static_cast<int64_t>(d.numtransactions());
      size += static_cast<int64_t>(d.disksize());
    }
    resp->set_numdatabases(list.databases_size());
    resp->set_numtransactions(txs);
    resp->set_databasesdisksize(size);
  } else {
    resp->set_numdatabases(static_cast<int32_t>(deps_.databases->List().size()));
  }
  return grpc::Status::OK;
}

grpc::Status ImmuServiceImpl::Health(Ctx* ctx, const Empty*, schema::HealthResponse* resp) {
  AddCryptoModuleHeader(ctx);
  resp->set_status(true);
  resp->set_version(deps_.version);
  return grpc::Status::OK;
}

}  // namespace immudb::server

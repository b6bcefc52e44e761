// Connection, authentication, the call wrapper and the trusted-state protocol of ImmuClient.
// The RPC wrappers live in immu_client_kv.cc and immu_client_admin.cc.
#include "client/immu_client.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "client/base64.h"
#include "grpc_runtime.h"
#include "client/verification.h"
#include "crypto/x509.h"
#include "crypto/sha256.h"

namespace immudb::client {
namespace {

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

}  // namespace

Status FromGrpc(const grpc::Status& st) {
  if (st.ok()) return Status::Ok();
  const std::string& m = st.error_message();
  switch (st.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT: return InvalidArgument(m);
    case grpc::StatusCode::NOT_FOUND: return NotFound(m);
    case grpc::StatusCode::ALREADY_EXISTS: return AlreadyExists(m);
    case grpc::StatusCode::FAILED_PRECONDITION: return FailedPrecondition(m);
    case grpc::StatusCode::OUT_OF_RANGE: return OutOfRange(m);
    case grpc::StatusCode::PERMISSION_DENIED: return PermissionDenied(m);
    case grpc::StatusCode::UNAUTHENTICATED: return Unauthenticated(m);
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return ResourceExhausted(m);
    case grpc::StatusCode::UNIMPLEMENTED: return Unimplemented(m);
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED: return Unavailable(m);
    default:
      if (Contains(m, "not found")) return NotFound(m);
      return Internal(m);
  }
}

namespace {
// Reads a PEM file and applies the running mode's key policy to every block in it.
Result<std::string> ReadCheckedPem(const std::string& what, const std::string& path) {
  IMMUDB_ASSIGN_OR_RETURN(std::string pem, ReadTextFile(path));
  Status st = crypto::CheckPemBundle(pem);
  if (!st.ok()) return Status(st.code(), what + " " + path + " refused: " + st.message());
  return pem;
}
}  // namespace

Result<grpc::SslCredentialsOptions> TlsCredentialsOptions(const ClientOptions& o) {
  grpc::SslCredentialsOptions ssl;
  if (!o.ca_cert_file.empty()) {
    IMMUDB_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadCheckedPem("CA file", o.ca_cert_file));
  }
  if (o.client_cert_file.empty() != o.client_key_file.empty()) {
    return InvalidArgument("a client certificate needs both the certificate and its key");
  }
  if (!o.client_cert_file.empty()) {
    IMMUDB_ASSIGN_OR_RETURN(ssl.pem_cert_chain,
                            ReadCheckedPem("client certificate", o.client_cert_file));
    IMMUDB_ASSIGN_OR_RETURN(ssl.pem_private_key,
                            ReadCheckedPem("client key", o.client_key_file));
    Status st = crypto::CheckCertificateAndKey(ssl.pem_cert_chain, ssl.pem_private_key);
    if (!st.ok()) {
      return Status(st.code(), "client certificate " + o.client_cert_file + " and key " +
                                   o.client_key_file + ": " + st.message());
    }
  }
  return ssl;
}

ImmuClient::ImmuClient(ClientOptions options)
    : options_(std::move(options)), state_store_(options_.state_in_memory
                       ? StateStore::InMemory()
                       : StateStore(options_.state_dir, options_.sync_state)) {}

Result<std::unique_ptr<ImmuClient>> ImmuClient::Create(ClientOptions options) {
  ConfigureGrpcRuntime();
  std::unique_ptr<ImmuClient> c(new ImmuClient(std::move(options)));
  const ClientOptions& o = c->options_;
  if (!o.server_signing_pub_key_file.empty()) {
    IMMUDB_ASSIGN_OR_RETURN(std::string pem, ReadTextFile(o.server_signing_pub_key_file));
    IMMUDB_ASSIGN_OR_RETURN(crypto::EcdsaPublicKey key, crypto::EcdsaPublicKey::FromPem(pem));
    c->server_key_ = key;
  }
  std::shared_ptr<grpc::ChannelCredentials> creds;
  grpc::ChannelArguments args;
  if (o.use_tls) {
    IMMUDB_ASSIGN_OR_RETURN(grpc::SslCredentialsOptions ssl, TlsCredentialsOptions(o));
    creds = grpc::SslCredentials(ssl);
    if (!o.server_name.empty()) args.SetSslTargetNameOverride(o.server_name);
  } else {
    if (!o.client_cert_file.empty() || !o.client_key_file.empty()) {
      return InvalidArgument("a client certificate needs TLS");
    }
    creds = grpc::InsecureChannelCredentials();
  }
  args.SetMaxReceiveMessageSize(o.max_recv_message_size);
  // No retry policy is configured, so gRPC's retry layer would only copy every call's
  // messages; channelz call counters are never read.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  args.SetInt(GRPC_ARG_ENABLE_CHANNELZ, 0);
  c->channel_ = grpc::CreateCustomChannel(o.address + ":" + std::to_string(o.port), creds, args);
  c->stub_ = schema::ImmuService::NewStub(c->channel_);
  return c;
}

ImmuClient::~ImmuClient() {
  if (has_session()) (void)CloseSession();
  StopKeepAlive();
}

std::string ImmuClient::PrepareContext(grpc::ClientContext* ctx) const {
  ctx->set_deadline(std::chrono::system_clock::now() + options_.call_timeout);
  std::lock_guard<std::mutex> l(mu_);
  if (!session_id_.empty()) {
    ctx->AddMetadata("sessionid", session_id_);
  } else if (!token_.empty()) {
    ctx->AddMetadata("authorization", "Bearer " + token_);
  }
  return session_id_;
}

void ImmuClient::NoteServerUuid(const grpc::ClientContext& ctx) {
  const auto& md = ctx.GetServerInitialMetadata();
  auto it = md.find("immudb-uuid");
  if (it == md.end()) return;
  std::lock_guard<std::mutex> l(mu_);
  if (server_uuid_.size() == it->second.size() &&
      std::equal(server_uuid_.begin(), server_uuid_.end(), it->second.begin())) {
    return;
  }
  server_uuid_.assign(it->second.data(), it->second.size());
}

Status ImmuClient::Call(const std::function<grpc::Status(grpc::ClientContext*)>& rpc) {
  for (int attempt = 0;; ++attempt) {
    grpc::ClientContext ctx;
    std::string used_session = PrepareContext(&ctx);
    grpc::Status st = rpc(&ctx);
    if (st.ok()) {
      NoteServerUuid(ctx);
      return Status::Ok();
    }
    if (attempt == 0 && !used_session.empty() &&
        Contains(st.error_message(), "session not found")) {
      IMMUDB_RETURN_IF_ERROR(ReopenSession(used_session));
      continue;
    }
    return FromGrpc(st);
  }
}

// --- authentication ------------------------------------------------------------------------

Status ImmuClient::OpenSession(const std::string& user, const std::string& password,
                               const std::string& database) {
  schema::OpenSessionRequest req;
  req.set_username(user);
  req.set_password(password);
  req.set_databasename(database);
  schema::OpenSessionResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + options_.call_timeout);
  grpc::Status st = stub_->OpenSession(&ctx, req, &resp);
  if (st.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
    IMMUDB_RETURN_IF_ERROR(Login(user, password).status());
    return UseDatabase(database);
  }
  if (!st.ok()) return FromGrpc(st);
  {
    std::lock_guard<std::mutex> l(mu_);
    session_id_ = resp.sessionid();
    server_uuid_ = resp.serveruuid();
    database_ = database;
    user_ = user;
    password_ = password;
    token_.clear();
  }
  StartKeepAlive();
  return Status::Ok();
}

Status ImmuClient::ReopenSession(const std::string& failed_session_id) {
  std::lock_guard<std::mutex> reopen(reopen_mu_);
  schema::OpenSessionRequest req;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (session_id_.empty()) return Unauthenticated("session closed");
    if (session_id_ != failed_session_id) return Status::Ok();  // already re-opened
    req.set_username(user_);
    req.set_password(password_);
    req.set_databasename(database_);
  }
  schema::OpenSessionResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + options_.call_timeout);
  grpc::Status st = stub_->OpenSession(&ctx, req, &resp);
  if (!st.ok()) return FromGrpc(st);
  std::lock_guard<std::mutex> l(mu_);
  session_id_ = resp.sessionid();
  server_uuid_ = resp.serveruuid();
  return Status::Ok();
}

Status ImmuClient::CloseSession() {
  StopKeepAlive();
  if (!has_session()) return Status::Ok();
  google::protobuf::Empty req, resp;
  grpc::ClientContext ctx;
  PrepareContext(&ctx);
  grpc::Status st = stub_->CloseSession(&ctx, req, &resp);
  std::lock_guard<std::mutex> l(mu_);
  session_id_.clear();
  password_.clear();
  return FromGrpc(st);
}

void ImmuClient::StartKeepAlive() {
  StopKeepAlive();
  {
    std::lock_guard<std::mutex> l(keepalive_mu_);
    keepalive_stop_ = false;
  }
  keepalive_ = std::thread([this] {
    std::unique_lock<std::mutex> l(keepalive_mu_);
    while (!keepalive_cv_.wait_for(l, options_.keepalive_interval,
                                   [this] { return keepalive_stop_; })) {
      l.unlock();
      google::protobuf::Empty req, resp;
      // Call() re-opens the session when the server has dropped it.
      (void)Call([&](grpc::ClientContext* ctx) { return stub_->KeepAlive(ctx, req, &resp); });
      l.lock();
    }
  });
}

void ImmuClient::StopKeepAlive() {
  {
    std::lock_guard<std::mutex> l(keepalive_mu_);
    keepalive_stop_ = true;
  }
  keepalive_cv_.notify_all();
  if (keepalive_.joinable() && keepalive_.get_id() != std::this_thread::get_id()) {
    keepalive_.join();
  }
}

Result<std::string> ImmuClient::Login(const std::string& user, const std::string& password) {
  schema::LoginRequest req;
  req.set_user(user);
  req.set_password(password);
  schema::LoginResponse resp;
  IMMUDB_RETURN_IF_ERROR(
      Call([&](grpc::ClientContext* ctx) { return stub_->Login(ctx, req, &resp); }));
  {
    std::lock_guard<std::mutex> l(mu_);
    token_ = resp.token();
    session_id_.clear();
  }
  if (server_uuid().empty()) (void)Health();  // learns the UUID from the response header
  return resp.warning();
}

Status ImmuClient::Logout() {
  google::protobuf::Empty req, resp;
  Status st = Call([&](grpc::ClientContext* ctx) { return stub_->Logout(ctx, req, &resp); });
  std::lock_guard<std::mutex> l(mu_);
  token_.clear();
  return st;
}

void ImmuClient::SetToken(const std::string& token, const std::string& database) {
  std::lock_guard<std::mutex> l(mu_);
  token_ = token;
  database_ = database;
}

std::string ImmuClient::token() const {
  std::lock_guard<std::mutex> l(mu_);
  return token_;
}
bool ImmuClient::has_session() const {
  std::lock_guard<std::mutex> l(mu_);
  return !session_id_.empty();
}
std::string ImmuClient::session_id() const {
  std::lock_guard<std::mutex> l(mu_);
  return session_id_;
}
std::string ImmuClient::database() const {
  std::lock_guard<std::mutex> l(mu_);
  return database_;
}
std::string ImmuClient::server_uuid() const {
  std::lock_guard<std::mutex> l(mu_);
  return server_uuid_;
}

Status ImmuClient::UseDatabase(const std::string& name) {
  schema::Database req;
  req.set_databasename(name);
  schema::UseDatabaseReply resp;
  IMMUDB_RETURN_IF_ERROR(
      Call([&](grpc::ClientContext* ctx) { return stub_->UseDatabase(ctx, req, &resp); }));
  std::lock_guard<std::mutex> l(mu_);
  database_ = name;
  if (session_id_.empty() && !resp.token().empty()) token_ = resp.token();
  return Status::Ok();
}

// --- trusted state ---------------------------------------------------------------------------

Status ImmuClient::CheckSignature(const ledger::State& state, const schema::Signature* sig) const {
  if (!server_key_) return Status::Ok();
  return VerifyStateSignature(state, sig, *server_key_);
}

Status ImmuClient::StoreState(const ledger::State& state, const schema::Signature* sig) {
  schema::ImmutableState s;
  StateToProto(state, &s);
  if (sig != nullptr && !sig->signature().empty()) *s.mutable_signature() = *sig;
  return state_store_.Put(server_uuid(), s);
}

Result<ledger::State> ImmuClient::TrustedState() {
  std::string db = database();
  IMMUDB_ASSIGN_OR_RETURN(auto stored, state_store_.Get(server_uuid(), db));
  if (stored) {
    ledger::State s = StateFromProto(*stored);
    s.db = db;
    return s;
  }
  // Trust on first use: the server's current state (signature checked by CurrentState).
  IMMUDB_ASSIGN_OR_RETURN(schema::ImmutableState current, CurrentState());
  ledger::State s = StateFromProto(current);
  s.db = db;
  IMMUDB_RETURN_IF_ERROR(StoreState(s, current.has_signature() ? &current.signature() : nullptr));
  return s;
}

Status ImmuClient::CheckIdentity() {
  if (options_.disable_identity_check) return Status::Ok();
  std::string identity = options_.address + ":" + std::to_string(options_.port);
  crypto::Digest h = crypto::Sha256(AsBytes(identity));
  std::string id = Base64Encode(ByteView(h.data(), 16));
  for (char& ch : id) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;  // URL alphabet
  while (!id.empty() && id.back() == '=') id.pop_back();
  std::string path = options_.state_dir + "/.identity-" + id;
  std::string uuid = server_uuid();
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!uuid.empty() && identity_checked_ == uuid) return Status::Ok();
  }
  auto remember = [&] {
    std::lock_guard<std::mutex> l(mu_);
    identity_checked_ = uuid;
    return Status::Ok();
  };
  if (options_.state_in_memory) {
    std::lock_guard<std::mutex> l(mu_);
    if (identity_checked_.empty() || uuid.empty()) {
      identity_checked_ = uuid;
      return Status::Ok();
    }
    return FailedPrecondition("could not check the identity of the server at " + identity +
                              ": it is not the server this client trusted before (" +
                              identity_checked_ + ")");
  }
  Result<std::string> existing = ReadTextFile(path);
  if (!existing.ok()) {
    // First use: the pin is written whole to a temporary file and linked into place, which
    // fails if another thread or process pinned first; so no reader ever sees a partial pin,
    // and the first pin wins.
    ::mkdir(options_.state_dir.c_str(), 0700);
    static std::atomic<uint64_t> seq{0};
    std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" +
                      std::to_string(seq.fetch_add(1));
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << "{\n\t\"serverUUID\": \"" << uuid << "\",\n\t\"serverIdentity\": \"" << identity
          << "\"\n}";
      if (!out.flush()) {
        ::unlink(tmp.c_str());
        return IoError("cannot write " + tmp);
      }
    }
    int rc = ::link(tmp.c_str(), path.c_str());
    int err = errno;
    ::unlink(tmp.c_str());
    if (rc == 0) return remember();
    if (err != EEXIST) return IoError("cannot create " + path + ": " + std::strerror(err));
    existing = ReadTextFile(path);  // pinned meanwhile: check against that pin
    if (!existing.ok()) return existing.status();
  }
  std::string want = "\"serverUUID\": \"" + uuid + "\"";
  if (existing->find(want) == std::string::npos) {
    return FailedPrecondition("could not check the identity of the server at " + identity +
                              ": it is not the server this client trusted before (" + path +
                              ")");
  }
  return remember();
}

Status ImmuClient::RunVerified(const VerifyFn& verify) {
  if (server_uuid().empty()) (void)Health();
  IMMUDB_RETURN_IF_ERROR(CheckIdentity());
  IMMUDB_ASSIGN_OR_RETURN(StateStore::Lock lock, state_store_.LockServer(server_uuid()));
  IMMUDB_ASSIGN_OR_RETURN(ledger::State local, TrustedState());
  schema::Signature sig;
  IMMUDB_ASSIGN_OR_RETURN(ledger::State next, verify(local, &sig));
  IMMUDB_RETURN_IF_ERROR(CheckSignature(next, sig.signature().empty() ? nullptr : &sig));
  return StoreState(next, &sig);
}

Result<schema::ImmutableState> ImmuClient::CurrentState() {
  google::protobuf::Empty req;
  schema::ImmutableState resp;
  IMMUDB_RETURN_IF_ERROR(
      Call([&](grpc::ClientContext* ctx) { return stub_->CurrentState(ctx, req, &resp); }));
  IMMUDB_RETURN_IF_ERROR(
      CheckSignature(StateFromProto(resp), resp.has_signature() ? &resp.signature() : nullptr));
  return resp;
}

Result<std::optional<schema::ImmutableState>> ImmuClient::LocalState() {
  if (server_uuid().empty()) (void)Health();
  return state_store_.Get(server_uuid(), database());
}

Result<schema::ImmutableState> ImmuClient::CheckConsistency() {
  schema::ImmutableState result;
  IMMUDB_RETURN_IF_ERROR(RunVerified(
      [&](const ledger::State& local, schema::Signature* sig) -> Result<ledger::State> {
        IMMUDB_ASSIGN_OR_RETURN(schema::ImmutableState current, CurrentState());
        if (current.has_signature()) *sig = current.signature();
        ledger::State cur = StateFromProto(current);
        cur.db = local.db;
        if (current.txid() < local.tx_id) {
          return TamperingDetected("the server's state is older than the trusted one");
        }
        if (local.tx_id == 0 || current.txid() == local.tx_id) {
          if (current.txid() == local.tx_id && cur.tx_hash != local.tx_hash) {
            return TamperingDetected("the server's state differs from the trusted one");
          }
          StateToProto(cur, &result);
          return cur;
        }
        schema::VerifiableTxRequest req;
        req.set_tx(current.txid());
        req.set_provesincetx(local.tx_id);
        schema::VerifiableTx resp;
        IMMUDB_RETURN_IF_ERROR(Call(
            [&](grpc::ClientContext* ctx) { return stub_->VerifiableTxById(ctx, req, &resp); }));
        IMMUDB_ASSIGN_OR_RETURN(ledger::State next,
                                VerifyTxResponse(resp, current.txid(), local, local.db));
        if (next.tx_hash != cur.tx_hash) {
          return TamperingDetected("the server's state is not the proven one");
        }
        StateToProto(next, &result);
        return next;
      }));
  return result;
}

Result<schema::HealthResponse> ImmuClient::Health() {
  google::protobuf::Empty req;
  schema::HealthResponse resp;
  IMMUDB_RETURN_IF_ERROR(
      Call([&](grpc::ClientContext* ctx) { return stub_->Health(ctx, req, &resp); }));
  return resp;
}

Result<schema::ServerInfoResponse> ImmuClient::ServerInfo() {
  schema::ServerInfoRequest req;
  schema::ServerInfoResponse resp;
  IMMUDB_RETURN_IF_ERROR(
      Call([&](grpc::ClientContext* ctx) { return stub_->ServerInfo(ctx, req, &resp); }));
  return resp;
}

Result<schema::DatabaseHealthResponse> ImmuClient::DatabaseHealth() {
  google::protobuf::Empty req;
  schema::DatabaseHealthResponse resp;
  IMMUDB_RETURN_IF_ERROR(
      Call([&](grpc::ClientContext* ctx) { return stub_->DatabaseHealth(ctx, req, &resp); }));
  return resp;
}

}  // namespace immudb::client

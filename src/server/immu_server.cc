#include "server/immu_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/support/server_interceptor.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <filesystem>
#include <thread>

#include "grpc_runtime.h"
#include "server/db_kv_handlers.h"
#include "server/file_user_store.h"
#include "server/server_identity.h"
#include "server/tls_credentials.h"

#ifndef IMMUDB_VERSION
#define IMMUDB_VERSION "0.0.0"
#endif

namespace immudb::server {
namespace {

// Adds `immudb-uuid: <server id>` to the initial metadata of every call, unary or streaming.
class UuidHeaderInterceptor : public grpc::experimental::Interceptor {
 public:
  // Lives as long as its call: counts the call in `calls` from creation to destruction.
  UuidHeaderInterceptor(const std::string* uuid, std::shared_ptr<InFlightCalls> calls)
      : uuid_(uuid), calls_(std::move(calls)) {
    calls_->Enter();
  }
  ~UuidHeaderInterceptor() override { calls_->Leave(); }
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({kUuidHeader, *uuid_});
    }
    methods->Proceed();
  }

 private:
  const std::string* uuid_;
  std::shared_ptr<InFlightCalls> calls_;
};

class UuidHeaderFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  UuidHeaderFactory(const std::string* uuid, std::shared_ptr<InFlightCalls> calls)
      : uuid_(uuid), calls_(std::move(calls)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo*) override {
    return new UuidHeaderInterceptor(uuid_, calls_);
  }

 private:
  const std::string* uuid_;
  std::shared_ptr<InFlightCalls> calls_;
};

}  // namespace

const char* ServerVersion() { return IMMUDB_VERSION; }

Result<std::unique_ptr<ImmuServer>> ImmuServer::Start(const ServerOptions& options,
                                                      ServerDeps deps) {
  IMMUDB_RETURN_IF_ERROR(ValidateServerOptions(options));
  ConfigureGrpcRuntime();
  std::unique_ptr<ImmuServer> s(new ImmuServer());
  s->options_ = options;
  s->deps_ = std::move(deps);

  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return IoError("cannot create data folder " + options.dir + ": " + ec.message());
  IMMUDB_ASSIGN_OR_RETURN(s->uuid_, LoadOrCreateServerId(options.dir));
  // Certificates and keys are checked before any database is opened.
  IMMUDB_ASSIGN_OR_RETURN(ServerTls tls, BuildServerTls(options));

  if (!s->deps_.kv_handlers) {
    std::optional<crypto::EcdsaPrivateKey> signer;
    if (!options.signing_key.empty()) {
      auto key = crypto::EcdsaPrivateKey::FromPemFile(options.signing_key);
      if (!key.ok()) {
        return InvalidArgument("signing key " + options.signing_key + ": " + key.status().message());
      }
      signer = std::move(key).value();
      spdlog::info("states are signed with the key in {}", options.signing_key);
    }
    db::CatalogOptions copts;
    copts.data_dir = options.dir;
    copts.max_active_databases = static_cast<size_t>(options.max_active_databases);
    copts.default_settings.synced = options.synced;
    copts.commit_tuning.group_delay = options.group_commit_delay;
    copts.commit_tuning.group_delay_min_txs = static_cast<uint32_t>(options.group_commit_min_txs);
    copts.commit_tuning.index_pipeline_min_entries =
        static_cast<uint32_t>(options.index_pipeline_min_entries);
    IMMUDB_ASSIGN_OR_RETURN(s->catalog_, db::Catalog::Open(copts));
    s->deps_.kv_handlers = std::make_unique<DbKvHandlers>(s->catalog_.get(), std::move(signer));
    if (!s->deps_.databases) {
      s->deps_.databases = std::make_unique<CatalogDirectory>(s->catalog_.get());
    }
  }
  if (!s->deps_.databases) {
    s->deps_.databases = std::make_unique<StaticDatabaseDirectory>(
        std::vector<std::string>{kDefaultDatabase});
  }
  if (!s->deps_.users) {
    auto path = (std::filesystem::path(options.dir) / "users.json").string();
    IMMUDB_ASSIGN_OR_RETURN(auto store, FileUserStore::Open(path));
    s->deps_.users = std::move(store);
  }

  SessionLimits limits;
  limits.max_sessions = options.max_sessions;
  limits.inactivity_time = options.max_session_inactivity_time;
  limits.timeout = options.session_timeout;
  limits.max_age = options.max_session_age_time;
  limits.guard_interval = options.sessions_guard_check_interval;
  limits.token_expiry = std::chrono::minutes(options.token_expiry_time_min);
  s->sessions_ = std::make_unique<SessionManager>(limits);
  s->access_ = std::make_unique<AccessControl>(
      s->deps_.users.get(), s->sessions_.get(), s->deps_.databases.get(),
      AccessControl::Options{options.auth, options.maintenance});
  IMMUDB_RETURN_IF_ERROR(s->access_->Bootstrap(options.admin_password, options.force_admin_password));
  if (options.auth && s->access_->DefaultPasswordInUse()) {
    spdlog::warn("SECURITY WARNING: the sysadmin user 'immudb' has the default password "
                 "'immudb'; change it (ChangePassword) or start with --admin-password");
  }
  if (!options.auth) spdlog::warn("authentication is disabled (--auth=false)");

  LoginLimits login;
  login.max_failures = options.max_login_failures;
  login.window = options.login_failure_window;
  login.base_delay = options.login_backoff;
  login.max_delay = options.login_backoff_max;
  login.max_concurrent = options.max_concurrent_logins > 0
                             ? options.max_concurrent_logins
                             : std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  s->login_limiter_ = std::make_unique<LoginLimiter>(login);

  ServiceDeps sd;
  sd.access = s->access_.get();
  sd.sessions = s->sessions_.get();
  sd.login_limiter = s->login_limiter_.get();
  sd.max_open_streams = options.max_open_streams;
  // gRPC's sync server answers RESOURCE_EXHAUSTED instead of queueing once its thread
  // quota is used up, so the default must exceed any realistic number of concurrent
  // callers; threads are created on demand. The same number bounds the Set calls waiting
  // for their commit, which hold no thread (callback method).
  constexpr int kDefaultMaxThreads = 1024;
  const int threads = options.grpc_threads > 0 ? options.grpc_threads : kDefaultMaxThreads;
  sd.max_pending_sets = threads;
  sd.databases = s->deps_.databases.get();
  sd.kv = s->deps_.kv_handlers.get();
  sd.server_uuid = s->uuid_;
  sd.version = ServerVersion();
  sd.started_at_unix = static_cast<int64_t>(std::time(nullptr));
  s->service_ = std::make_unique<ImmuServiceImpl>(std::move(sd));

  if (options.grpc_reflection) grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  const std::string listen = options.address + ":" + std::to_string(options.port);
  builder.AddListeningPort(listen, tls.credentials, &s->port_);
  builder.RegisterService(s->service_.get());
  builder.SetMaxReceiveMessageSize(options.max_recv_msg_size);
  builder.AddChannelArgument(GRPC_ARG_ENABLE_CHANNELZ, 0);  // its per-call counters are never read
  // Keeping up to kMaxPollers idle threads alive avoids creating and destroying a thread
  // per call under steady load.
  constexpr int kMaxPollers = 64;
  grpc::ResourceQuota quota("immudb-server");
  quota.SetMaxThreads(threads);
  builder.SetResourceQuota(quota);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              std::min(kMaxPollers, threads));
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<UuidHeaderFactory>(&s->uuid_, s->in_flight_));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  s->grpc_ = builder.BuildAndStart();
  if (!s->grpc_ || s->port_ == 0) {
    return Unavailable("cannot listen on " + listen + " (address in use or not allowed?)");
  }
  s->sessions_->StartGuard();
  spdlog::info("immudb-cpp {} listening on {}:{} (data {}, server id {}, max {} gRPC threads)",
               ServerVersion(), options.address, s->port_, options.dir, s->uuid_, threads);
  spdlog::info("transport: {}", tls.description);
  return s;
}

ImmuServer::~ImmuServer() {
  Shutdown(std::chrono::seconds(1));
  if (grpc_) grpc_->Wait();
  if (catalog_) {
    Status st = catalog_->Close();
    if (!st.ok()) spdlog::error("closing databases: {}", st.ToString());
  }
}

void InFlightCalls::Enter() {
  std::lock_guard<std::mutex> lock(mu_);
  ++n_;
}

void InFlightCalls::Leave() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --n_;
  }
  cv_.notify_all();
}

bool InFlightCalls::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return n_ == 0; });
}

void ImmuServer::Shutdown(std::chrono::milliseconds grace) {
  if (shut_down_) return;
  shut_down_ = true;
  // grpc::Server::Shutdown with a deadline waits for idle client connections as well as
  // for calls (seconds while a client keeps its channel open). So wait for our own count of
  // running calls, up to `grace`, then shut gRPC down at once: calls that arrive in between
  // are cancelled, but their handlers still finish before Wait() returns, so nothing that is
  // being committed is cut short.
  if (grpc_) {
    if (!in_flight_->WaitIdle(grace)) {
      spdlog::warn("calls still running after the {} ms shutdown grace; cancelling them",
                   grace.count());
    }
    grpc_->Shutdown(std::chrono::system_clock::now());
  }
  if (sessions_) sessions_->StopGuard();
}

void ImmuServer::Wait() {
  if (grpc_) grpc_->Wait();
}

}  // namespace immudb::server

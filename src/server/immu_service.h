// immudb.schema.ImmuService: authentication, sessions, users, server information, and the
// gate in front of the database-backed RPCs (KvHandlers). Every call that needs a caller is
// resolved from the `sessionid` header (session flow) or `authorization: Bearer <token>`
// (legacy flow), its user record re-read (so deactivation takes effect at once) and its
// permission on the selected database checked before a handler runs.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "schema.grpc.pb.h"
#include "server/access_control.h"
#include "server/database_directory.h"
#include "server/kv_handlers.h"
#include "server/login_limiter.h"
#include "server/request_stats.h"
#include "server/session_manager.h"

namespace immudb::server {

struct ServiceDeps {
  AccessControl* access = nullptr;
  SessionManager* sessions = nullptr;
  const DatabaseDirectory* databases = nullptr;
  KvHandlers* kv = nullptr;
  LoginLimiter* login_limiter = nullptr;  // null = no failed-login limiting
  int max_open_streams = 0;               // stream* calls open at once; 0 = unlimited
  int max_pending_sets = 0;  // Set/VerifiableSet calls waiting for their commit; 0 = unlimited
  std::string server_uuid;
  std::string version;
  int64_t started_at_unix = 0;
};

// Response header carrying the server's instance id on every call (immudb's SDKs key their
// trusted state by it).
inline constexpr char kUuidHeader[] = "immudb-uuid";

// Set and VerifiableSet are callback (reactor) methods: their handler queues the commit and
// returns, and the store's completion thread finishes the call (building VerifiableSet's
// proof), so no gRPC thread waits for an fsync (docs/benchmarks.md). The other methods are
// synchronous.
class ImmuServiceImpl final
    : public schema::ImmuService::WithCallbackMethod_Set<
          schema::ImmuService::WithCallbackMethod_VerifiableSet<schema::ImmuService::Service>> {
 public:
  explicit ImmuServiceImpl(ServiceDeps deps);

  // The authenticated caller of a request (auth on), or an anonymous sysadmin on defaultdb
  // (auth off).
  struct Caller {
    Principal principal;
    UserRecord user;
  };
  Result<Caller> ResolveCaller(grpc::ServerContextBase* ctx) const;

  using Empty = google::protobuf::Empty;
  using Ctx = grpc::ServerContext;

  // Users.
  grpc::Status ListUsers(Ctx*, const Empty*, schema::UserList*) override;
  grpc::Status CreateUser(Ctx*, const schema::CreateUserRequest*, Empty*) override;
  grpc::Status ChangePassword(Ctx*, const schema::ChangePasswordRequest*, Empty*) override;
  grpc::Status ChangePermission(Ctx*, const schema::ChangePermissionRequest*, Empty*) override;
  grpc::Status ChangeSQLPrivileges(Ctx*, const schema::ChangeSQLPrivilegesRequest*,
                                   schema::ChangeSQLPrivilegesResponse*) override;
  grpc::Status SetActiveUser(Ctx*, const schema::SetActiveUserRequest*, Empty*) override;
  grpc::Status UpdateAuthConfig(Ctx*, const schema::AuthConfig*, Empty*) override;
  grpc::Status UpdateMTLSConfig(Ctx*, const schema::MTLSConfig*, Empty*) override;

  // Sessions and legacy login.
  grpc::Status OpenSession(Ctx*, const schema::OpenSessionRequest*,
                           schema::OpenSessionResponse*) override;
  grpc::Status CloseSession(Ctx*, const Empty*, Empty*) override;
  grpc::Status KeepAlive(Ctx*, const Empty*, Empty*) override;
  grpc::Status Login(Ctx*, const schema::LoginRequest*, schema::LoginResponse*) override;
  grpc::Status Logout(Ctx*, const Empty*, Empty*) override;
  grpc::Status UseDatabase(Ctx*, const schema::Database*, schema::UseDatabaseReply*) override;

  // Server.
  grpc::Status ServerInfo(Ctx*, const schema::ServerInfoRequest*,
                          schema::ServerInfoResponse*) override;
  grpc::Status Health(Ctx*, const Empty*, schema::HealthResponse*) override;

  // Database-backed (immu_service_data.cc).
  grpc::ServerUnaryReactor* Set(grpc::CallbackServerContext*, const schema::SetRequest*,
                                schema::TxHeader*) override;
  grpc::ServerUnaryReactor* VerifiableSet(grpc::CallbackServerContext*,
                                          const schema::VerifiableSetRequest*,
                                          schema::VerifiableTx*) override;
  grpc::Status Get(Ctx*, const schema::KeyRequest*, schema::Entry*) override;
  grpc::Status VerifiableGet(Ctx*, const schema::VerifiableGetRequest*, schema::VerifiableEntry*) override;
  grpc::Status Delete(Ctx*, const schema::DeleteKeysRequest*, schema::TxHeader*) override;
  grpc::Status GetAll(Ctx*, const schema::KeyListRequest*, schema::Entries*) override;
  grpc::Status ExecAll(Ctx*, const schema::ExecAllRequest*, schema::TxHeader*) override;
  grpc::Status Scan(Ctx*, const schema::ScanRequest*, schema::Entries*) override;
  grpc::Status Count(Ctx*, const schema::KeyPrefix*, schema::EntryCount*) override;
  grpc::Status CountAll(Ctx*, const Empty*, schema::EntryCount*) override;
  grpc::Status TxById(Ctx*, const schema::TxRequest*, schema::Tx*) override;
  grpc::Status VerifiableTxById(Ctx*, const schema::VerifiableTxRequest*, schema::VerifiableTx*) override;
  grpc::Status TxScan(Ctx*, const schema::TxScanRequest*, schema::TxList*) override;
  grpc::Status History(Ctx*, const schema::HistoryRequest*, schema::Entries*) override;
  grpc::Status DatabaseHealth(Ctx*, const Empty*, schema::DatabaseHealthResponse*) override;
  grpc::Status CurrentState(Ctx*, const Empty*, schema::ImmutableState*) override;
  grpc::Status SetReference(Ctx*, const schema::ReferenceRequest*, schema::TxHeader*) override;
  grpc::Status VerifiableSetReference(Ctx*, const schema::VerifiableReferenceRequest*,
                                      schema::VerifiableTx*) override;
  grpc::Status ZAdd(Ctx*, const schema::ZAddRequest*, schema::TxHeader*) override;
  grpc::Status VerifiableZAdd(Ctx*, const schema::VerifiableZAddRequest*, schema::VerifiableTx*) override;
  grpc::Status ZScan(Ctx*, const schema::ZScanRequest*, schema::ZEntries*) override;
  grpc::Status FlushIndex(Ctx*, const schema::FlushIndexRequest*, schema::FlushIndexResponse*) override;
  grpc::Status CompactIndex(Ctx*, const Empty*, Empty*) override;
  grpc::Status CreateDatabaseV2(Ctx*, const schema::CreateDatabaseRequest*,
                                schema::CreateDatabaseResponse*) override;
  grpc::Status DatabaseListV2(Ctx*, const schema::DatabaseListRequestV2*,
                              schema::DatabaseListResponseV2*) override;
  grpc::Status DatabaseList(Ctx*, const Empty*, schema::DatabaseListResponse*) override;
  grpc::Status CreateDatabase(Ctx*, const schema::Database*, Empty*) override;
  grpc::Status LoadDatabase(Ctx*, const schema::LoadDatabaseRequest*, schema::LoadDatabaseResponse*) override;
  grpc::Status UnloadDatabase(Ctx*, const schema::UnloadDatabaseRequest*,
                              schema::UnloadDatabaseResponse*) override;
  grpc::Status DeleteDatabase(Ctx*, const schema::DeleteDatabaseRequest*,
                              schema::DeleteDatabaseResponse*) override;
  grpc::Status UpdateDatabaseV2(Ctx*, const schema::UpdateDatabaseRequest*,
                                schema::UpdateDatabaseResponse*) override;
  grpc::Status GetDatabaseSettingsV2(Ctx*, const schema::DatabaseSettingsRequest*,
                                     schema::DatabaseSettingsResponse*) override;

  // Streams with immudb's chunk framing (immu_service_stream.cc).
  grpc::Status streamGet(Ctx*, const schema::KeyRequest*, grpc::ServerWriter<schema::Chunk>*) override;
  grpc::Status streamSet(Ctx*, grpc::ServerReader<schema::Chunk>*, schema::TxHeader*) override;
  grpc::Status streamVerifiableGet(Ctx*, const schema::VerifiableGetRequest*,
                                   grpc::ServerWriter<schema::Chunk>*) override;
  grpc::Status streamVerifiableSet(Ctx*, grpc::ServerReader<schema::Chunk>*,
                                   schema::VerifiableTx*) override;
  grpc::Status streamScan(Ctx*, const schema::ScanRequest*, grpc::ServerWriter<schema::Chunk>*) override;
  grpc::Status streamZScan(Ctx*, const schema::ZScanRequest*, grpc::ServerWriter<schema::Chunk>*) override;
  grpc::Status streamHistory(Ctx*, const schema::HistoryRequest*,
                             grpc::ServerWriter<schema::Chunk>*) override;
  grpc::Status streamExecAll(Ctx*, grpc::ServerReader<schema::Chunk>*, schema::TxHeader*) override;

  // Replication (immu_service_replication.cc): one tx per exportTx call as one framed message
  // (stream_framing.h) of immudb's ExportTx bytes; replicateTx reads one such message and
  // commits it with its original header. Admin permission on the database.
  grpc::Status exportTx(Ctx*, const schema::ExportTxRequest*, grpc::ServerWriter<schema::Chunk>*) override;
  grpc::Status replicateTx(Ctx*, grpc::ServerReader<schema::Chunk>*, schema::TxHeader*) override;
  grpc::Status streamExportTx(Ctx*, grpc::ServerReaderWriter<schema::Chunk, schema::ExportTxRequest>*) override;

  // Not implemented yet: each answers UNIMPLEMENTED naming its feature
  // (immu_service_unimplemented.cc).
  grpc::Status NewTx(Ctx*, const schema::NewTxRequest*, schema::NewTxResponse*) override;
  grpc::Status Commit(Ctx*, const Empty*, schema::CommittedSQLTx*) override;
  grpc::Status Rollback(Ctx*, const Empty*, Empty*) override;
  grpc::Status TxSQLExec(Ctx*, const schema::SQLExecRequest*, Empty*) override;
  grpc::Status TxSQLQuery(Ctx*, const schema::SQLQueryRequest*,
                          grpc::ServerWriter<schema::SQLQueryResult>*) override;
  grpc::Status CreateDatabaseWith(Ctx*, const schema::DatabaseSettings*, Empty*) override;
  grpc::Status UpdateDatabase(Ctx*, const schema::DatabaseSettings*, Empty*) override;
  grpc::Status GetDatabaseSettings(Ctx*, const Empty*, schema::DatabaseSettings*) override;
  grpc::Status SQLExec(Ctx*, const schema::SQLExecRequest*, schema::SQLExecResult*) override;
  grpc::Status UnarySQLQuery(Ctx*, const schema::SQLQueryRequest*, schema::SQLQueryResult*) override;
  grpc::Status SQLQuery(Ctx*, const schema::SQLQueryRequest*,
                        grpc::ServerWriter<schema::SQLQueryResult>*) override;
  grpc::Status ListTables(Ctx*, const Empty*, schema::SQLQueryResult*) override;
  grpc::Status DescribeTable(Ctx*, const schema::Table*, schema::SQLQueryResult*) override;
  grpc::Status VerifiableSQLGet(Ctx*, const schema::VerifiableSQLGetRequest*,
                                schema::VerifiableSQLEntry*) override;
  grpc::Status TruncateDatabase(Ctx*, const schema::TruncateDatabaseRequest*,
                                schema::TruncateDatabaseResponse*) override;

  // stream* calls whose handler is running now.
  int open_streams() const { return open_streams_.load(); }
  // Set and VerifiableSet calls accepted and not yet answered (counted only with
  // max_pending_sets > 0).
  int pending_sets() const { return pending_sets_.load(); }

 private:
  // A write answered after its commit (Set, VerifiableSet): gate (read-write), the
  // max_pending_sets bound, and the database's pending count; then `start(info, done)`
  // queues it, and `done(status)` (called once, on any thread) finishes the call.
  using StartWrite = std::function<void(const CallInfo&, std::function<void(Status)>)>;
  grpc::ServerUnaryReactor* StartPendingWrite(grpc::CallbackServerContext* ctx,
                                              const StartWrite& start);

  // Holds one of the max_open_streams slots while a stream* call runs.
  class StreamSlot {
   public:
    explicit StreamSlot(std::atomic<int>* open) : open_(open) {}
    StreamSlot(StreamSlot&& o) noexcept : open_(std::exchange(o.open_, nullptr)) {}
    StreamSlot(const StreamSlot&) = delete;
    ~StreamSlot() {
      if (open_ != nullptr) open_->fetch_sub(1);
    }

   private:
    std::atomic<int>* open_;
  };
  // A slot, or ResourceExhausted "too many open streams (limit N); retry later".
  Result<StreamSlot> AcquireStreamSlot();
  // What every stream* call holds while it runs: its stream slot, its caller and database,
  // and its count in the database's pending requests.
  struct StreamCall {
    std::optional<StreamSlot> slot;
    CallInfo info;
    std::optional<RequestStats::Scope> counted;
  };
  // Slot, then caller and permission (`access`), then the count; the first refusal as the
  // call's status.
  grpc::Status BeginStream(Ctx* ctx, Access access, StreamCall* call);

  // AccessControl::Authenticate behind the failed-login limiter (checked first, so refused
  // attempts compute no password hash); ResourceExhausted while backing off.
  Result<UserRecord> Authenticate(Ctx* ctx, const std::string& username,
                                  const std::string& password);
  // Resolves the caller and checks `access` on the caller's database; fills `info`.
  grpc::Status Gate(grpc::ServerContextBase* ctx, Access access, CallInfo* info) const;

  ServiceDeps deps_;
  RequestStats stats_;  // per database, for DatabaseHealth
  std::atomic<int> open_streams_{0};
  std::atomic<int> pending_sets_{0};
};

}  // namespace immudb::server

// The database-backed RPCs: gate (caller + permission), then the KvHandlers method.
#include "server/immu_service.h"
#include "server/status_map.h"

namespace immudb::server {

// The data RPCs, one line each: name, request, response, permission needed.
// (GetAll needs read-write in immudb's permission table.)
#define IMMUDB_DATA_RPCS(X, XE)                                                                 \
  X(Delete, schema::DeleteKeysRequest, schema::TxHeader, Access::kReadWrite)                    \
  X(ExecAll, schema::ExecAllRequest, schema::TxHeader, Access::kReadWrite)                      \
  X(SetReference, schema::ReferenceRequest, schema::TxHeader, Access::kReadWrite)               \
  X(VerifiableSetReference, schema::VerifiableReferenceRequest, schema::VerifiableTx,           \
    Access::kReadWrite)                                                                         \
  X(ZAdd, schema::ZAddRequest, schema::TxHeader, Access::kReadWrite)                            \
  X(VerifiableZAdd, schema::VerifiableZAddRequest, schema::VerifiableTx, Access::kReadWrite)    \
  X(GetAll, schema::KeyListRequest, schema::Entries, Access::kReadWrite)                        \
  X(Get, schema::KeyRequest, schema::Entry, Access::kRead)                                      \
  X(VerifiableGet, schema::VerifiableGetRequest, schema::VerifiableEntry, Access::kRead)        \
  X(Scan, schema::ScanRequest, schema::Entries, Access::kRead)                                  \
  X(Count, schema::KeyPrefix, schema::EntryCount, Access::kRead)                                \
  XE(CountAll, schema::EntryCount, Access::kRead)                                               \
  X(TxById, schema::TxRequest, schema::Tx, Access::kRead)                                       \
  X(VerifiableTxById, schema::VerifiableTxRequest, schema::VerifiableTx, Access::kRead)         \
  X(TxScan, schema::TxScanRequest, schema::TxList, Access::kRead)                               \
  X(History, schema::HistoryRequest, schema::Entries, Access::kRead)                            \
  X(ZScan, schema::ZScanRequest, schema::ZEntries, Access::kRead)                               \
  XE(CurrentState, schema::ImmutableState, Access::kRead)                                       \
  X(FlushIndex, schema::FlushIndexRequest, schema::FlushIndexResponse, Access::kAdmin)

// Gate (caller + permission), then the KvHandlers method.
#define IMMUDB_FORWARD(Rpc, Req, Resp, access)                                    \
  grpc::Status ImmuServiceImpl::Rpc(Ctx* ctx, const Req* req, Resp* resp) {       \
    CallInfo info;                                                                \
    if (grpc::Status g = Gate(ctx, access, &info); !g.ok()) return g;             \
    auto counted = stats_.Begin(info.database);                                   \
    return ToGrpcStatus(deps_.kv->Rpc(info, *req, resp));                         \
  }
#define IMMUDB_FORWARD_EMPTY(Rpc, Resp, access)                                   \
  grpc::Status ImmuServiceImpl::Rpc(Ctx* ctx, const Empty*, Resp* resp) {         \
    CallInfo info;                                                                \
    if (grpc::Status g = Gate(ctx, access, &info); !g.ok()) return g;             \
    auto counted = stats_.Begin(info.database);                                   \
    return ToGrpcStatus(deps_.kv->Rpc(info, resp));                               \
  }

IMMUDB_DATA_RPCS(IMMUDB_FORWARD, IMMUDB_FORWARD_EMPTY)

grpc::ServerUnaryReactor* ImmuServiceImpl::StartPendingWrite(grpc::CallbackServerContext* ctx,
                                                             const StartWrite& start) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  CallInfo info;
  if (grpc::Status g = Gate(ctx, Access::kReadWrite, &info); !g.ok()) {
    reactor->Finish(g);
    return reactor;
  }
  // Writes waiting for their commit hold no thread, so they are bounded here instead (as the
  // thread pool bounded them when each held one).
  const int limit = deps_.max_pending_sets;
  if (limit > 0 && pending_sets_.fetch_add(1) >= limit) {
    pending_sets_.fetch_sub(1);
    reactor->Finish(ToGrpcStatus(ResourceExhausted(
        "too many Set/VerifiableSet calls in flight (limit " + std::to_string(limit) + "); retry later")));
    return reactor;
  }
  // Counted among the database's pending requests until the call is answered; the callback
  // is the only owner of the count, so it ends before the answer goes out.
  auto counted = std::make_shared<RequestStats::Scope>(&stats_, info.database);
  start(info, [this, reactor, limit, counted = std::move(counted)](Status st) mutable {
    counted.reset();
    if (limit > 0) pending_sets_.fetch_sub(1);
    reactor->Finish(ToGrpcStatus(st));
  });
  return reactor;
}

grpc::ServerUnaryReactor* ImmuServiceImpl::Set(grpc::CallbackServerContext* ctx,
                                               const schema::SetRequest* req,
                                               schema::TxHeader* resp) {
  return StartPendingWrite(ctx, [&](const CallInfo& info, std::function<void(Status)> done) {
    deps_.kv->SetAsync(info, *req, resp, std::move(done));
  });
}

grpc::ServerUnaryReactor* ImmuServiceImpl::VerifiableSet(grpc::CallbackServerContext* ctx,
                                                         const schema::VerifiableSetRequest* req,
                                                         schema::VerifiableTx* resp) {
  return StartPendingWrite(ctx, [&](const CallInfo& info, std::function<void(Status)> done) {
    deps_.kv->VerifiableSetAsync(info, *req, resp, std::move(done));
  });
}

grpc::Status ImmuServiceImpl::DatabaseHealth(Ctx* ctx, const Empty*,
                                             schema::DatabaseHealthResponse* resp) {
  CallInfo info;
  if (grpc::Status g = Gate(ctx, Access::kRead, &info); !g.ok()) return g;
  RequestStats::Snapshot s = stats_.Get(info.database);
  resp->set_pendingrequests(s.pending);
  resp->set_lastrequestcompletedat(s.last_completed_unix_ms);
  return grpc::Status::OK;
}

grpc::Status ImmuServiceImpl::CompactIndex(Ctx* ctx, const Empty*, Empty*) {
  CallInfo info;
  if (grpc::Status g = Gate(ctx, Access::kAdmin, &info); !g.ok()) return g;
  return ToGrpcStatus(deps_.kv->CompactIndex(info));
}

#undef IMMUDB_FORWARD
#undef IMMUDB_FORWARD_EMPTY

// Catalog: these do not need a selected database.
grpc::Status ImmuServiceImpl::CreateDatabaseV2(Ctx* ctx, const schema::CreateDatabaseRequest* req,
                                               schema::CreateDatabaseResponse* resp) {
  auto caller = ResolveCaller(ctx);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (!caller->user.sysadmin) return ToGrpcStatus(PermissionDenied("permission denied"));
  CallInfo info{caller->principal.username, caller->principal.database, ctx};
  return ToGrpcStatus(deps_.kv->CreateDatabaseV2(info, *req, resp));
}

grpc::Status ImmuServiceImpl::DatabaseListV2(Ctx* ctx, const schema::DatabaseListRequestV2*,
                                             schema::DatabaseListResponseV2* resp) {
  auto caller = ResolveCaller(ctx);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  CallInfo info{caller->principal.username, caller->principal.database, ctx};
  Status st = deps_.kv->DatabaseListV2(info, resp);
  if (st.code() == Code::kUnimplemented) {
    // No catalog plugged in: the names the directory knows.
    for (const std::string& name : deps_.databases->List()) {
      auto* db = resp->add_databases();
      db->set_name(name);
      db->set_loaded(true);
    }
  } else if (!st.ok()) {
    return ToGrpcStatus(st);
  }
  // Non-sysadmins see only the databases they hold a permission on.
  if (!caller->user.sysadmin) {
    auto* dbs = resp->mutable_databases();
    for (int i = dbs->size() - 1; i >= 0; --i) {
      if (caller->user.PermissionOn(dbs->Get(i).name()) == kPermissionNone) dbs->DeleteSubrange(i, 1);
    }
  }
  return grpc::Status::OK;
}

grpc::Status ImmuServiceImpl::DatabaseList(Ctx* ctx, const Empty*,
                                           schema::DatabaseListResponse* resp) {
  auto caller = ResolveCaller(ctx);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  for (const std::string& name : deps_.databases->List()) {
    if (!caller->user.sysadmin && caller->user.PermissionOn(name) == kPermissionNone) continue;
    resp->add_databases()->set_databasename(name);
  }
  return grpc::Status::OK;
}

}  // namespace immudb::server

namespace immudb::server {
namespace {

// Catalog changes are for the sysadmin only.
grpc::Status RequireSysAdmin(const Result<ImmuServiceImpl::Caller>& caller) {
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (!caller->user.sysadmin) return ToGrpcStatus(PermissionDenied("permission denied"));
  return grpc::Status::OK;
}

}  // namespace

grpc::Status ImmuServiceImpl::CreateDatabase(Ctx* ctx, const schema::Database* req, Empty*) {
  auto caller = ResolveCaller(ctx);
  if (grpc::Status g = RequireSysAdmin(caller); !g.ok()) return g;
  schema::CreateDatabaseRequest v2;
  v2.set_name(req->databasename());
  schema::CreateDatabaseResponse resp;
  CallInfo info{caller->principal.username, caller->principal.database, ctx};
  return ToGrpcStatus(deps_.kv->CreateDatabaseV2(info, v2, &resp));
}

#define IMMUDB_SYSADMIN_FORWARD(Rpc, Req, Resp)                                   \
  grpc::Status ImmuServiceImpl::Rpc(Ctx* ctx, const Req* req, Resp* resp) {       \
    auto caller = ResolveCaller(ctx);                                             \
    if (grpc::Status g = RequireSysAdmin(caller); !g.ok()) return g;              \
    CallInfo info{caller->principal.username, caller->principal.database, ctx};   \
    return ToGrpcStatus(deps_.kv->Rpc(info, *req, resp));                         \
  }
IMMUDB_SYSADMIN_FORWARD(LoadDatabase, schema::LoadDatabaseRequest, schema::LoadDatabaseResponse)
IMMUDB_SYSADMIN_FORWARD(UnloadDatabase, schema::UnloadDatabaseRequest, schema::UnloadDatabaseResponse)
IMMUDB_SYSADMIN_FORWARD(DeleteDatabase, schema::DeleteDatabaseRequest, schema::DeleteDatabaseResponse)
IMMUDB_SYSADMIN_FORWARD(UpdateDatabaseV2, schema::UpdateDatabaseRequest, schema::UpdateDatabaseResponse)
#undef IMMUDB_SYSADMIN_FORWARD

grpc::Status ImmuServiceImpl::GetDatabaseSettingsV2(Ctx* ctx, const schema::DatabaseSettingsRequest*,
                                                    schema::DatabaseSettingsResponse* resp) {
  CallInfo info;
  if (grpc::Status g = Gate(ctx, Access::kRead, &info); !g.ok()) return g;
  return ToGrpcStatus(deps_.kv->GetDatabaseSettingsV2(info, resp));
}

}  // namespace immudb::server

#include "server/kv_handlers.h"

namespace immudb::server {

Status NotYet(const char* feature) {
  return Unimplemented(std::string(feature) + " is not implemented yet");
}

void KvHandlers::SetAsync(const CallInfo& info, const schema::SetRequest& req,
                          schema::TxHeader* resp, std::function<void(Status)> done) {
  done(Set(info, req, resp));
}

void KvHandlers::VerifiableSetAsync(const CallInfo& info, const schema::VerifiableSetRequest& req,
                                    schema::VerifiableTx* resp, std::function<void(Status)> done) {
  done(VerifiableSet(info, req, resp));
}

#define IMMUDB_NOT_YET(name, feature, ...) \
  Status KvHandlers::name(__VA_ARGS__) { return NotYet(feature); }

IMMUDB_NOT_YET(ExportTx, "exportTx (replication)", const CallInfo&, uint64_t, Bytes*)
IMMUDB_NOT_YET(ReplicateTx, "replicateTx (replication)", const CallInfo&, ByteView, schema::TxHeader*)
IMMUDB_NOT_YET(Set, "Set (key-value writes)", const CallInfo&, const schema::SetRequest&, schema::TxHeader*)
IMMUDB_NOT_YET(VerifiableSet, "VerifiableSet (verified key-value writes)", const CallInfo&,
               const schema::VerifiableSetRequest&, schema::VerifiableTx*)
IMMUDB_NOT_YET(Delete, "Delete (logical deletion)", const CallInfo&, const schema::DeleteKeysRequest&,
               schema::TxHeader*)
IMMUDB_NOT_YET(ExecAll, "ExecAll (multi-operation transactions)", const CallInfo&,
               const schema::ExecAllRequest&, schema::TxHeader*)
IMMUDB_NOT_YET(SetReference, "SetReference (references)", const CallInfo&,
               const schema::ReferenceRequest&, schema::TxHeader*)
IMMUDB_NOT_YET(VerifiableSetReference, "VerifiableSetReference (verified references)",
               const CallInfo&, const schema::VerifiableReferenceRequest&, schema::VerifiableTx*)
IMMUDB_NOT_YET(ZAdd, "ZAdd (sorted sets)", const CallInfo&, const schema::ZAddRequest&, schema::TxHeader*)
IMMUDB_NOT_YET(VerifiableZAdd, "VerifiableZAdd (verified sorted sets)", const CallInfo&,
               const schema::VerifiableZAddRequest&, schema::VerifiableTx*)
IMMUDB_NOT_YET(GetAll, "GetAll (multi-key reads)", const CallInfo&, const schema::KeyListRequest&,
               schema::Entries*)
IMMUDB_NOT_YET(Get, "Get (key-value reads)", const CallInfo&, const schema::KeyRequest&, schema::Entry*)
IMMUDB_NOT_YET(VerifiableGet, "VerifiableGet (verified key-value reads)", const CallInfo&,
               const schema::VerifiableGetRequest&, schema::VerifiableEntry*)
IMMUDB_NOT_YET(Scan, "Scan (key range scans)", const CallInfo&, const schema::ScanRequest&, schema::Entries*)
IMMUDB_NOT_YET(Count, "Count (key counting)", const CallInfo&, const schema::KeyPrefix&, schema::EntryCount*)
IMMUDB_NOT_YET(CountAll, "CountAll (key counting)", const CallInfo&, schema::EntryCount*)
IMMUDB_NOT_YET(TxById, "TxById (transaction reads)", const CallInfo&, const schema::TxRequest&, schema::Tx*)
IMMUDB_NOT_YET(VerifiableTxById, "VerifiableTxById (verified transaction reads)", const CallInfo&,
               const schema::VerifiableTxRequest&, schema::VerifiableTx*)
IMMUDB_NOT_YET(TxScan, "TxScan (transaction scans)", const CallInfo&, const schema::TxScanRequest&,
               schema::TxList*)
IMMUDB_NOT_YET(History, "History (key history)", const CallInfo&, const schema::HistoryRequest&,
               schema::Entries*)
IMMUDB_NOT_YET(ZScan, "ZScan (sorted set scans)", const CallInfo&, const schema::ZScanRequest&,
               schema::ZEntries*)
IMMUDB_NOT_YET(CurrentState, "CurrentState (database state)", const CallInfo&, schema::ImmutableState*)
IMMUDB_NOT_YET(FlushIndex, "FlushIndex (index maintenance)", const CallInfo&,
               const schema::FlushIndexRequest&, schema::FlushIndexResponse*)
IMMUDB_NOT_YET(CompactIndex, "CompactIndex (index maintenance)", const CallInfo&)
IMMUDB_NOT_YET(CreateDatabaseV2, "CreateDatabaseV2 (database creation)", const CallInfo&,
               const schema::CreateDatabaseRequest&, schema::CreateDatabaseResponse*)
IMMUDB_NOT_YET(DatabaseListV2, "DatabaseListV2 (database catalog)", const CallInfo&,
               schema::DatabaseListResponseV2*)
IMMUDB_NOT_YET(LoadDatabase, "LoadDatabase (database loading)", const CallInfo&,
               const schema::LoadDatabaseRequest&, schema::LoadDatabaseResponse*)
IMMUDB_NOT_YET(UnloadDatabase, "UnloadDatabase (database unloading)", const CallInfo&,
               const schema::UnloadDatabaseRequest&, schema::UnloadDatabaseResponse*)
IMMUDB_NOT_YET(DeleteDatabase, "DeleteDatabase (database deletion)", const CallInfo&,
               const schema::DeleteDatabaseRequest&, schema::DeleteDatabaseResponse*)
IMMUDB_NOT_YET(UpdateDatabaseV2, "UpdateDatabaseV2 (database settings)", const CallInfo&,
               const schema::UpdateDatabaseRequest&, schema::UpdateDatabaseResponse*)
IMMUDB_NOT_YET(GetDatabaseSettingsV2, "GetDatabaseSettingsV2 (database settings)",
               const CallInfo&, schema::DatabaseSettingsResponse*)

#undef IMMUDB_NOT_YET

}  // namespace immudb::server

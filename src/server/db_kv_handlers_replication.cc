// DbKvHandlers: exportTx / replicateTx over db::Database::ExportTx / ReplicateTx.
#include "server/db_kv_handlers.h"
#include "server/proto_convert.h"

namespace immudb::server {

Status DbKvHandlers::ExportTx(const CallInfo& info, uint64_t tx, Bytes* exported) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  IMMUDB_ASSIGN_OR_RETURN(*exported, database->ExportTx(tx));
  return Status::Ok();
}

Status DbKvHandlers::ReplicateTx(const CallInfo& info, ByteView exported, schema::TxHeader* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  IMMUDB_ASSIGN_OR_RETURN(ledger::TxHeader h, database->ReplicateTx(exported));
  ToProto(h, resp);
  return Status::Ok();
}

}  // namespace immudb::server

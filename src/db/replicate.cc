// Database: export and replication of single transactions (the exportTx / replicateTx RPCs,
// immuadmin hot-backup / hot-restore). The store does the checks; the database maps errors
// and keeps the index up to date.
#include "db/database.h"
#include "db/errors.h"

namespace immudb::db {

Result<Bytes> Database::ExportTx(uint64_t tx) {
  if (tx == 0) return errors::IllegalArguments("tx must be greater than 0");
  auto bytes = store_->ExportTx(tx);
  if (!bytes.ok() && bytes.status().code() == Code::kNotFound) return errors::TxNotFound();
  return bytes;
}

Result<TxHeader> Database::ReplicateTx(ByteView exported) {
  IMMUDB_ASSIGN_OR_RETURN(store::CommitResult r, store_->ReplicateTx(exported));
  IMMUDB_RETURN_IF_ERROR(WaitForIndexingUpto(r.header.id));
  return r.header;
}

}  // namespace immudb::db

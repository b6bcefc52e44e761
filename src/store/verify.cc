// Verify(): re-reads and re-hashes the whole committed prefix.
#include "store/chain_check.h"
#include "store/log_format.h"
#include "store/store_impl.h"

namespace immudb::store {

Status Store::Impl::Verify() const {
  const uint64_t last = committed();
  AhtNodes rebuilt(aht_file_.get());
  IMMUDB_RETURN_IF_ERROR(rebuilt.ResetTo(0));
  ChainPosition pos{0, ledger::GenesisAlh(), 0, 0};
  Tx tx;
  for (uint64_t id = 1; id <= last; ++id) {
    auto rec = ReadCommitRecord(*commit_log_, id);
    if (!rec.ok()) {
      if (rec.status().code() == Code::kOutOfRange) {
        return Corruption("commit log ends before committed tx " + std::to_string(id) + ": " +
                          rec.status().message());
      }
      return rec.status();
    }
    const std::string where = commit_log_->Describe(CommitRecordOffset(id));
    IMMUDB_RETURN_IF_ERROR(ReadTxAt(*rec, &tx));
    Digest bl_root{};
    if (id > 1) {
      IMMUDB_ASSIGN_OR_RETURN(bl_root, rebuilt.Root());
    }
    IMMUDB_RETURN_IF_ERROR(
        CheckNextTx(tx, *rec, bl_root, meta_.header_version, "commit record at " + where, &pos));
    verified_.Add(id, id);  // CheckNextTx recomputed its Eh
    for (const ValueRef& ref : tx.value_refs) IMMUDB_RETURN_IF_ERROR(ReadValue(ref).status());
    IMMUDB_RETURN_IF_ERROR(rebuilt.Append(rec->alh));
    if (rebuilt.staged_size() - rebuilt.flushed_size() >= 4096 || id == last) {
      IMMUDB_RETURN_IF_ERROR(rebuilt.CompareStagedWithFile());
    }
  }
  IMMUDB_ASSIGN_OR_RETURN(std::optional<Checkpoint> cp, ReadCheckpoint(env_, dir_));
  if (cp && cp->tx_id > 0 && cp->tx_id <= last) {
    IMMUDB_ASSIGN_OR_RETURN(Digest alh, ReadAlh(cp->tx_id));
    IMMUDB_ASSIGN_OR_RETURN(Digest root, AhtRoot(cp->tx_id));
    if (alh != cp->alh || root != cp->aht_root) {
      return Corruption(JoinPath(dir_, std::string(format::kCheckpointFile)) +
                        " disagrees with tx " + std::to_string(cp->tx_id));
    }
  }
  return Status::Ok();
}

}  // namespace immudb::store

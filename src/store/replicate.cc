// Export and replication of single transactions (immudb's ExportTx / ReplicateTx bytes).
//
// A replicated tx is committed through the ordinary commit path with its own timestamp and
// metadata; a precondition run by the committer (after every earlier tx is committed) checks
// that it extends this store's chain exactly. Together with the Eh re-computed here, that
// fixes every field of the header the committer builds, so the committed header and Alh are
// the exported ones.
#include <string>

#include "ledger/tx_export.h"
#include "store/store.h"

namespace immudb::store {

Result<Bytes> Store::ExportTx(uint64_t id) const {
  IMMUDB_ASSIGN_OR_RETURN(Tx tx, ReadTx(id));
  ledger::ExportedTx out;
  out.header = tx.header;
  out.entries.resize(tx.entries.size());
  for (size_t i = 0; i < tx.entries.size(); ++i) {
    out.entries[i].key = tx.entries[i].key;
    out.entries[i].metadata = tx.entries[i].metadata;
    IMMUDB_ASSIGN_OR_RETURN(out.entries[i].value, ReadValue(tx.value_refs[i]));
  }
  return ledger::EncodeExportedTx(out);
}

Result<CommitResult> Store::ReplicateTx(ByteView exported) {
  IMMUDB_ASSIGN_OR_RETURN(ledger::ExportedTx parsed, ledger::ParseExportedTx(exported));
  const ledger::TxHeader& want = parsed.header;
  const std::string tx = "tx " + std::to_string(want.id);
  if (want.id == 0) return InvalidArgument("tx 0 cannot be replicated");
  if (want.version != header_version()) {
    return FailedPrecondition(tx + ": header version " + std::to_string(want.version) +
                              ", this database writes version " +
                              std::to_string(header_version()));
  }
  if (want.bl_tx_id != want.id - 1) {
    return FailedPrecondition(tx + ": BlTxID " + std::to_string(want.bl_tx_id) +
                              " (this store links every tx to all earlier ones: " +
                              std::to_string(want.id - 1) + ")");
  }
  // Entries -> Eh: the values given must be the ones the header committed to.
  IMMUDB_RETURN_IF_ERROR(ledger::CheckExportedEntries(parsed));
  IMMUDB_ASSIGN_OR_RETURN(Digest want_alh, want.Alh());

  CommitOptions co;
  co.metadata = want.metadata;
  co.timestamp = want.ts;
  // Runs on the committer with every earlier tx committed: the tx must be the next one and
  // chain onto this store's last Alh and ahtree.
  co.precondition = [this, &want, &tx](uint64_t last) -> Status {
    if (last >= want.id) {
      return AlreadyExists(tx + " is already committed (the database is at tx " +
                           std::to_string(last) + ")");
    }
    if (last + 1 != want.id) {
      return FailedPrecondition(tx + " does not follow the database's last tx " +
                                std::to_string(last) + ": txs " + std::to_string(last + 1) +
                                ".." + std::to_string(want.id - 1) + " are missing");
    }
    IMMUDB_ASSIGN_OR_RETURN(Digest prev, ReadAlh(last));
    if (prev != want.prev_alh) {
      return FailedPrecondition(tx + ": PrevAlh " + HexEncode(want.prev_alh) +
                                " differs from the Alh of tx " + std::to_string(last) +
                                " here (" + HexEncode(prev) + ")");
    }
    Digest root = ledger::kZeroDigest;
    if (last > 0) {
      IMMUDB_ASSIGN_OR_RETURN(root, AhtRoot(last));
    }
    if (root != want.bl_root) {
      return FailedPrecondition(tx + ": BlRoot " + HexEncode(want.bl_root) +
                                " differs from the ahtree root over txs 1.." +
                                std::to_string(last) + " here (" + HexEncode(root) + ")");
    }
    return Status::Ok();
  };
  std::vector<EntryInput> inputs(parsed.entries.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    inputs[i].key = std::move(parsed.entries[i].key);
    inputs[i].value = std::move(parsed.entries[i].value);
    inputs[i].metadata = parsed.entries[i].metadata;
  }
  Result<CommitResult> r = Commit(std::move(inputs), std::move(co));
  if (!r.ok()) {
    const std::string& m = r.status().message();
    if (m.rfind(tx, 0) == 0) return r.status();
    return Status(r.status().code(), tx + ": " + m);
  }
  if (r->alh != want_alh || !(r->header == want)) {
    // Cannot happen when the checks above passed: every header field was fixed by them.
    return Internal(tx + ": committed with Alh " + HexEncode(r->alh) + " instead of " +
                    HexEncode(want_alh));
  }
  return r;
}

}  // namespace immudb::store

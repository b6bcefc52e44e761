#include "store/chain_check.h"

#include "ledger/tx.h"

namespace immudb::store {

Status CheckNextTx(const Tx& tx, const CommitRecord& rec, const Digest& bl_root,
                   int32_t header_version, const std::string& where, ChainPosition* pos) {
  const ledger::TxHeader& h = tx.header;
  const uint64_t id = pos->tx_id + 1;
  auto bad = [&](const std::string& why) {
    return Corruption("tx " + std::to_string(id) + " (" + where + "): " + why);
  };
  if (rec.tx_id != id || h.id != id) return bad("out of sequence");
  if (rec.tx_offset != pos->tx_log_end) {
    return bad("tx record at offset " + std::to_string(rec.tx_offset) + ", expected " +
               std::to_string(pos->tx_log_end));
  }
  if (h.prev_alh != pos->alh) return bad("PrevAlh does not match the Alh of the previous tx");
  if (h.bl_tx_id != id - 1) return bad("BlTxID is " + std::to_string(h.bl_tx_id));
  const Digest& want_root = id == 1 ? ledger::kZeroDigest : bl_root;
  if (h.bl_root != want_root) return bad("BlRoot does not match the ahtree root of tx " +
                                         std::to_string(id - 1));
  if (h.version != header_version) {
    return bad("header version " + std::to_string(h.version) + ", the store writes " +
               std::to_string(header_version));
  }
  if (h.n_entries != tx.entries.size()) return bad("entry count mismatch");
  auto eh = ledger::ComputeEh(h.version, tx.entries);
  if (!eh.ok()) return bad(eh.status().message());
  if (*eh != h.eh) return bad("Eh does not match the entries");
  uint64_t v = pos->value_log_end;
  for (size_t i = 0; i < tx.value_refs.size(); ++i) {
    if (tx.value_refs[i].offset != v) {
      return bad("value of entry " + std::to_string(i) + " at offset " +
                 std::to_string(tx.value_refs[i].offset) + ", expected " + std::to_string(v));
    }
    v += tx.value_refs[i].length;
  }
  if (v != rec.value_log_end) return bad("value log end disagrees with the commit record");
  pos->tx_id = id;
  pos->alh = rec.alh;
  pos->tx_log_end = rec.tx_end();
  pos->value_log_end = rec.value_log_end;
  return Status::Ok();
}

}  // namespace immudb::store

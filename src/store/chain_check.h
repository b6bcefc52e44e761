// The checks that tie one decoded transaction to its predecessors, shared by recovery (for
// the transactions after the last checkpoint) and Verify() (for all of them).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "store/commit_log.h"
#include "store/store.h"

namespace immudb::store {

// Where the chain stands before a transaction.
struct ChainPosition {
  uint64_t tx_id = 0;          // last tx checked
  Digest alh{};                // its Alh (GenesisAlh() before tx 1)
  uint64_t tx_log_end = 0;     // where the next tx record must start
  uint64_t value_log_end = 0;  // where the next tx's values must start
};

// Checks that tx (already read through rec and matching rec's Alh) follows `pos`: its id,
// tx record offset, PrevAlh, BlTxID = id - 1, BlRoot == bl_root (ignored for tx 1, which
// must carry zeros), header version, Eh recomputed from its entries, and values laid out
// back to back from pos.value_log_end to rec.value_log_end. `where` names the record for
// messages. Advances pos on success; Corruption otherwise.
Status CheckNextTx(const Tx& tx, const CommitRecord& rec, const Digest& bl_root,
                   int32_t header_version, const std::string& where, ChainPosition* pos);

}  // namespace immudb::store

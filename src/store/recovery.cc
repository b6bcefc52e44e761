// Recovery on open. The commit log decides what exists: its records are read from the last
// checkpoint on until the first one that is missing or fails its checksum (the torn tail of
// a crash). Every transaction after the checkpoint is re-read and re-checked (checksums, Alh
// chain, BlRoot, Eh) and its ahtree nodes are rebuilt from its Alh; bytes after the last
// complete commit are dropped. Damage to anything a commit record or the checkpoint vouches
// for is Corruption, never a truncation.
#include "store/chain_check.h"
#include "store/log_format.h"
#include "store/store_impl.h"

namespace immudb::store {
namespace {

// Nodes staged during recovery before they are written out.
constexpr uint64_t kFlushEveryTxs = 4096;

}  // namespace

Status Store::Impl::Recover() {
  const std::string cp_path = JoinPath(dir_, std::string(format::kCheckpointFile));
  IMMUDB_ASSIGN_OR_RETURN(std::optional<Checkpoint> cp_opt, ReadCheckpoint(env_, dir_));
  Checkpoint cp;
  if (cp_opt) {
    cp = *cp_opt;
  } else {
    cp.alh = ledger::GenesisAlh();
  }
  if (cp.tx_id > 0) {
    auto rec = ReadCommitRecord(*commit_log_, cp.tx_id);
    if (!rec.ok()) {
      return Corruption(cp_path + " vouches for tx " + std::to_string(cp.tx_id) +
                        " but its commit record is unusable: " + rec.status().message());
    }
    if (rec->alh != cp.alh || rec->tx_end() != cp.tx_log_end ||
        rec->value_log_end != cp.value_log_end) {
      return Corruption(cp_path + " disagrees with the commit record of tx " +
                        std::to_string(cp.tx_id) + " (" +
                        commit_log_->Describe(CommitRecordOffset(cp.tx_id)) + ")");
    }
  }
  Status st = aht_->ResetTo(cp.tx_id);
  if (!st.ok()) {
    return Corruption("ahtree nodes up to checkpointed tx " + std::to_string(cp.tx_id) +
                      " are unusable: " + st.message());
  }
  if (cp.tx_id > 0) {
    IMMUDB_ASSIGN_OR_RETURN(Digest root, aht_->Root());
    if (root != cp.aht_root) {
      return Corruption("ahtree root of tx " + std::to_string(cp.tx_id) + " read from " +
                        aht_file_->dir() + " differs from the one in " + cp_path);
    }
  }

  ChainPosition pos{cp.tx_id, cp.alh, cp.tx_log_end, cp.value_log_end};
  Tx tx;
  for (;;) {
    const uint64_t id = pos.tx_id + 1;
    uint8_t buf[format::kCommitRecordSize];
    Status rs = commit_log_->Read(CommitRecordOffset(id), sizeof(buf), buf);
    if (rs.code() == Code::kOutOfRange) break;  // the log ends (or was cut) before it
    if (rs.code() == Code::kCorruption) {
      // A damaged segment header: only the newest segment can be one whose creation was
      // cut short (and then it holds no commit record yet).
      uint64_t seg = CommitRecordOffset(id) / commit_log_->segment_size();
      if (seg + 1 < commit_log_->NumSegments()) return rs;
      break;
    }
    IMMUDB_RETURN_IF_ERROR(rs);
    CommitRecord rec;
    if (!DecodeCommitRecord(buf, &rec)) break;  // torn or never written
    const std::string where = commit_log_->Describe(CommitRecordOffset(id));
    if (rec.tx_id != id) {
      return Corruption("commit record at " + where + " names tx " + std::to_string(rec.tx_id) +
                        ", expected " + std::to_string(id));
    }
    // A checksum-valid commit record is only written after its tx record and values were
    // made durable: from here on every problem is damage, not a torn write.
    IMMUDB_RETURN_IF_ERROR(ReadTxAt(rec, &tx));
    Digest bl_root{};
    if (id > 1) {
      IMMUDB_ASSIGN_OR_RETURN(bl_root, aht_->Root());
    }
    IMMUDB_RETURN_IF_ERROR(CheckNextTx(tx, rec, bl_root, meta_.header_version,
                                       "commit record at " + where, &pos));
    verified_.Add(id, id);  // CheckNextTx recomputed its Eh
    IMMUDB_RETURN_IF_ERROR(aht_->Append(rec.alh));
    if (aht_->staged_size() - aht_->flushed_size() >= kFlushEveryTxs) {
      IMMUDB_RETURN_IF_ERROR(aht_->Flush());
    }
  }

  // A torn tail is at most the last group; an intact record of a later tx behind a bad one
  // means the bad one was damaged after it was committed.
  const uint64_t n = pos.tx_id;
  for (uint64_t k = n + 2; k <= n + 1 + opts_.max_batch_txs; ++k) {
    uint8_t buf[format::kCommitRecordSize];
    if (!commit_log_->Read(CommitRecordOffset(k), sizeof(buf), buf).ok()) break;
    CommitRecord rec;
    if (DecodeCommitRecord(buf, &rec) && rec.tx_id == k) {
      return Corruption("commit record of tx " + std::to_string(n + 1) + " at " +
                        commit_log_->Describe(CommitRecordOffset(n + 1)) +
                        " is damaged but the record of tx " + std::to_string(k) +
                        " after it is intact");
    }
  }

  IMMUDB_RETURN_IF_ERROR(aht_->Flush());
  IMMUDB_RETURN_IF_ERROR(commit_log_->SetEnd(n * format::kCommitRecordSize));
  IMMUDB_RETURN_IF_ERROR(tx_log_->SetEnd(pos.tx_log_end));
  IMMUDB_RETURN_IF_ERROR(value_log_->SetEnd(pos.value_log_end));
  IMMUDB_RETURN_IF_ERROR(
      aht_file_->SetEnd(ledger::ahtree::NodeCount(n) * format::kAhtNodeSize));

  last_id_ = n;
  last_alh_ = pos.alh;
  tx_log_end_ = pos.tx_log_end;
  value_log_end_ = pos.value_log_end;
  last_checkpoint_id_ = cp.tx_id;
  {
    std::lock_guard<std::mutex> l(state_mu_);
    state_ = StoreState{n, pos.alh};
    committed_.store(n, std::memory_order_release);
  }
  // Vouch for what was recovered, so the next open starts here.
  if (n != cp.tx_id || !cp_opt) IMMUDB_RETURN_IF_ERROR(TakeCheckpoint());
  return Status::Ok();
}

}  // namespace immudb::store

// Reads and proofs over the committed prefix. Nothing here takes the committer's locks:
// the committed tx id is an atomic published after the data it covers was written.
#include <algorithm>

#include "ledger/ahtree.h"
#include "store/log_format.h"
#include "store/store_impl.h"
#include "store/tx_record.h"

namespace immudb::store {
namespace {

// Start of every read-time integrity failure (immudb's ErrCorruptedTxData wording).
std::string TxCorruptedPrefix(uint64_t id) {
  return "tx data is corrupted: ALH mismatch at tx " + std::to_string(id);
}

// The ledger's view of the committed chain.
class ChainView final : public ledger::TxChainSource {
 public:
  explicit ChainView(const Store::Impl* s) : s_(s) {}
  Result<Digest> Alh(uint64_t tx) const override { return s_->ReadAlh(tx); }
  Result<Digest> InnerHash(uint64_t tx) const override {
    IMMUDB_ASSIGN_OR_RETURN(ledger::TxHeader h, s_->ReadTxHeader(tx));
    return h.InnerHash();
  }

 private:
  const Store::Impl* s_;
};

}  // namespace

StoreState Store::Impl::CurrentState() const {
  std::lock_guard<std::mutex> l(state_mu_);
  return state_;
}

Result<Digest> Store::Impl::ReadAlh(uint64_t id) const {
  if (id == 0) return ledger::GenesisAlh();
  if (id > committed()) return NotFound("tx " + std::to_string(id) + " not found");
  IMMUDB_ASSIGN_OR_RETURN(CommitRecord rec, ReadCommitRecord(*commit_log_, id));
  return rec.alh;
}

Status Store::Impl::ReadTxAt(const CommitRecord& rec, Tx* tx, bool header_only) const {
  constexpr uint32_t kMaxTxRecord = 1u << 30;  // far above any record the limits allow
  if (rec.tx_size > kMaxTxRecord) {
    return Corruption("commit record of tx " + std::to_string(rec.tx_id) + " (" +
                      commit_log_->Describe(CommitRecordOffset(rec.tx_id)) +
                      ") gives an impossible tx record size " + std::to_string(rec.tx_size));
  }
  Bytes buf(rec.tx_size);
  Status st = tx_log_->Read(rec.tx_offset, buf.size(), buf.data());
  if (st.code() == Code::kOutOfRange) {
    return Corruption("tx record of tx " + std::to_string(rec.tx_id) + " at " +
                      tx_log_->Describe(rec.tx_offset) + " is cut short: " + st.message());
  }
  IMMUDB_RETURN_IF_ERROR(st);
  const std::string where = tx_log_->Describe(rec.tx_offset) + " (tx " +
                            std::to_string(rec.tx_id) + ")";
  IMMUDB_RETURN_IF_ERROR(DecodeTxRecord(buf, where, tx, header_only));
  if (tx->header.id != rec.tx_id) {
    return Corruption("tx record at " + where + " holds tx " + std::to_string(tx->header.id));
  }
  IMMUDB_ASSIGN_OR_RETURN(Digest alh, tx->header.Alh());
  if (alh != rec.alh) {
    return Corruption(TxCorruptedPrefix(rec.tx_id) + " (tx record at " +
                      tx_log_->Describe(rec.tx_offset) +
                      ": header does not hash to the Alh in the commit log at " +
                      commit_log_->Describe(CommitRecordOffset(rec.tx_id)) + ")");
  }
  tx->alh = rec.alh;
  return Status::Ok();
}

Status Store::Impl::CheckEntriesHashToEh(const Tx& tx, const std::string& where) const {
  txs_hashed_on_read_.fetch_add(1, std::memory_order_relaxed);
  const ledger::TxHeader& h = tx.header;
  auto bad = [&](const std::string& why) {
    return Corruption(TxCorruptedPrefix(h.id) + " (tx record at " + where + ": " + why + ")");
  };
  if (h.version != meta_.header_version) {
    return bad("header version " + std::to_string(h.version) + ", the store writes " +
               std::to_string(meta_.header_version));
  }
  if (h.n_entries != tx.entries.size()) return bad("entry count differs from the header");
  auto eh = ledger::ComputeEh(h.version, tx.entries);
  if (!eh.ok()) return bad(eh.status().message());
  if (*eh != h.eh) return bad("entries do not hash to the header's Eh");
  return Status::Ok();
}

Status Store::Impl::ReadVerifiedTxAt(const CommitRecord& rec, Tx* tx) const {
  IMMUDB_RETURN_IF_ERROR(ReadTxAt(rec, tx));
  if (verified_.Contains(rec.tx_id)) return Status::Ok();
  IMMUDB_RETURN_IF_ERROR(CheckEntriesHashToEh(
      *tx, tx_log_->Describe(rec.tx_offset) + ", Alh in " +
               commit_log_->Describe(CommitRecordOffset(rec.tx_id))));
  verified_.Add(rec.tx_id, rec.tx_id);
  return Status::Ok();
}

Result<Tx> Store::Impl::ReadTx(uint64_t id) const {
  if (id == 0 || id > committed()) return NotFound("tx " + std::to_string(id) + " not found");
  IMMUDB_ASSIGN_OR_RETURN(CommitRecord rec, ReadCommitRecord(*commit_log_, id));
  Tx tx;
  IMMUDB_RETURN_IF_ERROR(ReadVerifiedTxAt(rec, &tx));
  return tx;
}

Result<ledger::TxHeader> Store::Impl::ReadTxHeader(uint64_t id) const {
  if (id == 0 || id > committed()) return NotFound("tx " + std::to_string(id) + " not found");
  IMMUDB_ASSIGN_OR_RETURN(CommitRecord rec, ReadCommitRecord(*commit_log_, id));
  Tx tx;
  IMMUDB_RETURN_IF_ERROR(ReadTxAt(rec, &tx, /*header_only=*/true));
  return std::move(tx.header);
}

Result<Bytes> Store::Impl::ReadValue(const ValueRef& ref) const {
  Bytes v(ref.length);
  if (ref.length > 0) {
    Status st = value_log_->Read(ref.offset, v.size(), v.data());
    if (st.code() == Code::kOutOfRange) {
      return Corruption("value of tx " + std::to_string(ref.tx_id) + " at " +
                        value_log_->Describe(ref.offset) + " is cut short: " + st.message());
    }
    IMMUDB_RETURN_IF_ERROR(st);
  }
  if (crypto::Sha256(v) != ref.hash) {
    return Corruption("value of tx " + std::to_string(ref.tx_id) + " at " +
                      value_log_->Describe(ref.offset) + " (" + std::to_string(ref.length) +
                      " bytes) does not match its hash");
  }
  return v;
}

Status Store::Impl::ForEachTx(uint64_t from, uint64_t to,
                              const std::function<Status(const Tx&)>& fn) const {
  to = std::min(to, committed());
  for (uint64_t id = std::max<uint64_t>(from, 1); id <= to; ++id) {
    IMMUDB_ASSIGN_OR_RETURN(Tx tx, ReadTx(id));
    IMMUDB_RETURN_IF_ERROR(fn(tx));
  }
  return Status::Ok();
}

namespace {
Status CheckRange(uint64_t s, uint64_t t, uint64_t last, const char* what) {
  if (s == 0 || s > t) {
    return InvalidArgument(std::string(what) + ": need 1 <= source <= target, got " +
                           std::to_string(s) + ", " + std::to_string(t));
  }
  if (t > last) {
    return NotFound(std::string(what) + ": tx " + std::to_string(t) +
                    " not committed (last is " + std::to_string(last) + ")");
  }
  return Status::Ok();
}
}  // namespace

Result<ledger::DualProof> Store::Impl::DualProof(uint64_t s, uint64_t t) const {
  const uint64_t last = committed();
  IMMUDB_RETURN_IF_ERROR(CheckRange(s, t, last, "dual proof"));
  IMMUDB_ASSIGN_OR_RETURN(ledger::TxHeader src, ReadTxHeader(s));
  IMMUDB_ASSIGN_OR_RETURN(ledger::TxHeader dst, ReadTxHeader(t));
  ChainView chain(this);
  return ledger::BuildDualProof(src, dst, chain, aht_->ViewAt(last));
}

Result<ledger::DualProofV2> Store::Impl::DualProofV2(uint64_t s, uint64_t t) const {
  const uint64_t last = committed();
  IMMUDB_RETURN_IF_ERROR(CheckRange(s, t, last, "dual proof"));
  IMMUDB_ASSIGN_OR_RETURN(ledger::TxHeader src, ReadTxHeader(s));
  IMMUDB_ASSIGN_OR_RETURN(ledger::TxHeader dst, ReadTxHeader(t));
  return ledger::BuildDualProofV2(src, dst, aht_->ViewAt(last));
}

Result<ledger::LinearProof> Store::Impl::LinearProof(uint64_t s, uint64_t t) const {
  IMMUDB_RETURN_IF_ERROR(CheckRange(s, t, committed(), "linear proof"));
  ChainView chain(this);
  return ledger::BuildLinearProof(chain, s, t);
}

Result<std::pair<ledger::TxEntry, ledger::HTreeProof>> Store::Impl::EntryProof(
    uint64_t tx_id, ByteView key) const {
  IMMUDB_ASSIGN_OR_RETURN(Tx tx, ReadTx(tx_id));
  IMMUDB_ASSIGN_OR_RETURN(size_t i, tx.FindEntry(key));
  IMMUDB_ASSIGN_OR_RETURN(ledger::HTreeProof proof, tx.EntryProof(i));
  return std::make_pair(std::move(tx.entries[i]), std::move(proof));
}

Result<std::vector<Digest>> Store::Impl::AhtInclusionProof(uint64_t i, uint64_t j) const {
  const uint64_t last = committed();
  IMMUDB_RETURN_IF_ERROR(CheckRange(i, j, last, "ahtree inclusion proof"));
  return ledger::ahtree::InclusionProof(aht_->ViewAt(last), i, j);
}

Result<std::vector<Digest>> Store::Impl::AhtConsistencyProof(uint64_t i, uint64_t j) const {
  const uint64_t last = committed();
  IMMUDB_RETURN_IF_ERROR(CheckRange(i, j, last, "ahtree consistency proof"));
  return ledger::ahtree::ConsistencyProof(aht_->ViewAt(last), i, j);
}

Result<Digest> Store::Impl::AhtRoot(uint64_t n) const {
  const uint64_t last = committed();
  IMMUDB_RETURN_IF_ERROR(CheckRange(n, n, last, "ahtree root"));
  return ledger::ahtree::Root(aht_->ViewAt(last), n);
}

}  // namespace immudb::store

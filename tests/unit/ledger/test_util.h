// Helpers shared by the ledger tests: hex digests and a small in-memory chain of headers with
// its ahtree (a TxChainSource + NodeSource pair, as the store provides them).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "crypto/sha256.h"
#include "ledger/ahtree.h"
#include "ledger/linear_proof.h"
#include "ledger/tx.h"

namespace immudb::ledger::testing {

inline Bytes Hex(std::string_view hex) {
  std::string clean;
  for (char c : hex) {
    if (c != ' ') clean.push_back(c);
  }
  Bytes out;
  EXPECT_TRUE(HexDecode(clean, &out)) << hex;
  return out;
}

inline Digest D(std::string_view hex) {
  Bytes b = Hex(hex);
  Digest d{};
  EXPECT_EQ(b.size(), d.size()) << hex;
  std::copy_n(b.begin(), std::min(b.size(), d.size()), d.begin());
  return d;
}

inline std::string H(const Digest& d) { return HexEncode(crypto::View(d)); }
inline std::string H(ByteView b) { return HexEncode(b); }

// H(u64(n)).
inline Digest HashU64(uint64_t n) {
  uint8_t b[8];
  PutU64(b, n);
  return crypto::Sha256(ByteView(b, 8));
}

// A chain of committed headers plus the ahtree over their Alh values.
class MemoryChain final : public TxChainSource {
 public:
  // Appends a header (its id must be size()+1, prev_alh and bl_* as the caller wants) and its
  // Alh to the tree. Returns the Alh.
  Digest Commit(const TxHeader& h) {
    EXPECT_EQ(h.id, headers_.size() + 1);
    Result<Digest> alh = h.Alh();
    EXPECT_TRUE(alh.ok()) << alh.status().ToString();
    headers_.push_back(h);
    alhs_.push_back(*alh);
    EXPECT_TRUE(tree_.Append(*alh).ok());
    return *alh;
  }

  // Builds and commits tx id = size()+1 over `entries` with the given version, ts and BlTxID
  // (bl_tx_id <= id-1; BlRoot taken from the tree).
  TxHeader CommitEntries(const std::vector<TxEntry>& entries, int32_t version, int64_t ts,
                         uint64_t bl_tx_id) {
    TxHeader h;
    h.id = headers_.size() + 1;
    h.ts = ts;
    h.version = version;
    h.n_entries = uint32_t(entries.size());
    Result<Digest> eh = ComputeEh(version, entries);
    EXPECT_TRUE(eh.ok()) << eh.status().ToString();
    h.eh = *eh;
    h.prev_alh = alhs_.empty() ? GenesisAlh() : alhs_.back();
    h.bl_tx_id = bl_tx_id;
    if (bl_tx_id > 0) {
      Result<Digest> root = ahtree::Root(tree_, bl_tx_id);
      EXPECT_TRUE(root.ok());
      h.bl_root = *root;
    }
    Commit(h);
    return h;
  }

  Result<Digest> Alh(uint64_t tx) const override {
    if (tx == 0 || tx > alhs_.size()) return NotFound("tx " + std::to_string(tx));
    return alhs_[tx - 1];
  }
  Result<Digest> InnerHash(uint64_t tx) const override {
    if (tx == 0 || tx > headers_.size()) return NotFound("tx " + std::to_string(tx));
    return headers_[tx - 1].InnerHash();
  }

  const TxHeader& header(uint64_t tx) const { return headers_[tx - 1]; }
  const Digest& alh(uint64_t tx) const { return alhs_[tx - 1]; }
  uint64_t size() const { return headers_.size(); }
  const ahtree::MemoryTree& tree() const { return tree_; }

 private:
  std::vector<TxHeader> headers_;
  std::vector<Digest> alhs_;
  ahtree::MemoryTree tree_;
};

// A Set entry as the database layer writes it: key 0x00||key, value 0x00||value.
inline TxEntry KvEntry(std::string_view key, std::string_view value) {
  TxEntry e;
  e.key = Bytes{0x00};
  Append(e.key, AsBytes(key));
  Bytes v{0x00};
  Append(v, AsBytes(value));
  e.value_hash = crypto::Sha256(v);
  e.value_len = uint32_t(v.size());
  return e;
}

// An entry from raw store key / store value bytes.
inline TxEntry RawEntry(const Bytes& key, const Bytes& value, KvMetadata md = {}) {
  TxEntry e;
  e.key = key;
  e.metadata = md;
  e.value_hash = crypto::Sha256(value);
  e.value_len = uint32_t(value.size());
  return e;
}

}  // namespace immudb::ledger::testing

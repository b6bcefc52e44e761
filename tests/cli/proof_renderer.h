// A server simulator for client tests: an in-memory chain (the ledger tests' MemoryChain) plus
// the rendering of VerifiableTx / VerifiableEntry messages exactly as the server builds them
// (PROTOCOL.md 2.8), optionally signed with an ECDSA key.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "client/entry_encoding.h"
#include "client/proto_convert.h"
#include "crypto/ecdsa.h"
#include "ledger/dual_proof.h"
#include "ledger/htree.h"
#include "ledger/state_signature.h"
#include "schema.pb.h"
#include "unit/ledger/test_util.h"

namespace immudb::client::testing {

using ledger::testing::MemoryChain;

class ProofRenderer {
 public:
  explicit ProofRenderer(int32_t version = ledger::kTxHeaderVersion1, std::string db = "defaultdb")
      : version_(version), db_(std::move(db)) {}

  // Commits a tx holding `entries` (store-level) with modern linking; returns its id.
  uint64_t Commit(const std::vector<ledger::TxEntry>& entries) {
    uint64_t id = chain_.size() + 1;
    chain_.CommitEntries(entries, version_, 1700000000 + int64_t(id), id - 1);
    txs_.push_back(entries);
    return id;
  }
  uint64_t CommitKv(std::string_view key, std::string_view value) {
    return Commit({ledger::testing::KvEntry(key, value)});
  }

  void SetSigningKey(const crypto::EcdsaPrivateKey& key) { key_ = key; }

  const MemoryChain& chain() const { return chain_; }
  const std::string& db() const { return db_; }
  ledger::State StateAt(uint64_t tx) const {
    if (tx == 0) return ledger::EmptyState(db_);
    return ledger::State{db_, tx, chain_.alh(tx)};
  }

  // The raw Tx message of tx id.
  void RenderTx(uint64_t id, schema::Tx* out) const {
    TxHeaderToProto(chain_.header(id), out->mutable_header());
    for (const auto& e : txs_[id - 1]) TxEntryToProto(e, out->add_entries());
  }

  // VerifiableTx for a verifiable read/write of tx `tx` with the client at prove_since_tx.
  void RenderVerifiableTx(uint64_t tx, uint64_t prove_since_tx, schema::VerifiableTx* out) const {
    uint64_t source = prove_since_tx == 0 ? tx : prove_since_tx;
    uint64_t target = tx;
    if (source > target) std::swap(source, target);
    RenderTx(tx, out->mutable_tx());
    Result<ledger::DualProof> proof = ledger::BuildDualProof(
        chain_.header(source), chain_.header(target), chain_, chain_.tree());
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    DualProofToProto(*proof, out->mutable_dualproof());
    if (key_) {
      Result<ledger::StateSignature> sig = ledger::SignState(StateAt(target), *key_);
      ASSERT_TRUE(sig.ok());
      out->mutable_signature()->set_signature(ToString(sig->signature));
      out->mutable_signature()->set_publickey(ToString(sig->public_key));
    }
  }

  // VerifiableEntry for key (user key) of a plain set written in tx `tx`.
  void RenderVerifiableGet(uint64_t tx, std::string_view key, std::string_view value,
                           uint64_t prove_since_tx, schema::VerifiableEntry* out) const {
    out->mutable_entry()->set_tx(tx);
    out->mutable_entry()->set_key(std::string(key));
    out->mutable_entry()->set_value(std::string(value));
    RenderVerifiableTx(tx, prove_since_tx, out->mutable_verifiabletx());
    RenderInclusion(tx, KvStoreKey(AsBytes(key)), out->mutable_inclusionproof());
  }

  // The htree proof of the entry with store key `store_key` in tx.
  void RenderInclusion(uint64_t tx, const Bytes& store_key, schema::InclusionProof* out) const {
    const auto& entries = txs_[tx - 1];
    Result<std::vector<crypto::Digest>> digests = ledger::EntryDigests(version_, entries);
    ASSERT_TRUE(digests.ok());
    ledger::HTree tree = ledger::HTree::Build(*digests);
    for (size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].key == store_key) {
        Result<ledger::HTreeProof> p = tree.Proof(i);
        ASSERT_TRUE(p.ok());
        InclusionProofToProto(*p, out);
        return;
      }
    }
    FAIL() << "key not in tx " << tx;
  }

 private:
  int32_t version_;
  std::string db_;
  MemoryChain chain_;
  std::vector<std::vector<ledger::TxEntry>> txs_;
  std::optional<crypto::EcdsaPrivateKey> key_;
};

}  // namespace immudb::client::testing

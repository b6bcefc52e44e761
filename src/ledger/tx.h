// Transaction value types and their hashes (PROTOCOL.md 2.1, 2.3, 2.5): the header, the entries,
// entry digests (v0 / v1), the header serialisation, the inner hash and the accumulative linear
// hash (Alh) that chains every header to its predecessor.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/sha256.h"
#include "ledger/metadata.h"

namespace immudb::ledger {

using crypto::Digest;

// Header versions that exist in immudb's hashing: 0 (no metadata, <= 65535 entries) and 1.
inline constexpr int32_t kTxHeaderVersion0 = 0;
inline constexpr int32_t kTxHeaderVersion1 = 1;
inline constexpr int32_t kMaxTxHeaderVersion = 1;
inline constexpr uint32_t kMaxEntriesV0 = 65535;

// 32 zero bytes (BlRoot of a header with BlTxID 0).
inline constexpr Digest kZeroDigest{};

// SHA-256("") : the Alh of "tx 0" (genesis) and the PrevAlh of tx 1.
inline const Digest& GenesisAlh() { return crypto::EmptyDigest(); }

// One entry of a transaction as it is hashed: store key (with the database's type prefix),
// entry metadata, SHA-256 of the full store value and that value's length.
struct TxEntry {
  Bytes key;
  KvMetadata metadata;
  Digest value_hash{};
  uint32_t value_len = 0;

  // The leaf input of the tx's htree under the given header version (EntryDigest below).
  Result<Digest> ComputeDigest(int32_t version) const;

  friend bool operator==(const TxEntry&, const TxEntry&) = default;
};

// v0 digest: H(key || hV).
crypto::Digest EntryDigestV0(ByteView key, const crypto::Digest& value_hash);
// v1 digest: H(u16(len(md)) || md || u16(len(key)) || key || hV); md = encoded KvMetadata.
// Fails if key or md exceed 65535 bytes.
Result<crypto::Digest> EntryDigestV1(ByteView key, ByteView md, const crypto::Digest& value_hash);
// Digest chosen by header version: version 0 fails on non-empty metadata ("metadata unsupported"),
// any version other than 0/1 fails ("unsupported tx version").
Result<crypto::Digest> EntryDigest(int32_t version, ByteView key, const KvMetadata& md,
                                   const crypto::Digest& value_hash);

// A transaction header (PROTOCOL.md 2.1).
struct TxHeader {
  uint64_t id = 0;
  int64_t ts = 0;            // Unix seconds
  uint64_t bl_tx_id = 0;     // ahtree size whose root is bl_root (ID-1 in modern stores)
  crypto::Digest bl_root{};  // kZeroDigest when bl_tx_id == 0
  crypto::Digest prev_alh{}; // Alh of tx id-1 (GenesisAlh() for tx 1)
  int32_t version = kTxHeaderVersion1;
  TxMetadata metadata;       // version >= 1 only
  uint32_t n_entries = 0;
  crypto::Digest eh{};       // htree root of the entries

  // Checks version (0/1), that version 0 has no metadata and <= 65535 entries, that the
  // metadata encodes. InvalidArgument otherwise.
  Status Validate() const;

  // Preimage of the inner hash (v0: 84 bytes, v1: 88 + len(md) bytes).
  Result<Bytes> InnerPreimage() const;
  // H(InnerPreimage()).
  Result<crypto::Digest> InnerHash() const;
  // Alh = H(u64(id) || prev_alh || InnerHash()).
  Result<crypto::Digest> Alh() const;
  // TxHeader.Bytes() of immudb (export/replication): u64(id) || prev_alh || InnerPreimage().
  Result<Bytes> Serialize() const;
  // Parses Serialize() output; rejects trailing bytes, unknown versions and bad metadata.
  static Result<TxHeader> Parse(ByteView data);

  friend bool operator==(const TxHeader&, const TxHeader&) = default;
};

// Alh from its parts: H(u64(id) || prev_alh || inner_hash).
crypto::Digest ChainAlh(uint64_t id, const crypto::Digest& prev_alh,
                        const crypto::Digest& inner_hash);

// Digests of every entry under `version` (fails like EntryDigest).
Result<std::vector<crypto::Digest>> EntryDigests(int32_t version, std::span<const TxEntry> entries);

// Eh of a transaction: htree root over the entries' digests (H("") for no entries).
Result<crypto::Digest> ComputeEh(int32_t version, std::span<const TxEntry> entries);

}  // namespace immudb::ledger

// Metadata attached to a transaction (TxMetadata) and to a single entry (KvMetadata), and their
// byte encodings (PROTOCOL.md 2.2). Both encode as a sequence of attributes, each a 1-byte code
// and a fixed payload, in ascending code order, each at most once. No attributes encodes as the
// empty string, so "no metadata" and "empty metadata" hash identically.
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/status.h"

namespace immudb::ledger {

// Per-entry metadata. Codes: 0x00 deleted (no payload), 0x01 expiresAt (u64 Unix seconds),
// 0x02 nonIndexable (no payload).
struct KvMetadata {
  static constexpr uint8_t kDeletedCode = 0x00;
  static constexpr uint8_t kExpiresAtCode = 0x01;
  static constexpr uint8_t kNonIndexableCode = 0x02;
  static constexpr size_t kMaxEncodedLen = 11;

  bool deleted = false;
  std::optional<uint64_t> expires_at;  // Unix seconds; present even when 0 if set
  bool non_indexable = false;

  // True when no attribute is set (encodes to the empty string).
  bool IsEmpty() const { return !deleted && !expires_at.has_value() && !non_indexable; }
  // The canonical encoding (ascending codes), 0..11 bytes.
  Bytes Encode() const;
  // Parses an encoding. Rejects unknown codes, truncated payloads, duplicate or out-of-order
  // attributes (any accepted input re-encodes to the same bytes). Empty input => empty metadata.
  static Result<KvMetadata> Parse(ByteView data);

  friend bool operator==(const KvMetadata&, const KvMetadata&) = default;
};

// Per-transaction metadata. Codes: 0x00 truncatedUptoTx (u64 tx id), 0x01 extra
// (u16 length, then that many bytes; length <= 256).
struct TxMetadata {
  static constexpr uint8_t kTruncatedUptoTxCode = 0x00;
  static constexpr uint8_t kExtraCode = 0x01;
  static constexpr size_t kMaxExtraLen = 256;
  static constexpr size_t kMaxEncodedLen = 1 + 8 + 1 + 2 + kMaxExtraLen;

  std::optional<uint64_t> truncated_upto_tx;
  std::optional<Bytes> extra;

  bool IsEmpty() const { return !truncated_upto_tx.has_value() && !extra.has_value(); }
  // The canonical encoding. Fails (InvalidArgument) if extra is longer than 256 bytes.
  Result<Bytes> Encode() const;
  // Parses an encoding with the same strictness as KvMetadata::Parse; rejects extra > 256 bytes.
  static Result<TxMetadata> Parse(ByteView data);

  friend bool operator==(const TxMetadata&, const TxMetadata&) = default;
};

}  // namespace immudb::ledger

// immudb's exported-transaction bytes (ExportTx / ReplicateTx, PROTOCOL.md Appendix A):
//
//   u32(len(hdr)) || hdr = TxHeader::Serialize()
//   per entry: u16(len(key)) || key || u16(len(md)) || md || u32(len(value)) || value
//   u16(1) || flag      flag 0: values present; 1: each value replaced by its SHA-256
//
// Keys are full store keys (with the database's prefix byte), md the encoded KvMetadata.
// Used by the store (export, replication), the server and immuadmin's hot backups.
#pragma once

#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "ledger/metadata.h"
#include "ledger/tx.h"

namespace immudb::ledger {

struct ExportedEntry {
  Bytes key;
  KvMetadata metadata;
  Bytes value;  // the value, or its 32-byte hash when values_truncated
};

struct ExportedTx {
  TxHeader header;
  std::vector<ExportedEntry> entries;
  bool values_truncated = false;
};

// The bytes of `tx` (values_truncated is written as the trailer flag). Fails if a key or an
// encoded metadata is longer than 65535 bytes or the header does not serialize.
Result<Bytes> EncodeExportedTx(const ExportedTx& tx);

// Parses exported bytes; InvalidArgument "malformed exported transaction: <where>" (naming the
// tx and entry once the header is known) for anything out of bounds, an entry count that
// disagrees with the header, bad metadata, an unknown trailer flag or trailing bytes. A
// missing trailer (older exports) means values present.
Result<ExportedTx> ParseExportedTx(ByteView data);

// Re-hashes the entries (values, metadata, keys) into Eh under the header's version and
// compares it with header.eh. InvalidArgument "tx N: entries do not hash to the header's Eh"
// on mismatch or for truncated values (which cannot be re-hashed).
Status CheckExportedEntries(const ExportedTx& tx);

}  // namespace immudb::ledger

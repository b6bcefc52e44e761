// The tx log record of one transaction:
//   u32 payload_length | u32 masked crc32c(payload) | payload
//   payload = u64 id | i64 ts | u64 bl_tx_id | bl_root[32] | prev_alh[32] | u16 version
//             | u16 txmd_len | txmd | u32 n_entries | eh[32]
//             | n_entries x ( u16 md_len | md | u16 key_len | key | u32 value_len
//                             | u64 value_offset | value_hash[32] )
// All integers big-endian. Eh is stored so a header can be read without hashing entries;
// recovery and Verify() recompute it.
#pragma once

#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/status.h"
#include "ledger/tx.h"
#include "store/store.h"

namespace immudb::store {

// Appends the framed record of (header, entries, value offsets) to out; returns its size.
// txmd is header.metadata already encoded, mds the entries' encoded metadata (the committer
// has them at hand, so they are not encoded twice).
size_t AppendTxRecord(const ledger::TxHeader& header, ByteView txmd,
                      std::span<const ledger::TxEntry> entries, std::span<const Bytes> mds,
                      std::span<const uint64_t> value_offsets, Bytes* out);

// Checks the framing of a whole record (length and checksum) and decodes it into tx
// (header, and unless header_only the entries and value refs; tx->alh is left alone).
// Corruption, with `where` in the message, if anything is malformed.
Status DecodeTxRecord(ByteView record, const std::string& where, Tx* tx,
                      bool header_only = false);

}  // namespace immudb::store

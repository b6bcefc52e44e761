// immuadmin's hot-backup file: a sequence of records, one per transaction, in immudb's
// layout (docs/cli.md "Backup file format"):
//
//   "IMMUBACKUP" (10 bytes) || u32 format version (1) || u64 tx id || u32 checksum length (32)
//   || u32 payload length || checksum = Alh of the tx || payload
//
// payload = what exportTx streamed: u64 BE length || immudb's ExportTx bytes
// (ledger/tx_export.h). All integers big-endian.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "ledger/tx_export.h"

namespace immudb::cli {

struct BackupRecord {
  uint64_t offset = 0;  // where the record starts in the file
  uint64_t tx = 0;
  Bytes checksum;       // the tx's Alh
  Bytes payload;
};

// Reads records one after the other from `f` (not owned; a file or a pipe).
class BackupReader {
 public:
  explicit BackupReader(std::FILE* f) : f_(f) {}
  // The next record; nullopt at a clean end of file. InvalidArgument naming the offset for a
  // bad prefix/version/lengths; OutOfRange ("incomplete record at offset N") when the file
  // ends inside a record (an interrupted backup).
  Result<std::optional<BackupRecord>> Next();
  uint64_t offset() const { return offset_; }

 private:
  std::FILE* f_;
  uint64_t offset_ = 0;
};

// Appends one record and flushes it. IoError on a short write.
Status WriteBackupRecord(std::FILE* f, uint64_t tx, const crypto::Digest& alh, ByteView payload);

// Checks one record on its own: payload framing, exported bytes, tx id == record id, entries
// re-hashed into Eh, header hashed into its Alh == the record's checksum. Errors name the tx
// ("tx N: ..."). Returns the parsed tx.
Result<ledger::ExportedTx> VerifyBackupRecord(const BackupRecord& rec);

// Checks that `next` follows `prev_tx`/`prev_alh` (id prev_tx + 1 and PrevAlh == prev_alh).
// FailedPrecondition naming the txs otherwise.
Status CheckChain(uint64_t prev_tx, const crypto::Digest& prev_alh, const ledger::TxHeader& next);

}  // namespace immudb::cli

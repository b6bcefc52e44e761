#include "cli/backup_file.h"

#include <cstring>

namespace immudb::cli {
namespace {

constexpr char kPrefix[] = "IMMUBACKUP";
constexpr size_t kPrefixLen = sizeof(kPrefix) - 1;
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kHeaderSize = kPrefixLen + 4 + 8 + 4 + 4;
// Bounds a corrupt length before allocating: checksum and one framed tx.
constexpr uint32_t kMaxChecksum = 64;
constexpr uint32_t kMaxPayload = (64u << 20);

std::string At(uint64_t off) { return " at offset " + std::to_string(off); }

}  // namespace

Result<std::optional<BackupRecord>> BackupReader::Next() {
  uint8_t h[kHeaderSize];
  size_t got = std::fread(h, 1, sizeof(h), f_);
  if (got == 0 && std::feof(f_)) return std::optional<BackupRecord>();
  if (std::ferror(f_)) return IoError("backup file: read error" + At(offset_));
  if (got < sizeof(h)) return OutOfRange("backup file: incomplete record" + At(offset_));
  if (std::memcmp(h, kPrefix, kPrefixLen) != 0) {
    return InvalidArgument("malformed backup file: no record prefix" + At(offset_));
  }
  if (GetU32(h + kPrefixLen) != kFormatVersion) {
    return InvalidArgument("malformed backup file: record format version " +
                           std::to_string(GetU32(h + kPrefixLen)) + At(offset_));
  }
  BackupRecord r;
  r.offset = offset_;
  r.tx = GetU64(h + kPrefixLen + 4);
  uint32_t sign_len = GetU32(h + kPrefixLen + 12);
  uint32_t payload_len = GetU32(h + kPrefixLen + 16);
  if (sign_len > kMaxChecksum || payload_len > kMaxPayload) {
    return InvalidArgument("malformed backup file: tx " + std::to_string(r.tx) +
                           ": implausible lengths" + At(offset_));
  }
  r.checksum.resize(sign_len);
  r.payload.resize(payload_len);
  if (std::fread(r.checksum.data(), 1, sign_len, f_) != sign_len ||
      std::fread(r.payload.data(), 1, payload_len, f_) != payload_len) {
    if (std::ferror(f_)) return IoError("backup file: read error" + At(offset_));
    return OutOfRange("backup file: incomplete record of tx " + std::to_string(r.tx) +
                      At(offset_));
  }
  offset_ += kHeaderSize + sign_len + payload_len;
  return std::optional<BackupRecord>(std::move(r));
}

Status WriteBackupRecord(std::FILE* f, uint64_t tx, const crypto::Digest& alh, ByteView payload) {
  Bytes rec(kPrefix, kPrefix + kPrefixLen);
  AppendU32(rec, kFormatVersion);
  AppendU64(rec, tx);
  AppendU32(rec, static_cast<uint32_t>(alh.size()));
  AppendU32(rec, static_cast<uint32_t>(payload.size()));
  rec.insert(rec.end(), alh.begin(), alh.end());
  rec.insert(rec.end(), payload.begin(), payload.end());
  if (std::fwrite(rec.data(), 1, rec.size(), f) != rec.size() || std::fflush(f) != 0) {
    return IoError("backup file: cannot write tx " + std::to_string(tx) + ": " +
                   std::strerror(errno));
  }
  return Status::Ok();
}

Result<ledger::ExportedTx> VerifyBackupRecord(const BackupRecord& rec) {
  const std::string tx = "tx " + std::to_string(rec.tx);
  if (rec.payload.size() < 8 || GetU64(rec.payload.data()) != rec.payload.size() - 8) {
    return InvalidArgument(tx + ": payload framing does not match its length");
  }
  auto parsed = ledger::ParseExportedTx(ByteView(rec.payload).subspan(8));
  if (!parsed.ok()) return InvalidArgument(tx + ": " + parsed.status().message());
  if (parsed->header.id != rec.tx) {
    return InvalidArgument(tx + ": record holds tx " + std::to_string(parsed->header.id));
  }
  IMMUDB_RETURN_IF_ERROR(ledger::CheckExportedEntries(*parsed));
  IMMUDB_ASSIGN_OR_RETURN(crypto::Digest alh, parsed->header.Alh());
  if (rec.checksum.size() != alh.size() ||
      std::memcmp(rec.checksum.data(), alh.data(), alh.size()) != 0) {
    return InvalidArgument(tx + ": header hashes to Alh " + HexEncode(alh) +
                           ", the backup recorded " + HexEncode(rec.checksum));
  }
  return parsed;
}

Status CheckChain(uint64_t prev_tx, const crypto::Digest& prev_alh, const ledger::TxHeader& next) {
  if (next.id != prev_tx + 1) {
    if (next.id <= prev_tx) {
      return FailedPrecondition("tx " + std::to_string(next.id) + " out of order after tx " +
                                std::to_string(prev_tx));
    }
    return FailedPrecondition("tx " + std::to_string(next.id) + " follows tx " +
                              std::to_string(prev_tx) + ": tx " + std::to_string(prev_tx + 1) +
                              (next.id - prev_tx > 2 ? ".." + std::to_string(next.id - 1) : "") +
                              " missing");
  }
  if (next.prev_alh != prev_alh) {
    return FailedPrecondition("tx " + std::to_string(next.id) + ": PrevAlh " +
                              HexEncode(next.prev_alh) + " does not chain to the Alh of tx " +
                              std::to_string(prev_tx) + " (" + HexEncode(prev_alh) + ")");
  }
  return Status::Ok();
}

}  // namespace immudb::cli

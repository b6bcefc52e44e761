#include "ledger/metadata.h"

#include <string>

namespace immudb::ledger {
namespace {

// Tracks the canonical-order rule shared by both parsers: codes strictly ascending.
Status CheckOrder(int last_code, uint8_t code, const char* what) {
  if (int(code) <= last_code) {
    return InvalidArgument(std::string(what) + ": attribute code " + std::to_string(code) +
                           " repeated or out of order");
  }
  return Status::Ok();
}

Status Truncated(const char* what, uint8_t code) {
  return InvalidArgument(std::string(what) + ": truncated payload of attribute " +
                         std::to_string(code));
}

}  // namespace

Bytes KvMetadata::Encode() const {
  Bytes out;
  if (deleted) out.push_back(kDeletedCode);
  if (expires_at.has_value()) {
    out.push_back(kExpiresAtCode);
    AppendU64(out, *expires_at);
  }
  if (non_indexable) out.push_back(kNonIndexableCode);
  return out;
}

Result<KvMetadata> KvMetadata::Parse(ByteView data) {
  static constexpr char kWhat[] = "kv metadata";
  KvMetadata md;
  int last = -1;
  size_t i = 0;
  while (i < data.size()) {
    const uint8_t code = data[i++];
    IMMUDB_RETURN_IF_ERROR(CheckOrder(last, code, kWhat));
    last = code;
    switch (code) {
      case kDeletedCode:
        md.deleted = true;
        break;
      case kExpiresAtCode:
        if (data.size() - i < 8) return Truncated(kWhat, code);
        md.expires_at = GetU64(data.data() + i);
        i += 8;
        break;
      case kNonIndexableCode:
        md.non_indexable = true;
        break;
      default:
        return InvalidArgument("kv metadata: unknown attribute code " + std::to_string(code));
    }
  }
  return md;
}

Result<Bytes> TxMetadata::Encode() const {
  Bytes out;
  if (truncated_upto_tx.has_value()) {
    out.push_back(kTruncatedUptoTxCode);
    AppendU64(out, *truncated_upto_tx);
  }
  if (extra.has_value()) {
    if (extra->size() > kMaxExtraLen) {
      return InvalidArgument("tx metadata: extra is " + std::to_string(extra->size()) +
                             " bytes, at most 256 allowed");
    }
    out.push_back(kExtraCode);
    AppendU16(out, uint16_t(extra->size()));
    Append(out, *extra);
  }
  return out;
}

Result<TxMetadata> TxMetadata::Parse(ByteView data) {
  static constexpr char kWhat[] = "tx metadata";
  TxMetadata md;
  int last = -1;
  size_t i = 0;
  while (i < data.size()) {
    const uint8_t code = data[i++];
    IMMUDB_RETURN_IF_ERROR(CheckOrder(last, code, kWhat));
    last = code;
    switch (code) {
      case kTruncatedUptoTxCode:
        if (data.size() - i < 8) return Truncated(kWhat, code);
        md.truncated_upto_tx = GetU64(data.data() + i);
        i += 8;
        break;
      case kExtraCode: {
        if (data.size() - i < 2) return Truncated(kWhat, code);
        const size_t len = GetU16(data.data() + i);
        i += 2;
        if (len > kMaxExtraLen) {
          return InvalidArgument("tx metadata: extra length " + std::to_string(len) +
                                 " exceeds 256");
        }
        if (data.size() - i < len) return Truncated(kWhat, code);
        md.extra = Bytes(data.begin() + long(i), data.begin() + long(i + len));
        i += len;
        break;
      }
      default:
        return InvalidArgument("tx metadata: unknown attribute code " + std::to_string(code));
    }
  }
  return md;
}

}  // namespace immudb::ledger

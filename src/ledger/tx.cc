#include "ledger/tx.h"

#include <string>

#include "ledger/htree.h"

namespace immudb::ledger {
namespace {

constexpr size_t kDigestSize = crypto::kDigestSize;

Status UnsupportedVersion(int32_t version) {
  return InvalidArgument("unsupported tx version " + std::to_string(version));
}

void AppendDigest(Bytes& out, const Digest& d) { out.insert(out.end(), d.begin(), d.end()); }

Digest ReadDigest(const uint8_t* p) {
  Digest d;
  std::copy(p, p + kDigestSize, d.begin());
  return d;
}

}  // namespace

crypto::Digest EntryDigestV0(ByteView key, const crypto::Digest& value_hash) {
  return crypto::Sha256({key, crypto::View(value_hash)});
}

Result<crypto::Digest> EntryDigestV1(ByteView key, ByteView md, const crypto::Digest& value_hash) {
  if (key.size() > 0xffff || md.size() > 0xffff) {
    return InvalidArgument("entry digest: key or metadata longer than 65535 bytes");
  }
  uint8_t md_len[2], key_len[2];
  PutU16(md_len, uint16_t(md.size()));
  PutU16(key_len, uint16_t(key.size()));
  return crypto::Sha256({ByteView(md_len, 2), md, ByteView(key_len, 2), key,
                         crypto::View(value_hash)});
}

Result<crypto::Digest> EntryDigest(int32_t version, ByteView key, const KvMetadata& md,
                                   const crypto::Digest& value_hash) {
  switch (version) {
    case kTxHeaderVersion0:
      if (!md.IsEmpty()) return InvalidArgument("metadata unsupported in tx header version 0");
      return EntryDigestV0(key, value_hash);
    case kTxHeaderVersion1: {
      if (md.IsEmpty()) return EntryDigestV1(key, {}, value_hash);
      const Bytes encoded = md.Encode();
      return EntryDigestV1(key, encoded, value_hash);
    }
    default:
      return UnsupportedVersion(version);
  }
}

Result<Digest> TxEntry::ComputeDigest(int32_t version) const {
  return EntryDigest(version, key, metadata, value_hash);
}

Result<std::vector<crypto::Digest>> EntryDigests(int32_t version,
                                                 std::span<const TxEntry> entries) {
  std::vector<crypto::Digest> out;
  out.reserve(entries.size());
  for (const TxEntry& e : entries) {
    IMMUDB_ASSIGN_OR_RETURN(crypto::Digest d, e.ComputeDigest(version));
    out.push_back(d);
  }
  return out;
}

Result<crypto::Digest> ComputeEh(int32_t version, std::span<const TxEntry> entries) {
  IMMUDB_ASSIGN_OR_RETURN(std::vector<crypto::Digest> digests, EntryDigests(version, entries));
  return HTreeRoot(digests);
}

Status TxHeader::Validate() const {
  switch (version) {
    case kTxHeaderVersion0:
      if (!metadata.IsEmpty()) return InvalidArgument("tx metadata unsupported in header version 0");
      if (n_entries > kMaxEntriesV0) {
        return InvalidArgument("header version 0 allows at most 65535 entries");
      }
      return Status::Ok();
    case kTxHeaderVersion1:
      return metadata.Encode().status();
    default:
      return UnsupportedVersion(version);
  }
}

Result<Bytes> TxHeader::InnerPreimage() const {
  IMMUDB_RETURN_IF_ERROR(Validate());
  Bytes out;
  out.reserve(88 + TxMetadata::kMaxEncodedLen);
  AppendU64(out, uint64_t(ts));
  AppendU16(out, uint16_t(version));
  if (version == kTxHeaderVersion0) {
    AppendU16(out, uint16_t(n_entries));
  } else {
    IMMUDB_ASSIGN_OR_RETURN(Bytes md, metadata.Encode());
    AppendU16(out, uint16_t(md.size()));
    Append(out, md);
    AppendU32(out, n_entries);
  }
  AppendDigest(out, eh);
  AppendU64(out, bl_tx_id);
  AppendDigest(out, bl_root);
  return out;
}

Result<crypto::Digest> TxHeader::InnerHash() const {
  IMMUDB_ASSIGN_OR_RETURN(Bytes pre, InnerPreimage());
  return crypto::Sha256(pre);
}

crypto::Digest ChainAlh(uint64_t id, const crypto::Digest& prev_alh,
                        const crypto::Digest& inner_hash) {
  uint8_t idb[8];
  PutU64(idb, id);
  return crypto::Sha256({ByteView(idb, 8), crypto::View(prev_alh), crypto::View(inner_hash)});
}

Result<crypto::Digest> TxHeader::Alh() const {
  IMMUDB_ASSIGN_OR_RETURN(crypto::Digest inner, InnerHash());
  return ChainAlh(id, prev_alh, inner);
}

Result<Bytes> TxHeader::Serialize() const {
  IMMUDB_ASSIGN_OR_RETURN(Bytes pre, InnerPreimage());
  Bytes out;
  out.reserve(8 + kDigestSize + pre.size());
  AppendU64(out, id);
  AppendDigest(out, prev_alh);
  Append(out, pre);
  return out;
}

Result<TxHeader> TxHeader::Parse(ByteView data) {
  // u64 id, prev_alh, u64 ts, u16 version, then the version-specific part.
  constexpr size_t kFixedHead = 8 + kDigestSize + 8 + 2;
  constexpr size_t kTail = kDigestSize + 8 + kDigestSize;  // eh, bl_tx_id, bl_root
  if (data.size() < kFixedHead) return InvalidArgument("tx header: too short");
  TxHeader h;
  const uint8_t* p = data.data();
  h.id = GetU64(p);
  h.prev_alh = ReadDigest(p + 8);
  h.ts = int64_t(GetU64(p + 8 + kDigestSize));
  h.version = GetU16(p + 16 + kDigestSize);
  size_t i = kFixedHead;
  const size_t n = data.size();
  if (h.version == kTxHeaderVersion0) {
    if (n - i < 2) return InvalidArgument("tx header: too short");
    h.n_entries = GetU16(p + i);
    i += 2;
  } else if (h.version == kTxHeaderVersion1) {
    if (n - i < 2) return InvalidArgument("tx header: too short");
    const size_t md_len = GetU16(p + i);
    i += 2;
    if (md_len > TxMetadata::kMaxEncodedLen || n - i < md_len) {
      return InvalidArgument("tx header: bad metadata length");
    }
    IMMUDB_ASSIGN_OR_RETURN(h.metadata, TxMetadata::Parse(data.subspan(i, md_len)));
    i += md_len;
    if (n - i < 4) return InvalidArgument("tx header: too short");
    h.n_entries = GetU32(p + i);
    i += 4;
  } else {
    return UnsupportedVersion(h.version);
  }
  if (n - i != kTail) return InvalidArgument("tx header: wrong length");
  h.eh = ReadDigest(p + i);
  h.bl_tx_id = GetU64(p + i + kDigestSize);
  h.bl_root = ReadDigest(p + i + kDigestSize + 8);
  return h;
}

}  // namespace immudb::ledger

#include "store/tx_record.h"

#include <algorithm>

#include "store/crc32c.h"
#include "store/log_format.h"

namespace immudb::store {

size_t AppendTxRecord(const ledger::TxHeader& header, ByteView txmd,
                      std::span<const ledger::TxEntry> entries, std::span<const Bytes> mds,
                      std::span<const uint64_t> value_offsets, Bytes* out) {
  size_t start = out->size();
  size_t payload = 8 + 8 + 8 + 32 + 32 + 2 + 2 + txmd.size() + 4 + 32;
  for (size_t i = 0; i < entries.size(); ++i) {
    payload += 2 + mds[i].size() + 2 + entries[i].key.size() + 4 + 8 + 32;
  }
  out->resize(start + format::kTxRecordHeaderSize + payload);
  uint8_t* p = out->data() + start + format::kTxRecordHeaderSize;
  uint8_t* const body = p;
  auto put_digest = [&p](const Digest& d) { p = std::copy(d.begin(), d.end(), p); };
  PutU64(p, header.id); p += 8;
  PutU64(p, static_cast<uint64_t>(header.ts)); p += 8;
  PutU64(p, header.bl_tx_id); p += 8;
  put_digest(header.bl_root);
  put_digest(header.prev_alh);
  PutU16(p, static_cast<uint16_t>(header.version)); p += 2;
  PutU16(p, static_cast<uint16_t>(txmd.size())); p += 2;
  p = std::copy(txmd.begin(), txmd.end(), p);
  PutU32(p, header.n_entries); p += 4;
  put_digest(header.eh);
  for (size_t i = 0; i < entries.size(); ++i) {
    const ledger::TxEntry& e = entries[i];
    PutU16(p, static_cast<uint16_t>(mds[i].size())); p += 2;
    p = std::copy(mds[i].begin(), mds[i].end(), p);
    PutU16(p, static_cast<uint16_t>(e.key.size())); p += 2;
    p = std::copy(e.key.begin(), e.key.end(), p);
    PutU32(p, e.value_len); p += 4;
    PutU64(p, value_offsets[i]); p += 8;
    put_digest(e.value_hash);
  }
  uint8_t* frame = out->data() + start;
  PutU32(frame, static_cast<uint32_t>(payload));
  PutU32(frame + 4, crc32c::Mask(crc32c::Value(body, payload)));
  return format::kTxRecordHeaderSize + payload;
}

namespace {

// Bounds-checked reader over a payload.
class Cursor {
 public:
  explicit Cursor(ByteView b) : b_(b) {}
  bool Has(size_t n) const { return b_.size() - pos_ >= n; }
  uint16_t U16() { pos_ += 2; return GetU16(b_.data() + pos_ - 2); }
  uint32_t U32() { pos_ += 4; return GetU32(b_.data() + pos_ - 4); }
  uint64_t U64() { pos_ += 8; return GetU64(b_.data() + pos_ - 8); }
  void Copy(uint8_t* out, size_t n) { std::copy_n(b_.data() + pos_, n, out); pos_ += n; }
  ByteView Take(size_t n) { pos_ += n; return b_.subspan(pos_ - n, n); }
  bool AtEnd() const { return pos_ == b_.size(); }

 private:
  ByteView b_;
  size_t pos_ = 0;
};

}  // namespace

Status DecodeTxRecord(ByteView record, const std::string& where, Tx* tx, bool header_only) {
  auto bad = [&where](const std::string& why) {
    return Corruption("tx record at " + where + ": " + why);
  };
  if (record.size() < format::kTxRecordHeaderSize) return bad("shorter than its framing");
  uint32_t len = GetU32(record.data());
  if (len != record.size() - format::kTxRecordHeaderSize) {
    return bad("length field " + std::to_string(len) + " disagrees with the commit log");
  }
  ByteView payload = record.subspan(format::kTxRecordHeaderSize);
  if (crc32c::Unmask(GetU32(record.data() + 4)) != crc32c::Value(payload)) {
    return bad("checksum mismatch");
  }
  Cursor c(payload);
  ledger::TxHeader& h = tx->header;
  if (!c.Has(8 + 8 + 8 + 32 + 32 + 2 + 2)) return bad("truncated header");
  h.id = c.U64();
  h.ts = static_cast<int64_t>(c.U64());
  h.bl_tx_id = c.U64();
  c.Copy(h.bl_root.data(), 32);
  c.Copy(h.prev_alh.data(), 32);
  h.version = c.U16();
  size_t txmd_len = c.U16();
  if (!c.Has(txmd_len + 4 + 32)) return bad("truncated header");
  auto md = ledger::TxMetadata::Parse(c.Take(txmd_len));
  if (!md.ok()) return bad("tx metadata: " + md.status().message());
  h.metadata = std::move(md).value();
  h.n_entries = c.U32();
  c.Copy(h.eh.data(), 32);
  tx->entries.clear();
  tx->value_refs.clear();
  if (header_only) return Status::Ok();
  // n_entries comes from the file: reserve no more entries than the payload can hold (each
  // takes at least 48 bytes), so a damaged count cannot demand hundreds of gigabytes.
  constexpr size_t kMinEntrySize = 2 + 2 + 4 + 8 + 32;
  const size_t fit = std::min<size_t>(h.n_entries, payload.size() / kMinEntrySize);
  tx->entries.reserve(fit);
  tx->value_refs.reserve(fit);
  for (uint32_t i = 0; i < h.n_entries; ++i) {
    ledger::TxEntry e;
    if (!c.Has(2)) return bad("truncated entry " + std::to_string(i));
    size_t md_len = c.U16();
    if (!c.Has(md_len + 2)) return bad("truncated entry " + std::to_string(i));
    auto kmd = ledger::KvMetadata::Parse(c.Take(md_len));
    if (!kmd.ok()) return bad("entry " + std::to_string(i) + " metadata: " + kmd.status().message());
    e.metadata = std::move(kmd).value();
    size_t key_len = c.U16();
    if (!c.Has(key_len + 4 + 8 + 32)) return bad("truncated entry " + std::to_string(i));
    ByteView key = c.Take(key_len);
    e.key.assign(key.begin(), key.end());
    e.value_len = c.U32();
    ValueRef ref;
    ref.tx_id = h.id;
    ref.offset = c.U64();
    ref.length = e.value_len;
    c.Copy(e.value_hash.data(), 32);
    ref.hash = e.value_hash;
    tx->entries.push_back(std::move(e));
    tx->value_refs.push_back(ref);
  }
  if (!c.AtEnd()) return bad("trailing bytes after the last entry");
  return Status::Ok();
}

}  // namespace immudb::store

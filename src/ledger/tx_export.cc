#include "ledger/tx_export.h"

#include <algorithm>
#include <string>

namespace immudb::ledger {
namespace {

constexpr size_t kU16 = 2;
constexpr size_t kU32 = 4;

// Sequential, bounds-checked reader.
class Cursor {
 public:
  explicit Cursor(ByteView data) : data_(data) {}
  bool Has(size_t n) const { return data_.size() - pos_ >= n; }
  size_t left() const { return data_.size() - pos_; }
  uint16_t U16() { pos_ += kU16; return GetU16(data_.data() + pos_ - kU16); }
  uint32_t U32() { pos_ += kU32; return GetU32(data_.data() + pos_ - kU32); }
  ByteView Take(size_t n) { pos_ += n; return data_.subspan(pos_ - n, n); }

 private:
  ByteView data_;
  size_t pos_ = 0;
};

Status Malformed(const std::string& where) {
  return InvalidArgument("malformed exported transaction: " + where);
}

}  // namespace

Result<Bytes> EncodeExportedTx(const ExportedTx& tx) {
  IMMUDB_ASSIGN_OR_RETURN(Bytes hdr, tx.header.Serialize());
  Bytes out;
  AppendU32(out, static_cast<uint32_t>(hdr.size()));
  out.insert(out.end(), hdr.begin(), hdr.end());
  for (const ExportedEntry& e : tx.entries) {
    if (e.key.size() > 0xffff) return InvalidArgument("exported key longer than 65535 bytes");
    AppendU16(out, static_cast<uint16_t>(e.key.size()));
    out.insert(out.end(), e.key.begin(), e.key.end());
    Bytes md = e.metadata.Encode();
    AppendU16(out, static_cast<uint16_t>(md.size()));
    out.insert(out.end(), md.begin(), md.end());
    if (e.value.size() > 0xffffffffu) return InvalidArgument("exported value too long");
    AppendU32(out, static_cast<uint32_t>(e.value.size()));
    out.insert(out.end(), e.value.begin(), e.value.end());
  }
  AppendU16(out, 1);
  out.push_back(tx.values_truncated ? 1 : 0);
  return out;
}

Result<ExportedTx> ParseExportedTx(ByteView data) {
  Cursor c(data);
  if (!c.Has(kU32)) return Malformed("shorter than its header length");
  const uint32_t hdr_len = c.U32();
  if (!c.Has(hdr_len)) return Malformed("header length beyond the data");
  auto hdr = TxHeader::Parse(c.Take(hdr_len));
  if (!hdr.ok()) return Malformed("header: " + hdr.status().message());
  ExportedTx out;
  out.header = std::move(hdr).value();
  const std::string tx = "tx " + std::to_string(out.header.id);
  const uint32_t n = out.header.n_entries;
  // Each entry takes at least 8 bytes: do not trust n for the reservation.
  out.entries.reserve(std::min<size_t>(n, data.size() / (2 * kU16 + kU32)));
  for (uint32_t i = 0; i < n; ++i) {
    const std::string where = tx + ", entry " + std::to_string(i);
    if (!c.Has(kU16)) return Malformed(where + ": missing (header says " + std::to_string(n) +
                                       " entries)");
    const uint16_t klen = c.U16();
    if (!c.Has(size_t{klen} + kU16)) return Malformed(where + ": key beyond the data");
    ExportedEntry e;
    ByteView key = c.Take(klen);
    e.key.assign(key.begin(), key.end());
    const uint16_t mdlen = c.U16();
    if (!c.Has(size_t{mdlen} + kU32)) return Malformed(where + ": metadata beyond the data");
    if (mdlen > 0) {
      auto md = KvMetadata::Parse(c.Take(mdlen));
      if (!md.ok()) return Malformed(where + ": metadata: " + md.status().message());
      e.metadata = std::move(md).value();
    }
    const uint32_t vlen = c.U32();
    if (!c.Has(vlen)) return Malformed(where + ": value beyond the data");
    ByteView v = c.Take(vlen);
    e.value.assign(v.begin(), v.end());
    out.entries.push_back(std::move(e));
  }
  if (c.left() > 0) {
    if (!c.Has(kU16)) return Malformed(tx + ": truncated trailer");
    const uint16_t tlen = c.U16();
    if (!c.Has(tlen)) return Malformed(tx + ": trailer beyond the data");
    ByteView flags = c.Take(tlen);
    if (!flags.empty() && flags[0] > 1) return Malformed(tx + ": unknown trailer flag");
    out.values_truncated = !flags.empty() && flags[0] == 1;
  }
  if (c.left() != 0) return Malformed(tx + ": " + std::to_string(c.left()) + " trailing bytes");
  return out;
}

Status CheckExportedEntries(const ExportedTx& tx) {
  const std::string name = "tx " + std::to_string(tx.header.id);
  if (tx.values_truncated) {
    return InvalidArgument(name + ": exported without its values (truncated at the source)");
  }
  std::vector<TxEntry> entries(tx.entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    entries[i].key = tx.entries[i].key;
    entries[i].metadata = tx.entries[i].metadata;
    entries[i].value_hash = crypto::Sha256(tx.entries[i].value);
    entries[i].value_len = static_cast<uint32_t>(tx.entries[i].value.size());
  }
  auto eh = ComputeEh(tx.header.version, entries);
  if (!eh.ok()) return InvalidArgument(name + ": " + eh.status().message());
  if (*eh != tx.header.eh) {
    return InvalidArgument(name + ": entries do not hash to the header's Eh (" + HexEncode(*eh) +
                           " != " + HexEncode(tx.header.eh) + ")");
  }
  return Status::Ok();
}

}  // namespace immudb::ledger

#include "index/indexed_entry.h"

#include <cstring>

namespace immudb::index {
namespace {

constexpr uint8_t kValueFormat = 1;
constexpr uint8_t kFlagDeleted = 0x01;
constexpr uint8_t kFlagExpires = 0x02;
constexpr uint8_t kFlagInline = 0x04;

}  // namespace

Bytes EncodeVersionValue(const IndexWrite& w, uint64_t revision) {
  Bytes out;
  out.reserve(64 + w.metadata.size() + w.value_ref.size() + w.inline_value.size());
  out.push_back(kValueFormat);
  AppendU64(out, revision);
  AppendU32(out, w.entry_index);
  uint8_t flags = (w.deleted ? kFlagDeleted : 0) | (w.expires_at ? kFlagExpires : 0) |
                  (w.has_inline_value ? kFlagInline : 0);
  out.push_back(flags);
  if (w.expires_at) AppendU64(out, *w.expires_at);
  AppendU32(out, w.value_len);
  Append(out, w.value_hash);
  out.push_back(uint8_t(w.metadata.size()));
  Append(out, w.metadata);
  AppendU32(out, uint32_t(w.value_ref.size()));
  Append(out, w.value_ref);
  if (w.has_inline_value) {
    AppendU32(out, uint32_t(w.inline_value.size()));
    Append(out, w.inline_value);
  }
  return out;
}

Status DecodeVersionValue(ByteView v, IndexedEntry* out) {
  size_t p = 0;
  auto need = [&](size_t n) { return p + n <= v.size(); };
  if (!need(1 + 8 + 4 + 1) || v[0] != kValueFormat) return Corruption("index: bad version value");
  p = 1;
  out->revision = GetU64(v.data() + p);
  p += 8;
  out->entry_index = GetU32(v.data() + p);
  p += 4;
  uint8_t flags = v[p++];
  out->deleted = flags & kFlagDeleted;
  out->expires_at.reset();
  if (flags & kFlagExpires) {
    if (!need(8)) return Corruption("index: truncated version value");
    out->expires_at = GetU64(v.data() + p);
    p += 8;
  }
  if (!need(4 + 32 + 1)) return Corruption("index: truncated version value");
  out->value_len = GetU32(v.data() + p);
  p += 4;
  std::memcpy(out->value_hash.data(), v.data() + p, 32);
  p += 32;
  size_t md_len = v[p++];
  if (!need(md_len + 4)) return Corruption("index: truncated version value");
  out->metadata.assign(v.begin() + p, v.begin() + p + md_len);
  p += md_len;
  size_t ref_len = GetU32(v.data() + p);
  p += 4;
  if (!need(ref_len)) return Corruption("index: truncated version value");
  out->value_ref.assign(v.begin() + p, v.begin() + p + ref_len);
  p += ref_len;
  out->has_inline_value = flags & kFlagInline;
  out->inline_value.clear();
  if (out->has_inline_value) {
    if (!need(4)) return Corruption("index: truncated version value");
    size_t n = GetU32(v.data() + p);
    p += 4;
    if (!need(n)) return Corruption("index: truncated version value");
    out->inline_value.assign(v.begin() + p, v.begin() + p + n);
    p += n;
  }
  if (p != v.size()) return Corruption("index: trailing bytes in version value");
  return Status::Ok();
}

}  // namespace immudb::index

#include "index/key_format.h"

#include <cstring>

namespace immudb::index {

void AppendEscapedKey(Bytes& out, ByteView key) {
  out.reserve(out.size() + key.size() + 2);
  const uint8_t* p = key.data();
  const uint8_t* const end = p + key.size();
  while (p < end) {  // runs up to and including each zero byte, which gets its 0xFF
    const auto* zero = static_cast<const uint8_t*>(std::memchr(p, 0x00, size_t(end - p)));
    const uint8_t* stop = zero != nullptr ? zero + 1 : end;
    out.insert(out.end(), p, stop);
    if (zero != nullptr) out.push_back(0xFF);
    p = stop;
  }
  out.push_back(0x00);
  out.push_back(0x01);
}

Bytes KeyRecordsPrefix(uint8_t record, ByteView key) {
  Bytes out;
  out.reserve(key.size() + 12);
  out.push_back(record);
  AppendEscapedKey(out, key);
  return out;
}

Bytes VersionKey(ByteView key, uint64_t tx) {
  Bytes out = KeyRecordsPrefix(kVersionRecord, key);
  AppendU64(out, ~tx);
  return out;
}

Bytes RevisionKey(ByteView key, uint64_t revision) {
  Bytes out = KeyRecordsPrefix(kRevisionRecord, key);
  AppendU64(out, revision);
  return out;
}

Bytes EscapedPrefix(uint8_t record, ByteView prefix) {
  Bytes out;
  out.reserve(prefix.size() + 2);
  out.push_back(record);
  for (uint8_t b : prefix) {
    out.push_back(b);
    if (b == 0x00) out.push_back(0xFF);
  }
  return out;
}

std::optional<DecodedRecordKey> DecodeRecordKey(ByteView rk) {
  if (rk.size() < 1 + 2 + 8) return std::nullopt;
  DecodedRecordKey d;
  size_t end = rk.size() - 8;
  size_t i = 1;
  for (;;) {
    if (i >= end) return std::nullopt;
    uint8_t b = rk[i];
    if (b != 0x00) {
      d.key.push_back(b);
      ++i;
      continue;
    }
    if (i + 1 >= end) return std::nullopt;
    uint8_t n = rk[i + 1];
    if (n == 0xFF) {
      d.key.push_back(0x00);
      i += 2;
    } else if (n == 0x01 && i + 2 == end) {
      break;
    } else {
      return std::nullopt;
    }
  }
  uint64_t v = GetU64(rk.data() + end);
  d.suffix = rk[0] == kVersionRecord ? ~v : v;
  return d;
}

Bytes WatermarkKey() { return {kMetaRecord, 'w', 'a', 't', 'e', 'r', 'm', 'a', 'r', 'k'}; }
Bytes FormatKey() { return {kMetaRecord, 'f', 'o', 'r', 'm', 'a', 't'}; }

}  // namespace immudb::index

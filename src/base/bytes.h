// Byte strings and big-endian integer encoding: every integer that enters a hash or a key
// in immudb's formats is big-endian.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace immudb {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string ToString(ByteView b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

inline void PutU16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
inline void PutU32(uint8_t* p, uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = uint8_t(v);
}
inline void PutU64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = uint8_t(v);
}
inline uint16_t GetU16(const uint8_t* p) { return uint16_t((p[0] << 8) | p[1]); }
inline uint32_t GetU32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}
inline uint64_t GetU64(const uint8_t* p) {
  return (uint64_t(GetU32(p)) << 32) | GetU32(p + 4);
}

inline void AppendU16(Bytes& out, uint16_t v) {
  out.resize(out.size() + 2);
  PutU16(out.data() + out.size() - 2, v);
}
inline void AppendU32(Bytes& out, uint32_t v) {
  out.resize(out.size() + 4);
  PutU32(out.data() + out.size() - 4, v);
}
inline void AppendU64(Bytes& out, uint64_t v) {
  out.resize(out.size() + 8);
  PutU64(out.data() + out.size() - 8, v);
}
inline void Append(Bytes& out, ByteView b) { out.insert(out.end(), b.begin(), b.end()); }

std::string HexEncode(ByteView b);
// Returns false on odd length or a non-hex character.
bool HexDecode(std::string_view hex, Bytes* out);

}  // namespace immudb

// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), used to frame on-disk records.
// It detects torn writes and bit rot; it protects nothing against a deliberate change
// (anyone can recompute it). Tamper evidence comes from the SHA-256 hash chain.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"

namespace immudb::store::crc32c {

// Returns the CRC32C of data continuing from the CRC `init` of the preceding bytes
// (Extend(Extend(0, a), b) == Value(a ++ b)).
uint32_t Extend(uint32_t init, const uint8_t* data, size_t n);

// The table-driven implementation, exposed so tests can compare it with the hardware one.
uint32_t ExtendPortable(uint32_t init, const uint8_t* data, size_t n);

inline uint32_t Value(const uint8_t* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(ByteView data) { return Extend(0, data.data(), data.size()); }

// Stored CRCs are masked, as LevelDB does, so that a CRC computed over bytes that
// themselves contain CRCs does not degenerate.
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

}  // namespace immudb::store::crc32c

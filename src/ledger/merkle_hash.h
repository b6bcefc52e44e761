// The two hash shapes shared by the per-tx tree (htree) and the tree over Alh values (ahtree):
// leaf H(0x00 || data) and node H(0x01 || left || right).
#pragma once

#include "crypto/sha256.h"

namespace immudb::ledger {

inline constexpr uint8_t kLeafPrefix = 0x00;
inline constexpr uint8_t kNodePrefix = 0x01;

// H(0x00 || data).
crypto::Digest LeafHash(const crypto::Digest& data);
// H(0x01 || left || right).
crypto::Digest NodeHash(const crypto::Digest& left, const crypto::Digest& right);

}  // namespace immudb::ledger

// Comparisons whose running time does not depend on where secret inputs differ.
#pragma once

#include <string_view>

#include "base/bytes.h"

namespace immudb::crypto {

// True when a and b hold the same bytes. Time depends on the lengths only (lengths are
// treated as public), never on the contents (CRYPTO_memcmp).
bool ConstantTimeEqual(ByteView a, ByteView b);
inline bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return ConstantTimeEqual(AsBytes(a), AsBytes(b));
}

}  // namespace immudb::crypto

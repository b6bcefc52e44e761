#include "ledger/merkle_hash.h"

namespace immudb::ledger {

crypto::Digest LeafHash(const crypto::Digest& data) {
  const uint8_t prefix = kLeafPrefix;
  return crypto::Sha256({ByteView(&prefix, 1), crypto::View(data)});
}

crypto::Digest NodeHash(const crypto::Digest& left, const crypto::Digest& right) {
  const uint8_t prefix = kNodePrefix;
  return crypto::Sha256({ByteView(&prefix, 1), crypto::View(left), crypto::View(right)});
}

}  // namespace immudb::ledger

// The database state a server reports and signs (PROTOCOL.md 4.1-4.3): database name, last
// committed tx id and its Alh.
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "crypto/sha256.h"

namespace immudb::ledger {

struct State {
  std::string db;
  uint64_t tx_id = 0;
  crypto::Digest tx_hash{};  // Alh(tx_id); GenesisAlh() for tx_id 0

  friend bool operator==(const State&, const State&) = default;
};

// The exact bytes immudb signs: u32(len(db)) || db || u64(tx_id) || tx_hash.
Bytes StateSigningPayload(const State& state);

// SHA-256 of StateSigningPayload (what ECDSA-with-SHA256 signs).
crypto::Digest StateSigningDigest(const State& state);

// The state of an empty database: {db, 0, H("")}.
State EmptyState(std::string db);

}  // namespace immudb::ledger

#include "ledger/state.h"

#include <utility>

namespace immudb::ledger {

Bytes StateSigningPayload(const State& state) {
  Bytes out;
  out.reserve(4 + state.db.size() + 8 + crypto::kDigestSize);
  AppendU32(out, uint32_t(state.db.size()));
  Append(out, AsBytes(state.db));
  AppendU64(out, state.tx_id);
  Append(out, crypto::View(state.tx_hash));
  return out;
}

crypto::Digest StateSigningDigest(const State& state) {
  return crypto::Sha256(StateSigningPayload(state));
}

State EmptyState(std::string db) { return State{std::move(db), 0, crypto::EmptyDigest()}; }

}  // namespace immudb::ledger

// VerifiedTxs: the set of tx ids whose entries this open store has already hashed back to
// their Eh and Alh (or committed itself), so reads re-hash each tx at most once per open.
//
// Kept as disjoint, non-adjacent id ranges [first, last] (sequential reads and commits make
// one growing range). Memory is bounded: past kMaxRanges ranges the shortest eighth is
// forgotten; a forgotten tx is simply verified again on its next read. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <shared_mutex>

namespace immudb::store {

class VerifiedTxs {
 public:
  // Upper bound on the number of ranges kept (about 64 bytes each).
  static constexpr size_t kMaxRanges = 16384;

  // True iff tx id is in the set.
  bool Contains(uint64_t id) const;
  // Adds [first, last] (first <= last), merging with overlapping or adjacent ranges.
  void Add(uint64_t first, uint64_t last);
  // Number of ranges held (for tests).
  size_t NumRanges() const;

 private:
  void EvictLocked();

  mutable std::shared_mutex mu_;
  std::map<uint64_t, uint64_t> ranges_;  // first -> last; guarded by mu_
};

}  // namespace immudb::store

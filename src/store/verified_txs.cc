#include "store/verified_txs.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace immudb::store {

bool VerifiedTxs::Contains(uint64_t id) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = ranges_.upper_bound(id);  // first range starting after id
  if (it == ranges_.begin()) return false;
  --it;
  return id <= it->second;
}

void VerifiedTxs::Add(uint64_t first, uint64_t last) {
  if (first > last) return;
  std::unique_lock<std::shared_mutex> l(mu_);
  // Merge with a range that starts at or before `first` and reaches first - 1 or further.
  auto it = ranges_.upper_bound(first);
  if (it != ranges_.begin()) {
    auto prev = std::prev(it);
    if (prev->second >= first || (first > 0 && prev->second == first - 1)) {
      if (prev->second >= last) return;  // already covered
      first = prev->first;
      it = ranges_.erase(prev);
    }
  }
  // Absorb every range that starts inside [first, last + 1].
  while (it != ranges_.end() && (last == UINT64_MAX || it->first <= last + 1)) {
    last = std::max(last, it->second);
    it = ranges_.erase(it);
  }
  ranges_.emplace(first, last);
  if (ranges_.size() > kMaxRanges) EvictLocked();
}

void VerifiedTxs::EvictLocked() {
  // Drop the shortest eighth of the ranges (amortised O(log n) per Add).
  std::vector<uint64_t> lengths;
  lengths.reserve(ranges_.size());
  for (const auto& [f, t] : ranges_) lengths.push_back(t - f);
  const size_t drop = std::max<size_t>(1, ranges_.size() / 8);
  std::nth_element(lengths.begin(), lengths.begin() + drop - 1, lengths.end());
  const uint64_t cutoff = lengths[drop - 1];
  size_t dropped = 0;
  for (auto it = ranges_.begin(); it != ranges_.end() && dropped < drop;) {
    if (it->second - it->first <= cutoff) {
      it = ranges_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
}

size_t VerifiedTxs::NumRanges() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  return ranges_.size();
}

}  // namespace immudb::store

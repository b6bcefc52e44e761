#include "latency.h"

#include <algorithm>
#include <cmath>

namespace immudb::bench {

void LatencySamples::Merge(const LatencySamples& other) {
  ns_.insert(ns_.end(), other.ns_.begin(), other.ns_.end());
}

LatencySummary LatencySamples::Summarize() {
  LatencySummary s;
  s.count = ns_.size();
  if (ns_.empty()) return s;
  std::sort(ns_.begin(), ns_.end());
  auto rank = [&](double p) {
    // Nearest rank: the smallest sample with at least p of the samples at or below it.
    size_t r = static_cast<size_t>(std::ceil(p * static_cast<double>(ns_.size())));
    if (r == 0) r = 1;
    return static_cast<double>(ns_[r - 1]) / 1000.0;
  };
  long double sum = 0;
  for (uint64_t v : ns_) sum += v;
  s.mean_us = static_cast<double>(sum / ns_.size()) / 1000.0;
  s.p50_us = rank(0.50);
  s.p95_us = rank(0.95);
  s.p99_us = rank(0.99);
  s.max_us = static_cast<double>(ns_.back()) / 1000.0;
  return s;
}

}  // namespace immudb::bench

// Latency samples of one load run and their percentiles. Each worker thread owns one
// LatencySamples (no locking); Merge() joins them after the run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace immudb::bench {

struct LatencySummary {
  double mean_us = 0;
  double p50_us = 0;
  double p95_us = 0;
  double p99_us = 0;
  double max_us = 0;
  uint64_t count = 0;
};

class LatencySamples {
 public:
  void Reserve(size_t n) { ns_.reserve(n); }
  void Add(uint64_t nanos) { ns_.push_back(nanos); }
  size_t size() const { return ns_.size(); }
  // Appends other's samples to this one.
  void Merge(const LatencySamples& other);
  // Sorts the samples and returns nearest-rank percentiles in microseconds (all zero when
  // there is no sample).
  LatencySummary Summarize();

 private:
  std::vector<uint64_t> ns_;
};

}  // namespace immudb::bench

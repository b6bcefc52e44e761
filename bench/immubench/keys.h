// Keys and values the load generators write: fixed sizes, unique per (cell, client, sequence)
// so every write inserts a new key, as an append-only insert load does.
#pragma once

#include <cstdint>
#include <string>

namespace immudb::bench {

// tag byte, 8-byte big-endian id = cell << 48 | client << 32 | seq, then '.' padding up to
// key_size (at least 9 bytes are always written).
std::string MakeKey(char tag, uint64_t cell, uint64_t client, uint64_t seq, int key_size);

// value_size pseudo-random bytes (xorshift seeded by seed), not compressible.
std::string MakeValue(uint64_t seed, int value_size);

// Small, fast PRNG for picking keys (one per worker thread).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ULL + 1) {}
  uint64_t Next() {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 7;
    s_ ^= s_ << 17;
    return s_;
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }

 private:
  uint64_t s_;
};

}  // namespace immudb::bench

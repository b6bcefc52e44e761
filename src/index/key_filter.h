// KeyFilter: an in-memory filter of every key an index holds, so that indexing a key the
// index has never seen needs no RocksDB seek (a seek probes the memtables and the prefix
// bloom filter of every L0 table and level; this is one or a few cache lines).
//
// A chain of blocked Bloom filters: each segment holds ~kBitsPerKey bits per key in 512-bit
// blocks, and when the newest segment is full a segment of twice its capacity is added, so the
// filter grows with the index without being rebuilt. MayContain is false only for a hash
// never added (no false negatives); false positives (~1-2 % per segment) only cost the seek.
// Past max_bytes the filter gives up (Disabled(): every answer is "maybe") rather than
// degrade or drop keys. Not thread-safe: the owner serialises calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace immudb::index {

class KeyFilter {
 public:
  static constexpr uint32_t kBitsPerKey = 10;

  // `initial_keys`: capacity of the first segment (at least 1024).
  KeyFilter(uint64_t initial_keys, size_t max_bytes);

  // The filter hash of a key's records prefix (key_format.h: kind byte, escaped key and
  // terminator), the same bytes whether taken from a key or from a stored record key.
  static uint64_t Hash(std::string_view records_prefix);

  void Add(uint64_t hash);
  bool MayContain(uint64_t hash) const;

  bool Disabled() const { return disabled_; }
  uint64_t keys_added() const { return added_; }
  size_t bytes() const { return bytes_; }
  size_t segments() const { return segments_.size(); }

 private:
  struct Segment {
    std::vector<uint64_t> words;  // blocks of 8 words (512 bits)
    uint64_t blocks = 0;
    uint64_t capacity = 0;  // keys before the next segment starts
    uint64_t count = 0;
  };
  bool AddSegment(uint64_t capacity);

  std::vector<Segment> segments_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  uint64_t added_ = 0;
  bool disabled_ = false;
};

}  // namespace immudb::index

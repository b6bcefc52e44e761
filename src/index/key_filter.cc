#include "index/key_filter.h"

#include <algorithm>
#include <functional>

namespace immudb::index {
namespace {

constexpr uint32_t kWordsPerBlock = 8;  // 512 bits: one cache line
constexpr uint32_t kProbes = 6;         // bits set per key, all in one block

// A 64-bit finaliser (splitmix64's), so block choice and bit choice use independent bits.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// Maps the hash's high 32 bits onto [0, blocks) without a division (blocks < 2^32).
uint64_t BlockOf(uint64_t hash, uint64_t blocks) { return ((hash >> 32) * blocks) >> 32; }

}  // namespace

KeyFilter::KeyFilter(uint64_t initial_keys, size_t max_bytes) : max_bytes_(max_bytes) {
  if (!AddSegment(std::max<uint64_t>(initial_keys, 1024))) disabled_ = true;
}

uint64_t KeyFilter::Hash(std::string_view records_prefix) {
  return Mix(std::hash<std::string_view>{}(records_prefix));
}

bool KeyFilter::AddSegment(uint64_t capacity) {
  uint64_t bits = capacity * kBitsPerKey;
  uint64_t blocks = (bits + 511) / 512;
  if (blocks >= (uint64_t{1} << 32)) return false;
  size_t seg_bytes = static_cast<size_t>(blocks * kWordsPerBlock * sizeof(uint64_t));
  if (bytes_ + seg_bytes > max_bytes_) return false;
  Segment s;
  s.words.assign(blocks * kWordsPerBlock, 0);
  s.blocks = blocks;
  s.capacity = capacity;
  segments_.push_back(std::move(s));
  bytes_ += seg_bytes;
  return true;
}

void KeyFilter::Add(uint64_t hash) {
  if (disabled_) return;
  if (segments_.back().count >= segments_.back().capacity &&
      !AddSegment(segments_.back().capacity * 2)) {
    // Out of room: a filter missing this key would answer "absent" for it. Give up.
    disabled_ = true;
    segments_.clear();
    segments_.shrink_to_fit();
    bytes_ = 0;
    return;
  }
  Segment& s = segments_.back();
  uint64_t* block = s.words.data() + BlockOf(hash, s.blocks) * kWordsPerBlock;
  uint64_t bits = Mix(hash ^ 0x9e3779b97f4a7c15ULL);
  for (uint32_t i = 0; i < kProbes; ++i) {
    uint32_t bit = static_cast<uint32_t>(bits >> (i * 9)) & 511;
    block[bit >> 6] |= uint64_t{1} << (bit & 63);
  }
  ++s.count;
  ++added_;
}

bool KeyFilter::MayContain(uint64_t hash) const {
  if (disabled_) return true;
  uint64_t bits = Mix(hash ^ 0x9e3779b97f4a7c15ULL);
  for (const Segment& s : segments_) {
    const uint64_t* block = s.words.data() + BlockOf(hash, s.blocks) * kWordsPerBlock;
    bool all = true;
    for (uint32_t i = 0; i < kProbes && all; ++i) {
      uint32_t bit = static_cast<uint32_t>(bits >> (i * 9)) & 511;
      all = (block[bit >> 6] >> (bit & 63)) & 1;
    }
    if (all) return true;
  }
  return false;
}

}  // namespace immudb::index

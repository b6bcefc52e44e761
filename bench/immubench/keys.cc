#include "keys.h"

namespace immudb::bench {

std::string MakeKey(char tag, uint64_t cell, uint64_t client, uint64_t seq, int key_size) {
  uint64_t id = (cell << 48) | ((client & 0xFFFF) << 32) | (seq & 0xFFFFFFFFULL);
  std::string k(1, tag);
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>((id >> (8 * i)) & 0xFF));
  if (static_cast<int>(k.size()) < key_size) k.append(key_size - k.size(), '.');
  return k;
}

std::string MakeValue(uint64_t seed, int value_size) {
  std::string v(value_size, '\0');
  Rng rng(seed);
  for (int i = 0; i < value_size; ++i) v[i] = static_cast<char>(rng.Next() & 0xFF);
  return v;
}

}  // namespace immudb::bench

#include "client/entry_encoding.h"

#include <bit>

namespace immudb::client {

Bytes KvStoreKey(ByteView key) {
  Bytes out;
  out.reserve(key.size() + 1);
  out.push_back(kSetKeyPrefix);
  Append(out, key);
  return out;
}

Bytes PlainStoreValue(ByteView value) {
  Bytes out;
  out.reserve(value.size() + 1);
  out.push_back(kPlainValuePrefix);
  Append(out, value);
  return out;
}

Bytes ReferenceStoreValue(uint64_t at_tx, ByteView referenced_key) {
  Bytes out;
  out.reserve(referenced_key.size() + 10);
  out.push_back(kReferenceValuePrefix);
  AppendU64(out, at_tx);
  out.push_back(kSetKeyPrefix);
  Append(out, referenced_key);
  return out;
}

Bytes ZAddStoreKey(ByteView set, double score, ByteView key, uint64_t at_tx) {
  Bytes out;
  out.reserve(1 + 8 + set.size() + 8 + 8 + 1 + key.size() + 8);
  out.push_back(kSortedSetKeyPrefix);
  AppendU64(out, set.size());
  Append(out, set);
  AppendU64(out, std::bit_cast<uint64_t>(score));
  AppendU64(out, key.size() + 1);
  out.push_back(kSetKeyPrefix);
  Append(out, key);
  AppendU64(out, at_tx);
  return out;
}

}  // namespace immudb::client

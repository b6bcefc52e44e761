#include "db/encoding.h"

#include <bit>

namespace immudb::db {

Bytes WrapWithPrefix(ByteView b, uint8_t prefix) {
  Bytes out;
  out.reserve(b.size() + 1);
  out.push_back(prefix);
  Append(out, b);
  return out;
}

Bytes EncodeKey(ByteView user_key) { return WrapWithPrefix(user_key, kSetKeyPrefix); }

Bytes EncodePlainValue(ByteView user_value) {
  return WrapWithPrefix(user_value, kPlainValuePrefix);
}

Bytes EncodeReferenceValue(ByteView referenced_user_key, uint64_t at_tx) {
  Bytes out;
  out.reserve(1 + 8 + 1 + referenced_user_key.size());
  out.push_back(kReferenceValuePrefix);
  AppendU64(out, at_tx);
  out.push_back(kSetKeyPrefix);
  Append(out, referenced_user_key);
  return out;
}

Result<ReferenceValue> ParseReferenceValue(ByteView v) {
  if (v.size() < 1 + 8 + 1 || v[0] != kReferenceValuePrefix) {
    return Corruption("data is corrupted: internal value consistency error - invalid reference");
  }
  ReferenceValue r;
  r.at_tx = GetU64(v.data() + 1);
  r.referenced_key.assign(v.begin() + 9, v.end());
  return r;
}

Bytes SortedSetPrefix(ByteView set) {
  Bytes out;
  out.reserve(1 + 8 + set.size());
  out.push_back(kSortedSetKeyPrefix);
  AppendU64(out, set.size());
  Append(out, set);
  return out;
}

Bytes EncodeZAddKey(ByteView set, double score, ByteView user_key, uint64_t at_tx) {
  Bytes out = SortedSetPrefix(set);
  AppendU64(out, std::bit_cast<uint64_t>(score));
  AppendU64(out, user_key.size() + 1);
  out.push_back(kSetKeyPrefix);
  Append(out, user_key);
  AppendU64(out, at_tx);
  return out;
}

Result<ZAddKey> ParseZAddKey(ByteView k) {
  auto bad = [] { return Corruption("data is corrupted: malformed sorted set key"); };
  if (k.size() < 1 + 8 || k[0] != kSortedSetKeyPrefix) return bad();
  uint64_t set_len = GetU64(k.data() + 1);
  if (set_len > k.size() || k.size() < 1 + 8 + set_len + 8 + 8 + 1 + 8) return bad();
  ZAddKey z;
  size_t p = 9;
  z.set.assign(k.begin() + p, k.begin() + p + set_len);
  p += set_len;
  z.score = std::bit_cast<double>(GetU64(k.data() + p));
  p += 8;
  uint64_t key_len = GetU64(k.data() + p);
  p += 8;
  if (key_len < 1 || p + key_len + 8 != k.size()) return bad();
  z.member_key.assign(k.begin() + p, k.begin() + p + key_len);
  p += key_len;
  z.at_tx = GetU64(k.data() + p);
  return z;
}

}  // namespace immudb::db

#include "crypto/password_hash.h"

#include <charconv>
#include <vector>

#include "crypto/constant_time.h"
#include "crypto/random.h"

namespace immudb::crypto {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(ByteView in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint32_t(in[i]) << 16) | (uint32_t(in[i + 1]) << 8) | in[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint32_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint32_t(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Strict decoder: padded, canonical (unused bits zero), no whitespace.
bool Base64Decode(std::string_view in, Bytes* out) {
  if (in.size() % 4 != 0) return false;
  out->clear();
  for (size_t i = 0; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    int pad = 0;
    uint32_t v = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = in[i + j];
      if (c == '=' && last && j >= 2) {
        ++pad;
        v <<= 6;
        continue;
      }
      int d = Base64Value(c);
      if (d < 0 || pad > 0) return false;
      v = (v << 6) | uint32_t(d);
    }
    out->push_back(uint8_t(v >> 16));
    if (pad < 2) out->push_back(uint8_t(v >> 8));
    if (pad < 1) out->push_back(uint8_t(v));
    if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0)) return false;
  }
  return true;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return parts;
    start = pos + 1;
  }
}

}  // namespace

Result<std::string> HashPassword(std::string_view password, const PasswordHashParams& params) {
  if (params.salt_size < kPbkdf2MinSaltSize)
    return InvalidArgument("password hash: salt size " + std::to_string(params.salt_size) +
                           " is below " + std::to_string(kPbkdf2MinSaltSize));
  if (params.iterations > kPasswordMaxIterations)
    return InvalidArgument("password hash: more than " + std::to_string(kPasswordMaxIterations) +
                           " iterations");
  IMMUDB_ASSIGN_OR_RETURN(Bytes salt, RandomBytes(params.salt_size));
  IMMUDB_ASSIGN_OR_RETURN(Bytes hash, Pbkdf2HmacSha256(AsBytes(password), salt, params.iterations,
                                                       params.hash_size, kPasswordMinIterations));
  return std::string(kPasswordHashScheme) + "$" + std::to_string(params.iterations) + "$" +
         Base64Encode(salt) + "$" + Base64Encode(hash);
}

Result<bool> VerifyPassword(std::string_view password, std::string_view stored) {
  std::vector<std::string_view> parts = Split(stored, '$');
  if (parts.size() != 4 || parts[0] != kPasswordHashScheme)
    return InvalidArgument("password hash: not a " + std::string(kPasswordHashScheme) +
                           "$iterations$salt$hash string");
  uint32_t iterations = 0;
  auto [end, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
  if (ec != std::errc() || end != parts[1].data() + parts[1].size() || parts[1].empty() ||
      parts[1][0] == '0' || iterations > kPasswordMaxIterations)
    return InvalidArgument("password hash: bad iteration count");
  Bytes salt, expected;
  if (!Base64Decode(parts[2], &salt) || !Base64Decode(parts[3], &expected))
    return InvalidArgument("password hash: bad base64");
  IMMUDB_ASSIGN_OR_RETURN(Bytes actual, Pbkdf2HmacSha256(AsBytes(password), salt, iterations,
                                                         expected.size(), kPasswordMinIterations));
  return ConstantTimeEqual(actual, expected);
}

}  // namespace immudb::crypto

#include "crypto/sha256.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/bytes.h"

namespace immudb::crypto {
namespace {

std::string Hex(const Digest& d) { return HexEncode(View(d)); }

// FIPS 180-2 appendix B / NIST CAVP short and multi-block messages.
TEST(Sha256, NistVectors) {
  EXPECT_EQ(Hex(Sha256(AsBytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256(AsBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 448 bits: padding spills into a second block.
  EXPECT_EQ(Hex(Sha256(AsBytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // 896 bits: two full blocks.
  EXPECT_EQ(Hex(Sha256(AsBytes("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                               "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"))),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  std::string million(1000000, 'a');
  EXPECT_EQ(Hex(Sha256(AsBytes(million))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PartsAndIncrementalMatchOneShot) {
  EXPECT_EQ(Hex(Sha256({AsBytes("a"), AsBytes("bc")})),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string million(1000000, 'a');
  Sha256Hasher h;
  for (size_t i = 0; i < million.size(); i += 997)
    h.Update(AsBytes(std::string_view(million).substr(i, 997)));
  EXPECT_EQ(Hex(h.Final()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Final() resets the hasher.
  h.Update(AsBytes("abc"));
  EXPECT_EQ(Hex(h.Final()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(EmptyDigest(), Sha256(ByteView{}));
}

TEST(Sha256, ManyMatchesOneByOne) {
  std::vector<std::string> texts = {"", "abc", std::string(64, 'x'), std::string(1000, 'y')};
  std::vector<ByteView> views;
  for (const auto& t : texts) views.push_back(AsBytes(t));
  std::vector<Digest> out(views.size());
  Sha256Many(views, out.data());
  for (size_t i = 0; i < views.size(); ++i) EXPECT_EQ(out[i], Sha256(views[i])) << i;
}

}  // namespace
}  // namespace immudb::crypto

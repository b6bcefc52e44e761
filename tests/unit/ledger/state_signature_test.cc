#include "ledger/state_signature.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace immudb::ledger {
namespace {

using testing::D;

State FiveTxState() {
  return State{"defaultdb", 5,
               D("95949b2ffc5392f3f7d80305d848ab3300286e451b6adcb356703bb2ee2e8261")};
}

TEST(StateSignatureTest, SignsAndVerifies) {
  Result<crypto::EcdsaPrivateKey> key = crypto::EcdsaPrivateKey::Generate();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  const State s = FiveTxState();
  Result<StateSignature> sig = SignState(s, *key);
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  ASSERT_EQ(sig->public_key.size(), 65u);
  EXPECT_EQ(sig->public_key[0], 0x04);
  EXPECT_EQ(sig->signature[0], 0x30);  // DER SEQUENCE
  EXPECT_TRUE(VerifyStateSignature(s, sig->signature, key->PublicKey()).ok());

  // The carried public key is the signer's.
  Result<crypto::EcdsaPublicKey> carried =
      crypto::EcdsaPublicKey::FromUncompressedPoint(sig->public_key);
  ASSERT_TRUE(carried.ok());
  EXPECT_TRUE(VerifyStateSignature(s, sig->signature, *carried).ok());

  // It is a plain ECDSA-with-SHA256 signature of the payload.
  EXPECT_TRUE(key->PublicKey().Verify(StateSigningPayload(s), sig->signature).ok());

  // Randomised nonce.
  Result<StateSignature> again = SignState(s, *key);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->signature, sig->signature);
  EXPECT_TRUE(VerifyStateSignature(s, again->signature, key->PublicKey()).ok());
}

TEST(StateSignatureTest, AnyChangeBreaksIt) {
  Result<crypto::EcdsaPrivateKey> key = crypto::EcdsaPrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  const State s = FiveTxState();
  StateSignature sig = SignState(s, *key).value();
  const crypto::EcdsaPublicKey pub = key->PublicKey();

  State other = s;
  other.db = "Defaultdb";
  EXPECT_FALSE(VerifyStateSignature(other, sig.signature, pub).ok());
  other = s;
  other.tx_id = 6;
  EXPECT_FALSE(VerifyStateSignature(other, sig.signature, pub).ok());
  for (size_t bit = 0; bit < 256; bit += 37) {
    other = s;
    other.tx_hash[bit / 8] ^= uint8_t(1u << (bit % 8));
    EXPECT_FALSE(VerifyStateSignature(other, sig.signature, pub).ok());
  }
  for (size_t i = 0; i < sig.signature.size(); i += 7) {
    Bytes bad = sig.signature;
    bad[i] ^= 0x01;
    EXPECT_FALSE(VerifyStateSignature(s, bad, pub).ok()) << i;
  }
  EXPECT_FALSE(VerifyStateSignature(s, {}, pub).ok());
  Result<crypto::EcdsaPrivateKey> other_key = crypto::EcdsaPrivateKey::Generate();
  ASSERT_TRUE(other_key.ok());
  EXPECT_FALSE(VerifyStateSignature(s, sig.signature, other_key->PublicKey()).ok());
}

}  // namespace
}  // namespace immudb::ledger

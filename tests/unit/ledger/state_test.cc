#include "ledger/state.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace immudb::ledger {
namespace {

using testing::D;
using testing::H;

TEST(StateTest, SigningPayloadVector) {  // PROTOCOL.md 7.6
  State s{"defaultdb", 5, D("95949b2ffc5392f3f7d80305d848ab3300286e451b6adcb356703bb2ee2e8261")};
  EXPECT_EQ(H(StateSigningPayload(s)),
            "0000000964656661756c7464620000000000000005"
            "95949b2ffc5392f3f7d80305d848ab3300286e451b6adcb356703bb2ee2e8261");
  EXPECT_EQ(H(StateSigningDigest(s)),
            "0342f3dde031b2b596281db115e424a34113a177399ac4ddd9e0b82b0a45b73f");
}

TEST(StateTest, EmptyDatabase) {
  State s = EmptyState("db1");
  EXPECT_EQ(s.tx_id, 0u);
  EXPECT_EQ(s.tx_hash, crypto::EmptyDigest());
  EXPECT_EQ(H(StateSigningPayload(s)),
            "00000003646231" "0000000000000000"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(StateSigningPayload(State{"", 0, {}}).size(), 4u + 8u + 32u);
}

}  // namespace
}  // namespace immudb::ledger

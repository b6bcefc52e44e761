// FaultInjectionEnv itself: rules fire as configured and power loss undoes unsynced writes.
#include "store/fault_injection_env.h"

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace immudb::store {
namespace {

using testing::TempDir;

TEST(FaultInjectionEnvTest, RulesSkipThenFailCountTimes) {
  TempDir dir;
  FaultInjectionEnv env(Env::Default());
  env.AddRule({FaultOp::kWrite, "target", 2, 2, FaultKind::kNoSpace});
  auto f = env.OpenFile(dir.Sub("target"), true);
  auto other = env.OpenFile(dir.Sub("other"), true);
  ASSERT_TRUE(f.ok() && other.ok());
  Bytes b = ToBytes("abcd");
  EXPECT_TRUE((*other)->Write(0, b).ok());  // path does not match
  EXPECT_TRUE((*f)->Write(0, b).ok());
  EXPECT_TRUE((*f)->Write(4, b).ok());
  EXPECT_EQ((*f)->Write(8, b).code(), Code::kResourceExhausted);
  EXPECT_EQ((*f)->Write(8, b).code(), Code::kResourceExhausted);
  EXPECT_TRUE((*f)->Write(8, b).ok());
  EXPECT_EQ(env.injected(), 2u);
}

TEST(FaultInjectionEnvTest, ShortWriteStoresHalf) {
  TempDir dir;
  FaultInjectionEnv env(Env::Default());
  env.AddRule({FaultOp::kWrite, "", 0, 1, FaultKind::kShortWrite});
  auto f = env.OpenFile(dir.Sub("f"), true);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->Write(0, ToBytes("12345678")).code(), Code::kIoError);
  EXPECT_EQ(*(*f)->Size(), 4u);
}

TEST(FaultInjectionEnvTest, PowerLossUndoesUnsyncedWritesOnly) {
  TempDir dir;
  FaultInjectionEnv env(Env::Default());
  {
    auto f = env.OpenFile(dir.Sub("f"), true);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Write(0, ToBytes("durable!")).ok());
    ASSERT_TRUE((*f)->Sync().ok());
    ASSERT_TRUE((*f)->Write(4, ToBytes("LOST-AND-GROWN")).ok());
  }
  ASSERT_TRUE(env.SimulatePowerLoss().ok());
  auto f = Env::Default()->OpenFile(dir.Sub("f"), false);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(*(*f)->Size(), 8u);
  Bytes got(8);
  ASSERT_TRUE((*f)->Read(0, 8, got.data()).ok());
  EXPECT_EQ(ToString(got), "durable!");
}

}  // namespace
}  // namespace immudb::store

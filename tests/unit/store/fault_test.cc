// I/O failures injected through FaultInjectionEnv: ENOSPC, EIO, short writes and failed
// syncs on every file of the commit path, and power loss (unsynced writes undone).
#include <gtest/gtest.h>

#include "ledger/dual_proof.h"
#include "store/fault_injection_env.h"
#include "store/store.h"
#include "store_test_util.h"

namespace immudb::store {
namespace {

using testing::Entries;
using testing::TempDir;

Options FaultOptions(Env* env) {
  Options o = testing::SmallOptions();
  o.env = env;
  return o;
}

struct Case {
  FaultOp op;
  const char* path;
  FaultKind kind;
  Code code;
  bool poisons;  // the failure hit the commit log: the store refuses further commits
};

class FaultTest : public ::testing::TestWithParam<Case> {};

TEST_P(FaultTest, FailedCommitLeavesAConsistentStore) {
  const Case c = GetParam();
  TempDir dir;
  FaultInjectionEnv env(Env::Default());
  std::vector<CommitResult> acked;
  {
    auto s = Store::Open(dir.path(), FaultOptions(&env));
    ASSERT_TRUE(s.ok());
    for (int i = 0; i < 5; ++i) {
      auto r = (*s)->Commit(Entries("a" + std::to_string(i), 2));
      ASSERT_TRUE(r.ok());
      acked.push_back(*r);
    }
    env.AddRule({c.op, c.path, 0, 1, c.kind});
    auto failed = (*s)->Commit(Entries("fails", 2));
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.status().code(), c.code) << failed.status().ToString();
    EXPECT_EQ(env.injected(), 1u);
    EXPECT_EQ((*s)->CurrentState().tx_id, 5u);
    auto again = (*s)->Commit(Entries("again", 2));
    if (c.poisons) {
      EXPECT_EQ(again.status().code(), Code::kFailedPrecondition) << again.status().ToString();
    } else {
      // The failed tx left nothing behind: its id is reused and the chain continues.
      ASSERT_TRUE(again.ok()) << again.status().ToString();
      EXPECT_EQ(again->header.id, 6u);
      EXPECT_EQ(again->header.prev_alh, acked.back().alh);
      acked.push_back(*again);
      Status v = (*s)->Verify();
      EXPECT_TRUE(v.ok()) << v.ToString();
    }
  }
  env.ClearRules();
  auto s = Store::Open(dir.path(), FaultOptions(&env));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  // Every acknowledged tx is there; an unknown-outcome tx may or may not be.
  ASSERT_GE((*s)->CurrentState().tx_id, acked.size());
  for (const CommitResult& r : acked) {
    auto tx = (*s)->ReadTx(r.header.id);
    ASSERT_TRUE(tx.ok());
    EXPECT_EQ(tx->header, r.header);
  }
  EXPECT_TRUE((*s)->Verify().ok());
  auto next = (*s)->Commit(Entries("after-reopen", 1));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
}

INSTANTIATE_TEST_SUITE_P(
    EveryFileAndFault, FaultTest,
    ::testing::Values(
        Case{FaultOp::kWrite, "/val/", FaultKind::kNoSpace, Code::kResourceExhausted, false},
        Case{FaultOp::kWrite, "/val/", FaultKind::kShortWrite, Code::kIoError, false},
        Case{FaultOp::kSync, "/val/", FaultKind::kIoError, Code::kIoError, false},
        Case{FaultOp::kWrite, "/tx/", FaultKind::kIoError, Code::kIoError, false},
        Case{FaultOp::kWrite, "/tx/", FaultKind::kShortWrite, Code::kIoError, false},
        Case{FaultOp::kSync, "/tx/", FaultKind::kIoError, Code::kIoError, false},
        Case{FaultOp::kWrite, "/aht/", FaultKind::kNoSpace, Code::kResourceExhausted, false},
        Case{FaultOp::kWrite, "/commit/", FaultKind::kNoSpace, Code::kResourceExhausted, true},
        Case{FaultOp::kWrite, "/commit/", FaultKind::kShortWrite, Code::kIoError, true},
        Case{FaultOp::kSync, "/commit/", FaultKind::kIoError, Code::kIoError, true}));

TEST(FaultTest, SegmentAllocationFailureIsReportedAndRetried) {
  TempDir dir;
  FaultInjectionEnv env(Env::Default());
  auto s = Store::Open(dir.path(), FaultOptions(&env));  // 4 KiB segments
  ASSERT_TRUE(s.ok());
  env.AddRule({FaultOp::kAllocate, "/val/", 0, 1, FaultKind::kNoSpace});
  std::string big(5000, 'x');  // needs a second value segment
  auto r = (*s)->Commit({testing::Entry("big", big)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  auto r2 = (*s)->Commit({testing::Entry("big", big)});
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->header.id, 1u);
  auto v = (*s)->ReadValue(r2->value_refs[0]);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(ToString(*v), big);
  EXPECT_TRUE((*s)->Verify().ok());
}

TEST(FaultTest, NoSpaceForANewCommitLogSegmentLeavesTheStoreWritable) {
  TempDir dir;
  FaultInjectionEnv env(Env::Default());
  auto s = Store::Open(dir.path(), FaultOptions(&env));  // 4 KiB: 64 commit records
  ASSERT_TRUE(s.ok());
  for (int i = 0; i < 64; ++i) ASSERT_TRUE((*s)->Commit(Entries("c" + std::to_string(i), 1)).ok());
  env.AddRule({FaultOp::kAllocate, "/commit/", 0, 1, FaultKind::kNoSpace});
  auto r = (*s)->Commit(Entries("needs-segment-1", 1));
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted) << r.status().ToString();
  auto again = (*s)->Commit(Entries("needs-segment-1", 1));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->header.id, 65u);
  EXPECT_TRUE((*s)->Verify().ok());
}

TEST(FaultTest, PowerLossKeepsEveryAcknowledgedSyncedTx) {
  TempDir dir;
  FaultInjectionEnv env(Env::Default());
  std::vector<CommitResult> acked;
  {
    auto s = Store::Open(dir.path(), FaultOptions(&env));
    ASSERT_TRUE(s.ok());
    for (int i = 0; i < 30; ++i) {
      auto r = (*s)->Commit(Entries("p" + std::to_string(i), 1 + i % 3));
      ASSERT_TRUE(r.ok());
      acked.push_back(*r);
    }
    // The power goes while the store is open (no Close, no checkpoint): simulate it
    // after the store's threads are gone by undoing every unsynced write.
    env.AddRule({FaultOp::kSync, "", 0, UINT64_MAX, FaultKind::kIoError});
  }
  env.ClearRules();
  ASSERT_TRUE(env.SimulatePowerLoss().ok());
  auto s = Store::Open(dir.path(), FaultOptions(&env));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ((*s)->CurrentState().tx_id, acked.size());
  for (const CommitResult& r : acked) {
    auto tx = (*s)->ReadTx(r.header.id);
    ASSERT_TRUE(tx.ok());
    EXPECT_EQ(tx->header, r.header);
  }
  auto p = (*s)->DualProof(1, acked.size());
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(ledger::VerifyDualProof(*p, 1, acked.size(), acked[0].alh, acked.back().alh).ok());
  EXPECT_TRUE((*s)->Verify().ok());
}

TEST(FaultTest, PowerLossWithoutSyncLeavesAnOpenablePrefix) {
  TempDir dir;
  FaultInjectionEnv env(Env::Default());
  Options o = FaultOptions(&env);
  o.synced = false;
  std::vector<CommitResult> acked;
  {
    auto s = Store::Open(dir.path(), o);
    ASSERT_TRUE(s.ok());
    for (int i = 0; i < 30; ++i) {
      auto r = (*s)->Commit(Entries("n" + std::to_string(i), 2));
      ASSERT_TRUE(r.ok());
      acked.push_back(*r);
    }
    env.AddRule({FaultOp::kSync, "", 0, UINT64_MAX, FaultKind::kIoError});
  }
  env.ClearRules();
  ASSERT_TRUE(env.SimulatePowerLoss().ok());
  auto s = Store::Open(dir.path(), o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  uint64_t n = (*s)->CurrentState().tx_id;
  ASSERT_LE(n, acked.size());
  for (uint64_t id = 1; id <= n; ++id) {
    auto tx = (*s)->ReadTx(id);
    ASSERT_TRUE(tx.ok());
    EXPECT_EQ(tx->header, acked[id - 1].header);
  }
  EXPECT_TRUE((*s)->Verify().ok());
}

}  // namespace
}  // namespace immudb::store

// The docs/embedded.md example, compiled and run.
#include "db/embedded.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "db_test_util.h"

namespace immudb {
namespace {

TEST(EmbeddedTest, DocumentedExampleWorks) {
  std::string dir = db::testing::TempDirFor("embedded");
  EmbeddedOptions opts;
  opts.data_dir = dir;
  opts.fips_mode = crypto::CurrentModule().mode;  // the test main already chose the mode
  opts.default_settings = db::testing::TestSettings();
  {
    auto im = Embedded::Open(opts);
    ASSERT_TRUE(im.ok()) << im.status().ToString();
    auto dbr = (*im)->Database();
    ASSERT_TRUE(dbr.ok());
    std::shared_ptr<db::Database> db = *dbr;

    db::SetRequest set;
    set.kvs.push_back({ToBytes("greeting"), ToBytes("hello"), std::nullopt});
    auto hdr = db->Set(set);
    ASSERT_TRUE(hdr.ok());

    db::VerifiableGetRequest vget;
    vget.key_request.key = ToBytes("greeting");
    auto ve = db->VerifiableGet(vget);
    ASSERT_TRUE(ve.ok());
    EXPECT_EQ(ToString(ve->entry.value), "hello");
    EXPECT_EQ(ve->verifiable_tx.tx.header.id, hdr->id);

    auto created = (*im)->catalog().Create("inventory", opts.default_settings);
    ASSERT_TRUE(created.ok());
    auto inv = (*im)->Database("inventory");
    ASSERT_TRUE(inv.ok());
    ASSERT_TRUE((*im)->Close().ok());
  }
  {
    auto im = Embedded::Open(opts);  // reopen: data is there
    ASSERT_TRUE(im.ok());
    auto db = (*im)->Database("defaultdb");
    ASSERT_TRUE(db.ok());
    db::KeyRequest get;
    get.key = ToBytes("greeting");
    auto e = (*db)->Get(get);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(ToString(e->value), "hello");
    EXPECT_TRUE((*im)->catalog().Exists("inventory"));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace immudb

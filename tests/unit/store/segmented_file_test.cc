// SegmentedFile: logical offsets over fixed-size, preallocated, headed segment files.
#include "store/segmented_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "store/log_format.h"
#include "store_test_util.h"

namespace immudb::store {
namespace {

using testing::TempDir;

SegmentedFileOptions Opts(const std::string& dir, uint64_t size = 100) {
  SegmentedFileOptions o;
  o.dir = dir;
  o.magic = "TESTSEG1";
  o.segment_size = size;
  return o;
}

Bytes Pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t(seed + i * 7);
  return b;
}

TEST(SegmentedFileTest, WritesSpanSegmentsAndReadBack) {
  TempDir dir;
  auto f = SegmentedFile::Open(Env::Default(), Opts(dir.Sub("s")));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  Bytes a = Pattern(250, 1), b = Pattern(30, 2);
  ASSERT_TRUE((*f)->Write(0, a).ok());
  ASSERT_TRUE((*f)->Write(250, b).ok());
  ASSERT_TRUE((*f)->Sync().ok());
  EXPECT_EQ((*f)->NumSegments(), 3u);
  Bytes got(280);
  ASSERT_TRUE((*f)->Read(0, got.size(), got.data()).ok());
  EXPECT_TRUE(std::equal(a.begin(), a.end(), got.begin()));
  EXPECT_TRUE(std::equal(b.begin(), b.end(), got.begin() + 250));
  // Files are preallocated to header + segment size.
  EXPECT_EQ(std::filesystem::file_size(dir.Sub("s/00000000.seg")),
            format::kSegmentHeaderSize + 100);
  EXPECT_EQ((*f)->Read(300, 1, got.data()).code(), Code::kOutOfRange);
  EXPECT_EQ((*f)->Describe(150), dir.Sub("s/00000001.seg") + " at byte 82");
}

TEST(SegmentedFileTest, ReservationGrowsInStepsUpToTheSegment) {
  TempDir dir;
  SegmentedFileOptions o = Opts(dir.Sub("s"), 1000);
  o.allocation_step = 100;
  auto f = SegmentedFile::Open(Env::Default(), o);
  ASSERT_TRUE(f.ok());
  const std::string seg0 = dir.Sub("s/00000000.seg");
  ASSERT_TRUE((*f)->Write(0, Pattern(50, 1)).ok());  // file bytes [0, 82)
  EXPECT_EQ(std::filesystem::file_size(seg0), 100u);
  ASSERT_TRUE((*f)->Write(50, Pattern(100, 2)).ok());  // file bytes up to 182
  EXPECT_EQ(std::filesystem::file_size(seg0), 200u);
  ASSERT_TRUE((*f)->Write(950, Pattern(60, 3)).ok());  // fills segment 0, starts segment 1
  EXPECT_EQ(std::filesystem::file_size(seg0), format::kSegmentHeaderSize + 1000);
  EXPECT_EQ(std::filesystem::file_size(dir.Sub("s/00000001.seg")), 100u);
  Bytes got(60);
  ASSERT_TRUE((*f)->Read(950, got.size(), got.data()).ok());
  EXPECT_EQ(got, Pattern(60, 3));
}

TEST(SegmentedFileTest, ReopenSeesTheSameBytes) {
  TempDir dir;
  Bytes a = Pattern(333, 3);
  {
    auto f = SegmentedFile::Open(Env::Default(), Opts(dir.Sub("s")));
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Write(0, a).ok());
  }
  auto f = SegmentedFile::Open(Env::Default(), Opts(dir.Sub("s")));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->NumSegments(), 4u);
  Bytes got(a.size());
  ASSERT_TRUE((*f)->Read(0, got.size(), got.data()).ok());
  EXPECT_EQ(got, a);
}

TEST(SegmentedFileTest, SetEndDropsSegmentsPastTheEnd) {
  TempDir dir;
  auto f = SegmentedFile::Open(Env::Default(), Opts(dir.Sub("s")));
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Write(0, Pattern(450, 4)).ok());
  ASSERT_TRUE((*f)->SetEnd(250).ok());
  EXPECT_EQ((*f)->NumSegments(), 3u);
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("s/00000003.seg")));
  // At a segment boundary the next (sound) segment stays for the next write.
  ASSERT_TRUE((*f)->SetEnd(200).ok());
  EXPECT_EQ((*f)->NumSegments(), 3u);
  ASSERT_TRUE((*f)->SetEnd(150).ok());
  EXPECT_EQ((*f)->NumSegments(), 2u);
  ASSERT_TRUE((*f)->SetEnd(0).ok());
  EXPECT_EQ((*f)->NumSegments(), 1u);
}

TEST(SegmentedFileTest, DamagedHeaderIsCorruptionUnlessPastTheEnd) {
  TempDir dir;
  {
    auto f = SegmentedFile::Open(Env::Default(), Opts(dir.Sub("s")));
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Write(0, Pattern(250, 5)).ok());
  }
  {
    std::fstream seg(dir.Sub("s/00000001.seg"), std::ios::in | std::ios::out | std::ios::binary);
    seg.seekp(3);
    seg.put('X');
  }
  auto f = SegmentedFile::Open(Env::Default(), Opts(dir.Sub("s")));
  ASSERT_TRUE(f.ok());
  uint8_t b;
  Status st = (*f)->Read(120, 1, &b);
  EXPECT_EQ(st.code(), Code::kCorruption);
  EXPECT_NE(st.message().find("00000001.seg"), std::string::npos) << st.message();
  EXPECT_EQ((*f)->SetEnd(250).code(), Code::kCorruption);
  // When the damaged segment holds nothing committed (crash during its creation), it goes.
  EXPECT_TRUE((*f)->SetEnd(100).ok());
  EXPECT_EQ((*f)->NumSegments(), 1u);
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("s/00000001.seg")));
}

TEST(SegmentedFileTest, WrongMagicOrSizeIsDetected) {
  TempDir dir;
  {
    auto f = SegmentedFile::Open(Env::Default(), Opts(dir.Sub("s")));
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Write(0, Pattern(10, 6)).ok());
  }
  SegmentedFileOptions other = Opts(dir.Sub("s"));
  other.magic = "OTHERSEG";
  auto f = SegmentedFile::Open(Env::Default(), other);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->SetEnd(10).code(), Code::kCorruption);
  auto g = SegmentedFile::Open(Env::Default(), Opts(dir.Sub("s"), 200));
  ASSERT_TRUE(g.ok());
  uint8_t b;
  EXPECT_EQ((*g)->Read(0, 1, &b).code(), Code::kCorruption);
}

TEST(SegmentedFileTest, MissingSegmentInTheMiddleIsCorruption) {
  TempDir dir;
  {
    auto f = SegmentedFile::Open(Env::Default(), Opts(dir.Sub("s")));
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Write(0, Pattern(350, 7)).ok());
  }
  std::filesystem::remove(dir.Sub("s/00000001.seg"));
  EXPECT_EQ(SegmentedFile::Open(Env::Default(), Opts(dir.Sub("s"))).status().code(),
            Code::kCorruption);
}

}  // namespace
}  // namespace immudb::store

// ChunkWriter / ChunkReader: immudb's stream framing (u64 big-endian length in the first chunk,
// raw continuation chunks), round trips and hostile inputs.
#include "server/stream_framing.h"

#include <gtest/gtest.h>

#include <deque>

namespace immudb::server {
namespace {

Bytes Pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 31 + (i >> 8));
  return b;
}

struct Pipe {
  std::deque<schema::Chunk> chunks;
  ChunkWriter Writer(size_t chunk_size) {
    return ChunkWriter([this](const schema::Chunk& c) { chunks.push_back(c); return true; },
                       chunk_size);
  }
  ChunkReader Reader(size_t max = kMaxStreamMessageSize) {
    return ChunkReader([this](schema::Chunk* c) {
      if (chunks.empty()) return false;
      *c = std::move(chunks.front());
      chunks.pop_front();
      return true;
    }, max);
  }
  void AddRaw(const Bytes& content) {
    schema::Chunk c;
    c.set_content(std::string(content.begin(), content.end()));
    chunks.push_back(c);
  }
};

TEST(StreamFraming, FirstChunkCarriesBigEndianLength) {
  Pipe p;
  Bytes msg = ToBytes("hello");
  ASSERT_TRUE(p.Writer(kDefaultStreamChunkSize).Write(msg).ok());
  ASSERT_EQ(p.chunks.size(), 1u);
  const std::string& c = p.chunks[0].content();
  ASSERT_EQ(c.size(), 13u);
  EXPECT_EQ(c.substr(0, 8), std::string("\0\0\0\0\0\0\0\5", 8));
  EXPECT_EQ(c.substr(8), "hello");
  EXPECT_TRUE(p.chunks[0].metadata().empty());
}

TEST(StreamFraming, EmptyMessageIsLengthOnly) {
  Pipe p;
  ASSERT_TRUE(p.Writer(4096).Write(Bytes{}).ok());
  ASSERT_EQ(p.chunks.size(), 1u);
  EXPECT_EQ(p.chunks[0].content(), std::string(8, '\0'));
  auto r = p.Reader();
  auto m = r.Next();
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->has_value());
  EXPECT_TRUE((*m)->empty());
  auto end = r.Next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
}

TEST(StreamFraming, MultiChunkSizesAndRoundTrip) {
  Pipe p;
  auto w = p.Writer(4096);
  Bytes big = Pattern(3 * 4096 + 100, 7);  // 8 + 12388 bytes -> 4096, 4096, 4096, 108
  Bytes small = ToBytes("k");
  ASSERT_TRUE(w.Write(big).ok());
  ASSERT_TRUE(w.Write(small).ok());
  ASSERT_EQ(p.chunks.size(), 5u);
  EXPECT_EQ(p.chunks[0].content().size(), 4096u);
  EXPECT_EQ(p.chunks[1].content().size(), 4096u);
  EXPECT_EQ(p.chunks[2].content().size(), 4096u);
  EXPECT_EQ(p.chunks[3].content().size(), 8u + big.size() - 3 * 4096u);
  EXPECT_EQ(p.chunks[4].content().size(), 9u);  // a new message starts a new chunk
  auto r = p.Reader();
  auto a = r.Next();
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ(**a, big);
  auto b = r.Next();
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_EQ(**b, small);
  auto end = r.Next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
}

TEST(StreamFraming, ExactChunkBoundary) {
  Pipe p;
  Bytes msg = Pattern(4096 - 8, 1);  // fills the first chunk exactly
  ASSERT_TRUE(p.Writer(4096).Write(msg).ok());
  ASSERT_EQ(p.chunks.size(), 1u);
  auto r = p.Reader();
  auto m = r.Next();
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_EQ(**m, msg);
}

TEST(StreamFraming, ChunkSizeClampedToMinimum) {
  Pipe p;
  auto w = p.Writer(10);
  EXPECT_EQ(w.chunk_size(), kMinStreamChunkSize);
}

TEST(StreamFraming, ReaderAcceptsArbitraryRechunking) {
  // Two messages cut into odd pieces that straddle the length prefixes.
  Bytes all;
  Bytes m1 = Pattern(1000, 3), m2 = Pattern(17, 9);
  AppendU64(all, m1.size());
  Append(all, m1);
  AppendU64(all, m2.size());
  Append(all, m2);
  Pipe p;
  for (size_t i = 0; i < all.size(); i += 5) {
    p.AddRaw(Bytes(all.begin() + static_cast<std::ptrdiff_t>(i),
                   all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), i + 5))));
  }
  auto r = p.Reader();
  auto a = r.Next();
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ(**a, m1);
  auto b = r.Next();
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_EQ(**b, m2);
}

TEST(StreamFraming, DeclaredLengthLargerThanData) {
  Pipe p;
  Bytes c;
  AppendU64(c, 100);
  Append(c, Pattern(40, 2));
  p.AddRaw(c);
  auto r = p.Reader();
  auto m = r.Next();
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), Code::kInvalidArgument);
  EXPECT_NE(m.status().message().find("declared 100 bytes, received 40"), std::string::npos)
      << m.status().message();
}

TEST(StreamFraming, TruncatedLengthPrefix) {
  Pipe p;
  p.AddRaw(Bytes{0, 0, 0});
  auto r = p.Reader();
  auto m = r.Next();
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("length prefix"), std::string::npos);
}

TEST(StreamFraming, OversizedLengthRefusedBeforeBuffering) {
  Pipe p;
  Bytes c;
  AppendU64(c, ~uint64_t{0});
  p.AddRaw(c);
  int pulled = 0;
  ChunkReader r([&](schema::Chunk* out) {
    if (p.chunks.empty()) return false;
    ++pulled;
    *out = p.chunks.front();
    p.chunks.pop_front();
    return true;
  }, 1 << 20);
  auto m = r.Next();
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), Code::kInvalidArgument);
  EXPECT_NE(m.status().message().find("exceeds the limit of 1048576 bytes"), std::string::npos)
      << m.status().message();
  EXPECT_EQ(pulled, 1);
}

TEST(StreamFraming, LimitIsInclusive) {
  Pipe p;
  ASSERT_TRUE(p.Writer(4096).Write(Pattern(5000, 4)).ok());
  auto ok = p.Reader(5000).Next();
  EXPECT_TRUE(ok.ok());
  Pipe q;
  ASSERT_TRUE(q.Writer(4096).Write(Pattern(5001, 4)).ok());
  EXPECT_FALSE(q.Reader(5000).Next().ok());
}

TEST(StreamFraming, WriterReportsClosedPeer) {
  ChunkWriter w([](const schema::Chunk&) { return false; });
  Status st = w.Write(ToBytes("x"));
  EXPECT_EQ(st.code(), Code::kUnavailable);
}

}  // namespace
}  // namespace immudb::server

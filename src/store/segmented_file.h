// SegmentedFile: one logical append-only byte stream stored as a folder of fixed-size,
// preallocated segment files (00000000.seg, 00000001.seg, ...). Logical offset o lives in
// segment o / segment_size at byte kSegmentHeaderSize + o % segment_size. Each segment
// starts with a 32-byte header naming the stream kind (magic), format version, segment
// index and size (docs/format.md). Records may straddle segments.
//
// The stream itself does not know where its data ends: the commit log says so, and the
// store calls SetEnd() after recovery to drop segments that hold only uncommitted bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "store/env.h"
#include "store/log_format.h"

namespace immudb::store {

struct SegmentedFileOptions {
  std::string dir;            // folder holding the segments; created if missing
  std::string magic;          // exactly 8 bytes, identifies the stream kind
  uint64_t segment_size = 0;  // data bytes per segment (the header is extra)
  bool preallocate = true;    // reserve disk blocks ahead of the writes (fallocate)
  // Bytes reserved at a time when preallocating; a segment's reservation grows in these
  // steps ahead of the write position, up to the whole segment.
  uint64_t allocation_step = 8ull << 20;
};

class SegmentedFile {
 public:
  // Opens (or creates the folder of) a stream. Existing segments must be numbered 0..n-1
  // without gaps (else Corruption). A segment whose header is damaged is remembered, not
  // rejected: reading it fails with Corruption, and SetEnd() either removes it (when it
  // lies wholly past the end, i.e. a crash during its creation) or reports Corruption.
  static Result<std::unique_ptr<SegmentedFile>> Open(Env* env, const SegmentedFileOptions& opts);

  SegmentedFile(const SegmentedFile&) = delete;
  SegmentedFile& operator=(const SegmentedFile&) = delete;
  ~SegmentedFile();

  // Writes data at logical offset, creating and preallocating segments as needed.
  // One writer at a time; concurrent with Read.
  Status Write(uint64_t offset, ByteView data);
  // Creates the segments and reserves the space that a Write of n bytes at offset will
  // use, so that such a Write can only fail on the write itself. One writer at a time.
  Status Prepare(uint64_t offset, uint64_t n);
  // Reads n bytes at logical offset into out. Thread-safe. Reading a segment that does
  // not exist is OutOfRange; a damaged segment header is Corruption.
  Status Read(uint64_t offset, size_t n, uint8_t* out) const;
  // fdatasyncs every segment written since the previous Sync.
  Status Sync();
  // Declares [0, end) the committed content: segments after the one holding offset `end`
  // are deleted (that one too if its header is damaged: a crash during its creation); a
  // damaged header on a segment that holds committed bytes is Corruption.
  Status SetEnd(uint64_t end);

  // "<dir>/00000003.seg at byte 1234" for error messages about logical offset.
  std::string Describe(uint64_t offset) const;
  // Number of segments currently present.
  uint64_t NumSegments() const;
  uint64_t segment_size() const { return opts_.segment_size; }
  const std::string& dir() const { return opts_.dir; }

 private:
  struct Segment {
    std::unique_ptr<RandomRWFile> file;
    std::string header_error;  // non-empty when the header did not validate
    uint64_t allocated = 0;    // file bytes reserved (header included); writer only
  };

  SegmentedFile(Env* env, SegmentedFileOptions opts);
  std::string SegmentPath(uint64_t index) const;
  Status CreateSegment(uint64_t index);
  // Extends seg's reservation so that file bytes [0, end) are allocated.
  Status Reserve(Segment* seg, uint64_t end);
  Bytes EncodeHeader(uint64_t index) const;
  std::string CheckHeader(uint64_t index, RandomRWFile* file) const;
  // Returns the segment, or nullptr if it does not exist. Takes the shared lock.
  Segment* Get(uint64_t index) const;

  Env* env_;
  SegmentedFileOptions opts_;
  mutable std::shared_mutex mu_;  // guards segments_ (the vector, not the files)
  std::vector<std::unique_ptr<Segment>> segments_;
  std::set<uint64_t> dirty_;  // segments written since the last Sync (writer only)
};

}  // namespace immudb::store

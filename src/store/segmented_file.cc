#include "store/segmented_file.h"

#include <algorithm>
#include <cstdio>
#include <mutex>

#include "store/crc32c.h"

namespace immudb::store {

SegmentedFile::SegmentedFile(Env* env, SegmentedFileOptions opts)
    : env_(env), opts_(std::move(opts)) {}

SegmentedFile::~SegmentedFile() = default;

std::string SegmentedFile::SegmentPath(uint64_t index) const {
  char name[32];
  std::snprintf(name, sizeof(name), "%08llu.seg", static_cast<unsigned long long>(index));
  return JoinPath(opts_.dir, name);
}

Bytes SegmentedFile::EncodeHeader(uint64_t index) const {
  Bytes h(format::kSegmentHeaderSize, 0);
  std::copy(opts_.magic.begin(), opts_.magic.end(), h.begin());
  PutU32(h.data() + 8, format::kFormatVersion);
  PutU32(h.data() + 12, static_cast<uint32_t>(index));
  PutU64(h.data() + 16, opts_.segment_size);
  PutU32(h.data() + 28, crc32c::Mask(crc32c::Value(h.data(), 28)));
  return h;
}

std::string SegmentedFile::CheckHeader(uint64_t index, RandomRWFile* file) const {
  Bytes h(format::kSegmentHeaderSize);
  Status st = file->Read(0, h.size(), h.data());
  if (!st.ok()) return "unreadable segment header (" + st.message() + ")";
  if (crc32c::Unmask(GetU32(h.data() + 28)) != crc32c::Value(h.data(), 28)) {
    return "segment header checksum mismatch";
  }
  if (!std::equal(opts_.magic.begin(), opts_.magic.end(), h.begin())) {
    return "wrong magic (not a " + opts_.magic + " segment)";
  }
  if (GetU32(h.data() + 8) != format::kFormatVersion) {
    return "unsupported format version " + std::to_string(GetU32(h.data() + 8));
  }
  if (GetU32(h.data() + 12) != index) return "segment index does not match its file name";
  if (GetU64(h.data() + 16) != opts_.segment_size) {
    return "segment size " + std::to_string(GetU64(h.data() + 16)) + " differs from the store's " +
           std::to_string(opts_.segment_size);
  }
  return {};
}

Result<std::unique_ptr<SegmentedFile>> SegmentedFile::Open(Env* env,
                                                           const SegmentedFileOptions& opts) {
  if (opts.magic.size() != 8) return InvalidArgument("segment magic must be 8 bytes");
  if (opts.segment_size == 0) return InvalidArgument("segment size must be positive");
  IMMUDB_RETURN_IF_ERROR(env->CreateDir(opts.dir));
  std::unique_ptr<SegmentedFile> sf(new SegmentedFile(env, opts));
  IMMUDB_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(opts.dir));
  std::vector<uint64_t> indexes;
  for (const std::string& name : names) {
    unsigned long long idx = 0;
    char tail = 0;
    if (name.size() == 12 && std::sscanf(name.c_str(), "%8llu.se%c", &idx, &tail) == 2 &&
        tail == 'g') {
      indexes.push_back(idx);
    }
  }
  std::sort(indexes.begin(), indexes.end());
  for (size_t i = 0; i < indexes.size(); ++i) {
    if (indexes[i] != i) {
      return Corruption("segment " + sf->SegmentPath(i) + " is missing (next present is " +
                        sf->SegmentPath(indexes[i]) + ")");
    }
    auto seg = std::make_unique<Segment>();
    IMMUDB_ASSIGN_OR_RETURN(seg->file, env->OpenFile(sf->SegmentPath(i), false));
    seg->header_error = sf->CheckHeader(i, seg->file.get());
    IMMUDB_ASSIGN_OR_RETURN(seg->allocated, seg->file->Size());
    sf->segments_.push_back(std::move(seg));
  }
  return sf;
}

Status SegmentedFile::CreateSegment(uint64_t index) {
  // A leftover file with that name (removed segment of a failed attempt) is reused.
  auto seg = std::make_unique<Segment>();
  IMMUDB_ASSIGN_OR_RETURN(seg->file, env_->OpenFile(SegmentPath(index), true));
  IMMUDB_RETURN_IF_ERROR(Reserve(seg.get(), format::kSegmentHeaderSize + 1));
  IMMUDB_RETURN_IF_ERROR(seg->file->Write(0, EncodeHeader(index)));
  // The header and the allocation are made durable once here, so later data syncs of this
  // segment never carry metadata.
  IMMUDB_RETURN_IF_ERROR(seg->file->Sync());
  IMMUDB_RETURN_IF_ERROR(env_->SyncDir(opts_.dir));
  std::unique_lock<std::shared_mutex> l(mu_);
  segments_.push_back(std::move(seg));
  return Status::Ok();
}

Status SegmentedFile::Reserve(Segment* seg, uint64_t end) {
  if (!opts_.preallocate || end <= seg->allocated) return Status::Ok();
  const uint64_t full = format::kSegmentHeaderSize + opts_.segment_size;
  const uint64_t step = std::max<uint64_t>(opts_.allocation_step, 1);
  uint64_t target = std::min(full, (end + step - 1) / step * step);
  target = std::max(target, end);
  IMMUDB_RETURN_IF_ERROR(seg->file->Allocate(target));
  seg->allocated = target;
  return Status::Ok();
}

SegmentedFile::Segment* SegmentedFile::Get(uint64_t index) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  return index < segments_.size() ? segments_[index].get() : nullptr;
}

Status SegmentedFile::Write(uint64_t offset, ByteView data) {
  while (!data.empty()) {
    uint64_t index = offset / opts_.segment_size;
    uint64_t in_seg = offset % opts_.segment_size;
    size_t n = static_cast<size_t>(std::min<uint64_t>(data.size(), opts_.segment_size - in_seg));
    while (NumSegments() <= index) IMMUDB_RETURN_IF_ERROR(CreateSegment(NumSegments()));
    Segment* seg = Get(index);
    if (!seg->header_error.empty()) {
      return Corruption(SegmentPath(index) + ": " + seg->header_error);
    }
    IMMUDB_RETURN_IF_ERROR(Reserve(seg, format::kSegmentHeaderSize + in_seg + n));
    IMMUDB_RETURN_IF_ERROR(seg->file->Write(format::kSegmentHeaderSize + in_seg, data.first(n)));
    dirty_.insert(index);
    data = data.subspan(n);
    offset += n;
  }
  return Status::Ok();
}

Status SegmentedFile::Prepare(uint64_t offset, uint64_t n) {
  while (n > 0) {
    uint64_t index = offset / opts_.segment_size;
    uint64_t in_seg = offset % opts_.segment_size;
    uint64_t len = std::min<uint64_t>(n, opts_.segment_size - in_seg);
    while (NumSegments() <= index) IMMUDB_RETURN_IF_ERROR(CreateSegment(NumSegments()));
    Segment* seg = Get(index);
    if (!seg->header_error.empty()) {
      return Corruption(SegmentPath(index) + ": " + seg->header_error);
    }
    IMMUDB_RETURN_IF_ERROR(Reserve(seg, format::kSegmentHeaderSize + in_seg + len));
    offset += len;
    n -= len;
  }
  return Status::Ok();
}

Status SegmentedFile::Read(uint64_t offset, size_t n, uint8_t* out) const {
  while (n > 0) {
    uint64_t index = offset / opts_.segment_size;
    uint64_t in_seg = offset % opts_.segment_size;
    size_t len = static_cast<size_t>(std::min<uint64_t>(n, opts_.segment_size - in_seg));
    Segment* seg = Get(index);
    if (seg == nullptr) {
      return OutOfRange("read past the end of " + opts_.dir + " (segment " +
                        std::to_string(index) + " does not exist)");
    }
    if (!seg->header_error.empty()) {
      return Corruption(SegmentPath(index) + ": " + seg->header_error);
    }
    IMMUDB_RETURN_IF_ERROR(seg->file->Read(format::kSegmentHeaderSize + in_seg, len, out));
    out += len;
    n -= len;
    offset += len;
  }
  return Status::Ok();
}

Status SegmentedFile::Sync() {
  for (auto it = dirty_.begin(); it != dirty_.end();) {
    IMMUDB_RETURN_IF_ERROR(Get(*it)->file->Sync());
    it = dirty_.erase(it);
  }
  return Status::Ok();
}

Status SegmentedFile::SetEnd(uint64_t end) {
  // Segments before `cut` hold committed bytes; segment `cut` is where the next write goes
  // (kept when sound, so reopening does not re-create it); later ones hold nothing.
  const uint64_t full = end / opts_.segment_size;
  const uint64_t with_data = full + (end % opts_.segment_size != 0 ? 1 : 0);
  if (NumSegments() < with_data) {
    return Corruption(opts_.dir + ": committed data extends to offset " + std::to_string(end) +
                      " but only " + std::to_string(NumSegments()) + " segments exist");
  }
  for (uint64_t i = 0; i < with_data; ++i) {
    Segment* seg = Get(i);
    if (!seg->header_error.empty()) {
      return Corruption(SegmentPath(i) + ": " + seg->header_error +
                        " (segment holds committed data)");
    }
  }
  uint64_t keep = with_data;
  if (keep == full && NumSegments() > full && Get(full)->header_error.empty()) keep = full + 1;
  bool removed = false;
  while (NumSegments() > keep) {
    uint64_t last = NumSegments() - 1;
    {
      std::unique_lock<std::shared_mutex> l(mu_);
      segments_.pop_back();
    }
    dirty_.erase(last);
    IMMUDB_RETURN_IF_ERROR(env_->RemoveFile(SegmentPath(last)));
    removed = true;
  }
  if (removed) IMMUDB_RETURN_IF_ERROR(env_->SyncDir(opts_.dir));
  return Status::Ok();
}

std::string SegmentedFile::Describe(uint64_t offset) const {
  uint64_t index = offset / opts_.segment_size;
  return SegmentPath(index) + " at byte " +
         std::to_string(format::kSegmentHeaderSize + offset % opts_.segment_size);
}

uint64_t SegmentedFile::NumSegments() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  return segments_.size();
}

}  // namespace immudb::store

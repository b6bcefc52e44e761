#include "store/store_files.h"

#include <algorithm>

#include "store/crc32c.h"
#include "store/log_format.h"

namespace immudb::store {
namespace {

// Replaces dir/name with data: write name.tmp, fsync it, rename over name, fsync dir.
Status WriteAtomically(Env* env, const std::string& dir, std::string_view name, ByteView data) {
  std::string path = JoinPath(dir, std::string(name));
  std::string tmp = path + ".tmp";
  {
    IMMUDB_ASSIGN_OR_RETURN(auto f, env->OpenFile(tmp, true));
    IMMUDB_RETURN_IF_ERROR(f->Truncate(0));
    IMMUDB_RETURN_IF_ERROR(f->Write(0, data));
    IMMUDB_RETURN_IF_ERROR(f->Sync());
  }
  IMMUDB_RETURN_IF_ERROR(env->RenameFile(tmp, path));
  return env->SyncDir(dir);
}

// Reads a whole fixed-size file; NotFound if it does not exist.
Status ReadFixed(Env* env, const std::string& path, Bytes* out) {
  IMMUDB_ASSIGN_OR_RETURN(auto f, env->OpenFile(path, false));
  IMMUDB_ASSIGN_OR_RETURN(uint64_t size, f->Size());
  if (size != out->size()) {
    return Corruption(path + ": size " + std::to_string(size) + ", expected " +
                      std::to_string(out->size()));
  }
  return f->Read(0, out->size(), out->data());
}

bool CheckFrame(const Bytes& b, std::string_view magic) {
  size_t n = b.size() - 4;
  return std::equal(magic.begin(), magic.end(), b.begin()) &&
         crc32c::Unmask(GetU32(b.data() + n)) == crc32c::Value(b.data(), n);
}

void SealFrame(Bytes* b, std::string_view magic) {
  std::copy(magic.begin(), magic.end(), b->begin());
  size_t n = b->size() - 4;
  PutU32(b->data() + n, crc32c::Mask(crc32c::Value(b->data(), n)));
}

}  // namespace

Status WriteStoreMeta(Env* env, const std::string& dir, const StoreMeta& meta) {
  Bytes b(format::kMetaSize, 0);
  PutU32(b.data() + 8, format::kFormatVersion);
  PutU32(b.data() + 12, static_cast<uint32_t>(meta.header_version));
  PutU64(b.data() + 16, meta.segment_size);
  SealFrame(&b, format::kMetaMagic);
  return WriteAtomically(env, dir, format::kMetaFile, b);
}

Result<StoreMeta> ReadStoreMeta(Env* env, const std::string& dir) {
  std::string path = JoinPath(dir, std::string(format::kMetaFile));
  Bytes b(format::kMetaSize);
  IMMUDB_RETURN_IF_ERROR(ReadFixed(env, path, &b));
  if (!CheckFrame(b, format::kMetaMagic)) return Corruption(path + ": bad magic or checksum");
  if (GetU32(b.data() + 8) != format::kFormatVersion) {
    return Corruption(path + ": unsupported store format version " +
                      std::to_string(GetU32(b.data() + 8)));
  }
  StoreMeta meta;
  meta.header_version = static_cast<int32_t>(GetU32(b.data() + 12));
  meta.segment_size = GetU64(b.data() + 16);
  if (meta.header_version != 0 && meta.header_version != 1) {
    return Corruption(path + ": tx header version " + std::to_string(meta.header_version) +
                      " is not 0 or 1");
  }
  if (meta.segment_size == 0) return Corruption(path + ": segment size 0");
  return meta;
}

Status WriteCheckpoint(Env* env, const std::string& dir, const Checkpoint& cp) {
  Bytes b(format::kCheckpointSize, 0);
  PutU32(b.data() + 8, format::kFormatVersion);
  PutU64(b.data() + 16, cp.tx_id);
  std::copy(cp.alh.begin(), cp.alh.end(), b.begin() + 24);
  std::copy(cp.aht_root.begin(), cp.aht_root.end(), b.begin() + 56);
  PutU64(b.data() + 88, cp.tx_log_end);
  PutU64(b.data() + 96, cp.value_log_end);
  SealFrame(&b, format::kCheckpointMagic);
  return WriteAtomically(env, dir, format::kCheckpointFile, b);
}

Result<std::optional<Checkpoint>> ReadCheckpoint(Env* env, const std::string& dir) {
  std::string path = JoinPath(dir, std::string(format::kCheckpointFile));
  Bytes b(format::kCheckpointSize);
  Status st = ReadFixed(env, path, &b);
  if (st.code() == Code::kNotFound) return std::optional<Checkpoint>();
  IMMUDB_RETURN_IF_ERROR(st);
  if (!CheckFrame(b, format::kCheckpointMagic)) return Corruption(path + ": bad magic or checksum");
  if (GetU32(b.data() + 8) != format::kFormatVersion) {
    return Corruption(path + ": unsupported format version");
  }
  Checkpoint cp;
  cp.tx_id = GetU64(b.data() + 16);
  std::copy(b.begin() + 24, b.begin() + 56, cp.alh.begin());
  std::copy(b.begin() + 56, b.begin() + 88, cp.aht_root.begin());
  cp.tx_log_end = GetU64(b.data() + 88);
  cp.value_log_end = GetU64(b.data() + 96);
  return std::optional<Checkpoint>(cp);
}

}  // namespace immudb::store

#include "server/stream_framing.h"

#include <algorithm>
#include <string>

namespace immudb::server {

ChunkWriter::ChunkWriter(Sink sink, size_t chunk_size)
    : sink_(std::move(sink)), chunk_size_(std::max(chunk_size, kMinStreamChunkSize)) {}

Status ChunkWriter::Write(ByteView message) {
  std::string* content = chunk_.mutable_content();
  content->clear();
  content->reserve(std::min(chunk_size_, message.size() + 8));
  uint8_t len[8];
  PutU64(len, message.size());
  content->append(reinterpret_cast<const char*>(len), 8);
  size_t sent = 0;
  while (true) {
    size_t room = chunk_size_ - content->size();
    size_t take = std::min(room, message.size() - sent);
    content->append(reinterpret_cast<const char*>(message.data() + sent), take);
    sent += take;
    if (!sink_(chunk_)) return Unavailable("stream closed by the peer");
    if (sent == message.size()) return Status::Ok();
    content->clear();
  }
}

ChunkReader::ChunkReader(Source source, size_t max_message)
    : source_(std::move(source)), max_message_(max_message) {}

bool ChunkReader::Fill(size_t n) {
  while (Available() < n) {
    if (ended_) return false;
    // Drop consumed bytes before growing, so the buffer holds at most one message plus one
    // chunk.
    if (pos_ > 0) {
      buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
      pos_ = 0;
    }
    schema::Chunk chunk;
    if (!source_(&chunk)) {
      ended_ = true;
      return false;
    }
    const std::string& c = chunk.content();
    buf_.insert(buf_.end(), c.begin(), c.end());
  }
  return true;
}

Result<std::optional<Bytes>> ChunkReader::Next() {
  if (!Fill(8)) {
    if (Available() == 0) return std::optional<Bytes>();
    return InvalidArgument("stream ended inside a message length prefix (" +
                           std::to_string(Available()) + " of 8 bytes)");
  }
  uint64_t declared = GetU64(buf_.data() + pos_);
  if (declared > max_message_) {
    return InvalidArgument("stream message of " + std::to_string(declared) +
                           " bytes exceeds the limit of " + std::to_string(max_message_) +
                           " bytes");
  }
  pos_ += 8;
  size_t n = static_cast<size_t>(declared);
  if (!Fill(n)) {
    return InvalidArgument("stream ended inside a message: declared " + std::to_string(n) +
                           " bytes, received " + std::to_string(Available()));
  }
  Bytes out(buf_.begin() + static_cast<std::ptrdiff_t>(pos_),
            buf_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
  pos_ += n;
  return std::optional<Bytes>(std::move(out));
}

}  // namespace immudb::server

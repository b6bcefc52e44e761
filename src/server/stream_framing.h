// immudb's message framing over a stream of `Chunk` messages (the stream* RPCs).
//
// A logical message of N bytes is sent as: a first chunk whose content starts with N as a
// big-endian u64 followed by up to (chunk size - 8) message bytes, then as many continuation
// chunks of raw bytes (up to chunk size each) as needed. Every message starts a new chunk.
// Readers treat the chunk contents as one byte stream (a message may also begin in the middle
// of a chunk), so any chunking of a well-formed byte sequence is accepted.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>

#include "base/bytes.h"
#include "base/status.h"
#include "schema.pb.h"

namespace immudb::server {

inline constexpr size_t kDefaultStreamChunkSize = 64 * 1024;
inline constexpr size_t kMinStreamChunkSize = 4096;
// Largest message a reader accepts, and the cap on the sum of keys and values one streamed
// transaction may carry (immudb's MaxTxValueLen, 32 MiB).
inline constexpr size_t kMaxStreamMessageSize = size_t{1} << 25;

// Splits messages into chunks and hands each chunk to `sink`.
class ChunkWriter {
 public:
  // `sink` returns false when the chunk could not be sent (peer gone). `chunk_size` is
  // clamped to at least kMinStreamChunkSize.
  using Sink = std::function<bool(const schema::Chunk&)>;
  explicit ChunkWriter(Sink sink, size_t chunk_size = kDefaultStreamChunkSize);

  // Sends one message. Unavailable("stream closed by the peer") when the sink refuses.
  Status Write(ByteView message);
  Status Write(const std::string& message) { return Write(AsBytes(message)); }

  size_t chunk_size() const { return chunk_size_; }

 private:
  Sink sink_;
  size_t chunk_size_;
  schema::Chunk chunk_;
};

// Reassembles messages from chunks pulled from `source`.
class ChunkReader {
 public:
  // `source` fills the next chunk and returns true, or returns false at the end of the stream.
  using Source = std::function<bool(schema::Chunk*)>;
  explicit ChunkReader(Source source, size_t max_message = kMaxStreamMessageSize);

  // The next message, or nullopt when the stream ended cleanly between two messages.
  // Errors (InvalidArgument): the stream ended inside a message's length prefix or body
  // ("declared N bytes, received M"); a declared length above the limit is refused before
  // any of its body is buffered.
  Result<std::optional<Bytes>> Next();

 private:
  // Pulls chunks until `n` unread bytes are buffered; false if the stream ended first.
  bool Fill(size_t n);
  size_t Available() const { return buf_.size() - pos_; }

  Source source_;
  size_t max_message_;
  Bytes buf_;
  size_t pos_ = 0;
  bool ended_ = false;
};

}  // namespace immudb::server

// Constants of the store's on-disk formats (docs/format.md). Nothing else lives here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace immudb::store::format {

// Every segment file starts with this header:
//   magic[8] | u32 format_version | u32 segment_index | u64 segment_size | u32 reserved(0)
//   | u32 masked crc32c(bytes 0..27)
inline constexpr size_t kSegmentHeaderSize = 32;
inline constexpr uint32_t kFormatVersion = 1;

// Segment magics, one per stream kind.
inline constexpr std::string_view kTxLogMagic = "IMTXLOG1";
inline constexpr std::string_view kValueLogMagic = "IMVALOG1";
inline constexpr std::string_view kCommitLogMagic = "IMCMTLG1";
inline constexpr std::string_view kAhtNodesMagic = "IMAHTND1";

// Folder names of the four streams inside a store directory.
inline constexpr std::string_view kTxLogDir = "tx";
inline constexpr std::string_view kValueLogDir = "val";
inline constexpr std::string_view kCommitLogDir = "commit";
inline constexpr std::string_view kAhtNodesDir = "aht";

// Store-wide files.
inline constexpr std::string_view kMetaFile = "STORE";
inline constexpr std::string_view kCheckpointFile = "CHECKPOINT";
inline constexpr std::string_view kLockFile = "LOCK";

// STORE: magic[8] | u32 format_version | u32 header_version | u64 segment_size
//        | u32 reserved(0) | u32 masked crc32c(bytes 0..27)
inline constexpr std::string_view kMetaMagic = "IMSTORE1";
inline constexpr size_t kMetaSize = 32;

// CHECKPOINT: magic[8] | u32 format_version | u32 reserved(0) | u64 tx_id | alh[32]
//             | aht_root[32] | u64 tx_log_end | u64 value_log_end | u32 masked crc32c(0..103)
inline constexpr std::string_view kCheckpointMagic = "IMCKPT01";
inline constexpr size_t kCheckpointSize = 108;

// Commit log record, fixed size, record of tx n at logical offset (n-1) * kCommitRecordSize:
//   u64 tx_id | u64 tx_offset | u32 tx_size | u64 value_log_end | alh[32]
//   | u32 masked crc32c(bytes 0..59)
inline constexpr size_t kCommitRecordSize = 64;

// Tx log record: u32 payload_length | u32 masked crc32c(payload) | payload.
inline constexpr size_t kTxRecordHeaderSize = 8;

// Size of one ahtree node in the aht stream (a SHA-256 digest).
inline constexpr size_t kAhtNodeSize = 32;

}  // namespace immudb::store::format

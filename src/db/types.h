// Requests and results of the database layer. Each struct mirrors the immudb.schema proto
// message of the same name (field for field, snake_case), so the server's mapping to and
// from protobuf is mechanical. Keys and values here are *user* keys/values (no prefixes)
// unless a comment says "store key".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "crypto/sha256.h"
#include "ledger/dual_proof.h"
#include "ledger/htree.h"
#include "ledger/metadata.h"
#include "ledger/tx.h"

namespace immudb::db {

using ledger::KvMetadata;
using ledger::TxHeader;

// KeyValue. `metadata` absent == proto field unset.
struct KeyValue {
  Bytes key;
  Bytes value;
  std::optional<KvMetadata> metadata;
};

// Precondition (oneof): keyMustExist / keyMustNotExist / keyNotModifiedAfterTX.
struct Precondition {
  enum class Kind { kKeyMustExist, kKeyMustNotExist, kKeyNotModifiedAfterTx };
  Kind kind = Kind::kKeyMustExist;
  Bytes key;
  uint64_t tx_id = 0;  // kKeyNotModifiedAfterTx only

  static Precondition MustExist(Bytes k) { return {Kind::kKeyMustExist, std::move(k), 0}; }
  static Precondition MustNotExist(Bytes k) { return {Kind::kKeyMustNotExist, std::move(k), 0}; }
  static Precondition NotModifiedAfterTx(Bytes k, uint64_t tx) {
    return {Kind::kKeyNotModifiedAfterTx, std::move(k), tx};
  }
};

struct SetRequest {
  std::vector<KeyValue> kvs;
  bool no_wait = false;
  std::vector<Precondition> preconditions;
};

struct KeyRequest {
  Bytes key;
  uint64_t at_tx = 0;
  uint64_t since_tx = 0;
  bool no_wait = false;
  int64_t at_revision = 0;
};

struct KeyListRequest {
  std::vector<Bytes> keys;
  uint64_t since_tx = 0;
};

struct DeleteKeysRequest {
  std::vector<Bytes> keys;
  uint64_t since_tx = 0;
  bool no_wait = false;
};

struct Reference {
  uint64_t tx = 0;
  Bytes key;
  uint64_t at_tx = 0;
  std::optional<KvMetadata> metadata;
  uint64_t revision = 0;
};

struct Entry {
  uint64_t tx = 0;
  Bytes key;
  Bytes value;
  std::optional<Reference> referenced_by;
  std::optional<KvMetadata> metadata;  // absent when the stored metadata is empty
  bool expired = false;
  uint64_t revision = 0;
};

// TxEntry as sent to clients: store key with its prefix, value hash and length, metadata,
// and the full store value only when asked for (RAW_VALUE).
struct TxEntry {
  Bytes key;
  crypto::Digest h_value{};
  int32_t v_len = 0;
  std::optional<KvMetadata> metadata;
  std::optional<Bytes> value;
};

struct ZEntry {
  Bytes set;
  Bytes key;
  std::optional<Entry> entry;
  double score = 0;
  uint64_t at_tx = 0;
};

struct Tx {
  TxHeader header;
  std::vector<TxEntry> entries;
  std::vector<Entry> kv_entries;
  std::vector<ZEntry> z_entries;
};

struct VerifiableTx {
  Tx tx;
  ledger::DualProof dual_proof;
  // signature: added by the server.
};

struct VerifiableEntry {
  Entry entry;
  VerifiableTx verifiable_tx;
  ledger::HTreeProof inclusion_proof;  // InclusionProof{leaf, width, terms}
};

struct VerifiableSetRequest {
  SetRequest set_request;
  uint64_t prove_since_tx = 0;
};

struct VerifiableGetRequest {
  KeyRequest key_request;
  uint64_t prove_since_tx = 0;
};

struct ReferenceRequest {
  Bytes key;
  Bytes referenced_key;
  uint64_t at_tx = 0;
  bool bound_ref = false;
  bool no_wait = false;
  std::vector<Precondition> preconditions;
};

struct VerifiableReferenceRequest {
  ReferenceRequest reference_request;
  uint64_t prove_since_tx = 0;
};

struct ZAddRequest {
  Bytes set;
  double score = 0;
  Bytes key;
  uint64_t at_tx = 0;
  bool bound_ref = false;
  bool no_wait = false;
};

struct VerifiableZAddRequest {
  ZAddRequest zadd_request;
  uint64_t prove_since_tx = 0;
};

struct ZScanRequest {
  Bytes set;
  Bytes seek_key;
  double seek_score = 0;
  uint64_t seek_at_tx = 0;
  bool inclusive_seek = false;
  uint64_t limit = 0;
  bool desc = false;
  std::optional<double> min_score;
  std::optional<double> max_score;
  uint64_t since_tx = 0;
  bool no_wait = false;
  uint64_t offset = 0;
};

struct ScanRequest {
  Bytes seek_key;
  Bytes prefix;
  bool desc = false;
  uint64_t limit = 0;
  uint64_t since_tx = 0;
  bool no_wait = false;
  Bytes end_key;
  bool inclusive_seek = false;
  bool inclusive_end = false;
  uint64_t offset = 0;
};

struct HistoryRequest {
  Bytes key;
  uint64_t offset = 0;
  int32_t limit = 0;
  bool desc = false;
  uint64_t since_tx = 0;
};

// Op (oneof kv / zAdd / ref).
using Op = std::variant<KeyValue, ZAddRequest, ReferenceRequest>;

struct ExecAllRequest {
  std::vector<Op> operations;
  bool no_wait = false;
  std::vector<Precondition> preconditions;
};

enum class EntryTypeAction { kExclude = 0, kOnlyDigest = 1, kRawValue = 2, kResolve = 3 };

struct EntriesSpec {
  std::optional<EntryTypeAction> kv_entries_spec;   // unset == EXCLUDE
  std::optional<EntryTypeAction> z_entries_spec;
  std::optional<EntryTypeAction> sql_entries_spec;
};

struct TxRequest {
  uint64_t tx = 0;
  std::optional<EntriesSpec> entries_spec;  // unset: raw rendering
  uint64_t since_tx = 0;
  bool no_wait = false;
  bool keep_references_unresolved = false;
};

struct VerifiableTxRequest {
  uint64_t tx = 0;
  uint64_t prove_since_tx = 0;
  std::optional<EntriesSpec> entries_spec;
  uint64_t since_tx = 0;
  bool no_wait = false;
  bool keep_references_unresolved = false;
};

struct TxScanRequest {
  uint64_t initial_tx = 0;
  uint32_t limit = 0;
  bool desc = false;
  std::optional<EntriesSpec> entries_spec;
  uint64_t since_tx = 0;
  bool no_wait = false;
};

struct ImmutableState {
  std::string db;
  uint64_t tx_id = 0;
  crypto::Digest tx_hash{};
  uint64_t precommitted_tx_id = 0;
  crypto::Digest precommitted_tx_hash{};
};

}  // namespace immudb::db

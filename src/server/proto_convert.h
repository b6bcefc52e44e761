// Mechanical mapping between the wire messages (immudb.schema, generated) and the database
// layer's request/result structs (db/types.h). Requests: FromProto validates what the proto
// cannot (a precondition with no case set). Results: ToProto always writes 32-byte digests
// and omits metadata that is empty, so the client re-hashes exactly what the server hashed.
#pragma once

#include "base/status.h"
#include "db/catalog.h"
#include "db/settings.h"
#include "db/types.h"
#include "ledger/state.h"
#include "ledger/state_signature.h"
#include "schema.pb.h"

namespace immudb::server {

// Requests.
Result<db::KeyValue> FromProto(const schema::KeyValue& in);
Result<db::Precondition> FromProto(const schema::Precondition& in);
Result<db::SetRequest> FromProto(const schema::SetRequest& in);
db::KeyRequest FromProto(const schema::KeyRequest& in);
Result<db::VerifiableSetRequest> FromProto(const schema::VerifiableSetRequest& in);
db::VerifiableGetRequest FromProto(const schema::VerifiableGetRequest& in);
db::KeyListRequest FromProto(const schema::KeyListRequest& in);
db::DeleteKeysRequest FromProto(const schema::DeleteKeysRequest& in);
db::ScanRequest FromProto(const schema::ScanRequest& in);
db::HistoryRequest FromProto(const schema::HistoryRequest& in);
db::TxRequest FromProto(const schema::TxRequest& in);
db::VerifiableTxRequest FromProto(const schema::VerifiableTxRequest& in);
db::TxScanRequest FromProto(const schema::TxScanRequest& in);
Result<db::ReferenceRequest> FromProto(const schema::ReferenceRequest& in);
db::ZAddRequest FromProto(const schema::ZAddRequest& in);
db::ZScanRequest FromProto(const schema::ZScanRequest& in);
Result<db::ExecAllRequest> FromProto(const schema::ExecAllRequest& in);
// Settings given in `in` override `base`. Replication settings are refused (Unimplemented).
Result<db::DatabaseSettings> FromProto(const schema::DatabaseNullableSettings& in,
                                       db::DatabaseSettings base);

// Results.
void ToProto(const ledger::KvMetadata& in, schema::KVMetadata* out);
void ToProto(const ledger::TxHeader& in, schema::TxHeader* out);
void ToProto(const db::Entry& in, schema::Entry* out);
void ToProto(const db::TxEntry& in, schema::TxEntry* out);
void ToProto(const db::ZEntry& in, schema::ZEntry* out);
void ToProto(const db::Tx& in, schema::Tx* out);
void ToProto(const ledger::DualProof& in, schema::DualProof* out);
void ToProto(const ledger::HTreeProof& in, schema::InclusionProof* out);
void ToProto(const ledger::StateSignature& in, schema::Signature* out);
// VerifiableTx without its signature (the caller signs).
void ToProto(const db::VerifiableTx& in, schema::VerifiableTx* out);
void ToProto(const db::DatabaseSettings& in, schema::DatabaseNullableSettings* out);
void ToProto(const db::DatabaseInfo& in, schema::DatabaseInfo* out);
// ImmutableState without its signature.
void ToProto(const db::ImmutableState& in, schema::ImmutableState* out);

}  // namespace immudb::server

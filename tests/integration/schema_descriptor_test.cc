// Checks the compiled schema against immudb's wire contract (PROTOCOL.md 1.2 / 1.3): every RPC
// of immudb.schema.ImmuService with its exact (case-sensitive) name, request/response types and
// streaming kind, and the field numbers/types of the messages that verification depends on.
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "schema.pb.h"

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::MethodDescriptor;

const FileDescriptor* SchemaFile() { return immudb::schema::Entry::descriptor()->file(); }

enum Kind { kUnary, kServerStream, kClientStream, kBidi };

struct Rpc {
  const char* name;
  const char* request;   // fully qualified
  const char* response;  // fully qualified
  Kind kind;
};

constexpr const char* kEmpty = "google.protobuf.Empty";
#define S(x) "immudb.schema." x

const std::vector<Rpc>& ExpectedRpcs() {
  static const std::vector<Rpc> rpcs = {
      {"ListUsers", kEmpty, S("UserList"), kUnary},
      {"CreateUser", S("CreateUserRequest"), kEmpty, kUnary},
      {"ChangePassword", S("ChangePasswordRequest"), kEmpty, kUnary},
      {"ChangePermission", S("ChangePermissionRequest"), kEmpty, kUnary},
      {"ChangeSQLPrivileges", S("ChangeSQLPrivilegesRequest"), S("ChangeSQLPrivilegesResponse"), kUnary},
      {"SetActiveUser", S("SetActiveUserRequest"), kEmpty, kUnary},
      {"UpdateAuthConfig", S("AuthConfig"), kEmpty, kUnary},
      {"UpdateMTLSConfig", S("MTLSConfig"), kEmpty, kUnary},
      {"OpenSession", S("OpenSessionRequest"), S("OpenSessionResponse"), kUnary},
      {"CloseSession", kEmpty, kEmpty, kUnary},
      {"KeepAlive", kEmpty, kEmpty, kUnary},
      {"NewTx", S("NewTxRequest"), S("NewTxResponse"), kUnary},
      {"Commit", kEmpty, S("CommittedSQLTx"), kUnary},
      {"Rollback", kEmpty, kEmpty, kUnary},
      {"TxSQLExec", S("SQLExecRequest"), kEmpty, kUnary},
      {"TxSQLQuery", S("SQLQueryRequest"), S("SQLQueryResult"), kServerStream},
      {"Login", S("LoginRequest"), S("LoginResponse"), kUnary},
      {"Logout", kEmpty, kEmpty, kUnary},
      {"Set", S("SetRequest"), S("TxHeader"), kUnary},
      {"VerifiableSet", S("VerifiableSetRequest"), S("VerifiableTx"), kUnary},
      {"Get", S("KeyRequest"), S("Entry"), kUnary},
      {"VerifiableGet", S("VerifiableGetRequest"), S("VerifiableEntry"), kUnary},
      {"Delete", S("DeleteKeysRequest"), S("TxHeader"), kUnary},
      {"GetAll", S("KeyListRequest"), S("Entries"), kUnary},
      {"ExecAll", S("ExecAllRequest"), S("TxHeader"), kUnary},
      {"Scan", S("ScanRequest"), S("Entries"), kUnary},
      {"Count", S("KeyPrefix"), S("EntryCount"), kUnary},
      {"CountAll", kEmpty, S("EntryCount"), kUnary},
      {"TxById", S("TxRequest"), S("Tx"), kUnary},
      {"VerifiableTxById", S("VerifiableTxRequest"), S("VerifiableTx"), kUnary},
      {"TxScan", S("TxScanRequest"), S("TxList"), kUnary},
      {"History", S("HistoryRequest"), S("Entries"), kUnary},
      {"ServerInfo", S("ServerInfoRequest"), S("ServerInfoResponse"), kUnary},
      {"Health", kEmpty, S("HealthResponse"), kUnary},
      {"DatabaseHealth", kEmpty, S("DatabaseHealthResponse"), kUnary},
      {"CurrentState", kEmpty, S("ImmutableState"), kUnary},
      {"SetReference", S("ReferenceRequest"), S("TxHeader"), kUnary},
      {"VerifiableSetReference", S("VerifiableReferenceRequest"), S("VerifiableTx"), kUnary},
      {"ZAdd", S("ZAddRequest"), S("TxHeader"), kUnary},
      {"VerifiableZAdd", S("VerifiableZAddRequest"), S("VerifiableTx"), kUnary},
      {"ZScan", S("ZScanRequest"), S("ZEntries"), kUnary},
      {"CreateDatabase", S("Database"), kEmpty, kUnary},
      {"CreateDatabaseWith", S("DatabaseSettings"), kEmpty, kUnary},
      {"CreateDatabaseV2", S("CreateDatabaseRequest"), S("CreateDatabaseResponse"), kUnary},
      {"LoadDatabase", S("LoadDatabaseRequest"), S("LoadDatabaseResponse"), kUnary},
      {"UnloadDatabase", S("UnloadDatabaseRequest"), S("UnloadDatabaseResponse"), kUnary},
      {"DeleteDatabase", S("DeleteDatabaseRequest"), S("DeleteDatabaseResponse"), kUnary},
      {"DatabaseList", kEmpty, S("DatabaseListResponse"), kUnary},
      {"DatabaseListV2", S("DatabaseListRequestV2"), S("DatabaseListResponseV2"), kUnary},
      {"UseDatabase", S("Database"), S("UseDatabaseReply"), kUnary},
      {"UpdateDatabase", S("DatabaseSettings"), kEmpty, kUnary},
      {"UpdateDatabaseV2", S("UpdateDatabaseRequest"), S("UpdateDatabaseResponse"), kUnary},
      {"GetDatabaseSettings", kEmpty, S("DatabaseSettings"), kUnary},
      {"GetDatabaseSettingsV2", S("DatabaseSettingsRequest"), S("DatabaseSettingsResponse"), kUnary},
      {"FlushIndex", S("FlushIndexRequest"), S("FlushIndexResponse"), kUnary},
      {"CompactIndex", kEmpty, kEmpty, kUnary},
      {"streamGet", S("KeyRequest"), S("Chunk"), kServerStream},
      {"streamSet", S("Chunk"), S("TxHeader"), kClientStream},
      {"streamVerifiableGet", S("VerifiableGetRequest"), S("Chunk"), kServerStream},
      {"streamVerifiableSet", S("Chunk"), S("VerifiableTx"), kClientStream},
      {"streamScan", S("ScanRequest"), S("Chunk"), kServerStream},
      {"streamZScan", S("ZScanRequest"), S("Chunk"), kServerStream},
      {"streamHistory", S("HistoryRequest"), S("Chunk"), kServerStream},
      {"streamExecAll", S("Chunk"), S("TxHeader"), kClientStream},
      {"exportTx", S("ExportTxRequest"), S("Chunk"), kServerStream},
      {"replicateTx", S("Chunk"), S("TxHeader"), kClientStream},
      {"streamExportTx", S("ExportTxRequest"), S("Chunk"), kBidi},
      {"SQLExec", S("SQLExecRequest"), S("SQLExecResult"), kUnary},
      {"UnarySQLQuery", S("SQLQueryRequest"), S("SQLQueryResult"), kUnary},
      {"SQLQuery", S("SQLQueryRequest"), S("SQLQueryResult"), kServerStream},
      {"ListTables", kEmpty, S("SQLQueryResult"), kUnary},
      {"DescribeTable", S("Table"), S("SQLQueryResult"), kUnary},
      {"VerifiableSQLGet", S("VerifiableSQLGetRequest"), S("VerifiableSQLEntry"), kUnary},
      {"TruncateDatabase", S("TruncateDatabaseRequest"), S("TruncateDatabaseResponse"), kUnary},
  };
  return rpcs;
}

TEST(SchemaDescriptor, PackageAndService) {
  const FileDescriptor* file = SchemaFile();
  EXPECT_EQ(file->package(), "immudb.schema");
  EXPECT_EQ(file->syntax(), FileDescriptor::SYNTAX_PROTO3);
  ASSERT_EQ(file->service_count(), 1);
  EXPECT_EQ(file->service(0)->full_name(), "immudb.schema.ImmuService");
}

TEST(SchemaDescriptor, EveryRpcWithExactNameTypesAndStreamingKind) {
  const auto* service = SchemaFile()->FindServiceByName("ImmuService");
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->method_count(), static_cast<int>(ExpectedRpcs().size()));
  EXPECT_EQ(ExpectedRpcs().size(), 74u);
  for (const Rpc& rpc : ExpectedRpcs()) {
    SCOPED_TRACE(rpc.name);
    const MethodDescriptor* m = service->FindMethodByName(rpc.name);
    ASSERT_NE(m, nullptr) << "missing rpc";
    EXPECT_EQ(m->input_type()->full_name(), rpc.request);
    EXPECT_EQ(m->output_type()->full_name(), rpc.response);
    EXPECT_EQ(m->client_streaming(), rpc.kind == kClientStream || rpc.kind == kBidi);
    EXPECT_EQ(m->server_streaming(), rpc.kind == kServerStream || rpc.kind == kBidi);
  }
  // gRPC method names are case-sensitive: the upper-case spellings must not exist.
  for (const char* wrong : {"StreamGet", "ExportTx", "ReplicateTx", "StreamExportTx"}) {
    EXPECT_EQ(service->FindMethodByName(wrong), nullptr) << wrong;
  }
}

// "number:type" for one field; type is the proto scalar name or the message/enum name,
// prefixed with "repeated " when repeated, and "map<k,v>" for map fields.
std::string FieldSignature(const FieldDescriptor* f) {
  if (f->is_map()) {
    const Descriptor* entry = f->message_type();
    auto name = [](const FieldDescriptor* x) {
      return std::string(x->type() == FieldDescriptor::TYPE_MESSAGE ? x->message_type()->name()
                                                                    : x->type_name());
    };
    return std::to_string(f->number()) + ":map<" + name(entry->map_key()) + "," +
           name(entry->map_value()) + ">";
  }
  std::string type;
  if (f->type() == FieldDescriptor::TYPE_MESSAGE) {
    type = f->message_type()->full_name();
    if (type.rfind("immudb.schema.", 0) == 0) type = type.substr(14);
  } else if (f->type() == FieldDescriptor::TYPE_ENUM) {
    type = f->enum_type()->name();
  } else {
    type = f->type_name();
  }
  return std::to_string(f->number()) + ":" + (f->is_repeated() ? "repeated " : "") + type;
}

struct Field {
  const char* name;
  const char* signature;
};
struct Message {
  const char* name;
  std::vector<Field> fields;  // the complete field list
};

// Field lists as PROTOCOL.md 1.3 states them.
const std::vector<Message>& ExpectedMessages() {
  static const std::vector<Message> messages = {
      {"TxHeader",
       {{"id", "1:uint64"}, {"prevAlh", "2:bytes"}, {"ts", "3:int64"}, {"nentries", "4:int32"},
        {"eH", "5:bytes"}, {"blTxId", "6:uint64"}, {"blRoot", "7:bytes"}, {"version", "8:int32"},
        {"metadata", "9:TxMetadata"}}},
      {"TxMetadata", {{"truncatedTxID", "1:uint64"}, {"extra", "2:bytes"}}},
      {"TxEntry",
       {{"key", "1:bytes"}, {"hValue", "2:bytes"}, {"vLen", "3:int32"},
        {"metadata", "4:KVMetadata"}, {"value", "5:bytes"}}},
      {"Tx",
       {{"header", "1:TxHeader"}, {"entries", "2:repeated TxEntry"},
        {"kvEntries", "3:repeated Entry"}, {"zEntries", "4:repeated ZEntry"}}},
      {"InclusionProof", {{"leaf", "1:int32"}, {"width", "2:int32"}, {"terms", "3:repeated bytes"}}},
      {"LinearProof",
       {{"sourceTxId", "1:uint64"}, {"TargetTxId", "2:uint64"}, {"terms", "3:repeated bytes"}}},
      {"LinearAdvanceProof",
       {{"linearProofTerms", "1:repeated bytes"},
        {"inclusionProofs", "2:repeated InclusionProof"}}},
      {"DualProof",
       {{"sourceTxHeader", "1:TxHeader"}, {"targetTxHeader", "2:TxHeader"},
        {"inclusionProof", "3:repeated bytes"}, {"consistencyProof", "4:repeated bytes"},
        {"targetBlTxAlh", "5:bytes"}, {"lastInclusionProof", "6:repeated bytes"},
        {"linearProof", "7:LinearProof"}, {"LinearAdvanceProof", "8:LinearAdvanceProof"}}},
      {"VerifiableTx",
       {{"tx", "1:Tx"}, {"dualProof", "2:DualProof"}, {"signature", "3:Signature"}}},
      {"VerifiableEntry",
       {{"entry", "1:Entry"}, {"verifiableTx", "2:VerifiableTx"},
        {"inclusionProof", "3:InclusionProof"}}},
      {"ImmutableState",
       {{"db", "1:string"}, {"txId", "2:uint64"}, {"txHash", "3:bytes"},
        {"signature", "4:Signature"}, {"precommittedTxId", "5:uint64"},
        {"precommittedTxHash", "6:bytes"}}},
      {"Signature", {{"publicKey", "1:bytes"}, {"signature", "2:bytes"}}},
      {"KeyValue", {{"key", "1:bytes"}, {"value", "2:bytes"}, {"metadata", "3:KVMetadata"}}},
      {"KVMetadata",
       {{"deleted", "1:bool"}, {"expiration", "2:Expiration"}, {"nonIndexable", "3:bool"}}},
      {"Expiration", {{"expiresAt", "1:int64"}}},
      {"Entry",
       {{"tx", "1:uint64"}, {"key", "2:bytes"}, {"value", "3:bytes"},
        {"referencedBy", "4:Reference"}, {"metadata", "5:KVMetadata"}, {"expired", "6:bool"},
        {"revision", "7:uint64"}}},
      {"Reference",
       {{"tx", "1:uint64"}, {"key", "2:bytes"}, {"atTx", "3:uint64"},
        {"metadata", "4:KVMetadata"}, {"revision", "5:uint64"}}},
      {"SetRequest",
       {{"KVs", "1:repeated KeyValue"}, {"noWait", "2:bool"},
        {"preconditions", "3:repeated Precondition"}}},
      {"KeyRequest",
       {{"key", "1:bytes"}, {"atTx", "2:uint64"}, {"sinceTx", "3:uint64"}, {"noWait", "4:bool"},
        {"atRevision", "5:int64"}}},
      {"VerifiableSetRequest", {{"setRequest", "1:SetRequest"}, {"proveSinceTx", "2:uint64"}}},
      {"VerifiableGetRequest", {{"keyRequest", "1:KeyRequest"}, {"proveSinceTx", "2:uint64"}}},
      {"ReferenceRequest",
       {{"key", "1:bytes"}, {"referencedKey", "2:bytes"}, {"atTx", "3:uint64"},
        {"boundRef", "4:bool"}, {"noWait", "5:bool"}, {"preconditions", "6:repeated Precondition"}}},
      {"VerifiableReferenceRequest",
       {{"referenceRequest", "1:ReferenceRequest"}, {"proveSinceTx", "2:uint64"}}},
      {"ZAddRequest",
       {{"set", "1:bytes"}, {"score", "2:double"}, {"key", "3:bytes"}, {"atTx", "4:uint64"},
        {"boundRef", "5:bool"}, {"noWait", "6:bool"}}},
      {"VerifiableZAddRequest", {{"zAddRequest", "1:ZAddRequest"}, {"proveSinceTx", "2:uint64"}}},
      {"ZEntry",
       {{"set", "1:bytes"}, {"key", "2:bytes"}, {"entry", "3:Entry"}, {"score", "4:double"},
        {"atTx", "5:uint64"}}},
      {"VerifiableTxRequest",
       {{"tx", "1:uint64"}, {"proveSinceTx", "2:uint64"}, {"entriesSpec", "3:EntriesSpec"},
        {"sinceTx", "4:uint64"}, {"noWait", "5:bool"}, {"keepReferencesUnresolved", "6:bool"}}},
      {"TxRequest",
       {{"tx", "1:uint64"}, {"entriesSpec", "2:EntriesSpec"}, {"sinceTx", "3:uint64"},
        {"noWait", "4:bool"}, {"keepReferencesUnresolved", "5:bool"}}},
      {"ScanRequest",
       {{"seekKey", "1:bytes"}, {"prefix", "2:bytes"}, {"desc", "3:bool"}, {"limit", "4:uint64"},
        {"sinceTx", "5:uint64"}, {"noWait", "6:bool"}, {"endKey", "7:bytes"},
        {"inclusiveSeek", "8:bool"}, {"inclusiveEnd", "9:bool"}, {"offset", "10:uint64"}}},
      {"Op",
       {{"kv", "1:KeyValue"}, {"zAdd", "2:ZAddRequest"}, {"ref", "3:ReferenceRequest"}}},
      {"ExecAllRequest",
       {{"Operations", "1:repeated Op"}, {"noWait", "2:bool"},
        {"preconditions", "3:repeated Precondition"}}},
      {"LoginRequest", {{"user", "1:bytes"}, {"password", "2:bytes"}}},
      {"LoginResponse", {{"token", "1:string"}, {"warning", "2:bytes"}}},
      {"OpenSessionRequest",
       {{"username", "1:bytes"}, {"password", "2:bytes"}, {"databaseName", "3:string"}}},
      {"OpenSessionResponse", {{"sessionID", "1:string"}, {"serverUUID", "2:string"}}},
      {"User",
       {{"user", "1:bytes"}, {"permissions", "3:repeated Permission"}, {"createdby", "4:string"},
        {"createdat", "5:string"}, {"active", "6:bool"},
        {"sqlPrivileges", "7:repeated SQLPrivilege"}}},
      {"ChangePermissionRequest",
       {{"action", "1:PermissionAction"}, {"username", "2:string"}, {"database", "3:string"},
        {"permission", "4:uint32"}}},
      {"ServerInfoResponse",
       {{"version", "1:string"}, {"startedAt", "2:int64"}, {"numTransactions", "3:int64"},
        {"numDatabases", "4:int32"}, {"databasesDiskSize", "5:int64"}}},
      {"HealthResponse", {{"status", "1:bool"}, {"version", "2:string"}}},
      {"Chunk", {{"content", "1:bytes"}, {"metadata", "2:map<string,bytes>"}}},
      {"SQLQueryResult", {{"rows", "1:repeated Row"}, {"columns", "2:repeated Column"}}},
      {"SQLExecResult", {{"txs", "5:repeated CommittedSQLTx"}, {"ongoingTx", "6:bool"}}},
      {"SQLValue",
       {{"null", "1:NullValue"}, {"n", "2:int64"}, {"s", "3:string"}, {"b", "4:bool"},
        {"bs", "5:bytes"}, {"ts", "6:int64"}, {"f", "7:double"}}},
  };
  return messages;
}

TEST(SchemaDescriptor, CriticalMessageFieldsMatchTheProtocol) {
  const FileDescriptor* file = SchemaFile();
  for (const Message& msg : ExpectedMessages()) {
    SCOPED_TRACE(msg.name);
    const Descriptor* d = file->FindMessageTypeByName(msg.name);
    ASSERT_NE(d, nullptr) << "missing message";
    EXPECT_EQ(d->field_count(), static_cast<int>(msg.fields.size())) << "unexpected field count";
    for (const Field& f : msg.fields) {
      const FieldDescriptor* fd = d->FindFieldByName(f.name);
      ASSERT_NE(fd, nullptr) << "missing field " << f.name;
      EXPECT_EQ(FieldSignature(fd), f.signature) << "field " << f.name;
    }
  }
}

TEST(SchemaDescriptor, OneofsAndEnums) {
  const FileDescriptor* file = SchemaFile();
  const Descriptor* op = file->FindMessageTypeByName("Op");
  ASSERT_NE(op, nullptr);
  ASSERT_EQ(op->oneof_decl_count(), 1);
  EXPECT_EQ(op->oneof_decl(0)->name(), "operation");
  EXPECT_EQ(op->oneof_decl(0)->field_count(), 3);

  const Descriptor* pre = file->FindMessageTypeByName("Precondition");
  ASSERT_NE(pre, nullptr);
  ASSERT_EQ(pre->oneof_decl_count(), 1);
  EXPECT_EQ(pre->FindFieldByName("keyMustExist")->number(), 1);
  EXPECT_EQ(pre->FindFieldByName("keyMustNotExist")->number(), 2);
  EXPECT_EQ(pre->FindFieldByName("keyNotModifiedAfterTX")->number(), 3);
  const Descriptor* nm = pre->FindNestedTypeByName("KeyNotModifiedAfterTXPrecondition");
  ASSERT_NE(nm, nullptr);
  EXPECT_EQ(FieldSignature(nm->FindFieldByName("txID")), "2:uint64");

  auto enum_value = [&](const char* e, const char* v) {
    const auto* ed = file->FindEnumTypeByName(e);
    EXPECT_NE(ed, nullptr) << e;
    if (ed == nullptr) return -1;
    const auto* vd = ed->FindValueByName(v);
    EXPECT_NE(vd, nullptr) << e << "." << v;
    return vd == nullptr ? -1 : vd->number();
  };
  EXPECT_EQ(enum_value("EntryTypeAction", "EXCLUDE"), 0);
  EXPECT_EQ(enum_value("EntryTypeAction", "ONLY_DIGEST"), 1);
  EXPECT_EQ(enum_value("EntryTypeAction", "RAW_VALUE"), 2);
  EXPECT_EQ(enum_value("EntryTypeAction", "RESOLVE"), 3);
  EXPECT_EQ(enum_value("PermissionAction", "GRANT"), 0);
  EXPECT_EQ(enum_value("PermissionAction", "REVOKE"), 1);
  EXPECT_EQ(enum_value("TxMode", "ReadOnly"), 0);
  EXPECT_EQ(enum_value("TxMode", "WriteOnly"), 1);
  EXPECT_EQ(enum_value("TxMode", "ReadWrite"), 2);
}

// A message encoded by hand with the protocol's field numbers parses into the expected fields:
// proves the numbers survive generation, not only the descriptor text.
TEST(SchemaDescriptor, HandEncodedKeyRequestDecodes) {
  // field 1 (bytes) "k", field 2 (varint) 7, field 5 (varint) -1 as int64 (10-byte varint).
  std::string wire = {0x0a, 0x01, 'k', 0x10, 0x07, 0x28};
  for (int i = 0; i < 9; ++i) wire.push_back(static_cast<char>(0xff));
  wire.push_back(0x01);
  immudb::schema::KeyRequest req;
  ASSERT_TRUE(req.ParseFromString(wire));
  EXPECT_EQ(req.key(), "k");
  EXPECT_EQ(req.attx(), 7u);
  EXPECT_EQ(req.atrevision(), -1);
}

}  // namespace

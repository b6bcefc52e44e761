// The stream* RPCs: the same database calls as their unary twins, with keys, values and
// protos carried as framed messages (stream_framing.h) in immudb's order:
//   streamGet            -> key, value
//   streamScan/History   -> key, value for every entry
//   streamZScan          -> set, key, score (float64 bits, u64 BE), atTx (u64 BE), value
//   streamVerifiableGet  -> Entry without value (proto), VerifiableTx, InclusionProof, value
//   streamSet            <- key, value, key, value, ...
//   streamVerifiableSet  <- proveSinceTx (u64 BE), then key, value pairs
//   streamExecAll        <- per op: type byte (1 kv: key, value; 2 zAdd: ZAddRequest proto)
// Received streams are bounded: each message and the sum of all keys and values of one
// transaction are at most kMaxStreamMessageSize bytes.
#include <bit>
#include <cstring>

#include "server/immu_service.h"
#include "server/status_map.h"
#include "server/stream_framing.h"

namespace immudb::server {
namespace {

constexpr uint8_t kOpKv = 1;
constexpr uint8_t kOpZAdd = 2;
constexpr uint8_t kOpRef = 4;

ByteView View(const std::string& s) { return AsBytes(s); }
std::string Str(const Bytes& b) { return std::string(b.begin(), b.end()); }

Bytes U64Bytes(uint64_t v) {
  Bytes b;
  AppendU64(b, v);
  return b;
}

ChunkWriter WriterFor(grpc::ServerWriter<schema::Chunk>* w) {
  return ChunkWriter([w](const schema::Chunk& c) { return w->Write(c); });
}
ChunkReader ReaderFor(grpc::ServerReader<schema::Chunk>* r) {
  return ChunkReader([r](schema::Chunk* c) { return r->Read(c); });
}

// Writes the framed messages in order, stopping at the first failure.
Status WriteAll(ChunkWriter& w, std::initializer_list<ByteView> messages) {
  for (ByteView m : messages) IMMUDB_RETURN_IF_ERROR(w.Write(m));
  return Status::Ok();
}

// Counts received key/value bytes of one transaction against the stream limit.
class TxBudget {
 public:
  Status Add(size_t n) {
    used_ += n;
    if (used_ > kMaxStreamMessageSize) {
      return FailedPrecondition("max transaction values length exceeded");
    }
    return Status::Ok();
  }

 private:
  size_t used_ = 0;
};

// Reads the next message, failing with `what` when the stream ended instead.
Result<Bytes> Required(ChunkReader& r, const char* what) {
  IMMUDB_ASSIGN_OR_RETURN(std::optional<Bytes> m, r.Next());
  if (!m) return InvalidArgument(std::string("stream ended before ") + what);
  return std::move(*m);
}

// Reads key/value pairs until the stream ends, into `kvs`.
Status ReadKvPairs(ChunkReader& r, TxBudget& budget,
                   google::protobuf::RepeatedPtrField<schema::KeyValue>* kvs) {
  while (true) {
    IMMUDB_ASSIGN_OR_RETURN(std::optional<Bytes> key, r.Next());
    if (!key) return Status::Ok();
    IMMUDB_RETURN_IF_ERROR(budget.Add(key->size()));
    IMMUDB_ASSIGN_OR_RETURN(Bytes value, Required(r, "the value of a key"));
    IMMUDB_RETURN_IF_ERROR(budget.Add(value.size()));
    schema::KeyValue* kv = kvs->Add();
    kv->set_key(Str(*key));
    kv->set_value(Str(value));
  }
}

// Sends each entry as two messages, key then value (streamScan, streamHistory).
Status WriteKeyValues(ChunkWriter& w, const schema::Entries& entries) {
  for (const auto& e : entries.entries()) {
    IMMUDB_RETURN_IF_ERROR(WriteAll(w, {View(e.key()), View(e.value())}));
  }
  return Status::Ok();
}

}  // namespace

grpc::Status ImmuServiceImpl::BeginStream(Ctx* ctx, Access access, StreamCall* call) {
  auto slot = AcquireStreamSlot();
  if (!slot.ok()) return ToGrpcStatus(slot.status());
  call->slot.emplace(std::move(*slot));
  if (grpc::Status g = Gate(ctx, access, &call->info); !g.ok()) return g;
  call->counted.emplace(&stats_, call->info.database);
  return grpc::Status::OK;
}

Result<ImmuServiceImpl::StreamSlot> ImmuServiceImpl::AcquireStreamSlot() {
  int now_open = open_streams_.fetch_add(1) + 1;
  StreamSlot slot(&open_streams_);
  if (deps_.max_open_streams > 0 && now_open > deps_.max_open_streams) {
    return ResourceExhausted("too many open streams (limit " +
                             std::to_string(deps_.max_open_streams) + "); retry later");
  }
  return slot;
}

grpc::Status ImmuServiceImpl::streamGet(Ctx* ctx, const schema::KeyRequest* req,
                                        grpc::ServerWriter<schema::Chunk>* writer) {
  StreamCall call;
  if (grpc::Status g = BeginStream(ctx, Access::kRead, &call); !g.ok()) return g;
  const CallInfo& info = call.info;
  schema::Entry entry;
  if (Status st = deps_.kv->Get(info, *req, &entry); !st.ok()) return ToGrpcStatus(st);
  ChunkWriter w = WriterFor(writer);
  return ToGrpcStatus(WriteAll(w, {View(entry.key()), View(entry.value())}));
}

grpc::Status ImmuServiceImpl::streamVerifiableGet(Ctx* ctx, const schema::VerifiableGetRequest* req,
                                                  grpc::ServerWriter<schema::Chunk>* writer) {
  StreamCall call;
  if (grpc::Status g = BeginStream(ctx, Access::kRead, &call); !g.ok()) return g;
  const CallInfo& info = call.info;
  schema::VerifiableEntry ve;
  if (Status st = deps_.kv->VerifiableGet(info, *req, &ve); !st.ok()) return ToGrpcStatus(st);
  schema::Entry without_value;
  without_value.set_tx(ve.entry().tx());
  without_value.set_key(ve.entry().key());
  if (ve.entry().has_referencedby()) {
    *without_value.mutable_referencedby() = ve.entry().referencedby();
  }
  std::string entry_proto = without_value.SerializeAsString();
  std::string vtx_proto = ve.verifiabletx().SerializeAsString();
  std::string proof_proto = ve.inclusionproof().SerializeAsString();
  ChunkWriter w = WriterFor(writer);
  return ToGrpcStatus(WriteAll(w, {View(entry_proto), View(vtx_proto), View(proof_proto),
                                   View(ve.entry().value())}));
}

grpc::Status ImmuServiceImpl::streamScan(Ctx* ctx, const schema::ScanRequest* req,
                                         grpc::ServerWriter<schema::Chunk>* writer) {
  StreamCall call;
  if (grpc::Status g = BeginStream(ctx, Access::kRead, &call); !g.ok()) return g;
  const CallInfo& info = call.info;
  schema::Entries entries;
  if (Status st = deps_.kv->Scan(info, *req, &entries); !st.ok()) return ToGrpcStatus(st);
  ChunkWriter w = WriterFor(writer);
  return ToGrpcStatus(WriteKeyValues(w, entries));
}

grpc::Status ImmuServiceImpl::streamHistory(Ctx* ctx, const schema::HistoryRequest* req,
                                            grpc::ServerWriter<schema::Chunk>* writer) {
  StreamCall call;
  if (grpc::Status g = BeginStream(ctx, Access::kRead, &call); !g.ok()) return g;
  const CallInfo& info = call.info;
  schema::Entries entries;
  if (Status st = deps_.kv->History(info, *req, &entries); !st.ok()) return ToGrpcStatus(st);
  ChunkWriter w = WriterFor(writer);
  return ToGrpcStatus(WriteKeyValues(w, entries));
}

grpc::Status ImmuServiceImpl::streamZScan(Ctx* ctx, const schema::ZScanRequest* req,
                                          grpc::ServerWriter<schema::Chunk>* writer) {
  StreamCall call;
  if (grpc::Status g = BeginStream(ctx, Access::kRead, &call); !g.ok()) return g;
  const CallInfo& info = call.info;
  schema::ZEntries entries;
  if (Status st = deps_.kv->ZScan(info, *req, &entries); !st.ok()) return ToGrpcStatus(st);
  ChunkWriter w = WriterFor(writer);
  for (const auto& e : entries.entries()) {
    Bytes score = U64Bytes(std::bit_cast<uint64_t>(e.score()));
    Bytes at_tx = U64Bytes(e.attx());
    Status st = WriteAll(w, {View(e.set()), View(e.key()), score, at_tx, View(e.entry().value())});
    if (!st.ok()) return ToGrpcStatus(st);
  }
  return grpc::Status::OK;
}

grpc::Status ImmuServiceImpl::streamSet(Ctx* ctx, grpc::ServerReader<schema::Chunk>* reader,
                                        schema::TxHeader* resp) {
  StreamCall call;
  if (grpc::Status g = BeginStream(ctx, Access::kReadWrite, &call); !g.ok()) return g;
  const CallInfo& info = call.info;
  ChunkReader r = ReaderFor(reader);
  TxBudget budget;
  schema::SetRequest set;
  if (Status st = ReadKvPairs(r, budget, set.mutable_kvs()); !st.ok()) return ToGrpcStatus(st);
  return ToGrpcStatus(deps_.kv->Set(info, set, resp));
}

grpc::Status ImmuServiceImpl::streamVerifiableSet(Ctx* ctx, grpc::ServerReader<schema::Chunk>* reader,
                                                  schema::VerifiableTx* resp) {
  StreamCall call;
  if (grpc::Status g = BeginStream(ctx, Access::kReadWrite, &call); !g.ok()) return g;
  const CallInfo& info = call.info;
  ChunkReader r = ReaderFor(reader);
  auto since = Required(r, "proveSinceTx");
  if (!since.ok()) return ToGrpcStatus(since.status());
  if (since->size() != 8) {
    return ToGrpcStatus(InvalidArgument("proveSinceTx must be 8 bytes (big-endian u64), got " +
                                        std::to_string(since->size())));
  }
  schema::VerifiableSetRequest vset;
  vset.set_provesincetx(GetU64(since->data()));
  TxBudget budget;
  Status st = ReadKvPairs(r, budget, vset.mutable_setrequest()->mutable_kvs());
  if (!st.ok()) return ToGrpcStatus(st);
  return ToGrpcStatus(deps_.kv->VerifiableSet(info, vset, resp));
}

grpc::Status ImmuServiceImpl::streamExecAll(Ctx* ctx, grpc::ServerReader<schema::Chunk>* reader,
                                            schema::TxHeader* resp) {
  StreamCall call;
  if (grpc::Status g = BeginStream(ctx, Access::kReadWrite, &call); !g.ok()) return g;
  const CallInfo& info = call.info;
  ChunkReader r = ReaderFor(reader);
  TxBudget budget;
  schema::ExecAllRequest exec;
  auto run = [&]() -> Status {
    while (true) {
      IMMUDB_ASSIGN_OR_RETURN(std::optional<Bytes> type, r.Next());
      if (!type) return Status::Ok();
      if (type->size() != 1) return InvalidArgument("operation type must be one byte");
      switch ((*type)[0]) {
        case kOpKv: {
          IMMUDB_ASSIGN_OR_RETURN(Bytes key, Required(r, "the key of a kv operation"));
          IMMUDB_RETURN_IF_ERROR(budget.Add(key.size()));
          IMMUDB_ASSIGN_OR_RETURN(Bytes value, Required(r, "the value of a kv operation"));
          IMMUDB_RETURN_IF_ERROR(budget.Add(value.size()));
          schema::KeyValue* kv = exec.add_operations()->mutable_kv();
          kv->set_key(Str(key));
          kv->set_value(Str(value));
          break;
        }
        case kOpZAdd: {
          IMMUDB_ASSIGN_OR_RETURN(Bytes proto, Required(r, "the ZAddRequest of a zAdd operation"));
          IMMUDB_RETURN_IF_ERROR(budget.Add(proto.size()));
          if (!exec.add_operations()->mutable_zadd()->ParseFromArray(
                  proto.data(), static_cast<int>(proto.size()))) {
            return Internal("unable to reassemble ZAdd message on a streamExecAll");
          }
          break;
        }
        case kOpRef:
          return Unimplemented("reference operation is not implemented");
        default:
          return InvalidArgument("unknown operation type " + std::to_string((*type)[0]));
      }
    }
  };
  if (Status st = run(); !st.ok()) return ToGrpcStatus(st);
  return ToGrpcStatus(deps_.kv->ExecAll(info, exec, resp));
}

}  // namespace immudb::server

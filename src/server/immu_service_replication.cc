// Replication RPCs: exportTx, streamExportTx and replicateTx (PROTOCOL.md Appendix A).
//
// exportTx sends one framed message (stream_framing.h) holding immudb's ExportTx bytes of the
// requested tx; its first chunk carries `committed-txid-bin` (u64 BE, the database's last
// committed tx) in Chunk.metadata, as immudb does. replicateTx reads one framed message of
// those bytes and commits the tx with its original header (the database checks that it is
// the next tx and that entries and header hash to what they claim). All need admin
// permission on the caller's database.
#include "server/immu_service.h"
#include "server/status_map.h"
#include "server/stream_framing.h"

namespace immudb::server {
namespace {

// Sends `exported` as one message; the first chunk gets the committed-txid metadata.
template <typename Writer>
Status SendExport(Writer* w, const Bytes& exported, uint64_t committed_tx) {
  Bytes committed;
  AppendU64(committed, committed_tx);
  bool first = true;
  ChunkWriter cw([&](const schema::Chunk& c) {
    if (!first) return w->Write(c);
    first = false;
    schema::Chunk with_md = c;
    (*with_md.mutable_metadata())["committed-txid-bin"] =
        std::string(committed.begin(), committed.end());
    return w->Write(with_md);
  });
  return cw.Write(exported);
}

}  // namespace

grpc::Status ImmuServiceImpl::exportTx(Ctx* ctx, const schema::ExportTxRequest* req,
                                       grpc::ServerWriter<schema::Chunk>* writer) {
  CallInfo info;
  if (grpc::Status g = Gate(ctx, Access::kAdmin, &info); !g.ok()) return g;
  auto counted = stats_.Begin(info.database);
  if (req->tx() == 0) return ToGrpcStatus(InvalidArgument("illegal arguments: tx must be > 0"));
  Bytes exported;
  if (Status st = deps_.kv->ExportTx(info, req->tx(), &exported); !st.ok()) {
    return ToGrpcStatus(st);
  }
  schema::ImmutableState state;
  uint64_t committed = 0;
  if (deps_.kv->CurrentState(info, &state).ok()) committed = state.txid();
  return ToGrpcStatus(SendExport(writer, exported, committed));
}

grpc::Status ImmuServiceImpl::streamExportTx(
    Ctx* ctx, grpc::ServerReaderWriter<schema::Chunk, schema::ExportTxRequest>* stream) {
  CallInfo info;
  if (grpc::Status g = Gate(ctx, Access::kAdmin, &info); !g.ok()) return g;
  schema::ExportTxRequest req;
  while (stream->Read(&req)) {
    auto counted = stats_.Begin(info.database);
    if (req.tx() == 0) return ToGrpcStatus(InvalidArgument("illegal arguments: tx must be > 0"));
    Bytes exported;
    if (Status st = deps_.kv->ExportTx(info, req.tx(), &exported); !st.ok()) {
      return ToGrpcStatus(st);
    }
    schema::ImmutableState state;
    uint64_t committed = 0;
    if (deps_.kv->CurrentState(info, &state).ok()) committed = state.txid();
    if (Status st = SendExport(stream, exported, committed); !st.ok()) return ToGrpcStatus(st);
  }
  return grpc::Status::OK;
}

grpc::Status ImmuServiceImpl::replicateTx(Ctx* ctx, grpc::ServerReader<schema::Chunk>* reader,
                                          schema::TxHeader* resp) {
  CallInfo info;
  if (grpc::Status g = Gate(ctx, Access::kAdmin, &info); !g.ok()) return g;
  auto counted = stats_.Begin(info.database);
  ChunkReader r([reader](schema::Chunk* c) { return reader->Read(c); });
  auto msg = r.Next();
  if (!msg.ok()) return ToGrpcStatus(msg.status());
  if (!msg->has_value()) {
    return ToGrpcStatus(InvalidArgument("illegal arguments: replicateTx received no transaction"));
  }
  auto extra = r.Next();
  if (!extra.ok()) return ToGrpcStatus(extra.status());
  if (extra->has_value()) {
    return ToGrpcStatus(InvalidArgument("illegal arguments: replicateTx takes one transaction"));
  }
  return ToGrpcStatus(deps_.kv->ReplicateTx(info, **msg, resp));
}

}  // namespace immudb::server

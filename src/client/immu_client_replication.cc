// Replication RPCs of ImmuClient: exportTx (server stream) and replicateTx (client stream).
#include <algorithm>

#include "client/immu_client.h"

namespace immudb::client {

Result<Bytes> ImmuClient::ExportTx(uint64_t tx) {
  schema::ExportTxRequest req;
  req.set_tx(tx);
  Bytes out;
  IMMUDB_RETURN_IF_ERROR(Call([&](grpc::ClientContext* ctx) {
    out.clear();
    auto reader = stub_->exportTx(ctx, req);
    schema::Chunk chunk;
    while (reader->Read(&chunk)) {
      const std::string& c = chunk.content();
      out.insert(out.end(), c.begin(), c.end());
    }
    return reader->Finish();
  }));
  return out;
}

Result<schema::TxHeader> ImmuClient::ReplicateTx(ByteView framed, size_t chunk_size) {
  chunk_size = std::max<size_t>(chunk_size, 1);
  schema::TxHeader resp;
  IMMUDB_RETURN_IF_ERROR(Call([&](grpc::ClientContext* ctx) {
    auto writer = stub_->replicateTx(ctx, &resp);
    schema::Chunk chunk;
    for (size_t off = 0; off < framed.size(); off += chunk_size) {
      size_t n = std::min(chunk_size, framed.size() - off);
      chunk.set_content(reinterpret_cast<const char*>(framed.data() + off), n);
      if (!writer->Write(chunk)) break;  // the server answered early: Finish() says why
    }
    writer->WritesDone();
    return writer->Finish();
  }));
  return resp;
}

}  // namespace immudb::client

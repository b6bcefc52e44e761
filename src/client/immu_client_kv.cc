// Key-value, sorted-set and transaction RPCs of ImmuClient, plain and verified.
#include "client/entry_encoding.h"
#include "client/immu_client.h"
#include "client/verification.h"

namespace immudb::client {

#define IMMU_RPC(method, req, resp) \
  Call([&](grpc::ClientContext* ctx) { return stub_->method(ctx, req, &resp); })

namespace {

void FillKeyRequest(const std::string& key, const GetOptions& o, schema::KeyRequest* req) {
  req->set_key(key);
  req->set_attx(o.at_tx);
  req->set_sincetx(o.since_tx);
  req->set_atrevision(o.at_revision);
  req->set_nowait(o.no_wait);
}

void FillReference(const std::string& key, const std::string& referenced_key, uint64_t at_tx,
                   schema::ReferenceRequest* req) {
  req->set_key(key);
  req->set_referencedkey(referenced_key);
  req->set_attx(at_tx);
  req->set_boundref(at_tx > 0);
}

void FillZAdd(const std::string& set, double score, const std::string& key, uint64_t at_tx,
              schema::ZAddRequest* req) {
  req->set_set(set);
  req->set_score(score);
  req->set_key(key);
  req->set_attx(at_tx);
  req->set_boundref(at_tx > 0);
}

}  // namespace

Result<schema::TxHeader> ImmuClient::Set(const std::string& key, const std::string& value) {
  schema::SetRequest req;
  auto* kv = req.add_kvs();
  kv->set_key(key);
  kv->set_value(value);
  schema::TxHeader resp;
  IMMUDB_RETURN_IF_ERROR(IMMU_RPC(Set, req, resp));
  return resp;
}

namespace {

// What SendWithSessionRetry needs of every asynchronous call: its context and retry state.
struct AsyncCallState {
  std::unique_ptr<grpc::ClientContext> ctx;
  std::string used_session;
  int attempt = 0;
};

}  // namespace

// One SetAsync in flight: what gRPC needs until the callback, and the retry state.
struct ImmuClient::AsyncSet : AsyncCallState {
  schema::SetRequest req;
  schema::TxHeader resp;
  SetCallback done;
};

void ImmuClient::SetAsync(const std::string& key, const std::string& value, SetCallback done) {
  schema::SetRequest req;
  auto* kv = req.add_kvs();
  kv->set_key(key);
  kv->set_value(value);
  SetAsync(std::move(req), std::move(done));
}

template <typename PendingCall>
void ImmuClient::SendWithSessionRetry(
    std::shared_ptr<PendingCall> call,
    std::function<void(PendingCall*, std::function<void(grpc::Status)>)> send,
    std::function<void(Status)> finish) {
  call->ctx = std::make_unique<grpc::ClientContext>();
  call->used_session = PrepareContext(call->ctx.get());
  PendingCall* c = call.get();
  send(c, [this, call, send, finish](grpc::Status st) {
    if (!st.ok() && call->attempt++ == 0 && !call->used_session.empty() &&
        st.error_message().find("session not found") != std::string::npos) {
      // Rare (the server dropped the session): re-open it here, then retry once.
      if (Status re = ReopenSession(call->used_session); !re.ok()) return finish(re);
      return SendWithSessionRetry(call, send, finish);
    }
    if (st.ok()) NoteServerUuid(*call->ctx);
    finish(FromGrpc(st));
  });
}

void ImmuClient::SetAsync(schema::SetRequest req, SetCallback done) {
  auto call = std::make_shared<AsyncSet>();
  call->req = std::move(req);
  call->done = std::move(done);
  SendWithSessionRetry<AsyncSet>(
      call,
      [this](AsyncSet* c, std::function<void(grpc::Status)> cb) {
        stub_->async()->Set(c->ctx.get(), &c->req, &c->resp, std::move(cb));
      },
      [call](Status st) {
        if (!st.ok()) return call->done(st);
        call->done(std::move(call->resp));
      });
}

Result<schema::Entry> ImmuClient::Get(const std::string& key, const GetOptions& opts) {
  schema::KeyRequest req;
  FillKeyRequest(key, opts, &req);
  schema::Entry resp;
  IMMUDB_RETURN_IF_ERROR(IMMU_RPC(Get, req, resp));
  return resp;
}

Result<schema::TxHeader> ImmuClient::VerifiedSet(const std::string& key, const std::string& value) {
  schema::TxHeader header;
  IMMUDB_RETURN_IF_ERROR(RunVerified(
      [&](const ledger::State& local, schema::Signature* sig) -> Result<ledger::State> {
        schema::VerifiableSetRequest req;
        auto* kv = req.mutable_setrequest()->add_kvs();
        kv->set_key(key);
        kv->set_value(value);
        req.set_provesincetx(local.tx_id);
        schema::VerifiableTx resp;
        IMMUDB_RETURN_IF_ERROR(IMMU_RPC(VerifiableSet, req, resp));
        *sig = resp.signature();
        ExpectedEntry want{KvStoreKey(AsBytes(key)), PlainStoreValue(AsBytes(value)), true};
        IMMUDB_ASSIGN_OR_RETURN(ledger::State next, VerifyWriteResponse(resp, want, local, local.db));
        header = resp.tx().header();
        return next;
      }));
  return header;
}

// One VerifiedSetAsync in flight: the request and answer, the state lock it holds and the
// trusted state it proves from, and the retry state.
struct ImmuClient::AsyncVerifiedSet : AsyncCallState {
  schema::VerifiableSetRequest req;
  schema::VerifiableTx resp;
  StateStore::Lock lock;
  ledger::State local;
  ExpectedEntry want;
  SetCallback done;
};

void ImmuClient::VerifiedSetAsync(const std::string& key, const std::string& value,
                                  SetCallback done) {
  if (server_uuid().empty()) (void)Health();
  if (Status st = CheckIdentity(); !st.ok()) return done(st);
  Result<StateStore::Lock> lock = state_store_.LockServer(server_uuid());
  if (!lock.ok()) return done(lock.status());
  auto call = std::make_shared<AsyncVerifiedSet>();
  call->lock = std::move(*lock);
  Result<ledger::State> local = TrustedState();
  if (!local.ok()) return done(local.status());
  call->local = std::move(*local);
  auto* kv = call->req.mutable_setrequest()->add_kvs();
  kv->set_key(key);
  kv->set_value(value);
  call->req.set_provesincetx(call->local.tx_id);
  call->want = ExpectedEntry{KvStoreKey(AsBytes(key)), PlainStoreValue(AsBytes(value)), true};
  call->done = std::move(done);
  SendWithSessionRetry<AsyncVerifiedSet>(
      call,
      [this](AsyncVerifiedSet* c, std::function<void(grpc::Status)> cb) {
        stub_->async()->VerifiableSet(c->ctx.get(), &c->req, &c->resp, std::move(cb));
      },
      [this, call](Status st) {
        Result<schema::TxHeader> out = st.ok() ? FinishVerifiedSet(*call)
                                               : Result<schema::TxHeader>(std::move(st));
        call->lock = StateStore::Lock();  // released before `done`, which may start the next call
        call->done(std::move(out));
      });
}

Result<schema::TxHeader> ImmuClient::FinishVerifiedSet(const AsyncVerifiedSet& call) {
  const schema::Signature& sig = call.resp.signature();
  IMMUDB_ASSIGN_OR_RETURN(ledger::State next,
                          VerifyWriteResponse(call.resp, call.want, call.local, call.local.db));
  IMMUDB_RETURN_IF_ERROR(CheckSignature(next, sig.signature().empty() ? nullptr : &sig));
  IMMUDB_RETURN_IF_ERROR(StoreState(next, &sig));
  return call.resp.tx().header();
}

Result<schema::Entry> ImmuClient::VerifiedGet(const std::string& key, const GetOptions& opts) {
  schema::Entry entry;
  IMMUDB_RETURN_IF_ERROR(RunVerified(
      [&](const ledger::State& local, schema::Signature* sig) -> Result<ledger::State> {
        schema::VerifiableGetRequest req;
        FillKeyRequest(key, opts, req.mutable_keyrequest());
        req.set_provesincetx(local.tx_id);
        schema::VerifiableEntry resp;
        IMMUDB_RETURN_IF_ERROR(IMMU_RPC(VerifiableGet, req, resp));
        *sig = resp.verifiabletx().signature();
        IMMUDB_ASSIGN_OR_RETURN(ledger::State next,
                                VerifyEntryResponse(resp, AsBytes(key), opts.at_tx, local, local.db));
        entry = resp.entry();
        return next;
      }));
  return entry;
}

Result<schema::TxHeader> ImmuClient::Delete(const std::vector<std::string>& keys) {
  schema::DeleteKeysRequest req;
  for (const auto& k : keys) req.add_keys(k);
  schema::TxHeader resp;
  IMMUDB_RETURN_IF_ERROR(IMMU_RPC(Delete, req, resp));
  return resp;
}

Result<schema::Entries> ImmuClient::History(const std::string& key, uint64_t offset, int32_t limit,
                                            bool desc, uint64_t since_tx) {
  schema::HistoryRequest req;
  req.set_key(key);
  req.set_offset(offset);
  req.set_limit(limit);
  req.set_desc(desc);
  req.set_sincetx(since_tx);
  schema::Entries resp;
  IMMUDB_RETURN_IF_ERROR(IMMU_RPC(History, req, resp));
  return resp;
}

Result<schema::Entries> ImmuClient::Scan(const ScanOptions& o) {
  schema::ScanRequest req;
  req.set_prefix(o.prefix);
  req.set_seekkey(o.seek_key);
  req.set_endkey(o.end_key);
  req.set_inclusiveseek(o.inclusive_seek);
  req.set_inclusiveend(o.inclusive_end);
  req.set_desc(o.desc);
  req.set_limit(o.limit);
  req.set_offset(o.offset);
  req.set_sincetx(o.since_tx);
  schema::Entries resp;
  IMMUDB_RETURN_IF_ERROR(IMMU_RPC(Scan, req, resp));
  return resp;
}

Result<uint64_t> ImmuClient::Count(const std::string& prefix) {
  schema::KeyPrefix req;
  req.set_prefix(prefix);
  schema::EntryCount resp;
  IMMUDB_RETURN_IF_ERROR(IMMU_RPC(Count, req, resp));
  return resp.count();
}

Result<uint64_t> ImmuClient::CountAll() {
  google::protobuf::Empty req;
  schema::EntryCount resp;
  IMMUDB_RETURN_IF_ERROR(IMMU_RPC(CountAll, req, resp));
  return resp.count();
}

Result<schema::TxHeader> ImmuClient::SetReference(const std::string& key,
                                                  const std::string& referenced_key,
                                                  uint64_t at_tx) {
  schema::ReferenceRequest req;
  FillReference(key, referenced_key, at_tx, &req);
  schema::TxHeader resp;
  IMMUDB_RETURN_IF_ERROR(IMMU_RPC(SetReference, req, resp));
  return resp;
}

Result<schema::TxHeader> ImmuClient::VerifiedSetReference(const std::string& key,
                                                          const std::string& referenced_key,
                                                          uint64_t at_tx) {
  schema::TxHeader header;
  IMMUDB_RETURN_IF_ERROR(RunVerified(
      [&](const ledger::State& local, schema::Signature* sig) -> Result<ledger::State> {
        schema::VerifiableReferenceRequest req;
        FillReference(key, referenced_key, at_tx, req.mutable_referencerequest());
        req.set_provesincetx(local.tx_id);
        schema::VerifiableTx resp;
        IMMUDB_RETURN_IF_ERROR(IMMU_RPC(VerifiableSetReference, req, resp));
        *sig = resp.signature();
        ExpectedEntry want{KvStoreKey(AsBytes(key)),
                           ReferenceStoreValue(at_tx, AsBytes(referenced_key)), false};
        IMMUDB_ASSIGN_OR_RETURN(ledger::State next, VerifyWriteResponse(resp, want, local, local.db));
        header = resp.tx().header();
        return next;
      }));
  return header;
}

Result<schema::TxHeader> ImmuClient::ZAdd(const std::string& set, double score,
                                          const std::string& key, uint64_t at_tx) {
  schema::ZAddRequest req;
  FillZAdd(set, score, key, at_tx, &req);
  schema::TxHeader resp;
  IMMUDB_RETURN_IF_ERROR(IMMU_RPC(ZAdd, req, resp));
  return resp;
}

Result<schema::TxHeader> ImmuClient::VerifiedZAdd(const std::string& set, double score,
                                                  const std::string& key, uint64_t at_tx) {
  schema::TxHeader header;
  IMMUDB_RETURN_IF_ERROR(RunVerified(
      [&](const ledger::State& local, schema::Signature* sig) -> Result<ledger::State> {
        schema::VerifiableZAddRequest req;
        FillZAdd(set, score, key, at_tx, req.mutable_zaddrequest());
        req.set_provesincetx(local.tx_id);
        schema::VerifiableTx resp;
        IMMUDB_RETURN_IF_ERROR(IMMU_RPC(VerifiableZAdd, req, resp));
        *sig = resp.signature();
        ExpectedEntry want{ZAddStoreKey(AsBytes(set), score, AsBytes(key), at_tx), {}, false};
        IMMUDB_ASSIGN_OR_RETURN(ledger::State next, VerifyWriteResponse(resp, want, local, local.db));
        header = resp.tx().header();
        return next;
      }));
  return header;
}

Result<schema::ZEntries> ImmuClient::ZScan(const ZScanOptions& o) {
  schema::ZScanRequest req;
  req.set_set(o.set);
  req.set_seekkey(o.seek_key);
  req.set_seekscore(o.seek_score);
  req.set_seekattx(o.seek_at_tx);
  req.set_inclusiveseek(o.inclusive_seek);
  req.set_desc(o.desc);
  req.set_limit(o.limit);
  req.set_offset(o.offset);
  if (o.min_score) req.mutable_minscore()->set_score(*o.min_score);
  if (o.max_score) req.mutable_maxscore()->set_score(*o.max_score);
  req.set_sincetx(o.since_tx);
  schema::ZEntries resp;
  IMMUDB_RETURN_IF_ERROR(IMMU_RPC(ZScan, req, resp));
  return resp;
}

Result<schema::Tx> ImmuClient::TxById(uint64_t tx) {
  schema::TxRequest req;
  req.set_tx(tx);
  schema::Tx resp;
  IMMUDB_RETURN_IF_ERROR(IMMU_RPC(TxById, req, resp));
  return resp;
}

Result<schema::Tx> ImmuClient::VerifiedTxById(uint64_t tx) {
  return VerifiedTxById(tx, nullptr);
}

Result<schema::Tx> ImmuClient::VerifiedTxById(uint64_t tx, const schema::EntriesSpec& spec) {
  return VerifiedTxById(tx, &spec);
}

Result<schema::Tx> ImmuClient::VerifiedTxById(uint64_t tx, const schema::EntriesSpec* spec) {
  schema::Tx out;
  IMMUDB_RETURN_IF_ERROR(RunVerified(
      [&](const ledger::State& local, schema::Signature* sig) -> Result<ledger::State> {
        schema::VerifiableTxRequest req;
        req.set_tx(tx);
        req.set_provesincetx(local.tx_id);
        if (spec != nullptr) *req.mutable_entriesspec() = *spec;
        schema::VerifiableTx resp;
        IMMUDB_RETURN_IF_ERROR(IMMU_RPC(VerifiableTxById, req, resp));
        *sig = resp.signature();
        IMMUDB_ASSIGN_OR_RETURN(ledger::State next, VerifyTxResponse(resp, tx, local, local.db));
        out = resp.tx();
        return next;
      }));
  return out;
}

Result<schema::TxList> ImmuClient::TxScan(uint64_t initial_tx, uint32_t limit, bool desc) {
  schema::TxScanRequest req;
  req.set_initialtx(initial_tx);
  req.set_limit(limit);
  req.set_desc(desc);
  schema::TxList resp;
  IMMUDB_RETURN_IF_ERROR(IMMU_RPC(TxScan, req, resp));
  return resp;
}

}  // namespace immudb::client

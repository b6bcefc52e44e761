#include "immu_workloads.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "grpc_runtime.h"
#include "keys.h"

namespace immudb::bench {
namespace {

// Writes a SetRequest of many entries through the generated stub on its own connection,
// authenticated with the ImmuClient's session: ImmuClient::Set takes one entry only.
class BatchWriter {
 public:
  static Result<std::unique_ptr<BatchWriter>> Create(const client::ClientOptions& o) {
    ConfigureGrpcRuntime();
    std::unique_ptr<BatchWriter> w(new BatchWriter);
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
    args.SetMaxReceiveMessageSize(o.max_recv_message_size);
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);  // as ImmuClient's channel
    args.SetInt(GRPC_ARG_ENABLE_CHANNELZ, 0);
    std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
    if (o.use_tls) {
      IMMUDB_ASSIGN_OR_RETURN(grpc::SslCredentialsOptions ssl, client::TlsCredentialsOptions(o));
      creds = grpc::SslCredentials(ssl);
      if (!o.server_name.empty()) args.SetSslTargetNameOverride(o.server_name);
    }
    w->stub_ = schema::ImmuService::NewStub(
        grpc::CreateCustomChannel(o.address + ":" + std::to_string(o.port), creds, args));
    w->timeout_ = o.call_timeout;
    return w;
  }

  Status Set(const std::string& session, const schema::SetRequest& req) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + timeout_);
    ctx.AddMetadata("sessionid", session);
    schema::TxHeader resp;
    return client::FromGrpc(stub_->Set(&ctx, req, &resp));
  }

 private:
  std::unique_ptr<schema::ImmuService::Stub> stub_;
  std::chrono::milliseconds timeout_{30000};
};

class ImmuWorker : public Worker {
 public:
  ImmuWorker(std::string op, int index, int batch, uint64_t cell, const ImmuData& data,
             client::ImmuClient* c, std::unique_ptr<BatchWriter> writer)
      : op_(std::move(op)), index_(index), batch_(batch), cell_(cell), data_(data),
        client_(c), writer_(std::move(writer)), rng_(cell * 1000003 + index),
        value_(MakeValue(cell * 7919 + index, data.value_size)) {}

  // Set and VerifiableSet are driven through the client library's asynchronous calls,
  // unless --sync-clients.
  bool Async() const override {
    return (op_ == "set" || op_ == "verifiableset") && data_.async_set;
  }
  void StartStep(std::function<void(Status)> done) override {
    auto finish = [done = std::move(done)](Result<schema::TxHeader> r) {
      done(r.ok() ? Status::Ok() : r.status());
    };
    if (op_ == "verifiableset") return client_->VerifiedSetAsync(NextKey(), value_, std::move(finish));
    if (batch_ == 1) return client_->SetAsync(NextKey(), value_, std::move(finish));
    client_->SetAsync(BatchRequest(), std::move(finish));
  }

  Status Step() override {
    if (op_ == "set") return DoSet();
    if (op_ == "verifiableset") {
      auto r = client_->VerifiedSet(NextKey(), value_);
      return r.ok() ? Status::Ok() : r.status();
    }
    if (op_ == "get" || op_ == "verifiableget") {
      const std::string& k = data_.read_keys[rng_.Below(data_.read_keys.size())];
      auto r = op_ == "get" ? client_->Get(k) : client_->VerifiedGet(k);
      return r.ok() ? Status::Ok() : r.status();
    }
    if (op_ == "scan") {
      client::ScanOptions o;
      o.seek_key = data_.read_keys[rng_.Below(data_.read_keys.size())];
      o.limit = static_cast<uint64_t>(batch_);
      auto r = client_->Scan(o);
      return r.ok() ? Status::Ok() : r.status();
    }
    if (op_ == "history") {
      const std::string& k = data_.history_keys[rng_.Below(data_.history_keys.size())];
      auto r = client_->History(k, 0, batch_);
      return r.ok() ? Status::Ok() : r.status();
    }
    return InvalidArgument("unknown operation " + op_);
  }

 private:
  std::string NextKey() { return MakeKey('w', cell_, index_, seq_++, data_.key_size); }

  Status DoSet() {
    if (batch_ == 1) {
      auto r = client_->Set(NextKey(), value_);
      return r.ok() ? Status::Ok() : r.status();
    }
    return writer_->Set(client_->session_id(), BatchRequest());
  }

  schema::SetRequest BatchRequest() {
    schema::SetRequest req;
    for (int i = 0; i < batch_; ++i) {
      auto* kv = req.add_kvs();
      kv->set_key(NextKey());
      kv->set_value(value_);
    }
    return req;
  }

  std::string op_;
  int index_;
  int batch_;
  uint64_t cell_;
  const ImmuData& data_;
  client::ImmuClient* client_;  // owned by the pool
  std::unique_ptr<BatchWriter> writer_;
  Rng rng_;
  std::string value_;
  uint64_t seq_ = 0;
};

}  // namespace

const std::vector<std::string>& ImmuOps() {
  static const std::vector<std::string> ops{"set", "verifiableset", "get",
                                            "verifiableget", "scan", "history"};
  return ops;
}

Result<std::unique_ptr<client::ImmuClient>> ConnectImmu(const ImmuTarget& target, int index) {
  client::ClientOptions o = target.options;
  o.state_dir = target.state_root + "/w" + std::to_string(index);
  std::error_code ec;
  std::filesystem::create_directories(o.state_dir, ec);
  if (ec) return IoError("cannot create " + o.state_dir + ": " + ec.message());
  // gRPC shares one connection among channels with equal arguments; a distinct value makes
  // every client open its own, as separate client processes would.
  o.max_recv_message_size += index;
  IMMUDB_ASSIGN_OR_RETURN(std::unique_ptr<client::ImmuClient> c, client::ImmuClient::Create(o));
  IMMUDB_RETURN_IF_ERROR(c->OpenSession(target.user, target.password, target.database));
  return c;
}

Status ImmuClientPool::Ensure(int n, int parallel) {
  size_t first = clients_.size();
  if (static_cast<int>(first) >= n) return Status::Ok();
  clients_.resize(n);
  std::vector<Status> errors(n);
  std::atomic<size_t> next{first};
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, parallel); ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < static_cast<size_t>(n); i = next++) {
        auto c = ConnectImmu(target_, static_cast<int>(i));
        if (c.ok()) {
          clients_[i] = std::move(*c);
        } else {
          errors[i] = c.status();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = first; i < static_cast<size_t>(n); ++i) {
    if (!errors[i].ok()) {
      clients_.resize(first);
      return errors[i];
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<Worker>> MakeImmuWorker(const std::string& op, int index, int batch,
                                               uint64_t cell, const ImmuTarget& target,
                                               ImmuClientPool& pool, const ImmuData& data) {
  if ((op == "get" || op == "verifiableget" || op == "scan") && data.read_keys.empty()) {
    return FailedPrecondition(op + " needs prefilled keys (--prefill-keys > 0)");
  }
  if (op == "history" && data.history_keys.empty()) {
    return FailedPrecondition("history needs prefilled keys (--history-keys > 0)");
  }
  IMMUDB_RETURN_IF_ERROR(pool.Ensure(index + 1, 1));
  client::ImmuClient* c = pool.at(index);
  std::unique_ptr<BatchWriter> writer;
  if (op == "set" && batch > 1) {
    IMMUDB_ASSIGN_OR_RETURN(writer, BatchWriter::Create(target.options));
  }
  return std::unique_ptr<Worker>(
      new ImmuWorker(op, index, batch, cell, data, c, std::move(writer)));
}

Status PreloadImmu(ImmuClientPool& pool, uint64_t txs, int clients, const ImmuData& data) {
  IMMUDB_RETURN_IF_ERROR(pool.Ensure(clients, 4));
  // `clients` chains of SetAsync calls, one in flight each.
  std::atomic<uint64_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  Status first_error;
  std::mutex mu;
  int running = clients;  // chains not yet ended, guarded by mu
  const std::string value = MakeValue(4242, data.value_size);
  std::function<void(int)> issue = [&](int t) {
    uint64_t i = next++;
    if (i >= txs || failed) {
      std::lock_guard<std::mutex> l(mu);
      --running;
      return;
    }
    pool.at(t)->SetAsync(MakeKey('g', 0xFFFF, static_cast<uint64_t>(t), i, data.key_size), value,
                         [&, t](Result<schema::TxHeader> r) {
                           if (!r.ok()) {
                             std::lock_guard<std::mutex> l(mu);
                             if (first_error.ok()) first_error = r.status();
                             failed = true;
                             --running;
                             return;
                           }
                           ++done;
                           issue(t);
                         });
  };
  for (int t = 0; t < clients; ++t) issue(t);
  const auto t0 = std::chrono::steady_clock::now();
  auto last = t0;
  for (;;) {
    {
      std::lock_guard<std::mutex> l(mu);
      if (running == 0) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto now = std::chrono::steady_clock::now();
    if (now - last >= std::chrono::seconds(5)) {
      last = now;
      double el = std::chrono::duration<double>(now - t0).count();
      std::fprintf(stderr, "immubench: preload %llu / %llu txs (%.0f tx/s)\n",
                   static_cast<unsigned long long>(done.load()),
                   static_cast<unsigned long long>(txs), static_cast<double>(done.load()) / el);
    }
  }
  std::lock_guard<std::mutex> l(mu);
  return first_error;
}

Status PrefillImmu(const ImmuTarget& target, int keys, int history_keys, int versions,
                   ImmuData* data) {
  IMMUDB_ASSIGN_OR_RETURN(std::unique_ptr<client::ImmuClient> c, ConnectImmu(target, 9999));
  IMMUDB_ASSIGN_OR_RETURN(std::unique_ptr<BatchWriter> w, BatchWriter::Create(target.options));
  const std::string value = MakeValue(42, data->value_size);
  schema::SetRequest req;
  auto flush = [&]() -> Status {
    if (req.kvs_size() == 0) return Status::Ok();
    Status s = w->Set(c->session_id(), req);
    req.Clear();
    return s;
  };
  for (int i = 0; i < keys; ++i) {
    std::string k = MakeKey('r', 0, 0, static_cast<uint64_t>(i), data->key_size);
    auto* kv = req.add_kvs();
    kv->set_key(k);
    kv->set_value(value);
    data->read_keys.push_back(std::move(k));
    if (req.kvs_size() == 1000) IMMUDB_RETURN_IF_ERROR(flush());
  }
  IMMUDB_RETURN_IF_ERROR(flush());
  for (int h = 0; h < history_keys; ++h) {
    data->history_keys.push_back(MakeKey('h', 0, 0, static_cast<uint64_t>(h), data->key_size));
  }
  for (int v = 0; v < versions && history_keys > 0; ++v) {
    for (const std::string& k : data->history_keys) {
      auto* kv = req.add_kvs();
      kv->set_key(k);
      kv->set_value(value);
    }
    IMMUDB_RETURN_IF_ERROR(flush());
  }
  return Status::Ok();
}

}  // namespace immudb::bench

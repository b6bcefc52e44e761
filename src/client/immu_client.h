// ImmuClient: a C++ client of immudb's gRPC API (immudb.schema.ImmuService).
//
// Authentication: OpenSession() (the current API) sends `sessionid` metadata on every later
// call, keeps the session alive from a background thread (KeepAlive every
// keepalive_interval) and transparently re-opens it, once per call, when the server answers
// "session not found". When the server does not implement sessions, OpenSession() falls back
// to the legacy Login() + UseDatabase() token flow (`authorization: Bearer <token>`).
//
// Verified* calls check every proof the server returns against the trusted state of the
// current database (trust on first use: the first state is taken from CurrentState), as
// immudb's Go client does (see verification.h), and check the server's state signature when a
// public key is configured. A failed check returns a Tampered status ("tampering detected: ...")
// and leaves the stored state untouched; otherwise the new state replaces it in
// `<state_dir>/.state-<serverUUID>` (state_store.h), under an exclusive file lock.
//
// Errors from the server keep its message; the code follows the gRPC code (UNKNOWN answers
// whose text says "not found" become NotFound). Methods are safe to call from several threads.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "client/state_store.h"
#include "crypto/ecdsa.h"
#include "ledger/state.h"
#include "schema.grpc.pb.h"

namespace immudb::client {

struct ClientOptions {
  std::string address = "127.0.0.1";
  int port = 3322;
  // Folder of the trusted-state files.
  std::string state_dir = ".";
  // Keep the trusted states (and the server identity pin) in this client's memory only, as
  // immudb-py's default RootService: state_dir is not used, and a new client trusts on
  // first use again.
  bool state_in_memory = false;
  // fsync every trusted-state update (and its folder) before a verified call returns, so the
  // newest state also survives a power loss (StateStore); off by default, as in immudb.
  bool sync_state = false;
  // PEM public key of the server's signing key; empty = signatures are not checked.
  std::string server_signing_pub_key_file;
  // TLS: when use_tls, the channel uses TLS with ca_cert_file (PEM) as trust roots (system
  // roots when empty) and verifies the server's certificate against them and against
  // server_name (empty: the host of `address`). With client_cert_file + client_key_file the
  // client presents that certificate (mutual TLS). Every PEM file is checked against the FIPS
  // key policy of the running mode first (crypto::CheckPemBundle).
  bool use_tls = false;
  std::string ca_cert_file;
  std::string client_cert_file;
  std::string client_key_file;
  std::string server_name;
  std::chrono::milliseconds keepalive_interval{60000};
  std::chrono::milliseconds call_timeout{30000};
  // Skip the server identity pinning of verified calls (see ImmuClient::CheckIdentity).
  bool disable_identity_check = false;
  // Largest message accepted from the server.
  int max_recv_message_size = 32 << 20;
};

// The gRPC TLS options for o: trust roots, and the client certificate and key when given,
// each file read and checked against the running mode's key policy. InvalidArgument when only
// one of certificate/key is given; CryptoError (naming the file) for a refused key.
Result<grpc::SslCredentialsOptions> TlsCredentialsOptions(const ClientOptions& o);

struct GetOptions {
  uint64_t at_tx = 0;
  uint64_t since_tx = 0;
  int64_t at_revision = 0;
  bool no_wait = false;
};

struct ScanOptions {
  std::string prefix;
  std::string seek_key;
  std::string end_key;
  bool inclusive_seek = true;
  bool inclusive_end = true;
  bool desc = false;
  uint64_t limit = 0;
  uint64_t offset = 0;
  uint64_t since_tx = 0;
};

struct ZScanOptions {
  std::string set;
  std::string seek_key;
  double seek_score = 0;
  uint64_t seek_at_tx = 0;
  bool inclusive_seek = true;
  bool desc = false;
  uint64_t limit = 0;
  uint64_t offset = 0;
  std::optional<double> min_score;
  std::optional<double> max_score;
  uint64_t since_tx = 0;
};

class ImmuClient {
 public:
  // Builds the channel (no network traffic yet). Fails if the public key file cannot be read.
  static Result<std::unique_ptr<ImmuClient>> Create(ClientOptions options);
  ~ImmuClient();  // closes the session (best effort) and stops the keep-alive thread

  ImmuClient(const ImmuClient&) = delete;
  ImmuClient& operator=(const ImmuClient&) = delete;

  // --- authentication -------------------------------------------------------------------
  // Opens a session on database (falls back to Login + UseDatabase, see above).
  Status OpenSession(const std::string& user, const std::string& password,
                     const std::string& database = "defaultdb");
  Status CloseSession();
  // Legacy token login; returns the server's warning (e.g. default password), possibly empty.
  Result<std::string> Login(const std::string& user, const std::string& password);
  Status Logout();
  // Reuses a token obtained earlier (e.g. stored by a previous `immuclient login`).
  void SetToken(const std::string& token, const std::string& database);
  std::string token() const;
  bool has_session() const;
  // The current session id (empty without a session); changes when the session is re-opened.
  std::string session_id() const;
  // The current database name and the server's UUID (from OpenSession or the immudb-uuid
  // header; empty until known).
  std::string database() const;
  std::string server_uuid() const;

  // --- key-value --------------------------------------------------------------------------
  Result<schema::TxHeader> Set(const std::string& key, const std::string& value);
  // Set without blocking: returns at once and calls `done` exactly once with what Set would
  // have returned, on a gRPC thread (keep it short; it may start the next call), possibly
  // before SetAsync returns. Same auth metadata, deadline and session re-open as Set.
  // The client must outlive every pending call.
  using SetCallback = std::function<void(Result<schema::TxHeader>)>;
  void SetAsync(const std::string& key, const std::string& value, SetCallback done);
  // SetAsync of a whole prepared request (several entries, preconditions, noWait).
  void SetAsync(schema::SetRequest req, SetCallback done);
  Result<schema::Entry> Get(const std::string& key, const GetOptions& opts = {});
  Result<schema::TxHeader> VerifiedSet(const std::string& key, const std::string& value);
  // VerifiedSet without waiting for the server: the state lock and the trusted state are
  // taken on the calling thread (waiting, if need be, for this client's previous verified
  // call to finish), then the call goes out; its proofs are checked and the new state stored
  // on a gRPC thread, which releases the lock and calls `done` as SetAsync does.
  void VerifiedSetAsync(const std::string& key, const std::string& value, SetCallback done);
  Result<schema::Entry> VerifiedGet(const std::string& key, const GetOptions& opts = {});
  Result<schema::TxHeader> Delete(const std::vector<std::string>& keys);
  Result<schema::Entries> History(const std::string& key, uint64_t offset = 0, int32_t limit = 0,
                                  bool desc = false, uint64_t since_tx = 0);
  Result<schema::Entries> Scan(const ScanOptions& opts);
  Result<uint64_t> Count(const std::string& prefix);
  Result<uint64_t> CountAll();
  Result<schema::TxHeader> SetReference(const std::string& key, const std::string& referenced_key,
                                        uint64_t at_tx = 0);
  Result<schema::TxHeader> VerifiedSetReference(const std::string& key,
                                                const std::string& referenced_key,
                                                uint64_t at_tx = 0);
  Result<schema::TxHeader> ZAdd(const std::string& set, double score, const std::string& key,
                                uint64_t at_tx = 0);
  Result<schema::TxHeader> VerifiedZAdd(const std::string& set, double score,
                                        const std::string& key, uint64_t at_tx = 0);
  Result<schema::ZEntries> ZScan(const ZScanOptions& opts);
  // The tx as the server renders it raw (TxEntry keys keep their 1-byte prefix).
  Result<schema::Tx> TxById(uint64_t tx);
  Result<schema::Tx> VerifiedTxById(uint64_t tx);
  // VerifiedTxById asking for the entries as spec says (e.g. kvEntriesSpec RAW_VALUE: every
  // KV entry with its full store value, which the caller can re-hash against the proven hValue).
  Result<schema::Tx> VerifiedTxById(uint64_t tx, const schema::EntriesSpec& spec);
  Result<schema::TxList> TxScan(uint64_t initial_tx, uint32_t limit, bool desc);

  // --- replication (immu_client_replication.cc) ----------------------------------------
  // exportTx of tx `tx` on the current database: the concatenated Chunk contents, i.e. one
  // framed message (u64 BE length || immudb's ExportTx bytes, ledger/tx_export.h), exactly as
  // immudb's hot backups store it. Needs admin permission.
  Result<Bytes> ExportTx(uint64_t tx);
  // replicateTx: sends `framed` (as returned by ExportTx) in chunks of chunk_size bytes and
  // returns the header the server committed. Needs admin permission.
  Result<schema::TxHeader> ReplicateTx(ByteView framed, size_t chunk_size = 64 * 1024);

  // --- state and health -------------------------------------------------------------------
  // The server's current state (signature checked when a public key is configured).
  Result<schema::ImmutableState> CurrentState();
  // The locally trusted state of the current database, if any.
  Result<std::optional<schema::ImmutableState>> LocalState();
  // Verifies the server's current state against the trusted one with a dual proof (as the
  // auditor does) and stores it. Returns the new trusted state.
  Result<schema::ImmutableState> CheckConsistency();
  Result<schema::HealthResponse> Health();
  Result<schema::ServerInfoResponse> ServerInfo();
  Result<schema::DatabaseHealthResponse> DatabaseHealth();

  // --- databases --------------------------------------------------------------------------
  Result<schema::CreateDatabaseResponse> CreateDatabase(const std::string& name,
                                                        const schema::DatabaseNullableSettings& s,
                                                        bool if_not_exists = false);
  Result<schema::UpdateDatabaseResponse> UpdateDatabase(const std::string& name,
                                                        const schema::DatabaseNullableSettings& s);
  Result<schema::DatabaseSettingsResponse> GetDatabaseSettings();
  Result<schema::DatabaseListResponseV2> DatabaseList();
  // Switches the current database (session: server side; token: replaces the token).
  Status UseDatabase(const std::string& name);
  Status LoadDatabase(const std::string& name);
  Status UnloadDatabase(const std::string& name);
  Status DeleteDatabase(const std::string& name);
  Status FlushIndex(float cleanup_percentage, bool synced);
  Status CompactIndex();

  // --- users ------------------------------------------------------------------------------
  Result<schema::UserList> ListUsers();
  Status CreateUser(const std::string& user, const std::string& password, uint32_t permission,
                    const std::string& database);
  Status ChangePassword(const std::string& user, const std::string& old_password,
                        const std::string& new_password);
  // action: schema::GRANT or schema::REVOKE.
  Status ChangePermission(schema::PermissionAction action, const std::string& user,
                          const std::string& database, uint32_t permission);
  Status SetActiveUser(const std::string& user, bool active);

 private:
  explicit ImmuClient(ClientOptions options);

  // Runs one unary RPC with the auth metadata, the deadline and the UUID capture; re-opens
  // an expired session and retries once.
  Status Call(const std::function<grpc::Status(grpc::ClientContext*)>& rpc);
  struct AsyncSet;
  struct AsyncVerifiedSet;
  // Sends an asynchronous call (`send` issues it on call->ctx with `done`) with the auth
  // metadata and deadline; when the server dropped the session it is re-opened and the call
  // sent again, once. Then `finish` gets the call's status on a gRPC thread (after the
  // answer's server UUID was noted, when OK).
  template <typename PendingCall>
  void SendWithSessionRetry(
      std::shared_ptr<PendingCall> call,
      std::function<void(PendingCall*, std::function<void(grpc::Status)>)> send,
      std::function<void(Status)> finish);
  Result<schema::TxHeader> FinishVerifiedSet(const AsyncVerifiedSet& call);
  // Keeps the server UUID an answer's initial metadata carries.
  void NoteServerUuid(const grpc::ClientContext& ctx);
  // Adds the deadline and auth metadata; returns the session id it used (empty if none).
  std::string PrepareContext(grpc::ClientContext* ctx) const;
  // Opens a new session unless another thread already replaced failed_session_id.
  Status ReopenSession(const std::string& failed_session_id);
  // Pins the server UUID to address:port in <state_dir>/.identity-<id> (first use; in
  // memory with state_in_memory) and refuses a different UUID later.
  Status CheckIdentity();
  void StartKeepAlive();
  void StopKeepAlive();

  // Runs a verified operation: locks the state file, loads (or fetches, trust on first use)
  // the trusted state, runs verify(local) -> new state + signature, checks the signature,
  // stores the new state.
  using VerifyFn = std::function<Result<ledger::State>(const ledger::State& local,
                                                       schema::Signature* sig)>;
  Status RunVerified(const VerifyFn& verify);
  Result<ledger::State> TrustedState();
  Result<schema::Tx> VerifiedTxById(uint64_t tx, const schema::EntriesSpec* spec);
  Status CheckSignature(const ledger::State& state, const schema::Signature* sig) const;
  Status StoreState(const ledger::State& state, const schema::Signature* sig);

  ClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<schema::ImmuService::Stub> stub_;
  std::optional<crypto::EcdsaPublicKey> server_key_;
  StateStore state_store_;

  mutable std::mutex mu_;  // guards the fields below
  std::string session_id_;
  std::string token_;
  std::string database_ = "defaultdb";
  std::string server_uuid_;
  std::string identity_checked_;  // server uuid whose identity pin was already checked
  std::string user_, password_;  // kept to re-open an expired session
  std::mutex reopen_mu_;           // one re-open at a time

  std::mutex keepalive_mu_;
  std::condition_variable keepalive_cv_;
  bool keepalive_stop_ = false;
  std::thread keepalive_;
};

// Maps a gRPC status onto ours (message kept).
Status FromGrpc(const grpc::Status& st);

}  // namespace immudb::client

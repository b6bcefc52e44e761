// immubench's operations against an immudb server, each worker with its own ImmuClient
// (own gRPC connection, own session, own trusted-state folder):
//   set            Set of `batch` new keys in one transaction
//   verifiableset  VerifiedSet of one new key (proofs checked client-side, the trusted state
//                  kept in a file or, with --client-state memory, in memory)
//   get            Get of a random prefilled key
//   verifiableget  VerifiedGet of a random prefilled key
//   scan           Scan of `batch` keys from a random prefilled key
//   history        History (first `batch` versions) of a random multi-version key
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "client/immu_client.h"
#include "load_runner.h"

namespace immudb::bench {

const std::vector<std::string>& ImmuOps();

struct ImmuTarget {
  client::ClientOptions options;  // address, port, TLS
  std::string user = "immudb";
  std::string password = "immudb";
  std::string database = "defaultdb";
  std::string state_root;  // worker i keeps its trusted state in <state_root>/w<i>
};

struct ImmuData {
  int key_size = 32;
  int value_size = 128;
  std::vector<std::string> read_keys;     // prefilled single-version keys
  std::vector<std::string> history_keys;  // prefilled keys with many versions
  // set/verifiableset cells through ImmuClient::SetAsync/VerifiedSetAsync (false:
  // --sync-clients)
  bool async_set = true;
};

// The connected clients, one per worker index, kept across cells: opening a session costs a
// password check (PBKDF2) on the server, which would otherwise dominate short cells.
class ImmuClientPool {
 public:
  explicit ImmuClientPool(const ImmuTarget& target) : target_(target) {}
  // Connects clients 0..n-1 that are not connected yet, `parallel` at a time.
  Status Ensure(int n, int parallel);
  // Client `index` (Ensure()d before).
  client::ImmuClient* at(int index) { return clients_.at(index).get(); }

 private:
  const ImmuTarget& target_;
  std::vector<std::unique_ptr<client::ImmuClient>> clients_;
};

// The worker of client `index` for cell number `cell`, over the pool's client `index`.
Result<std::unique_ptr<Worker>> MakeImmuWorker(const std::string& op, int index, int batch,
                                               uint64_t cell, const ImmuTarget& target,
                                               ImmuClientPool& pool, const ImmuData& data);

// Writes `keys` single-version keys (1000 per tx) and `history_keys` keys with `versions`
// versions each, recording them in data. Needed before read operations.
Status PrefillImmu(const ImmuTarget& target, int keys, int history_keys, int versions,
                   ImmuData* data);

// Grows the database by `txs` single-entry transactions (Set) from `clients` pool clients,
// printing progress to stderr. Used to measure at a given database size.
Status PreloadImmu(ImmuClientPool& pool, uint64_t txs, int clients, const ImmuData& data);

// A client connected and logged in as the target's user (used for health and prefill).
Result<std::unique_ptr<client::ImmuClient>> ConnectImmu(const ImmuTarget& target, int index);

}  // namespace immudb::bench

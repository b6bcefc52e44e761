// Fuzzes the client's verification of what a (possibly hostile) server answers to verifiable
// calls: VerifyEntryResponse (VerifiableGet), VerifyWriteResponse (VerifiableSet / reference /
// ZAdd) and VerifyTxResponse (VerifiableTxById), each fed a fuzzed protobuf message after
// the wire parse, against a fuzzed trusted state. Property: no crash, no sanitizer report, no
// hang; an accepted answer never moves the trusted state backwards and names the database.
//
// Input (FuzzedDataProvider): mode, local tx id (small), local Alh, requested key, tx/atTx,
// then the remaining bytes are the serialized response message.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>
#include <vector>

#include "client/verification.h"
#include "ledger/tx.h"
#include "fuzz_init.h"
#include "schema.pb.h"

using namespace immudb;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  immudb::fuzz::InitCrypto();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider p(data, size);
  const uint8_t mode = p.ConsumeIntegral<uint8_t>() % 3;
  ledger::State local;
  local.db = "defaultdb";
  local.tx_id = p.ConsumeIntegral<uint8_t>();
  std::vector<uint8_t> h = p.ConsumeBytes<uint8_t>(32);
  std::copy(h.begin(), h.end(), local.tx_hash.begin());
  if (local.tx_id == 0) local.tx_hash = ledger::GenesisAlh();
  std::string key = p.ConsumeRandomLengthString(64);
  const uint64_t tx = p.ConsumeIntegral<uint8_t>();
  std::string msg = p.ConsumeRemainingBytesAsString();

  Result<ledger::State> r = InvalidArgument("not parsed");
  switch (mode) {
    case 0: {
      schema::VerifiableEntry resp;
      if (!resp.ParseFromString(msg)) return 0;
      Bytes k(key.begin(), key.end());
      r = client::VerifyEntryResponse(resp, k, tx, local, local.db);
      break;
    }
    case 1: {
      schema::VerifiableTx resp;
      if (!resp.ParseFromString(msg)) return 0;
      client::ExpectedEntry e;
      e.key = Bytes(key.begin(), key.end());
      e.value = Bytes(key.rbegin(), key.rend());
      e.metadata_from_tx = (tx & 1) != 0;
      r = client::VerifyWriteResponse(resp, e, local, local.db);
      break;
    }
    case 2: {
      schema::VerifiableTx resp;
      if (!resp.ParseFromString(msg)) return 0;
      r = client::VerifyTxResponse(resp, tx, local, local.db);
      break;
    }
  }
  if (r.ok()) {
    FUZZ_CHECK(r->tx_id >= local.tx_id, "accepted answer moves the trusted state backwards");
    FUZZ_CHECK(r->db == local.db, "accepted state names another database");
  }
  return 0;
}

// Fuzzes the ledger's parsers of untrusted encodings: KvMetadata::Parse, TxMetadata::Parse
// (entry and tx metadata arrive from clients, replicas and the store's files) and
// TxHeader::Parse (immudb's exported header bytes). Property: no crash or sanitizer report,
// and every accepted input re-encodes to the same bytes (the parsers are canonical, so one
// header or entry has exactly one encoding and hence one hash).
//
// Input: byte 0 selects the parser (low 2 bits), the rest is the encoding.
#include <cstdint>
#include <cstring>

#include "fuzz_init.h"
#include "ledger/metadata.h"
#include "ledger/tx.h"

using namespace immudb;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  immudb::fuzz::InitCrypto();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  ByteView in(data + 1, size - 1);
  auto same = [&in](ByteView out) {
    return out.size() == in.size() && (in.empty() || std::memcmp(out.data(), in.data(), in.size()) == 0);
  };
  switch (data[0] & 3) {
    case 0: {
      auto md = ledger::KvMetadata::Parse(in);
      if (!md.ok()) return 0;
      FUZZ_CHECK(in.size() <= ledger::KvMetadata::kMaxEncodedLen, "kv metadata too long");
      FUZZ_CHECK(same(md->Encode()), "kv metadata does not re-encode to its input");
      FUZZ_CHECK(md->IsEmpty() == in.empty(), "kv metadata emptiness");
      break;
    }
    case 1: {
      auto md = ledger::TxMetadata::Parse(in);
      if (!md.ok()) return 0;
      auto enc = md->Encode();
      FUZZ_CHECK(enc.ok(), "accepted tx metadata does not encode");
      FUZZ_CHECK(same(*enc), "tx metadata does not re-encode to its input");
      break;
    }
    default: {
      auto h = ledger::TxHeader::Parse(in);
      if (!h.ok()) return 0;
      auto enc = h->Serialize();
      FUZZ_CHECK(enc.ok(), "accepted tx header does not serialize");
      FUZZ_CHECK(same(*enc), "tx header does not re-serialize to its input");
      FUZZ_CHECK(h->Validate().ok(), "accepted tx header fails Validate");
      auto alh = h->Alh();
      FUZZ_CHECK(alh.ok(), "accepted tx header has no Alh");
      break;
    }
  }
  return 0;
}

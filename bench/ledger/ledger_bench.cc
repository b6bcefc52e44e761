// Speed of the ledger layer: entry digests + htree per tx, Alh chaining, ahtree appends, and
// proof generation / verification on a 1M-leaf tree. After the benchmarks it compares the
// Eh computation of a 1024-entry tx with the bare SHA-256 cost of the same hashes.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "crypto/module.h"
#include "crypto/sha256.h"
#include "ledger/ahtree.h"
#include "ledger/dual_proof.h"
#include "ledger/htree.h"
#include "ledger/tx.h"

namespace immudb::ledger {
namespace {

using crypto::Digest;

Digest HashU64(uint64_t n) {
  uint8_t b[8];
  PutU64(b, n);
  return crypto::Sha256(ByteView(b, 8));
}

// Entries shaped like Set requests: 0x00 || "key-%08d" (13 bytes), value hash given.
std::vector<TxEntry> MakeEntries(size_t n) {
  std::vector<TxEntry> entries(n);
  for (size_t i = 0; i < n; ++i) {
    char key[32];
    int len = std::snprintf(key, sizeof key, "key-%08zu", i);
    entries[i].key = Bytes{0x00};
    Append(entries[i].key, AsBytes(std::string_view(key, size_t(len))));
    entries[i].value_hash = HashU64(i);
    entries[i].value_len = 100;
  }
  return entries;
}

void BM_EntryDigestsAndHTree(benchmark::State& state) {
  const std::vector<TxEntry> entries = MakeEntries(size_t(state.range(0)));
  for (auto _ : state) {
    Result<Digest> eh = ComputeEh(kTxHeaderVersion1, entries);
    benchmark::DoNotOptimize(eh);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * state.range(0));
  state.SetLabel("entries/s = items_per_second");
}
BENCHMARK(BM_EntryDigestsAndHTree)->Arg(1)->Arg(16)->Arg(1024);

void BM_HTreeBuildWithProofs(benchmark::State& state) {
  const std::vector<TxEntry> entries = MakeEntries(size_t(state.range(0)));
  const std::vector<Digest> digests = EntryDigests(kTxHeaderVersion1, entries).value();
  for (auto _ : state) {
    HTree tree = HTree::Build(digests);
    benchmark::DoNotOptimize(tree.Proof(0));
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_HTreeBuildWithProofs)->Arg(16)->Arg(1024);

void BM_AlhChaining(benchmark::State& state) {
  TxHeader h;
  h.version = kTxHeaderVersion1;
  h.n_entries = 1;
  h.prev_alh = GenesisAlh();
  h.eh = HashU64(7);
  uint64_t id = 0;
  for (auto _ : state) {
    h.id = ++id;
    h.bl_tx_id = id - 1;
    Result<Digest> alh = h.Alh();
    h.prev_alh = *alh;
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_AlhChaining);

void BM_AhtreeAppend(benchmark::State& state) {
  auto tree = std::make_unique<ahtree::MemoryTree>();
  uint64_t n = 0;
  const Digest alh = HashU64(1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(tree->Append(alh));
    if (++n == (1u << 22)) {  // bound memory
      state.PauseTiming();
      tree = std::make_unique<ahtree::MemoryTree>();
      n = 0;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_AhtreeAppend);

// A 1M-tx chain kept as Alh and inner-hash arrays, its ahtree, and headers rebuilt on demand.
class BigChain final : public TxChainSource {
 public:
  static constexpr uint64_t kSize = 1u << 20;

  static const BigChain& Get() {
    static const BigChain* chain = new BigChain();
    return *chain;
  }

  Result<Digest> Alh(uint64_t tx) const override { return alh_[tx - 1]; }
  Result<Digest> InnerHash(uint64_t tx) const override { return inner_[tx - 1]; }
  const ahtree::MemoryTree& tree() const { return tree_; }

  TxHeader Header(uint64_t id) const {
    TxHeader h;
    h.id = id;
    h.ts = int64_t(1700000000 + id);
    h.version = kTxHeaderVersion1;
    h.n_entries = 1;
    h.eh = HashU64(id);
    h.prev_alh = id == 1 ? GenesisAlh() : alh_[id - 2];
    h.bl_tx_id = id - 1;
    if (id > 1) h.bl_root = ahtree::Root(tree_, id - 1).value();
    return h;
  }

 private:
  BigChain() {
    alh_.reserve(kSize);
    inner_.reserve(kSize);
    const auto start = std::chrono::steady_clock::now();
    for (uint64_t id = 1; id <= kSize; ++id) {
      TxHeader h = Header(id);
      inner_.push_back(h.InnerHash().value());
      alh_.push_back(ChainAlh(id, h.prev_alh, inner_.back()));
      (void)tree_.Append(alh_.back());
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "built a %llu-tx chain (header, Alh, BlRoot, ahtree append) in %.2f s: %.0f tx/s\n",
                 (unsigned long long)kSize, s, double(kSize) / s);
  }

  std::vector<Digest> alh_;
  std::vector<Digest> inner_;
  ahtree::MemoryTree tree_;
};

// Deterministic pseudo-random pairs i <= j in [1, n].
std::pair<uint64_t, uint64_t> Pair(uint64_t k, uint64_t n) {
  uint64_t a = 1 + (k * 0x9e3779b97f4a7c15ull) % n;
  uint64_t b = 1 + (k * 0xc2b2ae3d27d4eb4full + 12345) % n;
  return a <= b ? std::make_pair(a, b) : std::make_pair(b, a);
}

void BM_AhtreeRoot1M(benchmark::State& state) {
  const auto& tree = BigChain::Get().tree();
  uint64_t k = 0;
  for (auto _ : state) benchmark::DoNotOptimize(ahtree::Root(tree, Pair(++k, tree.Size()).second));
  state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_AhtreeRoot1M);

void BM_AhtreeInclusionProof1M(benchmark::State& state) {
  const auto& tree = BigChain::Get().tree();
  uint64_t k = 0;
  for (auto _ : state) {
    auto [i, j] = Pair(++k, tree.Size());
    benchmark::DoNotOptimize(ahtree::InclusionProof(tree, i, j));
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_AhtreeInclusionProof1M);

void BM_AhtreeConsistencyProof1M(benchmark::State& state) {
  const auto& tree = BigChain::Get().tree();
  uint64_t k = 0;
  for (auto _ : state) {
    auto [i, j] = Pair(++k, tree.Size());
    benchmark::DoNotOptimize(ahtree::ConsistencyProof(tree, i, j));
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_AhtreeConsistencyProof1M);

struct PreparedProofs {
  std::vector<std::pair<uint64_t, uint64_t>> pairs;
  std::vector<std::vector<Digest>> incl, cons;
  std::vector<Digest> leaf, root_i, root_j;
};

const PreparedProofs& Prepared() {
  static const PreparedProofs* p = [] {
    auto* out = new PreparedProofs();
    const auto& tree = BigChain::Get().tree();
    for (uint64_t k = 1; k <= 256; ++k) {
      auto [i, j] = Pair(k, tree.Size());
      out->pairs.push_back({i, j});
      out->incl.push_back(ahtree::InclusionProof(tree, i, j).value());
      out->cons.push_back(ahtree::ConsistencyProof(tree, i, j).value());
      out->leaf.push_back(LeafHash(BigChain::Get().Alh(i).value()));
      out->root_i.push_back(ahtree::Root(tree, i).value());
      out->root_j.push_back(ahtree::Root(tree, j).value());
    }
    return out;
  }();
  return *p;
}

void BM_AhtreeVerifyInclusion1M(benchmark::State& state) {
  const PreparedProofs& p = Prepared();
  size_t k = 0;
  for (auto _ : state) {
    const size_t x = k++ % p.pairs.size();
    if (!ahtree::VerifyInclusion(p.incl[x], p.pairs[x].first, p.pairs[x].second, p.leaf[x],
                                 p.root_j[x])) {
      state.SkipWithError("inclusion proof did not verify");
      break;
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_AhtreeVerifyInclusion1M);

void BM_AhtreeVerifyConsistency1M(benchmark::State& state) {
  const PreparedProofs& p = Prepared();
  size_t k = 0;
  for (auto _ : state) {
    const size_t x = k++ % p.pairs.size();
    if (!ahtree::VerifyConsistency(p.cons[x], p.pairs[x].first, p.pairs[x].second, p.root_i[x],
                                   p.root_j[x])) {
      state.SkipWithError("consistency proof did not verify");
      break;
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_AhtreeVerifyConsistency1M);

void BM_DualProofBuild1M(benchmark::State& state) {
  const BigChain& chain = BigChain::Get();
  std::vector<std::pair<TxHeader, TxHeader>> headers;
  for (uint64_t k = 1; k <= 64; ++k) {
    auto [s, t] = Pair(k, BigChain::kSize);
    headers.push_back({chain.Header(s), chain.Header(t)});
  }
  size_t k = 0;
  for (auto _ : state) {
    const auto& [s, t] = headers[k++ % headers.size()];
    benchmark::DoNotOptimize(BuildDualProof(s, t, chain, chain.tree()));
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_DualProofBuild1M);

void BM_DualProofVerify1M(benchmark::State& state) {
  const BigChain& chain = BigChain::Get();
  std::vector<DualProof> proofs;
  for (uint64_t k = 1; k <= 64; ++k) {
    auto [s, t] = Pair(k, BigChain::kSize);
    proofs.push_back(BuildDualProof(chain.Header(s), chain.Header(t), chain, chain.tree()).value());
  }
  size_t k = 0;
  for (auto _ : state) {
    const DualProof& p = proofs[k++ % proofs.size()];
    const uint64_t s = p.source_tx_header.id, t = p.target_tx_header.id;
    if (!VerifyDualProof(p, s, t, chain.Alh(s).value(), chain.Alh(t).value()).ok()) {
      state.SkipWithError("dual proof did not verify");
      break;
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_DualProofVerify1M);

// Eh of one 1024-entry tx against the bare SHA-256 cost of the same number and sizes of
// hashes (1024 entry digests, 1024 leaf hashes, 1023 node hashes), each over a ready buffer.
void CompareWithBareSha256() {
  constexpr size_t kN = 1024;
  const std::vector<TxEntry> entries = MakeEntries(kN);
  std::vector<Bytes> inputs;
  for (const TxEntry& e : entries) inputs.push_back(Bytes(2 + 2 + e.key.size() + 32, 0x5a));
  for (size_t i = 0; i < kN; ++i) inputs.push_back(Bytes(33, 0x5b));
  for (size_t i = 0; i + 1 < kN; ++i) inputs.push_back(Bytes(65, 0x5c));
  constexpr int kRounds = 400;
  auto time = [&](auto&& fn) {
    double best = 1e30;
    for (int rep = 0; rep < 5; ++rep) {
      const auto start = std::chrono::steady_clock::now();
      for (int r = 0; r < kRounds; ++r) fn();
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      best = std::min(best, s / kRounds);
    }
    return best;
  };
  Digest sink{};
  const double ledger = time([&] { sink[0] ^= ComputeEh(kTxHeaderVersion1, entries).value()[0]; });
  const double bare = time([&] {
    for (const Bytes& in : inputs) sink[1] ^= crypto::Sha256(in)[0];
  });
  std::printf("\n1024-entry tx: entry digests + htree %.1f us (%.0f entries/s); bare SHA-256 of the "
              "same %zu hashes %.1f us; ratio %.2fx (target <= 1.5x)\n",
              ledger * 1e6, kN / ledger, inputs.size(), bare * 1e6, ledger / bare);
  benchmark::DoNotOptimize(sink);
}

}  // namespace
}  // namespace immudb::ledger

int main(int argc, char** argv) {
  immudb::crypto::ModuleOptions opts;
  opts.mode = immudb::crypto::DefaultFipsMode();
  if (const char* env = std::getenv("IMMUDB_BENCH_FIPS_MODE"); env != nullptr && *env != '\0') {
    auto mode = immudb::crypto::ParseFipsMode(env);
    if (!mode.ok()) {
      std::fprintf(stderr, "%s\n", mode.status().ToString().c_str());
      return 2;
    }
    opts.mode = *mode;
  }
  if (immudb::Status st = immudb::crypto::InitCryptoModule(opts); !st.ok()) {
    std::fprintf(stderr, "crypto module: %s\n", st.ToString().c_str());
    return 2;
  }
  std::printf("crypto module: %s\n",
              immudb::crypto::DescribeModule(immudb::crypto::CurrentModule()).c_str());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  immudb::ledger::CompareWithBareSha256();
  return 0;
}

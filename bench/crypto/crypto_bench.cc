// SHA-256, HMAC-SHA-256 and ECDSA P-256 through OpenSSL's default provider and through the
// FIPS provider in one run (two library contexts, crypto/provider_context.h), then the
// FIPS/default throughput ratio per operation. Target: >= 0.97 for hashing.
//
//   crypto_bench [--fips-module-dir=DIR] [google benchmark flags]
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crypto/ecdsa.h"
#include "crypto/hmac.h"
#include "crypto/module.h"
#include "crypto/provider_context.h"
#include "crypto/sha256.h"

namespace immudb::crypto {
namespace {

struct Flavour {
  const char* name;  // "default" or "fips"
  const ProviderContext* ctx;
};

Bytes Payload(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t(i * 131 + 7);
  return b;
}

// Registers every operation, each once per flavour back to back, so the default and the
// FIPS run of one operation see the same machine conditions.
void Register(const std::vector<Flavour>& flavours) {
  for (size_t size : {64, 1024, 4096})
    for (const Flavour& f : flavours) {
    std::string name = "sha256/" + std::to_string(size) + "B/" + f.name;
    benchmark::RegisterBenchmark(name.c_str(), [f, size](benchmark::State& state) {
      Bytes data = Payload(size);
      for (auto _ : state) benchmark::DoNotOptimize(Sha256(*f.ctx, data));
      state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(size));
    });
    }
  for (size_t size : {64, 1024})
    for (const Flavour& f : flavours) {
    std::string name = "hmac_sha256/" + std::to_string(size) + "B/" + f.name;
    benchmark::RegisterBenchmark(name.c_str(), [f, size](benchmark::State& state) {
      Bytes key = Payload(32), data = Payload(size);
      for (auto _ : state) benchmark::DoNotOptimize(HmacSha256(*f.ctx, key, data));
      state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(size));
    });
    }
  for (const Flavour& f : flavours)
  benchmark::RegisterBenchmark((std::string("ecdsa_p256_sign/") + f.name).c_str(),
                               [f](benchmark::State& state) {
                                 auto key = EcdsaPrivateKey::Generate(f.ctx);
                                 if (!key.ok()) return state.SkipWithError("keygen failed");
                                 Bytes msg = Payload(76);  // a signed state's size
                                 for (auto _ : state) benchmark::DoNotOptimize(key->Sign(msg));
                               });
  for (const Flavour& f : flavours)
  benchmark::RegisterBenchmark((std::string("ecdsa_p256_verify/") + f.name).c_str(),
                               [f](benchmark::State& state) {
                                 auto key = EcdsaPrivateKey::Generate(f.ctx);
                                 if (!key.ok()) return state.SkipWithError("keygen failed");
                                 Bytes msg = Payload(76);
                                 Bytes sig = *key->Sign(msg);
                                 EcdsaPublicKey pub = key->PublicKey();
                                 for (auto _ : state)
                                   benchmark::DoNotOptimize(pub.Verify(msg, sig));
                               });
}

// Prints every run as the console reporter does and keeps each benchmark's time per
// iteration (the median when repetitions are requested) for the ratio table.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  RatioReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      const bool aggregate = r.run_type == Run::RT_Aggregate;
      if (aggregate && r.aggregate_name != "median") continue;
      const std::string name = r.run_name.function_name;
      if (aggregate) medians_[name] = r.GetAdjustedCPUTime();
      else singles_[name].push_back(r.GetAdjustedCPUTime());
    }
  }

  void PrintRatios() const {
    std::map<std::string, std::pair<double, double>> ops;  // op -> (default, fips) time
    for (const auto& [name, t] : Times()) {
      size_t slash = name.rfind('/');
      std::string op = name.substr(0, slash), flavour = name.substr(slash + 1);
      (flavour == "fips" ? ops[op].second : ops[op].first) = t;
    }
    std::printf("\nFIPS/default throughput ratio (default time / FIPS time; target >= 0.97 "
                "for hashing)\n");
    for (const auto& [op, t] : ops) {
      if (t.first <= 0 || t.second <= 0) continue;
      std::printf("  %-28s %6.3f\n", op.c_str(), t.first / t.second);
    }
  }

 private:
  std::map<std::string, double> Times() const {
    std::map<std::string, double> out;
    for (const auto& [name, v] : singles_) {
      double sum = 0;
      for (double x : v) sum += x;
      out[name] = sum / double(v.size());
    }
    for (const auto& [name, t] : medians_) out[name] = t;
    return out;
  }
  std::map<std::string, double> medians_;
  std::map<std::string, std::vector<double>> singles_;
};

}  // namespace
}  // namespace immudb::crypto

int main(int argc, char** argv) {
  using namespace immudb::crypto;
  std::string module_dir;
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--fips-module-dir=", 18) == 0) module_dir = argv[i] + 18;
    else rest.push_back(argv[i]);
  }
  int rest_argc = int(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());

  immudb::Status st = InitCryptoModule({DefaultFipsMode(), module_dir});
  if (!st.ok()) {
    std::fprintf(stderr, "crypto_bench: %s\n", st.ToString().c_str());
    return 1;
  }
  auto def = ProviderContext::Open({FipsMode::kOff, module_dir});
  auto fips = ProviderContext::Open({FipsMode::kOn, module_dir});
  if (!def.ok() || !fips.ok()) {
    std::fprintf(stderr, "crypto_bench: %s\n",
                 (!def.ok() ? def.status() : fips.status()).ToString().c_str());
    return 1;
  }
  std::printf("default: %s %s\nfips:    %s %s\n", (*def)->provider_name().c_str(),
              (*def)->provider_version().c_str(), (*fips)->provider_name().c_str(),
              (*fips)->provider_version().c_str());
  Register({{"default", def->get()}, {"fips", fips->get()}});
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios();
  benchmark::Shutdown();
  return 0;
}

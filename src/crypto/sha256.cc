#include "crypto/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

#include "crypto/provider_state.h"

namespace immudb::crypto {
namespace {

[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "crypto: fatal: %s\n", what);
  std::abort();
}

// One context per thread, re-initialised with the pre-fetched MD for every digest.
struct ThreadCtx {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~ThreadCtx() { EVP_MD_CTX_free(ctx); }
};

EVP_MD_CTX* LocalCtx() {
  thread_local ThreadCtx t;
  if (t.ctx == nullptr) Fatal("EVP_MD_CTX_new failed");
  return t.ctx;
}

inline void Begin(EVP_MD_CTX* ctx, const EVP_MD* md) {
  if (EVP_DigestInit_ex2(ctx, md, nullptr) != 1) Fatal("SHA-256 init failed");
}
inline void Feed(EVP_MD_CTX* ctx, ByteView d) {
  if (!d.empty() && EVP_DigestUpdate(ctx, d.data(), d.size()) != 1) Fatal("SHA-256 update failed");
}
inline Digest Finish(EVP_MD_CTX* ctx) {
  Digest out;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != kDigestSize)
    Fatal("SHA-256 final failed");
  return out;
}

inline const EVP_MD* ProcessMd() { return internal::Process().sha256; }

}  // namespace

Digest Sha256(ByteView data) {
  EVP_MD_CTX* ctx = LocalCtx();
  Begin(ctx, ProcessMd());
  Feed(ctx, data);
  return Finish(ctx);
}

Digest Sha256(const ProviderContext& pc, ByteView data) {
  EVP_MD_CTX* ctx = LocalCtx();
  Begin(ctx, pc.impl().sha256);
  Feed(ctx, data);
  return Finish(ctx);
}

Digest Sha256(std::initializer_list<ByteView> parts) {
  EVP_MD_CTX* ctx = LocalCtx();
  Begin(ctx, ProcessMd());
  for (ByteView p : parts) Feed(ctx, p);
  return Finish(ctx);
}

void Sha256Many(std::span<const ByteView> inputs, Digest* out) {
  EVP_MD_CTX* ctx = LocalCtx();
  const EVP_MD* md = ProcessMd();
  for (size_t i = 0; i < inputs.size(); ++i) {
    Begin(ctx, md);
    Feed(ctx, inputs[i]);
    out[i] = Finish(ctx);
  }
}

struct Sha256Hasher::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* md = nullptr;
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256Hasher::Sha256Hasher(const ProviderContext* pc) : impl_(std::make_unique<Impl>()) {
  if (impl_->ctx == nullptr) Fatal("EVP_MD_CTX_new failed");
  impl_->md = pc != nullptr ? pc->impl().sha256 : ProcessMd();
  Begin(impl_->ctx, impl_->md);
}
Sha256Hasher::~Sha256Hasher() = default;

void Sha256Hasher::Update(ByteView data) { Feed(impl_->ctx, data); }

Digest Sha256Hasher::Final() {
  Digest d = Finish(impl_->ctx);
  Begin(impl_->ctx, impl_->md);
  return d;
}

const Digest& EmptyDigest() {
  static const Digest kEmpty = Sha256(ByteView{});
  return kEmpty;
}

}  // namespace immudb::crypto

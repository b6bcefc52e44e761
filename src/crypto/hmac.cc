#include "crypto/hmac.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>

#include "crypto/provider_state.h"

namespace immudb::crypto {
namespace {

[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "crypto: fatal: %s: %s\n", what, internal::OpenSslErrors().c_str());
  std::abort();
}

// A MAC context bound to SHA-256 once; each message then only sets the key (no digest
// look-up by name per call).
EVP_MAC_CTX* NewHmacCtx(const ProviderContext::Impl& pc) {
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(pc.hmac);
  if (ctx == nullptr) Fatal("EVP_MAC_CTX_new failed");
  char digest[] = "SHA2-256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (EVP_MAC_CTX_set_params(ctx, params) != 1) Fatal("HMAC: setting SHA-256 failed");
  return ctx;
}

// One MAC context per thread and provider context; rebuilt when the provider changes.
struct ThreadMac {
  uint64_t owner = 0;
  EVP_MAC_CTX* ctx = nullptr;
  ~ThreadMac() { EVP_MAC_CTX_free(ctx); }
};

EVP_MAC_CTX* LocalCtx(const ProviderContext::Impl& pc) {
  thread_local ThreadMac t;
  if (t.owner != pc.serial || t.ctx == nullptr) {
    EVP_MAC_CTX_free(t.ctx);
    t.ctx = NewHmacCtx(pc);
    t.owner = pc.serial;
  }
  return t.ctx;
}

void Init(EVP_MAC_CTX* ctx, ByteView key) {
  // HMAC needs a non-null key pointer even for an empty key.
  static const uint8_t kEmpty = 0;
  if (EVP_MAC_init(ctx, key.empty() ? &kEmpty : key.data(), key.size(), nullptr) != 1)
    Fatal("HMAC init failed");
}
void Feed(EVP_MAC_CTX* ctx, ByteView data) {
  if (!data.empty() && EVP_MAC_update(ctx, data.data(), data.size()) != 1)
    Fatal("HMAC update failed");
}
Digest Finish(EVP_MAC_CTX* ctx) {
  Digest out;
  size_t len = 0;
  if (EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1 || len != out.size())
    Fatal("HMAC final failed");
  return out;
}

Digest OneShot(const ProviderContext::Impl& pc, ByteView key, ByteView data) {
  EVP_MAC_CTX* ctx = LocalCtx(pc);
  Init(ctx, key);
  Feed(ctx, data);
  return Finish(ctx);
}

}  // namespace

Digest HmacSha256(ByteView key, ByteView data) { return OneShot(internal::Process(), key, data); }

Digest HmacSha256(const ProviderContext& pc, ByteView key, ByteView data) {
  return OneShot(pc.impl(), key, data);
}

struct HmacSha256Hasher::Impl {
  EVP_MAC_CTX* ctx = nullptr;
  ~Impl() { EVP_MAC_CTX_free(ctx); }
};

HmacSha256Hasher::HmacSha256Hasher(ByteView key, const ProviderContext* pc)
    : impl_(std::make_unique<Impl>()) {
  impl_->ctx = NewHmacCtx(pc != nullptr ? pc->impl() : internal::Process());
  Init(impl_->ctx, key);
}

HmacSha256Hasher::~HmacSha256Hasher() = default;

void HmacSha256Hasher::Update(ByteView data) { Feed(impl_->ctx, data); }

Digest HmacSha256Hasher::Final() {
  Digest d = Finish(impl_->ctx);
  // Re-initialising with a null key restarts with the key already set.
  if (EVP_MAC_init(impl_->ctx, nullptr, 0, nullptr) != 1) Fatal("HMAC re-init failed");
  return d;
}

}  // namespace immudb::crypto

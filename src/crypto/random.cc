#include "crypto/random.h"

#include <openssl/rand.h>

#include <algorithm>

#include "crypto/provider_state.h"

namespace immudb::crypto {

Status FillRandom(std::span<uint8_t> out) {
  const ProviderContext::Impl& pc = internal::Process();
  size_t done = 0;
  while (done < out.size()) {
    const size_t chunk = std::min<size_t>(out.size() - done, 1 << 20);
    if (RAND_bytes_ex(pc.libctx, out.data() + done, chunk, 256) != 1)
      return CryptoError("the DRBG failed: " + internal::OpenSslErrors());
    done += chunk;
  }
  return Status::Ok();
}

Result<Bytes> RandomBytes(size_t n) {
  Bytes out(n);
  IMMUDB_RETURN_IF_ERROR(FillRandom(out));
  return out;
}

Result<std::string> RandomHex(size_t n) {
  IMMUDB_ASSIGN_OR_RETURN(Bytes b, RandomBytes(n));
  return HexEncode(b);
}

}  // namespace immudb::crypto

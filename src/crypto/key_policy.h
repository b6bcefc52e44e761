// Which asymmetric keys the running mode accepts. In FIPS modes (on, strict): RSA keys of
// at least 2048 bits and EC keys on a NIST prime curve (P-256, P-384, P-521); Ed25519,
// Ed448, X25519, X448, DSA, non-NIST curves (secp256k1, brainpool, ...) are refused, even
// where the 3.0 FIPS provider itself would accept them. In off mode any key OpenSSL parses.
#pragma once

#include <string_view>

#include "base/status.h"

namespace immudb::crypto {

// Checks the first key or certificate in pem ("PRIVATE KEY", "EC PRIVATE KEY",
// "RSA PRIVATE KEY", "PUBLIC KEY" or "CERTIFICATE") against the policy of the running mode.
// Ok, or CryptoError naming the key type and why it is refused; InvalidArgument when pem
// holds nothing parseable. For TLS certificates and keys and for signing keys.
Status CheckKeyPem(std::string_view pem);

}  // namespace immudb::crypto

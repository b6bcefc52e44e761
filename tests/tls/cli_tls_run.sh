#!/usr/bin/env bash
# Runs one of the CLI suites (tests/cli/cli_e2e_test.sh, tests/cli/audit_test.sh) with every
# server started over TLS in FIPS mode and every immuclient / immuadmin call connecting over
# TLS and verifying the server's certificate against a test CA.
#
# Usage: cli_tls_run.sh tls|mtls <openssl> <script> <script args...>
#   tls : server --certificate/--pkey (signed by a fresh test CA) --fips-mode on;
#         clients --tls --ca-cert <CA>.
#   mtls: as tls, and the server requires client certificates (--mtls --clientcas <CA>);
#         clients --mtls --certificate/--pkey (signed by the same CA) --clientcas <CA>.
# All keys are ECDSA P-256 and signatures ECDSA-SHA256 (approved in FIPS mode). The server
# certificate names IP 127.0.0.1 and DNS localhost, so the clients' default server name (the
# address they dial, 127.0.0.1) verifies. The suites read the extra words from
# IMMUDB_CLI_TEST_SERVER_ARGS / IMMUDB_CLI_TEST_CLIENT_ARGS.
set -eu
MODE=${1:?tls|mtls}
OPENSSL=${2:?openssl path}
SCRIPT=${3:?script}
shift 3
case "$MODE" in tls|mtls) ;; *) echo "unknown mode $MODE"; exit 2 ;; esac

CERTS=$(mktemp -d /tmp/immudb-cli-tls.XXXXXX)
trap 'rm -rf "$CERTS"' EXIT

# issue <name> <subject CN> <extensions>: key + certificate signed by the test CA.
issue() {
  "$OPENSSL" ecparam -name prime256v1 -genkey -noout -out "$CERTS/$1.key" 2> /dev/null
  "$OPENSSL" req -new -key "$CERTS/$1.key" -subj "/CN=$2" -out "$CERTS/$1.csr" 2> /dev/null
  printf '%s\n' "$3" > "$CERTS/$1.ext"
  "$OPENSSL" x509 -req -in "$CERTS/$1.csr" -CA "$CERTS/ca.pem" -CAkey "$CERTS/ca.key" \
    -CAcreateserial -days 2 -sha256 -extfile "$CERTS/$1.ext" -out "$CERTS/$1.pem" 2> /dev/null
}

"$OPENSSL" ecparam -name prime256v1 -genkey -noout -out "$CERTS/ca.key" 2> /dev/null
"$OPENSSL" req -x509 -new -key "$CERTS/ca.key" -subj "/CN=immudb test CA" -days 2 -sha256 \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out "$CERTS/ca.pem" 2> /dev/null
issue server immudb-server "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost"

SERVER_ARGS="--fips-mode on --certificate $CERTS/server.pem --pkey $CERTS/server.key"
CLIENT_ARGS="--tls --ca-cert $CERTS/ca.pem"
if [ "$MODE" = mtls ]; then
  issue client immudb-client "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
  SERVER_ARGS="$SERVER_ARGS --mtls --clientcas $CERTS/ca.pem"
  CLIENT_ARGS="--mtls --certificate $CERTS/client.pem --pkey $CERTS/client.key --clientcas $CERTS/ca.pem"
fi
for f in ca.pem server.pem server.key; do
  [ -s "$CERTS/$f" ] || { echo "FAIL: could not create $f with $OPENSSL"; exit 1; }
done
echo "TLS mode $MODE; server: $SERVER_ARGS; clients: $CLIENT_ARGS"

# Not exec: the trap must remove the certificates afterwards.
rc=0
IMMUDB_CLI_TEST_SERVER_ARGS="$SERVER_ARGS" IMMUDB_CLI_TEST_CLIENT_ARGS="$CLIENT_ARGS" \
  bash "$SCRIPT" "$@" || rc=$?
exit $rc

#!/usr/bin/env bash
# Installs everything, builds, and runs the server on its embedded default:
# data in ./data, gRPC on 127.0.0.1:3322. Extra arguments go to immudb.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build-fips-provider.sh
./scripts/build.sh standard
exec build/bin/immudb --dir ./data --address 127.0.0.1 --port 3322 "$@"

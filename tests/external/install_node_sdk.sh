#!/bin/sh
# Installs the pinned official immudb Node.js SDK (package.json + package-lock.json in
# tests/external/node) into a folder of the BUILD tree with `npm ci`. Idempotent: does nothing
# when the same package files were already installed there. Serialised with flock so parallel
# ctest runs do not install twice.
# Usage: install_node_sdk.sh <npm> <source package dir> <destination dir>
set -eu
NPM=$1
SRC=$2
DEST=$3
mkdir -p "$DEST"
exec 9>"$DEST/.install.lock"
flock -w 600 9
want=$(cat "$SRC/package.json" "$SRC/package-lock.json" | sha256sum | cut -d' ' -f1)
stamp="$DEST/.installed"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$DEST/node_modules/immudb-node/package.json" ]; then
  echo "immudb-node already installed in $DEST"
  exit 0
fi
rm -f "$stamp"
cp "$SRC/package.json" "$SRC/package-lock.json" "$DEST/"
cd "$DEST"
# npm ci installs exactly the versions of the committed lock file.
timeout 540 "$NPM" ci --no-audit --no-fund
version=$(node -p "require('./node_modules/immudb-node/package.json').version")
if [ "$version" != "1.1.1" ]; then
  echo "installed immudb-node version $version, expected 1.1.1" >&2
  exit 1
fi
echo "$want" > "$stamp"
echo "immudb-node $version installed in $DEST"

#!/usr/bin/env bash
# Builds the OpenSSL FIPS provider (fips.so + fipsmodule.cnf) from Debian's own openssl
# source package into a project-owned prefix. Skipped when a working module is present.
#
# The module built here is for development and CI. It is NOT a FIPS 140 validated module:
# production deployments point --fips-module-dir at an operator-supplied provider built per
# a validated Security Policy (see docs/fips.md).
set -euo pipefail

PREFIX="${IMMUDB_DEPS_PREFIX:-/opt/immudb-cpp}"
DEST="$PREFIX/fips"
WORK="$PREFIX/src"

module_ok() {
  [ -f "$DEST/fips.so" ] && [ -f "$DEST/fipsmodule.cnf" ] &&
    grep -q '^module *=' "$DEST/fipsmodule.cnf" &&
    # Re-run the self-tests and compare the module MAC with the installed config.
    local tmp; tmp=$(mktemp) &&
    openssl fipsinstall -module "$DEST/fips.so" -out "$tmp" -self_test_onload >/dev/null 2>&1 &&
    [ "$(grep '^module-mac' "$tmp")" = "$(grep '^module-mac' "$DEST/fipsmodule.cnf")" ] &&
    rm -f "$tmp"
}

if module_ok; then
  echo "build-fips-provider: present in $DEST"
  exit 0
fi

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

# A deb-src entry of our own, so `apt-get source` finds the openssl package that matches
# the installed libssl (bookworm-security carries the newer point releases).
SRC_LIST=/etc/apt/sources.list.d/immudb-cpp-src.sources
if [ ! -f "$SRC_LIST" ]; then
  $SUDO tee "$SRC_LIST" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  $SUDO apt-get update -qq
fi
command -v dpkg-source >/dev/null || { $SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dpkg-dev; }

$SUDO mkdir -p "$WORK" "$DEST"
$SUDO chown "$(id -u):$(id -g)" "$WORK" "$DEST"
cd "$WORK"
srcdir=$(find . -maxdepth 1 -type d -name 'openssl-3*' | sort | tail -n 1)
if [ -z "$srcdir" ]; then
  # Try the listed source versions newest first: a mirror may index a version whose files
  # it no longer serves.
  for v in $(apt-cache showsrc openssl | sed -n 's/^Version: //p' | sort -rV | uniq); do
    if apt-get source -qq "openssl=$v" 2>/dev/null; then break; fi
    rm -f openssl_*
  done
  srcdir=$(find . -maxdepth 1 -type d -name 'openssl-3*' | sort | tail -n 1)
  [ -n "$srcdir" ] || { echo "build-fips-provider: apt-get source openssl failed" >&2; exit 1; }
fi
cd "$srcdir"
if [ ! -f Makefile ]; then
  ./Configure enable-fips shared linux-x86_64 >/dev/null
fi
make -j"$(nproc)" build_generated >/dev/null
make -j"$(nproc)" providers/fips.so >/dev/null
cp providers/fips.so "$DEST/fips.so"
openssl fipsinstall -module "$DEST/fips.so" -out "$DEST/fipsmodule.cnf" -self_test_onload >/dev/null 2>&1
# Some fipsinstall versions omit the `module` line; without it the provider silently fails
# to load from a config file, so make sure it is there.
grep -q '^module *=' "$DEST/fipsmodule.cnf" ||
  sed -i "/^\[fips_sect\]/a module = $DEST/fips.so" "$DEST/fipsmodule.cnf"
module_ok || { echo "build-fips-provider: the built module does not verify" >&2; exit 1; }
echo "build-fips-provider: installed $DEST"

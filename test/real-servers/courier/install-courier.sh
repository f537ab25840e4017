#!/bin/sh
# Unpack Courier-IMAP beside Dovecot (the Debian packages conflict, so it is
# not installed: apt-get download + dpkg-deb -x into COURIER_ROOT) and create
# the `courier` system user its TLS helper drops privileges to.
# Usage: test/real-servers/courier/install-courier.sh [COURIER_ROOT]
set -eu
ROOT="${1:-${COURIER_ROOT:-/opt/wildtls/courier-imap}}"
PKGS="courier-imap courier-base courier-authlib libcourier-unicode4 libgamin0"
if [ -x "$ROOT/usr/bin/imapd" ] && [ -x "$ROOT/usr/sbin/couriertcpd" ]; then
  echo "courier-imap already unpacked in $ROOT"
else
  DL="$(mktemp -d)"
  (cd "$DL" && apt-get download $PKGS)
  mkdir -p "$ROOT"
  for deb in "$DL"/*.deb; do dpkg-deb -x "$deb" "$ROOT"; done
  rm -rf "$DL"
  echo "unpacked $PKGS into $ROOT"
fi
if ! id courier >/dev/null 2>&1; then
  adduser --system --group --no-create-home --home /nonexistent courier
fi

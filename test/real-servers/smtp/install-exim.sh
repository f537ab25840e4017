#!/bin/sh
# Exim for the SMTP real-server tests, next to Postfix (the Debian packages
# conflict): download the .debs, unpack them into a folder, add the system user
# the binary was built for. Usage: install-exim.sh [DIR] (default /opt/wildtls-exim).
# The tests find the binary at $WILDTLS_EXIM_BIN or DIR/usr/sbin/exim4.
set -eu
DIR=${1:-/opt/wildtls-exim}
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends libidn12 libgnutls-dane0 libgnutls30 libpcre2-8-0 libdb5.3 libnsl2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download exim4-daemon-light exim4-base exim4-config)
mkdir -p "$DIR"
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$DIR"; done
getent passwd Debian-exim >/dev/null || adduser --system --group --allow-bad-names --no-create-home Debian-exim
"$DIR/usr/sbin/exim4" -bV -C /dev/null >/dev/null
echo "exim unpacked in $DIR"

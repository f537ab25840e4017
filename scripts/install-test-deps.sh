#!/usr/bin/env bash
# Installs what the tests start on loopback: real mail, chat, FTP and web
# servers from Debian's packages. Their init scripts are kept from starting
# them: the tests run each daemon themselves, bound to a 127.x address, and
# stop it by pid. Exim and Courier conflict with Postfix and Dovecot, so they
# are downloaded and unpacked beside them under /opt.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then exec sudo -E "$0" "$@"; fi
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
packages=(openssl gnutls-bin postfix dovecot-core dovecot-imapd dovecot-pop3d prosody inspircd nginx vsftpd)
packages+=(redis-server)  # queued scans over Redis (test/queue)
packages+=(knot knot-dnsutils unbound)  # smtp-policy: signed zones (knot), validating resolver (unbound)
packages+=(chromium fonts-dejavu-core)  # wildtls report: its test opens the HTML in headless Chromium; figures use DejaVu Sans
packages+=(tcpdump tshark)  # passive capture tests (tshark brings editcap; its setuid question is answered no below)
packages+=(swaks curl)  # passive records: real clients for the capture proofs (issue 16)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
need_exim=0; [ -x /opt/wildtls-exim/usr/sbin/exim4 ] || need_exim=1
need_courier=0; [ -x /opt/wildtls/courier-imap/usr/bin/imapd ] || need_courier=1
if [ ${#missing[@]} -gt 0 ] || [ $need_exim = 1 ] || [ $need_courier = 1 ]; then
  apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections  # passive capture tests
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ $need_exim = 0 ] || sh test/real-servers/smtp/install-exim.sh /opt/wildtls-exim >/dev/null
sh test/real-servers/courier/install-courier.sh /opt/wildtls/courier-imap >/dev/null
echo "test dependencies present: ${packages[*]}, exim (unpacked), courier-imap (unpacked)"

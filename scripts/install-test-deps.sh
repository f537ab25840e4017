#!/usr/bin/env bash
# Installs the Debian packages the tests start on loopback (real mail, chat and
# web servers). Their init scripts are kept from starting them: the tests run
# each daemon themselves, bound to a 127.x address, and stop it by pid.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then exec sudo -E "$0" "$@"; fi
export DEBIAN_FRONTEND=noninteractive
packages=(openssl postfix dovecot-core dovecot-imapd dovecot-pop3d prosody inspircd nginx vsftpd)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "test dependencies present: ${packages[*]}"
# Exim conflicts with Postfix: unpacked beside it for the SMTP second-implementation tests.
[ -x /opt/wildtls-exim/usr/sbin/exim4 ] || sh test/real-servers/smtp/install-exim.sh /opt/wildtls-exim >/dev/null
# Courier-IMAP conflicts with Dovecot: unpacked beside it for the IMAP second-implementation tests.
sh test/real-servers/courier/install-courier.sh /opt/wildtls/courier-imap >/dev/null

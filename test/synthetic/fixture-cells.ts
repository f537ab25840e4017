/**
 * The servers of the fixture library (test/synthetic/fixture/), declared:
 * which real server on which address of 127.0.49.0/24 (this suite's range)
 * gives which named record, and what it is. fixture-servers.ts starts them
 * and scans them with the CLI. Every cell below is one record shape the
 * analyses or the synthetic populations need.
 */

/** The loopback farm's daemons (test/real-servers/farm): Postfix, Dovecot, Prosody, InspIRCd, nginx. */
export const FARM_AT = { postfix: '127.0.49.1', dovecot: '127.0.49.2', prosody: '127.0.49.3', inspircd: '127.0.49.4', nginx: '127.0.49.5' } as const;

/** Postfix cells of a second instance (port 25): no TLS, a missing certificate, and TLS settings the farm does not use. */
export const POSTFIX_CELLS: Array<{ name: string; ip: string; options: string[]; what: string }> = [
  { name: 'postfix-no-tls-smtp', ip: '127.0.49.6', options: ['smtpd_tls_security_level=none', 'smtpd_sasl_auth_enable=yes'], what: 'Postfix with smtpd_tls_security_level=none: no STARTTLS offered, AUTH PLAIN LOGIN in the clear' },
  { name: 'postfix-broken-tls-smtp', ip: '127.0.49.7', options: ['smtpd_tls_chain_files=MISSING'], what: 'Postfix whose certificate file is missing: STARTTLS accepted, then the handshake fails' },
  { name: 'postfix-tls12-smtp', ip: '127.0.49.11', options: ['smtpd_tls_protocols=<=TLSv1.2'], what: 'Postfix capped at TLS 1.2 (smtpd_tls_protocols), its default ciphers: TLS 1.2 ECDHE' },
  { name: 'postfix-dhe1024-tls10-smtp', ip: '127.0.49.12', options: ['smtpd_tls_protocols=<=TLSv1', 'tls_medium_cipherlist=DHE-RSA-AES128-SHA:@SECLEVEL=0', 'smtpd_tls_dh1024_param_file=DH1024'], what: 'Postfix capped at TLS 1.0, DHE-RSA AES-128-CBC only, a 1024-bit group' },
  { name: 'postfix-rsa-cbc-smtp', ip: '127.0.49.13', options: ['smtpd_tls_protocols=<=TLSv1.2', 'tls_medium_cipherlist=AES256-SHA:@SECLEVEL=0'], what: 'Postfix, TLS 1.2, RSA key transport AES-256-CBC only' },
  { name: 'postfix-dhe2048-smtp', ip: '127.0.49.14', options: ['smtpd_tls_protocols=<=TLSv1.2', 'tls_medium_cipherlist=DHE-RSA-AES256-GCM-SHA384', 'smtpd_tls_dh1024_param_file=DH2048'], what: 'Postfix, TLS 1.2, DHE-RSA AES-256-GCM only, a 2048-bit group' },
];

/** A second nginx, with an RSA chain (the farm's nginx has an ECDSA one): https on port 443, TLS 1.2 and 1.3. */
export const NGINX_RSA = { name: 'nginx-rsa-https', ip: '127.0.49.15', what: 'nginx with an RSA leaf, TLS 1.2 and 1.3, default settings (the farm nginx has an ECDSA leaf)' };

export const EXIM_NO_CERT = '127.0.49.9';
export const PLAIN_DOVECOT = '127.0.49.8';

/** openssl s_server cells on 127.0.49.<ip>:4433 (service tls unless said), leaf then the test CA sent. */
export const SSL_PORT = 4433;
export const S_SERVER: Array<{ name: string; ip: string; args: string[]; what: string }> = [
  { name: 'sserver-dhe2048-ocsp', ip: '127.0.49.20', args: ['-no_tls1_3', '-dhparam', 'dh2048.pem', '-cipher', 'DHE-RSA-AES256-GCM-SHA384', '-status_file', 'ocsp.der'], what: 'TLS 1.2 DHE-RSA AES-256-GCM, 2048-bit group, stapling an OCSP response' },
  { name: 'sserver-dhe1024-tls10', ip: '127.0.49.21', args: ['-tls1', '-dhparam', 'dh1024.pem', '-cipher', 'DHE-RSA-AES128-SHA:@SECLEVEL=0'], what: 'TLS 1.0 only, DHE-RSA AES-128-CBC, 1024-bit group' },
  { name: 'sserver-rsa-gcm', ip: '127.0.49.22', args: ['-no_tls1_3', '-cipher', 'AES128-GCM-SHA256'], what: 'TLS 1.2 RSA key transport, AES-128-GCM' },
  { name: 'sserver-ecdhe-tls11', ip: '127.0.49.23', args: ['-tls1_1', '-cipher', 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'], what: 'TLS 1.1 only, ECDHE-RSA AES-128-CBC' },
  { name: 'sserver-ecdhe-p384', ip: '127.0.49.24', args: ['-no_tls1_3', '-groups', 'secp384r1', '-cipher', 'ECDHE-RSA-AES256-GCM-SHA384'], what: 'TLS 1.2 ECDHE-RSA on secp384r1, AES-256-GCM' },
  { name: 'sserver-chacha', ip: '127.0.49.25', args: ['-no_tls1_3', '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305'], what: 'TLS 1.2 ECDHE-RSA ChaCha20-Poly1305' },
  { name: 'sserver-tls13', ip: '127.0.49.26', args: [], what: 'OpenSSL 3 defaults: TLS 1.3' },
  { name: 'sserver-camellia', ip: '127.0.49.27', args: ['-no_tls1_3', '-cipher', 'CAMELLIA128-SHA:@SECLEVEL=0'], what: 'TLS 1.2 RSA key transport, Camellia-128 (completed)' },
  { name: 'sserver-seed', ip: '127.0.49.28', args: ['-provider', 'legacy', '-provider', 'default', '-no_tls1_3', '-cipher', 'SEED-SHA:@SECLEVEL=0'], what: 'TLS 1.2 RSA SEED from the legacy provider (tls-unsupported: the scanning process has no legacy provider)' },
];

/** Servers only a scan offering weak suites reaches (profile "weak"): NULL, anonymous DH. Debian's OpenSSL 3 has no single DES or export suites, GnuTLS neither. */
export const S_SERVER_WEAK: typeof S_SERVER = [
  { name: 'sserver-null', ip: '127.0.49.30', args: ['-no_tls1_3', '-cipher', 'NULL-SHA256:@SECLEVEL=0'], what: 'TLS 1.2 RSA NULL-SHA256, scanned with a profile offering it (tls-unsupported)' },
  { name: 'sserver-anon', ip: '127.0.49.31', args: ['-no_tls1_3', '-nocert', '-dhparam', 'dh2048.pem', '-cipher', 'ADH-AES128-SHA:@SECLEVEL=0'], what: 'TLS 1.2 anonymous DH AES-128-CBC, no certificate, scanned with a profile offering it (tls-unsupported)' },
];
export const WEAK_PROFILE = ['TLS_RSA_WITH_NULL_SHA256', 'TLS_DH_anon_WITH_AES_128_CBC_SHA', 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV'];

/** Observe-only scans (`--observe-only`): the server's first flight, no key exchange. */
export const OBSERVE: Array<{ name: string; ip: string; protocol: string; port: number; what: string }> = [
  { name: 'postfix-smtp-observe', ip: FARM_AT.postfix, protocol: 'smtp', port: 25, what: 'the farm Postfix on port 25 scanned with --observe-only: STARTTLS, then its first flight (TLS 1.3), not completed' },
  { name: 'sserver-dhe1024-tls10-observe', ip: '127.0.49.21', protocol: 'tls', port: SSL_PORT, what: 'the TLS 1.0 DHE-1024 s_server scanned with --observe-only: its whole first flight, not completed' },
];

/** gnutls-serv (listens on every address: ports of their own), dialled on 127.0.49.50. */
const base = '+COMP-NULL:+SIGN-ALL:+GROUP-ALL';
export const GNUTLS_IP = '127.0.49.50';
export const GNUTLS: Array<{ name: string; port: number; priority: string; what: string }> = [
  { name: 'gnutls-rc4-rsa', port: 24946, priority: `NONE:+VERS-TLS1.2:+ARCFOUR-128:+SHA1:+RSA:${base}`, what: 'TLS 1.2 RSA key transport, RC4-128' },
  { name: 'gnutls-rc4-ecdhe', port: 24947, priority: `NONE:+VERS-TLS1.0:+ARCFOUR-128:+SHA1:+ECDHE-RSA:${base}`, what: 'TLS 1.0 ECDHE-RSA, RC4-128' },
  { name: 'gnutls-3des-rsa', port: 24948, priority: `NONE:+VERS-TLS1.1:+3DES-CBC:+SHA1:+RSA:${base}`, what: 'TLS 1.1 RSA key transport, 3DES' },
  // OpenSSL 3 refuses a group under 1024 bits at any security level; GnuTLS serves one from --dhparams.
  { name: 'gnutls-dhe768', port: 24949, priority: `NONE:+VERS-TLS1.2:+AES-128-CBC:+SHA1:+DHE-RSA:${base}:%PROFILE_VERY_WEAK`, what: 'TLS 1.2 DHE-RSA AES-128-CBC, 768-bit group (--dhparams)' },
];

/** Hosts that accept and then do what real-world noise does; node listeners on their own address. */
export const LISTENERS: Array<{ name: string; ip: string; port: number; service: string; behaviour: 'silent' | 'close' | 'reset' | 'banner'; what: string }> = [
  { name: 'silent-smtp', ip: '127.0.49.40', port: 25, service: 'smtp', behaviour: 'silent', what: 'accepts, never sends a byte' },
  { name: 'close-smtp', ip: '127.0.49.41', port: 25, service: 'smtp', behaviour: 'close', what: 'accepts and closes at once' },
  { name: 'reset-smtp', ip: '127.0.49.42', port: 25, service: 'smtp', behaviour: 'reset', what: 'accepts and resets at once' },
  { name: 'banner-only-smtp', ip: '127.0.49.43', port: 25, service: 'smtp', behaviour: 'banner', what: 'sends a 220 banner, then nothing' },
  { name: 'silent-tls', ip: '127.0.49.44', port: SSL_PORT, service: 'tls', behaviour: 'silent', what: 'accepts, never answers the ClientHello' },
  { name: 'close-tls', ip: '127.0.49.45', port: SSL_PORT, service: 'tls', behaviour: 'close', what: 'accepts and closes at once' },
];
/** Nothing listens here: connection refused. */
export const REFUSED = '127.0.49.46';
